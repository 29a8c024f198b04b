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
//SOURCES lib/pki/SafeFiles.java
//SOURCES lib/pki/Describe.java
//SOURCES lib/pki/Pki.java
//SOURCES lib/pki/Csr.java
//SOURCES lib/pki/SigningCa.java
//SOURCES lib/pki/Issuer.java
//SOURCES lib/cli/Cli.java
//SOURCES lib/cli/Signing.java
//DESCRIPTION Creates a root CA (key + self-signed certificate) that strict verifiers accept; intermediates; revocation.
// No hsperfdata file: jps and jcmd would not see a run this short anyway, and not writing it
// makes a warm run about 5% faster (measured here on JDK 17).
//JAVA_OPTIONS -XX:-UsePerfData

// ca.java: step 1 of the tutorial (openssl genrsa + req + x509 -signkey), done in Java.
//   ./jbang ca.java                               DIR/ca.crt and DIR/ca.key (DIR: certs)
//   ./jbang ca.java intermediate --name sub-ca    DIR/sub-ca.crt and .key, signed by DIR/ca.crt, pathLen 0
//   ./jbang ca.java revoke DIR/service-a.crt      adds it to DIR/ca.crl, which serve.java --crl enforces
// It never replaces a CA unless --force is given; then it keeps the old files as .bak, names every
// certificate in DIR that the old CA signed, and prints the command that re-issues them.
// This file is the options and what is printed; loading the CA that signs is lib/pki/SigningCa.java.

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.cert.X509CRLHolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "ca.java", mixinStandardHelpOptions = true, version = "jbang-mtls ca 0.2",
        description = {"Creates a root CA: DIR/ca.crt and DIR/ca.key (replaces tutorial step 1).",
                "ca.java intermediate: an intermediate CA signed by it (see ca.java intermediate --help).",
                "ca.java revoke CERT...: revokes certificates in the CA's CRL (see ca.java revoke --help)."},
        subcommands = {ca.Intermediate.class, ca.Revoke.class}, sortOptions = false)
public class ca implements Callable<Integer>, Cli.Aliases, Cli.Setup {

    @Mixin Cli.Dir dir;

    @Option(names = "--days", paramLabel = "N", description = "Validity in days (default: 3650).")
    Integer days;

    @Option(names = "--path-len", paramLabel = "N",
            description = "Most intermediate CAs allowed below this CA (default: no limit).")
    Integer pathLen;

    @Mixin Cli.NewKey newKey;
    @Mixin Cli.KeyPassword keyPassword;
    @Mixin Cli.Subject subject;
    @Mixin Cli.Force force;
    @Mixin Cli.Debug debug;

