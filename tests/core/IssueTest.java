import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** issue.java: names, file names, usages, and the extra outputs (encrypted key, PKCS#12, chain). */
class IssueTest {
    @TempDir static Path caDir;
    @TempDir Path out;

    @BeforeAll
    static void makeCa() {
        Support.pki(caDir, List.of(), List.of());
    }

    private Support.Result issue(String... args) {
        List<String> a = new ArrayList<>(List.of("--dir", out.toString(), "--ca", caDir.resolve("ca.crt").toString(),
                "--ca-key", caDir.resolve("ca.key").toString()));
        a.addAll(Arrays.asList(args));
        return Support.cli(new issue(), a.toArray(String[]::new));
    }

    private X509Certificate cert(String file) {
        return Pem.certificate(out.resolve(file), "certificate");
    }

    private static String sans(X509Certificate c) {
        return Names.sans(org.bouncycastle.asn1.x509.GeneralNames.fromExtensions(
                Certs.holder(c).getExtensions(), Extension.subjectAlternativeName));
    }

    @Test
    void firstNameGivesFileNameAndCnAndTheRestAreSans() throws Exception {
        var r = issue("service-a.example.com", "localhost", "127.0.0.1", "::1", "ops@example.com",
                "spiffe://example.org/ns/default/sa/service-a").expectOk();
        X509Certificate c = cert("service-a.crt");
        assertEquals("CN=service-a.example.com", c.getSubjectX500Principal().getName());
        assertEquals("DNS:service-a.example.com, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, "
                + "email:ops@example.com, URI:spiffe://example.org/ns/default/sa/service-a", sans(c));
        assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), c.getExtendedKeyUsage(), "serverAuth + clientAuth");
        assertEquals(365, (c.getNotAfter().getTime() - c.getNotBefore().getTime()) / 86_400_000L);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("service-a.key"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("service-a.crt"))));
        assertTrue(r.out().contains("Wrote " + out.resolve("service-a.key")), r.out());
        assertTrue(Keys.matches(Cli.readKey(out.resolve("service-a.key"), "key", null, "x"), c.getPublicKey()));
    }

    /**
     * A folder with no CA gets one on first use, as with mkcert and minica, in the same run and the
     * same write as the certificates; never when a CA file is there but unreadable, or --ca is given,
     * and nothing at all when the run fails.
     */
    @Tag("process")
    @Test
    void aFolderWithoutACaGetsOneOnFirstUse() throws Exception {
        Path d = out.resolve("fresh");
        var r = Support.cli(new issue(), "--dir", d.toString(), "--key-type", "ec", "--each", "service-a.example.com", "service-b.example.com").expectOk();
        assertTrue(r.out().startsWith("No CA in " + d + ": created " + d.resolve("ca.crt") + " and " + d.resolve("ca.key")), r.out());
        X509Certificate ca = Support.cert(d.resolve("ca.crt"));
        assertTrue(ca.getBasicConstraints() >= 0 && ca.getSubjectX500Principal().getName().contains("jbang-mtls root CA"), ca.toString());
        Support.assertVerifyOk(d, "ca.crt", "service-a.crt", "sslserver", true);
        Support.assertVerifyOk(d, "ca.crt", "service-b.crt", "sslclient", true);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
        // The second run signs with that CA, and says nothing about a new one.
        var again = Support.cli(new issue(), "--dir", d.toString(), "--key-type", "ec", "c.example.com").expectOk();
        assertFalse(again.out().contains("No CA"), again.out());
        Support.assertVerifyOk(d, "ca.crt", "c.crt", "sslserver", true);

        Path unreadable = Files.createDirectories(out.resolve("unreadable"));
        Files.writeString(unreadable.resolve("ca.key"), "not a key");
        var refused = Support.cli(new issue(), "--dir", unreadable.toString(), "x.example.com");
        assertEquals(1, refused.code(), refused.all());
        assertTrue(refused.err().contains("cannot read CA certificate " + unreadable.resolve("ca.crt") + ": no such file"), refused.err());
        assertEquals(List.of("ca.key"), Files.list(unreadable).map(p -> p.getFileName().toString()).toList());

        var named = Support.cli(new issue(), "--dir", out.resolve("named").toString(), "--ca", out.resolve("nope.crt").toString(), "x.example.com");
        assertEquals(1, named.code(), named.all());
        assertFalse(Files.exists(out.resolve("named")), "--ca given: no CA is made");

        var bad = Support.cli(new issue(), "--dir", out.resolve("bad").toString(), "good.example.com", "bad name!");
        assertEquals(1, bad.code(), bad.all());
        assertFalse(Files.exists(out.resolve("bad")), "a failed run leaves no CA behind");
    }

    @Test
    void eachIssuesOneCertificatePerNameInOneRun() {
        issue("--each", "service-a.example.com", "service-b.example.com", "10.0.0.7").expectOk();
        assertEquals("DNS:service-a.example.com", sans(cert("service-a.crt")));
        assertEquals("DNS:service-b.example.com", sans(cert("service-b.crt")));
        assertEquals("IP Address:10.0.0.7", sans(cert("10.0.0.7.crt")));
        assertFalse(cert("service-a.crt").getSerialNumber().equals(cert("service-b.crt").getSerialNumber()));
    }

    @Test
    void nameOverrideWildcardAndInternationalNames() {
        issue("--name", "edge", "*.example.com").expectOk();
        assertEquals("DNS:*.example.com", sans(cert("edge.crt")));
        issue("*.internal.example.com").expectOk();
        assertTrue(Files.exists(out.resolve("wildcard.internal.crt")));
        issue("bücher.example").expectOk();
        assertEquals("DNS:xn--bcher-kva.example", sans(cert("xn--bcher-kva.crt")));
    }

    @Test
    void serverOnlyAndClientOnlyNarrowTheExtendedKeyUsage() throws Exception {
        issue("--server-only", "--name", "s", "s.example.com").expectOk();
        issue("--client-only", "--name", "c", "alice@example.com").expectOk();
        assertEquals(List.of("1.3.6.1.5.5.7.3.1"), cert("s.crt").getExtendedKeyUsage());
        assertEquals(List.of("1.3.6.1.5.5.7.3.2"), cert("c.crt").getExtendedKeyUsage());
        assertEquals(1, issue("--server-only", "--client-only", "x.example.com").code());
    }

    @Test
    void longUriWithoutCnMakesTheSanCritical() {
        String id = "spiffe://example.org/" + "very-long-path-segment/".repeat(4) + "svc";
        issue("--name", "svc", id).expectOk();
        X509Certificate c = cert("svc.crt");
        assertEquals("", c.getSubjectX500Principal().getName(), "a URI over 64 characters cannot be the CN");
        assertTrue(c.getCriticalExtensionOIDs().contains(Extension.subjectAlternativeName.getId()),
                "no CN: the SAN must be critical (-x509_strict error 88)");
    }

    @Test
    void daysAboveAppleLimitWarn() {
        var r = issue("--days", "1000", "long.example.com").expectOk();
        assertTrue(r.err().contains("Warning:") && r.err().contains("825"), r.err());
        assertEquals("", issue("--days", "825", "ok.example.com").expectOk().err());
    }

    @Test
    void keyTypes() {
        issue("--key-type", "ec", "--name", "ec", "ec.example.com").expectOk();
        issue("--key-type", "ed25519", "--name", "ed", "ed.example.com").expectOk();
        assertEquals("EC P-256", Keys.describe(cert("ec.crt").getPublicKey()));
        assertEquals("Ed25519", Keys.describe(cert("ed.crt").getPublicKey()));
        // keyEncipherment only for RSA keys (docs/PROFILE.md); digitalSignature always.
        assertArrayEquals(new boolean[] {true, false, false, false, false, false, false, false, false},
                cert("ec.crt").getKeyUsage());
    }

    @Tag("process")
    @Test
    void encryptedKeyP12AndChain() throws Exception {
        issue("--key-password", "pass:p4ss", "--p12", "--chain", "service-a.example.com").expectOk();
        assertTrue(Files.readString(out.resolve("service-a.key")).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        List<X509Certificate> chain = Pem.certificates(out.resolve("service-a-chain.crt"), "chain");
        assertEquals(2, chain.size());
        assertEquals(cert("service-a.crt"), chain.get(0));
        assertEquals(Pem.certificate(caDir.resolve("ca.crt"), "CA"), chain.get(1));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("service-a.p12"))));

        Support.requireTool("openssl", "openssl");
        Support.requireTool("keytool", "a JDK");
        // OpenSSL 3 reads the bundle without -legacy (mkcert's RC2 bundles need it), and the key too.
        var info = Support.exec(out, "openssl", "pkcs12", "-in", "service-a.p12", "-passin", "pass:p4ss", "-info", "-nokeys");
        assertEquals(0, info.code(), info.all());
        assertTrue(info.all().contains("AES-256-CBC") && info.all().contains("subject=CN = service-a.example.com"), info.all());
        Support.exec(out, "openssl", "pkey", "-in", "service-a.key", "-passin", "pass:p4ss", "-noout").expectOk();
        var ks = Support.exec(out, "keytool", "-list", "-keystore", "service-a.p12", "-storepass", "p4ss");
        assertEquals(0, ks.code(), ks.all());
        assertTrue(ks.out().contains("PrivateKeyEntry"), ks.out());
    }

    @Test
    void existingKeyIsKeptUnlessForceAndThenBackedUp() throws Exception {
        issue("service-a.example.com").expectOk();
        byte[] key = Files.readAllBytes(out.resolve("service-a.key"));
        var r = issue("service-a.example.com");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("already exists") && r.err().contains("--force"), r.err());
        assertArrayEquals(key, Files.readAllBytes(out.resolve("service-a.key")));

        issue("--force", "service-a.example.com").expectOk();
        try (Stream<Path> s = Files.list(out)) {
            List<Path> baks = s.filter(p -> p.getFileName().toString().startsWith("service-a.key.")
                    && p.toString().endsWith(".bak")).toList();
            assertEquals(1, baks.size());
            assertArrayEquals(key, Files.readAllBytes(baks.get(0)));
        }
        assertFalse(Arrays.equals(key, Files.readAllBytes(out.resolve("service-a.key"))));
    }

    @Test
    void eachChecksEveryTargetBeforeWritingAny() {
        issue("service-b.example.com").expectOk();
        // service-b exists, so nothing at all is written: not even service-a, which comes first.
        assertEquals(1, issue("--each", "service-a.example.com", "service-b.example.com").code());
        assertFalse(Files.exists(out.resolve("service-a.crt")));
    }
}
