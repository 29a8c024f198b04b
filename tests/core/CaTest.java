import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ca.java: what it writes, what it prints, and that it never loses a CA key. */
class CaTest {
    @TempDir Path tmp;

    @Test
    void writesCaCertAndKeyAndPrintsWhatItMade() throws Exception {
        Path dir = tmp.resolve("certs");
        var r = Support.cli(new ca(), "--dir", dir.toString()).expectOk();
        for (String label : List.of("Subject:", "Issuer:", "Serial:", "Valid:", "Key:", "RSA 2048 bits",
                "Basic constraints (critical):", "CA:TRUE", "keyCertSign, cRLSign", "SHA-256:",
                "Wrote " + dir.resolve("ca.crt"), "Wrote " + dir.resolve("ca.key")))
            assertTrue(r.out().contains(label), () -> "missing '" + label + "' in:\n" + r.out());
        // certs/ is made 0700 because it holds keys; keys 0600, certificates 0644.
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.key"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca.crt"))));
        X509Certificate c = Pem.certificate(dir.resolve("ca.crt"), "CA");
        assertTrue(c.getSubjectX500Principal().getName().startsWith("CN=jbang-mtls root CA"), "a meaningful default CN");
        long days = (c.getNotAfter().getTime() - c.getNotBefore().getTime()) / 86_400_000L;
        assertEquals(3650, days);
        assertTrue(Keys.matches(Cli.readKey(dir.resolve("ca.key"), "key", null, "x"), c.getPublicKey()));
        // No temporary files are left behind.
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("ca.crt", "ca.key"), files.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void subjectFieldsOfTheTutorial() {
        Path dir = tmp.resolve("a");
        Support.cli(new ca(), "--dir", dir.toString(), "--country", "KR", "--state", "Seongnam-si", "--locality",
                "Bundang-gu", "--org", "DDIM", "--org-unit", "Engineer", "--email", "example@example.com",
                "--cn", "example root").expectOk();
        String subject = Certs.holder(Pem.certificate(dir.resolve("ca.crt"), "CA")).getSubject().toString();
        assertEquals("C=KR,ST=Seongnam-si,L=Bundang-gu,O=DDIM,OU=Engineer,E=example@example.com,CN=example root", subject);
    }

    @Test
    void wholeSubjectInOpensslAndRfcForms() {
        Path a = tmp.resolve("a"), b = tmp.resolve("b");
        Support.cli(new ca(), "--dir", a.toString(), "--subject", "/C=KR/O=DDIM/CN=example root").expectOk();
        Support.cli(new ca(), "--dir", b.toString(), "--subject", "C=KR,O=DDIM,CN=example root").expectOk();
        assertEquals("C=KR,O=DDIM,CN=example root", Certs.holder(Pem.certificate(a.resolve("ca.crt"), "CA")).getSubject().toString());
        assertEquals("C=KR,O=DDIM,CN=example root", Certs.holder(Pem.certificate(b.resolve("ca.crt"), "CA")).getSubject().toString());
    }

    @Test
    void keyTypesAndDays() {
        record Case(String[] args, String key) {}
        for (Case k : List.of(new Case(new String[] {"--key-type", "ec"}, "EC P-256"),
                new Case(new String[] {"--key-type", "ec", "--key-size", "384"}, "EC P-384"),
                new Case(new String[] {"--key-type", "ed25519"}, "Ed25519"),
                new Case(new String[] {"--key-size", "3072", "--days", "30"}, "RSA 3072 bits"))) {
            Path dir = tmp.resolve(k.key().replace(' ', '_'));
            String[] args = Stream.concat(Stream.of("--dir", dir.toString()), Stream.of(k.args())).toArray(String[]::new);
            var r = Support.cli(new ca(), args).expectOk();
            assertTrue(r.out().contains("Key:") && r.out().contains(k.key()), r.out());
        }
        X509Certificate c = Pem.certificate(tmp.resolve("RSA_3072_bits/ca.crt"), "CA");
        assertEquals(30, (c.getNotAfter().getTime() - c.getNotBefore().getTime()) / 86_400_000L);
    }

    @Test
    void neverOverwritesACaKeyAndForceKeepsABackup() throws Exception {
        Path dir = tmp.resolve("certs");
        Support.cli(new ca(), "--dir", dir.toString()).expectOk();
        byte[] oldKey = Files.readAllBytes(dir.resolve("ca.key"));
        byte[] oldCrt = Files.readAllBytes(dir.resolve("ca.crt"));

        var refused = Support.cli(new ca(), "--dir", dir.toString());
        assertEquals(1, refused.code());
        assertTrue(refused.err().startsWith("error: ") && refused.err().contains("already exists")
                && refused.err().contains("--force"), refused.err());
        assertArrayEquals(oldKey, Files.readAllBytes(dir.resolve("ca.key")), "the CA key is untouched");

        var forced = Support.cli(new ca(), "--dir", dir.toString(), "--force").expectOk();
        assertTrue(forced.out().contains("Kept the old file as"), forced.out());
        List<Path> backups;
        try (Stream<Path> s = Files.list(dir)) {
            backups = s.filter(p -> p.getFileName().toString().matches("ca\\.key\\.\\d{8}-\\d{6}\\.bak")).toList();
        }
        assertEquals(1, backups.size(), "one timestamped backup of the key");
        assertArrayEquals(oldKey, Files.readAllBytes(backups.get(0)), "the backup holds the old key");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backups.get(0))));
        assertTrue(!java.util.Arrays.equals(oldCrt, Files.readAllBytes(dir.resolve("ca.crt"))), "a new CA was made");
    }

    @Tag("process")
    @Test
    void encryptedCaKeyIsReadableByIssue() throws Exception {
        Path dir = tmp.resolve("certs");
        Support.cli(new ca(), "--dir", dir.toString(), "--key-password", "pass:s3cret").expectOk();
        String key = Files.readString(dir.resolve("ca.key"));
        assertTrue(key.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), key);
        Support.cli(new issue(), "--dir", dir.toString(), "--ca", dir.resolve("ca.crt").toString(),
                "--ca-key", dir.resolve("ca.key").toString(), "--ca-key-password", "pass:s3cret",
                "service-a.example.com").expectOk();
        // OpenSSL 3 reads our encrypted key too (the tutorial's -aes256 step, done right).
        Support.requireTool("openssl", "openssl");
        var r = Support.exec(dir, "openssl", "pkey", "-in", "ca.key", "-passin", "pass:s3cret", "-noout", "-text");
        assertEquals(0, r.code(), r.all());
        var asn1 = Support.exec(dir, "openssl", "asn1parse", "-in", "ca.key").expectOk();
        assertTrue(asn1.out().contains("aes-256-cbc") && asn1.out().contains("hmacWithSHA256"), asn1.out());
    }
}
