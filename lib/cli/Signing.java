// Signing.java: the signing CA and the PKI folder in the command line's words, for ca.java and
// issue.java: the CA that --dir, --ca, --ca-key and --ca-key-password name, loaded through
// lib/pki/SigningCa.java with what to do when it cannot sign; and the commands printed after a CA
// is replaced, written with the options the user gave so that they work as typed.

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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
}
