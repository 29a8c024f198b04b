import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input ends in one line starting "error:", exit code 1, no stack trace,
 * and no file created or changed anywhere under the test folder.
 */
class BadInputTest {
    @TempDir static Path root;
    static Path good, other, bad;

    @BeforeAll
    static void setUp() throws Exception {
        good = Support.pki(root.resolve("good"), List.of(), List.of(), "service-a.example.com");
        other = Support.pki(root.resolve("other"), List.of(), List.of());
        Support.pki(root.resolve("enc"), List.of("--key-password", "pass:right"), List.of());
        bad = Files.createDirectories(root.resolve("bad"));
        String ca = Files.readString(good.resolve("ca.crt"));
        Files.writeString(bad.resolve("truncated.crt"), ca.substring(0, ca.length() / 2));
        Files.writeString(bad.resolve("corrupt.crt"), ca.substring(0, 200) + "!!!!%%%%" + ca.substring(208));
        Files.writeString(bad.resolve("empty.crt"), "");
        Files.write(bad.resolve("garbage.crt"), new byte[] {0x30, (byte) 0x82, 0x7f, 0x7f, 1, 2, 3});
        Files.write(bad.resolve("utf16.crt"), ca.getBytes(java.nio.charset.StandardCharsets.UTF_16));
        String key = Files.readString(good.resolve("ca.key"));
        Files.writeString(bad.resolve("truncated.key"), key.substring(0, key.length() / 2) + "\n-----END PRIVATE KEY-----\n");
        writeExpiredCa(bad);
        writeBadSignatureCsr(bad);
        Files.writeString(bad.resolve("a-file"), "not a folder");
    }

    /** A CA whose validity ended yesterday, made with the same code as ca.java. */
    static void writeExpiredCa(Path dir) {
        KeyPair kp = Keys.generate(Keys.KeyType.RSA, null);
        Instant end = Instant.now().minus(1, ChronoUnit.DAYS);
        var cert = Certs.root(kp, new X500Name("CN=expired root"), end.minus(30, ChronoUnit.DAYS), end, null);
        SafeFiles.writeAll(List.of(SafeFiles.OutFile.cert(dir.resolve("expired-ca.crt"), Certs.pem(cert)),
                SafeFiles.OutFile.key(dir.resolve("expired-ca.key"), Pem.key(kp.getPrivate(), null))), false);
    }

    /** A valid CSR with one byte of its signature flipped. */
    static void writeBadSignatureCsr(Path dir) throws Exception {
        KeyPair kp = Keys.generate(Keys.KeyType.RSA, null);
        var csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=tampered.example.com"), kp.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate()));
        byte[] der = csr.getEncoded();
        der[der.length - 5] ^= 0x01;
        Files.writeString(dir.resolve("tampered.csr"), Certs.pem("CERTIFICATE REQUEST", der));
    }

    /** Runs issue.java with the given CA files and arguments; asserts the failure contract. */
    private static String refused(Object command, String expected, String... args) {
        Map<String, String> before = snapshot();
        var r = Support.cli(command, args);
        assertEquals(1, r.code(), () -> "expected exit 1 for " + Arrays.toString(args) + "\n" + r.all());
        String[] lines = r.err().strip().split("\n");
        assertEquals(1, lines.length, () -> "expected one line, got:\n" + r.err());
        assertTrue(lines[0].startsWith("error: "), r.err());
        assertTrue(lines[0].contains(expected), () -> "expected '" + expected + "' in: " + lines[0]);
        assertFalse(r.all().contains("Exception") || r.all().contains("\tat "), "no stack trace: " + r.all());
        assertEquals(before, snapshot(), "no file created or changed");
        return lines[0];
    }

    private static String issueRefused(String expected, Path caCrt, Path caKey, String... more) {
        List<String> a = new ArrayList<>(List.of("--dir", root.resolve("out").toString(),
                "--ca", caCrt.toString(), "--ca-key", caKey.toString()));
        a.addAll(Arrays.asList(more));
        return refused(new issue(), expected, a.toArray(String[]::new));
    }

    private static String issueRefused(String expected, String... more) {
        return issueRefused(expected, good.resolve("ca.crt"), good.resolve("ca.key"), more);
    }

