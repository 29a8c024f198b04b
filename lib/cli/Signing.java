// Signing.java: the signing CA and the PKI folder in the command line's words, for ca.java and
// issue.java: the CA that --dir, --ca, --ca-key and --ca-key-password name, loaded through
// lib/pki/SigningCa.java with what to do when it cannot sign; and the commands printed after a CA
// is replaced, written with the options the user gave so that they work as typed. And the options
// both scripts read the same way: --name FILE, NAME arguments, --days, --reason.

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.GeneralName;
import picocli.CommandLine.Option;

public final class Signing {
    private Signing() {}

    /**
     * The CA that signs: the one --ca names, else the folder's, made on first use when makeIfMissing
     * (issue.java) and the folder has none. A CA that may not sign is refused with what to do.
     */
    public static SigningCa load(Cli.Ca ca, Pki pki, boolean makeIfMissing) {
        try {
            if (makeIfMissing && !ca.given()) return SigningCa.loadOrMake(pki, ca.passwordFor(pki.caKey()));
            return SigningCa.load(ca.cert(pki.dir()), ca.key(pki.dir()), ca.passwordFor(ca.key(pki.dir())));
        } catch (SigningCa.Unusable u) {
            throw Cli.fail(u, "%s; %s", u.getMessage(), ca.cert != null ? "point --ca at a CA that can sign"
                    : "point --ca at a CA that can sign, or replace this one with ./jbang ca.java" + Cli.Dir.flag(pki.dir())
                            + " --force (it then prints the command that re-issues what the old one signed)");
        }
    }

    /**
     * What a refusal to replace a CA suggests: the command as it was typed, with --force, then the one
     * that re-issues what it signed (a bare --force would leave those orphaned).
     */
    public static String replaceCommand(String typed, List<Path> orphans, String caKeyPassword, Path signer) {
        if (orphans.isEmpty()) return "To replace it (the old files are kept as .bak): " + typed + " --force";
        return "To replace it and re-issue them, signed by the new CA: " + typed + " --force && "
                + reissueCommand(orphans, caKeyPassword, signer);
    }

    /**
     * One command that re-issues the service certificates (issue.java renew: same names, same keys) and
     * remakes the intermediates, with the password options they need: caKeyPassword for the new CA's
     * key, and --key-password prompt when a service key is encrypted (its password was never given
     * here; renew asks once for each such key, naming it). signer is the --ca of an intermediate
     * that was replaced, else null (the root).
     */
    public static String reissueCommand(List<Path> orphans, String caKeyPassword, Path signer) {
        List<Path> leaves = new ArrayList<>(), cas = new ArrayList<>();
        boolean encrypted = false;
        for (Path p : orphans) {
            boolean isCa = SigningCa.isCa(p);
            (isCa ? cas : leaves).add(p);
            encrypted |= !isCa && SigningCa.encryptedKeyBeside(p);
        }
        StringBuilder s = new StringBuilder();
        if (!leaves.isEmpty())
            s.append("./jbang issue.java renew --any-issuer").append(signer == null ? "" : " --ca " + Text.arg(signer))
                    .append(caKeyPassword).append(encrypted ? " --key-password prompt" : "")
                    .append(' ').append(String.join(" ", leaves.stream().map(Text::arg).toList()));
        for (Path c : cas) {
            if (s.length() > 0) s.append(" && ");
            s.append("./jbang ca.java intermediate").append(Cli.Dir.flag(Pki.holding(c).dir()))
                    .append(caKeyPassword).append(" --name ").append(Text.arg(Pki.name(c))).append(" --force");
        }
        return s.toString();
    }

    /** Refuses to replace a CA's file unless --force, naming what it signed and the command that replaces and re-issues. */
    public static void refuseReplacing(Path crt, Path key, String kind, String other, String typed, List<Path> orphans,
                                       String caKeyPassword, Path signer) {
        if (!Files.exists(key) && !Files.exists(crt)) return;
        throw Cli.fail("%s already exists: replacing %s orphans every certificate it signed%s. Keep using it, or choose another %s. %s",
                Files.exists(key) ? key : crt, kind, orphans.isEmpty() ? "" : " (" + orphans.size() + " in " + Pki.holding(crt).dir() + ")",
                other, replaceCommand(typed, orphans, caKeyPassword, signer));
    }

    /** A --name FILE: a plain file name, and not ca, whose files are the CA's own. */
    public static void checkFileName(String n) {
        if (!n.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}"))
            throw Cli.fail("--name '%s' is not a plain file name (letters, digits, '.', '_' and '-')", Text.escape(n));
        if (n.equals("ca")) throw Cli.fail("--name ca would clash with the CA's own files; pick another name");
    }

    /** A NAME argument: a DNS name, an IP address, an email address or a URI. */
    public static GeneralName name(String n) {
        try {
            return Names.parse(n);
        } catch (Failure f) {
            throw Cli.fail("NAME %s", f.getMessage());
        }
    }

    /** The file name a first NAME gives (service-a.example.com: service-a), or what to do when it gives none. */
    public static String fileName(GeneralName first) {
        try {
            return Names.fileName(first);
        } catch (Failure f) {
            throw Cli.fail("%s; give --name", f.getMessage());
        }
    }

    /** notBefore plus --days. */
    public static Instant notAfter(Instant notBefore, int days) {
        try {
            return Policy.notAfter(notBefore, days);
        } catch (Certs.Refused r) {
            throw Cli.fail("--days %s", r.getMessage());
        }
    }

    /** --reason: RFC 5280 5.3.1 reason codes by name; 0 (none given) means "record none" to Bouncy Castle's addCRLEntry. */
    public static int reasonCode(String name) {
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

    /** --skip-existing: Issuer.resume, with what to do when what was left cannot be resumed from (force: issue anew). */
    public static Issuer.Request resume(Issuer.Request r, SigningCa ca, char[] keyPw, boolean force) {
        try {
            return Issuer.resume(r, ca, () -> {
                if (keyPw == null) throw Cli.fail("existing key %s is encrypted: give its password with --key-password", r.file(".key"));
                return keyPw;
            });
        } catch (Failure f) {
            if (force) return r;
            throw Cli.fail(f, "%s; --skip-existing cannot resume from it: remove it, or add --force to replace it "
                    + "(the old files are kept as .bak)", f.getMessage());
        }
    }

    /** --server-only and --client-only: which extended key usages a new certificate gets. */
    public static class Usages {
        @Option(names = "--server-only", description = "Extended key usage serverAuth only.")
        boolean serverOnly;

        @Option(names = "--client-only", description = "Extended key usage clientAuth only.")
        boolean clientOnly;

        public Certs.Usage usage() {
            if (serverOnly && clientOnly) throw Cli.fail("--server-only and --client-only exclude each other");
            return serverOnly ? Certs.Usage.SERVER : clientOnly ? Certs.Usage.CLIENT : Certs.Usage.SERVER_AND_CLIENT;
        }
    }

}
