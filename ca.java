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
//SOURCES lib/pki/SafeFiles.java
//SOURCES lib/pki/Describe.java
//SOURCES lib/cli/Cli.java
//DESCRIPTION Creates a root CA (key + self-signed certificate) that strict verifiers accept; intermediates; revocation.

// ca.java: step 1 of the tutorial (openssl genrsa + req + x509 -signkey), done in Java.
//   ./jbang ca.java                               DIR/ca.crt and DIR/ca.key (DIR: certs)
//   ./jbang ca.java intermediate --name sub-ca    DIR/sub-ca.crt and .key, signed by DIR/ca.crt, pathLen 0
//   ./jbang ca.java revoke DIR/service-a.crt      adds it to DIR/ca.crl, which serve.java --crl enforces
// It never replaces a CA unless --force is given; then it keeps the old files as .bak, names every
// certificate in DIR that the old CA signed, and prints the command that re-issues them.

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
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
        Path crtFile = dir.dir.resolve("ca.crt"), keyFile = dir.dir.resolve("ca.key");
        List<Path> orphans = signedBy(dir.dir, crtFile);
        String caKeyPassword = Cli.passwordFlag("--ca-key-password", keyPassword.spec);
        if (!force.force && (Files.exists(keyFile) || Files.exists(crtFile)))
            throw Cli.fail("%s already exists: replacing a CA orphans every certificate it signed%s. Keep using it, or choose "
                    + "another --dir. %s", Files.exists(keyFile) ? keyFile : crtFile,
                    orphans.isEmpty() ? "" : " (" + orphans.size() + " in " + dir.dir + ")",
                    replaceCommand("./jbang ca.java " + Cli.retyped(spec.commandLine().getParseResult().originalArgs()),
                            orphans, caKeyPassword, null));

        X500Name name = subject.build(Names.defaultCaName("root CA"));
        Instant notBefore = Certs.backdated(Instant.now());
        Instant notAfter = notAfter(notBefore, days == null ? 3650 : days);
        char[] password = keyPassword.forNewKey();
        KeyPair kp = newKey.generate();
        X509Certificate cert = Certs.root(kp, name, notBefore, notAfter, pathLen);

        List<SafeFiles.OutFile> files = List.of(
                SafeFiles.OutFile.key(keyFile, Pem.key(kp.getPrivate(), password)), // the key first: see SafeFiles.writeAll
                SafeFiles.OutFile.cert(crtFile, Certs.pem(cert)));
        String description = Describe.certificate(cert); // before writing: a failure then leaves no file
        List<Path> backups = SafeFiles.writeAll(files, force.force);

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
        out.println("Next: " + reissueCommand(orphans, caKeyPassword, null));
        return 0;
    }

    /**
     * What a refusal to replace a CA suggests: the command as it was typed, with --force, then the one
     * that re-issues what it signed (a bare --force would leave those orphaned).
     */
    static String replaceCommand(String typed, List<Path> orphans, String caKeyPassword, Path signer) {
        if (orphans.isEmpty()) return "To replace it (the old files are kept as .bak): " + typed + " --force";
        return "To replace it and re-issue them, signed by the new CA: " + typed + " --force && "
                + reissueCommand(orphans, caKeyPassword, signer);
    }

    /** notBefore plus days, in the one-line words of --days. */
    static Instant notAfter(Instant notBefore, int days) {
        try {
            return Certs.notAfter(notBefore, days);
        } catch (Certs.Refused r) {
            throw Cli.fail("--days %s", r.getMessage());
        }
    }

    /**
     * The service certificates in dir that the CA of caFile signed (its key verifies their
     * signature), sorted: what replacing that CA orphans. Intermediates are listed with the others.
     */
    static List<Path> signedBy(Path dir, Path caFile) {
        if (!Files.isRegularFile(caFile) || !Files.isDirectory(dir)) return List.of();
        X509Certificate ca;
        try {
            ca = Pem.certificate(caFile, "CA certificate");
        } catch (Failure unreadable) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted(Comparator.comparing(Path::toString)).toList()) {
                String n = p.getFileName().toString();
                if (!n.endsWith(".crt") || n.endsWith("-chain.crt") || p.equals(caFile) || !Files.isRegularFile(p)) continue;
                try {
                    X509Certificate c = Pem.certificate(p, "certificate");
                    if (Certs.signedBy(c, ca) && !Certs.selfSigned(c)) found.add(p);
                } catch (Failure notOne) {
                    // not a certificate of ours: not an orphan either
                }
            }
        } catch (java.io.IOException e) {
            return found;
        }
        return found;
    }

    /**
     * One command that re-issues the service certificates (issue.java renew: same names, same keys) and
     * remakes the intermediates, with the password options they need: caKeyPassword for the new CA's
     * key, and --key-password prompt when a service key is encrypted (its password was never given
     * here). signer is the --ca of an intermediate that was replaced, else null (the root).
     */
    static String reissueCommand(List<Path> orphans, String caKeyPassword, Path signer) {
        List<Path> leaves = new ArrayList<>(), cas = new ArrayList<>();
        boolean encrypted = false;
        for (Path p : orphans) {
            boolean ca;
            try {
                ca = Pem.certificate(p, "certificate").getBasicConstraints() >= 0;
            } catch (Failure f) {
                ca = false;
            }
            (ca ? cas : leaves).add(p);
            Path key = p.resolveSibling(p.getFileName().toString().replaceAll("\\.crt$", ".key"));
            try {
                encrypted |= !ca && Files.isRegularFile(key) && Pem.isEncryptedKey(Pem.read(key, "key"));
            } catch (Failure unreadable) {
                // renew will say what is wrong with it
            }
        }
        StringBuilder s = new StringBuilder();
        if (!leaves.isEmpty())
            s.append("./jbang issue.java renew --any-issuer").append(signer == null ? "" : " --ca " + Text.arg(signer))
                    .append(caKeyPassword).append(encrypted ? " --key-password prompt" : "")
                    .append(' ').append(String.join(" ", leaves.stream().map(Text::arg).toList()));
        for (Path c : cas) {
            String base = c.getFileName().toString().replaceAll("\\.crt$", "");
            Path d = c.getParent();
            if (s.length() > 0) s.append(" && ");
            s.append("./jbang ca.java intermediate").append(d == null || d.equals(Path.of("certs")) ? "" : " --dir " + Text.arg(d))
                    .append(caKeyPassword).append(" --name ").append(Text.arg(base)).append(" --force");
        }
        return s.toString();
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
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}") || name.equals("ca"))
                throw Cli.fail("--name '%s' must be a plain file name other than ca (letters, digits, '.', '_' and '-')", Text.escape(name));
            List<GeneralSubtree> permitted = new ArrayList<>();
            for (String c : nameConstraints) {
                try {
                    permitted.add(Names.constraint(c));
                } catch (Failure f) {
                    throw Cli.fail("--name-constraint %s", f.getMessage());
                }
            }
            Path caFile = parent.cert(dir.dir), caKeyFile = parent.key(dir.dir);
            Path crtFile = dir.dir.resolve(name + ".crt"), keyFile = dir.dir.resolve(name + ".key");
            if (!force.force && (Files.exists(keyFile) || Files.exists(crtFile))) {
                List<Path> orphans = signedBy(dir.dir, crtFile);
                throw Cli.fail("%s already exists: replacing an intermediate CA orphans every certificate it signed%s. "
                        + "Keep using it, or choose another --name. %s", Files.exists(keyFile) ? keyFile : crtFile,
                        orphans.isEmpty() ? "" : " (" + orphans.size() + " in " + dir.dir + ")",
                        replaceCommand("./jbang ca.java " + Cli.retyped(spec.root().commandLine().getParseResult().originalArgs()),
                                orphans, Cli.passwordFlag("--ca-key-password", keyPassword.spec), crtFile));
            }

            X509Certificate up = Pem.certificate(caFile, "CA certificate");
            try {
                Certs.checkSigningCa(up, Instant.now());
            } catch (Certs.Refused r) {
                throw Cli.fail(r, "cannot sign with the CA %s: %s", caFile, r.getMessage());
            }
            PrivateKey upKey = Pem.privateKey(caKeyFile, "CA key", parent.passwordFor(caKeyFile));
            if (!Keys.matches(upKey, up.getPublicKey()))
                throw Cli.fail("CA key %s does not belong to CA certificate %s (their public keys differ)", caKeyFile, caFile);
            int below = pathLen == null ? 0 : pathLen, allowed = up.getBasicConstraints(); // MAX_VALUE: no limit
            if (allowed == 0)
                throw Cli.fail("%s has pathLen 0: it may sign service certificates but no CA; sign the intermediate with the root", caFile);
            if (below >= allowed)
                throw Cli.fail("%s has pathLen %d: a CA it signs needs a --path-len below %d, not %d", caFile, allowed, allowed, below);
            X500Name subj = subject.build(Names.defaultCaName("intermediate CA " + name));
            if (subj.equals(Certs.holder(up).getSubject()))
                throw Cli.fail("the intermediate's subject equals its CA's (%s); give it another --cn", Names.dn(subj));

            // Not beyond the signing CA: a certificate is no longer valid than its chain (RFC 5280 6.1.3).
            Instant notBefore = Certs.backdated(Instant.now());
            Instant notAfter = ca.notAfter(notBefore, days == null ? 3650 : days);
            Instant upEnd = up.getNotAfter().toInstant();
            boolean clipped = notAfter.isAfter(upEnd);
            if (clipped) notAfter = upEnd;
            char[] password = keyPassword.forNewKey();
            KeyPair kp = newKey.generate();
            X509Certificate cert = Certs.intermediate(kp.getPublic(), subj, up, upKey, notBefore, notAfter, below, permitted);

            List<SafeFiles.OutFile> files = List.of(
                    SafeFiles.OutFile.key(keyFile, Pem.key(kp.getPrivate(), password)), // the key first: see SafeFiles.writeAll
                    SafeFiles.OutFile.cert(crtFile, Certs.pem(cert)));
            String description = Describe.certificate(cert);
            List<Path> backups = SafeFiles.writeAll(files, force.force);

            var out = spec.commandLine().getOut();
            out.println("Created an intermediate CA signed by " + caFile + ":");
            out.print(description);
            SafeFiles.printWritten(out, files, backups);
            if (SafeFiles.restrictFolder(dir.dir)) out.println("Note: " + dir.dir + " is now mode 0700, as it holds a CA key.");
            if (clipped && days != null)
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

        @Parameters(paramLabel = "CERT", arity = "0..*", description = "Certificate files to revoke, e.g. certs/service-a.crt.")
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
            int reasonCode = reasonCode(reason);
            Path caFile = caOptions.cert(dir.dir), keyFile = caOptions.key(dir.dir);
            Path crlFile = caFile.resolveSibling(caFile.getFileName().toString().replaceAll("\\.(crt|pem)$", "") + ".crl");
            X509Certificate issuer = Pem.caCertificates(caFile, "CA certificate").get(0);
            PrivateKey caKey = Pem.privateKey(keyFile, "CA key", caOptions.passwordFor(keyFile));
            if (!Keys.matches(caKey, issuer.getPublicKey()))
                throw Cli.fail("the key %s does not belong to the CA certificate %s (their public keys differ)", keyFile, caFile);
            List<X509Certificate> targets = new ArrayList<>();
            for (Path p : certs) targets.add(checkIssuedBy(Pem.certificate(p, "certificate to revoke"), p, issuer, caFile));
            X509CRLHolder previous = Files.exists(crlFile) ? readCrl(crlFile, issuer, caFile) : null;

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
                crl = Certs.crl(issuer, caKey, previous, serials, reasonCode, now, now.plus(days, ChronoUnit.DAYS));
            } catch (Certs.Refused r) {
                throw Cli.fail(r, "%s", r.getMessage());
            }
            List<SafeFiles.OutFile> files = List.of(new SafeFiles.OutFile(crlFile,
                    Certs.pem("X509 CRL", encoded(crl)).getBytes(StandardCharsets.US_ASCII), false, "CRL"));
            List<Path> backups = SafeFiles.writeAll(files, true); // the previous CRL is kept as .bak
            SafeFiles.pruneBackups(crlFile, KEEP_BACKUPS);

            int total = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
            out.printf("The CRL now lists %d revoked certificate%s (CRL number %s), next update %s.%n", total,
                    total == 1 ? "" : "s", Describe.crlNumber(crl), Describe.utc(crl.getNextUpdate().toInstant()));
            SafeFiles.printWritten(out, files, backups);
            out.printf("Note: run ./jbang ca.java revoke%s%s again before %s: past it, servers refuse every client of this CA.%n",
                    dir.flag(), caOptions.flags(), Describe.utc(crl.getNextUpdate().toInstant()));
            out.printf("Next: ./jbang serve.java%s --name NAME --crl %s refuses revoked client certificates; "
                    + "openssl crl -in %s -CAfile %s -noout -text shows the list.%n", dir.flag(), crlFile, crlFile, caFile);
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
                    + "cessationOfOperation or privilegeWithdrawn, not '%s'", Text.escape(name));
        return code;
    }

    /** A certificate this CA signed; any other would be listed in vain, since no server would look for it here. */
    static X509Certificate checkIssuedBy(X509Certificate c, Path file, X509Certificate issuer, Path caFile) {
        if (!Certs.signedBy(c, issuer))
            throw Cli.fail("%s was not issued by the CA %s (its issuer is \"%s\"): revoking it in this CA's CRL would change nothing; "
                    + "give its CA with --ca", file, caFile, Names.issuer(c));
        return c;
    }

    /** The existing CRL, which must be this CA's: signed by its key and naming it as issuer. */
    static X509CRLHolder readCrl(Path file, X509Certificate issuer, Path caFile) {
        X509CRLHolder crl;
        try {
            crl = new X509CRLHolder(encoded(Pem.crls(file).get(0)));
        } catch (Failure f) {
            throw Cli.fail(f, "%s; move it aside to start a new one", f.getMessage());
        } catch (Exception e) {
            throw Cli.fail(e, "cannot read the CRL %s: %s; move it aside to start a new one", file, Text.of(e));
        }
        try {
            if (!crl.getIssuer().equals(Certs.holder(issuer).getSubject())
                    || !crl.isSignatureValid(new JcaContentVerifierProviderBuilder().build(issuer.getPublicKey())))
                throw new IllegalArgumentException();
        } catch (Exception e) {
            throw Cli.fail("the CRL %s was not signed by the CA %s (was the CA replaced?); move it aside to start a new one", file, caFile);
        }
        return crl;
    }

    static byte[] encoded(X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (Exception e) {
            throw Cli.fail(e, "cannot encode the CRL: %s", Text.of(e));
        }
    }
}
