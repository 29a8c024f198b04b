import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bring your own CA: issue.java signs with CAs that other tools made, and the results
 * pass openssl verify -x509_strict and a real mTLS handshake (openssl s_server -Verify 1 and curl).
 * It also signs cfssl's CSRs, whose keys then work with the certificates. The tutorial's openssl
 * CA and CSR are in TutorialOpensslTest.
 */
@Tag("process")
class BringYourOwnCaTest {

    static final String A = Support.A, B = Support.B;

    /** The CAs users bring, each made by its own tool with that tool's defaults, and the files it writes. */
    enum Foreign {
        /** mkcert 1.4: RSA-3072, pathlen:0, keyUsage keyCertSign only; its key is PKCS#8. */
        MKCERT("mkcert", "mkcert", "rootCA.pem", "rootCA-key.pem", "-----BEGIN PRIVATE KEY-----"),
        /** cfssl's default, ECDSA P-256; its key is in SEC 1 form. */
        CFSSL_ECDSA("cfssl", "golang-cfssl", "ca.pem", "ca-key.pem", "-----BEGIN EC PRIVATE KEY-----"),
        /** cfssl with an RSA-2048 key, in PKCS#1 form. */
        CFSSL_RSA("cfssl", "golang-cfssl", "ca.pem", "ca-key.pem", "-----BEGIN RSA PRIVATE KEY-----");

        final String tool, debianPackage, cert, key, keyHeader;

        Foreign(String tool, String debianPackage, String cert, String key, String keyHeader) {
            this.tool = tool;
            this.debianPackage = debianPackage;
            this.cert = cert;
            this.key = key;
            this.keyHeader = keyHeader;
        }
    }

    @TempDir
    static Path shared;
    /** One CA per tool, made on first use and shared by that tool's tests. */
    private static final Map<Foreign, Path> CAS = new ConcurrentHashMap<>();

    // ------------------------------------------------------------------ signing with their CA

    /**
     * mkcert's and cfssl's roots meet -x509_strict's rules for a CA (critical basicConstraints,
     * keyUsage, SKI), so our leaves from them must pass it, for both purposes. Checked against
     * another CA, the same leaf fails: the verification is real.
     */
    @ParameterizedTest
    @EnumSource(Foreign.class)
    void leavesSignedWithTheirCaPassStrictVerify(Foreign f) throws Exception {
        Path dir = leaves(f);
        for (String leaf : List.of("service-a.crt", "service-b.crt"))
            for (String purpose : List.of("sslserver", "sslclient"))
                Support.assertVerifyOk(dir, f.cert, leaf, purpose, true);
        // The AKI is the foreign root's own SKI (both tools write one), as RFC 5280 wants.
        X509Certificate root = Support.cert(dir.resolve(f.cert));
        assertArrayEquals(Support.ski(root),
                Support.akiKeyId(Support.cert(dir.resolve("service-a.crt"))));

        String otherCa = ourCa().resolve("ca.crt").toString();
        Support.Result wrong = Support.verify(dir, otherCa, "service-a.crt", "sslserver", true);
        assertNotEquals(0, wrong.code(), wrong::all);
        assertTrue(wrong.all().contains("unable to get local issuer certificate"), wrong::all);
    }

    /** Our leaves from their CA in mTLS: s_server requires a client certificate from that CA; curl sends one. */
    @ParameterizedTest
    @EnumSource(Foreign.class)
    void leavesSignedWithTheirCaWorkInMtls(Foreign f) {
        Support.requireTool("curl", "curl");
        Path dir = leaves(f);
        try (var server = sServer(dir, f.cert, "service-b.crt", "service-b.key")) {
            Support.Result ok = TlsPeers.curl(dir, f.cert, B, server.port(), "/", "-w", TlsPeers.HTTP_CODE,
                    "--cert", "service-a.crt", "--key", "service-a.key").expectOk();
            assertTrue(ok.out().contains("http_code=200") && ok.out().contains("CN=" + A), ok::all);
            assertRefusedWithoutCertificate(dir, server.port(), B, f.cert);
        }
    }

