//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
// snippet PemSslContext: PEM files into an SSLContext, for a server (what it presents, which client
// certificates it accepts) or a client (what it sends, which servers it trusts).

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

public class PemSslContext {
    /** An SSLContext that presents certFile + keyFile and trusts only the CAs in caFile. All PEM. */
    public static SSLContext load(Path certFile, Path keyFile, Path caFile) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {keyManager(certFile, keyFile)}, new TrustManager[] {trustManager(caFile)}, null);
        return ctx;
    }

    /** Our identity: the certificate (followed by its chain, if the file has one) and its key. */
    public static X509ExtendedKeyManager keyManager(Path certFile, Path keyFile) throws Exception {
        char[] inMemory = "not-stored".toCharArray(); // this key store never touches the disk
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("identity", readPrivateKey(keyFile), inMemory, readChain(certFile));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, inMemory);
        return (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
    }

    /** Trust in the CAs of caFile only, instead of the JDK's public CAs. */
    public static X509ExtendedTrustManager trustManager(Path caFile) throws Exception {
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        int i = 0;
        for (Certificate ca : readChain(caFile)) ts.setCertificateEntry("ca" + i++, ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(ts);
        return (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
    }

    /** Every certificate of a PEM file, in order (the JDK reads PEM itself). */
    public static X509Certificate[] readChain(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            return certs.toArray(new X509Certificate[0]);
        }
    }

    /** PKCS#8 ("PRIVATE KEY"), PKCS#1 ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"); lib/pki/Pem.java also decrypts. */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try (PEMParser pem = new PEMParser(Files.newBufferedReader(file))) {
            Object o = pem.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair) return converter.getKeyPair((PEMKeyPair) o).getPrivate();
            if (o instanceof PrivateKeyInfo) return converter.getPrivateKey((PrivateKeyInfo) o);
            throw new IOException(file + " holds no unencrypted private key");
        }
    }
}
