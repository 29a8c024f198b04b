import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * openssl against our server and our probe, each cell on TLS 1.2 and on TLS 1.3,
 * pinned on the openssl side (-tls1_2 / -tls1_3) and checked in what both sides report.
 *
 * Cells proven elsewhere, not repeated here:
 * - s_server -Verify 1 -verify_return_error against client.java, both versions, with a certificate (200) and
 *   without one (exit 63): ClientTest#sServerVerifyRequired.
 * - s_client against serve.java in each mode, unpinned: ServeTest#opensslInEachMode. Here the same cells
 *   run pinned to each version, and the negotiated protocol is checked.
 */
@Tag("process")
class InteropOpensslTest {

    static final String A = Support.A, B = Support.B, HELLO_B = Support.HELLO_B;

    /** Our CA with service-a (client) and service-b (server), and a stranger from another CA (EC: quick). */
    @TempDir
    static Path dir;

    static String caName;

    @BeforeAll
    static void pki() {
        Support.pkiWithStranger(dir);
        caName = Names.subject(Pem.certificate(dir.resolve("ca.crt"), "CA certificate"));
    }

    // ---------------------------------------------------------------- s_server -verify 1 against client.java

    /**
     * -verify 1 asks for a client certificate but does not insist: client.java gets 200 without one.
     * A certificate that is sent is still checked, and -verify_return_error makes a bad one fatal.
     */
    @ParameterizedTest
    @EnumSource(TlsPeers.TlsVersion.class)
    void sServerVerifyOptional(TlsPeers.TlsVersion v) {
        try (var s = TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-verify", "1", "-verify_return_error", v.opensslFlag)) {
            client.Result ours = Support.probe(dir, B, s.port(), "service-a");
            assertEquals(0, ours.exitCode(), ours::explanation);
            assertEquals(200, ours.status());
            assertTrue(ours.body().contains("Protocol  : " + v.protocol), ours::body);
            assertTrue(ours.body().contains("Client certificate") && ours.body().contains("Subject: CN=" + A), ours::body);
            assertTrue(ours.handshake().contains("* TLS: " + v.protocol + ", cipher "), ours::handshake);
            assertTrue(ours.handshake().contains("* We sent: CN=" + A), ours::handshake);

            client.Result none = Support.probe(dir, B, s.port(), null);
            assertEquals(0, none.exitCode(), none::explanation);
            assertEquals(200, none.status());
            assertTrue(none.body().contains("Protocol  : " + v.protocol), none::body);
            assertTrue(none.body().contains("no client certificate available"), none::body);
            assertTrue(none.handshake().contains("* The server asked for a client certificate; it accepts ones issued by: " + caName),
                    none::handshake);

            // The negative: optional is not "anything goes". A stranger's certificate is refused (alert unknown_ca).
            client.Result stranger = Support.probe(dir, B, s.port(), "other/stranger");
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REJECTED, stranger.problem(), stranger::explanation);
            assertEquals(64, stranger.exitCode());
            assertTrue(stranger.explanation().contains("does not trust the CA that signed it (alert unknown_ca)"),
                    stranger::explanation);
        }
    }

    // ---------------------------------------------------------------- s_client against serve.java

    /**
     * Each client-auth mode of serve.java, with and without our client certificate, on each version.
     * s_client runs with -brief, which prints "CONNECTION ESTABLISHED" and "Protocol version: ..." only
     * once its side of the handshake has finished. (Without -brief, s_client prints "New, TLSv1.2, Cipher
     * is ..." and "Protocol  : TLSv1.2" even for a TLS 1.2 handshake that failed.)
     *
     * Under need without a certificate no page arrives, and the two versions fail at different moments:
     * over TLS 1.2 the server refuses before its Finished, so the handshake itself fails; over TLS 1.3
     * the client's handshake is complete before the server reads its empty Certificate, so s_client
     * reports an established connection, then the server's alert (TlsPeers.ALERT) ends it.
     */
    @ParameterizedTest
    @EnumSource(TlsServer.ClientAuth.class)
    void sClientAgainstServeJava(TlsServer.ClientAuth mode) {
        try (var b = Service.start(serve.config("service-b", dir, 0, mode).withLog(l -> {}))) {
            for (TlsPeers.TlsVersion v : TlsPeers.TlsVersion.values()) {
                Support.Result with = TlsPeers.sClient(dir, b.port(), B, "service-a", v.opensslFlag, "-brief");
                assertEstablished(with, v);
                assertTrue(with.out().contains(HELLO_B), () -> v + "\n" + with.all());

                Support.Result without = TlsPeers.sClient(dir, b.port(), B, null, v.opensslFlag, "-brief");
                if (mode != TlsServer.ClientAuth.NEED) {
                    assertEstablished(without, v);
                    assertTrue(without.out().contains(HELLO_B), () -> v + "\n" + without.all());
                    continue;
                }
                assertFalse(without.out().contains("Hello"), () -> v + "\n" + without.all());
                assertTrue(TlsPeers.ALERT.matcher(without.err()).find(), () -> v + "\n" + without.all());
                if (v == TlsPeers.TlsVersion.V1_2)
                    assertFalse(without.err().contains("CONNECTION ESTABLISHED"), () -> "the TLS 1.2 handshake fails:\n" + without.all());
                else
                    assertEstablished(without, v);
            }
        }
    }

    /** s_client -brief finished its side of the handshake over version v, and verified serve.java's certificate. */
    static void assertEstablished(Support.Result r, TlsPeers.TlsVersion v) {
        assertTrue(r.err().contains("CONNECTION ESTABLISHED\nProtocol version: " + v.protocol + "\n"), () -> v + "\n" + r.all());
        assertTrue(r.err().contains("Verification: OK"), r::all);
    }
}
