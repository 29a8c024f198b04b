package example;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * PEM files into KeyStores, for the stacks that take a KeyStore (Jetty, Apache HttpClient 5). JDK
 * only: the JDK reads PEM certificates itself, and an unencrypted PKCS#8 key ("BEGIN PRIVATE KEY", what
 * issue.java writes) is Base64 around the DER that PKCS8EncodedKeySpec takes.
 */
public final class PemFiles {
    private PemFiles() {}

    /** The password of the in-memory stores below; they never reach a disk. */
    public static final char[] PASSWORD = "changeit".toCharArray();

    /** A KeyStore holding one entry: the key and its certificate chain (leaf first). */
    public static KeyStore keyStore(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        Certificate[] chain = certificates(certFile);
        String pem = Files.readString(keyFile);
        if (!pem.contains("-----BEGIN PRIVATE KEY-----"))
            throw new GeneralSecurityException(keyFile + " is not an unencrypted PKCS#8 key (BEGIN PRIVATE KEY); convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt -in " + keyFile + " -out key.pk8.pem");
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        String algorithm = chain[0].getPublicKey().getAlgorithm(); // RSA, EC, EdDSA: the key's is the certificate's
        PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", key, PASSWORD, chain);
        return ks;
    }

    /** A KeyStore of trusted certificates: every certificate of a PEM file, such as certs/ca.crt. */
    public static KeyStore trustStore(Path caFile) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        Certificate[] cas = certificates(caFile);
        for (int i = 0; i < cas.length; i++) ks.setCertificateEntry("ca-" + i, cas[i]);
        return ks;
    }

    static Certificate[] certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            Certificate[] certs = CertificateFactory.getInstance("X.509").generateCertificates(in).toArray(Certificate[]::new);
            if (certs.length == 0) throw new GeneralSecurityException(file + " holds no certificate");
            return certs;
        }
    }
}