    @Spec CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.run(new ca(), args));
    }

    /** What --key-password does here: ca.java only makes keys. */
    @Override public void setup(picocli.CommandLine cl) {
        Cli.help(cl, "key-password", "Encrypts the CA key it makes with this password (PKCS#8, AES-256, PBKDF2-SHA256); "
                + "issue.java then opens it with --ca-key-password. " + Cli.SPEC_FORMS);
    }

    /** The older flag form stays: ca.java --intermediate ... is ca.java intermediate ... */
    @Override public String[] rewrite(String[] args) {
        return Cli.flagToSubcommand(args, "--intermediate", "intermediate", false);
    }

    @Override
    public Integer call() {
        if (days != null && days < 1) throw Cli.fail("--days must be at least 1, not %d", days);
        if (pathLen != null && pathLen < 0) throw Cli.fail("--path-len must be 0 or more");
        Path crtFile = dir.pki().caCert(), keyFile = dir.pki().caKey();
        List<Path> orphans = SigningCa.signedBy(dir.dir, crtFile);
        String caKeyPassword = Cli.passwordFlag("--ca-key-password", keyPassword.spec);
        if (!force.force) Signing.refuseReplacing(crtFile, keyFile, "a CA", "--dir", "./jbang ca.java "
                + Cli.retyped(spec.commandLine().getParseResult().originalArgs()), orphans, caKeyPassword, null);

        X500Name name = subject.build(Names.defaultCaName("root CA"));
        Instant notBefore = Policy.backdated(Instant.now());
        Instant notAfter = Signing.notAfter(notBefore, days == null ? 3650 : days);
        char[] password = keyPassword.forNewKey(keyFile);
        SigningCa root = SigningCa.newRoot(dir.pki(), name, newKey.generate(), notBefore, notAfter, pathLen, password);
        String description = Describe.certificate(root.cert()); // before writing: a failure then leaves no file
        List<Path> backups = root.write(force.force);
        List<SafeFiles.OutFile> files = root.made();

        var out = spec.commandLine().getOut();
        out.println("Created a root CA:");
        out.print(description);
        SafeFiles.printWritten(out, files, backups);
        if (SafeFiles.restrictFolder(dir.dir)) out.println("Note: " + dir.dir + " is now mode 0700, as it holds a CA key.");
        if (orphans.isEmpty()) {
            out.println("Next: ./jbang issue.java" + dir.flag() + caKeyPassword + " service-a.example.com");
            return 0;
        }
        out.printf("Note: the CA just replaced had signed %d certificate%s in %s: %s. Clients that trust the new %s "
                        + "refuse them. Re-issue them with their names and keys, signed by the new CA:%n", orphans.size(),
                orphans.size() == 1 ? "" : "s", dir.dir, String.join(", ", orphans.stream().map(Path::toString).toList()), crtFile);
        out.println("Next: " + Signing.reissueCommand(orphans, caKeyPassword, null));
        return 0;
    }

    // ================================================================ ca.java intermediate

    /**
     * An intermediate CA signed by --ca, which then signs the service certificates, so the root's key
     * can stay offline. pathLen 0 by default: it may sign service certificates but no further CA.
     */
    @Command(name = "intermediate", mixinStandardHelpOptions = true, version = "jbang-mtls ca 0.2", sortOptions = false,
            description = {"Creates an intermediate CA signed by --ca (default: DIR/ca.crt): DIR/NAME.crt and DIR/NAME.key.",
                    "issue.java --ca DIR/NAME.crt signs with it; each NAME.crt it signs carries it, for servers to send."})
    static class Intermediate implements Callable<Integer> {
        @Mixin Cli.Dir dir;

        @Option(names = "--name", paramLabel = "NAME", description = "Its file name: DIR/NAME.crt and DIR/NAME.key (default: sub-ca).")
        String name = "sub-ca";

        @Mixin Cli.Ca parent;

        @Option(names = "--days", paramLabel = "N", description = "Validity in days (default: until the signing CA expires, at most 3650).")
        Integer days;

        @Option(names = "--path-len", paramLabel = "N", description = "Most CAs allowed below it (default: 0, so it signs service certificates only).")
        Integer pathLen;

        @Option(names = "--name-constraint", paramLabel = "KIND:NAME",
                description = {"The only names it may sign (repeatable): DNS:example.com (it and its subdomains), "
                        + "DNS:.example.com (subdomains only), IP:10.0.0.0/8.",
                        "A critical nameConstraints extension; kinds not named stay unrestricted."})
        List<String> nameConstraints = new ArrayList<>();

        @Mixin Cli.NewKey newKey;
        @Mixin Cli.KeyPassword keyPassword;
        @Mixin Cli.Subject subject;
        @Mixin Cli.Force force;
        @Mixin Cli.Debug debug;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            if (days != null && days < 1) throw Cli.fail("--days must be at least 1, not %d", days);
            if (pathLen != null && pathLen < 0) throw Cli.fail("--path-len must be 0 or more");
            Signing.checkFileName(name);
            List<GeneralSubtree> permitted = new ArrayList<>();
            for (String c : nameConstraints) {
                try {
                    permitted.add(Names.constraint(c));
                } catch (Failure f) {
                    throw Cli.fail("--name-constraint %s", f.getMessage());
                }
            }
            Path crtFile = dir.pki().cert(name), keyFile = dir.pki().key(name);
            if (!force.force) Signing.refuseReplacing(crtFile, keyFile, "an intermediate CA", "--name", "./jbang ca.java "
                    + Cli.retyped(spec.root().commandLine().getParseResult().originalArgs()), SigningCa.signedBy(dir.dir, crtFile),
                    Cli.passwordFlag("--ca-key-password", keyPassword.spec), crtFile);

            SigningCa signer = Signing.load(parent, dir.pki(), false);
            X509Certificate up = signer.cert();
            Path caFile = signer.file();
            int below = pathLen == null ? 0 : pathLen, allowed = up.getBasicConstraints(); // MAX_VALUE: no limit
            if (allowed == 0)
                throw Cli.fail("%s has pathLen 0: it may sign service certificates but no CA; sign the intermediate with the root", caFile);
            if (below >= allowed)
                throw Cli.fail("%s has pathLen %d: a CA it signs needs a --path-len below %d, not %d", caFile, allowed, allowed, below);
            X500Name subj = subject.build(Names.defaultCaName("intermediate CA " + name));
            if (subj.equals(Certs.holder(up).getSubject()))
                throw Cli.fail("the intermediate's subject equals its CA's (%s); give it another --cn", Names.dn(subj));

            Instant notBefore = Policy.backdated(Instant.now()), upEnd = up.getNotAfter().toInstant();
            Instant notAfter = Signing.notAfter(notBefore, days == null ? 3650 : days);
            SigningCa made = signer.newIntermediate(dir.pki(), name, subj, newKey.generate(), notBefore, notAfter, below, permitted,
                    keyPassword.forNewKey(keyFile));
            List<SafeFiles.OutFile> files = made.made();
            String description = Describe.certificate(made.cert());
            List<Path> backups = made.write(force.force);

            var out = spec.commandLine().getOut();
            out.println("Created an intermediate CA signed by " + caFile + ":");
            out.print(description);
            SafeFiles.printWritten(out, files, backups);
            if (SafeFiles.restrictFolder(dir.dir)) out.println("Note: " + dir.dir + " is now mode 0700, as it holds a CA key.");
            if (notAfter.isAfter(upEnd) && days != null)
                spec.commandLine().getErr().printf("Warning: --days %d would outlive the signing CA %s; the intermediate ends "
                        + "when it does, %s.%n", days, caFile, Describe.utc(upEnd));
            out.printf("Note: clients still trust only %s. A server sends %s after its own certificate: issue.java puts it in NAME.crt.%n",
                    caFile, crtFile);
            out.printf("Next: ./jbang issue.java%s --ca %s%s service-a.example.com%n", dir.flag(), Text.arg(crtFile),
                    Cli.passwordFlag("--ca-key-password", keyPassword.spec));
            return 0;
        }
    }

    // ================================================================ ca.java revoke

    /**
     * Adds each certificate's serial to the CA's CRL and signs the CRL anew (RFC 5280 section 5):
     * thisUpdate now, nextUpdate in --days, a CRL number one higher than the last, and the CA's key
     * id (AKI). Entries already there are kept. With no CERT it re-signs the CRL as it is, to push
     * its nextUpdate out: a CRL past it proves nothing, and servers then refuse every client.
     * The CRL sits beside the CA: DIR/ca.crl for the root, DIR/sub-ca.crl for --ca DIR/sub-ca.crt.
     */
    @Command(name = "revoke", mixinStandardHelpOptions = true, version = "jbang-mtls ca 0.2", sortOptions = false,
            description = {"Revokes certificates: adds their serials to the CA's CRL (DIR/ca.crl beside DIR/ca.crt, "
                    + "or NAME.crl beside --ca NAME.crt), signed by that CA.",
                    "With no CERT, re-signs the CRL as it is with a new next update: do it before the old one passes.",
                    "serve.java --crl DIR/ca.crl refuses revoked client certificates."})
    static class Revoke implements Callable<Integer> {

        @Parameters(paramLabel = "CERT", arity = "0..*", description = "Certificate files to revoke, e.g. DIR/service-a.crt.")
        List<Path> certs = new ArrayList<>();

        @Mixin Cli.Dir dir;
        @Mixin Cli.Ca caOptions;

        @Option(names = "--reason", paramLabel = "REASON",
                description = "Why, recorded in the CRL: keyCompromise, caCompromise, affiliationChanged, superseded, "
                        + "cessationOfOperation or privilegeWithdrawn (default: none recorded, as RFC 5280 prefers to 'unspecified').")
        String reason;

        @Option(names = "--days", defaultValue = "30", paramLabel = "N",
                description = "Days until the CRL's next update (default: ${DEFAULT-VALUE}). Once it passes, servers "
                        + "refuse every client of this CA until you run ca.java revoke again.")
        int days;

        @Mixin Cli.Debug debug;

        @Spec CommandSpec spec;

        /** How many earlier CRLs are kept as .bak: enough to undo a mistake, never a pile that grows with each revoke. */
        static final int KEEP_BACKUPS = 5;

        @Override
        public Integer call() {
            if (days < 1 || days > 3650) throw Cli.fail("--days must be 1 to 3650, not %d", days);
            int reasonCode = Signing.reasonCode(reason);
            SigningCa ca = Signing.load(caOptions, dir.pki(), false); // checked as for signing a certificate
            Path caFile = ca.file(), crlFile = ca.crlFile();
            List<X509Certificate> targets = new ArrayList<>();
            for (Path p : certs) {
                X509Certificate c = Pem.certificate(p, "certificate to revoke");
                if (!ca.issued(c))
                    throw Cli.fail("%s was not issued by the CA %s (its issuer is \"%s\"): revoking it in this CA's CRL would change "
                            + "nothing; give its CA with --ca", p, caFile, Names.issuer(c));
                targets.add(c);
            }
            X509CRLHolder previous = Files.exists(crlFile) ? ca.readCrl(crlFile) : null;

            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            var out = spec.commandLine().getOut();
            List<BigInteger> serials = new ArrayList<>();
            for (X509Certificate c : targets) {
                var entry = previous == null ? null : previous.getRevokedCertificate(c.getSerialNumber());
                if (entry != null) {
                    out.printf("Note: %s (serial %s) was already revoked on %s; left as it was.%n", Names.subject(c),
                            c.getSerialNumber().toString(16), Describe.utc(entry.getRevocationDate().toInstant()));
                } else if (!serials.contains(c.getSerialNumber())) {
                    serials.add(c.getSerialNumber());
                    out.printf("Revoked %s (serial %s, valid until %s).%n", Names.subject(c),
                            c.getSerialNumber().toString(16), Describe.utc(c.getNotAfter().toInstant()));
                }
            }
            X509CRL crl;
            try {
                crl = ca.crl(previous, serials, reasonCode, now, now.plus(days, ChronoUnit.DAYS));
            } catch (Certs.Refused r) {
                throw Cli.fail(r, "%s", r.getMessage());
            }
            List<SafeFiles.OutFile> files = List.of(new SafeFiles.OutFile(crlFile,
                    Certs.pem("X509 CRL", SigningCa.encoded(crl)).getBytes(StandardCharsets.US_ASCII), false, "CRL"));
            List<Path> backups = SafeFiles.writeAll(files, true); // the previous CRL is kept as .bak
            SafeFiles.pruneBackups(crlFile, KEEP_BACKUPS);

            int total = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
            out.printf("The CRL now lists %d revoked certificate%s (CRL number %s), next update %s.%n", total,
                    total == 1 ? "" : "s", Describe.crlNumber(crl), Describe.utc(crl.getNextUpdate().toInstant()));
            SafeFiles.printWritten(out, files, backups);
            out.printf("Note: run ./jbang ca.java revoke%s%s again before %s: past it, servers refuse every client of this CA.%n",
                    dir.flag(), caOptions.flags(), Describe.utc(crl.getNextUpdate().toInstant()));
            String serve = ca.service(dir.dir, crl).map(n -> "./jbang serve.java" + dir.flag() + " --name " + Text.arg(n)
                    + (SigningCa.encryptedKeyBeside(dir.pki().cert(n)) ? " --key-password prompt" : "") + " --crl " + Text.arg(crlFile)
                    + " refuses revoked client certificates; ").orElse("");
            out.printf("Next: %sopenssl crl -in %s -CAfile %s -noout -text shows the list.%n", serve, Text.arg(crlFile), Text.arg(caFile));
            return 0;
        }
    }

}
