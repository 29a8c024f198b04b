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
//SOURCES lib/pki/Policy.java
//SOURCES lib/pki/Csr.java
//SOURCES lib/pki/Describe.java
//SOURCES lib/pki/Pki.java
//SOURCES lib/pki/Contents.java
//SOURCES lib/tls/ReloadingKeyManager.java
//SOURCES lib/tls/Tls.java
//SOURCES lib/tls/Fetch.java
//SOURCES lib/tls/Diagnosis.java
//SOURCES lib/pki/Lint.java
//SOURCES lib/pki/StackLint.java
//SOURCES lib/cli/Cli.java
//SOURCES lib/cli/LintText.java
//SOURCES lib/cli/Advice.java
//DESCRIPTION Shows any certificate, key, CSR, PKCS#12 or server chain, and lints them against strict verifiers.
// The client compiler only: a run of this script lasts well under a second, too short for the
// optimizing compiler's work to pay back (measured here: 18-22% faster warm runs on JDK 17).
// issue.java and ca.java keep it, because RSA key generation needs its BigInteger intrinsics.
// No hsperfdata file (jps and jcmd would not see a run this short anyway): about 5% more.
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:-UsePerfData

// inspect.java: `openssl x509 -text`, `openssl req -text`, `openssl pkcs12 -info` and
// `openssl s_client -showcerts` in one command that reads what it is given, plus --lint, which
// checks a certificate or chain against the rules of OpenSSL -x509_strict / Python 3.13, Chrome,
// Apple, Go and RFC 5280 at once (lib/pki/Lint.java; docs/PROFILE.md gives the sources). It never
// writes a file and never prints private key material.

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect.java", mixinStandardHelpOptions = true, version = "jbang-mtls inspect 0.1",
        description = {"Shows a certificate, chain, CSR, private key or PKCS#12 file, or the chain a live HTTPS "
                + "server sends (https://host:port), in readable form.",
                "With --lint it checks certificates against the rules of every strict verifier at once "
                        + "(OpenSSL -x509_strict / Python 3.13, Chrome, Apple, Go, RFC 5280)."},
        footer = {"", "Exit codes: 0 shown, or lint found no errors (warnings allowed); 1 unreadable input; "
                + "2 bad usage; 3 lint found errors."},
        sortOptions = false)
public class inspect implements Callable<Integer> {

    /** --lint found at least one error: distinct from 1 (unreadable input) and 2 (bad usage). */
    static final int LINT_ERRORS = 3;

