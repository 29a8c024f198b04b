///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/Pki.java
//SOURCES lib/Cli.java
//DESCRIPTION Issues service certificates signed by your CA, or signs a CSR made elsewhere.

// issue.java: steps 2 and 3 of the tutorial (genrsa + req + x509 -req -CA), done in Java.
// `./jbang issue.java service-a.example.com` writes certs/service-a.crt and certs/service-a.key,
// signed by certs/ca.crt + certs/ca.key. It never replaces an existing file unless --force is
// given, and then it keeps the old one as a timestamped .bak.
// Signed by an intermediate CA (ca.java --intermediate), NAME.crt holds the certificate followed by
// the intermediate(s): the chain a server sends. `--renew certs/service-a.crt` re-issues a
// certificate with the same names, subject, usage and key, a new serial and new dates.

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.IDN;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraintValidatorException;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PKIXNameConstraintValidator;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.IPAddress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "issue.java", mixinStandardHelpOptions = true, version = "jbang-mtls issue 0.1",
        description = {"Issues a certificate for a service, signed by your CA (replaces tutorial steps 2 and 3).",
                "NAME is a DNS name, an IP address, an email address or a URI such as spiffe://example.org/svc.",
                "The first NAME is the certificate's CN and gives the file name; the others are more SANs.",
                "Signed by an intermediate CA (ca.java --intermediate), NAME.crt holds the certificate, then the "
                        + "intermediate(s): what a server sends. The root stays out; clients trust it.",
                "--renew FILE re-issues FILE (same names, subject, usage and key) with a new serial and dates."},
        sortOptions = false)
public class issue implements Callable<Integer> {

    /** Apple refuses TLS server certificates valid for more than 825 days (support.apple.com/103769). */
    static final int APPLE_MAX_DAYS = 825;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Names for the certificate (SANs).")
    List<String> names = new ArrayList<>();

    @Option(names = "--each", description = "Issue one certificate per NAME (one JVM, keys made in parallel).")
    boolean each;

    @Option(names = "--name", paramLabel = "FILE",
            description = "Base file name (default: the first label of the first NAME, e.g. service-a).")
    String fileName;

    @Option(names = "--csr", paramLabel = "FILE",
            description = "Sign this CSR (e.g. from openssl req). Its SANs are kept unless NAMEs are given.")
    Path csr;

    @Option(names = "--renew", paramLabel = "FILE",
            description = {"Re-issue FILE (e.g. certs/service-a.crt) with the same names, subject, usage and key "
                    + "(FILE's NAME.key beside it), a new serial and new dates; the old FILE is kept as .bak.",
                    "The key file is left as it is unless --new-key. --days defaults to the old validity (at most 825)."})
    Path renew;

    @Option(names = "--new-key", description = "With --renew: make a new key too (same type and size unless --key-type/--key-size).")
    boolean newKey;

    @Option(names = "--ca", defaultValue = "certs/ca.crt", paramLabel = "FILE",
            description = "CA certificate (default: ${DEFAULT-VALUE}); may be an intermediate, optionally followed by its "
                    + "chain (else its root is looked for in ca.crt beside it).")
    Path caCert;

    @Option(names = "--ca-key", defaultValue = "certs/ca.key", paramLabel = "FILE",
            description = "CA private key: PKCS#8, PKCS#1 or encrypted (default: ${DEFAULT-VALUE}).")
    Path caKey;

    @Option(names = "--ca-key-password", paramLabel = "SPEC",
            description = "Password of an encrypted CA key: env:VAR, file:PATH, prompt or the password (default: ask).")
    String caKeyPassword;

    @Option(names = "--server-only", description = "Extended key usage serverAuth only.")
    boolean serverOnly;

    @Option(names = "--client-only", description = "Extended key usage clientAuth only.")
    boolean clientOnly;

    @Option(names = "--days", defaultValue = "365", description = "Validity in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--key-type", paramLabel = "TYPE", description = "rsa (default), ec or ed25519.")
    String keyType;

    @Option(names = "--key-size", paramLabel = "BITS",
            description = "RSA: 2048 (default), 3072 or 4096. EC: 256 (default) or 384.")
    Integer keySize;

    @Option(names = "--key-password", paramLabel = "SPEC",
            description = "Encrypt the key (PKCS#8, AES-256, PBKDF2-SHA256): env:VAR, file:PATH, prompt or the password.")
    String keyPassword;

    @Option(names = "--p12", description = "Also write NAME.p12 (PKCS#12: key, certificate and CA) for Java and browsers.")
    boolean p12;

    @Option(names = "--p12-password", paramLabel = "SPEC",
            description = "Password of the .p12 (default: the key password, else 'changeit').")
    String p12Password;

    @Option(names = "--chain", description = "Also write NAME-chain.crt: the certificate, any intermediates, then the root.")
    boolean chain;

