import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * serve.java with outside clients (curl, openssl s_client, Python requests) in each client-auth
 * mode, its peer routes, its log, hot reload and shutdown. The tutorial's outcomes (section 4.3):
 * B without a client certificate fails at the TLS layer; B with one answers Hello from "service-b".
 */
@Tag("process")
class ServeTest {

    static final String B = Support.B, A = Support.A, HELLO_B = Support.HELLO_B;

    @TempDir
    static Path dir;

    @BeforeAll
    static void pki() {
        Support.pki(dir, List.of("--cn", "ServeTest root CA"), List.of(), A, B);
    }

    /** Service B on a free port (port 0) with the mode given; its log lines land in the list. */
    static Service startB(TlsServer.ClientAuth mode, List<String> log) {
        return Service.start(serve.config("service-b", dir, 0, mode).withLog(log::add));
    }

    // ---------------------------------------------------------------- curl

    @ParameterizedTest
    @EnumSource(TlsServer.ClientAuth.class)
    void curlInEachMode(TlsServer.ClientAuth mode) {
        List<String> log = new CopyOnWriteArrayList<>();
        try (var b = startB(mode, log)) {
            Support.Result with = TlsPeers.curl(dir, "ca.crt", B, b.port(), "/", "--cert", "service-a.crt", "--key", "service-a.key");
            assertEquals(0, with.code(), with.all());
            assertEquals(HELLO_B, with.out());

            Support.Result without = TlsPeers.curl(dir, "ca.crt", B, b.port(), "/");
            if (mode == TlsServer.ClientAuth.NEED) {
                // The tutorial's 4.3 failure, exit 56 as there, with the server's alert named.
                assertEquals(56, without.code(), without.all());
                assertFalse(without.out().contains("Hello"), without.all());
                assertTrue(TlsPeers.ALERT.matcher(without.err()).find(), without.err());
            } else {
                assertEquals(0, without.code(), without.all());
                assertEquals(HELLO_B, without.out());
            }

            Support.Result who = TlsPeers.curl(dir, "ca.crt", B, b.port(), "/whoami", "--cert", "service-a.crt", "--key", "service-a.key");
            assertEquals(0, who.code(), who.all());
            if (mode == TlsServer.ClientAuth.NONE)
                assertTrue(who.out().startsWith("No client certificate was sent"), "none asks for nothing: " + who.out());
            else
                assertTrue(who.out().contains("subject: CN=" + A) && who.out().contains("issuer:  CN=ServeTest root CA"), who.out());
            if (mode == TlsServer.ClientAuth.WANT) {
                Support.Result anonymous = TlsPeers.curl(dir, "ca.crt", B, b.port(), "/whoami");
                assertTrue(anonymous.out().startsWith("No client certificate was sent (this service's client auth is want)"), anonymous.out());
            }
        }
    }

    @Test
    void needWithoutCertificateFailsOverTls12Too() {
        try (var b = startB(TlsServer.ClientAuth.NEED, new ArrayList<>())) {
            Support.Result r = TlsPeers.curl(dir, "ca.crt", B, b.port(), "/", "--tlsv1.2", "--tls-max", "1.2");
            assertEquals(35, r.code(), "TLS 1.2: the handshake itself fails (curl's SSL connect error): " + r.all());
            assertTrue(TlsPeers.ALERT.matcher(r.err()).find(), "with the server's alert: " + r.err());
            assertEquals(HELLO_B, TlsPeers.curl(dir, "ca.crt", B, b.port(), "/", "--tlsv1.2", "--tls-max", "1.2",
                    "--cert", "service-a.crt", "--key", "service-a.key").expectOk().out());
        }
    }

    // ---------------------------------------------------------------- openssl s_client

