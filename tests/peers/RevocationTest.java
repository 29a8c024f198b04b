import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revocation: ca.java revoke keeps a CRL that openssl verifies, and serve.java --crl
 * refuses the revoked client certificates (at the handshake, and on connections opened before the
 * revocation), re-reading the file when it changes. client.java names the cause when it can.
 */
@Tag("process")
class RevocationTest {

    static final String A = Support.A, B = Support.B;

    /** A fresh CA with service-a, service-b and service-c in dir. */
    static Path pki(Path dir) {
        return Support.pki(dir, List.of("--cn", "Revocation root CA", "--key-type", "ec"), List.of("--key-type", "ec"),
                A, B, "service-c.example.com");
    }

    static Support.Result revoke(Path dir, String... args) {
        List<String> a = new ArrayList<>(List.of("revoke", "--dir", dir.toString()));
        a.addAll(List.of(args));
        return Support.cli(new ca(), a.toArray(String[]::new));
    }

    static BigInteger serial(Path cert) {
        return Pem.certificate(cert, "certificate").getSerialNumber();
    }

    /** The serials `openssl crl -text` lists (in hex, with a leading 0 when the length is odd). */
    static List<BigInteger> listedSerials(String text) {
        var m = java.util.regex.Pattern.compile("Serial Number: ([0-9A-F]+)").matcher(text);
        List<BigInteger> serials = new ArrayList<>();
        while (m.find()) serials.add(new BigInteger(m.group(1), 16));
        return serials;
    }

    static Support.Result openssl(Path dir, String cmd) {
        Support.requireTool("openssl", "openssl");
        return Support.exec(dir, Map.of(), Support.WAIT, List.of("sh", "-c", cmd));
    }

    // ---------------------------------------------------------------- ca.java revoke and openssl

    @Test
    void revokeWritesACrlThatOpensslVerifies(@TempDir Path dir) throws Exception {
        pki(dir);
        Support.Result r = revoke(dir, dir.resolve("service-a.crt").toString());
        r.expectOk();
        String hexA = serial(dir.resolve("service-a.crt")).toString(16);
        assertTrue(r.out().startsWith("Revoked CN=" + A + " (serial " + hexA), r.out());
        assertTrue(r.out().contains("The CRL now lists 1 revoked certificate (CRL number 1), next update "), r.out());
        assertTrue(r.out().contains("Wrote " + dir.resolve("ca.crl") + " (CRL, mode 0644)"), r.out());
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.crl"))));
        assertTrue(Files.readString(dir.resolve("ca.crl")).startsWith("-----BEGIN X509 CRL-----\n"));

        Support.Result text = openssl(dir, "openssl crl -in ca.crl -CAfile ca.crt -noout -text");
        assertEquals(0, text.code(), text.all());
        assertTrue(text.err().contains("verify OK"), "the CA's signature checks: " + text.all());
        assertEquals(List.of(serial(dir.resolve("service-a.crt"))), listedSerials(text.out()), text.out());
        assertTrue(text.out().contains("X509v3 CRL Number: \n                1"), text.out());
        assertTrue(text.out().contains("X509v3 Authority Key Identifier"), text.out());
        assertTrue(text.out().contains("Next Update: "), text.out());

        Support.Result revoked = openssl(dir, "openssl verify -crl_check -CRLfile ca.crl -CAfile ca.crt service-a.crt");
        assertNotEquals(0, revoked.code(), revoked.all());
        assertTrue(revoked.all().contains("certificate revoked"), revoked.all());
        Support.Result fine = openssl(dir, "openssl verify -crl_check -CRLfile ca.crl -CAfile ca.crt service-b.crt");
        assertEquals(0, fine.code(), fine.all());
        assertTrue(fine.out().contains("service-b.crt: OK"), fine.out());
    }

