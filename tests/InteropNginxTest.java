import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * nginx, the server users most often put our files into. nginx is started by
 * the test on a free 127.0.0.1 port and configured only with our files: service-b.crt/.key as its
 * certificate and ca.crt as the CA it checks client certificates against. curl is the client.
 * {@link #startNginx} is reusable; client.java (our probe) drives the same server in the cells below,
 * with nginx's ssl_protocols pinning the TLS version, as client.java has no version flag.
 */
class InteropNginxTest {

    static final String A = ProfileVerifiersTest.A, B = ProfileVerifiersTest.B;

    /** Our CA with service-a (the client) and service-b (nginx), plus a stranger from another CA. */
    @TempDir
    static Path dir;

    @BeforeAll
    static void pki() {
        Support.pki(dir, List.of(), List.of(), A, B);
        // A second, unrelated CA: its client certificate must be refused. EC keys keep it quick.
        Support.pki(dir.resolve("other"), List.of("--key-type", "ec", "--cn", "Stranger CA"),
                List.of("--key-type", "ec"), "stranger.example.com");
    }

    // ------------------------------------------------------------------ ssl_verify_client on

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void verifyOnAcceptsOurClientCertificate(TlsVersion tls) throws IOException {
        requireTools();
        try (Nginx nginx = startNginx(dir, "service-b", VerifyClient.ON)) {
            Support.Result r = curl(nginx, tls, "--cert", "service-a.crt", "--key", "service-a.key").expectOk();
            assertTrue(r.out().contains("http_code=200"), r::all);
            assertTrue(r.out().contains("Hello from nginx: protocol=" + tls.nginxName + " verify=SUCCESS client=CN=" + A),
                    r::all);
        }
    }

    /** nginx does not end the handshake: it answers HTTP 400 with its own page (a probe must read it). */
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void verifyOnWithoutCertificateGets400(TlsVersion tls) throws IOException {
        requireTools();
        try (Nginx nginx = startNginx(dir, "service-b", VerifyClient.ON)) {
            Support.Result r = curl(nginx, tls).expectOk();
            assertTrue(r.out().contains("http_code=400"), r::all);
            assertTrue(r.out().contains("<title>400 No required SSL certificate was sent</title>"), r::all);
            assertTrue(Support.read(nginx.log()).contains("client sent no required SSL certificate"),
                    () -> Support.read(nginx.log()));
        }
    }

    @Test
    void verifyOnRefusesCertificateFromAnotherCa() throws IOException {
        requireTools();
        try (Nginx nginx = startNginx(dir, "service-b", VerifyClient.ON)) {
            Support.Result r = curl(nginx, TlsVersion.V1_3, "--cert", "other/stranger.crt", "--key", "other/stranger.key")
                    .expectOk();
            assertTrue(r.out().contains("http_code=400") && r.out().contains("400 The SSL certificate error"), r::all);
            // OpenSSL's error 21 (X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE): no known CA signed it.
            // nginx logs the reason at level info only; the client sees just the 400 page.
            assertTrue(Support.read(nginx.log()).contains(
                    "client SSL certificate verify error: (21:unable to verify the first certificate)"),
                    () -> Support.read(nginx.log()));
        }
    }

    /** The other direction: curl checks nginx's certificate, and fails without our CA. */
    @Test
    void curlTrustsNginxOnlyThroughOurCa() throws IOException {
        requireTools();
        try (Nginx nginx = startNginx(dir, "service-b", VerifyClient.OFF)) {
            Support.Result ok = curl(nginx, TlsVersion.V1_3).expectOk();
            assertTrue(ok.out().contains("http_code=200") && ok.out().contains("verify=NONE"), ok::all);
            // The same call trusting only the system's CAs: exit 60, "unable to get local issuer certificate".
            Support.Result r = Support.exec(dir, "curl", "-sS", "--max-time", "20", "--resolve",
                    B + ":" + nginx.port() + ":127.0.0.1", nginx.url(B));
            assertEquals(60, r.code(), r::all);
            assertTrue(r.err().contains("unable to get local issuer certificate"), r::all);
        }
    }

    // ------------------------------------------------------------------ ssl_verify_client optional

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void verifyOptionalServesWithAndWithoutCertificate(TlsVersion tls) throws IOException {
        requireTools();
        try (Nginx nginx = startNginx(dir, "service-b", VerifyClient.OPTIONAL)) {
            Support.Result none = curl(nginx, tls).expectOk();
            assertTrue(none.out().contains("http_code=200"), none::all);
            assertTrue(none.out().contains("protocol=" + tls.nginxName + " verify=NONE client=\n"), none::all);

            Support.Result ours = curl(nginx, tls, "--cert", "service-a.crt", "--key", "service-a.key").expectOk();
            assertTrue(ours.out().contains("http_code=200"), ours::all);
            assertTrue(ours.out().contains("verify=SUCCESS client=CN=" + A), ours::all);

            // optional still checks a certificate that is sent: a stranger's gets 400, not NONE.
            Support.Result stranger = curl(nginx, tls, "--cert", "other/stranger.crt", "--key", "other/stranger.key")
                    .expectOk();
            assertTrue(stranger.out().contains("http_code=400"), stranger::all);
        }
    }

    // ------------------------------------------------------------------ client.java against nginx

    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void probeWithOurCertificateGets200(TlsVersion tls) throws IOException {
        requireTools();
        try (Nginx nginx = startNginx(dir, "service-b", VerifyClient.ON, tls)) {
            client.Result r = probe(nginx, "service-a");
            assertEquals(0, r.exitCode(), r::explanation);
            assertEquals(200, r.status());
            assertEquals("Hello from nginx: protocol=" + tls.nginxName + " verify=SUCCESS client=CN=" + A + "\n", r.body());
            assertTrue(r.handshake().contains("* TLS: " + tls.nginxName + ", cipher "), r::handshake);
        }
    }

    /**
     * nginx finishes the handshake and answers HTTP 400 with its own page; client.java must still say
     * "client certificate required" (exit 63), not "HTTP error" (22), and tell which certificate to send.
     */
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void probeWithoutCertificateIsToldToSendOne(TlsVersion tls) throws IOException {
        requireTools();
        try (Nginx nginx = startNginx(dir, "service-b", VerifyClient.ON, tls)) {
            client.Result r = probe(nginx, null);
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REQUIRED, r.problem(), r::explanation);
            assertEquals(63, r.exitCode());
            assertEquals(400, r.status());
            assertTrue(r.body().contains("<title>400 No required SSL certificate was sent</title>"), r::body);
            for (String part : List.of("requires a client certificate (mutual TLS) and we sent none",
                    "It accepts certificates issued by: " + caName(), "Likely cause: no --cert and --key were given",
                    "Fix: pass a certificate and key signed by a CA the server trusts",
                    "HTTP 400 \"No required SSL certificate was sent\" (nginx)"))
                assertTrue(r.explanation().contains(part), () -> "expected '" + part + "' in:\n" + r.explanation());
            assertTrue(r.handshake().contains("* TLS: " + tls.nginxName + ", cipher "), r::handshake);
        }
    }

    /** optional: no certificate is fine (200, verify=NONE); a certificate from another CA is still refused (64). */
    @ParameterizedTest
    @EnumSource(TlsVersion.class)
    void probeAgainstVerifyOptional(TlsVersion tls) throws IOException {
        requireTools();
        try (Nginx nginx = startNginx(dir, "service-b", VerifyClient.OPTIONAL, tls)) {
            client.Result none = probe(nginx, null);
            assertEquals(0, none.exitCode(), none::explanation);
            assertEquals("Hello from nginx: protocol=" + tls.nginxName + " verify=NONE client=\n", none.body());
            assertTrue(none.handshake().contains("* We sent no client certificate (no --cert given)."), none::handshake);

            client.Result stranger = probe(nginx, "other/stranger");
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REJECTED, stranger.problem(), stranger::explanation);
            assertEquals(64, stranger.exitCode());
            assertTrue(stranger.explanation().contains("HTTP 400 \"The SSL certificate error\" (nginx)"), stranger::explanation);
        }
    }

    /** client.java in-process to https://service-b.example.com:PORT/, trusting our CA, sending dir/CERT.crt/.key (or none). */
    static client.Result probe(Nginx nginx, String cert) {
        var o = client.Options.of(nginx.url(B)).withCacert(dir.resolve("ca.crt")).withResolve(TlsPeers.resolve(B, nginx.port()));
        return client.probe(cert == null ? o : o.withCert(dir.resolve(cert + ".crt"), dir.resolve(cert + ".key")));
    }

    static String caName() {
        return Names.subject(Pem.certificate(dir.resolve("ca.crt"), "CA certificate"));
    }

    // ------------------------------------------------------------------ nginx, reusable

    /** What nginx asks of clients: the value of its ssl_verify_client directive. */
    enum VerifyClient {
        ON, OPTIONAL, OFF;

        String directive() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A running nginx: its port and its log (nginx's error_log). close() stops it. */
    record Nginx(int port, Process process, Path log) implements AutoCloseable {
        String url(String host) {
            return "https://" + host + ":" + port + "/";
        }

        @Override
        public void close() {
            Support.stop(process);
        }
    }

    /**
     * Starts nginx on a free 127.0.0.1 port with only our files from certDir: SERVER.crt and
     * SERVER.key as its certificate, ca.crt for client certificates, checked as mode says. Every
     * request gets 200 and a line naming the TLS version, $ssl_client_verify and the client's DN.
     * Everything nginx writes (pid, temp files) stays in a new folder under certDir; its error log
     * goes to {@link Nginx#log()}. Waits until it listens, at most 10 s. TLS 1.2 and 1.3 are enabled.
     */
    static Nginx startNginx(Path certDir, String server, VerifyClient mode) throws IOException {
        return startNginx(certDir, server, mode, "TLSv1.2 TLSv1.3");
    }

    /** The same, with only one TLS version enabled (for clients that cannot pin it, such as client.java). */
    static Nginx startNginx(Path certDir, String server, VerifyClient mode, TlsVersion only) throws IOException {
        return startNginx(certDir, server, mode, only.nginxName);
    }

    private static Nginx startNginx(Path certDir, String server, VerifyClient mode, String protocols) throws IOException {
        int port = Support.freePort();
        Path prefix = Files.createTempDirectory(certDir, "nginx-" + port + "-");
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, config(prefix, port, certDir.resolve(server + ".crt"), certDir.resolve(server + ".key"),
                certDir.resolve("ca.crt"), mode, protocols));
        Path log = prefix.resolve("nginx.log");
        // -e: Debian's nginx would open /var/log/nginx/error.log before it reads our config.
        Process p = Support.start(prefix, log, List.of("nginx", "-p", prefix + "/", "-c", conf.toString(),
                "-e", "stderr", "-g", "daemon off;"));
        try {
            Support.awaitPort(port, Duration.ofSeconds(10), p, log);
        } catch (AssertionError e) {
            Support.stop(p);
            throw e;
        }
        return new Nginx(port, p, log);
    }

    /** The whole nginx.conf; the server block is what the README shows users. */
    private static String config(Path prefix, int port, Path cert, Path key, Path ca, VerifyClient mode, String protocols) {
        // As root, nginx runs its workers as "nobody", who cannot enter the test's 0700 temp folder
        // (no file there could be served, no request body buffered); as another user it stays that user.
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        String temp = List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi").stream()
                .map(t -> "    " + t + "_temp_path " + prefix.resolve(t) + ";\n").reduce("", String::concat);
        return user + """
                worker_processes 1;
                pid %s;
                error_log stderr info;
                events { worker_connections 64; }
                http {
                    access_log off;
                %s
                    server {
                        listen 127.0.0.1:%d ssl;
                        # nginx 1.22 leaves TLS 1.3 out unless it is listed (it is default from 1.23.4).
                        ssl_protocols %s;
                        ssl_certificate %s;
                        ssl_certificate_key %s;
                        ssl_client_certificate %s;
                        ssl_verify_client %s;
                        default_type text/plain;
                        location / {
                            return 200 "Hello from nginx: protocol=$ssl_protocol verify=$ssl_client_verify client=$ssl_client_s_dn\\n";
                        }
                    }
                }
                """.formatted(prefix.resolve("nginx.pid"), temp, port, protocols, cert, key, ca, mode.directive());
    }

    // ------------------------------------------------------------------ curl

    /** The TLS versions every cell runs with, as curl selects them and as nginx's $ssl_protocol names them. */
    enum TlsVersion {
        V1_2("TLSv1.2", "--tlsv1.2", "--tls-max", "1.2"),
        V1_3("TLSv1.3", "--tlsv1.3");

        final String nginxName;
        final List<String> curlArgs;

        TlsVersion(String nginxName, String... curlArgs) {
            this.nginxName = nginxName;
            this.curlArgs = List.of(curlArgs);
        }
    }

    /** curl to nginx as https://service-b.example.com:PORT/, trusting only our ca.crt; prints http_code=NNN. */
    static Support.Result curl(Nginx nginx, TlsVersion tls, String... clientCert) {
        List<String> args = new ArrayList<>(tls.curlArgs);
        args.addAll(List.of(clientCert));
        return ProfileVerifiersTest.curl(dir, nginx.port(), B, args.toArray(String[]::new));
    }

    private static void requireTools() {
        Support.requireTool("nginx", "nginx");
        Support.requireTool("curl", "curl");
    }
}