    @ParameterizedTest
    @EnumSource(TlsServer.ClientAuth.class)
    void opensslInEachMode(TlsServer.ClientAuth mode) {
        try (var b = startB(mode, new ArrayList<>())) {
            Support.Result with = TlsPeers.sClient(dir, b.port(), B, "service-a");
            assertTrue(with.out().contains(HELLO_B), with.all());
            assertTrue(with.out().contains("Verify return code: 0 (ok)"), with.out());
            Support.Result without = TlsPeers.sClient(dir, b.port(), B, null);
            if (mode == TlsServer.ClientAuth.NEED) {
                assertFalse(without.out().contains("Hello"), without.all());
                assertTrue(TlsPeers.ALERT.matcher(without.err()).find(), without.err());
            } else {
                assertTrue(without.out().contains(HELLO_B), without.all());
            }
        }
    }

    @Test
    void refusesTls11() {
        try (var b = startB(TlsServer.ClientAuth.NONE, new ArrayList<>())) {
            Support.Result r = TlsPeers.sClient(dir, b.port(), B, null, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0");
            assertNotEquals(0, r.code(), r.all());
            assertFalse(r.out().contains("Hello"), r.all());
            assertTrue(r.out().contains("New, (NONE), Cipher is (NONE)"), "no session was made: " + r.out());
            assertTrue(TlsPeers.ALERT.matcher(r.err()).find(), r.err());
        }
    }

    // ---------------------------------------------------------------- Python requests

    static Support.Result python(int port, boolean withCert, String path) {
        Support.requireTool("python3", "python3");
        List<String> cmd = new ArrayList<>(List.of("python3", Support.ROOT.resolve("tests/resources/py_get.py").toString(),
                "--cacert", dir.resolve("ca.crt").toString(), "--resolve", TlsPeers.resolve(B, port)));
        if (withCert) cmd.addAll(List.of("--cert", dir.resolve("service-a.crt").toString(), "--key", dir.resolve("service-a.key").toString()));
        cmd.add("https://" + B + ":" + port + path);
        return Support.exec(dir, Map.of(), Support.WAIT, cmd);
    }

    @ParameterizedTest
    @EnumSource(TlsServer.ClientAuth.class)
    void pythonInEachMode(TlsServer.ClientAuth mode) {
        try (var b = startB(mode, new ArrayList<>())) {
            Support.Result with = python(b.port(), true, "/");
            assertEquals(0, with.code(), with.all());
            assertTrue(with.out().startsWith("STATUS 200\n" + HELLO_B), with.out());
            // This cell is about requests: py_get.py falls back to urllib only on a developer's machine.
            if ("true".equals(System.getenv("CI")))
                assertTrue(with.err().contains("client: requests "), "python3 has no requests module: " + with.err());
            Support.Result without = python(b.port(), false, "/");
            if (mode == TlsServer.ClientAuth.NEED) {
                // 3: ssl.SSLError (alert certificate required); 4: the connection reset or closed by the server
                assertTrue(without.code() == 3 || without.code() == 4, "must fail at the TLS layer: " + without.all());
                assertFalse(without.out().contains("Hello"), without.all());
            } else {
                assertEquals(0, without.code(), without.all());
                assertTrue(without.out().startsWith("STATUS 200\n" + HELLO_B), without.out());
            }
        }
    }

    // ---------------------------------------------------------------- the tutorial's peer routes

    @Test
    void peerRoutesAnswerLikeTheTutorial() {
        try (var b = startB(TlsServer.ClientAuth.NEED, new ArrayList<>())) {
            URI peer = URI.create("https://" + B + ":" + b.port() + "/");
            var configA = serve.config("service-a", dir, 0, TlsServer.ClientAuth.NONE)
                    .withPeer(peer, List.of(TlsPeers.resolve(B, b.port()))).withLog(l -> {});
            try (var a = Service.start(configA)) {
                Support.Result w = curlA(a.port(), "/w-mtls");
                assertEquals(HELLO_B + "\n200", w.out(), w.all());
                Support.Result woCert = curlA(a.port(), "/wo-cert-mtls");
                assertTrue(woCert.out().startsWith("error: ") && woCert.out().endsWith("\n200"), "HTTP 200, as the tutorial: " + woCert.out());
                assertTrue(woCert.out().contains("requires a client certificate (mutual TLS) and we sent none"), woCert.out());
                Support.Result woCa = curlA(a.port(), "/wo-ca-mtls");
                assertTrue(woCa.out().startsWith("error: ") && woCa.out().endsWith("\n200"), woCa.out());
                assertTrue(woCa.out().contains("because no CA we trust signed it")
                        && woCa.out().contains("issued by \"CN=ServeTest root CA\""), woCa.out());
            }
        }
    }

    /** curl to service A, which calls B: the body, then a line with the HTTP status; 30 s for both hops. */
    static Support.Result curlA(int port, String path) {
        return TlsPeers.curl(dir, List.of("-sS", "--max-time", "30", "-w", "\\n%{http_code}",
                "--cacert", dir.resolve("ca.crt").toString(), "--resolve", TlsPeers.resolve(A, port), "https://" + A + ":" + port + path));
    }

    // ---------------------------------------------------------------- log, binding, start and stop

    @Test
    void logsOneLinePerRequestAndBindsToLoopback() {
        List<String> log = new CopyOnWriteArrayList<>();
        try (var b = startB(TlsServer.ClientAuth.WANT, log)) {
            assertTrue(b.address().getAddress().isLoopbackAddress(), "binds 127.0.0.1 by default: " + b.address());
            TlsPeers.curl(dir, "ca.crt", B, b.port(), "/", "--cert", "service-a.crt", "--key", "service-a.key").expectOk();
            TlsPeers.curl(dir, "ca.crt", B, b.port(), "/nope");
            Support.awaitLog(log, "GET /nope 404");
            List<String> requests = log.stream().filter(l -> l.contains(" GET ")).toList();
            assertEquals(2, requests.size(), String.join("\n", log));
            assertTrue(requests.get(0).matches(".*Z 127\\.0\\.0\\.1:\\d+ TLSv1\\.3 GET / 200 client=\"CN=" + A + "\""), requests.get(0));
            assertTrue(requests.get(1).endsWith(" TLSv1.3 GET /nope 404 client=(no certificate)"), requests.get(1));
        }
    }

    @Test
    void stopFreesThePortAndIsLogged() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        var b = startB(TlsServer.ClientAuth.NEED, log);
        int port = b.port();
        b.stop();
        b.stop(); // twice is harmless
        assertEquals("stopped", log.get(log.size() - 1));
        // A new service starts on the same port at once, as a restart would.
        try (var again = Service.start(serve.config("service-b", dir, port, TlsServer.ClientAuth.NEED).withLog(l -> { }))) {
            assertEquals(port, again.port());
        }
    }

