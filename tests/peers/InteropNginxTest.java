import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * nginx, the server users most often put our files into. nginx is started by
 * the test on a free 127.0.0.1 port and configured only with our files: service-b.crt/.key as its
 * certificate and ca.crt as the CA it checks client certificates against. curl is the client.
 * Both are run by {@link TlsPeers}; client.java (our probe) drives the same server in the cells below,
 * with nginx's ssl_protocols pinning the TLS version, as client.java has no version flag.
 */
@Tag("process")
class InteropNginxTest {

    static final String A = Support.A, B = Support.B;

    /** Our CA with service-a (the client) and service-b (nginx), plus a stranger from another CA. */
    @TempDir
    static Path dir;

    @BeforeAll
    static void pki() {
        // The stranger's CA is unrelated to ours: its client certificate must be refused.
        Support.pkiWithStranger(dir);
    }

    // ------------------------------------------------------------------ ssl_verify_client on

    @ParameterizedTest
    @EnumSource(TlsPeers.TlsVersion.class)
    void verifyOnAcceptsOurClientCertificate(TlsPeers.TlsVersion tls) throws IOException {
        requireTools();
        try (TlsPeers.Nginx nginx = TlsPeers.startNginx(dir, "service-b", TlsPeers.VerifyClient.ON)) {
            Support.Result r = TlsPeers.curl(dir, "ca.crt", B, nginx.port(), "/",
                    tls.curlFlags("-w", TlsPeers.HTTP_CODE,
                            "--cert", "service-a.crt", "--key", "service-a.key")).expectOk();
            assertTrue(r.out().contains("http_code=200"), r::all);
            assertTrue(r.out().contains("Hello from nginx: protocol=" + tls.protocol + " verify=SUCCESS client=CN=" + A),
                    r::all);
        }
    }

    /** nginx does not end the handshake: it answers HTTP 400 with its own page (a probe must read it). */
    @ParameterizedTest
    @EnumSource(TlsPeers.TlsVersion.class)
    void verifyOnWithoutCertificateGets400(TlsPeers.TlsVersion tls) throws IOException {
        requireTools();
        try (TlsPeers.Nginx nginx = TlsPeers.startNginx(dir, "service-b", TlsPeers.VerifyClient.ON)) {
            Support.Result r = TlsPeers.curl(dir, "ca.crt", B, nginx.port(), "/",
                    tls.curlFlags("-w", TlsPeers.HTTP_CODE)).expectOk();
            assertTrue(r.out().contains("http_code=400"), r::all);
            assertTrue(r.out().contains("<title>400 No required SSL certificate was sent</title>"), r::all);
            assertTrue(Support.read(nginx.log()).contains("client sent no required SSL certificate"),
                    () -> Support.read(nginx.log()));
        }
    }

