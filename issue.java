///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/pki/Failure.java
//SOURCES lib/pki/Text.java
//SOURCES lib/pki/Der.java
//SOURCES lib/pki/Keys.java
//SOURCES lib/pki/Certs.java
//SOURCES lib/pki/Policy.java
//SOURCES lib/pki/Names.java
//SOURCES lib/pki/Pem.java
//SOURCES lib/pki/Csr.java
//SOURCES lib/pki/SafeFiles.java
//SOURCES lib/pki/Describe.java
//SOURCES lib/pki/Pki.java
//SOURCES lib/pki/SigningCa.java
//SOURCES lib/pki/Issuer.java
//SOURCES lib/cli/Cli.java
//SOURCES lib/cli/Signing.java
//DESCRIPTION Issues service certificates signed by your CA, signs a CSR made elsewhere, or renews a certificate.
// No hsperfdata file: jps and jcmd would not see a run this short anyway, and not writing it
// makes a warm run about 5% faster (measured here on JDK 17).
//JAVA_OPTIONS -XX:-UsePerfData

// issue.java: steps 2 and 3 of the tutorial (genrsa + req + x509 -req -CA), done in Java.
//   ./jbang issue.java service-a.example.com     certs/service-a.crt and .key, signed by certs/ca.crt
//   ./jbang issue.java sign request.csr          a certificate for a CSR made elsewhere (its key stays there)
//   ./jbang issue.java renew certs/service-a.crt the same names, subject, usage and key; new serial and dates
// --dir D is the PKI folder: D/ca.crt and D/ca.key sign, D/NAME.* are written. Nothing is replaced
// unless --force is given, and then the old file is kept as a timestamped .bak. Signed by an
// intermediate CA (ca.java intermediate), NAME.crt holds the certificate, then the intermediate(s).
// This file is the options and what is printed; the engine is lib/pki/Issuer.java, the profile
// lib/pki/Certs.java, and docs/PROFILE.md says why each part is there.

