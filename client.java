///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/Pki.java
//SOURCES lib/Cli.java
//SOURCES lib/Tls.java
//DESCRIPTION A curl-like HTTPS probe that explains, in plain words, why an (m)TLS call failed.

// client.java: the curl checks of the tutorial's section 4.3, with answers a newcomer can act on.
// `./jbang client.java --cacert certs/ca.crt --cert certs/service-a.crt --key certs/service-a.key
//    --resolve service-b.example.com:8443:127.0.0.1 https://service-b.example.com:8443/`
// prints the body on success. On failure it prints one paragraph (what failed, which side refused,
// the likely cause, the fix) and exits with the code of the failure class (table in --help).
// Hostname verification is always on, except with --insecure.
// A client for your own code (the JDK's HttpClient): README "Use it in your own code", snippet MtlsClient.

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.util.IPAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "client.java", mixinStandardHelpOptions = true, version = "jbang-mtls client 0.1",
        description = {"GETs an HTTPS URL like curl, and explains a failed (m)TLS handshake in plain words."},
        footer = {"", "Exit codes (curl's number where curl has the same class):",
                "   0  success (HTTP status below 400)",
                "   1  bad input (an unreadable file, a bad flag value)   2  bad usage",
                "   6  the host name could not be resolved (try --resolve)",
                "   7  connection refused: nothing listens there",
                "  22  the server answered HTTP 400 or more",
                "  28  timeout (connect, TLS handshake or answer)",
                "  35  no common TLS protocol version or cipher suite",
                "  56  the connection failed for another reason (the message says what was seen)",
                "  58  --key does not belong to --cert (checked before connecting)",
                "  60  the server's certificate is not signed by a CA we trust",
                "  61  the host name is not in the server certificate's SAN",
                "  62  the server's certificate (or its CA) is expired or not yet valid",
                "  63  the server requires a client certificate and we sent none",
                "  64  the server rejected our client certificate (unknown CA, expired, revoked, wrong purpose)"},
        sortOptions = false)
public class client implements Callable<Integer> {