    @Test
    void verifyOnRefusesCertificateFromAnotherCa() throws IOException {
        requireTools();
        try (TlsPeers.Nginx nginx = TlsPeers.startNginx(dir, "service-b", TlsPeers.VerifyClient.ON)) {
            Support.Result r = TlsPeers.curl(dir, "ca.crt", B, nginx.port(), "/",
                    TlsPeers.TlsVersion.V1_3.curlFlags("-w", TlsPeers.HTTP_CODE,
                            "--cert", "other/stranger.crt", "--key", "other/stranger.key"))
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
        try (TlsPeers.Nginx nginx = TlsPeers.startNginx(dir, "service-b", TlsPeers.VerifyClient.OFF)) {
            Support.Result ok = TlsPeers.curl(dir, "ca.crt", B, nginx.port(), "/",
                    TlsPeers.TlsVersion.V1_3.curlFlags("-w", TlsPeers.HTTP_CODE)).expectOk();
            assertTrue(ok.out().contains("http_code=200") && ok.out().contains("verify=NONE"), ok::all);
            // The same call trusting only the system's CAs: exit 60, "unable to get local issuer certificate".
            Support.Result r = TlsPeers.curl(dir, List.of("-sS", "--max-time", "20", "--resolve",
                    TlsPeers.resolve(B, nginx.port()), nginx.url(B)));
            assertEquals(60, r.code(), r::all);
            assertTrue(r.err().contains("unable to get local issuer certificate"), r::all);
        }
    }

    // ------------------------------------------------------------------ ssl_verify_client optional

    @ParameterizedTest
    @EnumSource(TlsPeers.TlsVersion.class)
    void verifyOptionalServesWithAndWithoutCertificate(TlsPeers.TlsVersion tls) throws IOException {
        requireTools();
        try (TlsPeers.Nginx nginx = TlsPeers.startNginx(dir, "service-b", TlsPeers.VerifyClient.OPTIONAL)) {
            Support.Result none = TlsPeers.curl(dir, "ca.crt", B, nginx.port(), "/",
                    tls.curlFlags("-w", TlsPeers.HTTP_CODE)).expectOk();
            assertTrue(none.out().contains("http_code=200"), none::all);
            assertTrue(none.out().contains("protocol=" + tls.protocol + " verify=NONE client=\n"), none::all);

            Support.Result ours = TlsPeers.curl(dir, "ca.crt", B, nginx.port(), "/",
                    tls.curlFlags("-w", TlsPeers.HTTP_CODE,
                            "--cert", "service-a.crt", "--key", "service-a.key")).expectOk();
            assertTrue(ours.out().contains("http_code=200"), ours::all);
            assertTrue(ours.out().contains("verify=SUCCESS client=CN=" + A), ours::all);

            // optional still checks a certificate that is sent: a stranger's gets 400, not NONE.
            Support.Result stranger = TlsPeers.curl(dir, "ca.crt", B, nginx.port(), "/",
                    tls.curlFlags("-w", TlsPeers.HTTP_CODE,
                            "--cert", "other/stranger.crt", "--key", "other/stranger.key"))
                    .expectOk();
            assertTrue(stranger.out().contains("http_code=400"), stranger::all);
        }
    }

    // ------------------------------------------------------------------ client.java against nginx

    @ParameterizedTest
    @EnumSource(TlsPeers.TlsVersion.class)
    void probeWithOurCertificateGets200(TlsPeers.TlsVersion tls) throws IOException {
        requireTools();
        try (TlsPeers.Nginx nginx = TlsPeers.startNginx(dir, "service-b", TlsPeers.VerifyClient.ON, tls)) {
            client.Result r = Support.probe(dir, B, nginx.port(), "service-a");
            assertEquals(0, r.exitCode(), r::explanation);
            assertEquals(200, r.status());
            assertEquals("Hello from nginx: protocol=" + tls.protocol + " verify=SUCCESS client=CN=" + A + "\n", r.body());
            assertTrue(r.handshake().contains("* TLS: " + tls.protocol + ", cipher "), r::handshake);
        }
    }

    /**
     * nginx finishes the handshake and answers HTTP 400 with its own page; client.java must still say
     * "client certificate required" (exit 63), not "HTTP error" (22), and tell which certificate to send.
     */
    @ParameterizedTest
    @EnumSource(TlsPeers.TlsVersion.class)
    void probeWithoutCertificateIsToldToSendOne(TlsPeers.TlsVersion tls) throws IOException {
        requireTools();
        try (TlsPeers.Nginx nginx = TlsPeers.startNginx(dir, "service-b", TlsPeers.VerifyClient.ON, tls)) {
            client.Result r = Support.probe(dir, B, nginx.port(), null);
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REQUIRED, r.problem(), r::explanation);
            assertEquals(63, r.exitCode());
            assertEquals(400, r.status());
            assertTrue(r.body().contains("<title>400 No required SSL certificate was sent</title>"), r::body);
            for (String part : List.of("requires a client certificate (mutual TLS) and we sent none",
                    "It accepts certificates issued by: " + caName(), "Likely cause: no --cert and --key were given",
                    "Fix: pass a certificate and key signed by a CA the server trusts",
                    "HTTP 400 \"No required SSL certificate was sent\" (nginx)"))
                assertTrue(r.explanation().contains(part), () -> "expected '" + part + "' in:\n" + r.explanation());
            assertTrue(r.handshake().contains("* TLS: " + tls.protocol + ", cipher "), r::handshake);
        }
    }

