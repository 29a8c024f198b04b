import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tutorial's own OpenSSL artefacts (the OpenSSL tutorial "mTLS with OpenSSL", sections 1 and 2), made with its
 * exact commands, work with issue.java: its root CA and root key, in every key file form OpenSSL
 * writes, and its CSR. The peers are real: openssl verify, openssl s_server and curl.
 */
@Tag("process")
class TutorialOpensslTest {

    static final String A = Support.A, B = Support.B;
    static final String PASSWORD = "secret";

    /** Section 2.2's service-a.conf: the same fields with CN=service-a.example.com, and no SAN. */
    static final String SERVICE_A_CONF = """
            [ req ]
            prompt             = no
            distinguished_name = dn
            [ dn ]
            C            = KR
            ST           = Seongnam-si
            L            = Bundang-gu
            O            = DDIM
            OU           = Engineer
            emailAddress = example@example.com
            CN           = service-a.example.com
            """;

    // ------------------------------------------------------------------ the tutorial's root CA

    @Test
    void tutorialRootSignsOurLeavesAndTheyWorkInMtls(@TempDir Path dir) throws Exception {
        Support.requireTool("openssl", "openssl");
        Support.requireTool("curl", "curl");
        Support.tutorialRoot(dir, null);
        assertTrue(Files.readString(dir.resolve("root.key")).startsWith("-----BEGIN PRIVATE KEY-----"),
                "OpenSSL 3 genrsa writes PKCS#8");
        issue(dir, "--ca", "ca.crt", "--ca-key", "root.key", "--each", A, B).expectOk();

        for (String leaf : List.of("service-a.crt", "service-b.crt"))
            for (String purpose : List.of("sslserver", "sslclient"))
                Support.assertVerifyOk(dir, "ca.crt", leaf, purpose, false);
        // The tutorial's flaw, not ours: its root fails -x509_strict (errors 89 and 92).
        Support.Result strict = Support.verify(dir, "ca.crt", "service-a.crt", "sslserver", true);
        assertEquals(2, strict.code(), strict::all);
        assertTrue(strict.all().contains("error 89 at 1") && strict.all().contains("error 92 at 1"), strict::all);
        // issue.java copied the openssl root's SKI into the AKI (openssl 3 x509 -req adds an SKI).
        assertArrayEquals(Support.ski(Support.cert(dir.resolve("ca.crt"))),
                Support.akiKeyId(Support.cert(dir.resolve("service-a.crt"))));

        try (var server = TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-Verify", "1", "-verify_return_error")) {
            Support.Result r = TlsPeers.curl(dir, "ca.crt", B, server.port(), "/", "-w", TlsPeers.HTTP_CODE,
                    "--cert", "service-a.crt", "--key", "service-a.key").expectOk();
            assertTrue(r.out().contains("http_code=200") && r.out().contains("CN=" + A), r::all);
        }
    }

    // ------------------------------------------------------------------ CA key file forms

    /** The forms in which OpenSSL writes an RSA key, and how each file starts. */
    enum KeyForm {
        ENCRYPTED_PKCS8("-----BEGIN ENCRYPTED PRIVATE KEY-----"), // OpenSSL 3's genrsa -aes256
        LEGACY_ENCRYPTED("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED"), // rsa -aes256 -traditional
        PLAIN_PKCS1("-----BEGIN RSA PRIVATE KEY-----\nMII"); // rsa -traditional, no password

        final String header;

        KeyForm(String header) {
            this.header = header;
        }

        boolean encrypted() {
            return this != PLAIN_PKCS1;
        }
    }

    /** The tutorial's root with an encrypted key, then that key rewritten in the given form as ca-key.pem. */
    private static void rootWithKeyForm(Path dir, KeyForm form) throws IOException {
        Support.tutorialRoot(dir, PASSWORD);
        List<String> rsa = List.of("rsa", "-in", "root.key", "-passin", "pass:" + PASSWORD, "-out", "ca-key.pem");
        switch (form) {
            case ENCRYPTED_PKCS8:
                Files.copy(dir.resolve("root.key"), dir.resolve("ca-key.pem"));
                break;
            case LEGACY_ENCRYPTED:
                Support.openssl(dir, concat(rsa, List.of("-aes256", "-traditional", "-passout", "pass:" + PASSWORD)));
                break;
            case PLAIN_PKCS1:
                Support.openssl(dir, concat(rsa, List.of("-traditional")));
                break;
        }
        String pem = Files.readString(dir.resolve("ca-key.pem"));
        assertTrue(pem.startsWith(form.header), () -> form + " key starts with:\n" + pem.lines().limit(2).toList());
    }

    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void readsCaKeyWithPassPassword(KeyForm form, @TempDir Path dir) throws IOException {
        Support.requireTool("openssl", "openssl");
        rootWithKeyForm(dir, form);
        issue(dir, "--ca", "ca.crt", "--ca-key", "ca-key.pem", "--ca-key-password", "pass:" + PASSWORD, A).expectOk();
        Support.assertVerifyOk(dir, "ca.crt", "service-a.crt", "sslserver", false);
        if (!form.encrypted()) { // a plain key needs no password at all
            issue(dir, "--ca", "ca.crt", "--ca-key", "ca-key.pem", B).expectOk();
            Support.assertVerifyOk(dir, "ca.crt", "service-b.crt", "sslclient", false);
        }
    }

