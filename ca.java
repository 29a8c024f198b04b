///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/Pki.java
//SOURCES lib/Cli.java
//DESCRIPTION Creates a root CA (key + self-signed certificate) that strict verifiers accept.

// ca.java: step 1 of the tutorial (openssl genrsa + req + x509 -signkey), done in Java.
// Writes DIR/ca.crt and DIR/ca.key (default DIR: certs). It never replaces an existing CA key
// unless --force is given, and then it keeps the old one as a timestamped .bak.

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ca.java", mixinStandardHelpOptions = true, version = "jbang-mtls ca 0.1",
        description = "Creates a root CA: DIR/ca.crt and DIR/ca.key (replaces tutorial step 1).",
        sortOptions = false)
public class ca implements Callable<Integer> {

    @Option(names = "--days", defaultValue = "3650", description = "Validity in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--key-type", defaultValue = "rsa", paramLabel = "TYPE",
            description = "rsa, ec or ed25519 (default: ${DEFAULT-VALUE}).")
    String keyType;

    @Option(names = "--key-size", paramLabel = "BITS",
            description = "RSA: 2048 (default), 3072 or 4096. EC: 256 (default) or 384.")
    Integer keySize;

    @Option(names = "--path-len", paramLabel = "N",
            description = "Most intermediate CAs allowed below this root (default: no limit).")
    Integer pathLen;

    @Option(names = "--dir", defaultValue = "certs", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--key-password", paramLabel = "SPEC",
            description = "Encrypt ca.key (AES-256, PBKDF2-SHA256). SPEC: env:VAR, file:PATH, prompt or the password.")
    String keyPassword;

    @Option(names = "--force", description = "Replace an existing CA; the old files are kept as .bak.")
    boolean force;

    @Option(names = "--debug", description = "Show stack traces on errors.")
    boolean debug;

    @Mixin
    Pki.SubjectOptions subject = new Pki.SubjectOptions();

    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.run(new ca(), args));
    }

    @Override
    public Integer call() {
        if (days < 1) throw Cli.fail("--days must be at least 1, not %d", days);
        if (pathLen != null && pathLen < 0) throw Cli.fail("--path-len must be 0 or more");
        Path crtFile = dir.resolve("ca.crt"), keyFile = dir.resolve("ca.key");
        if (!force && (Files.exists(keyFile) || Files.exists(crtFile)))
            throw Cli.fail("%s already exists: replacing a CA orphans every certificate it signed. "
                    + "Keep using it, choose another --dir, or add --force (the old files are kept as .bak)",
                    Files.exists(keyFile) ? keyFile : crtFile);

        X500Name name = subject.build(defaultCommonName());
        char[] password = keyPassword == null ? null : Pki.password(keyPassword, "--key-password");
        KeyPair kp = Pki.newKeyPair(keyType, keySize);
        Instant notBefore = Pki.backdated(Instant.now());
        X509Certificate cert = newRootCa(kp, name, notBefore, notBefore.plus(days, ChronoUnit.DAYS), pathLen);

        List<Pki.OutFile> files = List.of(
                Pki.OutFile.cert(crtFile, Pki.pem(cert)),
                Pki.OutFile.key(keyFile, Pki.pem(kp.getPrivate(), password)));
        List<Path> backups = Pki.writeAll(files, force);

        var out = spec.commandLine().getOut();
        out.println("Created a root CA:");
        out.print(Pki.describe(cert));
        Pki.printWritten(out, files, backups);
        out.println("Next: ./jbang issue.java service-a.example.com");
        return 0;
    }

    /**
     * A self-signed root CA certificate with the profile of cert-profile.md, which the tutorial's
     * root lacks: OpenSSL -x509_strict and Python 3.13 reject a CA without a critical
     * basicConstraints (error 89), without keyUsage (error 92) or without an SKI (error 86).
     */
    public static X509Certificate newRootCa(KeyPair kp, X500Name subject, Instant notBefore, Instant notAfter,
                                            Integer pathLen) {
        try {
            BigInteger serial = Pki.randomSerial();
            var b = new JcaX509v3CertificateBuilder(subject, serial, Date.from(notBefore), Date.from(notAfter),
                    subject, kp.getPublic());
            var ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true,
                    pathLen == null ? new BasicConstraints(true) : new BasicConstraints(pathLen));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            // SKI non-critical (a critical one fails -x509_strict); issue.java copies it into each AKI.
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            var signer = new JcaContentSignerBuilder(Pki.signatureAlgorithm(kp.getPrivate())).build(kp.getPrivate());
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Exception e) {
            throw Cli.fail(e, "cannot create the CA certificate: %s", Pki.oneLine(e));
        }
    }

    /**
     * A CN that tells this root apart in a trust store list and in a server's list of accepted CAs
     * (iOS lists only roots with a CN): user, date and a random tag, since one user may make two a day.
     */
    static String defaultCommonName() {
        byte[] tag = new byte[3];
        Pki.RANDOM.nextBytes(tag);
        return "jbang-mtls root CA (" + System.getProperty("user.name") + " " + LocalDate.now() + " " + java.util.HexFormat.of().formatHex(tag) + ")";
    }
}