    /**
     * mkcert's own leaf, made without -client, lacks clientAuth and fails the client purpose
     * (mkcert without -client issues serverAuth only); issue.java's leaf from the same CA passes. The strict check does bite here.
     */
    @Test
    void mkcertsOwnLeafFailsTheClientPurposeWhereOursPasses() {
        Path dir = leaves(Foreign.MKCERT);
        Support.Result made = Support.mkcert(dir, "-cert-file", "mkcert-leaf.crt", "-key-file", "mkcert-leaf.key", "mkcert.example.com");
        assertTrue(made.all().contains("mkcert-leaf.crt"), made::all);
        Support.assertVerifyOk(dir, "rootCA.pem", "mkcert-leaf.crt", "sslserver", true);
        Support.Result client = Support.verify(dir, "rootCA.pem", "mkcert-leaf.crt", "sslclient", true);
        assertNotEquals(0, client.code(), client::all);
        assertTrue(client.all().contains("unsuitable certificate purpose"), client::all);
        Support.assertVerifyOk(dir, "rootCA.pem", "service-a.crt", "sslclient", true);
    }

    // ------------------------------------------------------------------ signing their CSR

    /**
     * cfssl genkey makes a key and a CSR (SANs in its "hosts"); our CA signs the CSR. The result
     * keeps the SANs, passes -x509_strict, and works with cfssl's key on both ends of a handshake.
     */
    @ParameterizedTest
    @EnumSource(value = Foreign.class, names = {"CFSSL_ECDSA", "CFSSL_RSA"})
    void cfsslCsrSignedByOurCaWorksWithCfsslKey(Foreign f) throws Exception {
        Support.requireTool("cfssl", "golang-cfssl");
        Support.requireTool("curl", "curl");
        Path dir = shared.resolve("csr-" + f);
        createDirectories(dir);
        String ca = ourCa().resolve("ca.crt").toString();
        String host = "cfssl-svc.example.com";
        cfssl(dir, "svc", "genkey", csrJson(host, f, "\"" + host + "\", \"127.0.0.1\""));
        String csrText = Support.exec(dir, "openssl", "req", "-in", "svc.csr", "-noout", "-text").expectOk().out();
        assertTrue(csrText.contains("DNS:" + host + ", IP Address:127.0.0.1"), csrText);

        issueIn(dir, "--ca", ca, "--ca-key", ourCa().resolve("ca.key").toString(), "--csr", "svc.csr").expectOk();
        X509Certificate c = Support.cert(dir.resolve("cfssl-svc.crt"));
        assertEquals(List.of(List.of(2, host), List.of(7, "127.0.0.1")), List.copyOf(c.getSubjectAlternativeNames()));
        for (String purpose : List.of("sslserver", "sslclient"))
            Support.assertVerifyOk(dir, ca, "cfssl-svc.crt", purpose, true);

        // cfssl's key serves and, in the same handshake, proves the client.
        try (var server = sServer(dir, ca, "cfssl-svc.crt", "svc-key.pem")) {
            Support.Result ok = TlsPeers.curl(dir, ca, host, server.port(), "/", "-w", TlsPeers.HTTP_CODE,
                    "--cert", "cfssl-svc.crt", "--key", "svc-key.pem").expectOk();
            assertTrue(ok.out().contains("http_code=200") && ok.out().contains("CN=" + host), ok::all);
            assertRefusedWithoutCertificate(dir, server.port(), host, ca);
        }
    }

    // ------------------------------------------------------------------ making their CAs

    /** Their CA, and service-a and service-b that issue.java signed with it, in one folder per tool. */
    private static Path leaves(Foreign f) {
        Path dir = ca(f);
        synchronized (f) {
            if (!Files.exists(dir.resolve("service-b.crt")))
                issueIn(dir, "--ca", f.cert, "--ca-key", f.key, "--each", A, B).expectOk();
        }
        return dir;
    }

    /** Our own CA, made by ca.java: it signs the other tools' CSRs, and is the wrong CA for their leaves. */
    private static synchronized Path ourCa() {
        Path dir = shared.resolve("ours");
        if (!Files.exists(dir.resolve("ca.crt"))) Support.pki(dir, List.of(), List.of());
        return dir;
    }