    /** Bytes that should have been text: UTF-8 as its characters, any other byte as \\xNN, never Latin-1. */
    @Test
    void bytesAreShownAsTheySay() {
        byte[] utf8 = "b\u00fccher".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals("b\u00fccher", Text.bytes(utf8));
        assertEquals("b\\xFCcher", Text.bytes("b\u00fccher".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)));
        assertEquals("x\\xC3(", Text.bytes(new byte[] {'x', (byte) 0xC3, '('}));
        assertEquals("\\xED\\xA0\\x80", Text.bytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}), "a surrogate is not UTF-8");
        assertEquals("\\xC0\\xAF", Text.bytes(new byte[] {(byte) 0xC0, (byte) 0xAF}), "nor an overlong form");
        assertEquals("a\\x1Bb", Text.bytes(new byte[] {'a', 0x1b, 'b'}), "a control character is escaped as always");
        assertEquals("\ud55c", Text.bytes("\ud55c".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(Text.isUtf8(utf8));
        assertFalse(Text.isUtf8(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}), "past U+10FFFF");
    }

    @Test
    void missingOrUnreadableCa() {
        issueRefused("no such file", root.resolve("nope/ca.crt"), good.resolve("ca.key"), "x.example.com");
        issueRefused("no such file", good.resolve("ca.crt"), root.resolve("nope/ca.key"), "x.example.com");
        issueRefused("it is a folder", good, good.resolve("ca.key"), "x.example.com");
    }

    @Test
    void corruptTruncatedEmptyOrWrongTypePem() {
        issueRefused("damaged or truncated", bad.resolve("truncated.crt"), good.resolve("ca.key"), "x.example.com");
        issueRefused("damaged or truncated", bad.resolve("corrupt.crt"), good.resolve("ca.key"), "x.example.com");
        issueRefused("the file is empty", bad.resolve("empty.crt"), good.resolve("ca.key"), "x.example.com");
        issueRefused("neither a PEM nor a DER certificate", bad.resolve("garbage.crt"), good.resolve("ca.key"), "x.example.com");
        issueRefused("neither a PEM nor a DER certificate", bad.resolve("utf16.crt"), good.resolve("ca.key"), "x.example.com");
        issueRefused("found: PRIVATE KEY", good.resolve("ca.key"), good.resolve("ca.key"), "x.example.com");
        issueRefused("holds no private key (found: CERTIFICATE)", good.resolve("ca.crt"), good.resolve("ca.crt"), "x.example.com");
        issueRefused("CA key", good.resolve("ca.crt"), bad.resolve("truncated.key"), "x.example.com");
    }

    @Test
    void wrongOrMissingPassword() {
        Path enc = root.resolve("enc");
        String line = issueRefused("wrong password", enc.resolve("ca.crt"), enc.resolve("ca.key"),
                "--ca-key-password", "pass:wrong", "x.example.com");
        assertFalse(line.contains("right"), "the password never appears in a message");
        issueRefused("is encrypted: give its password with --ca-key-password", enc.resolve("ca.crt"),
                enc.resolve("ca.key"), "x.example.com");
        issueRefused("environment variable NO_SUCH_VARIABLE_HERE is not set", enc.resolve("ca.crt"),
                enc.resolve("ca.key"), "--ca-key-password", "env:NO_SUCH_VARIABLE_HERE", "x.example.com");
    }

    @Test
    void keyThatDoesNotMatchItsCertificate() {
        issueRefused("does not belong to CA certificate", good.resolve("ca.crt"), other.resolve("ca.key"), "x.example.com");
    }

    @Test
    void caThatIsNotACaOrHasExpired() {
        issueRefused("is not a CA certificate", good.resolve("service-a.crt"), good.resolve("service-a.key"), "x.example.com");
        issueRefused("expired on", bad.resolve("expired-ca.crt"), bad.resolve("expired-ca.key"), "x.example.com");
    }

    @Test
    void invalidNames() {
        issueRefused("is not a valid DNS name", "--", "-lead.example.com"); // after --, as a NAME
        for (String name : List.of("bad_name.example.com", "a..b.example.com", "trailing.",
                "has space.example.com", "x".repeat(64) + ".example.com"))
            issueRefused("is not a valid DNS name", name);
        for (String ip : List.of("999.1.1.1", "1.2.3", "1.2.3.4.5", "::g", "1:2:3"))
            issueRefused("not a valid IP address", ip);
        issueRefused("not a valid email address", "@example.com");
        issueRefused("not a valid DNS name", "ops@bad_domain");
        issueRefused("too broad a wildcard", "*.com");
    }

    @Test
    void csrWithABadSignature() {
        issueRefused("its signature is bad", "--csr", bad.resolve("tampered.csr").toString());
        issueRefused("holds no certificate request (found: CERTIFICATE)", "--csr", good.resolve("ca.crt").toString());
    }

    @Test
    void outputFolderThatCannotBeWritten() throws IOException {
        // Tests run as root in CI, so permission bits would not stop a write: a file in the way does.
        refused(new issue(), "cannot create folder", "--dir", bad.resolve("a-file/sub").toString(),
                "--ca", good.resolve("ca.crt").toString(), "--ca-key", good.resolve("ca.key").toString(), "x.example.com");
        refused(new ca(), "cannot create folder", "--dir", bad.resolve("a-file").toString());
    }

    @Test
    void badOptionValues() {
        issueRefused("--days must be at least 1", "--days", "0", "x.example.com");
        issueRefused("not a valid RSA size", "--key-size", "1024", "x.example.com");
        issueRefused("is not a key type we make: use rsa, ec or ed25519", "--key-type", "dsa", "x.example.com");
        issueRefused("give at least one NAME");
        issueRefused("--name ca would clash", "--name", "ca", "x.example.com");
        refused(new ca(), "two-letter country code", "--dir", root.resolve("c").toString(), "--country", "Korea");
        refused(new ca(), "not a valid subject", "--dir", root.resolve("c").toString(), "--subject", "/XX=1/CN=x");
        refused(new ca(), "not of the form NAME=value", "--dir", root.resolve("c").toString(), "--subject", "/CN");
    }

    @Test
    void unknownOptionIsAUsageError() {
        var r = Support.cli(new issue(), "--no-such-flag", "x.example.com");
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("error: Unknown option: '--no-such-flag'"), r.err());
    }

    @Test
    void debugShowsTheStackTrace() {
        var r = Support.cli(new issue(), "--debug", "--dir", root.resolve("out").toString(),
                "--ca", root.resolve("nope.crt").toString(), "x.example.com");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    /** Path, size, mode and SHA-256 of every file under the test folder. */
    private static Map<String, String> snapshot() {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                String hash = Files.isRegularFile(p)
                        ? HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)))
                        : "dir";
                m.put(root.relativize(p).toString(), mode + " " + hash);
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return m;
    }
}
