import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Java: the PKCS#12 files from `issue.java --p12` are keystores as they are, with
 * no conversion, and our CA goes into a truststore with keytool. A JDK HttpsServer serves with
 * service-a.p12 and requires a client certificate; java.net.http.HttpClient (service-b.p12, and
 * the truststore, hostname verification on) and curl call it. (keytool -list of the .p12 is in IssueTest.)
 */
@Tag("process")
class JavaKeystoreTest {

    static final String A = Support.A, B = Support.B;
    static final char[] PASSWORD = "changeit".toCharArray(); // issue.java's default .p12 password

    @TempDir
    static Path dir;
    static HttpsServer server;
    static ExecutorService executor;
    static KeyStore trustStore;

    /**
     * Our CA; service-a.p12 for the server, with localhost as a second name so the Java client can
     * check the host without a hosts file; service-b.p12 for the client; trust.p12 from keytool.
     */
    @BeforeAll
    static void pkiAndServer() throws Exception {
        Support.requireTool("keytool", "default-jre-headless");
        Support.pki(dir, List.of(), List.of());
        Support.issueInto(dir, "--p12", A, "localhost").expectOk();
        Support.issueInto(dir, "--p12", B).expectOk();
        Support.Result imported = Support.exec(dir, "keytool", "-importcert", "-noprompt", "-trustcacerts",
                "-alias", "ca", "-file", "ca.crt", "-keystore", "trust.p12", "-storetype", "PKCS12",
                "-storepass", "changeit").expectOk();
        assertTrue(imported.all().contains("Certificate was added to keystore"), imported::all);
        trustStore = load(dir.resolve("trust.p12"));
        assertTrue(trustStore.isCertificateEntry("ca"), "keytool wrote a trustedCertEntry");

        executor = Executors.newFixedThreadPool(2); // not the dispatcher thread alone, which one stalled client holds up
        server = httpsServer(load(dir.resolve("service-a.p12")), trustStore);
        server.setExecutor(executor);
        server.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) server.stop(0);
        if (executor != null) executor.shutdownNow();
    }

    // ------------------------------------------------------------------ Java client

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void javaClientWithOurP12AndTruststoreGets200(String protocol) throws Exception {
        HttpResponse<String> r = get(client(protocol, keyManagers("service-b.p12")), "localhost");
        assertEquals(200, r.statusCode(), r::body);
        assertEquals("Hello from Java over " + protocol + ", client CN=" + B, r.body());
    }

    /** Hostname verification is on: 127.0.0.1 is not in service-a's SAN, so the same call fails. */
    @Test
    void javaClientChecksTheHostName() throws Exception {
        HttpClient c = client("TLSv1.3", keyManagers("service-b.p12"));
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> get(c, "127.0.0.1"));
        assertTrue(causes(e).contains("No subject alternative names matching IP address 127.0.0.1 found"), causes(e));
    }

    /** Without trust.p12 the JDK trusts only its own cacerts, which lack our CA. */
    @Test
    void javaClientWithoutOurTruststoreFails() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers("service-b.p12"), null, null); // null: the JDK's default trust (cacerts)
        HttpClient c = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class, () -> get(c, "localhost"));
        assertTrue(causes(e).contains("PKIX path building failed"), causes(e));
    }

    /**
     * The server really requires a client certificate. A client without one fails late and
     * differently per version: TLS 1.2 in the handshake, TLS 1.3 when reading.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void javaClientWithoutCertificateIsRefused(String protocol) throws Exception {
        HttpClient c = client(protocol, null);
        IOException e = assertThrows(IOException.class, () -> get(c, "localhost"));
        String why = causes(e);
        if (protocol.equals("TLSv1.2")) assertTrue(why.contains("Remote host terminated the handshake"), why);
        // 40 of 40 runs here said "no bytes"; a reset is the same refusal when the close finds the request unread.
        else assertTrue(why.contains("header parser received no bytes") || why.contains("Connection reset"), why);
    }

    // ------------------------------------------------------------------ curl

    /** curl talks to the Java server with our PEM files, or with our .p12 as it is (OpenSSL 3 reads it). */
    @ParameterizedTest
    @ValueSource(strings = {"pem", "p12"})
    void curlWithOurClientCertificateGets200(String form) {
        Support.requireTool("curl", "curl");
        List<String> flags = new ArrayList<>(List.of("-w", TlsPeers.HTTP_CODE));
        flags.addAll(form.equals("pem") ? List.of("--cert", "service-b.crt", "--key", "service-b.key")
                : List.of("--cert-type", "P12", "--cert", "service-b.p12:changeit"));
        Support.Result r = TlsPeers.curl(dir, "ca.crt", A, port(), "/", flags.toArray(String[]::new)).expectOk();
        assertTrue(r.out().contains("http_code=200") && r.out().contains("client CN=" + B), r::all);
    }

    /**
     * Without a client certificate curl is refused, but the JDK 17 HttpsServer just closes the
     * connection, with no TLS alert, so curl cannot say why. Under TLS 1.2 the handshake breaks off
     * (exit 35, SSL_ERROR_SYSCALL). Under TLS 1.3 the client's side of the handshake is already done
     * and the request gets no answer: exit 52 "Empty reply from server", or 56 "Connection reset by
     * peer" when the close finds the request unread (a race; both happen here).
     */
    @ParameterizedTest
    @ValueSource(strings = {"1.2", "1.3"})
    void curlWithoutClientCertificateIsRefusedWithoutAReason(String version) {
        Support.requireTool("curl", "curl");
        Support.Result r = TlsPeers.curl(dir, "ca.crt", A, port(), "/", "-w", TlsPeers.HTTP_CODE, "--tlsv" + version, "--tls-max", version);
        Map<Integer, String> expected = version.equals("1.2") ? Map.of(35, "SSL_ERROR_SYSCALL")
                : Map.of(52, "Empty reply from server", 56, "Connection reset by peer");
        assertTrue(expected.containsKey(r.code()) && r.err().contains(expected.get(r.code())), r::all);
        assertTrue(r.out().contains("http_code=000") && !r.err().contains("alert"), r::all);
    }

    // ------------------------------------------------------------------ the server

    /**
     * A JDK HttpsServer on 127.0.0.1 (a free port the OS picks) whose keystore is the .p12 as
     * issue.java wrote it, and which requires a client certificate from the truststore's CA.
     * Each request gets 200 and a line naming the TLS version and the client's CN.
     */
    static HttpsServer httpsServer(KeyStore keyStore, KeyStore trust) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, PASSWORD);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), trustManagers(trust).getTrustManagers(), null);

        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                // On SSLParameters: HttpsParameters.setNeedClientAuth(true) alone is undone by the
                // JDK's later setWantClientAuth(false) (snippets/MtlsServer.java).
                SSLParameters sp = getSSLContext().getDefaultSSLParameters();
                sp.setNeedClientAuth(true);
                params.setSSLParameters(sp);
            }
        });
        s.createContext("/", ex -> {
            var session = ((HttpsExchange) ex).getSSLSession();
            String client;
            try {
                client = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                client = "none"; // cannot happen with needClientAuth; the tests would show it
            }
            byte[] body = ("Hello from Java over " + session.getProtocol() + ", client " + client)
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        return s;
    }

    static int port() {
        return server.getAddress().getPort();
    }

    // ------------------------------------------------------------------ helpers

    /** An HttpClient for one TLS version that trusts trust.p12 and presents keyManagers (null: no certificate). */
    private static HttpClient client(String protocol, KeyManager[] keyManagers) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(keyManagers, trustManagers(trustStore).getTrustManagers(), null);
        SSLParameters sp = ctx.getDefaultSSLParameters();
        sp.setProtocols(new String[] {protocol});
        return HttpClient.newBuilder().sslContext(ctx).sslParameters(sp).connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static HttpResponse<String> get(HttpClient c, String host) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create("https://" + host + ":" + port() + "/"))
                .timeout(Duration.ofSeconds(20)).build();
        return c.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private static KeyManager[] keyManagers(String p12) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(load(dir.resolve(p12)), PASSWORD);
        return kmf.getKeyManagers();
    }

    private static TrustManagerFactory trustManagers(KeyStore trust) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        return tmf;
    }

    /** Loads a PKCS#12 file as it is: the point of these tests is that no conversion is needed. */
    private static KeyStore load(Path p12) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /** An exception's messages down its cause chain, for asserting on the reason wherever the JDK wrapped it. */
    private static String causes(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) sb.append(c).append('\n');
        return sb.toString();
    }
}