    @Test
    void revokingAgainKeepsEntriesAndCountsUp(@TempDir Path dir) {
        pki(dir);
        revoke(dir, dir.resolve("service-a.crt").toString()).expectOk();
        Support.Result second = revoke(dir, "--reason", "keyCompromise", dir.resolve("service-a.crt").toString(),
                dir.resolve("service-c.crt").toString());
        second.expectOk();
        assertTrue(second.out().contains("Note: CN=" + A + " (serial " + serial(dir.resolve("service-a.crt")).toString(16)
                + ") was already revoked on "), second.out());
        assertTrue(second.out().contains("lists 2 revoked certificates (CRL number 2)"), second.out());
        assertTrue(second.out().contains("Kept the old file as " + dir.resolve("ca.crl") + "."), "the previous CRL is kept: " + second.out());

        Support.Result refresh = revoke(dir, "--days", "7");
        refresh.expectOk();
        assertTrue(refresh.out().contains("lists 2 revoked certificates (CRL number 3)"), refresh.out());
        Support.Result text = openssl(dir, "openssl crl -in ca.crl -CAfile ca.crt -noout -text");
        assertTrue(text.out().contains("Key Compromise"), "the reason is recorded: " + text.out());
        assertEquals(List.of(serial(dir.resolve("service-a.crt")), serial(dir.resolve("service-c.crt"))), listedSerials(text.out()), text.out());
    }

    @Test
    void refusesWhatItCannotRevokeAndWritesNothing(@TempDir Path dir, @TempDir Path other) throws Exception {
        pki(dir);
        Support.pki(other, List.of("--cn", "Other root CA", "--key-type", "ec"), List.of("--key-type", "ec"), "stranger.example.com");
        Support.Result foreign = revoke(dir, other.resolve("stranger.crt").toString());
        assertEquals(1, foreign.code(), foreign.all());
        assertTrue(foreign.err().contains("was not issued by the CA") && foreign.err().contains("would change nothing"), foreign.err());
        assertFalse(Files.exists(dir.resolve("ca.crl")), "nothing written");

        Support.Result reason = revoke(dir, "--reason", "because", dir.resolve("service-a.crt").toString());
        assertEquals(1, reason.code());
        assertTrue(reason.err().startsWith("error: --reason must be keyCompromise"), reason.err());

        // A CRL from another CA in the folder (the CA was replaced?) is not silently overwritten.
        revoke(other, other.resolve("stranger.crt").toString()).expectOk();
        Files.copy(other.resolve("ca.crl"), dir.resolve("ca.crl"));
        byte[] before = Files.readAllBytes(dir.resolve("ca.crl"));
        Support.Result wrongCrl = revoke(dir, dir.resolve("service-a.crt").toString());
        assertEquals(1, wrongCrl.code(), wrongCrl.all());
        assertTrue(wrongCrl.err().contains("was not signed by the CA") && wrongCrl.err().contains("move it aside"), wrongCrl.err());
        assertEquals(new String(before), Files.readString(dir.resolve("ca.crl")));

        Support.Result usage = Support.cli(new ca(), "revoke", "--bogus");
        assertEquals(2, usage.code());
        assertTrue(usage.err().contains("Try 'ca.java revoke --help'"), usage.err());
    }

    // ---------------------------------------------------------------- serve.java --crl