    @Option(names = "--dir", defaultValue = "certs", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--force", description = "Replace existing files; the old ones are kept as .bak. With --renew: "
            + "renew a certificate that another CA issued, with --ca.")
    boolean force;

    @Option(names = "--skip-existing", description = {
            "Resume an interrupted run: skip a NAME whose .crt and .key exist, match and are signed by this CA;",
            "for a .key alone, issue a certificate for that key (a key is never replaced); for a .crt alone, "
                    + "issue anew and keep the old one as .bak. Anything else in the way is refused unless --force. "
                    + "Removes the hidden .NAME.key.*.tmp files a killed run left."})
    boolean skipExisting;

    @Option(names = "--debug", description = "Show stack traces on errors.")
    boolean debug;

    @Mixin
    Pki.SubjectOptions subject = new Pki.SubjectOptions();

    @Spec
    CommandSpec spec;

    /** The certificate --renew re-issues, once read. */
    private X509Certificate renewed;

    public static void main(String... args) {
        System.exit(Cli.run(new issue(), args));
    }

    /** Which extended key usages a certificate gets. In mTLS a service both serves and calls. */
    public enum Usage { SERVER_AND_CLIENT, SERVER, CLIENT }

    /**
     * One certificate to make: its file name, subject and SANs. givenKey is a public key that exists
     * already (a CSR's, or keptKey's); otherwise a key is made. keptKey and keptCert are what
     * --skip-existing found on disk and keeps.
     */
    record Request(String name, X500Name subject, List<GeneralName> sans, boolean sanCritical,
                   PublicKey givenKey, PrivateKey keptKey, X509Certificate keptCert) {
        Request keeping(PrivateKey key, X509Certificate cert) {
            return new Request(name, subject, sans, sanCritical, Pki.publicKeyOf(key), key, cert);
        }
    }