    private static Path ca(Foreign f) {
        Support.requireTool(f.tool, f.debianPackage);
        Support.requireTool("openssl", "openssl");
        return CAS.computeIfAbsent(f, k -> {
            Path dir = shared.resolve(k.name());
            createDirectories(dir);
            if (k == Foreign.MKCERT) makeMkcertCa(dir);
            else cfssl(dir, "ca", "gencert", "-initca", csrJson("cfssl test root " + k, k, null));
            String key = read(dir.resolve(k.key));
            assertTrue(key.startsWith(k.keyHeader), () -> k + " key form: " + key.lines().findFirst().orElse(""));
            return dir;
        });
    }

    /**
     * mkcert makes its CA on first use in $CAROOT; asking for one leaf does that without touching
     * any trust store (only -install would). HOME is the folder too, so mkcert looks at no real NSS db.
     */
    private static void makeMkcertCa(Path dir) {
        Support.mkcert(dir, "-cert-file", "first.crt", "-key-file", "first.key", "first.example.com");
        assertTrue(Files.exists(dir.resolve("rootCA.pem")) && Files.exists(dir.resolve("rootCA-key.pem")));
    }

    /** A cfssl CSR request: CN, key algorithm and size from f, and the SANs ("hosts") when given. */
    private static String csrJson(String cn, Foreign f, String hosts) {
        String key = f == Foreign.CFSSL_RSA ? "{\"algo\": \"rsa\", \"size\": 2048}" : "{\"algo\": \"ecdsa\", \"size\": 256}";
        return "{\"CN\": \"" + cn + "\", \"key\": " + key + (hosts == null ? "" : ", \"hosts\": [" + hosts + "]") + "}";
    }

    /**
     * Runs `cfssl COMMAND... request.json` and splits its JSON answer with cfssljson -bare into
     * NAME.pem (a certificate, for gencert), NAME-key.pem and NAME.csr. (Debian's golang-cfssl
     * installs both binaries as cfssl and cfssljson.)
     */
    private static void cfssl(Path dir, String name, String command, String... argsAndJson) {
        Support.requireTool("cfssljson", "golang-cfssl");
        Support.write(dir.resolve(name + "-request.json"), argsAndJson[argsAndJson.length - 1]);
        List<String> cmd = new ArrayList<>(List.of("cfssl", command));
        cmd.addAll(List.of(argsAndJson).subList(0, argsAndJson.length - 1));
        cmd.add(name + "-request.json");
        Support.Result r = Support.exec(dir, Map.of(), Support.WAIT, cmd).expectOk();
        Support.write(dir.resolve(name + "-response.json"), r.out());
        Support.exec(dir, "cfssljson", "-f", name + "-response.json", "-bare", name).expectOk();
        assertTrue(Files.exists(dir.resolve(name + "-key.pem")), () -> "cfssljson wrote no key: " + r.all());
    }

    // ------------------------------------------------------------------ the handshake

    /** openssl s_server requiring a client certificate from caFile (-Verify 1), strict, with its -www page. */
    private static TlsPeers.Peer sServer(Path dir, String caFile, String cert, String key) {
        return TlsPeers.sServer(dir, caFile, cert, key, List.of("-Verify", "1", "-verify_return_error", "-x509_strict"));
    }

    /** Without a client certificate the same server refuses curl: the server's check is real. */
    private static void assertRefusedWithoutCertificate(Path dir, int port, String host, String caFile) {
        Support.Result none = TlsPeers.curl(dir, caFile, host, port, "/", "-w", TlsPeers.HTTP_CODE);
        assertNotEquals(0, none.code(), none::all);
        assertTrue(none.err().contains("alert certificate required"), none::all); // TLS 1.3's alert 116
    }

    /** issue.java in-process, writing into dir; file arguments (--ca, --ca-key, --csr) are relative to dir. */
    private static Support.Result issueIn(Path dir, String... args) {
        List<String> all = new ArrayList<>(List.of("--dir", dir.toString()));
        for (int i = 0; i < args.length; i++) {
            boolean file = i > 0 && List.of("--ca", "--ca-key", "--csr").contains(args[i - 1]);
            all.add(file ? dir.resolve(args[i]).toString() : args[i]);
        }
        return Support.cli(new issue(), all.toArray(String[]::new));
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
