///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/pki/Failure.java
//SOURCES lib/pki/Text.java
//SOURCES lib/pki/Der.java
//SOURCES lib/pki/Keys.java
//SOURCES lib/pki/Certs.java
//SOURCES lib/pki/Names.java
//SOURCES lib/pki/Pem.java
//SOURCES lib/pki/Csr.java
//SOURCES lib/pki/SafeFiles.java
//SOURCES lib/pki/Describe.java
//SOURCES lib/cli/Cli.java
//DESCRIPTION Issues service certificates signed by your CA, signs a CSR made elsewhere, or renews a certificate.

// issue.java: steps 2 and 3 of the tutorial (genrsa + req + x509 -req -CA), done in Java.
//   ./jbang issue.java service-a.example.com     certs/service-a.crt and .key, signed by certs/ca.crt
//   ./jbang issue.java sign request.csr          a certificate for a CSR made elsewhere (its key stays there)
//   ./jbang issue.java renew certs/service-a.crt the same names, subject, usage and key; new serial and dates
// --dir D is the PKI folder: D/ca.crt and D/ca.key sign, D/NAME.* are written. Nothing is replaced
// unless --force is given, and then the old file is kept as a timestamped .bak. Signed by an
// intermediate CA (ca.java intermediate), NAME.crt holds the certificate, then the intermediate(s).
// The certificate profile itself is lib/pki/Certs.java; docs/PROFILE.md says why each part is there.

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.NameConstraintValidatorException;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PKIXNameConstraintValidator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "issue.java", mixinStandardHelpOptions = true, version = "jbang-mtls issue 0.2",
        description = {"Issues a certificate for a service, signed by your CA (replaces tutorial steps 2 and 3).",
                "NAME is a DNS name, an IP address, an email address or a URI such as spiffe://example.org/svc.",
                "The first NAME is the certificate's CN and gives the file name; the others are more SANs.",
                "Signed by an intermediate CA, NAME.crt holds the certificate, then the intermediate(s): what a "
                        + "server sends. The root stays out; clients trust it.",
                "Other modes: issue.java sign CSR (a CSR made elsewhere), issue.java renew FILE... (same names and key)."},
        subcommands = {issue.Sign.class, issue.Renew.class}, sortOptions = false)
public class issue implements Callable<Integer>, Cli.Aliases, Cli.Setup {

    @Mixin Common common;

    @Parameters(paramLabel = "NAME", arity = "0..*", description = "Names for the certificate (SANs).")
    List<String> names = new ArrayList<>();

    @Option(names = "--each", description = "Issue one certificate per NAME (one JVM, keys made in parallel).")
    boolean each;

    @Option(names = "--name", paramLabel = "FILE", description = "Base file name (default: the first label of the first NAME, e.g. service-a).")
    String fileName;

    @Mixin Cli.Dir dir;
    @Mixin Usages usages;
    @Mixin Cli.NewKey newKey;
    @Mixin Cli.Subject subject;

    @Option(names = "--skip-existing", description = {
            "Resume an interrupted run: skip a NAME whose .crt and .key exist, match and are signed by this CA;",
            "for a .key alone, issue a certificate for that key (a key is never replaced); for a .crt alone, "
                    + "issue anew and keep the old one as .bak. Anything else in the way is refused unless --force. "
                    + "Removes the hidden .NAME.key.*.tmp files a killed run left."})
    boolean skipExisting;

    public static void main(String... args) {
        System.exit(Cli.run(new issue(), args));
    }

    /** What --key-password does here: issue.java makes keys, and renew also reads the one it keeps. */
    @Override public void setup(picocli.CommandLine cl) {
        Cli.help(cl, "key-password", "Encrypts each key it makes with this password (PKCS#8, AES-256, PBKDF2-SHA256); "
                + "renew opens the key it keeps with it and writes it encrypted the same way. " + Cli.SPEC_FORMS);
    }

    /** The older flag forms stay: --renew FILE is renew FILE, --csr FILE is sign FILE. */
    @Override public String[] rewrite(String[] args) {
        return Cli.flagToSubcommand(Cli.flagToSubcommand(args, "--renew", "renew"), "--csr", "sign");
    }