    @Override
    public Integer call() {
        checkFlags();
        // 1. The CA: everything about it is checked before any key is made or file written.
        List<X509Certificate> caChain = caChain(Pki.readCertificates(caCert, "CA certificate"), caCert);
        X509Certificate ca = caChain.get(0);
        PrivateKey caPrivate = Pki.readPrivateKey(caKey, "CA key", caKeyPassword, "--ca-key-password");
        Pki.checkCa(ca, caPrivate, caCert, caKey);
        char[] keyPw = keyPassword == null ? null : Pki.password(keyPassword, "--key-password");
        char[] p12Pw = !p12 ? null : p12Password != null ? Pki.password(p12Password, "--p12-password")
                : keyPw != null ? keyPw : "changeit".toCharArray();

        // 2. What to issue, and the files that will be written: refuse to overwrite before any work.
        List<Request> requests = renew != null ? List.of(fromRenewal(ca, keyPw)) : csr != null ? List.of(fromCsr()) : fromNames();
        for (Request r : requests) checkNameConstraints(r.sans(), caChain, caCert);
        if (chain && !Pki.selfSigned(caChain.get(caChain.size() - 1)))
            throw Cli.fail("cannot find the root CA above %s for --chain: put the root after it in the --ca file, "
                    + "or keep it as ca.crt beside it", caCert);
        if (skipExisting) requests = requests.stream().map(r -> resume(r, ca, keyPw)).toList();
        List<Pki.OutFile> planned = new ArrayList<>();
        for (Request r : requests) planned.addAll(outFiles(r, "", null, null, null));
        // resume() has already refused, one by one, what --skip-existing may not replace.
        boolean replace = force || skipExisting || renew != null; // a renewal replaces, keeping .bak files
        Pki.checkOverwrite(planned, replace);

        // 3. Keys and certificates; keys are made in parallel, the slow part for RSA.
        Instant notBefore = Pki.backdated(Instant.now());
        Instant notAfter = Pki.notAfter(notBefore, days);
        Usage usage = renewed != null ? usageOf(renewed) : serverOnly ? Usage.SERVER : clientOnly ? Usage.CLIENT : Usage.SERVER_AND_CLIENT;
        // A server sends its certificate and the intermediates; the root is what clients already trust.
        String intermediates = caChain.stream().filter(c -> !Pki.selfSigned(c)).map(Pki::pem).collect(Collectors.joining());
        String wholeChain = caChain.stream().map(Pki::pem).collect(Collectors.joining());
        List<Pki.OutFile> files = new ArrayList<>();
        List<String> made = new ArrayList<>(); // described before writing: a failure then leaves no file
        // Everything per certificate happens in the parallel step, the encoding too: an encrypted
        // key's PBKDF2 (100,000 rounds) and a PKCS#12 cost as much as an EC key (docs/BENCHMARKS.md).
        record Built(String description, List<Pki.OutFile> files) {}
        List<Built> built = requests.parallelStream().map(r -> {
            KeyPair kp = null;
            X509Certificate cert = r.keptCert(); // complete already
            if (cert == null) {
                kp = r.givenKey() == null ? Pki.newKeyPair(keyType(), keySize) : null;
                PublicKey pub = kp != null ? kp.getPublic() : r.givenKey();
                cert = issue(pub, r.subject(), r.sans(), r.sanCritical(), usage, ca, caPrivate, notBefore, notAfter);
            }
            PrivateKey priv = kp != null ? kp.getPrivate() : r.keptKey();
            return new Built(r.keptCert() == null ? Pki.describe(cert) : null,
                    outFiles(r, Pki.pem(cert) + intermediates, kp == null ? null : Pki.pem(kp.getPrivate(), keyPw),
                            chain ? Pki.pem(cert) + wholeChain : null,
                            p12 && priv != null ? pkcs12(r.name(), priv, cert, caChain, p12Pw) : null));
        }).toList();
        for (Built b : built) {
            if (b.description() != null) made.add(b.description());
            files.addAll(b.files());
        }

        // 4. Write all files (each atomically), then say what was made.
        int stale = 0; // what a killed run left half-written: hidden .NAME.key.123.tmp files
        if (skipExisting)
            for (Request r : requests)
                for (String ext : List.of(".key", ".crt", "-chain.crt", ".p12"))
                    stale += Pki.removeStaleTemps(dir.resolve(r.name() + ext));
        List<Path> backups = Pki.writeAll(files, replace);
        PrintWriter out = spec.commandLine().getOut();
        if (stale > 0) out.printf("Note: removed %d temporary files left by an interrupted run.%n", stale);
        for (Request r : requests)
            if (r.keptCert() != null)
                out.printf("Note: %s and %s exist, match and are signed by this CA; skipped.%n",
                        dir.resolve(r.name() + ".crt"), dir.resolve(r.name() + ".key"));
        for (String description : made) {
            if (renewed == null) out.println("Issued a certificate signed by " + caCert + ":");
            else out.printf("Renewed %s (it was serial %s, valid until %s), signed by %s:%n", renew,
                    renewed.getSerialNumber().toString(16), Pki.utc(renewed.getNotAfter().toInstant()), caCert);
            out.print(description);
        }
        for (Request r : requests)
            if (r.keptKey() != null && r.keptCert() == null)
                out.printf("Note: kept the existing key %s; its new certificate is for that key.%n",
                        dir.resolve(r.name() + ".key"));
        Pki.printWritten(out, files, backups);
        if (!intermediates.isEmpty())
            out.printf("Note: each .crt holds the certificate, then the intermediate CA %s: the chain a server sends "
                    + "(nginx ssl_certificate, serve.java --cert). Clients trust the root only.%n", caCert);
        if (renewed != null)
            out.println("Note: a running serve.java uses the renewed certificate for new connections, without a restart.");
        if (p12 && p12Password == null && keyPw == null)
            out.println("Note: the .p12 password is \"changeit\", Java's usual default; set one with --p12-password.");
        warnings(ca, notAfter);
        return 0;
    }

    private void checkFlags() {
        if (days < 1) throw Cli.fail("--days must be at least 1, not %d", days);
        if (serverOnly && clientOnly) throw Cli.fail("--server-only and --client-only exclude each other");
        if (renew != null) {
            if (!names.isEmpty() || csr != null || each || skipExisting || fileName != null || serverOnly || clientOnly
                    || subject.given())
                throw Cli.fail("--renew keeps the names, subject and usage of %s, so NAMEs, --csr, --each, --skip-existing, "
                        + "--name, --server-only, --client-only and subject flags do not apply", renew);
            if (!newKey && (keyType != null || keySize != null))
                throw Cli.fail("--renew keeps the key; --key-type and --key-size need --new-key");
            if (spec.commandLine().getParseResult().hasMatchedOption("--dir"))
                throw Cli.fail("--renew writes beside %s; --dir does not apply", renew);
            return;
        }
        if (newKey) throw Cli.fail("--new-key goes with --renew; a new certificate always gets a new key");
        if (csr == null && names.isEmpty())
            throw Cli.fail("give at least one NAME, such as service-a.example.com, or --csr FILE");
        if (csr != null && each) throw Cli.fail("--each issues from NAMEs; it does not combine with --csr");
        if (csr != null && skipExisting)
            throw Cli.fail("--skip-existing resumes a run that made keys; it does not combine with --csr");
        if (each && fileName != null) throw Cli.fail("--name names one certificate; it does not combine with --each");
        if (csr != null && (keyType != null || keySize != null || keyPassword != null || p12))
            throw Cli.fail("with --csr the key stays with whoever made the CSR, so --key-type, --key-size, "
                    + "--key-password and --p12 do not apply");
        if (fileName != null && !fileName.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}"))
            throw Cli.fail("--name '%s' is not a plain file name (letters, digits, '.', '_' and '-')", fileName);
        if ("ca".equals(fileName)) throw Cli.fail("--name ca would clash with the CA's own files; pick another name");
    }

