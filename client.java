///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/pki/Failure.java
//SOURCES lib/pki/Text.java
//SOURCES lib/pki/Der.java
//SOURCES lib/pki/Keys.java
//SOURCES lib/pki/Certs.java
//SOURCES lib/pki/Names.java
//SOURCES lib/pki/Pem.java
//SOURCES lib/pki/Describe.java
//SOURCES lib/pki/Pki.java
//SOURCES lib/tls/ReloadingKeyManager.java
//SOURCES lib/tls/Tls.java
//SOURCES lib/tls/Fetch.java
//SOURCES lib/tls/Diagnosis.java
//SOURCES lib/pki/Pki.java
//SOURCES lib/cli/Cli.java
//SOURCES lib/cli/Advice.java
//DESCRIPTION A curl-like HTTPS probe that explains, in plain words, why an (m)TLS call failed.
// The client compiler only: a run of this script lasts well under a second, too short for the
// optimizing compiler's work to pay back (measured here: 18-22% faster warm runs on JDK 17).
// issue.java and ca.java keep it, because RSA key generation needs its BigInteger intrinsics.
// No hsperfdata file (jps and jcmd would not see a run this short anyway): about 5% more.
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:-UsePerfData

// client.java: the curl checks of the tutorial's section 4.3, with answers a newcomer can act on.
// `./jbang client.java --cacert certs/ca.crt --cert certs/service-a.crt --key certs/service-a.key
//    --resolve service-b.example.com:8443:127.0.0.1 https://service-b.example.com:8443/`
// prints the body on success. On failure it prints one paragraph (what failed, which side refused,
// the likely cause, the fix: lib/cli/Advice.java words lib/tls/Diagnosis.java's findings with the options
// given) and exits with the code of the failure class: lib/tls/Diagnosis.java
// declares them, and --help lists them from there. Host names are always verified, unless --insecure.

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "client.java", mixinStandardHelpOptions = true, version = "jbang-mtls client 0.2",
        description = {"GETs an HTTPS URL like curl, and explains a failed (m)TLS handshake in plain words."},
        sortOptions = false)
public class client implements Callable<Integer>, Cli.Setup {

