import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * client.java against real servers (openssl s_server with -verify and -Verify, nginx, serve.java):
 * each failure class is produced for real, and the test checks the exit code and the cause text.
 */
class ClientTest {

    static final String B = "service-b.example.com", A = "service-a.example.com";

    @TempDir
    static Path dir;
    @TempDir
    static Path other;

    final List<AutoCloseable> running = new ArrayList<>();

    @BeforeAll
    static void pki() throws Exception {
        Support.pki(dir, List.of("--cn", "ClientTest root CA"), List.of(), A, B);
        Support.pki(other, List.of("--cn", "Other root CA"), List.of(), "stranger.example.com");
        Support.issueInto(dir, "--server-only", "--name", "server-only", "service-c.example.com").expectOk();
        Instant longAgo = Instant.now().minus(400, ChronoUnit.DAYS), lastMonth = Instant.now().minus(30, ChronoUnit.DAYS);
        Support.certificate(dir, "expired-client", A, Certs.Usage.CLIENT, longAgo, lastMonth);
        Support.certificate(dir, "expired-server", B, Certs.Usage.SERVER, longAgo, lastMonth);
        Instant soon = Instant.now().plus(30, ChronoUnit.DAYS);
        Support.certificate(dir, "future-server", B, Certs.Usage.SERVER, soon, soon.plus(365, ChronoUnit.DAYS));
    }

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : running) c.close();
    }

    <T extends AutoCloseable> T keep(T peer) {
        running.add(peer);
        return peer;
    }

    /** client.java in-process: --cacert ca.crt --resolve B:port:127.0.0.1 ARGS https://B:port/PATH */
    static Support.Result probe(int port, String path, String... args) {
        List<String> a = new ArrayList<>(List.of("--cacert", dir.resolve("ca.crt").toString(), "--resolve", TlsPeers.resolve(B, port)));
        a.addAll(List.of(args));
        a.add("https://" + B + ":" + port + path);
        return Support.cli(new client(), a.toArray(String[]::new));
    }

    static String[] cert(Path folder, String name) {
        return new String[] {"--cert", folder.resolve(name + ".crt").toString(), "--key", folder.resolve(name + ".key").toString()};
    }

    static void assertFailure(Support.Result r, int code, String... causes) {
        assertEquals(code, r.code(), "exit code; output:\n" + r.all());
        for (String c : causes) assertTrue(r.err().contains(c), "expected '" + c + "' in:\n" + r.err());
        assertTrue(r.err().startsWith("error: (" + code + ") "), r.err());
        assertEquals(1, r.err().strip().lines().count(), "one paragraph: " + r.err());
    }

    // ---------------------------------------------------------------- against openssl s_server

    @Tag("process")
    @ParameterizedTest
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void sServerVerifyRequired(String version) {
        var s = keep(TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-Verify", "1", "-verify_return_error", version));
        Support.Result ok = probe(s.port(), "/", cert(dir, "service-a"));
        assertEquals(0, ok.code(), ok.all());
        assertTrue(ok.out().contains("s_server"), "s_server -www's status page: " + ok.out());
        // TLS 1.3: alert certificate_required; TLS 1.2: handshake_failure after the CertificateRequest
        assertFailure(probe(s.port(), "/"), 63, "the server refused the connection because it requires a client certificate",
                "It accepts certificates issued by: CN=ClientTest root CA", "Fix: pass a certificate and key");
    }

    @Tag("process")
    @Test
    void sServerVerifyOptionalAcceptsNoCertificate() {
        var s = keep(TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-verify", "1"));
        Support.Result r = probe(s.port(), "/", "-v");
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("no client certificate available"), r.out());
        assertTrue(r.err().contains("* The server asked for a client certificate"), r.err());
        assertTrue(r.err().contains("* We sent no client certificate (no --cert given)."), r.err());
    }

    @Tag("process")
    @ParameterizedTest
    @ValueSource(strings = {"-tls1_3", "-tls1_2"})
    void clientCertificateFromAnUnknownCa(String version) {
        var s = keep(TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-Verify", "1", "-verify_return_error", version));
        assertFailure(probe(s.port(), "/", cert(other, "stranger")), 64,
                "the server refused our client certificate \"CN=stranger.example.com\"",
                "does not trust the CA that signed it (alert unknown_ca)",
                "it was issued by \"CN=Other root CA\" but the server accepts only: CN=ClientTest root CA");
    }

    @Tag("process")
    @Test
    void expiredClientCertificate() {
        var s = keep(TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-Verify", "1", "-verify_return_error"));
        assertFailure(probe(s.port(), "/", cert(dir, "expired-client")), 64,
                "alert certificate_expired", "our certificate \"CN=service-a.example.com\" expired on", "renew it: ./jbang issue.java renew ");
    }

    @Tag("process")
    @Test
    void clientCertificateForTheWrongPurpose() {
        var s = keep(TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-Verify", "1", "-verify_return_error"));
        assertFailure(probe(s.port(), "/", cert(dir, "server-only")), 64,
                "lacks the clientAuth purpose (alert unsupported_certificate)", "without --server-only");
    }

    @Tag("process")
    @Test
    void expiredServerCertificate() {
        var s = keep(TlsPeers.sServer(dir, "expired-server.crt", "expired-server.key"));
        assertFailure(probe(s.port(), "/"), 62, "our side (the client) refused the server's certificate",
                "\"CN=service-b.example.com\" expired on");
    }

    @Tag("process")
    @Test
    void notYetValidServerCertificate() {
        var s = keep(TlsPeers.sServer(dir, "future-server.crt", "future-server.key"));
        assertFailure(probe(s.port(), "/"), 62, "is not valid before");
    }

    @Tag("process")
    @ParameterizedTest
    @ValueSource(strings = {"-tls1_1 -cipher DEFAULT@SECLEVEL=0", "-tls1_2 -cipher ARIA128-GCM-SHA256"})
    void noCommonProtocolOrCipher(String flags) {
        var s = keep(TlsPeers.sServer(dir, "service-b.crt", "service-b.key", flags.split(" ")));
        assertFailure(probe(s.port(), "/"), 35, "share no protocol version or cipher suite");
    }

    @Tag("process")
    @Test
    void verboseShowsTheHandshake() {
        var s = keep(TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-Verify", "1", "-verify_return_error"));
        Support.Result r = probe(s.port(), "/", "-v", "--cert", dir.resolve("service-a.crt").toString(),
                "--key", dir.resolve("service-a.key").toString());
        assertEquals(0, r.code(), r.all());
        for (String line : List.of("* Connecting to " + B + ":" + s.port() + " at 127.0.0.1 (--resolve)",
                "* TLS: TLSv1.3, cipher TLS_", "* Server certificate chain:", "0 subject: CN=" + B,
                "issuer:  CN=ClientTest root CA", "SANs:    DNS:" + B, "valid:   ",
                "* The server asked for a client certificate; it accepts ones issued by: CN=ClientTest root CA",
                "* We sent: CN=" + A + " (issuer CN=ClientTest root CA", "< HTTP 200"))
            assertTrue(r.err().contains(line), "expected '" + line + "' in:\n" + r.err());
    }

    // ---------------------------------------------------------------- against nginx

    @Tag("process")
    @Test
    void nginxAnswers400WithoutACertificate() throws Exception {
        var n = keep(TlsPeers.startNginx(dir, "service-b", TlsPeers.VerifyClient.ON));
        assertTrue(probe(n.port(), "/", cert(dir, "service-a")).expectOk().out().startsWith("Hello from nginx"));
        Support.Result r = probe(n.port(), "/");
        assertFailure(r, 63, "requires a client certificate", "No required SSL certificate was sent");
        assertTrue(r.out().contains("400 No required SSL certificate was sent"), "the page is printed too: " + r.out());
        assertFailure(probe(n.port(), "/", cert(other, "stranger")), 64, "The SSL certificate error");
    }

    // ---------------------------------------------------------------- against serve.java

    @Test
    void againstServeJava() {
        try (var b = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withLog(l -> {}))) {
            int port = b.port();
            assertEquals("Hello from \"service-b\"", probe(port, "/", cert(dir, "service-a")).expectOk().out());
            // The JDK server over TLS 1.3: an alert or a closed connection; the recorded CertificateRequest tells.
            assertFailure(probe(port, "/"), 63, "requires a client certificate (mutual TLS) and we sent none");
            assertFailure(probe(port, "/", cert(other, "stranger")), 64, "the server refused our client certificate");
            assertFailure(probe(port, "/nope", cert(dir, "service-a")), 22, "answered HTTP 404");

            // Our side refuses: no --cacert (JDK public CAs only), or the wrong one.
            Support.Result untrusted = Support.cli(new client(), "--resolve", TlsPeers.resolve(B, port), "https://" + B + ":" + port + "/");
            assertFailure(untrusted, 60, "our side (the client) refused the server's certificate",
                    "issued by \"CN=ClientTest root CA\"", "no --cacert was given", "--cacert");
            Support.Result wrongCa = Support.cli(new client(), "--cacert", other.resolve("ca.crt").toString(),
                    "--resolve", TlsPeers.resolve(B, port), "https://" + B + ":" + port + "/");
            assertFailure(wrongCa, 60, "does not hold that CA");

            Support.Result wrongName = Support.cli(new client(), "--cacert", dir.resolve("ca.crt").toString(),
                    "--resolve", TlsPeers.resolve(A, port), "https://" + A + ":" + port + "/");
            assertFailure(wrongName, 61, "not valid for the name \"" + A + "\"", "The certificate's names (SAN) are: DNS:" + B);

            Support.Result insecure = Support.cli(new client(), "--insecure", cert(dir, "service-a")[0], cert(dir, "service-a")[1],
                    cert(dir, "service-a")[2], cert(dir, "service-a")[3], "https://127.0.0.1:" + port + "/");
            assertEquals(0, insecure.code(), insecure.all());
            assertEquals("Hello from \"service-b\"", insecure.out());
            assertTrue(insecure.err().startsWith("Warning: --insecure"), insecure.err());
        }
    }

    @Test
    void staticProbeForTutorialJava() {
        try (var b = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withLog(l -> {}))) {
            var o = client.Options.of("https://" + B + ":" + b.port() + "/").withCacert(dir.resolve("ca.crt"))
                    .withResolve(TlsPeers.resolve(B, b.port()));
            client.Result ok = client.probe(o.withCert(dir.resolve("service-a.crt"), dir.resolve("service-a.key")));
            assertEquals(0, ok.exitCode());
            assertEquals("Hello from \"service-b\"", ok.body());
            client.Result no = client.probe(o);
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REQUIRED, no.problem());
            assertEquals(63, no.exitCode());
            assertTrue(no.explanation().contains("we sent none"), no.explanation());
        }
    }

    // ---------------------------------------------------------------- local and network failures

    @Test
    void keyThatDoesNotMatchIsCaughtBeforeConnecting() {
        int nothing = Support.freePort();
        Support.Result r = probe(nothing, "/", "--cert", dir.resolve("service-a.crt").toString(), "--key", dir.resolve("service-b.key").toString());
        assertFailure(r, 58, "Checked before connecting", "does not belong to the certificate");
    }

    @Test
    void connectionRefused() {
        assertFailure(probe(Support.freePort(), "/"), 7, "the connection was refused, so nothing listens there");
    }

    @Test
    void timeoutWhenTheServerSaysNothing() throws Exception {
        // A server that accepts the TCP connection and never answers the ClientHello.
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread t = Tls.daemon("silent", () -> {
                try {
                    while (true) held.add(silent.accept());
                } catch (Exception e) {
                    // closed
                }
            });
            t.start();
            long start = System.nanoTime();
            assertFailure(probe(silent.getLocalPort(), "/", "--max-time", "2"), 28, "timed out");
            assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 15, "bounded by --max-time");
            for (Socket s : held) s.close();
        }
    }

    @Test
    void badFlagsAreOneLineErrors() {
        Support.Result r = Support.cli(new client(), "--resolve", "nonsense", "https://x.example.com/");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("is not HOST:PORT:ADDR"), r.err());
        Support.Result http = Support.cli(new client(), "http://x.example.com/");
        assertEquals(1, http.code());
        assertTrue(http.err().contains("is not an https:// URL"), http.err());
    }
}
