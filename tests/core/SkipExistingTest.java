import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** issue.java --skip-existing: what an interrupted batch left is kept when valid, completed, or refused. */
class SkipExistingTest {
    @TempDir static Path caDir;
    @TempDir static Path otherCa;
    @TempDir Path out;

    @BeforeAll
    static void makeCas() {
        Support.pki(caDir, List.of("--key-type", "ec"), List.of());
        Support.pki(otherCa, List.of("--key-type", "ec"), List.of());
    }

    Support.Result issue(String... args) {
        List<String> a = new ArrayList<>(List.of("--dir", out.toString(), "--ca", caDir.resolve("ca.crt").toString(),
                "--ca-key", caDir.resolve("ca.key").toString(), "--key-type", "ec"));
        a.addAll(Arrays.asList(args));
        return Support.cli(new issue(), a.toArray(String[]::new));
    }

    Map<String, byte[]> files() throws Exception {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.toList()) m.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return m;
    }

    static void assertSameFiles(Map<String, byte[]> a, Map<String, byte[]> b) {
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k), b.get(k), k);
    }

    X509Certificate cert(String name) {
        return Pem.certificate(out.resolve(name + ".crt"), "certificate");
    }

    /** A one-line refusal that changed nothing. */
    void refused(String expected, String... args) throws Exception {
        var before = files();
        var r = issue(args);
        assertEquals(1, r.code(), r.all());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(expected) && r.err().contains("--force"), r.err());
        assertSameFiles(before, files());
    }

    @Test
    void completePairsAreSkippedAndTheRestIsIssued() throws Exception {
        issue("--each", "a.example.com", "b.example.com").expectOk();
        var before = files();
        var r = issue("--skip-existing", "--each", "a.example.com", "b.example.com", "c.example.com").expectOk();
        assertTrue(r.out().contains("a.crt and " + out.resolve("a.key") + " exist, match and are signed by this CA; skipped"), r.out());
        assertEquals(1, r.out().split("Issued a certificate").length - 1, "only c is issued: " + r.out());
        for (String f : before.keySet()) assertArrayEquals(before.get(f), Files.readAllBytes(out.resolve(f)), f);
        assertTrue(Keys.matches(Cli.readKey(out.resolve("c.key"), "key", null, "x"), cert("c").getPublicKey()));
        // All there: nothing to do, nothing written.
        var all = files();
        assertFalse(issue("--skip-existing", "--each", "a.example.com", "b.example.com", "c.example.com").expectOk()
                .out().contains("Wrote"));
        assertSameFiles(all, files());
    }

    @Test
    void aKeyWithoutItsCertificateGetsOneForThatKey() throws Exception {
        issue("--key-password", "pass:pw", "a.example.com").expectOk();
        byte[] key = Files.readAllBytes(out.resolve("a.key"));
        Files.delete(out.resolve("a.crt"));
        refused("is encrypted: give its password with --key-password", "--skip-existing", "a.example.com");
        var r = issue("--skip-existing", "--key-password", "pass:pw", "--chain", "a.example.com").expectOk();
        assertTrue(r.out().contains("kept the existing key " + out.resolve("a.key")), r.out());
        assertArrayEquals(key, Files.readAllBytes(out.resolve("a.key")), "the key is never replaced");
        assertTrue(Keys.matches(Cli.readKey(out.resolve("a.key"), "key", "pass:pw", "x"), cert("a").getPublicKey()));
        assertEquals(2, Pem.certificates(out.resolve("a-chain.crt"), "chain").size());
    }

    @Test
    void aCertificateWithoutItsKeyIsIssuedAgainAndKeptAsBak() throws Exception {
        issue("a.example.com").expectOk();
        byte[] old = Files.readAllBytes(out.resolve("a.crt"));
        Files.delete(out.resolve("a.key"));
        var r = issue("--skip-existing", "a.example.com").expectOk();
        assertTrue(r.out().contains("Kept the old file as"), r.out());
        try (Stream<Path> s = Files.list(out)) {
            List<Path> baks = s.filter(p -> p.toString().endsWith(".bak")).toList();
            assertEquals(1, baks.size());
            assertArrayEquals(old, Files.readAllBytes(baks.get(0)));
        }
        assertTrue(Keys.matches(Cli.readKey(out.resolve("a.key"), "key", null, "x"), cert("a").getPublicKey()));
    }

    @Test
    void whatCannotBeCheckedIsRefusedUnlessForce(@TempDir Path other) throws Exception {
        issue("--each", "a.example.com", "b.example.com").expectOk();
        // Issued for other names than asked now.
        refused("is for other names", "--skip-existing", "--name", "b", "b2.example.com");
        // A certificate with another name's key.
        Files.copy(out.resolve("b.key"), out.resolve("a.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        refused("does not match", "--skip-existing", "a.example.com");
        // Signed by another CA.
        Support.cli(new issue(), "--dir", other.toString(), "--ca", otherCa.resolve("ca.crt").toString(),
                "--ca-key", otherCa.resolve("ca.key").toString(), "--key-type", "ec", "b.example.com").expectOk();
        for (String f : List.of("b.crt", "b.key"))
            Files.copy(other.resolve(f), out.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        refused("is not signed by this CA", "--skip-existing", "b.example.com");
        // A damaged key.
        String k = Files.readString(out.resolve("b.key"));
        Files.writeString(out.resolve("b.key"), k.substring(0, k.length() / 2));
        refused("cannot read existing key", "--skip-existing", "b.example.com");
        // --force replaces them, keeping backups.
        issue("--skip-existing", "--force", "--each", "a.example.com", "b.example.com").expectOk();
        for (String n : List.of("a", "b"))
            assertTrue(Keys.matches(Cli.readKey(out.resolve(n + ".key"), "key", null, "x"), cert(n).getPublicKey()));
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(4, s.filter(p -> p.toString().endsWith(".bak")).count());
        }
    }

    @Test
    void anExpiredCertificateIsRefused() throws Exception {
        X509Certificate ca = Pem.certificate(caDir.resolve("ca.crt"), "CA");
        KeyPair kp = Keys.generate(Keys.KeyType.parse("ec"), null);
        Instant end = Instant.now().minus(1, ChronoUnit.DAYS);
        var cert = Certs.leaf(kp.getPublic(), new X500Name("CN=a.example.com"),
                List.of(new GeneralName(GeneralName.dNSName, "a.example.com")), Certs.Usage.SERVER_AND_CLIENT, ca,
                Cli.readKey(caDir.resolve("ca.key"), "key", null, "x"), end.minus(30, ChronoUnit.DAYS), end);
        SafeFiles.writeAll(List.of(SafeFiles.OutFile.key(out.resolve("a.key"), Pem.key(kp.getPrivate(), null)),
                SafeFiles.OutFile.cert(out.resolve("a.crt"), Certs.pem(cert))), false);
        refused("has expired", "--skip-existing", "a.example.com");
    }

    @Test
    void temporaryFilesOfAKilledRunAreRemoved() throws Exception {
        Files.createDirectories(out);
        Path keyTmp = Files.writeString(out.resolve(".a.key.123456789.tmp"), "half a key");
        Path crtTmp = Files.writeString(out.resolve(".a.crt.987.tmp"), "half a certificate");
        Path otherTmp = Files.writeString(out.resolve(".z.key.5.tmp"), "another batch's");
        Path lookalike = Files.writeString(out.resolve(".a.key.notdigits.tmp"), "not ours");
        issue("a.example.com").expectOk();
        assertTrue(Files.exists(keyTmp), "without --skip-existing nothing is cleaned");
        issue("--skip-existing", "a.example.com").expectOk();
        assertFalse(Files.exists(keyTmp) || Files.exists(crtTmp), "the batch's leftovers are gone");
        assertTrue(Files.exists(otherTmp) && Files.exists(lookalike), "only the batch's own temporary files go");
    }

    @Test
    void skipExistingDoesNotCombineWithCsr() throws Exception {
        var r = Support.cli(new issue(), "--dir", out.toString(), "--ca", caDir.resolve("ca.crt").toString(),
                "--ca-key", caDir.resolve("ca.key").toString(), "--skip-existing", "--csr", caDir.resolve("ca.crt").toString());
        assertEquals(2, r.code(), "sign (the --csr mode) has no --skip-existing: bad usage");
        assertTrue(r.err().contains("Unknown option: '--skip-existing'"), r.err());
    }
}
