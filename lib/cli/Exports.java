// Exports.java: the files trust.java export writes, each in the form its consumer reads: Vault's
// pem_bundle, a Kubernetes TLS Secret for cert-manager, Spring Boot's PEM SSL bundle, and a PKCS#12
// truststore that Java reads (a trusted-certificate entry, as keytool -importcert makes), and what to
// run next with each.

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

public final class Exports {
    private Exports() {}

    /**
     * Vault's pem_bundle for `vault write pki/config/ca pem_bundle=@FILE`: the CA certificate (and
     * any chain above it), then its key as unencrypted PKCS#8, which Vault parses.
     */
    public static String vaultBundle(List<X509Certificate> chain, PrivateKey key) {
        return Pem.certificates(chain) + Certs.pem(key);
    }

    /**
     * A kubernetes.io/tls Secret as cert-manager's CA issuer reads it: tls.crt the CA certificate
     * (with its chain), tls.key its key, ca.crt the root. Base64 in one line each, as kubectl writes.
     */
    public static String kubernetesSecret(String secret, String ns, List<X509Certificate> chain, PrivateKey key) {
        String root = Certs.pem(chain.get(chain.size() - 1));
        Base64.Encoder b64 = Base64.getEncoder();
        return "# The CA's certificate and key for cert-manager's CA issuer (made by trust.java).\n"
                + "# It holds the CA key unencrypted: keep it out of version control.\n"
                + "apiVersion: v1\n"
                + "kind: Secret\n"
                + "metadata:\n"
                + "  name: " + secret + "\n"
                + (ns == null ? "" : "  namespace: " + ns + "\n")
                + "type: kubernetes.io/tls\n"
                + "data:\n"
                + "  tls.crt: " + b64.encodeToString(Pem.certificates(chain).getBytes(StandardCharsets.US_ASCII)) + "\n"
                + "  tls.key: " + b64.encodeToString(Certs.pem(key).getBytes(StandardCharsets.US_ASCII)) + "\n"
                + "  ca.crt: " + b64.encodeToString(root.getBytes(StandardCharsets.US_ASCII)) + "\n";
    }

    /**
     * Spring Boot's PEM SSL bundle (3.2 or newer) named after the service, and the server's use of it:
     * it serves cert and key, checks callers against ca (server.ssl.client-auth), and reloads the files
     * when they change (reload-on-update: Tomcat and Netty servers only; clients keep their first
     * SSLContext). A client without a web server of its own ignores the server block.
     */
    public static String springBootBundle(String bundle, Path cert, Path key, Path ca, String clientAuth) {
        return "# Spring Boot 3.2+ application.yaml: the SSL bundle \"" + bundle + "\" (trust.java export --format spring-boot).\n"
                + "spring:\n"
                + "  ssl:\n"
                + "    bundle:\n"
                + "      pem:\n"
                + "        " + bundle + ":\n"
                + "          reload-on-update: true\n"
                + "          keystore:\n"
                + "            certificate: " + yamlFile(cert) + "\n"
                + "            private-key: " + yamlFile(key) + "\n"
                + "          truststore:\n"
                + "            certificate: " + yamlFile(ca) + "\n"
                + "server:\n"
                + "  ssl:\n"
                + "    bundle: \"" + bundle + "\"\n"
                + "    client-auth: " + clientAuth + "\n";
    }

    /** A file as a YAML double-quoted "file:" location (Spring's resource prefix for the file system). */
    public static String yamlFile(Path p) {
        return "\"file:" + p.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A PKCS#12 keystore holding the CA as a trusted certificate entry, as keytool -importcert makes. */
    public static byte[] truststoreBytes(String alias, X509Certificate c, char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry(alias.toLowerCase(Locale.ROOT), c);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ks.store(bytes, password);
            return bytes.toByteArray();
        } catch (Exception e) {
            throw Cli.fail(e, "cannot make the truststore: %s", Text.of(e));
        }
    }

    public static String exportNext(String format, Path file, String n) {
        switch (format) {
            case "vault":
                return "Import it into Vault's PKI engine, then delete it (it holds the CA key):\n"
                        + "  vault secrets enable pki        (once)\n"
                        + "  vault write pki/config/ca pem_bundle=@" + file + "\n"
                        + "  shred -u " + file + "\n";
            case "k8s-secret":
                return "Apply it, then point a cert-manager Issuer at it (a ClusterIssuer reads it from the cert-manager namespace):\n"
                        + "  kubectl apply -f " + file + "\n"
                        + "  kubectl apply -f - <<'EOF'\n"
                        + "  apiVersion: cert-manager.io/v1\n"
                        + "  kind: Issuer\n"
                        + "  metadata: {name: " + n + "}\n"
                        + "  spec: {ca: {secretName: " + n + "}}\n"
                        + "  EOF\n";
            default:
                return "Use it in Java (it holds only this CA, so public CAs are not trusted with it):\n"
                        + "  java -Djavax.net.ssl.trustStore=" + file + " -Djavax.net.ssl.trustStorePassword=changeit ...\n"
                        + "  keytool -list -keystore " + file + " -storepass changeit\n";
        }
    }
}
