// StackLint.java: files that a Java stack will refuse, or that will fail in it at run time, found
// before it does: a key format Netty and okhttp-tls cannot read, a key that is not its certificate's,
// a PKCS#12 truststore with nothing the JDK trusts, a chain file in the wrong order. Files made by
// openssl and keytool are inputs here as much as our own. docs/java-stacks.md runs each stack.

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

public final class StackLint {
    private StackLint() {}

    /**
     * One problem: the rule's id, which stacks it hits and how, and the fix with another tool (openssl,
     * keytool, cat), or null where ours is the fix; ours says which, and the command line words it
     * with the files named here (lib/cli/LintText.java).
     */
    public record Finding(String id, String problem, String fix, Ours ours, Path cert) {
        Finding(String id, String problem, String fix) {
            this(id, problem, fix, null, null);
        }
    }

    /** A fix that our own scripts make: a new EC key for the certificate, a new key pair, a truststore Java reads. */
    public enum Ours { EC_KEY, NEW_PAIR, TRUSTSTORE }

    /** Every finding for a file: a key, a certificate or chain, or a PKCS#12 file (read with password). */
    public static List<Finding> check(Path file, char[] password) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (Exception e) {
            return List.of();
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<Finding> found = new ArrayList<>();
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----") || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            String kind = text.contains("-----BEGIN RSA") ? "PKCS#1 (BEGIN RSA PRIVATE KEY)" : "SEC1 (BEGIN EC PRIVATE KEY)";
            found.add(new Finding("key-not-pkcs8", "a " + kind + " key: Netty (gRPC-Java, Reactor Netty) and okhttp-tls read PKCS#8 only, "
                    + "and refuse it (\"File does not contain valid private key\"); Spring Boot and the JDK code here read it",
                    "openssl pkcs8 -topk8 -nocrypt -in " + file + " -out " + file + ".pk8 (then use that file)"));
        }
        if (text.contains("Proc-Type: 4,ENCRYPTED"))
            found.add(new Finding("key-legacy-encryption", "a key encrypted the legacy OpenSSL way (Proc-Type): Spring Boot's PEM reader "
                    + "and Netty cannot open it", "openssl pkcs8 -topk8 -v2 aes-256-cbc -in " + file + " -out " + file + ".pk8 (encrypted PKCS#8)"));
        if (text.contains("PRIVATE KEY-----") && !text.contains("ENCRYPTED")) keyChecks(file, found);
        if (text.contains("-----BEGIN CERTIFICATE-----")) chainOrder(file, found);
        if (!text.contains("-----BEGIN")) truststore(file, bytes, password, found);
        return found;
    }

    /** An Ed25519 key, which okhttp-tls and Netty cannot load; a key that is not the certificate's beside it. */
    static void keyChecks(Path file, List<Finding> found) {
        PrivateKey key;
        try {
            key = Pem.privateKey(file, "key", null);
        } catch (RuntimeException unreadable) {
            return; // inspect itself says why
        }
        if (key.getAlgorithm().equals("Ed25519") || key.getAlgorithm().equals("EdDSA"))
            found.add(new Finding("key-ed25519", "an Ed25519 key: okhttp-tls (\"unexpected key type\") and Netty, so gRPC-Java "
                    + "(\"Input stream does not contain valid private key\"), cannot load it; the JDK, Tomcat and Jetty can",
                    null, Ours.EC_KEY, sibling(file, ".crt")));
        String name = file.getFileName().toString();
        if (!name.endsWith(".key")) return;
        Path crt = file.resolveSibling(name.substring(0, name.length() - 4) + ".crt");
        if (!Files.isRegularFile(crt)) return;
        X509Certificate cert;
        try {
            cert = Pem.certificate(crt, "certificate");
        } catch (RuntimeException unreadable) {
            return;
        }
        if (!Keys.matches(key, cert.getPublicKey()))
            found.add(new Finding("key-mismatch", "this key is not the key of " + crt + " beside it: Spring Boot starts with the pair "
                    + "and fails at the first handshake; Netty, Jetty and the JDK fail at start or at the first handshake",
                    "use the key that was made with " + crt, Ours.NEW_PAIR, crt));
    }

    /** A chain file must list the leaf first, then each certificate's issuer: what servers send as it is. */
    static void chainOrder(Path file, List<Finding> found) {
        List<X509Certificate> certs;
        try {
            certs = Pem.certificates(file, "certificate");
        } catch (RuntimeException unreadable) {
            return;
        }
        for (int i = 0; i + 1 < certs.size(); i++) {
            X509Certificate cert = certs.get(i);
            if (cert.getIssuerX500Principal().equals(certs.get(i + 1).getSubjectX500Principal())) continue;
            boolean issuerLater = certs.stream().skip(i + 2).anyMatch(c -> c.getSubjectX500Principal().equals(cert.getIssuerX500Principal()));
            boolean issuedEarlier = certs.get(i + 1).getBasicConstraints() < 0; // a leaf after the first place
            if (issuerLater || issuedEarlier) {
                List<String> order = new ArrayList<>();
                for (X509Certificate c : certs) order.add("\"" + Names.subject(c) + "\"");
                found.add(new Finding("chain-order", "the chain is out of order (" + String.join(", ", order) + "): certificate "
                        + (i + 2) + " did not sign certificate " + (i + 1) + ". Servers send the file as it is, and the JDK, Go and "
                        + "strict clients refuse a chain that does not lead up from the leaf", "write the leaf first, then the CA "
                        + "that signed it, and so on up: cat leaf.crt intermediate.crt > " + file));
                return;
            }
        }
    }

    /**
     * A PKCS#12 file without a key and without an entry the JDK trusts: `openssl pkcs12 -export -nokeys`
     * without -jdktrust marks no certificate trusted for Java, so the JDK sees an empty store and fails
     * with "the trustAnchors parameter must be non-empty".
     */
    static void truststore(Path file, byte[] bytes, char[] password, List<Finding> found) {
        KeyStore ks;
        try {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(new ByteArrayInputStream(bytes), password);
        } catch (Exception notLoadable) {
            return; // not PKCS#12, or another password: inspect shows the file itself
        }
        try {
            for (String alias : Collections.list(ks.aliases()))
                if (ks.isKeyEntry(alias) || ks.isCertificateEntry(alias)) return;
        } catch (Exception e) {
            return;
        }
        found.add(new Finding("truststore-no-trusted-entry", "a PKCS#12 file with no key and no certificate the JDK trusts: used as a "
                + "truststore (javax.net.ssl.trustStore, Spring Boot's jks bundle, Jetty, Tomcat) it fails with \"the trustAnchors "
                + "parameter must be non-empty\". openssl pkcs12 -export marks certificates trusted for Java only with -jdktrust",
                "keytool -importcert -noprompt -alias ca -file ca.crt -storetype PKCS12 -keystore " + file + ".new -storepass changeit",
                Ours.TRUSTSTORE, null));
    }

    /** FILE.crt beside FILE.key, or null when there is none. */
    static Path sibling(Path file, String ext) {
        String n = file.getFileName().toString();
        if (!n.endsWith(".key")) return null;
        Path p = file.resolveSibling(n.substring(0, n.length() - 4) + ext);
        return Files.isRegularFile(p) ? p : null;
    }
}
