import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Secure defaults: TLS 1.2+ only, no RSA key exchange, no CBC and no finite-field DHE,
 * on both sides (serve.java as a server, client.java and serve.java's peer calls as clients), and
 * hostname verification that only --insecure turns off. Real peers: openssl s_client and s_server.
 */
@Tag("process")
class SecureDefaultsTest {

    static final String B = Support.B, A = Support.A;

    @TempDir
    static Path dir;
    static Service b;

    @BeforeAll
    static void start() {
        Support.pki(dir, List.of("--cn", "Defaults root CA"), List.of(), A, B);
        b = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withLog(l -> {}));
    }

    @AfterAll
    static void stop() {
        if (b != null) b.stop();
    }

    // ---------------------------------------------------------------- what we enable

    @Test
    void onlyTls12And13WithEcdheAeadSuites() throws Exception {
        SSLContext ctx = Tls.context(null, Tls.trustManager(dir.resolve("ca.crt")));
        var sp = Tls.parameters(ctx);
        assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"}, sp.getProtocols());
        List<String> suites = Arrays.asList(sp.getCipherSuites());
        for (String s : suites) {
            assertFalse(s.startsWith("TLS_RSA_"), "RSA key exchange: " + s);
            assertFalse(s.contains("_CBC_"), "CBC: " + s);
            assertFalse(s.startsWith("TLS_DHE_"), "finite-field DHE: " + s);
            assertTrue(s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_") || s.startsWith("TLS_ECDHE_")
                    || s.equals("TLS_EMPTY_RENEGOTIATION_INFO_SCSV"), s);
        }
        for (String must : List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"))
            assertTrue(suites.contains(must), must + " missing from " + suites);
        // The JDK itself would offer the ones we drop: proof the filter does something.
        List<String> jdk = Arrays.asList(ctx.getDefaultSSLParameters().getCipherSuites());
        assertTrue(jdk.contains("TLS_RSA_WITH_AES_128_GCM_SHA256") && jdk.contains("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"), jdk.toString());
    }

    // ---------------------------------------------------------------- serve.java as the server

    /** openssl s_client with a client certificate, forced to TLS 1.2 and one cipher suite. */
    static Support.Result sClient12(String cipher) {
        return TlsPeers.sClient(dir, b.port(), B, "service-a", "-tls1_2", "-cipher", cipher);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "AES128-SHA256",               // RSA key exchange, CBC
            "AES128-GCM-SHA256",           // RSA key exchange, even with GCM
            "ECDHE-RSA-AES128-SHA256",     // ECDHE, but CBC
            "ECDHE-RSA-AES256-SHA",        // ECDHE, CBC with SHA-1
            "DHE-RSA-AES128-GCM-SHA256"})  // finite-field DHE
    void serveRefusesWeakTls12Suites(String cipher) {
        Support.Result r = sClient12(cipher);
        assertNotEquals(0, r.code(), r.all());
        assertFalse(r.out().contains("Hello"), r.all());
        assertTrue(r.out().contains("Cipher is (NONE)"), "no session was made: " + r.out());
        // The JDK's handshake_failure alert reaches openssl.
        assertTrue(TlsPeers.ALERT.matcher(r.err()).find(), r.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305"})
    void serveAcceptsEcdheAeadSuites(String cipher) {
        Support.Result r = sClient12(cipher);
        assertTrue(r.out().contains("Hello from \"service-b\""), r.all());
        assertTrue(r.out().contains("Cipher    : " + cipher), r.out());
        assertTrue(r.out().contains("Protocol  : TLSv1.2"), r.out());
    }

    // ---------------------------------------------------------------- client.java and the peer calls as the client

    @ParameterizedTest
    @ValueSource(strings = {"AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA256"})
    void clientRefusesAServerWithOnlyWeakSuites(String cipher) {
        try (var s = TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-tls1_2", "-cipher", cipher)) {
            Support.Result r = probe(s.port(), dir);
            assertEquals(35, r.code(), r.all());
            assertTrue(r.err().contains("share no protocol version or cipher suite") && r.err().contains("no RSA key exchange, no CBC"), r.err());

            // serve.java's peer routes use the same parameters through the JDK's HttpClient.
            var configA = serve.config("service-a", dir, 0, TlsServer.ClientAuth.NONE)
                    .withPeer(URI.create("https://" + B + ":" + s.port() + "/"), List.of(TlsPeers.resolve(B, s.port())));
            String body = Service.callPeer(configA, null, dir.resolve("ca.crt"), Tls.parseResolve(configA.resolve()));
            assertTrue(body.startsWith("error: no common TLS protocol or cipher"), body);
        }
        try (var ok = TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256")) {
            Support.Result r = probe(ok.port(), dir, "-v");
            assertEquals(0, r.code(), r.all());
            assertTrue(r.err().contains("* TLS: TLSv1.2, cipher TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), r.err());
        }
    }

    // ---------------------------------------------------------------- hostname verification

    @Test
    void peerCallsVerifyTheHostName() {
        // Service A is told to call service-a.example.com, but service B answers there with B's certificate.
        var configA = serve.config("service-a", dir, 0, TlsServer.ClientAuth.NONE)
                .withPeer(URI.create("https://" + A + ":" + b.port() + "/"), List.of(TlsPeers.resolve(A, b.port()))).withLog(l -> {});
        Tls.Identity idA = Tls.readIdentity(dir.resolve("service-a.crt"), dir.resolve("service-a.key"), null);
        String body = Service.callPeer(configA, idA, dir.resolve("ca.crt"), Tls.parseResolve(configA.resolve()));
        assertTrue(body.startsWith("error: host name not in the server certificate"), body);
        assertTrue(body.contains("not valid for the name \"" + A + "\"") && body.contains("DNS:" + B), body);
        // The right name works, so it was the name that failed, not the trust.
        var right = configA.withPeer(URI.create("https://" + B + ":" + b.port() + "/"), List.of(TlsPeers.resolve(B, b.port())));
        assertEquals("Hello from \"service-b\"", Service.callPeer(right, idA, dir.resolve("ca.crt"), Tls.parseResolve(right.resolve())));
    }

    @Test
    void clientVerifiesTheHostNameUnlessInsecure() {
        String[] cert = {"--cert", dir.resolve("service-a.crt").toString(), "--key", dir.resolve("service-a.key").toString()};
        // An IP address in the URL must itself be in the SAN: trusting the CA is not enough.
        List<String> args = new ArrayList<>(List.of("--cacert", dir.resolve("ca.crt").toString()));
        args.addAll(List.of(cert));
        args.add("https://127.0.0.1:" + b.port() + "/");
        Support.Result byIp = Support.cli(new client(), args.toArray(String[]::new));
        assertEquals(61, byIp.code(), byIp.all());
        assertTrue(byIp.err().contains("not valid for the name \"127.0.0.1\""), byIp.err());
        assertFalse(byIp.err().contains("Warning: --insecure"), byIp.err());

        args.add(0, "--insecure");
        Support.Result insecure = Support.cli(new client(), args.toArray(String[]::new));
        assertEquals(0, insecure.code(), insecure.all());
        assertTrue(insecure.err().startsWith("Warning: --insecure: the server's certificate and host name are NOT checked"), insecure.err());
    }

    /** client.java in-process against a local peer on port, trusting dir/ca.crt, with --resolve for B. */
    static Support.Result probe(int port, Path dir, String... extra) {
        List<String> a = new ArrayList<>(List.of("--cacert", dir.resolve("ca.crt").toString(), "--resolve", TlsPeers.resolve(B, port)));
        a.addAll(List.of(extra));
        a.add("https://" + B + ":" + port + "/");
        return Support.cli(new client(), a.toArray(String[]::new));
    }
}