    @Override
    public Integer call() {
        common.checkCommon();
        if (names.isEmpty()) throw Cli.fail("give at least one NAME, such as service-a.example.com (or: issue.java sign CSR)");
        if (fileName != null) checkFileName(fileName);
        if (each && fileName != null) throw Cli.fail("--name names one certificate; it does not combine with --each");
        SigningCa ca = common.signingCa(dir.dir);
        char[] keyPw = common.keyPassword.forNewKey();
        Keys.KeyType type = newKey.keyType();
        List<Request> requests = new ArrayList<>();
        var seen = new HashSet<String>();
        for (List<GeneralName> sans : each ? names.stream().map(n -> List.of(name(n))).toList() : List.of(names.stream().map(issue::name).toList())) {
            String file = fileName != null ? fileName : fileName(sans.get(0));
            if (!seen.add(file)) throw Cli.fail("two certificates would both be written as %s.crt; use separate runs with --name", file);
            X500Name subj = subject.build(Names.commonName(sans.get(0)));
            Request r = Request.made(dir.dir, file, subj, sans, !Names.hasCn(subj), usages.usage(), type, newKey.size);
            requests.add(skipExisting ? resume(r, ca, keyPw) : r);
        }
        int stale = 0; // what a killed run left half-written: hidden .NAME.key.123.tmp files
        if (skipExisting)
            for (Request r : requests)
                for (String ext : List.of(".key", ".crt", "-chain.crt", ".p12")) stale += SafeFiles.removeStaleTemps(r.file(ext));
        if (stale > 0) common.out().printf("Note: removed %d temporary files left by an interrupted run.%n", stale);
        // resume() has already refused, one by one, what --skip-existing may not replace.
        return common.issueAll(requests, ca, keyPw, common.force.force || skipExisting);
    }

    static GeneralName name(String n) {
        try {
            return Names.parse(n);
        } catch (Failure f) {
            throw Cli.fail("NAME %s", f.getMessage());
        }
    }

    static String fileName(GeneralName first) {
        try {
            return Names.fileName(first);
        } catch (Failure f) {
            throw Cli.fail("%s; give --name", f.getMessage());
        }
    }

    static void checkFileName(String n) {
        if (!n.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}"))
            throw Cli.fail("--name '%s' is not a plain file name (letters, digits, '.', '_' and '-')", Text.escape(n));
        if (n.equals("ca")) throw Cli.fail("--name ca would clash with the CA's own files; pick another name");
    }

    /**
     * --skip-existing: what an interrupted run left for this request. A kill between two renames
     * leaves a key without its certificate (keys are renamed first), so a key alone is kept and gets
     * a certificate. A complete pair is kept when it checks out; a certificate alone, or nothing, is
     * issued anew (writeAll keeps a .bak). Anything that cannot be checked is refused unless --force.
     */
    private Request resume(Request r, SigningCa ca, char[] keyPw) {
        Path crt = r.file(".crt"), key = r.file(".key");
        if (!Files.exists(key, LinkOption.NOFOLLOW_LINKS)) return r;
        try {
            PrivateKey k = Pem.privateKey(key, "existing key", () -> {
                if (keyPw == null) throw Cli.fail("existing key %s is encrypted: give its password with --key-password", key);
                return keyPw;
            });
            if (!Files.exists(crt, LinkOption.NOFOLLOW_LINKS)) return r.keeping(k, null);
            X509Certificate c = Pem.certificate(crt, "existing certificate");
            String why = !Certs.signedBy(c, ca.cert()) ? "is not signed by this CA"
                    : !Keys.matches(k, c.getPublicKey()) ? "does not match " + key
                    : !c.getNotAfter().toInstant().isAfter(Instant.now()) ? "has expired"
                    : !Names.sanList(c).equals(r.sans()) ? "is for other names than " + Names.sans(new GeneralNames(r.sans().toArray(new GeneralName[0])))
                    : null;
            if (why != null) throw Cli.fail("existing certificate %s %s", crt, why);
            return r.keeping(k, c);
        } catch (Failure f) {
            if (common.force.force) return r;
            throw Cli.fail(f, "%s; --skip-existing cannot resume from it: remove it, or add --force to replace it "
                    + "(the old files are kept as .bak)", f.getMessage());
        }
    }

    // ================================================================ issue.java sign CSR

