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
// `ca.java --intermediate --name sub-ca` makes an intermediate CA signed by that root instead:
// DIR/sub-ca.crt and DIR/sub-ca.key, pathLen 0, optionally limited to names (--name-constraint).
// `ca.java revoke CERT...` adds certificates to DIR/ca.crl, the CA's signed list of revoked
// certificates (CRL), which serve.java --crl enforces (openssl ca -revoke + -gencrl, in one step).

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.util.IPAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ca.java", mixinStandardHelpOptions = true, version = "jbang-mtls ca 0.1",
        description = {"Creates a root CA: DIR/ca.crt and DIR/ca.key (replaces tutorial step 1).",
                "With --intermediate, an intermediate CA signed by --ca instead: DIR/NAME.crt and DIR/NAME.key; "
                        + "issue.java --ca DIR/NAME.crt --ca-key DIR/NAME.key signs with it.",
                "ca.java revoke CERT... revokes certificates in DIR/ca.crl (see ca.java revoke --help)."},
        subcommands = ca.Revoke.class, sortOptions = false)
public class ca implements Callable<Integer> {

    @Option(names = "--days", paramLabel = "N",
            description = "Validity in days (default: 3650; an intermediate: until its signing CA expires, at most 3650).")
    Integer days;

    @Option(names = "--key-type", defaultValue = "rsa", paramLabel = "TYPE",
            description = "rsa, ec or ed25519 (default: ${DEFAULT-VALUE}).")
    String keyType;

    @Option(names = "--key-size", paramLabel = "BITS",
            description = "RSA: 2048 (default), 3072 or 4096. EC: 256 (default) or 384.")
    Integer keySize;

    @Option(names = "--path-len", paramLabel = "N",
            description = "Most intermediate CAs allowed below this CA (default: no limit for a root; 0 for an "
                    + "intermediate, which then signs service certificates only).")
    Integer pathLen;

    @Option(names = "--intermediate", description = "Make an intermediate CA signed by --ca (default: DIR/ca.crt), not a root.")
    boolean intermediate;

    @Option(names = "--name", paramLabel = "NAME", description = "With --intermediate: its file name, DIR/NAME.crt and .key (default: sub-ca).")
    String name;

    @Option(names = "--ca", paramLabel = "FILE", description = "With --intermediate: the CA that signs it (default: DIR/ca.crt).")
    Path parentCert;

    @Option(names = "--ca-key", paramLabel = "FILE", description = "With --intermediate: that CA's key (default: DIR/ca.key).")
    Path parentKey;

    @Option(names = "--ca-key-password", paramLabel = "SPEC", description = "With --intermediate: password of an encrypted --ca-key.")
    String parentKeyPassword;

    @Option(names = "--name-constraint", paramLabel = "KIND:NAME",
            description = {"With --intermediate: the only names it may sign (repeatable): DNS:example.com (it and its "
                    + "subdomains), DNS:.example.com (subdomains only), IP:10.0.0.0/8.",
                    "A critical nameConstraints extension; kinds not named stay unrestricted."})
    List<String> nameConstraints = new ArrayList<>();

    @Option(names = "--dir", defaultValue = "certs", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--key-password", paramLabel = "SPEC",
            description = "Encrypt the new key, ca.key or NAME.key (AES-256, PBKDF2-SHA256). SPEC: env:VAR, file:PATH, prompt or the password.")
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
        if (days != null && days < 1) throw Cli.fail("--days must be at least 1, not %d", days);
        if (pathLen != null && pathLen < 0) throw Cli.fail("--path-len must be 0 or more");
        if (intermediate) return intermediate();
        if (name != null || parentCert != null || parentKey != null || parentKeyPassword != null || !nameConstraints.isEmpty())
            throw Cli.fail("--name, --ca, --ca-key, --ca-key-password and --name-constraint describe an intermediate CA: add --intermediate");
        Path crtFile = dir.resolve("ca.crt"), keyFile = dir.resolve("ca.key");
        if (!force && (Files.exists(keyFile) || Files.exists(crtFile)))
            throw Cli.fail("%s already exists: replacing a CA orphans every certificate it signed. "
                    + "Keep using it, choose another --dir, or add --force (the old files are kept as .bak)",
                    Files.exists(keyFile) ? keyFile : crtFile);