import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
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
    @Mixin Signing.Usages usages;
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
        if (fileName != null) Signing.checkFileName(fileName);
        if (each && fileName != null) throw Cli.fail("--name names one certificate; it does not combine with --each");
        Keys.KeyType type = newKey.keyType();
        newKey.checkSize(type);
        SigningCa ca = Signing.load(common.caOptions, dir.pki(), true);
        List<Issuer.Request> requests = new ArrayList<>();
        var seen = new HashSet<String>();
        for (List<GeneralName> sans : each ? names.stream().map(n -> List.of(Signing.name(n))).toList()
                : List.of(names.stream().map(Signing::name).toList())) {
            String file = fileName != null ? fileName : Signing.fileName(sans.get(0));
            if (!seen.add(file)) throw Cli.fail("two certificates would both be written as %s.crt; use separate runs with --name", file);
            X500Name subj = subject.build(Names.commonName(sans.get(0)));
            requests.add(Issuer.Request.made(dir.dir, file, subj, sans, usages.usage(), type, newKey.size, null).withChain(common.chain));
        }
        char[] keyPw = common.keyPassword.forNewKey(requests.stream().map(r -> r.file(".key")).toArray(Path[]::new));
        requests.replaceAll(r -> r.withPassword(keyPw));
        if (skipExisting) requests.replaceAll(r -> Signing.resume(r, ca, keyPw, common.force.force));
        // what a killed run left half-written: hidden .NAME.key.123.tmp files
        int stale = skipExisting ? Issuer.removeStaleTemps(requests) : 0;
        if (stale > 0) common.out().printf("Note: removed %d temporary files left by an interrupted run.%n", stale);
        // resume() has already refused, one by one, what --skip-existing may not replace.
        return common.issue(requests, ca, common.force.force || skipExisting, 365);
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
        @Mixin Signing.Usages usages;
        @Mixin Cli.Subject subject;

        @Override
        public Integer call() {
            common.checkCommon();
            if (fileName != null) Signing.checkFileName(fileName);
            if (common.p12 || common.keyPassword.spec != null)
                throw Cli.fail("with a CSR the key stays with whoever made it, so --key-password and --p12 do not apply");
            SigningCa ca = Signing.load(common.caOptions, dir.pki(), true);
            String shown = Text.escape(csr.toString());
            List<GeneralName> given = names.stream().map(Signing::name).toList(), sans;
            Csr.Request req;
            try {
                req = Csr.check(Pem.csr(csr));
                sans = Issuer.csrNames(req, given);
            } catch (Certs.Refused r) {
                throw Cli.fail(r, "cannot sign CSR %s: %s", shown, r.getMessage());
            } catch (Failure f) {
                throw Cli.fail(f, "CSR %s %s", shown, f.getMessage());
            }
            if (sans.isEmpty()) throw Cli.fail("CSR %s names no host: give NAMEs after it", shown);
            X500Name subj = subject.given() ? subject.build(Names.commonName(sans.get(0))) : Issuer.csrSubject(req, sans);
            String file = fileName != null ? fileName : Signing.fileName(sans.get(0));
            return common.issue(List.of(Issuer.Request.given(dir.dir, file, subj, sans, usages.usage(), req.key()).withChain(common.chain)),
                    ca, common.force.force, 365);
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

        @Parameters(paramLabel = "FILE", arity = "1..*", description = "Certificates to renew, e.g. DIR/service-a.crt.")
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
            var seen = new HashSet<Path>();
            for (Path f : files) if (!seen.add(f.toAbsolutePath().normalize())) throw Cli.fail("%s is named twice", Text.escape(f.toString()));
            List<Issuer.Renewal> renewals = files.stream().map(Issuer::renewal).toList(); // each checked before any CA is read
            SigningCa ca = Signing.load(common.caOptions, Pki.holding(files.get(0)), true);
            for (Issuer.Renewal r : renewals)
                if (!ca.issued(r.old()) && !anyIssuer)
                    throw Cli.fail("%s was issued by \"%s\", not by the CA %s: give that CA with --ca and --ca-key, or add --any-issuer "
                            + "to have %s sign the renewal", r.file(), Names.issuer(r.old()), ca.file(), ca.file());
            char[] newKeyPw = rekey ? common.keyPassword.forNewKey(renewals.stream().map(Issuer.Renewal::keyFile).toArray(Path[]::new)) : null;
            List<Issuer.Request> requests = new ArrayList<>();
            for (Issuer.Renewal r : renewals) {
                Issuer.Request req;
                try {
                    req = rekey ? r.withNewKey(newKey.type == null ? null : newKey.keyType(), newKey.size, newKeyPw) : withOwnKey(r);
                } catch (Failure f) {
                    throw f.kind == Failure.Kind.INPUT && f.getCause() == null && rekey ? Cli.fail("--key-size %s", f.getMessage()) : f;
                }
                requests.add(req.withChain(req.chain() || common.chain));
                if (!common.p12 && r.hasP12())
                    common.err().printf("Warning: %s still holds the old certificate; add --p12 to renew it too.%n", r.dir().resolve(r.name() + ".p12"));
            }
            return common.issue(requests, ca, true, renewals.get(0).days()); // the first file's validity, at most 825 days
        }

        /** Its key, NAME.key beside it, whose password (when it is encrypted) is asked once, naming it. */
        private Issuer.Request withOwnKey(Issuer.Renewal r) {
            var password = common.keyPassword.forExisting(r.keyFile());
            PrivateKey key = Pem.privateKey(r.keyFile(), "key", password);
            if (!Keys.matches(key, r.old().getPublicKey()))
                throw Cli.fail("the key %s does not belong to %s (their public keys differ); add --new-key to renew with a new key",
                        r.keyFile(), r.file());
            // The .p12's default password: the key's, as --key-password gives it.
            char[] pw = common.keyPassword.spec == null ? null : Pem.isEncryptedKey(Pem.read(r.keyFile(), "key")) ? password.get()
                    : common.keyPassword.forNewKey();
            return r.withKey(key, pw);
        }
    }

    // ================================================================ what the modes share

    /**
     * What the three modes of issue.java share, as one mixin: the signing CA, validity, the key
     * password, the extra files (--chain, --p12), --force and --debug, and issue(), which hands the
     * requests to lib/pki/Issuer.java and says what it made.
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

        /** Issues the requests, valid for --days or defaultDays, and says what was made. */
        int issue(List<Issuer.Request> requests, SigningCa ca, boolean replace, int defaultDays) {
            int d = days == null ? defaultDays : days;
            if (requests.stream().anyMatch(Issuer.Request::chain) && !ca.reachesRoot())
                throw Cli.fail("cannot find the root CA above %s for --chain: put the root after it in the --ca file, "
                        + "or keep it as ca.crt beside it", ca.file());
            for (Issuer.Request r : requests) ca.checkNameConstraints(r.sans());
            char[] p12Pw = p12 && p12Password != null ? Cli.password(p12Password, "--p12-password") : null;
            Instant notBefore = Policy.backdated(Instant.now()), notAfter = Signing.notAfter(notBefore, d);
            Issuer.Result result = Issuer.issue(requests, ca, new Issuer.Options(notBefore, notAfter, p12, p12Pw, replace));

            PrintWriter out = out();
            if (!ca.made().isEmpty()) {
                out.printf("No CA in %s: created %s and %s, a new root CA for 10 years that no client trusts yet "
                        + "(./jbang inspect.java %s shows it).%n", ca.folder(), ca.file(), ca.made().get(0).path(), ca.file());
                if (SafeFiles.restrictFolder(ca.folder())) out.println("Note: " + ca.folder() + " is now mode 0700, as it holds a CA key.");
            }
            for (Issuer.Issued i : result.issued()) {
                Issuer.Request r = i.request();
                if (r.keptCert() != null)
                    out.printf("Note: %s and %s exist, match and are signed by this CA; skipped.%n", r.file(".crt"), r.file(".key"));
                else if (r.renewing() != null)
                    out.printf("Renewed %s (it was serial %s, valid until %s), signed by %s:%n", r.renewedFile(),
                            r.renewing().getSerialNumber().toString(16), Describe.utc(r.renewing().getNotAfter().toInstant()), ca.file());
                else out.println("Issued a certificate signed by " + ca.file() + ":");
                if (i.description() != null) out.print(i.description());
                if (r.keptKey() != null && r.keptCert() == null)
                    out.printf("Note: kept the existing key %s; its new certificate is for that key.%n", r.file(".key"));
            }
            SafeFiles.printWritten(out, result.files(), result.backups());
            if (result.withIntermediates())
                out.printf("Note: each .crt holds the certificate, then the intermediate CA %s: the chain a server sends "
                        + "(nginx ssl_certificate, serve.java --cert). Clients trust the root only.%n", ca.file());
            if (requests.stream().anyMatch(r -> r.renewing() != null))
                out.println("Note: a running serve.java uses the renewed certificate for new connections, without a restart.");
            if (p12 && p12Pw == null && requests.stream().anyMatch(r -> r.password() == null))
                out.println("Note: the .p12 password is \"changeit\", Java's usual default; set one with --p12-password.");
            if (d > Policy.APPLE_MAX_DAYS && requests.stream().anyMatch(r -> r.usage() != Certs.Usage.CLIENT))
                err().printf("Warning: --days %d is more than %d days: Apple devices refuse such a server certificate "
                        + "(support.apple.com/103769).%n", d, Policy.APPLE_MAX_DAYS);
            if (notAfter.isAfter(ca.cert().getNotAfter().toInstant()))
                err().printf("Warning: the certificate outlives its CA, which expires %s; it stops working then.%n",
                        Describe.utc(ca.cert().getNotAfter().toInstant()));
            return 0;
        }
    }
}
