import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every certificate ca.java and issue.java make, for every key type, passes the strict verifiers of
 * docs/PROFILE.md: OpenSSL -x509_strict, GnuTLS certtool, Python's ssl with VERIFY_X509_STRICT in a
 * real handshake, the JDK's PKIX validator and trust manager, and curl / openssl s_client against
 * openssl s_server asking for a client certificate. Each check also has a negative twin (wrong
 * purpose, no client certificate, the tutorial's root) so that none of them can pass vacuously.
 */
class ProfileVerifiersTest {

    /** The key types ca.java and issue.java offer; the same flags make the CA and its leaves. */
    enum KeyType {
        RSA_2048(), // the default: no flags
        RSA_3072("--key-size", "3072"),
        EC_P256("--key-type", "ec"),
        EC_P384("--key-type", "ec", "--key-size", "384"),
        ED25519("--key-type", "ed25519");

        final List<String> args;

        KeyType(String... args) {
            this.args = List.of(args);
        }

        boolean rsa() {
            return name().startsWith("RSA");
        }

        /** The authTypes the JDK's TLS code passes to checkServerTrusted for this key: TLS 1.2 names, TLS 1.3's UNKNOWN. */
        List<String> serverAuthTypes() {
            if (rsa()) return List.of("RSA", "ECDHE_RSA", "UNKNOWN"); // RSA key exchange needs keyEncipherment
            if (this == ED25519) return List.of("UNKNOWN");
            return List.of("ECDHE_ECDSA", "UNKNOWN");
        }
    }

    static final String A = Support.A, B = Support.B;
    static final String SERVER_ONLY = "server-only.example.com", CLIENT_ONLY = "client-only.example.com";
    static final String OID_SERVER_AUTH = Support.OID_SERVER_AUTH, OID_CLIENT_AUTH = Support.OID_CLIENT_AUTH;
    static final Path HANDSHAKE_PY = Support.ROOT.resolve("tests/resources/strict_handshake.py");

    @TempDir
    static Path shared;
    private static final Map<KeyType, Path> PKIS = new ConcurrentHashMap<>();

    /**
     * One CA per key type, made on first use and shared by that key type's tests: service-a and
     * service-b (serverAuth + clientAuth, the default), one --server-only and one --client-only leaf.
     */
    static Path pki(KeyType t) {
        return PKIS.computeIfAbsent(t, k -> {
            Path dir = shared.resolve(k.name());
            Support.pki(dir, k.args, k.args, A, B);
            issueInto(dir, k.args, "--server-only", SERVER_ONLY);
            issueInto(dir, k.args, "--client-only", CLIENT_ONLY);
            return dir;
        });
    }

    private static void issueInto(Path dir, List<String> keyArgs, String... more) {
        List<String> args = new ArrayList<>(keyArgs);
        args.addAll(List.of(more));
        Support.issueInto(dir, args.toArray(String[]::new)).expectOk();
    }

    // ------------------------------------------------------------------ OpenSSL verify

    @Tag("process")
    @ParameterizedTest
    @EnumSource(KeyType.class)
    void opensslStrictAcceptsEachLeafForItsPurposes(KeyType t) {
        Support.requireTool("openssl", "openssl");
        Path dir = pki(t);
        for (String leaf : List.of("service-a", "service-b")) {
            Support.assertVerifyOk(dir, "ca.crt", leaf + ".crt", "sslserver", true);
            Support.assertVerifyOk(dir, "ca.crt", leaf + ".crt", "sslclient", true);
        }
        Support.assertVerifyOk(dir, "ca.crt", "server-only.crt", "sslserver", true);
        Support.assertVerifyOk(dir, "ca.crt", "client-only.crt", "sslclient", true);
        // The same command can fail: each one-purpose certificate is refused for the other purpose.
        assertVerifyFails(dir, "server-only.crt", "sslclient", "unsuitable certificate purpose");
        assertVerifyFails(dir, "client-only.crt", "sslserver", "unsuitable certificate purpose");
    }

    private static void assertVerifyFails(Path dir, String leaf, String purpose, String why) {
        Support.Result r = Support.verify(dir, "ca.crt", leaf, purpose, true);
        assertNotEquals(0, r.code(), () -> leaf + " passed " + purpose + ": " + r.all());
        assertTrue(r.all().contains(why), r::all);
    }

    // ------------------------------------------------------------------ GnuTLS

    @Tag("process")
    @ParameterizedTest
    @EnumSource(KeyType.class)
    void gnutlsCerttoolVerifiesEachLeaf(KeyType t) {
        Support.requireTool("certtool", "gnutls-bin");
        Path dir = pki(t);
        assertCerttool(dir, "service-a.crt", true, "--verify-hostname", A, "--verify-purpose", OID_SERVER_AUTH);
        assertCerttool(dir, "service-a.crt", true, "--verify-purpose", OID_CLIENT_AUTH);
        assertCerttool(dir, "service-b.crt", true, "--verify-hostname", B, "--verify-purpose", OID_SERVER_AUTH);
        // The checks can fail: a host name not in the SAN, and a server-only certificate used by a client.
        assertCerttool(dir, "service-a.crt", false, "--verify-hostname", B);
        assertCerttool(dir, "server-only.crt", false, "--verify-purpose", OID_CLIENT_AUTH);
    }

    /**
     * certtool with the "medium" profile (at least 112-bit security, what RSA-2048 gives): without a
     * profile it only notes that "in the future the medium profile will be enabled by default".
     */
    private static void assertCerttool(Path dir, String leaf, boolean trusted, String... options) {
        List<String> cmd = new ArrayList<>(List.of("certtool", "--verify", "--verify-profile", "medium"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("--load-ca-certificate", "ca.crt", "--infile", leaf));
        Support.Result r = Support.exec(dir, Map.of(), Support.WAIT, cmd);
        String verdict = "Chain verification output: " + (trusted ? "Verified." : "Not verified.");
        assertTrue(r.out().contains(verdict), () -> String.join(" ", cmd) + "\n" + r.all());
        assertEquals(trusted, r.code() == 0, r::all);
    }

    // ------------------------------------------------------------------ Python ssl, strict

    @Tag("process")
    @ParameterizedTest
    @EnumSource(KeyType.class)
    void pythonStrictMtlsHandshake(KeyType t) {
        Support.requireTool("python3", "python3");
        Path dir = pki(t);
        Support.Result r = pythonHandshake(dir, "service-a", "service-b", A, false).expectOk();
        assertTrue(r.out().contains("strict: True"), r::all);
        assertTrue(r.out().contains("client saw server: commonName=" + A), r::all);
        assertTrue(r.out().contains("server saw client: commonName=" + B), r::all);
        assertTrue(r.out().contains("handshake ok"), r::all);

        // The server side checks too: a --server-only certificate is refused as a client certificate.
        Support.Result bad = pythonHandshake(dir, "service-a", "server-only", A, false);
        assertEquals(1, bad.code(), bad::all);
        assertTrue(bad.out().contains("unsuitable certificate purpose"), bad::all);
    }

    /** Runs tests/resources/strict_handshake.py: server on 127.0.0.1 with CERT_REQUIRED, client checking hostname. */
    static Support.Result pythonHandshake(Path dir, String server, String client, String hostname, boolean lenient) {
        List<String> cmd = new ArrayList<>(List.of("python3", HANDSHAKE_PY.toString(), "--ca", "ca.crt",
                "--server-cert", server + ".crt", "--server-key", server + ".key",
                "--client-cert", client + ".crt", "--client-key", client + ".key", "--hostname", hostname));
        if (lenient) cmd.add("--lenient");
        return Support.exec(dir, Map.of(), Support.WAIT, cmd);
    }

    /**
     * The negative twin of every strict check above: a root made the tutorial's way (openssl x509
     * -req -signkey, basicConstraints CA:TRUE not critical, no keyUsage) is refused by OpenSSL
     * -x509_strict and by strict Python, although the same chain passes without the strict flag.
     */
    @Tag("process")
    @Test
    void tutorialStyleRootIsRejectedByStrictVerifiers(@TempDir Path dir) {
        Support.requireTool("openssl", "openssl");
        Support.requireTool("python3", "python3");
        Support.tutorialRoot(dir, null);
        Support.cli(new issue(), "--dir", dir.toString(), "--ca", dir.resolve("ca.crt").toString(),
                "--ca-key", dir.resolve("root.key").toString(), "--each", A, B).expectOk();

        Support.Result strict = Support.verify(dir, "ca.crt", "service-a.crt", "sslserver", true);
        assertEquals(2, strict.code(), strict::all);
        assertTrue(strict.all().contains("error 89 at 1 depth lookup: Basic Constraints of CA cert not marked critical"),
                strict::all);
        assertTrue(strict.all().contains("error 92 at 1 depth lookup: CA cert does not include key usage extension"),
                strict::all);
        Support.assertVerifyOk(dir, "ca.crt", "service-a.crt", "sslserver", false);

        Support.Result py = pythonHandshake(dir, "service-a", "service-b", A, false);
        assertEquals(1, py.code(), py::all);
        assertTrue(py.out().contains("CERTIFICATE_VERIFY_FAILED"), py::all);
        assertTrue(py.out().contains("Basic Constraints of CA cert not marked critical"), py::all);
        Support.Result lenient = pythonHandshake(dir, "service-a", "service-b", A, true).expectOk();
        assertTrue(lenient.out().contains("strict: False") && lenient.out().contains("handshake ok"), lenient::all);
    }

    // ------------------------------------------------------------------ the JDK

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void jdkPkixAcceptsEachLeaf(KeyType t) throws Exception {
        Path dir = pki(t);
        X509Certificate ca = Support.cert(dir.resolve("ca.crt"));
        for (String leaf : List.of("service-a", "service-b", "server-only", "client-only"))
            pkixValidate(ca, Support.cert(dir.resolve(leaf + ".crt")));

        // The trust manager adds the TLS end-entity checks (EKU and keyUsage per key exchange).
        X509TrustManager tm = trustManager(ca);
        X509Certificate[] a = {Support.cert(dir.resolve("service-a.crt"))};
        String keyAlg = a[0].getPublicKey().getAlgorithm();
        for (String authType : t.serverAuthTypes()) tm.checkServerTrusted(a, authType);
        tm.checkClientTrusted(a, keyAlg);
        X509Certificate[] serverOnly = {Support.cert(dir.resolve("server-only.crt"))};
        X509Certificate[] clientOnly = {Support.cert(dir.resolve("client-only.crt"))};
        tm.checkServerTrusted(serverOnly, "UNKNOWN");
        tm.checkClientTrusted(clientOnly, keyAlg);
        assertThrows(CertificateException.class, () -> tm.checkClientTrusted(serverOnly, keyAlg));
        assertThrows(CertificateException.class, () -> tm.checkServerTrusted(clientOnly, "UNKNOWN"));
    }

    static void pkixValidate(X509Certificate ca, X509Certificate leaf) throws Exception {
        PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(ca, null)));
        params.setRevocationEnabled(false); // a private CA publishes no CRL or OCSP
        var path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf));
        CertPathValidator.getInstance("PKIX").validate(path, params);
    }

    static X509TrustManager trustManager(X509Certificate ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    // ------------------------------------------------------------------ the profile, read back

    @Tag("process")
    @ParameterizedTest
    @EnumSource(KeyType.class)
    void caHasTheRootProfile(KeyType t) throws Exception {
        X509Certificate ca = Support.cert(pki(t).resolve("ca.crt"));
        ca.verify(ca.getPublicKey()); // self-signed
        assertEquals(3, ca.getVersion());
        assertStrongSignature(ca);
        assertTrue(ca.getCriticalExtensionOIDs().containsAll(Set.of("2.5.29.19", "2.5.29.15")),
                "basicConstraints and keyUsage critical: -x509_strict errors 89 and 92");
        assertTrue(ca.getBasicConstraints() >= 0, "CA:TRUE");
        assertEquals(Set.of(5, 6), Support.keyUsageBits(ca), "keyCertSign and cRLSign only");
        assertTrue(ca.getNonCriticalExtensionOIDs().contains("2.5.29.14"), "a non-critical SKI (-x509_strict error 86)");
        assertEquals(null, ca.getExtendedKeyUsage(), "a root has no EKU");
        byte[] aki = Support.akiKeyId(ca);
        if (aki != null) assertArrayEquals(Support.ski(ca), aki, "an AKI on a root carries its own SKI");
        String cn = Support.commonName(ca);
        assertTrue(cn != null && !cn.isBlank(), "iOS lists only roots with a CN");
        assertSerial(ca);
        if (t.rsa()) assertEquals(t == KeyType.RSA_3072 ? 3072 : 2048, rsaBits(ca));
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void leavesHaveTheLeafProfile(KeyType t) throws Exception {
        Path dir = pki(t);
        X509Certificate ca = Support.cert(dir.resolve("ca.crt"));
        Set<Integer> expectedKu = t.rsa() ? Set.of(0, 2) : Set.of(0); // digitalSignature (+ keyEncipherment for RSA)
        List<String> both = List.of(OID_SERVER_AUTH, OID_CLIENT_AUTH);
        Map<String, List<String>> ekus = Map.of("service-a", both, "service-b", both,
                "server-only", List.of(OID_SERVER_AUTH), "client-only", List.of(OID_CLIENT_AUTH));
        for (var e : ekus.entrySet()) {
            X509Certificate leaf = Support.cert(dir.resolve(e.getKey() + ".crt"));
            String what = t + " " + e.getKey();
            assertEquals(3, leaf.getVersion(), what);
            assertStrongSignature(leaf);
            assertNotNull(leaf.getExtensionValue("2.5.29.19"), what + ": basicConstraints present");
            assertEquals(-1, leaf.getBasicConstraints(), what + ": CA:FALSE");
            assertTrue(leaf.getCriticalExtensionOIDs().contains("2.5.29.15"), what + ": keyUsage critical");
            assertEquals(expectedKu, Support.keyUsageBits(leaf), what + ": keyUsage bits");
            assertEquals(e.getValue(), leaf.getExtendedKeyUsage(), what + ": EKU");
            List<String> dns = Support.dnsNames(leaf);
            assertEquals(List.of(e.getKey() + ".example.com"), dns, what + ": SAN");
            assertEquals(dns.get(0), Support.commonName(leaf), what + ": CN is the first SAN");
            assertTrue(leaf.getNonCriticalExtensionOIDs().containsAll(Set.of("2.5.29.14", "2.5.29.35")),
                    what + ": SKI and AKI present and not critical");
            assertArrayEquals(Support.ski(ca), Support.akiKeyId(leaf), what + ": AKI keyid is the CA's SKI");
            assertSerial(leaf);
            Duration validity = Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
            assertTrue(validity.toDays() <= Policy.APPLE_MAX_DAYS, what + ": " + validity.toDays() + " days");
            assertEquals(ca.getSubjectX500Principal(), leaf.getIssuerX500Principal(), what);
            if (t.rsa()) assertEquals(t == KeyType.RSA_3072 ? 3072 : 2048, rsaBits(leaf), what);
            else assertEquals(ca.getPublicKey().getAlgorithm(), leaf.getPublicKey().getAlgorithm(), what);
        }
    }

    /** Random serials: no two certificates anywhere in this run share one (the tutorial used a counter file). */
    @Test
    void serialsDifferBetweenCertificates() throws Exception {
        List<BigInteger> serials = new ArrayList<>();
        for (KeyType t : KeyType.values())
            for (String f : List.of("ca", "service-a", "service-b", "server-only", "client-only"))
                serials.add(Support.cert(pki(t).resolve(f + ".crt")).getSerialNumber());
        assertEquals(serials.size(), new HashSet<>(serials).size(), serials::toString);
    }

    private static void assertSerial(X509Certificate c) {
        BigInteger s = c.getSerialNumber();
        assertEquals(1, s.signum(), "serial positive (Go rejects negative ones)");
        assertTrue(s.toByteArray().length <= 20, "serial at most 20 octets (RFC 5280)");
        // 127 random bits: fewer than 64 would happen once in 2^63 runs.
        assertTrue(s.bitLength() >= 64 && s.bitLength() <= 159, () -> "serial of " + s.bitLength() + " bits");
    }

    private static void assertStrongSignature(X509Certificate c) {
        String alg = c.getSigAlgName().toUpperCase();
        assertTrue(alg.startsWith("SHA256") || alg.startsWith("SHA384") || alg.equals("ED25519"),
                () -> "SHA-2 or Ed25519, not " + alg);
    }

    // ------------------------------------------------------------------ curl and openssl s_client

    @Tag("process")
    @ParameterizedTest
    @EnumSource(KeyType.class)
    void curlAndSClientCompleteMtlsHandshake(KeyType t) {
        Support.requireTool("openssl", "openssl");
        Support.requireTool("curl", "curl");
        Path dir = pki(t);
        try (var server = TlsPeers.sServer(dir, "service-b.crt", "service-b.key", "-Verify", "1", "-verify_return_error", "-x509_strict")) {
            int port = server.port();
            Support.Result ok = TlsPeers.curl(dir, "ca.crt", B, port, "/", "-w", TlsPeers.HTTP_CODE,
                    "--cert", "service-a.crt", "--key", "service-a.key").expectOk();
            assertTrue(ok.out().contains("http_code=200"), ok::all);
            // The -www status page shows the client certificate s_server received and verified.
            assertTrue(ok.out().contains("Client certificate") && ok.out().contains("CN=" + A), ok::all);

            Support.Result s = TlsPeers.sClient(dir, port, B, "service-a", "-x509_strict").expectOk();
            assertTrue(s.out().contains("Verify return code: 0 (ok)"), s::all);
            assertTrue(s.out().contains("HTTP/1.0 200 ok"), s::all);

            // Negative: without a client certificate, s_server -Verify 1 -verify_return_error refuses.
            Support.Result none = TlsPeers.curl(dir, "ca.crt", B, port, "/", "-w", TlsPeers.HTTP_CODE);
            assertNotEquals(0, none.code(), none::all);
            assertTrue(none.err().contains("alert certificate required") || none.err().contains("alert handshake failure"),
                    none::all);
        }
    }

    private static int rsaBits(X509Certificate c) {
        return ((java.security.interfaces.RSAPublicKey) c.getPublicKey()).getModulus().bitLength();
    }
}