    @Parameters(paramLabel = "URL", description = "An https:// URL, e.g. https://service-b.example.com:8443/")
    URI url;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "Trust the CA certificates in FILE (PEM) instead of the JDK's public CAs, as curl --cacert.")
    Path cacert;

    @Option(names = {"-E", "--cert"}, paramLabel = "FILE", description = "Client certificate to send (PEM), as curl --cert.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "Its private key (PEM; default: in the --cert file).")
    Path key;

    @Option(names = "--key-password", paramLabel = "SPEC", description = "Password of an encrypted key: env:VAR, file:PATH or prompt.")
    String keyPassword;

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
            description = "Time allowed for the handshake and the answer (default: ${DEFAULT-VALUE}).")
    long maxTime;

    @Option(names = "--debug", description = "Show stack traces on errors.")
    boolean debug;

    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.run(new client(), args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        if (connectTimeout < 1 || maxTime < 1) throw Cli.fail("--connect-timeout and --max-time must be at least 1 second");
        if (insecure)
            err.println("Warning: --insecure: the server's certificate and host name are NOT checked, so anyone on the "
                    + "path could pose as the server. Use --cacert instead.");
        Result r = probe(new Options(url, cacert, cert, key, keyPassword, insecure, resolve,
                Duration.ofSeconds(connectTimeout), Duration.ofSeconds(maxTime)));
        if (verbose) err.print(r.handshake());
        out.print(r.body());
        out.flush();
        if (r.explanation() != null) err.println("error: (" + r.exitCode() + ") " + r.explanation());
        return r.exitCode();
    }

    // ---------------------------------------------------------------- the probe

    /** What to fetch and how, in curl's terms; of(url) gives curl's defaults. */
    public record Options(URI url, Path cacert, Path cert, Path key, String keyPassword, boolean insecure,
                          List<String> resolve, Duration connectTimeout, Duration maxTime) {
        public static Options of(String url) {
            return new Options(URI.create(url), null, null, null, null, false, List.of(), Duration.ofSeconds(10), Duration.ofSeconds(30));
        }
        public Options withCacert(Path ca) {
            return new Options(url, ca, cert, key, keyPassword, insecure, resolve, connectTimeout, maxTime);
        }
        public Options withCert(Path certFile, Path keyFile) {
            return new Options(url, cacert, certFile, keyFile, keyPassword, insecure, resolve, connectTimeout, maxTime);
        }
        public Options withResolve(String... specs) {
            return new Options(url, cacert, cert, key, keyPassword, insecure, List.of(specs), connectTimeout, maxTime);
        }
        public Options withInsecure(boolean on) {
            return new Options(url, cacert, cert, key, keyPassword, on, resolve, connectTimeout, maxTime);
        }
        public Options withTimeouts(Duration connect, Duration max) {
            return new Options(url, cacert, cert, key, keyPassword, insecure, resolve, connect, max);
        }
    }

    /**
     * How the probe ended: exitCode (0 or a Tls.Problem's code), the failure class (null on success),
     * the HTTP status (-1 when none), the body, the explanation (null on success) and the -v text.
     */
    public record Result(int exitCode, Tls.Problem problem, int status, String body, String explanation, String handshake) {}

    /** Fetches the URL and explains any failure. Bad input (unreadable files) throws Cli.Failure. */
    public static Result probe(Options o) {
        if (!"https".equalsIgnoreCase(o.url().getScheme()) || o.url().getHost() == null)
            throw Cli.fail("'%s' is not an https:// URL with a host name", o.url());
        var resolveMap = Tls.parseResolve(o.resolve());
        Tls.Identity identity = identity(o);
        if (identity != null && !identity.keyMatches())
            return new Result(Tls.Problem.KEY_MISMATCH.exitCode, Tls.Problem.KEY_MISMATCH, -1, "",
                    "Checked before connecting: " + Tls.keyMismatch(identity) + ". Any server would refuse the "
                            + "handshake, because we could not prove we own the certificate.", "");
        if (o.cacert() != null) Pki.readCertificates(o.cacert(), "CA certificate"); // a bad file is a one-line error now
        Tls.Call call = new Tls.Call(o.url(), identity, o.cacert(), o.insecure(), resolveMap, o.connectTimeout(), o.maxTime());
        Tls.Outcome out = fetch(call);
        String handshake = describeHandshake(call, out);
        if (out.ok()) return new Result(0, null, out.status(), out.body(), null, handshake);
        var p = out.failure().problem();
        return new Result(p.exitCode, p, out.status(), out.body(), out.failure().explanation(), handshake);
    }

    /**
     * One GET over an SSLSocket rather than HttpClient, for three reasons: (1) connecting, the
     * handshake and the answer are separate steps here, so a failure names the step; (2) HttpClient
     * does not end a body at a TLS 1.3 close_notify and hangs on servers that only half-close
     * (openssl s_server -www); (3) --resolve is simply "connect to ADDR", while SNI and hostname
     * verification still use the URL's name (endpoint identification HTTPS, as HttpClient sets it).
     */
    static Tls.Outcome fetch(Tls.Call c) {
        Tls.Seen seen = new Tls.Seen();
        SSLContext ctx = Tls.recordingContext(c, seen);
        String host = c.url().getHost().replaceAll("^\\[|]$", "");
        int port = Integer.parseInt(Tls.hostPort(c.url()).replaceAll(".*:", ""));
        seen.mappedTo = c.resolve().get(Tls.hostPort(c.url()));
        long deadline = System.nanoTime() + c.maxTime().toNanos();
        try (Socket plain = new Socket()) {
            InetSocketAddress addr = seen.mappedTo != null ? seen.mappedTo : new InetSocketAddress(host, port);
            if (addr.isUnresolved()) throw new UnknownHostException(host);
            try {
                plain.connect(addr, (int) c.connectTimeout().toMillis());
            } catch (IOException e) {
                seen.connectFailure = e;
                throw e;
            }
            plain.setSoTimeout((int) c.maxTime().toMillis());
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true)) {
                SSLParameters sp = Tls.parameters(ctx);
                sp.setEndpointIdentificationAlgorithm("HTTPS"); // hostname verification: always on (RFC 2818)
                if (!IPAddress.isValid(host)) sp.setServerNames(List.of(new SNIHostName(host)));
                s.setSSLParameters(sp);
                s.startHandshake();
                String hostHeader = c.url().getPort() == -1 ? c.url().getHost() : c.url().getHost() + ":" + port;
                String path = c.url().getRawPath() == null || c.url().getRawPath().isEmpty() ? "/" : c.url().getRawPath();
                if (c.url().getRawQuery() != null) path += "?" + c.url().getRawQuery();
                OutputStream out = s.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: jbang-mtls-client\r\n"
                        + "Accept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                Http r = readResponse(new DeadlineInput(s.getInputStream(), s, deadline));
                return new Tls.Outcome(r.status(), r.body(), Optional.of(s.getSession()), seen,
                        Tls.diagnoseResponse(r.status(), r.body(), c, seen));
            }
        } catch (IOException e) {
            return new Tls.Outcome(-1, "", Optional.empty(), seen, Tls.diagnose(e, c, seen));
        }
    }

    /** An HTTP/1.x answer: status and body (headers are read and dropped, but framing is honoured). */
    record Http(int status, String body) {}

    static final int MAX_BODY = 16 << 20;

    /** Reads the status line, the headers, and the body by Content-Length, chunks, or up to EOF. */
    static Http readResponse(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) throw new EOFException("the server closed the connection without answering");
        var m = java.util.regex.Pattern.compile("HTTP/1\\.[01] (\\d{3}).*").matcher(statusLine);
        if (!m.matches()) throw new IOException("not an HTTP answer: " + statusLine.substring(0, Math.min(60, statusLine.length())));
        long length = -1;
        boolean chunked = false;
        for (String h; (h = line(in)) != null && !h.isEmpty(); ) {
            String lower = h.toLowerCase(Locale.ROOT);
            if (lower.startsWith("content-length:")) length = Long.parseLong(lower.substring(15).trim());
            if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (long n; (n = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0; ) {
                copy(in, body, n);
                line(in);
            }
        } else if (length >= 0) copy(in, body, length);
        else copy(in, body, MAX_BODY); // no framing (HTTP/1.0): the body ends when the server closes
        return new Http(Integer.parseInt(m.group(1)), body.toString(StandardCharsets.UTF_8));
    }

    private static void copy(InputStream in, ByteArrayOutputStream to, long n) throws IOException {
        if (n > MAX_BODY) throw new IOException("the answer is larger than " + MAX_BODY + " bytes");
        byte[] buf = new byte[8192];
        for (long left = n; left > 0; ) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) return;
            to.write(buf, 0, r);
            left -= r;
        }
    }

    /** One header line without its CRLF; null at EOF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) return s.length() == 0 ? null : s.toString();
            if (s.length() > 65536) throw new IOException("an HTTP header line is too long");
            if (b != '\r') s.append((char) b);
        }
        return s.toString();
    }

    /** Bounds the whole answer by --max-time, not only each read (a slow drip would never time out). */
    static final class DeadlineInput extends java.io.FilterInputStream {
        private final Socket socket;
        private final long deadline;

        DeadlineInput(InputStream in, Socket socket, long deadline) {
            super(new java.io.BufferedInputStream(in));
            this.socket = socket;
            this.deadline = deadline;
        }

        private void arm() throws IOException {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) throw new SocketTimeoutException("--max-time reached while reading the answer");
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        }

        @Override public int read() throws IOException { arm(); return super.read(); }
        @Override public int read(byte[] b, int off, int len) throws IOException { arm(); return super.read(b, off, len); }
    }

    /** --cert and --key, or null; like curl, the key may sit in the --cert file. */
    static Tls.Identity identity(Options o) {
        if (o.cert() == null) {
            if (o.key() != null) throw Cli.fail("--key needs --cert (the certificate that goes with the key)");
            return null;
        }
        return Tls.readIdentity(o.cert(), o.key() != null ? o.key() : o.cert(), o.keyPassword());
    }

    /** The -v text, curl style ("* " lines): what each side showed and asked for. */
    static String describeHandshake(Tls.Call call, Tls.Outcome out) {
        Tls.Seen seen = out.seen();
        StringBuilder s = new StringBuilder();
        s.append("* Connecting to ").append(Tls.hostPort(call.url()))
                .append(seen.mappedTo == null ? "" : " at " + seen.mappedTo.getAddress().getHostAddress() + " (--resolve)").append('\n');
        String protocol = out.session().map(x -> x.getProtocol()).orElse(seen.protocol);
        String cipher = out.session().map(x -> x.getCipherSuite()).orElse(seen.cipher);
        if (protocol != null) s.append("* TLS: ").append(protocol).append(", cipher ").append(cipher).append('\n');
        if (seen.serverChain == null) {
            s.append("* The handshake ended before the server sent its certificate.\n");
            return s.toString();
        }
        s.append("* Server certificate chain").append(call.insecure() ? " (NOT checked: --insecure)" : "").append(":\n");
        s.append(Tls.describeChain(seen.serverChain, "*   "));
        if (seen.certRequested)
            s.append("* The server asked for a client certificate; it accepts ones issued by: ")
                    .append(seen.acceptedIssuers.isEmpty() ? "(it listed no CA names)" : String.join("; ", seen.acceptedIssuers)).append('\n');
        else s.append("* The server did not ask for a client certificate.\n");
        X509Certificate[] sent = seen.sent;
        if (sent != null)
            s.append("* We sent: ").append(Tls.subject(sent[0])).append(" (issuer ").append(Tls.issuer(sent[0]))
                    .append(", serial ").append(sent[0].getSerialNumber().toString(16)).append(")\n");
        else s.append("* We sent no client certificate").append(call.identity() == null ? " (no --cert given)" : "").append(".\n");
        if (out.status() >= 0) s.append("< HTTP ").append(out.status()).append('\n');
        return s.toString();
    }
}
