///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//SOURCES ../lib/pki/Certs.java
// snippet MakePki: a root CA and service certificates with lib/pki/Certs.java (copy both files), saved as PEM.
// Run it: jbang snippets/MakePki.java DIR NAME...   (writes DIR/ca.crt, DIR/ca.key, DIR/NAME.crt, DIR/NAME.key)

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;

public class MakePki {
    public static void main(String... args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "pki"));
        KeyPair caKey = newKeyPair();
        X509Certificate ca = rootCa(caKey, "My root CA", Duration.ofDays(3650));
        writeCertificate(dir.resolve("ca.crt"), ca);
        writePrivateKey(dir.resolve("ca.key"), caKey.getPrivate());
        for (int i = 1; i < args.length; i++) {
            KeyPair key = newKeyPair();
            String file = args[i].split("\\.")[0]; // service-a.example.com is written as service-a.crt
            writeCertificate(dir.resolve(file + ".crt"), leaf(key.getPublic(), List.of(args[i]), ca, caKey.getPrivate(), Duration.ofDays(365)));
            writePrivateKey(dir.resolve(file + ".key"), key.getPrivate());
        }
    }

    /** An EC P-256 key pair, from the JDK's own providers. */
    public static KeyPair newKeyPair() {
        return Certs.newKeyPair(Certs.KeyType.EC_P256);
    }

    /** A root CA that OpenSSL -x509_strict, Python 3.13 and browsers accept: Certs.root has the profile. */
    public static X509Certificate rootCa(KeyPair key, String commonName, Duration validity) {
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        Instant from = Instant.now().minus(Duration.ofMinutes(5)); // a peer whose clock lags accepts it at once
        return Certs.root(key, name, from, from.plus(validity), null);
    }

    /**
     * A service certificate for names (DNS names or IP addresses; the first is also the CN), for
     * serving and calling, as every service in mTLS does.
     */
    public static X509Certificate leaf(PublicKey key, List<String> names, X509Certificate ca, PrivateKey caKey, Duration validity) {
        Instant from = Instant.now().minus(Duration.ofMinutes(5));
        return Certs.leaf(key, names, Certs.Usage.SERVER_AND_CLIENT, ca, caKey, from, from.plus(validity));
    }

    /** Certificates as PEM: the leaf first, then any CA certificates of its chain. */
    public static void writeCertificate(Path file, X509Certificate... chain) throws IOException {
        StringBuilder pem = new StringBuilder();
        for (X509Certificate c : chain) pem.append(Certs.pem(c));
        Files.writeString(file, pem);
    }

    /**
     * A key as unencrypted PKCS#8 ("PRIVATE KEY"), which OpenSSL, curl, nginx and Spring Boot read.
     * The file is created with mode 0600 (POSIX), so the key is never readable by others, not even for
     * a moment; an existing file is not replaced.
     */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, Certs.pem(key));
    }
}
