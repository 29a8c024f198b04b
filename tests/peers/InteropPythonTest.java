import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Python HTTPS service that requires client certificates: http.server with
 * ssl, CERT_REQUIRED and VERIFY_X509_STRICT (tests/resources/py_mtls_server.py), on TLS 1.2 and
 * 1.3, with our files, and client.java calling it.
 *
 * The other direction, Python requests calling serve.java --client-auth need (and none, want), is
 * ServeTest#pythonInEachMode.
 */
@Tag("process")
class InteropPythonTest {

    static final String A = Support.A, B = Support.B;

    /** Our CA with service-a (client) and service-b (the Python server), and a stranger from another CA. */
    @TempDir
    static Path dir;

    @BeforeAll
    static void pki() {
        Support.pkiWithStranger(dir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2", "1.3"})
    void strictServerAcceptsOurClientCertificateOnly(String tls) {
        try (TlsPeers.Peer py = TlsPeers.pythonServer(dir, "service-b", tls)) {
            client.Result ours = Support.probe(dir, B, py.port(), "service-a");
            assertEquals(0, ours.exitCode(), ours::explanation);
            assertEquals(200, ours.status());
            assertEquals("Hello from python: protocol=TLSv" + tls + " client=CN=" + A + "\n", ours.body());

            // Refused in the handshake (Python/OpenSSL sends alert certificate_required over TLS 1.3,
            // handshake_failure over TLS 1.2); client.java sees that it was asked and sent nothing.
            client.Result none = Support.probe(dir, B, py.port(), null);
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REQUIRED, none.problem(), none::explanation);
            assertEquals(63, none.exitCode());
            assertEquals(-1, none.status(), "no HTTP answer");
            assertTrue(none.explanation().contains("requires a client certificate (mutual TLS) and we sent none"), none::explanation);
            assertTrue(none.explanation().contains("Fix: pass a certificate and key"), none::explanation);

            // A certificate from another CA: refused (64). The alert (unknown_ca) does not always reach us:
            // Python closes the socket with our last handshake records unread, so the kernel may answer
            // them with a reset first, and the probe then sees "Broken pipe" (seen over TLS 1.2).
            client.Result stranger = Support.probe(dir, B, py.port(), "other/stranger");
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REJECTED, stranger.problem(), stranger::explanation);
            assertEquals(64, stranger.exitCode());
            assertTrue(stranger.explanation().contains("the server refused our client certificate \"CN=stranger.example.com\""),
                    stranger::explanation);

            // The server's side of both refusals, as a Python service would log them.
            awaitLog(py, "refused 127.0.0.1: [SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE] peer did not return a certificate",
                    "refused 127.0.0.1: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate");
        }
    }

    /** Waits until the server's log holds every line given (it writes them from its own threads); at most 10 s. */
    static void awaitLog(TlsPeers.Peer py, String... lines) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            String log = Support.read(py.log());
            if (Arrays.stream(lines).allMatch(log::contains)) return;
            if (System.nanoTime() > end) throw new AssertionError("expected in the server's log " + List.of(lines) + ":\n" + log);
            Support.sleep(50);
        }
    }
}