    @Parameters(paramLabel = "URL", description = "An https:// URL, e.g. https://service-b.example.com:8443/")
    String url;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "Trust the CA certificates in FILE (PEM) instead of the JDK's public CAs, as curl --cacert (default: DIR/ca.crt "
                    + "when --dir is given; without either, the JDK's public CAs are trusted, as curl does).")
    Path cacert;

    @Mixin Cli.Dir dir;

    @Option(names = {"-E", "--cert"}, paramLabel = "FILE", description = "Client certificate to send (PEM), as curl --cert.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "Its private key (PEM; default: in the --cert file).")
    Path key;

    @Mixin Cli.KeyPassword keyPassword;

    @Option(names = {"-k", "--insecure"},
            description = "Do not check the server's certificate or host name (prints a warning). For a quick test only.")
    boolean insecure;

    @Option(names = "--resolve", paramLabel = "HOST:PORT:ADDR",
            description = "Connect to ADDR for HOST:PORT, as curl --resolve: no /etc/hosts edit. Repeatable.")
    List<String> resolve = new ArrayList<>();

    @Option(names = {"-v", "--verbose"},
            description = "Show the handshake: protocol, cipher, server chain, the CA names the server accepts, what we sent.")
    boolean verbose;

    @Option(names = "--connect-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Time allowed to connect (default: ${DEFAULT-VALUE}).")
    long connectTimeout;

    @Option(names = {"-m", "--max-time"}, defaultValue = "30", paramLabel = "SECONDS",
            description = "Time allowed for the whole call: connecting, the handshake, the request and the answer (default: ${DEFAULT-VALUE}).")
    long maxTime;

    @Mixin Cli.Debug debug;

    @Spec CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.run(new client(), args));
    }

    /** The exit codes in --help, from the one table in lib/tls/Diagnosis.java; what --key-password does here. */
    @Override public void setup(CommandLine cl) {
        // client.java only reads the key it sends with.
        Cli.help(cl, "key-password", "Password of --key, when it is encrypted (without it: asked on a terminal). " + Cli.SPEC_FORMS);
        cl.getCommandSpec().usageMessage().footer(exitCodeTable().toArray(new String[0]));
    }

    /** The exit code table, as --help prints it: 0, 1, 2, then each failure class. */
    static List<String> exitCodeTable() {
        List<String> lines = new ArrayList<>(List.of("", "Exit codes (curl's number where curl has the same class):"));
        for (String[] row : exitCodes()) lines.add(String.format("  %2s  %s: %s", row[0], row[1], row[2]));
        return lines;
    }

    /** Every exit code of client.java: code, title and meaning. */
    static List<String[]> exitCodes() {
        List<String[]> rows = new ArrayList<>(List.of(new String[] {"0", "success", "an HTTP status below 400"},
                new String[] {"1", "bad input", "an unreadable file, a bad option value"},
                new String[] {"2", "bad usage", "an unknown option, a missing URL"}));
        for (Diagnosis.Problem p : Diagnosis.Problem.values()) rows.add(new String[] {"" + p.exitCode, p.title, Advice.meaning(p)});
        return rows;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (connectTimeout < 1 || maxTime < 1) throw Cli.fail("--connect-timeout and --max-time must be at least 1 second");
        if (connectTimeout > 86_400 || maxTime > 86_400) throw Cli.fail("--connect-timeout and --max-time are at most 86400 seconds (a day)");
        if (insecure)
            err.println("Warning: --insecure: the server's certificate and host name are NOT checked, so anyone on the "
                    + "path could pose as the server. Use --cacert instead.");
        // --dir names the folder of the fixes always, and the CA trusted only when given: without it we trust as curl does.
        boolean dirGiven = spec.commandLine().getParseResult().hasMatchedOption("--dir");
        Result r = probe(new Options(Tls.url(url), cacert != null || !dirGiven ? cacert : Pki.of(dir.dir).caCert(), cert, key,
                keyPassword.spec, insecure, resolve, Duration.ofSeconds(connectTimeout), Duration.ofSeconds(maxTime), dir.dir));
        if (verbose) err.print(r.handshake());
        // A probe, not a downloader: the body is shown with control characters escaped (Text.lines), so
        // that a hostile server cannot clear, retitle or rewrite the terminal. curl -o saves bytes as they are.
        out.print(Text.lines(r.body()));
        out.flush();
        if (r.explanation() != null) err.println("error: (" + r.exitCode() + ") " + r.explanation());
        return r.exitCode();
    }

    // ---------------------------------------------------------------- the probe

    /** What to fetch and how, in curl's terms; of(url) gives curl's defaults. dir is the PKI folder the fixes name (null: certs). */
    public record Options(URI url, Path cacert, Path cert, Path key, String keyPassword, boolean insecure,
                          List<String> resolve, Duration connectTimeout, Duration maxTime, Path dir) {
        public static Options of(String url) {
            return new Options(URI.create(url), null, null, null, null, false, List.of(), Duration.ofSeconds(10), Duration.ofSeconds(30), null);
        }
        public Options withCacert(Path ca) {
            return new Options(url, ca, cert, key, keyPassword, insecure, resolve, connectTimeout, maxTime, dir);
        }
        public Options withCert(Path certFile, Path keyFile) {
            return new Options(url, cacert, certFile, keyFile, keyPassword, insecure, resolve, connectTimeout, maxTime, dir);
        }
        public Options withResolve(String... specs) {
            return new Options(url, cacert, cert, key, keyPassword, insecure, List.of(specs), connectTimeout, maxTime, dir);
        }
        public Options withInsecure(boolean on) {
            return new Options(url, cacert, cert, key, keyPassword, on, resolve, connectTimeout, maxTime, dir);
        }
        public Options withTimeouts(Duration connect, Duration max) {
            return new Options(url, cacert, cert, key, keyPassword, insecure, resolve, connect, max, dir);
        }
        public Options withDir(Path pkiFolder) {
            return new Options(url, cacert, cert, key, keyPassword, insecure, resolve, connectTimeout, maxTime, pkiFolder);
        }
    }

    /**
     * How the probe ended: exitCode (0 or a Problem's code), the failure class (null on success),
     * the HTTP status (-1 when none), the body, the explanation (null on success) and the -v text.
     */
    public record Result(int exitCode, Diagnosis.Problem problem, int status, String body, String explanation, String handshake) {}

    /** Fetches the URL and explains any failure. Bad input (unreadable files) throws a Failure. */
    public static Result probe(Options o) {
        if (!"https".equalsIgnoreCase(o.url().getScheme()) || o.url().getHost() == null)
            throw Cli.fail("'%s' is not an https:// URL with a host name", Text.oneLine(o.url().toString()));
        java.util.Map<String, java.net.InetSocketAddress> resolveMap;
        try {
            resolveMap = Tls.parseResolve(o.resolve());
        } catch (Failure f) {
            throw Cli.fail("--resolve %s", f.getMessage());
        }
        Tls.Identity identity = identity(o);
        if (identity != null && !identity.keyMatches())
            return new Result(Diagnosis.Problem.KEY_MISMATCH.exitCode, Diagnosis.Problem.KEY_MISMATCH, -1, "",
                    "Checked before connecting: " + Tls.keyMismatch(identity) + ". Any server would refuse the "
                            + "handshake, because we could not prove we own the certificate.", "");
        if (o.cacert() != null) Pem.caCertificates(o.cacert(), "CA certificate"); // a bad file is a one-line error now
        Tls.Call call = new Tls.Call(o.url(), identity, o.cacert(), o.insecure(), resolveMap, o.connectTimeout(), o.maxTime());
        Fetch.Outcome out = Fetch.get(call);
        String handshake = describeHandshake(call, out);
        if (out.cut() != null) {
            // What arrived is printed, but it must not pass for the whole answer.
            var p = Diagnosis.Problem.PARTIAL_ANSWER;
            String fix = out.cut().limit() == Fetch.Limit.CLOSED_EARLY || out.cut().limit() == Fetch.Limit.CLOSED_IN_HEADERS
                    ? "Likely cause: the server, or a proxy on the way, stopped in the middle of the answer. Fix: try again, and look at the server's log."
                    : "Fix: fetch a large answer with curl -o FILE; this probe shows answers, it does not download them.";
            return new Result(p.exitCode, p, out.status(), out.body(), String.format("The answer from %s is incomplete%s: %s. "
                    + "What arrived is printed above; the rest is missing. %s", Text.escape(Tls.hostPort(o.url())),
                    out.status() < 0 ? "" : " (HTTP " + out.status() + ")", out.cut().text(), fix), handshake);
        }
        if (out.ok()) return new Result(0, null, out.status(), out.body(), null, handshake);
        var p = out.failure().problem();
        return new Result(p.exitCode, p, out.status(), out.body(), new Advice(o.dir(), o.keyPassword()).explain(out.failure()), handshake);
    }

    /** --cert and --key, or null; like curl, the key may sit in the --cert file. */
    static Tls.Identity identity(Options o) {
        if (o.cert() == null) {
            if (o.key() != null) throw Cli.fail("--key needs --cert (the certificate that goes with the key)");
            return null;
        }
        Path keyFile = o.key() != null ? o.key() : o.cert();
        return Tls.readIdentity(o.cert(), keyFile, Cli.passwordFor(keyFile, "key", o.keyPassword(), "--key-password"));
    }

    /** The -v text, curl style ("* " lines): what each side showed and asked for. */
    static String describeHandshake(Tls.Call call, Fetch.Outcome out) {
        Tls.Seen seen = out.seen();
        StringBuilder s = new StringBuilder();
        s.append("* Connecting to ").append(Text.escape(Tls.hostPort(call.url())))
                .append(seen.mappedTo == null ? "" : " at " + seen.mappedTo.getAddress().getHostAddress() + " (--resolve)").append('\n');
        String protocol = out.session().map(x -> x.getProtocol()).orElse(seen.protocol);
        String cipher = out.session().map(x -> x.getCipherSuite()).orElse(seen.cipher);
        if (protocol != null) s.append("* TLS: ").append(protocol).append(", cipher ").append(cipher).append('\n');
        if (seen.serverChain == null) {
            s.append("* The handshake ended before the server sent its certificate.\n");
            return s.toString();
        }
        s.append("* Server certificate chain").append(call.insecure() ? " (NOT checked: --insecure)" : "").append(":\n");
        s.append(Describe.chain(seen.serverChain, "*   "));
        if (seen.certRequested)
            s.append("* The server asked for a client certificate; it accepts ones issued by: ")
                    .append(seen.acceptedIssuers.isEmpty() ? "(it listed no CA names)" : String.join("; ", seen.acceptedIssuers)).append('\n');
        else s.append("* The server did not ask for a client certificate.\n");
        X509Certificate[] sent = seen.sent;
        if (sent != null)
            s.append("* We sent: ").append(Names.subject(sent[0])).append(" (issuer ").append(Names.issuer(sent[0]))
                    .append(", serial ").append(sent[0].getSerialNumber().toString(16)).append(")\n");
        else s.append("* We sent no client certificate").append(call.identity() == null ? " (no --cert given)" : "").append(".\n");
        if (out.status() >= 0) s.append("< HTTP ").append(out.status()).append('\n');
        return s.toString();
    }
}
