import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
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
 * Chromium, a real browser: headless Chromium trusts our CA through a
 * temporary NSS database and loads serve.java's page (service-a, client auth none) with no
 * certificate warning. Without the CA, or under a name the certificate does not hold, it shows the
 * certificate error instead.
 *
 * Chromium on Linux reads its trust from NSS in $HOME/.pki/nssdb, so each run gets a HOME of its
 * own: one with our CA (certutil -A -t "C,,"), one with an empty database.
 */
@Tag("process")
class InteropBrowserTest {

    static final String A = Support.A;
    static final String PAGE = "Hello from \"service-a\"";

    /** Our CA, service-a (RSA, the default) and service-a-ec (EC P-256), and the two HOMEs. */
    @TempDir
    static Path dir;
    static Path trustingHome, emptyHome;

    private final List<Service> servers = new ArrayList<>();

    @BeforeAll
    static void pki() {
        Support.pki(dir, List.of(), List.of(), A);
        Support.issueInto(dir, "--key-type", "ec", "--name", "service-a-ec", A).expectOk();
    }

    @AfterEach
    void stopServers() {
        servers.forEach(Service::stop);
    }

    /** Chromium checks keyUsage for RSA keys under a local root (Chrome 124+), so both key kinds run. */
    @ParameterizedTest
    @ValueSource(strings = {"service-a", "service-a-ec"})
    void showsThePageWhenOurCaIsTrusted(String cert) {
        TlsPeers.requireChromium();
        String url = servePage(cert);
        Support.Result r = TlsPeers.chromium(dir, trustingHome(), url, A);
        assertTrue(r.out().contains(PAGE), () -> "the page, in:\n" + r.out() + "\n" + TlsPeers.chromiumErrors(r));
        assertFalse(r.err().contains("Page load failed"), () -> TlsPeers.chromiumErrors(r));
    }

    /** The same page with an empty NSS database: Chromium refuses our CA, so the test can fail. */
    @Test
    void showsCertificateErrorWithoutOurCa() {
        TlsPeers.requireChromium();
        String url = servePage("service-a");
        Support.Result r = TlsPeers.chromium(dir, emptyHome(), url, A);
        assertFalse(r.out().contains(PAGE), r::out);
        assertTrue(r.err().contains("Page load failed: net::ERR_CERT_AUTHORITY_INVALID"), () -> TlsPeers.chromiumErrors(r));
    }

    /** Chromium matches the host against the SAN: a name the certificate lacks fails even with our CA. */
    @Test
    void showsNameErrorForAHostOutsideTheSan() {
        TlsPeers.requireChromium();
        String other = "service-x.example.com";
        String url = servePage("service-a").replace(A, other);
        Support.Result r = TlsPeers.chromium(dir, trustingHome(), url, other);
        assertFalse(r.out().contains(PAGE), r::out);
        assertTrue(r.err().contains("Page load failed: net::ERR_CERT_COMMON_NAME_INVALID"), () -> TlsPeers.chromiumErrors(r));
    }

    // ------------------------------------------------------------------ the page server

    /**
     * Starts serve.java in-process as service-a (client auth none: a browser has no client
     * certificate) with CERT.crt/.key, on a free 127.0.0.1 port, and returns the URL a browser loads
     * (host service-a.example.com). Its page is the text PAGE. Stopped after each test.
     */
    private String servePage(String cert) {
        var withCert = serve.config("service-a", dir, 0, TlsServer.ClientAuth.NONE)
                .withCert(dir.resolve(cert + ".crt"), dir.resolve(cert + ".key")).withLog(l -> {});
        Service running = Service.start(withCert);
        servers.add(running);
        return "https://" + A + ":" + running.port() + "/";
    }

    // ------------------------------------------------------------------ the two HOMEs, made once

    /** A HOME whose NSS database trusts our CA for TLS servers ("C,,": a CA trusted to issue server certificates). */
    private static synchronized Path trustingHome() {
        if (trustingHome == null) trustingHome = TlsPeers.trustingHome(dir, dir.resolve("ca.crt"));
        return trustingHome;
    }

    /** A HOME with an empty NSS database: Chromium trusts none of our certificates there. */
    private static synchronized Path emptyHome() {
        if (emptyHome == null) emptyHome = TlsPeers.nssHome(dir, "home-empty");
        return emptyHome;
    }
}