    /** optional: no certificate is fine (200, verify=NONE); a certificate from another CA is still refused (64). */
    @ParameterizedTest
    @EnumSource(TlsPeers.TlsVersion.class)
    void probeAgainstVerifyOptional(TlsPeers.TlsVersion tls) throws IOException {
        requireTools();
        try (TlsPeers.Nginx nginx = TlsPeers.startNginx(dir, "service-b", TlsPeers.VerifyClient.OPTIONAL, tls)) {
            client.Result none = Support.probe(dir, B, nginx.port(), null);
            assertEquals(0, none.exitCode(), none::explanation);
            assertEquals("Hello from nginx: protocol=" + tls.protocol + " verify=NONE client=\n", none.body());
            assertTrue(none.handshake().contains("* We sent no client certificate (no --cert given)."), none::handshake);

            client.Result stranger = Support.probe(dir, B, nginx.port(), "other/stranger");
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REJECTED, stranger.problem(), stranger::explanation);
            assertEquals(64, stranger.exitCode());
            assertTrue(stranger.explanation().contains("HTTP 400 \"The SSL certificate error\" (nginx)"), stranger::explanation);
        }
    }

    static String caName() {
        return Names.subject(Pem.certificate(dir.resolve("ca.crt"), "CA certificate"));
    }

    private static void requireTools() {
        Support.requireTool("nginx", "nginx");
        Support.requireTool("curl", "curl");
    }

    // ------------------------------------------------------------------ nginx as a gateway in front of serve.java

    /**
     * The way services sit behind a gateway: nginx terminates the caller's TLS and calls serve.java
     * upstream with a client certificate of its own (proxy_ssl_certificate), checking serve.java's
     * certificate (proxy_ssl_verify on). A request through nginx reaches /whoami with nginx's identity;
     * without nginx's client certificate, serve.java refuses it, says why in its log, and nginx answers 502.
     */
    @Test
    void nginxAsAGatewayReachesServeJavaWithItsOwnClientCertificate() throws IOException {
        requireTools();
        Support.issueInto(dir, "--name", "gateway", "gateway.example.com");
        List<String> log = new CopyOnWriteArrayList<>();
        try (var b = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withAllow("DNS:gateway.example.com")
                .withLog(log::add))) {
            try (TlsPeers.Nginx gateway = TlsPeers.startNginxProxy(dir, "gateway", "gateway", B, b.port())) {
                Support.Result r = TlsPeers.curl(dir, "ca.crt", "gateway.example.com", gateway.port(), "/whoami", "-w", TlsPeers.HTTP_CODE);
                assertTrue(r.out().contains("http_code=200"), r::all);
                assertTrue(r.out().contains("  subject: CN=gateway.example.com"), "serve.java saw nginx's certificate: " + r.out());
                Support.awaitLog(log, "GET /whoami 200 client=\"CN=gateway.example.com\"");
            }
            try (TlsPeers.Nginx anonymous = TlsPeers.startNginxProxy(dir, "gateway", null, B, b.port())) {
                Support.Result r = TlsPeers.curl(dir, "ca.crt", "gateway.example.com", anonymous.port(), "/whoami", "-w", TlsPeers.HTTP_CODE);
                assertTrue(r.out().contains("http_code=502"), "nginx without a client certificate is refused upstream: " + r.all());
                Support.awaitLog(log, "refused: no client certificate");
            }
        }
    }
}