    /** openssl encrypts with an empty password for -passout pass:, and reads it back with -passin pass:; so do we. */
    @ParameterizedTest
    @ValueSource(strings = {"aes256:hmacWithSHA256", "aes128:hmacWithSHA512", "aes192:hmacWithSHA1"})
    void readsCaKeyEncryptedWithAnEmptyPassword(String scheme, @TempDir Path dir) throws IOException {
        Support.requireTool("openssl", "openssl");
        Support.tutorialRoot(dir, PASSWORD);
        String[] s = scheme.split(":");
        Support.openssl(dir, "pkcs8", "-topk8", "-in", "root.key", "-passin", "pass:" + PASSWORD, "-out", "ca-key.pem",
                "-passout", "pass:", "-v2", s[0], "-v2prf", s[1]);
        Support.openssl(dir, "pkey", "-in", "ca-key.pem", "-passin", "pass:", "-noout"); // openssl opens it so
        issue(dir, "--ca", "ca.crt", "--ca-key", "ca-key.pem", "--ca-key-password", "pass:", A).expectOk();
        Support.assertVerifyOk(dir, "ca.crt", "service-a.crt", "sslserver", false);
        var wrong = issue(dir, "--ca", "ca.crt", "--ca-key", "ca-key.pem", "--ca-key-password", "pass:x", B);
        assertEquals(1, wrong.code(), wrong.all());
        assertTrue(wrong.err().contains("ca-key.pem: wrong password"), wrong.err());
        // A new key is never encrypted with an empty password: that would look protected and be not.
        var newKey = issue(dir, "--ca", "ca.crt", "--ca-key", "ca-key.pem", "--ca-key-password", "pass:", "--key-password", "pass:", B);
        assertEquals(1, newKey.code(), newKey.all());
        assertTrue(newKey.err().contains("--key-password pass: is an empty password"), newKey.err());
        assertFalse(Files.exists(dir.resolve("service-b.key")));
    }

    /** env:VAR needs a real environment, so issue runs as its own process (java -cp <test classpath> issue). */
    @ParameterizedTest
    @EnumSource(KeyForm.class)
    void readsCaKeyWithEnvPassword(KeyForm form, @TempDir Path dir) throws IOException {
        Support.requireTool("openssl", "openssl");
        rootWithKeyForm(dir, form);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Support.Result r = Support.exec(dir, Map.of("CA_KEY_PASSWORD", PASSWORD), Support.WAIT,
                List.of(java, "-cp", System.getProperty("java.class.path"), "issue", "--dir", ".", "--ca", "ca.crt",
                        "--ca-key", "ca-key.pem", "--ca-key-password", "env:CA_KEY_PASSWORD", A)).expectOk();
        assertTrue(r.out().contains("Wrote ./service-a.crt"), r::all);
        Support.assertVerifyOk(dir, "ca.crt", "service-a.crt", "sslserver", false);
    }

    @ParameterizedTest
    @EnumSource(value = KeyForm.class, names = {"ENCRYPTED_PKCS8", "LEGACY_ENCRYPTED"})
    void wrongPasswordFailsInOneLineAndWritesNothing(KeyForm form, @TempDir Path dir) throws IOException {
        Support.requireTool("openssl", "openssl");
        rootWithKeyForm(dir, form);
        Set<Path> before = list(dir);
        Support.Result r = issue(dir, "--ca", "ca.crt", "--ca-key", "ca-key.pem", "--ca-key-password", "pass:wrong", A);
        assertEquals(1, r.code(), r::all);
        assertEquals(1, r.err().strip().lines().count(), () -> "one line, not:\n" + r.err());
        assertTrue(r.err().contains("wrong password") && r.err().contains("ca-key.pem"), r::err);
        assertEquals(before, list(dir), "no file created");
    }

    // ------------------------------------------------------------------ the tutorial's CSR