    private String keyType() {
        return keyType == null ? "rsa" : keyType;
    }

    private void warnings(X509Certificate ca, Instant notAfter) {
        PrintWriter err = spec.commandLine().getErr();
        if (days > APPLE_MAX_DAYS && !clientOnly)
            err.printf("Warning: --days %d is more than %d days: Apple devices refuse such a server certificate "
                    + "(support.apple.com/103769).%n", days, APPLE_MAX_DAYS);
        if (notAfter.isAfter(ca.getNotAfter().toInstant()))
            err.printf("Warning: the certificate outlives its CA, which expires %s; it stops working then.%n",
                    Pki.utc(ca.getNotAfter().toInstant()));
    }

    /** The requests for NAME arguments: one certificate for all names, or one each with --each. */
    private List<Request> fromNames() {
        List<List<GeneralName>> groups = new ArrayList<>();
        if (each) for (String n : names) groups.add(List.of(parseName(n)));
        else {
            List<GeneralName> all = new ArrayList<>();
            for (String n : names) all.add(parseName(n));
            groups.add(all);
        }
        List<Request> requests = new ArrayList<>();
        var seen = new HashSet<String>();
        for (List<GeneralName> sans : groups) {
            String name = fileName != null ? fileName : fileNameFor(sans.get(0));
            if (!seen.add(name))
                throw Cli.fail("two certificates would both be written as %s.crt; use separate runs with --name", name);
            String cn = commonName(sans.get(0));
            X500Name subj = subject.build(cn);
            requests.add(new Request(name, subj, sans, !hasCn(subj), null, null, null));
        }
        return requests;
    }

    /**
     * The request for --renew: the old certificate's subject, SANs and usage, and its key (NAME.key
     * beside it) unless --new-key. The old certificate must come from --ca, unless --force.
     */
    private Request fromRenewal(X509Certificate ca, char[] keyPw) {
        String file = renew.getFileName().toString();
        if (!file.endsWith(".crt") || file.length() == 4)
            throw Cli.fail("--renew takes a NAME.crt file with NAME.key beside it, such as certs/service-a.crt, not %s", renew);
        X509Certificate old = Pki.readCertificate(renew, "certificate to renew");
        if (old.getBasicConstraints() >= 0)
            throw Cli.fail("%s is a CA certificate; --renew re-issues service certificates", renew);
        if (!signedBy(old, ca) && !force)
            throw Cli.fail("%s was issued by \"%s\", not by the CA %s: give that CA with --ca and --ca-key, "
                    + "or add --force to have %s sign the renewal", renew, Pki.holder(old).getIssuer(), caCert, caCert);
        renewed = old;
        dir = renew.getParent() != null ? renew.getParent() : Path.of(".");
        String name = file.substring(0, file.length() - ".crt".length());
        if (!spec.commandLine().getParseResult().hasMatchedOption("--days")) days = renewalDays(old);
        chain |= Files.exists(dir.resolve(name + "-chain.crt")); // renewed too, or it would keep serving the old one
        if (!p12 && Files.exists(dir.resolve(name + ".p12")))
            spec.commandLine().getErr().printf("Warning: %s still holds the old certificate; add --p12 to renew it too.%n",
                    dir.resolve(name + ".p12"));

        X500Name subj = Pki.holder(old).getSubject();
        Extension sanExt = Pki.holder(old).getExtension(Extension.subjectAlternativeName);
        List<GeneralName> sans = new ArrayList<>();
        if (sanExt != null) sans.addAll(List.of(GeneralNames.getInstance(sanExt.getParsedValue()).getNames()));
        else if (firstCn(subj) != null) sans.add(parseName(firstCn(subj))); // the tutorial's CN-only certificate
        if (sans.isEmpty()) throw Cli.fail("%s names no host (no SAN, no CN); issue a new one with NAMEs", renew);
        boolean sanCritical = sanExt != null ? sanExt.isCritical() : !hasCn(subj);
        if (newKey) {
            if (keyType == null) {
                keyType = old.getPublicKey() instanceof RSAPublicKey ? "rsa" : old.getPublicKey().getAlgorithm().equals("EC") ? "ec" : "ed25519";
                if (keySize == null && !keyType.equals("ed25519"))
                    keySize = old.getPublicKey() instanceof RSAPublicKey r ? r.getModulus().bitLength()
                            : ((java.security.interfaces.ECPublicKey) old.getPublicKey()).getParams().getCurve().getField().getFieldSize();
            }
            return new Request(name, subj, sans, sanCritical, null, null, null);
        }
        Path keyFile = dir.resolve(name + ".key");
        PrivateKey key = Pki.readPrivateKeyWith(keyFile, "key", keyPw, "--key-password");
        if (!Pki.keyMatches(key, old.getPublicKey()))
            throw Cli.fail("the key %s does not belong to %s (their public keys differ); add --new-key to renew with a new key",
                    keyFile, renew);
        return new Request(name, subj, sans, sanCritical, old.getPublicKey(), key, null); // the key file stays as it is
    }

