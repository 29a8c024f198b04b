import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lib/pki/StackLint.java, through inspect.java, on files made by openssl and keytool: each problem
 * a Java stack has with a file is named with its fix, the fix (run as shown) clears it, and a good
 * file gets no finding. Where the JDK itself can show the failure, the test shows it too.
 */
@Tag("process")
class StackLintTest {
    @TempDir Path dir;

    @BeforeEach
    void tools() {
        Support.requireTool("openssl", "openssl");
    }

    static String ids(Path file) {
        return StackLint.check(file, "changeit".toCharArray()).stream().map(StackLint.Finding::id).toList().toString();
    }

    @Test
    void pkcs1AndSec1KeysAreNamedWithTheCommandThatConvertsThem() {
        Support.openssl(dir, "genrsa", "-traditional", "-out", "rsa.key", "2048");
        Support.openssl(dir, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key");
        for (String key : List.of("rsa.key", "ec.key")) {
            Path file = dir.resolve(key);
            List<StackLint.Finding> found = StackLint.check(file, null);
            assertEquals("[key-not-pkcs8]", ids(file));
            // The fix, run as shown, gives a key with no finding.
            String fix = found.get(0).fix();
            String command = fix.substring(0, fix.indexOf(" (then"));
            Support.exec(dir, "sh", "-c", command).expectOk();
            assertEquals("[]", ids(dir.resolve(key + ".pk8")));
        }
        Support.Result shown = Support.cli(new inspect(), dir.resolve("rsa.key").toString()).expectOk();
        assertTrue(shown.out().contains("Java stacks:") && shown.out().contains("key-not-pkcs8") && shown.out().contains("openssl pkcs8 -topk8"),
                shown::all);
    }

    @Test
    void anEd25519KeyIsNamedForOkHttpAndNetty() {
        Support.openssl(dir, "genpkey", "-algorithm", "ed25519", "-out", "ed.key");
        assertEquals("[key-ed25519]", ids(dir.resolve("ed.key")));
    }

    @Test
    void aKeyThatIsNotItsCertificatesIsNamed() throws Exception {
        Path certs = Support.pki(Files.createDirectories(dir.resolve("certs")), List.of("--key-type", "ec"), List.of("--key-type", "ec"), Support.A);
        assertEquals("[]", ids(certs.resolve("service-a.key")));
        Files.delete(certs.resolve("service-a.key"));
        Support.openssl(certs, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "service-a.key");
        assertEquals("[key-mismatch]", ids(certs.resolve("service-a.key")));
    }

    @Test
    void anOpensslTruststoreWithoutJdktrustIsNamedAndTheJdkRefusesIt() throws Exception {
        Path certs = Support.pki(Files.createDirectories(dir.resolve("certs")), List.of("--key-type", "ec"), List.of(), new String[0]);
        Support.openssl(certs, "pkcs12", "-export", "-nokeys", "-in", "ca.crt", "-out", "openssl.p12", "-passout", "pass:changeit");
        Path bad = certs.resolve("openssl.p12");
        assertEquals("[truststore-no-trusted-entry]", ids(bad));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(bad)) {
            ks.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ks);
        var tm = (javax.net.ssl.X509TrustManager) tmf.getTrustManagers()[0];
        var e = assertThrows(Exception.class,
                () -> tm.checkServerTrusted(new java.security.cert.X509Certificate[] {Support.cert(certs.resolve("ca.crt"))}, "ECDHE_ECDSA"));
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof InvalidAlgorithmParameterException)) cause = cause.getCause();
        assertTrue(String.valueOf(cause.getMessage()).contains("trustAnchors parameter must be non-empty"), e::toString);
        // (The JDK says RuntimeException "Unexpected error: ...InvalidAlgorithmParameterException: the trustAnchors parameter must be non-empty".)
        // keytool, as the fix says, writes one the JDK reads.
        Support.requireTool("keytool", "default-jre-headless");
        Support.exec(certs, "keytool", "-importcert", "-noprompt", "-alias", "ca", "-file", "ca.crt", "-storetype", "PKCS12",
                "-keystore", "keytool.p12", "-storepass", "changeit").expectOk();
        assertEquals("[]", ids(certs.resolve("keytool.p12")));
    }

    @Test
    void aChainOutOfOrderIsNamed() throws Exception {
        Path certs = Support.pki(Files.createDirectories(dir.resolve("certs")), List.of("--key-type", "ec"), List.of("--key-type", "ec"), Support.A);
        String leaf = Files.readString(certs.resolve("service-a.crt")), ca = Files.readString(certs.resolve("ca.crt"));
        Path wrong = Files.writeString(dir.resolve("wrong.crt"), ca + leaf), right = Files.writeString(dir.resolve("right.crt"), leaf + ca);
        assertEquals("[chain-order]", ids(wrong));
        assertEquals("[]", ids(right));
        Support.Result linted = Support.cli(new inspect(), "--lint", wrong.toString());
        assertTrue(linted.out().contains("chain-order"), linted::all);
    }
}