    /**
     * Section 2: service A's key made encrypted and then stripped (2.1), its CSR from service-a.conf
     * with only a CN (2.2), signed by OUR CA. The result gains the SAN the tutorial's -extfile gave,
     * passes -x509_strict, and pairs with the openssl-made key in a real handshake.
     */
    @Test
    void tutorialCsrSignedByOurCaPassesStrictAndHandshakes(@TempDir Path dir) throws Exception {
        Support.requireTool("openssl", "openssl");
        Support.requireTool("curl", "curl");
        Support.pki(dir, List.of(), List.of(), B);
        Support.write(dir.resolve("service-a.conf"), SERVICE_A_CONF);
        Support.openssl(dir, "genrsa", "-aes256", "-passout", "pass:" + PASSWORD, "-out", "service-a-with-pw.key", "2048");
        Support.openssl(dir, "rsa", "-in", "service-a-with-pw.key", "-passin", "pass:" + PASSWORD, "-out", "service-a.key");
        Support.openssl(dir, "req", "-config", "service-a.conf", "-new", "-key", "service-a.key", "-out", "service-a.csr");
        String key = Files.readString(dir.resolve("service-a.key"));

        issue(dir, "--csr", "service-a.csr").expectOk();
        X509Certificate c = Support.cert(dir.resolve("service-a.crt"));
        assertEquals(List.of(A), Support.dnsNames(c));
        // The CSR's whole subject is kept (C=KR ... CN=service-a.example.com), as openssl x509 -req does.
        assertEquals(opensslSubject(dir, "req", "service-a.csr"), opensslSubject(dir, "x509", "service-a.crt"));
        assertEquals(key, Files.readString(dir.resolve("service-a.key")), "a CSR's key is never touched");
        for (String purpose : List.of("sslserver", "sslclient"))
            Support.assertVerifyOk(dir, "ca.crt", "service-a.crt", purpose, true);

        try (var server = TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-Verify", "1", "-verify_return_error", "-x509_strict")) {
            Support.Result r = TlsPeers.curl(dir, "ca.crt", B, server.port(), "/", "-w", TlsPeers.HTTP_CODE,
                    "--cert", "service-a.crt", "--key", "service-a.key").expectOk();
            assertTrue(r.out().contains("http_code=200") && r.out().contains("CN=" + A), r::all);
        }
    }

    @Test
    void csrSansAreKeptAndNamesReplaceThem(@TempDir Path dir) throws Exception {
        Support.requireTool("openssl", "openssl");
        Support.pki(dir, List.of(), List.of());
        Support.openssl(dir, "genrsa", "-out", "svc.key", "2048");
        Support.openssl(dir, "req", "-new", "-key", "svc.key", "-subj", "/CN=svc.example.com",
                "-addext", "subjectAltName=DNS:svc.example.com,DNS:alt.example.com,IP:127.0.0.1", "-out", "svc.csr");

        issue(dir, "--csr", "svc.csr").expectOk();
        X509Certificate kept = Support.cert(dir.resolve("svc.crt"));
        assertEquals(List.of("svc.example.com", "alt.example.com"), Support.dnsNames(kept));
        var keptSans = kept.getSubjectAlternativeNames();
        assertTrue(keptSans.contains(List.of(7, "127.0.0.1")), () -> "IP SAN kept: " + keptSans);
        // openssl checks the name and the IP against the SAN, as a TLS client would.
        for (var check : Map.of("-verify_hostname", "alt.example.com", "-verify_ip", "127.0.0.1").entrySet()) {
            Support.Result r = Support.exec(dir, "openssl", "verify", "-x509_strict", "-purpose", "sslserver",
                    check.getKey(), check.getValue(), "-CAfile", "ca.crt", "svc.crt").expectOk();
            assertTrue(r.out().contains("svc.crt: OK"), r::all);
        }
        Support.Result wrong = Support.exec(dir, "openssl", "verify", "-verify_hostname", "nope.example.com",
                "-CAfile", "ca.crt", "svc.crt");
        assertTrue(wrong.code() != 0 && wrong.all().contains("hostname mismatch"), wrong::all);

        // NAME arguments replace the CSR's SANs, and the CN follows the first of them.
        issue(dir, "--csr", "svc.csr", "--name", "replaced", "other.example.com").expectOk();
        X509Certificate replaced = Support.cert(dir.resolve("replaced.crt"));
        assertEquals(List.of(List.of(2, "other.example.com")), List.copyOf(replaced.getSubjectAlternativeNames()));
        assertEquals("other.example.com", Support.commonName(replaced));
        Support.assertVerifyOk(dir, "ca.crt", "replaced.crt", "sslserver", true);
    }