    /** The old certificate's validity in days, at most Apple's 825 (support.apple.com/103769). */
    static int renewalDays(X509Certificate old) {
        long d = Duration.between(old.getNotBefore().toInstant(), old.getNotAfter().toInstant()).toDays();
        return (int) Math.max(1, Math.min(d, APPLE_MAX_DAYS));
    }

    /** The usage an existing certificate's EKU gives; none at all (the tutorial's openssl certificates) allows both. */
    static Usage usageOf(X509Certificate c) {
        Extension e = Pki.holder(c).getExtension(Extension.extendedKeyUsage);
        if (e == null) return Usage.SERVER_AND_CLIENT;
        ExtendedKeyUsage eku = ExtendedKeyUsage.getInstance(e.getParsedValue());
        boolean server = eku.hasKeyPurposeId(KeyPurposeId.id_kp_serverAuth), client = eku.hasKeyPurposeId(KeyPurposeId.id_kp_clientAuth);
        return server == client ? Usage.SERVER_AND_CLIENT : server ? Usage.SERVER : Usage.CLIENT;
    }

    /**
     * The signing CA followed by its issuers, up to the root as far as they are found: the certificates
     * after it in the --ca file, then ca.crt beside it (where ca.java --intermediate leaves its root).
     * For a root CA this is the root alone.
     */
    static List<X509Certificate> caChain(List<X509Certificate> caFileCerts, Path caFile) {
        List<X509Certificate> chain = new ArrayList<>(List.of(caFileCerts.get(0)));
        if (Pki.selfSigned(chain.get(0))) return chain;
        List<X509Certificate> candidates = new ArrayList<>(caFileCerts.subList(1, caFileCerts.size()));
        Path root = caFile.resolveSibling("ca.crt");
        try {
            if (!root.equals(caFile) && Files.isRegularFile(root)) candidates.addAll(Pki.readCertificates(root, "root CA certificate"));
        } catch (Cli.Failure unreadable) {
            // only --chain needs the root, and it says so when it is missing
        }
        for (X509Certificate top = chain.get(0); !Pki.selfSigned(top) && chain.size() < 8; ) {
            X509Certificate up = null;
            for (X509Certificate c : candidates) if (!chain.contains(c) && signedBy(top, c)) up = c;
            if (up == null) break;
            chain.add(up);
            top = up;
        }
        return chain;
    }

    /**
     * Refuses, before any key is made, a name that a CA in the chain may not sign: every verifier would
     * refuse the certificate (OpenSSL: "permitted subtree violation", error 47; RFC 5280 4.2.1.10).
     */
    static void checkNameConstraints(List<GeneralName> sans, List<X509Certificate> caChain, Path caFile) {
        for (X509Certificate ca : caChain) {
            Extension e = Pki.holder(ca).getExtension(Extension.nameConstraints);
            if (e == null) continue;
            NameConstraints nc = NameConstraints.getInstance(e.getParsedValue());
            var validator = new PKIXNameConstraintValidator();
            if (nc.getPermittedSubtrees() != null) validator.intersectPermittedSubtree(nc.getPermittedSubtrees());
            if (nc.getExcludedSubtrees() != null) for (var t : nc.getExcludedSubtrees()) validator.addExcludedSubtree(t);
            for (GeneralName n : sans) {
                try {
                    validator.checkPermitted(n);
                    validator.checkExcluded(n);
                } catch (NameConstraintValidatorException ex) {
                    String which = ca == caChain.get(0) ? "the CA " + caFile : "\"" + Pki.holder(ca).getSubject() + "\" above " + caFile;
                    throw Cli.fail("%s is outside the names %s may sign: its name constraints are %s",
                            Pki.describeNames(new GeneralNames(n)), which, Pki.describeNameConstraints(nc));
                }
            }
        }
    }

