import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every refusal of serve.java --client-auth need is a TLS alert the caller can name, and one log
 * line that says why: curl on TLS 1.3 and 1.2, Python's ssl and requests, and openssl s_client, each
 * without a certificate, with one from a foreign CA made by openssl, an expired one, a serverAuth-only
 * one and a revoked one. Never "Empty reply" or "Connection reset".
 *
 * The alerts are the JDK's choice: with no certificate, bad_certificate on JDK 17, and on newer JDKs
 * certificate_required (TLS 1.3) or handshake_failure (TLS 1.2); a refused certificate chain is
 * certificate_unknown on every JDK (sun.security.ssl.CertificateMessage fixes that alert for a
 * failed client check). The log line carries the specific reason.
 */
@Tag("process")
class RefusalTest {
    @TempDir static Path dir;
    static Service service;
    static final List<String> LOG = new CopyOnWriteArrayList<>();
    static final String B = "service-b.example.com";

    /** The callers, and how each shows an alert. */
    enum Caller { CURL_TLS13, CURL_TLS12, PYTHON_SSL, PYTHON_REQUESTS, OPENSSL }

    /** The certificates a caller may send. */
    enum Sent { NONE, FOREIGN_CA, EXPIRED, SERVER_ONLY, REVOKED }

    @BeforeAll
    static void serviceB() throws Exception {
        Support.requireTool("openssl", "openssl");
        Support.requireTool("curl", "curl");
        Support.pki(dir, List.of("--key-type", "ec", "--cn", "Refusal test CA"), List.of("--key-type", "ec"), B, "service-a.example.com",
                "revoked.example.com");
        Support.cli(new issue(), "--dir", dir.toString(), "--key-type", "ec", "--server-only", "--name", "server-only", "server-only.example.com")
                .expectOk();
        Support.cli(new ca(), "revoke", "--dir", dir.toString(), dir.resolve("revoked.crt").toString()).expectOk();
        expired();
        foreign();
        service = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withCrl(dir.resolve("ca.crl")).withLog(LOG::add));
    }

    @AfterAll
    static void stop() {
        if (service != null) service.stop();
    }

    /** A client certificate that expired yesterday; issue.java will not make one. */
    static void expired() throws Exception {
        X509Certificate ca = Pem.certificate(dir.resolve("ca.crt"), "ca");
        PrivateKey caKey = Pem.privateKey(dir.resolve("ca.key"), "ca key", () -> null);
        KeyPair kp = Keys.generate(Keys.KeyType.EC, 256);
        Instant start = Instant.now().minus(Duration.ofDays(30));
        X509Certificate c = Certs.leaf(kp.getPublic(), new X500Name("CN=expired.example.com"),
                List.of(new GeneralName(GeneralName.dNSName, "expired.example.com")), Certs.Usage.CLIENT, ca, caKey,
                start, Instant.now().minus(Duration.ofDays(1)));
        Files.writeString(dir.resolve("expired.crt"), Certs.pem(c));
        Files.writeString(dir.resolve("expired.key"), Certs.pem(kp.getPrivate()));
    }

    /** A CA and a client certificate made with openssl alone, as another team would. */
    static void foreign() throws Exception {
        Path f = Files.createDirectories(dir.resolve("foreign"));
        Support.exec(f, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.crt", "-days", "30", "-subj", "/CN=Foreign CA", "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign").expectOk();
        Support.exec(f, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "client.key",
                "-out", "client.csr", "-subj", "/CN=foreign.example.com").expectOk();
        Files.writeString(f.resolve("ext"), "extendedKeyUsage=clientAuth\nsubjectAltName=DNS:foreign.example.com\n");
        Support.exec(f, "openssl", "x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "client.crt", "-days", "30", "-extfile", "ext").expectOk();
    }

    static Path cert(Sent s) {
        return switch (s) {
            case NONE -> null;
            case FOREIGN_CA -> dir.resolve("foreign/client.crt");
            case EXPIRED -> dir.resolve("expired.crt");
            case SERVER_ONLY -> dir.resolve("server-only.crt");
            case REVOKED -> dir.resolve("revoked.crt");
        };
    }

    static Path key(Sent s) {
        Path c = cert(s);
        return c == null ? null : c.resolveSibling(c.getFileName().toString().replace(".crt", ".key"));
    }

    /** The reason the log line must give for each kind. */
    static String reason(Sent s) {
        return switch (s) {
            case NONE -> "refused: no client certificate";
            case FOREIGN_CA -> "was issued by \"CN=Foreign CA\", a CA this service does not trust";
            case EXPIRED -> "\"CN=expired.example.com\" (serial";
            case SERVER_ONLY -> "is not for clients: its extended key usage lacks clientAuth (wrong purpose)";
            case REVOKED -> "is revoked: " + dir.resolve("ca.crl") + " lists it since";
        };
    }

    /** The alert names a caller may show for this kind, on this JDK (see the class comment). */
    static List<String> alerts(Sent s, Caller c) {
        if (s != Sent.NONE) return List.of("certificate unknown", "CERTIFICATE_UNKNOWN");
        if (Runtime.version().feature() < 21) return List.of("bad certificate", "BAD_CERTIFICATE");
        return c == Caller.CURL_TLS12 ? List.of("handshake failure", "HANDSHAKE_FAILURE") : List.of("certificate required", "CERTIFICATE_REQUIRED");
    }

    @ParameterizedTest
    @EnumSource(Sent.class)
    void everyCallerGetsAnAlertAndTheLogSaysWhy(Sent sent) {
        for (Caller caller : Caller.values()) {
            if (caller == Caller.PYTHON_REQUESTS && Support.exec(dir, "python3", "-c", "import requests").code() != 0) {
                Support.requireTool("python3-requests", "python3-requests");
                continue;
            }
            int before = LOG.size();
            Support.Result r = call(caller, sent);
            String all = r.all();
            assertFalse(all.contains("Empty reply") || all.contains("reset by peer") || all.contains("RemoteDisconnected")
                    || all.contains("EOF occurred"), caller + " with " + sent + " saw no alert:\n" + all);
            assertTrue(alerts(sent, caller).stream().anyMatch(all::contains),
                    caller + " with " + sent + " should name the alert " + alerts(sent, caller) + ":\n" + all);
            String line = awaitLine(before, reason(sent));
            assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ 127\\.0\\.0\\.1:\\d+ TLSv1\\.[23] refused: .*"),
                    "a refusal line has the time, the caller's address and port, the TLS version and the reason: " + line);
            if (sent == Sent.EXPIRED) assertTrue(line.contains("expired on "), line);
        }
    }

    /**
     * A caller that refuses our certificate: curl without our CA. Over TLS 1.2 its alert reads
     * unknown_ca; over TLS 1.3 it comes unencrypted, or as a bare close. The log gives the same plain
     * reason every time, twenty times over TLS 1.3, whichever way the refusal arrived.
     */
    @Test
    void aCallerThatRefusesOurCertificateIsLoggedSoOverBothVersions() {
        String reason = " refused: the client refused our certificate or the handshake (";
        for (int i = 0; i < 21; i++) {
            boolean tls13 = i < 20;
            int before = LOG.size();
            List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--resolve", B + ":" + service.port() + ":127.0.0.1"));
            cmd.addAll(tls13 ? List.of("--tlsv1.3") : List.of("--tls-max", "1.2"));
            cmd.add("https://" + B + ":" + service.port() + "/");
            Support.Result r = Support.exec(dir, Map.of(), Support.WAIT, cmd);
            assertEquals(60, r.code(), r::all); // curl: the server's certificate is not trusted
            String line = awaitLine(before, " refused: ");
            assertTrue(line.contains((tls13 ? " TLSv1.3" : " TLSv1.2") + reason), "call " + (i + 1) + ": " + line);
            if (!tls13) assertTrue(line.endsWith("(alert unknown_ca from the client)"), line);
        }
    }

    /**
     * A burst of refusals over the log's rate, and then none: the count of the lines left out is
     * still written (on the service's timer), not only with a next refusal that may never come.
     */
    @Test
    void aBurstThatEndsIsCounted() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        try (Service b = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withLog(log::add))) {
            for (int i = 0; i < 80; i++)
                try (java.net.Socket s = new java.net.Socket("127.0.0.1", b.port())) {
                    s.getOutputStream().write('x'); // not a TLS record: one refusal line each
                    s.getInputStream().read(); // the service closes it
                }
            long total = 0;
            for (long end = System.nanoTime() + Duration.ofSeconds(10).toNanos(); total < 80 && System.nanoTime() < end; Support.sleep(50))
                total = accounted(log);
            assertEquals(80, total, () -> "refusals written and counted:\n" + String.join("\n", log));
            assertTrue(log.stream().anyMatch(l -> l.contains("more refusal lines were not written")), String.join("\n", log));
        }
    }

    /** The refusal lines written, plus those the notes count as left out. */
    static long accounted(List<String> log) {
        synchronized (log) {
            long n = 0;
            for (String l : log)
                if (l.contains(" refused: not TLS")) n++;
                else if (l.contains("more refusal lines were not written")) n += Long.parseLong(l.replaceAll(".*\\((\\d+) more refusal lines.*", "$1"));
            return n;
        }
    }

    static Support.Result call(Caller caller, Sent sent) {
        int port = service.port();
        String ca = dir.resolve("ca.crt").toString();
        List<String> certArgs = sent == Sent.NONE ? List.of() : List.of("--cert", cert(sent).toString(), "--key", key(sent).toString());
        List<String> cmd = new ArrayList<>();
        switch (caller) {
            case CURL_TLS13, CURL_TLS12 -> {
                cmd.addAll(List.of("curl", "-sS", "--max-time", "20", "--cacert", ca, "--resolve", B + ":" + port + ":127.0.0.1"));
                if (caller == Caller.CURL_TLS12) cmd.addAll(List.of("--tls-max", "1.2"));
                cmd.addAll(certArgs);
                cmd.add("https://" + B + ":" + port + "/");
            }
            case PYTHON_SSL -> {
                cmd.addAll(List.of("python3", Support.ROOT.resolve("tests/resources/py_ssl_alert.py").toString(), B, "" + port, ca));
                if (sent != Sent.NONE) cmd.addAll(List.of(cert(sent).toString(), key(sent).toString()));
            }
            case PYTHON_REQUESTS -> {
                cmd.addAll(List.of("python3", Support.ROOT.resolve("tests/resources/py_get.py").toString(), "--cacert", ca,
                        "--resolve", B + ":" + port + ":127.0.0.1", "https://" + B + ":" + port + "/"));
                cmd.addAll(certArgs);
            }
            case OPENSSL -> {
                cmd.addAll(List.of("openssl", "s_client", "-brief", "-ign_eof", "-connect", "127.0.0.1:" + port, "-servername", B, "-CAfile", ca));
                if (sent != Sent.NONE) cmd.addAll(List.of("-cert", cert(sent).toString(), "-key", key(sent).toString()));
                // s_client reads the alert only after it sends something: a request, then EOF on stdin.
                return Support.exec(dir, Map.of(), Support.WAIT, List.of("bash", "-c",
                        "printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' | " + String.join(" ", cmd.stream().map(RefusalTest::quote).toList())));
            }
        }
        return Support.exec(dir, Map.of(), Support.WAIT, cmd);
    }

    /** The first log line after index from that contains text, waiting up to 10 s (a refusal is logged as it happens). */
    static String awaitLine(int from, String text) {
        for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end; Support.sleep(20)) {
            synchronized (LOG) {
                for (String l : LOG.subList(Math.min(from, LOG.size()), LOG.size())) if (l.contains(text)) return l;
            }
        }
        throw new AssertionError("no log line with \"" + text + "\" after line " + from + ":\n" + String.join("\n", LOG));
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