    /** A CSR made elsewhere (openssl req, cfssl, a Kubernetes workload): its key never leaves its owner. */
    @Command(name = "sign", mixinStandardHelpOptions = true, version = "jbang-mtls issue 0.2", sortOptions = false,
            description = {"Signs a CSR made elsewhere (openssl req, cfssl...) with your CA; the key stays with its owner.",
                    "The certificate gets our profile (key usage, EKU, key ids), never the CSR's own extensions. Its SANs are "
                            + "kept unless NAMEs are given; a CSR with a CN and no SAN (the tutorial's) gets the CN as its SAN."})
    static class Sign implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(index = "0", paramLabel = "CSR", description = "The CSR file, PEM or DER.")
        Path csr;

        @Parameters(index = "1..*", paramLabel = "NAME", arity = "0..*", description = "Names instead of the CSR's own SANs.")
        List<String> names = new ArrayList<>();

        @Option(names = "--name", paramLabel = "FILE", description = "Base file name (default: from the first name).")
        String fileName;

        @Mixin Cli.Dir dir;
        @Mixin Usages usages;
        @Mixin Cli.Subject subject;

        @Override
        public Integer call() {
            common.checkCommon();
            if (fileName != null) checkFileName(fileName);
            if (common.p12 || common.keyPassword.spec != null)
                throw Cli.fail("with a CSR the key stays with whoever made it, so --key-password and --p12 do not apply");
            SigningCa ca = common.signingCa(dir.dir);
            Csr.Request req;
            try {
                req = Csr.check(Pem.csr(csr));
            } catch (Certs.Refused r) {
                throw Cli.fail(r, "cannot sign CSR %s: %s", Text.escape(csr.toString()), r.getMessage());
            }
            String csrCn = Names.cn(req.subject());
            List<GeneralName> sans = new ArrayList<>();
            if (!names.isEmpty()) for (String n : names) sans.add(name(n));
            else for (GeneralName gn : req.names()) sans.add(vetted(gn));
            // The tutorial's CSR (section 2.2) has no SAN, only a CN: the CN becomes the SAN, as its -extfile did.
            if (sans.isEmpty() && csrCn != null) sans.add(name(csrCn));
            if (sans.isEmpty()) throw Cli.fail("CSR %s names no host: give NAMEs after it", Text.escape(csr.toString()));
            X500Name subj = subject.given() ? subject.build(Names.commonName(sans.get(0)))
                    : csrCn != null && Names.sameName(csrCn, sans.get(0)) ? req.subject()
                    : Names.withCn(req.subject(), Names.commonName(sans.get(0)));
            String file = fileName != null ? fileName : fileName(sans.get(0));
            return common.issueAll(List.of(Request.given(dir.dir, file, subj, sans, !Names.hasCn(subj), usages.usage(), req.key())),
                    ca, null, common.force.force);
        }