    /** The request for --csr: its key and subject, its SANs unless NAMEs replace them; never its extensions. */
    private Request fromCsr() {
        PKCS10CertificationRequest req = Pki.readCsr(csr);
        PublicKey key;
        try {
            key = new JcaPEMKeyConverter().getPublicKey(req.getSubjectPublicKeyInfo());
            // Verify with the JDK key already converted: BC looks key factories up by OID, and the
            // JDK's EC provider does not register the EC OID (every EC CSR would fail).
            if (!req.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key)))
                throw Cli.fail("CSR %s has a bad signature: it was altered or damaged after it was made", csr);
        } catch (Cli.Failure f) {
            throw f;
        } catch (Exception e) {
            throw Cli.fail(e, "cannot check the signature of CSR %s: %s", csr, Pki.oneLine(e));
        }
        if (key instanceof RSAPublicKey && ((RSAPublicKey) key).getModulus().bitLength() < 2048)
            throw Cli.fail("CSR %s has an RSA key of %d bits; Apple and browsers need at least 2048",
                    csr, ((RSAPublicKey) key).getModulus().bitLength());
        String csrCn = firstCn(req.getSubject());
        List<GeneralName> sans = new ArrayList<>();
        if (!names.isEmpty()) for (String n : names) sans.add(parseName(n));
        else sans.addAll(requestedNames(req));
        // The tutorial's CSR (section 2.2) has no SAN, only a CN: the CN becomes the SAN, as its -extfile did.
        if (sans.isEmpty() && csrCn != null) sans.add(parseName(csrCn));
        if (sans.isEmpty()) throw Cli.fail("CSR %s names no host: give NAMEs after --csr", csr);
        X500Name subj = subject.given() ? subject.build(commonName(sans.get(0)))
                : csrCn != null && sameName(csrCn, sans.get(0)) ? req.getSubject()
                : replaceCn(req.getSubject(), commonName(sans.get(0)));
        String name = fileName != null ? fileName : fileNameFor(sans.get(0));
        return new Request(name, subj, sans, !hasCn(subj), key, null, null);
    }

    private List<GeneralName> requestedNames(PKCS10CertificationRequest req) {
        List<GeneralName> sans = new ArrayList<>();
        for (var attr : req.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            Extensions exts = Extensions.getInstance(attr.getAttrValues().getObjectAt(0));
            GeneralNames gns = GeneralNames.fromExtensions(exts, Extension.subjectAlternativeName);
            if (gns == null) continue;
            for (GeneralName gn : gns.getNames()) {
                if (gn.getTagNo() == GeneralName.iPAddress) sans.add(gn);
                else if (gn.getTagNo() == GeneralName.dNSName || gn.getTagNo() == GeneralName.rfc822Name
                        || gn.getTagNo() == GeneralName.uniformResourceIdentifier)
                    sans.add(parseName(gn.getName().toString())); // checked like a NAME argument
            }
        }
        return sans;
    }

    /**
     * --skip-existing: what an interrupted run left for this request. A kill between two renames
     * leaves a key without its certificate (keys are renamed first), so a key alone is kept and gets
     * a certificate. A complete pair is kept when it checks out; a certificate alone, or nothing, is
     * issued anew (writeAll keeps a .bak). Anything that cannot be checked is refused unless --force.
     */
    private Request resume(Request r, X509Certificate ca, char[] keyPw) {
        Path crt = dir.resolve(r.name() + ".crt"), key = dir.resolve(r.name() + ".key");
        if (!Files.exists(key, LinkOption.NOFOLLOW_LINKS)) return r;
        try {
            PrivateKey k = Pki.readPrivateKeyWith(key, "existing key", keyPw, "--key-password");
            if (!Files.exists(crt, LinkOption.NOFOLLOW_LINKS)) return r.keeping(k, null);
            X509Certificate c = Pki.readCertificate(crt, "existing certificate");
            String why = !signedBy(c, ca) ? "is not signed by this CA"
                    : !Pki.keyMatches(k, c.getPublicKey()) ? "does not match " + key
                    : !c.getNotAfter().after(new Date()) ? "has expired"
                    : !sameNames(c, r.sans()) ? "is for other names than " + Pki.describeNames(generalNames(r.sans()))
                    : null;
            if (why != null) throw Cli.fail("existing certificate %s %s", crt, why);
            return r.keeping(k, c);
        } catch (Cli.Failure f) {
            if (force) return r;
            throw Cli.fail(f, "%s; --skip-existing cannot resume from it: remove it, or add --force to replace it "
                    + "(the old files are kept as .bak)", f.getMessage());
        }
    }

    private static boolean signedBy(X509Certificate c, X509Certificate ca) {
        try {
            c.verify(ca.getPublicKey());
            return c.getIssuerX500Principal().equals(ca.getSubjectX500Principal());
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean sameNames(X509Certificate c, List<GeneralName> sans) {
        GeneralNames have = GeneralNames.fromExtensions(Pki.holder(c).getExtensions(), Extension.subjectAlternativeName);
        return generalNames(sans).equals(have);
    }

    private static GeneralNames generalNames(List<GeneralName> sans) {
        return new GeneralNames(sans.toArray(new GeneralName[0]));
    }

    /**
     * A leaf certificate with the profile of cert-profile.md: CA:FALSE, keyUsage critical
     * digitalSignature (+ keyEncipherment for RSA), the EKU asked for, SANs, an SKI, and an AKI
     * holding the CA's key id (-x509_strict error 85 without it).
     */
    public static X509Certificate issue(PublicKey key, X500Name subject, List<GeneralName> sans, boolean sanCritical,
                                        Usage usage, X509Certificate ca, PrivateKey caKey,
                                        Instant notBefore, Instant notAfter) {
        try {
            var b = new JcaX509v3CertificateBuilder(Pki.holder(ca).getSubject(), Pki.randomSerial(),
                    Date.from(notBefore), Date.from(notAfter), subject, key);
            var ext = new JcaX509ExtensionUtils();
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            int ku = KeyUsage.digitalSignature | (key.getAlgorithm().equals("RSA") ? KeyUsage.keyEncipherment : 0);
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ku));
            b.addExtension(Extension.extendedKeyUsage, false, extendedKeyUsage(usage));
            // With no CN the SAN must be critical (RFC 5280 4.2.1.6; -x509_strict error 88).
            b.addExtension(Extension.subjectAlternativeName, sanCritical, generalNames(sans));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            b.addExtension(Extension.authorityKeyIdentifier, false, Pki.authorityKeyId(ca));
            var signer = new JcaContentSignerBuilder(Pki.signatureAlgorithm(caKey)).build(caKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (Cli.Failure f) {
            throw f;
        } catch (Exception e) {
            throw Cli.fail(e, "cannot create the certificate: %s", Pki.oneLine(e));
        }
    }

    private static ExtendedKeyUsage extendedKeyUsage(Usage usage) {
        switch (usage) {
            case SERVER: return new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth);
            case CLIENT: return new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth);
            default: return new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
        }
    }

    // ------------------------------------------------------------------ names

    /**
     * A NAME argument as a SAN: a URI (has a scheme, e.g. spiffe://trust.domain/svc), an email
     * (has '@'), an IPv4/IPv6 address, or else a DNS name, checked by the rules of RFC 1123
     * (internationalised names are converted to their xn-- form).
     */
    public static GeneralName parseName(String raw) {
        String s = raw.trim();
        if (s.isEmpty()) throw Cli.fail("an empty NAME is not a valid host name");
        if (s.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") && !s.contains("@") && !IPAddress.isValidIPv6(s)) {
            try {
                URI u = new URI(s);
                if (u.getScheme() == null || s.contains(" ")) throw new IllegalArgumentException();
            } catch (Exception e) {
                throw Cli.fail("'%s' is not a valid URI", raw);
            }
            // A SAN URI is an IA5String, ASCII only (RFC 5280 4.2.1.6); Java's URI accepts more.
            if (!s.matches("\\p{ASCII}+") || s.chars().anyMatch(Character::isISOControl))
                throw Cli.fail("'%s' is not a valid URI: write non-ASCII characters %%-encoded", raw);
            return new GeneralName(GeneralName.uniformResourceIdentifier, s);
        }
        if (s.contains("@")) {
            int at = s.lastIndexOf('@');
            // The local part must be printable ASCII: rfc822Name is an IA5String (RFC 5280 4.2.1.6).
            if (at == 0 || !s.substring(0, at).matches("[!-~&&[^@]]+")) throw Cli.fail("'%s' is not a valid email address", raw);
            return new GeneralName(GeneralName.rfc822Name, s.substring(0, at) + "@" + dnsName(s.substring(at + 1), raw));
        }
        if (IPAddress.isValidIPv4(s) || IPAddress.isValidIPv6(s)) return new GeneralName(GeneralName.iPAddress, s);
        if (s.matches("[0-9.]+") || s.contains(":")) throw Cli.fail("'%s' is not a valid IP address", raw);
        return new GeneralName(GeneralName.dNSName, dnsName(s, raw));
    }

    private static String dnsName(String s, String raw) {
        // A wildcard is the whole leftmost label only, above at least two labels (no *.com).
        boolean wildcard = s.startsWith("*.");
        String rest = wildcard ? s.substring(2) : s;
        String ascii;
        try {
            ascii = IDN.toASCII(rest, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw Cli.fail("'%s' is not a valid DNS name: %s", raw, Pki.oneLine(e));
        }
        if (wildcard && ascii.split("\\.").length < 2)
            throw Cli.fail("'%s' is too broad a wildcard: use at least *.example.com", raw);
        checkLabels(ascii, raw);
        return wildcard ? "*." + ascii : ascii;
    }

    private static void checkLabels(String name, String raw) {
        if (name.length() > 253 || name.endsWith(".") || name.startsWith("."))
            throw Cli.fail("'%s' is not a valid DNS name", raw);
        for (String label : name.split("\\.", -1))
            if (!label.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"))
                throw Cli.fail("'%s' is not a valid DNS name: label '%s' must be 1-63 letters, digits or "
                        + "inner hyphens", raw, label);
    }

    /** The CN for a certificate: its first SAN, when that fits the 64 characters X.520 allows. */
    static String commonName(GeneralName first) {
        String v = first.getTagNo() == GeneralName.iPAddress ? ipText(first) : first.getName().toString();
        return v.length() <= 64 ? v : null;
    }

    /** service-a.example.com gives service-a; 127.0.0.1 stays; alice@example.com gives alice. */
    static String fileNameFor(GeneralName first) {
        String v;
        switch (first.getTagNo()) {
            case GeneralName.dNSName: {
                String[] labels = first.getName().toString().split("\\.");
                v = labels[0].equals("*") ? "wildcard." + labels[1] : labels[0];
                break;
            }
            case GeneralName.iPAddress: v = ipText(first).replace(':', '-'); break;
            case GeneralName.rfc822Name: v = first.getName().toString().split("@")[0]; break;
            default: {
                String path = URI.create(first.getName().toString()).getPath();
                String host = URI.create(first.getName().toString()).getHost();
                v = path != null && path.length() > 1 ? path.substring(path.lastIndexOf('/') + 1) : host;
            }
        }
        v = v == null ? "" : v.replaceAll("[^A-Za-z0-9._-]", "_");
        if (v.isEmpty() || v.equals("ca")) throw Cli.fail("cannot derive a file name from %s; give --name", first.getName());
        return v;
    }

    private static String ipText(GeneralName ip) {
        return Pki.describeNames(new GeneralNames(ip)).substring("IP Address:".length());
    }

    private static boolean hasCn(X500Name n) {
        return n.getRDNs(BCStyle.CN).length > 0;
    }

    private static String firstCn(X500Name n) {
        var rdns = n.getRDNs(BCStyle.CN);
        return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }

    private static boolean sameName(String cn, GeneralName gn) {
        return cn.equalsIgnoreCase(commonName(gn) == null ? "" : commonName(gn));
    }

    /** The CSR's subject with its CN replaced by the first SAN (or dropped when that is too long). */
    private static X500Name replaceCn(X500Name in, String cn) {
        var b = new org.bouncycastle.asn1.x500.X500NameBuilder(BCStyle.INSTANCE);
        for (var rdn : in.getRDNs())
            if (!rdn.getFirst().getType().equals(BCStyle.CN)) b.addRDN(rdn.getFirst());
        if (cn != null) b.addRDN(BCStyle.CN, Pki.literal(cn));
        return b.build();
    }

    // ------------------------------------------------------------------ output

    /**
     * The files for one certificate; content may be null when only the paths matter (the overwrite check).
     * The key comes first: files are renamed into place in this order, so a crash in between leaves a
     * key without its certificate (which --skip-existing completes), never a certificate without its key.
     * What --skip-existing keeps is left out: a kept key, and for a kept pair every file that exists.
     */
    private List<Pki.OutFile> outFiles(Request r, String certPem, String keyPem, String chainPem, byte[] p12Bytes) {
        String name = r.name();
        List<Pki.OutFile> files = new ArrayList<>();
        if (csr == null && r.keptKey() == null)
            files.add(Pki.OutFile.key(dir.resolve(name + ".key"), keyPem == null ? "" : keyPem));
        files.add(Pki.OutFile.cert(dir.resolve(name + ".crt"), certPem));
        if (chain) files.add(Pki.OutFile.cert(dir.resolve(name + "-chain.crt"), chainPem == null ? "" : chainPem));
        if (p12) files.add(new Pki.OutFile(dir.resolve(name + ".p12"), p12Bytes == null ? new byte[0] : p12Bytes,
                true, "PKCS#12 bundle"));
        if (r.keptCert() != null) files.removeIf(f -> Files.exists(f.path(), LinkOption.NOFOLLOW_LINKS));
        return files;
    }

    /**
     * A PKCS#12 bundle with the JDK's modern defaults (PBES2, AES-256, HMAC-SHA256): openssl 3 and
     * keytool read it with no -legacy flag, unlike mkcert's RC2 bundles.
     */
    static byte[] pkcs12(String alias, PrivateKey key, X509Certificate cert, List<X509Certificate> caChain, char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            List<Certificate> entry = new ArrayList<>(List.of(cert));
            entry.addAll(caChain);
            ks.setKeyEntry(alias, key, password, entry.toArray(new Certificate[0]));
            var bytes = new ByteArrayOutputStream();
            ks.store(bytes, password);
            return bytes.toByteArray();
        } catch (Exception e) {
            throw Cli.fail(e, "cannot write the PKCS#12 bundle: %s", Pki.oneLine(e));
        }
    }
}