        X500Name name = subject.build(defaultCommonName("root CA"));
        Instant notBefore = Pki.backdated(Instant.now());
        Instant notAfter = Pki.notAfter(notBefore, days == null ? 3650 : days);
        char[] password = keyPassword == null ? null : Pki.password(keyPassword, "--key-password");
        KeyPair kp = Pki.newKeyPair(keyType, keySize);
        X509Certificate cert = newRootCa(kp, name, notBefore, notAfter, pathLen);

        List<Pki.OutFile> files = List.of(
                Pki.OutFile.key(keyFile, Pki.pem(kp.getPrivate(), password)), // the key first: see Pki.writeAll
                Pki.OutFile.cert(crtFile, Pki.pem(cert)));
        String description = Pki.describe(cert); // before writing: a failure then leaves no file
        List<Path> backups = Pki.writeAll(files, force);

        var out = spec.commandLine().getOut();
        out.println("Created a root CA:");
        out.print(description);
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
        return newCa(kp.getPublic(), subject, null, kp.getPrivate(), notBefore, notAfter, pathLen, List.of());
    }

    /**
     * An intermediate CA certificate signed by parent: the root's profile plus the AKI that every
     * certificate but a root needs (-x509_strict error 85), and, when permitted is not empty, name
     * constraints, which RFC 5280 4.2.1.10 wants critical.
     */
    public static X509Certificate newIntermediateCa(PublicKey key, X500Name subject, X509Certificate parent,
                                                    PrivateKey parentKey, Instant notBefore, Instant notAfter,
                                                    Integer pathLen, List<GeneralSubtree> permitted) {
        return newCa(key, subject, parent, parentKey, notBefore, notAfter, pathLen, permitted);
    }

    private static X509Certificate newCa(PublicKey key, X500Name subject, X509Certificate parent, PrivateKey signerKey,
                                         Instant notBefore, Instant notAfter, Integer pathLen, List<GeneralSubtree> permitted) {
        try {
            BigInteger serial = Pki.randomSerial();
            X500Name issuer = parent == null ? subject : Pki.holder(parent).getSubject();
            var b = new JcaX509v3CertificateBuilder(issuer, serial, Date.from(notBefore), Date.from(notAfter), subject, key);
            var ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true,
                    pathLen == null ? new BasicConstraints(true) : new BasicConstraints(pathLen));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            // SKI non-critical (a critical one fails -x509_strict); issue.java copies it into each AKI.
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            if (parent != null) b.addExtension(Extension.authorityKeyIdentifier, false, Pki.authorityKeyId(parent));
            if (!permitted.isEmpty())
                b.addExtension(Extension.nameConstraints, true, new NameConstraints(permitted.toArray(new GeneralSubtree[0]), null));
            var signer = new JcaContentSignerBuilder(Pki.signatureAlgorithm(signerKey)).build(signerKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Cli.Failure f) {
            throw f;
        } catch (Exception e) {
            throw Cli.fail(e, "cannot create the CA certificate: %s", Pki.oneLine(e));
        }
    }

    /**
     * `ca.java --intermediate`: a CA signed by --ca that signs the service certificates, so the root's
     * key can stay offline. pathLen 0 by default: it may sign service certificates but no further CA.
     */
    private Integer intermediate() {
        String base = name == null ? "sub-ca" : name;
        if (!base.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}") || base.equals("ca"))
            throw Cli.fail("--name '%s' must be a plain file name other than ca (letters, digits, '.', '_' and '-')", base);
        List<GeneralSubtree> permitted = nameConstraints.stream().map(ca::nameConstraint).toList();
        Path caFile = parentCert != null ? parentCert : dir.resolve("ca.crt");
        Path caKeyFile = parentKey != null ? parentKey : dir.resolve("ca.key");
        Path crtFile = dir.resolve(base + ".crt"), keyFile = dir.resolve(base + ".key");
        if (!force && (Files.exists(keyFile) || Files.exists(crtFile)))
            throw Cli.fail("%s already exists: replacing an intermediate CA orphans every certificate it signed. "
                    + "Choose another --name, or add --force (the old files are kept as .bak)", Files.exists(keyFile) ? keyFile : crtFile);

        X509Certificate parent = Pki.readCertificate(caFile, "CA certificate");
        PrivateKey parentPrivate = Pki.readPrivateKey(caKeyFile, "CA key", parentKeyPassword, "--ca-key-password");
        Pki.checkCa(parent, parentPrivate, caFile, caKeyFile);
        int below = pathLen == null ? 0 : pathLen, allowed = parent.getBasicConstraints(); // MAX_VALUE: no limit
        if (allowed == 0)
            throw Cli.fail("%s has pathLen 0: it may sign service certificates but no CA; sign the intermediate with the root", caFile);
        if (below >= allowed)
            throw Cli.fail("%s has pathLen %d: a CA it signs needs a --path-len below %d, not %d", caFile, allowed, allowed, below);
        X500Name subj = subject.build(defaultCommonName("intermediate CA " + base));
        if (subj.equals(Pki.holder(parent).getSubject()))
            throw Cli.fail("the intermediate's subject equals its CA's (%s); give it another --cn", subj);

        // Not beyond the signing CA: a certificate is no longer valid than its chain (RFC 5280 6.1.3).
        Instant notBefore = Pki.backdated(Instant.now());
        Instant notAfter = Pki.notAfter(notBefore, days == null ? 3650 : days);
        Instant parentEnd = parent.getNotAfter().toInstant();
        boolean clipped = notAfter.isAfter(parentEnd);
        if (clipped) notAfter = parentEnd;
        char[] password = keyPassword == null ? null : Pki.password(keyPassword, "--key-password");
        KeyPair kp = Pki.newKeyPair(keyType, keySize);
        X509Certificate cert = newIntermediateCa(kp.getPublic(), subj, parent, parentPrivate, notBefore, notAfter, below, permitted);

        List<Pki.OutFile> files = List.of(
                Pki.OutFile.key(keyFile, Pki.pem(kp.getPrivate(), password)), // the key first: see Pki.writeAll
                Pki.OutFile.cert(crtFile, Pki.pem(cert)));
        String description = Pki.describe(cert);
        List<Path> backups = Pki.writeAll(files, force);

        var out = spec.commandLine().getOut();
        out.println("Created an intermediate CA signed by " + caFile + ":");
        out.print(description);
        Pki.printWritten(out, files, backups);
        if (clipped && days != null)
            spec.commandLine().getErr().printf("Warning: --days %d would outlive the signing CA %s; the intermediate ends "
                    + "when it does, %s.%n", days, caFile, Pki.utc(parentEnd));
        out.printf("Note: clients still trust only %s. A server sends %s after its own certificate: issue.java puts it in NAME.crt.%n",
                caFile, crtFile);
        out.printf("Next: ./jbang issue.java --ca %s --ca-key %s service-a.example.com%n", crtFile, keyFile);
        return 0;
    }

    /** A --name-constraint (DNS:example.com, DNS:.example.com or IP:10.0.0.0/8) as a permitted subtree. */
    static GeneralSubtree nameConstraint(String spec) {
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? "" : spec.substring(0, colon).toUpperCase(Locale.ROOT);
        String value = spec.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
        if (kind.equals("DNS")) {
            // RFC 5280 4.2.1.10: example.com also covers its subdomains; OpenSSL, Go and BC read .example.com
            // as the subdomains only.
            String label = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
            if (!value.matches("\\.?(" + label + "\\.)*" + label) || value.length() > 253)
                throw Cli.fail("--name-constraint %s: '%s' is not a DNS name; write DNS:example.com or DNS:.example.com", spec, value);
            return new GeneralSubtree(new GeneralName(GeneralName.dNSName, value));
        }
        if (kind.equals("IP")) {
            String[] parts = value.split("/", -1);
            boolean v4 = parts.length == 2 && IPAddress.isValidIPv4(parts[0]), v6 = parts.length == 2 && IPAddress.isValidIPv6(parts[0]);
            if (!(v4 || v6) || !parts[1].matches("\\d{1,3}") || Integer.parseInt(parts[1]) > (v4 ? 32 : 128))
                throw Cli.fail("--name-constraint %s: write an address range such as IP:10.0.0.0/8 or IP:fd00::/8", spec);
            return new GeneralSubtree(new GeneralName(GeneralName.iPAddress, value)); // address and mask, 8 or 32 bytes
        }
        throw Cli.fail("--name-constraint %s: write DNS:example.com, DNS:.example.com or IP:10.0.0.0/8", spec);
    }

    /**
     * A CN that tells this CA apart in a trust store list and in a server's list of accepted CAs
     * (iOS lists only roots with a CN): user, date and a random tag, since one user may make two a day.
     */
    static String defaultCommonName(String kind) {
        byte[] tag = new byte[3];
        Pki.RANDOM.nextBytes(tag);
        return "jbang-mtls " + kind + " (" + System.getProperty("user.name") + " " + LocalDate.now() + " " + java.util.HexFormat.of().formatHex(tag) + ")";
    }

    // ---------------------------------------------------------------- revocation (ca.java revoke)

    /**
     * `ca.java revoke CERT...`: adds each certificate's serial to DIR/ca.crl and signs the CRL anew
     * (RFC 5280 section 5): thisUpdate now, nextUpdate in --days, a CRL number one higher than the
     * last, and the CA's key id (AKI), all of which openssl crl and the JDK's PKIX checker read.
     * Entries already there are kept. With no CERT it re-signs the CRL as it is, to push its
     * nextUpdate out: a CRL past it proves nothing, and servers then refuse every client.
     */
    @Command(name = "revoke", mixinStandardHelpOptions = true, version = "jbang-mtls ca 0.1", sortOptions = false,
            description = {"Revokes certificates: adds their serials to DIR/ca.crl, a CRL signed by the CA.",
                    "With no CERT, re-signs the CRL as it is with a new next update: do it before the old one passes.",
                    "serve.java --crl DIR/ca.crl refuses revoked client certificates."})
    static class Revoke implements Callable<Integer> {

        @Parameters(paramLabel = "CERT", arity = "0..*", description = "Certificate files to revoke, e.g. certs/service-a.crt.")
        List<Path> certs = new ArrayList<>();

        @Option(names = "--dir", defaultValue = "certs", description = "Folder of ca.crt, ca.key and ca.crl (default: ${DEFAULT-VALUE}).")
        Path dir;

        @Option(names = "--ca-key-password", paramLabel = "SPEC",
                description = "Password of an encrypted ca.key: env:VAR, file:PATH or prompt.")
        String caKeyPassword;

        @Option(names = "--reason", paramLabel = "REASON",
                description = "Why, recorded in the CRL: keyCompromise, caCompromise, affiliationChanged, superseded, "
                        + "cessationOfOperation or privilegeWithdrawn (default: none recorded, as RFC 5280 prefers to 'unspecified').")
        String reason;

        @Option(names = "--days", defaultValue = "30", paramLabel = "N",
                description = "Days until the CRL's next update (default: ${DEFAULT-VALUE}). Once it passes, servers "
                        + "refuse every client of this CA until you run ca.java revoke again.")
        int days;

        @Option(names = "--debug", description = "Show stack traces on errors.")
        boolean debug;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (days < 1 || days > 3650) throw Cli.fail("--days must be 1 to 3650, not %d", days);
            int reasonCode = reasonCode(reason);
            Path caFile = dir.resolve("ca.crt"), keyFile = dir.resolve("ca.key"), crlFile = dir.resolve("ca.crl");
            X509Certificate ca = Pki.readCertificate(caFile, "CA certificate");
            PrivateKey caKey = Pki.readPrivateKey(keyFile, "CA key", caKeyPassword, "--ca-key-password");
            if (!Pki.keyMatches(caKey, ca.getPublicKey()))
                throw Cli.fail("the key %s does not belong to the CA certificate %s (their public keys differ)", keyFile, caFile);
            List<X509Certificate> targets = new ArrayList<>();
            for (Path p : certs) targets.add(checkIssuedBy(Pki.readCertificate(p, "certificate to revoke"), p, ca, caFile));
            X509CRLHolder previous = Files.exists(crlFile) ? readCrl(crlFile, ca, caFile) : null;

            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            var out = spec.commandLine().getOut();
            List<BigInteger> serials = new ArrayList<>();
            for (X509Certificate c : targets) {
                var entry = previous == null ? null : previous.getRevokedCertificate(c.getSerialNumber());
                if (entry != null) {
                    out.printf("Note: %s (serial %s) was already revoked on %s; left as it was.%n", Pki.holder(c).getSubject(),
                            c.getSerialNumber().toString(16), Pki.utc(entry.getRevocationDate().toInstant()));
                } else if (!serials.contains(c.getSerialNumber())) {
                    serials.add(c.getSerialNumber());
                    out.printf("Revoked %s (serial %s, valid until %s).%n", Pki.holder(c).getSubject(),
                            c.getSerialNumber().toString(16), Pki.utc(c.getNotAfter().toInstant()));
                }
            }
            X509CRL crl = newCrl(ca, caKey, previous, serials, reasonCode, now, now.plus(days, ChronoUnit.DAYS));
            List<Pki.OutFile> files = List.of(new Pki.OutFile(crlFile,
                    Pki.pem("X509 CRL", encoded(crl)).getBytes(StandardCharsets.US_ASCII), false, "CRL"));
            List<Path> backups = Pki.writeAll(files, true); // the previous CRL is kept as .bak

            int total = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
            out.printf("The CRL now lists %d revoked certificate%s (CRL number %s), next update %s.%n", total,
                    total == 1 ? "" : "s", crlNumber(crl), Pki.utc(crl.getNextUpdate().toInstant()));
            Pki.printWritten(out, files, backups);
            out.printf("Note: run ./jbang ca.java revoke%s again before %s: past it, servers refuse every client of this CA.%n",
                    dir.equals(Path.of("certs")) ? "" : " --dir " + dir, Pki.utc(crl.getNextUpdate().toInstant()));
            out.printf("Next: ./jbang serve.java --name NAME --crl %s refuses revoked client certificates; "
                    + "openssl crl -in %s -CAfile %s -noout -text shows the list.%n", crlFile, crlFile, caFile);
            return 0;
        }
    }

    /** RFC 5280 5.3.1 reason codes by name; 0 means "record none" to Bouncy Castle's addCRLEntry. */
    static int reasonCode(String name) {
        if (name == null) return 0;
        Map<String, Integer> codes = Map.of("keycompromise", CRLReason.keyCompromise, "cacompromise", CRLReason.cACompromise,
                "affiliationchanged", CRLReason.affiliationChanged, "superseded", CRLReason.superseded,
                "cessationofoperation", CRLReason.cessationOfOperation, "privilegewithdrawn", CRLReason.privilegeWithdrawn);
        Integer code = codes.get(name.toLowerCase(Locale.ROOT));
        if (code == null)
            throw Cli.fail("--reason must be keyCompromise, caCompromise, affiliationChanged, superseded, "
                    + "cessationOfOperation or privilegeWithdrawn, not '%s'", name);
        return code;
    }

    /** A certificate this CA signed; any other would be listed in vain, since no server would look for it here. */
    static X509Certificate checkIssuedBy(X509Certificate c, Path file, X509Certificate ca, Path caFile) {
        try {
            if (!c.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) throw new IllegalArgumentException();
            c.verify(ca.getPublicKey());
            return c;
        } catch (Exception e) {
            throw Cli.fail("%s was not issued by the CA %s (its issuer is \"%s\"): revoking it in this CA's CRL would change nothing",
                    file, caFile, Pki.holder(c).getIssuer());
        }
    }

    /** The existing CRL, which must be this CA's: signed by its key and naming it as issuer. */
    static X509CRLHolder readCrl(Path file, X509Certificate ca, Path caFile) {
        byte[] bytes = Pki.readInput(file, "CRL");
        X509CRLHolder crl;
        try {
            String text = new String(bytes, StandardCharsets.US_ASCII);
            crl = text.contains("-----BEGIN X509 CRL-----")
                    ? (X509CRLHolder) new org.bouncycastle.openssl.PEMParser(new java.io.StringReader(text)).readObject()
                    : new X509CRLHolder(bytes);
        } catch (Exception e) {
            throw Cli.fail("cannot read the CRL %s: %s; move it aside to start a new one", file, Pki.oneLine(e));
        }
        try {
            if (!crl.getIssuer().equals(Pki.holder(ca).getSubject())
                    || !crl.isSignatureValid(new JcaContentVerifierProviderBuilder().build(ca.getPublicKey())))
                throw new IllegalArgumentException();
        } catch (Exception e) {
            throw Cli.fail("the CRL %s was not signed by the CA %s (was the CA replaced?); move it aside to start a new one",
                    file, caFile);
        }
        return crl;
    }

    /**
     * A CRL signed by the CA: the previous entries, plus serials revoked now (with reason, unless 0),
     * the CRL number after the previous one, and an AKI holding the CA's key id (RFC 5280 5.2.1/5.2.3).
     */
    public static X509CRL newCrl(X509Certificate ca, PrivateKey caKey, X509CRLHolder previous, List<BigInteger> serials,
                                 int reason, Instant thisUpdate, Instant nextUpdate) {
        try {
            var b = new X509v2CRLBuilder(Pki.holder(ca).getSubject(), Date.from(thisUpdate));
            b.setNextUpdate(Date.from(nextUpdate));
            if (previous != null) b.addCRL(previous);
            for (BigInteger serial : serials) b.addCRLEntry(serial, Date.from(thisUpdate), reason);
            BigInteger number = BigInteger.ONE;
            if (previous != null && previous.getExtension(Extension.cRLNumber) != null)
                number = CRLNumber.getInstance(previous.getExtension(Extension.cRLNumber).getParsedValue()).getCRLNumber().add(BigInteger.ONE);
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            SubjectKeyIdentifier ski = SubjectKeyIdentifier.fromExtensions(Pki.holder(ca).getExtensions());
            b.addExtension(Extension.authorityKeyIdentifier, false, ski != null ? new AuthorityKeyIdentifier(ski.getKeyIdentifier())
                    : new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.getPublicKey()));
            var signer = new JcaContentSignerBuilder(Pki.signatureAlgorithm(caKey)).build(caKey);
            return new JcaX509CRLConverter().getCRL(b.build(signer));
        } catch (Exception e) {
            throw Cli.fail(e, "cannot sign the CRL: %s", Pki.oneLine(e));
        }
    }

    static String crlNumber(X509CRL crl) {
        byte[] v = crl.getExtensionValue(Extension.cRLNumber.getId());
        return v == null ? "none" : org.bouncycastle.asn1.ASN1Integer.getInstance(
                org.bouncycastle.asn1.ASN1OctetString.getInstance(v).getOctets()).getValue().toString();
    }

    static byte[] encoded(X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (Exception e) {
            throw Cli.fail(e, "cannot encode the CRL: %s", Pki.oneLine(e));
        }
    }
}