    @Parameters(paramLabel = "FILE|URL", arity = "1..*",
            description = "PEM or DER certificate(s), CSR, private key, .p12/.pfx, or https://host[:port].")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--lint", description = "Check each certificate or chain against the strict verifiers' rules.")
    boolean lint;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "CA certificate(s): the end of the chain for --lint, the trust for a URL (default: the JDK's public CAs).")
    Path cacert;

    @Option(names = "--purpose", defaultValue = "any", paramLabel = "USE",
            description = "With --lint: server, client, both (mTLS), or any (default): each use the certificate's EKU "
                    + "claims is an error to break, the other use only a warning.")
    String purpose;

    @Option(names = "--password", paramLabel = "SPEC",
            description = "Password of a .p12 or an encrypted key: env:VAR, file:PATH, prompt or the password "
                    + "(a .p12 is tried with 'changeit' and no password first).")
    String password;

    @Option(names = "--resolve", paramLabel = "HOST:PORT:ADDR",
            description = "For a URL: connect to ADDR for HOST:PORT, as curl --resolve. Repeatable.")
    List<String> resolve = new ArrayList<>();

    @Option(names = "--connect-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "For a URL: time allowed for the whole connection, the handshake included (default: ${DEFAULT-VALUE}).")
    long connectTimeout;

    /** Given, DIR/ca.crt is the CA: to check against with --lint, trusted for a URL. Else a CA among the FILEs is the others' issuer. */
    @Mixin Cli.Dir dir;

    @Mixin Cli.Debug debug;

    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.run(new inspect(), args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Lint.Purpose use;
        try {
            use = Lint.Purpose.parse(purpose);
        } catch (Failure f) {
            throw Cli.fail("--purpose %s", f.getMessage());
        }
        if (connectTimeout < 1 || connectTimeout > 86_400) throw Cli.fail("--connect-timeout must be 1 to 86400 seconds");
        if (cacert == null && spec.commandLine().getParseResult().hasMatchedOption("--dir")) cacert = Pki.of(dir.dir).caCert();
        List<X509Certificate> trusted = new ArrayList<>(cacert == null ? List.of() : Pem.caCertificates(cacert, "CA certificate"));
        // Every certificate named on the command line: a key says which one it belongs to, and with
        // --lint a CA among them is the issuer of the others, as a reader of "--lint ca.crt leaf.crt" expects.
        List<Contents.Named> known = new ArrayList<>();
        for (String in : inputs) if (!isUrl(in)) known.addAll(certificatesIn(Path.of(in)));
        List<X509Certificate> issuers = new ArrayList<>(trusted);
        if (lint)
            for (Contents.Named n : known)
                if (n.cert().getBasicConstraints() >= 0 && !issuers.contains(n.cert())) issuers.add(n.cert());
        boolean errors = false;
        for (int i = 0; i < inputs.size(); i++) {
            if (i > 0) out.println();
            String in = inputs.get(i);
            if (lint) {
                List<X509Certificate> chain = isUrl(in) ? liveChain(in, out, false) : Pem.certificates(Path.of(in), "certificate");
                Lint.Report r = Lint.lint(chain, issuers, use, !trusted.isEmpty());
                out.print(LintText.format(r, Text.escape(in)));
                errors |= r.errors() > 0;
            } else if (isUrl(in)) {
                liveChain(in, out, true);
            } else {
                show(Path.of(in), known, out);
            }
            // What a Java stack (Netty, okhttp-tls, Spring Boot, the JDK) will refuse in this file: named, not counted as a lint error.
            if (!isUrl(in)) out.print(LintText.stacks(Path.of(in), "changeit".toCharArray()));
        }
        return errors ? LINT_ERRORS : 0;
    }

    static boolean isUrl(String s) {
        return s.matches("(?i)[a-z][a-z0-9+.-]*://.*");
    }

    // ================================================================ files (lib/pki/Contents.java words them)

    /** What kind of file this is, by its PEM labels (or, for DER, by what parses), then shows it. */
    void show(Path file, List<Contents.Named> known, PrintWriter out) {
        byte[] bytes = Pem.read(file, "file");
        Set<String> labels = pemLabels(bytes);
        if (labels.isEmpty()) {
            showDer(file, bytes, out);
            return;
        }
        boolean shown = false;
        if (labels.stream().anyMatch(l -> l.endsWith("CERTIFICATE") && !l.contains("REQUEST"))) {
            out.print(Contents.certificates(file.toString(), Pem.certificates(file, "certificate")));
            shown = true;
        }
        if (labels.stream().anyMatch(l -> l.contains("CERTIFICATE REQUEST"))) {
            out.print(Contents.csr(file.toString(), Pem.csr(file)));
            shown = true;
        }
        if (labels.stream().anyMatch(l -> l.endsWith("PRIVATE KEY"))) {
            if (shown) out.println();
            var pw = password == null ? null : Cli.passwordFor(file, "private key", password, "--password");
            out.print(Contents.keyFile(file, bytes, labels, pw, withSibling(file, known), "give --password SPEC"));
            shown = true;
        }
        if (!shown)
            throw Cli.fail("cannot show %s: it holds %s, not a certificate, CSR or private key", file, String.join(", ", labels));
    }

    /** DER has no label: a certificate, a CSR or a PKCS#12 file, tried in that order. */
    void showDer(Path file, byte[] bytes, PrintWriter out) {
        if (parses(() -> Pem.certificates(file, "certificate"))) {
            out.print(Contents.certificates(file + " (DER)", Pem.certificates(file, "certificate")));
        } else if (parses(() -> new PKCS10CertificationRequest(bytes))) {
            out.print(Contents.csr(file + " (DER)", Pem.csr(file)));
        } else if (parses(() -> new PKCS12PfxPdu(bytes))) {
            try {
                out.print(Contents.pkcs12(file, bytes, password == null ? null : Cli.password(password, "--password")));
            } catch (Failure f) {
                if (f.kind == Failure.Kind.WRONG_PASSWORD) throw Cli.fail("cannot open PKCS#12 file %s: wrong --password", file);
                if (f.kind == Failure.Kind.PASSWORD_NEEDED)
                    throw Cli.fail("cannot open PKCS#12 file %s: it has a password; give it with --password env:VAR (or file:PATH)", file);
                throw f;
            }
        } else {
            throw Cli.fail("cannot show %s: it is not a certificate, CSR, private key or PKCS#12 file (PEM or DER)", file);
        }
    }

    private static boolean parses(Callable<?> parse) {
        try {
            parse.call();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** The BEGIN labels in a PEM file, in order: CERTIFICATE, PRIVATE KEY, ... */
    static Set<String> pemLabels(byte[] bytes) {
        Matcher m = Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----").matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        Set<String> labels = new LinkedHashSet<>();
        while (m.find()) labels.add(m.group(1));
        return labels;
    }

    /** The certificates in a file, or none when it holds none (keys, CSRs): used to match keys. */
    static List<Contents.Named> certificatesIn(Path file) {
        try {
            List<Contents.Named> named = new ArrayList<>();
            for (X509Certificate c : Pem.certificates(file, "certificate")) named.add(new Contents.Named(c, file.toString()));
            return named;
        } catch (Failure f) {
            return List.of();
        }
    }

    /** The certificates given, plus NAME.crt beside NAME.key: what issue.java writes together. */
    static List<Contents.Named> withSibling(Path keyFile, List<Contents.Named> known) {
        List<Contents.Named> all = new ArrayList<>(known);
        String name = keyFile.getFileName().toString();
        if (name.endsWith(".key")) {
            Path crt = keyFile.resolveSibling(name.substring(0, name.length() - 4) + ".crt");
            if (Files.isRegularFile(crt) && all.stream().noneMatch(n -> n.source().equals(crt.toString())))
                all.addAll(certificatesIn(crt));
        }
        return all;
    }

    // ================================================================ a live server (lib/tls/Fetch.java connects)

    /**
     * Connects to an https:// URL and returns the chain the server sent, trusted or not. Trust is
     * --cacert (or the JDK's public CAs) plus the host name, as client.java checks it; a failure is
     * explained by Diagnosis and the chain is still shown, as openssl s_client does.
     */
    List<X509Certificate> liveChain(String url, PrintWriter out, boolean show) {
        URI uri;
        try {
            uri = Tls.url(url);
        } catch (Failure f) {
            throw Cli.fail("%s: inspect reads the certificates of TLS servers", f.getMessage());
        }
        Duration timeout = Duration.ofSeconds(connectTimeout);
        java.util.Map<String, java.net.InetSocketAddress> resolved;
        try {
            resolved = Tls.parseResolve(resolve);
        } catch (Failure f) {
            throw Cli.fail("--resolve %s", f.getMessage());
        }
        var call = new Tls.Call(uri, null, cacert, false, resolved, timeout, timeout);
        Advice advice = new Advice(dir.dir, null);
        Fetch.Handshake h = Fetch.handshake(call);
        Tls.Seen seen = h.seen();
        IOException failure = h.failure();
        if (seen.serverChain == null)
            throw Cli.fail("cannot read the certificates of %s: %s", Text.escape(Tls.hostPort(uri)), advice.explain(Diagnosis.of(failure, call, seen)));
        List<X509Certificate> chain = Arrays.asList(seen.serverChain);
        if (!show) return chain;
        out.printf("%s: %s, cipher %s%n", Text.escape(Tls.hostPort(uri)) + (seen.mappedTo == null ? "" : " at "
                + seen.mappedTo.getAddress().getHostAddress()), seen.protocol, seen.cipher);
        out.print(Contents.certificates("The chain it sent", chain));
        String trust = cacert == null ? "the JDK's public CAs" : cacert.toString();
        boolean untrusted = failure != null && seen.trustFailure != null;
        out.println(untrusted ? "Trust: UNTRUSTED. " + advice.explain(Diagnosis.of(failure, call, seen))
                : "Trust: trusted (chain verified against " + trust + ", and the host name is in the SAN).");
        if (failure != null && !untrusted) out.println("The handshake then failed: " + advice.explain(Diagnosis.of(failure, call, seen)));
        if (seen.certRequested)
            out.println("The server asks for a client certificate (mutual TLS). It accepts ones issued by: "
                    + (seen.acceptedIssuers.isEmpty() ? "(it names no CA)" : String.join("; ", seen.acceptedIssuers)));
        else if (untrusted) // JSSE looks at a CertificateRequest only after it has trusted the server
            out.println("Whether the server asks for a client certificate is unknown: the handshake stopped at its certificate.");
        else out.println("The server does not ask for a client certificate.");
        return chain;
    }
}
