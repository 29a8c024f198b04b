import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renewal: issue.java --renew FILE re-issues a certificate with the same names, subject,
 * usage and key, a new serial and new dates, keeping the old file as .bak; a running serve.java
 * serves the renewed certificate to new connections without a restart.
 */
class RenewTest {

    static final String B = Support.B;

    @TempDir
    Path dir;

    Support.Result issue(String... args) {
        List<String> a = new ArrayList<>(List.of("--ca", dir.resolve("ca.crt").toString(), "--ca-key", dir.resolve("ca.key").toString()));
        a.addAll(List.of(args));
        return Support.cli(new issue(), a.toArray(String[]::new));
    }

    X509Certificate cert(String name) {
        return Pem.certificate(dir.resolve(name), "certificate");
    }

    @Test
    void serveUsesTheRenewedCertificateWithoutARestartAndTheKeyStaysTheSame() throws Exception {
        Support.pki(dir, List.of("--key-type", "ec"), List.of("--key-type", "ec"), B);
        byte[] key = Files.readAllBytes(dir.resolve("service-b.key"));
        X509Certificate old = cert("service-b.crt");
        List<String> log = new CopyOnWriteArrayList<>();
        try (var b = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NONE).withLog(log::add))) {
            assertEquals(old.getSerialNumber(), Support.servedSerial(b.port(), B, dir));

            Support.Result r = issue("--renew", dir.resolve("service-b.crt").toString()).expectOk();
            X509Certificate renewed = cert("service-b.crt");
            assertNotEquals(old.getSerialNumber(), renewed.getSerialNumber());
            assertTrue(r.out().contains("Renewed " + dir.resolve("service-b.crt") + " (it was serial " + old.getSerialNumber().toString(16)), r::out);
            assertTrue(r.out().contains("Note: kept the existing key"), r::out);

            Support.awaitLog(log, "reloaded ");
            BigInteger seen = Support.servedSerial(b.port(), B, dir);
            assertEquals(renewed.getSerialNumber(), seen, "a new connection sees the new serial");
        }
        assertArrayEquals(key, Files.readAllBytes(dir.resolve("service-b.key")), "the key file is unchanged, byte for byte");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> baks = files.filter(p -> p.getFileName().toString().matches("service-b\\.crt\\..*\\.bak")).toList();
            assertEquals(1, baks.size(), baks::toString);
            assertEquals(old, Pem.certificate(baks.get(0), "backup"), "the old certificate is kept as .bak");
        }
    }

    @Test
    void keepsNamesSubjectUsageAndLengthWithANewSerialAndDates() throws Exception {
        Support.pki(dir, List.of("--key-type", "ec"), List.of());
        issue("--dir", dir.toString(), "--key-type", "ec", "--server-only", "--days", "30", "--org", "DDIM",
                "--key-password", "pass:s3cret", "api.example.com", "10.1.2.3").expectOk();
        X509Certificate old = cert("api.crt");
        Support.sleep(1100); // a later second, so the new validity visibly starts later
        issue("--renew", dir.resolve("api.crt").toString(), "--key-password", "pass:s3cret").expectOk();
        X509Certificate now = cert("api.crt");
        assertEquals(old.getSubjectX500Principal(), now.getSubjectX500Principal());
        assertArrayEquals(old.getExtensionValue("2.5.29.17"), now.getExtensionValue("2.5.29.17"), "the same SANs");
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), now.getExtendedKeyUsage(), "serverAuth only, as before");
        assertEquals(old.getPublicKey(), now.getPublicKey(), "same key");
        assertTrue(now.getNotBefore().after(old.getNotBefore()));
        assertEquals(Duration.ofDays(30), Duration.between(now.getNotBefore().toInstant(), now.getNotAfter().toInstant()));
        assertNotEquals(old.getSerialNumber(), now.getSerialNumber());
        assertTrue(Certs.holder(now).getExtension(Extension.authorityKeyIdentifier) != null);

        // An encrypted key without its password: one line, nothing written.
        Support.Result noPw = issue("--renew", dir.resolve("api.crt").toString());
        assertEquals(1, noPw.code());
        assertTrue(noPw.err().contains("is encrypted: give its password with --key-password"), noPw::all);
        assertEquals(now, cert("api.crt"));

        // --new-key: a new key of the same kind; the old key is kept as .bak too. --days overrides the length.
        issue("--renew", dir.resolve("api.crt").toString(), "--new-key", "--key-password", "pass:n3w", "--days", "7").expectOk();
        X509Certificate rekeyed = cert("api.crt");
        assertNotEquals(now.getPublicKey(), rekeyed.getPublicKey());
        assertEquals("EC", rekeyed.getPublicKey().getAlgorithm());
        assertTrue(Keys.matches(Cli.readKey(dir.resolve("api.key"), "k", "pass:n3w", "--x"), rekeyed.getPublicKey()));
        assertEquals(Duration.ofDays(7), Duration.between(rekeyed.getNotBefore().toInstant(), rekeyed.getNotAfter().toInstant()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().matches("api\\.key\\..*\\.bak")).count());
        }
    }

    @Test
    void longValidityIsCappedAt825DaysAndTheChainFileIsRenewedToo() throws Exception {
        Support.pki(dir, List.of("--key-type", "ec"), List.of());
        issue("--dir", dir.toString(), "--key-type", "ec", "--days", "1000", "--client-only", "--chain", "alice@example.com").expectOk();
        Support.Result r = issue("--renew", dir.resolve("alice.crt").toString()).expectOk();
        X509Certificate now = cert("alice.crt");
        assertEquals(Duration.ofDays(825), Duration.between(now.getNotBefore().toInstant(), now.getNotAfter().toInstant()));
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), now.getExtendedKeyUsage(), "clientAuth only, as before");
        assertEquals(now, Pem.certificate(dir.resolve("alice-chain.crt"), "chain"), "the -chain.crt is renewed too");
        assertTrue(r.out().contains("Wrote " + dir.resolve("alice-chain.crt")), r::out);
    }

    @Test
    void refusesAnotherCasCertificateAMismatchedKeyAndMixedFlags() throws Exception {
        Support.pki(dir, List.of("--key-type", "ec"), List.of("--key-type", "ec"), B);
        Path other = Support.pki(dir.resolve("other"), List.of("--key-type", "ec", "--cn", "Other root"), List.of("--key-type", "ec"),
                "stranger.example.com");
        Path stranger = other.resolve("stranger.crt");
        byte[] before = Files.readAllBytes(stranger);

        Support.Result wrongCa = issue("--renew", stranger.toString());
        assertEquals(1, wrongCa.code());
        assertTrue(wrongCa.err().contains("was issued by \"CN=Other root\", not by the CA " + dir.resolve("ca.crt")
                + ": give that CA with --ca and --ca-key, or add --any-issuer"), wrongCa::all);
        assertArrayEquals(before, Files.readAllBytes(stranger));
        // --any-issuer moves it to our CA.
        issue("--renew", stranger.toString(), "--any-issuer").expectOk();
        assertEquals(cert("ca.crt").getSubjectX500Principal(), Pem.certificate(stranger, "c").getIssuerX500Principal());

        // A key that does not belong to the certificate.
        Files.copy(other.resolve("stranger.key"), dir.resolve("service-b.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Support.Result mismatch = issue("--renew", dir.resolve("service-b.crt").toString());
        assertEquals(1, mismatch.code());
        assertTrue(mismatch.err().contains("does not belong to " + dir.resolve("service-b.crt") + " (their public keys differ); "
                + "add --new-key"), mismatch::all);

        // What renew does not take: a name (it keeps the certificate's), a usage, a key type without
        // --new-key (bad input: 1), and options of the other modes (bad usage: 2).
        for (String[] bad : List.of(new String[] {"extra.example.com"}, new String[] {"--key-type", "rsa"})) {
            List<String> a = new ArrayList<>(List.of("--renew", dir.resolve("service-b.crt").toString()));
            a.addAll(List.of(bad));
            Support.Result r = issue(a.toArray(String[]::new));
            assertEquals(1, r.code(), () -> List.of(bad) + ": " + r.all());
            assertTrue(r.err().startsWith("error: renew"), r::all);
        }
        for (String[] bad : List.of(new String[] {"--server-only"}, new String[] {"--dir", dir.toString()})) {
            List<String> a = new ArrayList<>(List.of("--renew", dir.resolve("service-b.crt").toString()));
            a.addAll(List.of(bad));
            Support.Result r = issue(a.toArray(String[]::new));
            assertEquals(2, r.code(), () -> List.of(bad) + ": " + r.all());
            assertTrue(r.err().startsWith("error: Unknown option: '" + bad[0] + "'"), r::all);
        }
        assertEquals(2, issue("--new-key", "x.example.com").code(), "--new-key belongs to renew");
        assertEquals(1, issue("--renew", dir.resolve("ca.crt").toString()).code(), "a CA is not renewed this way");
        assertFalse(Files.exists(dir.resolve("x.crt")));
    }

    /**
     * In a terminal, renewing certificates whose keys are encrypted asks for each key's password once,
     * naming the key, and succeeds with that one answer: with --key-password prompt (what ca.java
     * prints after replacing a CA) for two keys, and with no --key-password for one. The run is a real
     * process (issue.java's main, on the suite's class path) in a pseudo-terminal made by Python's pty
     * module, which answers each prompt as a person would.
     */
    @Test
    @Tag("process")
    void renewInATerminalAsksOnceForEachEncryptedKeyAndNamesIt() throws Exception {
        Support.requireTool("python3", "python3");
        Support.cli(new ca(), "--dir", dir.toString(), "--key-type", "ec").expectOk();
        Support.cli(new issue(), "--dir", dir.toString(), "--key-type", "ec", "--key-password", "pass:s3cret pw",
                "--each", "service-a.example.com", B).expectOk();
        Path a = dir.resolve("service-a.crt"), b = dir.resolve("service-b.crt");
        byte[] keyBefore = Files.readAllBytes(dir.resolve("service-a.key"));
        BigInteger serialBefore = cert("service-a.crt").getSerialNumber();

        String both = inTerminal("s3cret pw", "renew", "--key-password", "prompt", a.toString(), b.toString());
        assertEquals(List.of("Password for key " + dir.resolve("service-a.key") + ": ", "Password for key " + dir.resolve("service-b.key") + ": "),
                prompts(both), both);
        assertTrue(both.contains("Renewed " + a) && both.contains("Renewed " + b), both);
        assertNotEquals(serialBefore, cert("service-a.crt").getSerialNumber(), "renewed");
        assertArrayEquals(keyBefore, Files.readAllBytes(dir.resolve("service-a.key")), "the key stays as it was");

        String one = inTerminal("s3cret pw", "renew", b.toString());
        assertEquals(List.of("Password for key " + dir.resolve("service-b.key") + ": "), prompts(one), one);
        assertTrue(one.contains("Renewed " + b), one);
    }

    /** The prompts in a terminal's output: each text that asks for a password, up to its colon and space. */
    static List<String> prompts(String terminal) {
        List<String> found = new ArrayList<>();
        var m = java.util.regex.Pattern.compile("(?:Password for [^\\r\\n]*?|--key-password): ").matcher(terminal);
        while (m.find()) found.add(m.group());
        return found;
    }

    /** issue.java run with args in a pseudo-terminal that types password at each prompt; its output, once it exited 0. */
    String inTerminal(String password, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("python3", Support.ROOT.resolve("tests/resources/pty_answer.py").toString(), password,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"), "issue"));
        cmd.addAll(List.of(args));
        Support.Result r = Support.exec(dir, java.util.Map.of(), Duration.ofMinutes(3), cmd);
        assertEquals(0, r.code(), r::all);
        return r.out();
    }
}