    /** A busy port: the error names a port that is free now, and --port 0; the port it names works. */
    @Test
    void aBusyPortSuggestsAFreeOne() {
        try (Service first = startB(TlsServer.ClientAuth.NEED, new ArrayList<>())) {
            Support.Result busy = Support.cli(new serve(), "--name", "service-b", "--dir", dir.toString(), "--port", "" + first.port());
            assertEquals(1, busy.code(), busy::all);
            var m = java.util.regex.Pattern.compile("use --port (\\d+), free now, or --port 0 for any free port").matcher(busy.err());
            assertTrue(m.find(), busy::err);
            try (Service second = Service.start(serve.config("service-b", dir, Integer.parseInt(m.group(1)), TlsServer.ClientAuth.NEED)
                    .withLog(l -> {}))) {
                assertEquals(Integer.parseInt(m.group(1)), second.port());
            }
        }
    }

    @Test
    void refusesAKeyThatIsNotTheCertificatesAtStart() {
        var mixed = serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED)
                .withCert(dir.resolve("service-b.crt"), dir.resolve("service-a.key")).withLog(l -> {});
        Failure f = assertThrows(Failure.class, () -> Service.start(mixed));
        assertTrue(f.getMessage().contains("does not belong to the certificate"), f.getMessage());
    }

    /** The command line as users run it: SIGTERM (like Ctrl-C's SIGINT) runs the hook and logs "stopped". */
    @Test
    void commandLineStopsCleanlyOnSignal() throws Exception {
        int port = Support.freePort();
        Path log = dir.resolve("serve-cli.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = Support.start(dir, log, List.of(java, "-cp", System.getProperty("java.class.path"), "serve",
                "--name", "service-b", "--dir", dir.toString(), "--port", String.valueOf(port), "--client-auth", "need"));
        try {
            Support.awaitPort(port, Duration.ofSeconds(30), p, log);
            assertEquals(HELLO_B, TlsPeers.curl(dir, "ca.crt", B, port, "/", "--cert", "service-a.crt", "--key", "service-a.key")
                    .expectOk().out());
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "serve.java did not stop on SIGTERM");
            String out = Support.read(log);
            assertTrue(out.contains("Serving \"service-b\" on https://127.0.0.1:" + port + "/ (client auth: need"), out);
            assertTrue(out.strip().endsWith("stopped"), out);
            assertFalse(out.contains("Ctrl-C"), "started with its output in a file, not at a terminal, it offers no Ctrl-C: " + out);
        } finally {
            Support.stop(p);
        }
    }

    // ---------------------------------------------------------------- hot reload

    @Test
    void hotReloadServesAReissuedCertificateAndRefusesABrokenOne(@TempDir Path own) throws Exception {
        Support.pki(own, List.of("--cn", "Reload root CA"), List.of(), B);
        List<String> log = new CopyOnWriteArrayList<>();
        try (var b = Service.start(serve.config("service-b", own, 0, TlsServer.ClientAuth.NONE).withLog(log::add))) {
            BigInteger before = Support.servedSerial(b.port(), B, own);
            assertEquals(Pem.certificate(own.resolve("service-b.crt"), "c").getSerialNumber(), before);

            Support.issueInto(own, "--force", B).expectOk();
            BigInteger reissued = Pem.certificate(own.resolve("service-b.crt"), "c").getSerialNumber();
            assertNotEquals(before, reissued);
            Support.awaitLog(log, "reloaded ");
            assertEquals(reissued, Support.servedSerial(b.port(), B, own), "a new connection sees the new serial");

            Files.writeString(own.resolve("service-b.crt"), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
            Support.awaitLog(log, "error: refused the new certificate files");
            assertEquals(reissued, Support.servedSerial(b.port(), B, own), "the old pair keeps serving");
            assertTrue(log.stream().anyMatch(l -> l.contains("still serving serial " + reissued.toString(16))), String.join("\n", log));
        }
    }

    /**
     * An encrypted key: its password is asked once, at start. A reload of a new pair encrypted with
     * the same password uses the one kept, without asking (or reading the password's source) again.
     */
    @Test
    void hotReloadOfAnEncryptedKeyNeverAsksAgain(@TempDir Path own) throws Exception {
        Support.pki(own, List.of("--cn", "Reload root CA"), List.of("--key-password", "pass:s3cret"), B);
        List<String> log = new CopyOnWriteArrayList<>();
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        var config = serve.config("service-b", own, 0, TlsServer.ClientAuth.NONE).withLog(log::add)
                .withKeyPassword(() -> { asked.incrementAndGet(); return "s3cret".toCharArray(); });
        try (var b = Service.start(config)) {
            assertEquals(1, asked.get(), "asked once at start");
            Support.issueInto(own, "--force", "--key-password", "pass:s3cret", B).expectOk();
            BigInteger reissued = Pem.certificate(own.resolve("service-b.crt"), "c").getSerialNumber();
            Support.awaitLog(log, "reloaded ");
            assertEquals(reissued, Support.servedSerial(b.port(), B, own), "a new connection sees the new serial");
            assertEquals(1, asked.get(), "a reload does not ask again");
        }
    }
}