        /** A SAN from the CSR, checked like a NAME argument; kinds we never issue are refused by name. */
        private GeneralName vetted(GeneralName gn) {
            switch (gn.getTagNo()) {
                case GeneralName.iPAddress: {
                    String ip = Names.ipText(gn);
                    if (ip.startsWith("(invalid")) throw Cli.fail("CSR %s asks for an IP address SAN that is %s", Text.escape(csr.toString()), ip);
                    return gn;
                }
                case GeneralName.dNSName: case GeneralName.rfc822Name: case GeneralName.uniformResourceIdentifier:
                    // An IA5String holds ASCII (RFC 5280 4.2.1.6): an internationalized name comes as its
                    // xn-- form. Anything else would be read as Latin-1 and signed as another name.
                    if (!gn.getName().toString().matches("[!-~]+"))
                        throw Cli.fail("CSR %s asks for %s, which is not printable ASCII (RFC 5280 4.2.1.6: an international name "
                                + "comes in its xn-- form)", Text.escape(csr.toString()), Names.san(gn));
                    try {
                        return Names.parse(gn.getName().toString());
                    } catch (Failure f) {
                        throw Cli.fail("CSR %s asks for a name we will not sign: %s", Text.escape(csr.toString()), f.getMessage());
                    }
                default:
                    throw Cli.fail("CSR %s asks for a %s SAN, which issue.java does not sign; give NAMEs instead",
                            Text.escape(csr.toString()), Names.san(gn));
            }
        }
    }

    // ================================================================ issue.java renew FILE...

    /**
     * Re-issues certificates with their names, subject, usage and key, a new serial and new dates,
     * signed by the CA of their folder (or --ca). The old files are kept as .bak; a running
     * serve.java picks the new certificate up without a restart.
     */
    @Command(name = "renew", mixinStandardHelpOptions = true, version = "jbang-mtls issue 0.2", sortOptions = false,
            description = {"Renews certificates: the same names, subject, usage and key, a new serial and new dates.",
                    "FILE is a NAME.crt with NAME.key beside it; the CA is ca.crt and ca.key in FILE's folder unless --ca. "
                            + "The old files are kept as .bak."})
    static class Renew implements Callable<Integer> {
        @Mixin Common common;

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Certificates to renew, e.g. certs/service-a.crt.")
        List<Path> files = new ArrayList<>();

        @Option(names = "--new-key", description = "Make a new key too (same type and size unless --key-type/--key-size).")
        boolean rekey;

        @Mixin Cli.NewKey newKey;

        @Option(names = "--any-issuer", description = "Renew a certificate that another CA issued (after ca.java --force replaced the CA).")
        boolean anyIssuer;

        @Override
        public Integer call() {
            common.checkCommon();
            if (!rekey && newKey.given()) throw Cli.fail("renew keeps the key; --key-type and --key-size need --new-key");
            for (Path f : files) {
                String base = f.getFileName().toString();
                if (!base.endsWith(".crt") || base.length() == 4)
                    throw Cli.fail("renew takes NAME.crt files with NAME.key beside each, such as certs/service-a.crt, not %s",
                            Text.escape(f.toString()));
            }
            Path folder = folder(files.get(0));
            SigningCa ca = common.signingCa(folder);
            char[] keyPw = common.keyPassword.spec == null ? null : common.keyPassword.forNewKey();
            List<Request> requests = new ArrayList<>();
            var seen = new HashSet<Path>();
            for (Path f : files) {
                if (!seen.add(f.toAbsolutePath().normalize())) throw Cli.fail("%s is named twice", Text.escape(f.toString()));
                requests.add(renewal(f, ca, keyPw));
            }
            return common.issueAll(requests, ca, keyPw, true);
        }

        private static Path folder(Path file) {
            return file.toAbsolutePath().getParent() == null || file.getParent() == null ? Path.of(".") : file.getParent();
        }

        /** The old certificate's subject, SANs and usage, and its key (NAME.key beside it) unless --new-key. */
        private Request renewal(Path file, SigningCa ca, char[] keyPw) {
            String base = file.getFileName().toString();
            X509Certificate old = Pem.certificate(file, "certificate to renew");
            if (old.getBasicConstraints() >= 0) throw Cli.fail("%s is a CA certificate; renew re-issues service certificates", file);
            if (!Certs.signedBy(old, ca.cert()) && !anyIssuer)
                throw Cli.fail("%s was issued by \"%s\", not by the CA %s: give that CA with --ca and --ca-key, or add --any-issuer "
                        + "to have %s sign the renewal", file, Names.issuer(old), ca.file(), ca.file());
            Path dir = folder(file);
            String name = base.substring(0, base.length() - ".crt".length());
            X500Name subj = Certs.holder(old).getSubject();
            Extension sanExt = Certs.holder(old).getExtension(Extension.subjectAlternativeName);
            List<GeneralName> sans = new ArrayList<>(Names.sanList(old));
            if (sanExt == null && Names.cn(subj) != null) sans.add(name(Names.cn(subj))); // the tutorial's CN-only certificate
            if (sans.isEmpty()) throw Cli.fail("%s names no host (no SAN, no CN); issue a new one with NAMEs", file);
            boolean sanCritical = sanExt != null ? sanExt.isCritical() : !Names.hasCn(subj);
            Request r;
            if (rekey) {
                Keys.KeyType type = newKey.type != null ? newKey.keyType() : Keys.KeyType.of(old.getPublicKey());
                Integer size = newKey.type != null || newKey.size != null ? newKey.size
                        : type == Keys.KeyType.ED25519 ? null : Keys.size(old.getPublicKey());
                r = Request.made(dir, name, subj, sans, sanCritical, usageOf(old), type, size);
            } else {
                Path keyFile = dir.resolve(name + ".key");
                PrivateKey key = Pem.privateKey(keyFile, "key", common.keyPassword.forExisting(keyFile));
                if (!Keys.matches(key, old.getPublicKey()))
                    throw Cli.fail("the key %s does not belong to %s (their public keys differ); add --new-key to renew with a new key", keyFile, file);
                r = Request.made(dir, name, subj, sans, sanCritical, usageOf(old), null, null).keeping(key, null);
            }
            if (common.days == null) common.days = renewalDays(old); // the first file's validity, at most 825 days
            common.chain |= Files.exists(dir.resolve(name + "-chain.crt")); // renewed too, or it would keep serving the old one
            if (!common.p12 && Files.exists(dir.resolve(name + ".p12")))
                common.err().printf("Warning: %s still holds the old certificate; add --p12 to renew it too.%n", dir.resolve(name + ".p12"));
            return r.renewing(old, file);
        }
    }

    /** The old certificate's validity in days, at most Apple's 825 (support.apple.com/103769). */
    static int renewalDays(X509Certificate old) {
        long d = Duration.between(old.getNotBefore().toInstant(), old.getNotAfter().toInstant()).toDays();
        return (int) Math.max(1, Math.min(d, Certs.APPLE_MAX_DAYS));
    }

    /** The usage an existing certificate's EKU gives; none at all (the tutorial's openssl certificates) allows both. */
    static Certs.Usage usageOf(X509Certificate c) {
        Extension e = Certs.holder(c).getExtension(Extension.extendedKeyUsage);
        if (e == null) return Certs.Usage.SERVER_AND_CLIENT;
        ExtendedKeyUsage eku = ExtendedKeyUsage.getInstance(e.getParsedValue());
        boolean server = eku.hasKeyPurposeId(KeyPurposeId.id_kp_serverAuth), client = eku.hasKeyPurposeId(KeyPurposeId.id_kp_clientAuth);
        return server == client ? Certs.Usage.SERVER_AND_CLIENT : server ? Certs.Usage.SERVER : Certs.Usage.CLIENT;
    }

    /** --server-only and --client-only: which extended key usages a new certificate gets. */
    static class Usages {
        @Option(names = "--server-only", description = "Extended key usage serverAuth only.")
        boolean serverOnly;

        @Option(names = "--client-only", description = "Extended key usage clientAuth only.")
        boolean clientOnly;

        Certs.Usage usage() {
            if (serverOnly && clientOnly) throw Cli.fail("--server-only and --client-only exclude each other");
            return serverOnly ? Certs.Usage.SERVER : clientOnly ? Certs.Usage.CLIENT : Certs.Usage.SERVER_AND_CLIENT;
        }
    }

    /**
     * The CA that signs, with the chain above it, all checked before any key is made or file written;
     * made, with its files still to write, when the folder had none.
     */
    record SigningCa(Path file, List<X509Certificate> chain, PrivateKey key, List<SafeFiles.OutFile> made) {
        SigningCa(Path file, List<X509Certificate> chain, PrivateKey key) { this(file, chain, key, List.of()); }
        X509Certificate cert() { return chain.get(0); }
    }


    /**
     * One certificate to make: where, its file name, subject and SANs, and its key: made (keyType),
     * a CSR's (givenKey, no key file), or kept (keptKey: its file stays as it is). keptCert is a
     * complete pair --skip-existing keeps; renewing is the certificate a renewal replaces.
     */
    record Request(Path dir, String name, X500Name subject, List<GeneralName> sans, boolean sanCritical, Certs.Usage usage,
                   Keys.KeyType keyType, Integer keySize, PublicKey givenKey, PrivateKey keptKey, X509Certificate keptCert,
                   X509Certificate renewing, Path renewedFile) {
        static Request made(Path dir, String name, X500Name subject, List<GeneralName> sans, boolean sanCritical, Certs.Usage usage,
                            Keys.KeyType type, Integer size) {
            return new Request(dir, name, subject, sans, sanCritical, usage, type, size, null, null, null, null, null);
        }
        static Request given(Path dir, String name, X500Name subject, List<GeneralName> sans, boolean sanCritical, Certs.Usage usage,
                             PublicKey key) {
            return new Request(dir, name, subject, sans, sanCritical, usage, null, null, key, null, null, null, null);
        }
        Request keeping(PrivateKey key, X509Certificate cert) {
            return new Request(dir, name, subject, sans, sanCritical, usage, null, null, Keys.publicKeyOf(key), key, cert, renewing, renewedFile);
        }
        Request renewing(X509Certificate old, Path file) {
            return new Request(dir, name, subject, sans, sanCritical, usage, keyType, keySize, givenKey, keptKey, keptCert, old, file);
        }
        Path file(String ext) { return dir.resolve(name + ext); }
        boolean writesKey() { return givenKey == null; }
    }

    // ================================================================ what the modes share

    /**
     * What the three modes of issue.java share, as one mixin: the signing CA, validity, the key
     * password, the extra files (--chain, --p12), --force and --debug, and issueAll(), which makes the
     * keys and certificates in parallel, writes them all or none, and says what it made.
     */
    static class Common {
        @Mixin Cli.Ca caOptions;

        @Option(names = "--days", paramLabel = "N", description = "Validity in days (default: 365; renew: the old validity, at most 825).")
        Integer days;

        @Mixin Cli.KeyPassword keyPassword;

        @Option(names = "--p12", description = "Also write NAME.p12 (PKCS#12: key, certificate and CA) for Java and browsers.")
        boolean p12;

        @Option(names = "--p12-password", paramLabel = "SPEC", description = "Password of the .p12 (default: the key password, else 'changeit').")
        String p12Password;

        @Option(names = "--chain", description = "Also write NAME-chain.crt: the certificate, any intermediates, then the root.")
        boolean chain;

        @Mixin Cli.Force force;
        @Mixin Cli.Debug debug;

        @Spec(Spec.Target.MIXEE) CommandSpec spec;

        PrintWriter out() { return spec.commandLine().getOut(); }
        PrintWriter err() { return spec.commandLine().getErr(); }

        void checkCommon() {
            if (days != null && days < 1) throw Cli.fail("--days must be at least 1, not %d", days);
            if (p12Password != null && !p12) throw Cli.fail("--p12-password goes with --p12");
        }

        SigningCa signingCa(Path dir) {
            Path certFile = caOptions.cert(dir), keyFile = caOptions.key(dir);
            if (!caOptions.given() && !Files.exists(certFile, LinkOption.NOFOLLOW_LINKS) && !Files.exists(keyFile, LinkOption.NOFOLLOW_LINKS))
                return firstCa(certFile, keyFile);
            List<X509Certificate> chain = caChain(Pem.certificates(certFile, "CA certificate"), certFile);
            try {
                Certs.checkSigningCa(chain.get(0), Instant.now());
            } catch (Certs.Refused r) {
                throw Cli.fail(r, "cannot sign with the CA %s: %s; %s", certFile, r.getMessage(), caOptions.cert != null
                        ? "point --ca at a CA that can sign"
                        : "point --ca at a CA that can sign, or replace this one with ./jbang ca.java"
                                + (dir.equals(Path.of("certs")) ? "" : " --dir " + Text.arg(dir))
                                + " --force (it then prints the command that re-issues what the old one signed)");
            }
            PrivateKey key = Pem.privateKey(keyFile, "CA key", caOptions.passwordFor(keyFile));
            if (!Keys.matches(key, chain.get(0).getPublicKey()))
                throw Cli.fail("CA key %s does not belong to CA certificate %s (their public keys differ)", keyFile, certFile);
            return new SigningCa(certFile, chain, key);
        }

        /**
         * A root CA for a folder that has none and no --ca was given, as mkcert and minica make theirs on
         * first use: what ca.java makes with no options. Its files are written with the certificates it
         * signs, so a run that fails writes neither; a CA file that exists but cannot be read is never
         * replaced this way (signingCa reads it and says why).
         */
        SigningCa firstCa(Path certFile, Path keyFile) {
            KeyPair kp = Keys.generate(Keys.KeyType.RSA, null);
            Instant notBefore = Certs.backdated(Instant.now());
            X509Certificate root = Certs.root(kp, Names.withCn(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
                    Names.defaultCaName("root CA")), notBefore, Certs.notAfter(notBefore, 3650), null);
            return new SigningCa(certFile, List.of(root), kp.getPrivate(), List.of(
                    SafeFiles.OutFile.key(keyFile, Pem.key(kp.getPrivate(), null)), SafeFiles.OutFile.cert(certFile, Certs.pem(root))));
        }

        /**
         * The signing CA followed by its issuers, up to the root as far as they are found: the certificates
         * after it in the --ca file, then ca.crt beside it (where ca.java intermediate leaves its root).
         */
        static List<X509Certificate> caChain(List<X509Certificate> caFileCerts, Path caFile) {
            List<X509Certificate> chain = new ArrayList<>(List.of(caFileCerts.get(0)));
            if (Certs.selfSigned(chain.get(0))) return chain;
            List<X509Certificate> candidates = new ArrayList<>(caFileCerts.subList(1, caFileCerts.size()));
            Path root = caFile.resolveSibling("ca.crt");
            try {
                if (!root.equals(caFile) && Files.isRegularFile(root)) candidates.addAll(Pem.certificates(root, "root CA certificate"));
            } catch (Failure unreadable) {
                // only --chain needs the root, and it says so when it is missing
            }
            for (X509Certificate top = chain.get(0); !Certs.selfSigned(top) && chain.size() < 8; ) {
                X509Certificate up = null;
                for (X509Certificate c : candidates) if (!chain.contains(c) && Certs.signedBy(top, c)) up = c;
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
                Extension e = Certs.holder(ca).getExtension(Extension.nameConstraints);
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
                        String which = ca == caChain.get(0) ? "the CA " + caFile : "\"" + Names.subject(ca) + "\" above " + caFile;
                        throw Cli.fail("%s is outside the names %s may sign: its name constraints are %s", Names.san(n), which,
                                Names.nameConstraints(nc));
                    }
                }
            }
        }

        /**
         * Makes every certificate (keys in parallel, the slow part for RSA), then writes all files, each
         * atomically and keys first, and says what it made. replace lets existing files go (kept as .bak).
         */
        int issueAll(List<Request> requests, SigningCa ca, char[] keyPw, boolean replace) {
            for (Request r : requests) checkNameConstraints(r.sans(), ca.chain(), ca.file());
            if (chain && !Certs.selfSigned(ca.chain().get(ca.chain().size() - 1)))
                throw Cli.fail("cannot find the root CA above %s for --chain: put the root after it in the --ca file, "
                        + "or keep it as ca.crt beside it", ca.file());
            char[] p12Pw = !p12 ? null : p12Password != null ? Cli.password(p12Password, "--p12-password")
                    : keyPw != null ? keyPw : "changeit".toCharArray();
            List<SafeFiles.OutFile> planned = new ArrayList<>(ca.made());
            for (Request r : requests) planned.addAll(outFiles(r, "", null, null, null));
            SafeFiles.checkOverwrite(planned, replace);

            Instant notBefore = Certs.backdated(Instant.now());
            Instant notAfter;
            try {
                notAfter = Certs.notAfter(notBefore, days == null ? 365 : days);
            } catch (Certs.Refused r) {
                throw Cli.fail("--days %s", r.getMessage());
            }
            // A server sends its certificate and the intermediates; the root is what clients already trust.
            String intermediates = ca.chain().stream().filter(c -> !Certs.selfSigned(c)).map(Certs::pem).collect(Collectors.joining());
            String wholeChain = Pem.certificates(ca.chain());
            // Everything per certificate happens in the parallel step, the encoding too: an encrypted
            // key's PBKDF2 (100,000 rounds) and a PKCS#12 cost as much as an EC key (docs/BENCHMARKS.md).
            record Built(Request request, String description, List<SafeFiles.OutFile> files) {}
            List<Built> built = requests.parallelStream().map(r -> {
                KeyPair kp = null;
                X509Certificate cert = r.keptCert(); // complete already
                if (cert == null) {
                    kp = r.givenKey() == null ? Cli.NewKey.generate(r.keyType(), r.keySize()) : null;
                    PublicKey pub = kp != null ? kp.getPublic() : r.givenKey();
                    cert = Certs.leaf(pub, r.subject(), r.sans(), r.sanCritical(), r.usage(), ca.cert(), ca.key(), notBefore, notAfter);
                }
                PrivateKey priv = kp != null ? kp.getPrivate() : r.keptKey();
                return new Built(r, r.keptCert() == null ? Describe.certificate(cert) : null,
                        outFiles(r, Certs.pem(cert) + intermediates, kp == null ? null : Pem.key(kp.getPrivate(), keyPw),
                                chain ? Certs.pem(cert) + wholeChain : null,
                                p12 && priv != null ? Pem.pkcs12(r.name(), priv, cert, ca.chain(), p12Pw) : null));
            }).toList();
            List<SafeFiles.OutFile> files = new ArrayList<>(ca.made()); // a new CA's key and certificate first
            for (Built b : built) files.addAll(b.files());
            List<Path> backups = SafeFiles.writeAll(files, replace);

            PrintWriter out = out();
            if (!ca.made().isEmpty()) {
                Path dir = ca.file().getParent() == null ? Path.of(".") : ca.file().getParent();
                out.printf("No CA in %s: created %s and %s (a root CA for 10 years; ./jbang inspect.java %s shows it).%n",
                        dir, ca.file(), ca.made().get(0).path(), ca.file());
                if (SafeFiles.restrictFolder(dir)) out.println("Note: " + dir + " is now mode 0700, as it holds a CA key.");
            }
            for (Built b : built) {
                Request r = b.request();
                if (r.keptCert() != null)
                    out.printf("Note: %s and %s exist, match and are signed by this CA; skipped.%n", r.file(".crt"), r.file(".key"));
                else if (r.renewing() != null)
                    out.printf("Renewed %s (it was serial %s, valid until %s), signed by %s:%n", r.renewedFile(),
                            r.renewing().getSerialNumber().toString(16), Describe.utc(r.renewing().getNotAfter().toInstant()), ca.file());
                else out.println("Issued a certificate signed by " + ca.file() + ":");
                if (b.description() != null) out.print(b.description());
                if (r.keptKey() != null && r.keptCert() == null)
                    out.printf("Note: kept the existing key %s; its new certificate is for that key.%n", r.file(".key"));
            }
            SafeFiles.printWritten(out, files, backups);
            if (!intermediates.isEmpty())
                out.printf("Note: each .crt holds the certificate, then the intermediate CA %s: the chain a server sends "
                        + "(nginx ssl_certificate, serve.java --cert). Clients trust the root only.%n", ca.file());
            if (requests.stream().anyMatch(r -> r.renewing() != null))
                out.println("Note: a running serve.java uses the renewed certificate for new connections, without a restart.");
            if (p12 && p12Password == null && keyPw == null)
                out.println("Note: the .p12 password is \"changeit\", Java's usual default; set one with --p12-password.");
            warnings(ca.cert(), notAfter, requests);
            return 0;
        }

        private void warnings(X509Certificate ca, Instant notAfter, List<Request> requests) {
            int d = days == null ? 365 : days;
            if (d > Certs.APPLE_MAX_DAYS && requests.stream().anyMatch(r -> r.usage() != Certs.Usage.CLIENT))
                err().printf("Warning: --days %d is more than %d days: Apple devices refuse such a server certificate "
                        + "(support.apple.com/103769).%n", d, Certs.APPLE_MAX_DAYS);
            if (notAfter.isAfter(ca.getNotAfter().toInstant()))
                err().printf("Warning: the certificate outlives its CA, which expires %s; it stops working then.%n",
                        Describe.utc(ca.getNotAfter().toInstant()));
        }

        /**
         * The files for one certificate; content may be null when only the paths matter (the overwrite check).
         * The key comes first: files are renamed into place in this order, so a crash in between leaves a
         * key without its certificate (which --skip-existing completes), never a certificate without its key.
         * What stays as it is is left out: a kept key, and for a kept pair every file that exists.
         */
        List<SafeFiles.OutFile> outFiles(Request r, String certPem, String keyPem, String chainPem, byte[] p12Bytes) {
            List<SafeFiles.OutFile> files = new ArrayList<>();
            if (r.writesKey()) files.add(SafeFiles.OutFile.key(r.file(".key"), keyPem == null ? "" : keyPem));
            files.add(SafeFiles.OutFile.cert(r.file(".crt"), certPem));
            if (chain) files.add(SafeFiles.OutFile.cert(r.file("-chain.crt"), chainPem == null ? "" : chainPem));
            if (p12) files.add(new SafeFiles.OutFile(r.file(".p12"), p12Bytes == null ? new byte[0] : p12Bytes, true, "PKCS#12 bundle"));
            if (r.keptCert() != null) files.removeIf(f -> Files.exists(f.path(), LinkOption.NOFOLLOW_LINKS));
            return files;
        }
    }
}
