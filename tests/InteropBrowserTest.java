import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
class InteropBrowserTest {

    static final String A = ProfileVerifiersTest.A;
    static final String PAGE = "Hello from \"service-a\"";

    /** Our CA, service-a (RSA, the default) and service-a-ec (EC P-256), and the two HOMEs. */
    @TempDir
    static Path dir;
    static Path trustingHome, emptyHome;

    private final List<serve.Running> servers = new ArrayList<>();

    @BeforeAll
    static void pki() {
        Support.pki(dir, List.of(), List.of(), A);
        Support.cli(new issue(), "--dir", dir.toString(), "--ca", dir.resolve("ca.crt").toString(),
                "--ca-key", dir.resolve("ca.key").toString(), "--key-type", "ec", "--name", "service-a-ec", A)
                .expectOk();
    }

    @AfterEach
    void stopServers() {
        servers.forEach(serve.Running::stop);
    }

    /** Chromium checks keyUsage for RSA keys under a local root (Chrome 124+), so both key kinds run. */
    @ParameterizedTest
    @ValueSource(strings = {"service-a", "service-a-ec"})
    void showsThePageWhenOurCaIsTrusted(String cert) {
        requireTools();
        String url = servePage(cert);
        Support.Result r = chromium(trustingHome(), url, A);
        assertTrue(r.out().contains(PAGE), () -> "the page, in:\n" + r.out() + "\n" + errors(r));
        assertFalse(r.err().contains("Page load failed"), () -> errors(r));
    }

    /** The same page with an empty NSS database: Chromium refuses our CA, so the test can fail. */
    @Test
    void showsCertificateErrorWithoutOurCa() {
        requireTools();
        String url = servePage("service-a");
        Support.Result r = chromium(emptyHome(), url, A);
        assertFalse(r.out().contains(PAGE), r::out);
        assertTrue(r.err().contains("Page load failed: net::ERR_CERT_AUTHORITY_INVALID"), () -> errors(r));
    }

    /** Chromium matches the host against the SAN: a name the certificate lacks fails even with our CA. */
    @Test
    void showsNameErrorForAHostOutsideTheSan() {
        requireTools();
        String other = "service-x.example.com";
        String url = servePage("service-a").replace(A, other);
        Support.Result r = chromium(trustingHome(), url, other);
        assertFalse(r.out().contains(PAGE), r::out);
        assertTrue(r.err().contains("Page load failed: net::ERR_CERT_COMMON_NAME_INVALID"), () -> errors(r));
    }

    // ------------------------------------------------------------------ the page server

    /**
     * Starts serve.java in-process as service-a (client auth none: a browser has no client
     * certificate) with CERT.crt/.key, on a free 127.0.0.1 port, and returns the URL a browser loads
     * (host service-a.example.com). Its page is the text PAGE. Stopped after each test.
     */
    private String servePage(String cert) {
        var c = serve.Config.of("service-a", dir, 0, serve.ClientAuth.NONE);
        var withCert = new serve.Config(c.name(), c.host(), c.port(), c.clientAuth(), dir.resolve(cert + ".crt"),
                dir.resolve(cert + ".key"), null, c.cacert(), null, List.of(), c.reloadInterval(), l -> {});
        serve.Running running = serve.start(withCert);
        servers.add(running);
        return "https://" + A + ":" + running.port() + "/";
    }

    // ------------------------------------------------------------------ Chromium

    /**
     * Loads url in headless Chromium with HOME=home (its NSS trust) and host mapped to 127.0.0.1,
     * and returns the DOM (stdout) and Chromium's log (stderr), where a failed load shows as
     * "Page load failed: net::ERR_...". Each run gets a fresh profile; at most 60 s.
     */
    private static Support.Result chromium(Path home, String url, String host) {
        return chromium(dir, home, url, host);
    }

    /** The same for other tests (IntermediateCaTest): the profile goes under work, their temporary folder. */
    static Support.Result chromium(Path work, Path home, String url, String host) {
        Path profile = tempDir(work, "chromium-profile");
        return Support.exec(work, Map.of("HOME", home.toString()), Duration.ofSeconds(60), List.of("chromium",
                "--headless", "--no-sandbox", // no sandbox: CI runs as root, where Chromium refuses it
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--host-resolver-rules=MAP " + host + " 127.0.0.1",
                "--enable-logging=stderr", "--v=0", "--dump-dom", url));
    }

    /** A HOME whose NSS database trusts our CA for TLS servers ("C,,": a CA trusted to issue server certificates). */
    private static synchronized Path trustingHome() {
        if (trustingHome == null) trustingHome = trustingHome(dir, dir.resolve("ca.crt"));
        return trustingHome;
    }

    /** A new HOME under work whose NSS database trusts ca, and only ca, for TLS servers. */
    static Path trustingHome(Path work, Path ca) {
        Path home = nssHome(work, "home-trusting");
        certutil(home, "-A", "-n", "jbang-mtls test CA", "-t", "C,,", "-i", ca.toString());
        Support.Result list = certutil(home, "-L");
        assertTrue(list.out().contains("jbang-mtls test CA") && list.out().contains("C,,"), list::all);
        return home;
    }

    private static synchronized Path emptyHome() {
        if (emptyHome == null) emptyHome = nssHome(dir, "home-empty");
        return emptyHome;
    }

    /** A HOME with a new, empty NSS database in .pki/nssdb, where Chromium on Linux looks. */
    private static Path nssHome(Path work, String name) {
        Path home = work.resolve(name);
        try {
            Files.createDirectories(home.resolve(".pki/nssdb"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        certutil(home, "-N", "--empty-password");
        return home;
    }

    private static Support.Result certutil(Path home, String... args) {
        List<String> cmd = new ArrayList<>(List.of("certutil", "-d", "sql:" + home.resolve(".pki/nssdb")));
        cmd.addAll(List.of(args));
        return Support.exec(home, Map.of(), Support.WAIT, cmd).expectOk();
    }

    private static Path tempDir(Path work, String prefix) {
        try {
            return Files.createTempDirectory(work, prefix);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Chromium's log without the D-Bus complaints every run makes on a machine without a session bus. */
    static String errors(Support.Result r) {
        return r.err().lines().filter(l -> !l.contains("dbus")).collect(Collectors.joining("\n"));
    }

    static void requireTools() {
        Support.requireTool("chromium", "chromium");
        Support.requireTool("certutil", "libnss3-tools");
    }
}