    static Service startB(Path dir, List<String> log) {
        return Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withCrl(dir.resolve("ca.crl")).withLog(log::add));
    }

    static Support.Result client(Path dir, int port, String name) {
        return Support.cli(new client(), "--cacert", dir.resolve("ca.crt").toString(), "--cert", dir.resolve(name + ".crt").toString(),
                "--key", dir.resolve(name + ".key").toString(), "--resolve", TlsPeers.resolve(B, port), "https://" + B + ":" + port + "/");
    }

    /**
     * A certificate signed by an intermediate is revoked in the intermediate's own CRL (--ca), which
     * openssl checks along the chain; and each revoke keeps the previous CRL as a .bak, the last 5 only.
     */
    @Test
    void revokesUnderAnIntermediateAndKeepsTheLastFiveBackups(@TempDir Path dir) throws Exception {
        Support.pki(dir, List.of("--key-type", "ec"), List.of());
        Support.cli(new ca(), "intermediate", "--dir", dir.toString(), "--key-type", "ec").expectOk();
        Path sub = dir.resolve("sub-ca.crt");
        Support.cli(new issue(), "--dir", dir.toString(), "--ca", sub.toString(), "--key-type", "ec", "--each", A, B).expectOk();
        Support.Result refused = revoke(dir, dir.resolve("service-a.crt").toString());
        assertEquals(1, refused.code(), refused.all());
        assertTrue(refused.err().contains("give its CA with --ca"), refused.err());

        revoke(dir, "--ca", sub.toString(), dir.resolve("service-a.crt").toString()).expectOk();
        Path crl = dir.resolve("sub-ca.crl");
        assertTrue(Files.exists(crl), "the intermediate's CRL sits beside it");
        Support.Result check = openssl(dir, "openssl verify -crl_check -CRLfile sub-ca.crl -CAfile ca.crt -untrusted sub-ca.crt service-a.crt");
        assertNotEquals(0, check.code(), check.all());
        assertTrue(check.all().contains("certificate revoked"), check.all());
        assertEquals(0, openssl(dir, "openssl verify -crl_check -CRLfile sub-ca.crl -CAfile ca.crt -untrusted sub-ca.crt service-b.crt").code());

        for (int i = 0; i < 7; i++) {
            Support.sleep(1100); // .bak names carry the second
            revoke(dir, "--ca", sub.toString()).expectOk();
        }
        try (var files = Files.list(dir)) {
            List<Path> baks = files.filter(p -> p.getFileName().toString().matches("sub-ca\\.crl\\..*\\.bak")).toList();
            assertEquals(5, baks.size(), "the last 5 earlier CRLs, no more: " + baks);
        }
    }

    @Test
    void serveRefusesTheRevokedAndServesTheRest(@TempDir Path dir) {
        pki(dir);
        revoke(dir, dir.resolve("service-a.crt").toString()).expectOk();
        List<String> log = new CopyOnWriteArrayList<>();
        try (var b = startB(dir, log)) {
            assertTrue(log.get(0).contains("revoked ones are refused (" + dir.resolve("ca.crl") + ": CRL number 1, 1 revoked, next update"), log.get(0));
            Support.Result refused = TlsPeers.curl(dir, "ca.crt", B, b.port(), "/", "--cert", "service-a.crt", "--key", "service-a.key");
            assertTrue(refused.code() == 56 || refused.code() == 35, "refused at the TLS layer: " + refused.all());
            assertTrue(refused.err().contains("alert certificate unknown"), "with an alert: " + refused.all());
            assertFalse(refused.out().contains("Hello"), refused.all());
            assertEquals("Hello from \"service-b\"",
                    TlsPeers.curl(dir, "ca.crt", B, b.port(), "/", "--cert", "service-b.crt", "--key", "service-b.key").expectOk().out());

            Support.Result a = client(dir, b.port(), "service-a");
            assertEquals(64, a.code(), a.all());
            assertTrue(a.err().contains("our certificate is listed as revoked in " + dir.resolve("ca.crl").toAbsolutePath()), a.err());
            assertTrue(a.err().contains("issue a new certificate"), a.err());
            assertEquals(0, client(dir, b.port(), "service-c").code(), "service-c is not revoked");

            Support.awaitLog(log, "refused: the certificate \"CN=" + A);
            String line = log.stream().filter(l -> l.contains("refused: the certificate \"CN=" + A)).findFirst().orElseThrow();
            assertTrue(line.contains("(serial " + serial(dir.resolve("service-a.crt")).toString(16) + ") is revoked: " + dir.resolve("ca.crl")
                    + " lists it since "), line);
        }
    }

    @Test
    void aNewCrlAppliesWithoutARestartEvenToOpenConnections(@TempDir Path dir) throws Exception {
        pki(dir);
        revoke(dir).expectOk(); // an empty CRL
        List<String> log = new CopyOnWriteArrayList<>();
        try (var b = startB(dir, log)) {
            assertEquals("Hello from \"service-b\"",
                    TlsPeers.curl(dir, "ca.crt", B, b.port(), "/", "--cert", "service-a.crt", "--key", "service-a.key").expectOk().out());
            try (SSLSocket kept = open(dir, b.port(), "service-a")) {
                assertTrue(get(kept).startsWith("HTTP/1.1 200"), "kept alive, before the revocation");

                revoke(dir, dir.resolve("service-a.crt").toString()).expectOk();
                Support.awaitLog(log, "reloaded " + dir.resolve("ca.crl") + ": CRL number 2, 1 revoked");

                assertEquals(64, client(dir, b.port(), "service-a").code(), "new handshakes are refused");
                String answer = get(kept);
                assertTrue(answer.startsWith("HTTP/1.1 403"), "the connection opened before is refused too: " + answer);
                assertTrue(answer.contains("was revoked on ") && answer.contains("ca.crl"), answer);
                Support.awaitLog(log, "refused: the certificate is revoked (" + dir.resolve("ca.crl") + ")");
            }
            assertEquals(0, client(dir, b.port(), "service-b").code());

            Files.writeString(dir.resolve("ca.crl"), "-----BEGIN X509 CRL-----\nbroken\n-----END X509 CRL-----\n");
            Support.awaitLog(log, "error: refused the new CRL");
            assertEquals(64, client(dir, b.port(), "service-a").code(), "the previous CRL stays in force");
        }
    }

    @Test
    void aCrlPastItsNextUpdateRefusesEveryoneAndSaysSo(@TempDir Path dir) {
        pki(dir);
        X509Certificate caCert = Pem.certificate(dir.resolve("ca.crt"), "CA");
        PrivateKey caKey = Cli.readKey(dir.resolve("ca.key"), "CA key", null, "--ca-key-password");
        Instant longAgo = Instant.now().minus(60, ChronoUnit.DAYS);
        var stale = Certs.crl(caCert, caKey, null, List.of(), 0, longAgo, longAgo.plus(30, ChronoUnit.DAYS));
        SafeFiles.writeAll(List.of(new SafeFiles.OutFile(dir.resolve("ca.crl"), Certs.pem("X509 CRL", SigningCa.encoded(stale)).getBytes(StandardCharsets.US_ASCII),
                false, "CRL")), false);
        List<String> log = new CopyOnWriteArrayList<>();
        try (var b = startB(dir, log)) {
            assertTrue(log.get(0).startsWith("Warning: the CRL in " + dir.resolve("ca.crl") + " passed its next update"), log.get(0));
            assertEquals(64, client(dir, b.port(), "service-b").code(), "fail closed: a stale CRL proves nothing");
            Support.awaitLog(log, "is unknown: " + dir.resolve("ca.crl") + " has no current CRL for its CA");
            revoke(dir).expectOk(); // renewing it is the fix, and it is picked up
            Support.awaitLog(log, "reloaded ");
            assertEquals(0, client(dir, b.port(), "service-b").code());
        }
    }

    @Test
    void wantModeWithACrlStillAdmitsCallersWithoutACertificate(@TempDir Path dir) {
        pki(dir);
        revoke(dir, dir.resolve("service-a.crt").toString()).expectOk();
        try (var b = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.WANT).withCrl(dir.resolve("ca.crl")).withLog(l -> {}))) {
            Support.Result anonymous = Support.cli(new client(), "--cacert", dir.resolve("ca.crt").toString(),
                    "--resolve", TlsPeers.resolve(B, b.port()), "https://" + B + ":" + b.port() + "/");
            assertEquals(0, anonymous.code(), "want: no certificate is fine, --crl judges only certificates sent: " + anonymous.all());
            assertEquals(64, client(dir, b.port(), "service-a").code(), "a revoked one is still refused");
            assertEquals(0, client(dir, b.port(), "service-b").code());
        }
    }

    @Test
    void serveRefusesABadCrlAtStart(@TempDir Path dir, @TempDir Path other) {
        pki(dir);
        Support.pki(other, List.of("--cn", "Other root CA", "--key-type", "ec"), List.of());
        revoke(other).expectOk();
        var c = serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withLog(l -> {});
        Failure f = assertThrows(Failure.class, () -> Service.start(c.withCrl(other.resolve("ca.crl"))));
        assertTrue(f.getMessage().contains("is not signed by a CA in " + dir.resolve("ca.crt")), f.getMessage());
        Failure none = assertThrows(Failure.class, () -> Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NONE)
                .withCrl(other.resolve("ca.crl")).withLog(l -> {})));
        assertTrue(none.getMessage().contains("--client-auth none never asks for"), none.getMessage());
        Failure missing = assertThrows(Failure.class, () -> Service.start(c.withCrl(dir.resolve("nope.crl"))));
        assertTrue(missing.getMessage().contains("nope.crl"), missing.getMessage());
    }

    /** A kept-alive TLS connection with a client certificate. */
    static SSLSocket open(Path dir, int port, String name) throws Exception {
        Tls.Identity id = Tls.readIdentity(dir.resolve(name + ".crt"), dir.resolve(name + ".key"), null);
        SSLContext ctx = Tls.context(new ReloadingKeyManager(id.pair()), Tls.trustManager(dir.resolve("ca.crt")));
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(20_000);
        var sp = Tls.parameters(ctx);
        sp.setServerNames(List.of(new SNIHostName(B)));
        sp.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(sp);
        s.startHandshake();
        return s;
    }

    /** One keep-alive GET: the status line, headers and body (serve.java always sends Content-Length). */
    static String get(SSLSocket s) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(("GET / HTTP/1.1\r\nHost: " + B + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) return head.toString();
            head.append((char) c);
        }
        var m = java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