    /** The key types a CSR from openssl may carry; the CA is RSA, so only the CSR's key differs. */
    enum CsrKey {
        RSA_2048("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"),
        EC_P256("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"),
        EC_P384("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"),
        ED25519("-algorithm", "ED25519");

        final List<String> genpkey;

        CsrKey(String... genpkey) {
            this.genpkey = List.of(genpkey);
        }
    }

    /** A CSR signs itself with its own key, and issue.java checks that signature for every key type. */
    @ParameterizedTest
    @EnumSource(CsrKey.class)
    void csrOfEachKeyTypeIsSigned(CsrKey k, @TempDir Path dir) throws Exception {
        Support.requireTool("openssl", "openssl");
        Support.pki(dir, List.of(), List.of());
        Support.openssl(dir, concat(List.of("genpkey", "-out", "svc.key"), k.genpkey));
        Support.openssl(dir, "req", "-new", "-key", "svc.key", "-subj", "/CN=svc.example.com", "-out", "svc.csr");

        issue(dir, "--csr", "svc.csr").expectOk();
        X509Certificate c = Support.cert(dir.resolve("svc.crt"));
        assertEquals(k == CsrKey.RSA_2048 ? Set.of(0, 2) : Set.of(0), Support.keyUsageBits(c));
        for (String purpose : List.of("sslserver", "sslclient"))
            Support.assertVerifyOk(dir, "ca.crt", "svc.crt", purpose, true);
        // The certificate carries the CSR's key: openssl derives the same public key from both.
        assertEquals(Support.exec(dir, "openssl", "pkey", "-in", "svc.key", "-pubout").expectOk().out(),
                Support.exec(dir, "openssl", "x509", "-in", "svc.crt", "-noout", "-pubkey").expectOk().out());
    }

    /** The profile comes from issue.java, never from the CSR: a CSR asking to be a CA gets CA:FALSE. */
    @Test
    void csrAskingForCaStillGetsLeafProfile(@TempDir Path dir) throws Exception {
        Support.requireTool("openssl", "openssl");
        Support.pki(dir, List.of(), List.of());
        Support.openssl(dir, "genrsa", "-out", "evil.key", "2048");
        Support.openssl(dir, "req", "-new", "-key", "evil.key", "-subj", "/CN=evil.example.com",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                "-out", "evil.csr");
        String csrText = Support.exec(dir, "openssl", "req", "-noout", "-text", "-in", "evil.csr").expectOk().out();
        assertTrue(csrText.contains("CA:TRUE") && csrText.contains("Certificate Sign"), "the CSR really asks: " + csrText);

        issue(dir, "--csr", "evil.csr").expectOk();
        X509Certificate c = Support.cert(dir.resolve("evil.crt"));
        assertEquals(-1, c.getBasicConstraints(), "CA:FALSE");
        assertEquals(Set.of(0, 2), Support.keyUsageBits(c), "digitalSignature, keyEncipherment only");
        assertEquals(List.of(Support.OID_SERVER_AUTH, Support.OID_CLIENT_AUTH),
                c.getExtendedKeyUsage());
        Support.assertVerifyOk(dir, "ca.crt", "evil.crt", "sslserver", true);
        // And it cannot act as a CA: issue.java itself refuses it.
        Support.Result r = issue(dir, "--ca", "evil.crt", "--ca-key", "evil.key", "--name", "child", "child.example.com");
        assertEquals(1, r.code(), r::all);
        assertTrue(r.err().contains("is not a CA certificate"), r::err);
        assertFalse(Files.exists(dir.resolve("child.crt")));
    }

    // ------------------------------------------------------------------ helpers

    private static Support.Result issue(Path dir, String... args) {
        List<String> all = new ArrayList<>(List.of("--dir", dir.toString()));
        for (int i = 0; i < args.length; i++) {
            boolean file = i > 0 && Set.of("--ca", "--ca-key", "--csr").contains(args[i - 1]);
            all.add(file ? dir.resolve(args[i]).toString() : args[i]);
        }
        if (!all.contains("--ca")) all.addAll(List.of("--ca", dir.resolve("ca.crt").toString()));
        if (!all.contains("--ca-key")) all.addAll(List.of("--ca-key", dir.resolve("ca.key").toString()));
        return Support.cli(new issue(), all.toArray(String[]::new));
    }

    /** The subject as openssl prints it (subject=C = KR, ST = ..., CN = ...) for a CSR (req) or a certificate (x509). */
    private static String opensslSubject(Path dir, String kind, String file) {
        return Support.exec(dir, "openssl", kind, "-noout", "-subject", "-in", file).expectOk().out().strip();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static Set<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toSet());
        }
    }
}
