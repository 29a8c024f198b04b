// LintText.java: a lint report (lib/pki/Lint.java) in words, as inspect.java --lint prints it: each
// finding with who enforces the rule and its fix, the notes, then a summary. A fix that is a command
// is written for the file linted, with its real names and folder, so that it runs as printed: the
// certificate's own names for issue.java, --dir for the PKI folder it lives in, --force where a file
// is replaced. Only renewing a chain read from a live server, which has no file, keeps FILE.

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import org.bouncycastle.asn1.x509.GeneralName;

public final class LintText {
    private LintText() {}

    /** The report as printed: source is what was linted (a file name, or host:port for a live chain). */
    public static String format(Lint.Report r, String source) {
        Path file = fileOf(source);
        StringBuilder s = new StringBuilder();
        StringJoiner names = new StringJoiner(" <- ");
        for (X509Certificate c : r.chain) names.add("\"" + Names.shortName(c) + "\"");
        s.append("Lint of ").append(source).append(": chain ").append(names)
                .append(", purpose ").append(r.purpose.name().toLowerCase(Locale.ROOT)).append('\n');
        for (Lint.Finding f : r.findings) {
            s.append(String.format("  %-7s [%s] certificate %d \"%s\": %s%s%n", f.severity().name().toLowerCase(Locale.ROOT),
                    f.rule().id, f.index() + 1, Names.shortName(r.chain.get(f.index())), f.problem(), unless(f.unlessFor())));
            s.append("          Enforced by: ").append(f.rule().enforcedBy).append('\n');
            s.append("          Fix: ").append(fix(f.rule(), file, r.chain.get(0), f.index() == 0)).append('\n');
        }
        for (Lint.Note n : r.notes) s.append("  Note: ").append(note(n, file)).append('\n');
        String use = r.purpose == Lint.Purpose.ANY ? "" : " for " + r.purpose.name().toLowerCase(Locale.ROOT) + " use";
        boolean whole = Certs.selfSigned(r.chain.get(r.chain.size() - 1));
        if (r.findings.isEmpty() && whole)
            s.append("  No findings: it passes the rules of OpenSSL -x509_strict, Python 3.13, Chrome, Apple, Go and RFC 5280")
                    .append(use).append(".\n");
        else if (r.findings.isEmpty())
            s.append("  No findings in the certificates given").append(use).append("; the chain above them was not checked.\n");
        else s.append(String.format("  %d error%s, %d warning%s.%n", r.errors(), r.errors() == 1 ? "" : "s", r.warnings(),
                    r.warnings() == 1 ? "" : "s"));
        return s.toString();
    }

    /** The file linted, when the source is one; null for a live chain. */
    static Path fileOf(String source) {
        try {
            Path p = Path.of(source);
            return Files.isRegularFile(p) ? p : null;
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private static String unless(Lint.Purpose p) {
        if (p == Lint.Purpose.CLIENT) return " (so it cannot serve TLS; add --purpose client if it need not)";
        if (p == Lint.Purpose.SERVER) return " (add --purpose server if it is only meant to serve)";
        return "";
    }

    /**
     * How to fix a rule broken by leaf, the first certificate of the chain, or (ofLeaf false) by a CA
     * above it; file is the leaf's file (null for a live chain).
     */
    public static String fix(Lint.Rule rule, Path file, X509Certificate leaf, boolean ofLeaf) {
        String issue = issueCommand(file, leaf), reissue = "re-issue the certificate with " + issue + ", which sets it";
        String newCa = "make a new CA with " + caCommand(file) + ", which sets it";
        String renew = ofLeaf ? "./jbang issue.java renew " + (file == null ? "FILE" : Text.arg(file))
                + " (same names and key, signed by the CA beside it)"
                : "replace the CA: " + caCommand(file) + " (it then prints the command that re-issues what the old one signed)";
        switch (rule) {
            case NOT_V3: return reissue + " (X.509 v3)";
            case SIG_ALG_MISMATCH: case LEAF_SKI_MISSING: case EXTENSION_MALFORMED: return reissue;
            case BAD_SIGNATURE: return "the file was altered, or the CA named is not the one that signed it";
            case ISSUER_UNKNOWN: return "give the CA that signed it with --cacert, or append the missing intermediate to the file";
            case EXPIRED: return ofLeaf ? "renew it: " + renew : renew;
            case NOT_YET_VALID: return "check this machine's clock, or wait until it starts";
            case EXPIRES_SOON: return ofLeaf ? "renew it before then: " + renew : renew.replace("replace the CA:", "replace the CA before then:");
            case SERIAL_NOT_POSITIVE: return reissue + " (127 random bits, always positive)";
            case SERIAL_TOO_LONG: return reissue + " (16 octets)";
            case SAN_EMPTY: return reissue + " with at least one name";
            case SAN_MALFORMED: return reissue + " with each IP address as 4 or 16 bytes and each name in printable ASCII "
                    + "(an international name in its xn-- form, RFC 5890)";
            case SAN_MISSING: return "re-issue with the host names as SANs: " + issue + " puts every name given in the SAN";
            case SAN_NO_HOST: return "re-issue with the server's DNS names or IP addresses, such as "
                    + issueCommand(file, null, List.of("service-a.example.com"));
            case CN_NOT_IN_SAN: return "re-issue with the CN also listed as a SAN: " + issue + " (the first name is also the CN)";
            case RSA_TOO_SMALL: return "make a new key of 2048 bits or more (the default of ca.java and issue.java)";
            case EC_CURVE: return "use --key-type ec (P-256) or --key-type ec --key-size 384";
            case WEAK_HASH: return "re-sign it with SHA-256 (ca.java and issue.java always do)";
            case CA_NOT_CA: return "sign with a real CA: " + newCa;
            case CA_BC_NOT_CRITICAL: return "make the CA's basicConstraints critical,CA:TRUE: " + newCa + " (the tutorial's ca.ext lacks 'critical')";
            case CA_KU_MISSING: return "give the CA keyUsage=critical,keyCertSign,cRLSign: " + newCa;
            case CA_KU_NO_CERTSIGN: case PATHLEN_NO_CERTSIGN: return "give the CA keyUsage keyCertSign: " + newCa;
            case CA_KU_NOT_CRITICAL: return "mark the CA's keyUsage critical: " + newCa;
            case CA_SKI_MISSING: return "give the CA a subjectKeyIdentifier: " + newCa;
            case CA_EKU: return "a CA should carry no EKU, or one that includes every use of the certificates below it: " + newCa;
            case PATHLEN_EXCEEDED: return "raise the CA's pathLen, or sign with a CA higher up";
            case PATHLEN_NON_CA: return "drop pathLen from a certificate that is not a CA";
            case LEAF_CERTSIGN: return reissue + " (keyUsage digitalSignature, keyEncipherment)";
            case LEAF_NO_DIGITAL_SIGNATURE: return reissue + " (keyUsage digitalSignature)";
            case NO_SERVER_AUTH: return "issue it with serverAuth: " + issue + " (without --client-only)";
            case NO_EKU_FOR_APPLE: return "re-issue with an EKU: " + issue;
            case NO_CLIENT_AUTH: return "issue it with clientAuth: " + issue + " (without --server-only); mkcert needs -client";
            case VALIDITY_OVER_825: return "re-issue with --days 825 or less: " + issue + " (365 days unless --days)";
            case AKI_MISSING: return reissue + " (an AKI holding the CA's key id)";
            case AKI_CRITICAL: return reissue + " (a non-critical AKI)";
            case SKI_CRITICAL: return reissue + " (a non-critical SKI)";
            case AKI_MISMATCH: return "re-issue it from this CA: issue.java copies the CA's SKI into the AKI";
            case SELF_SIGNED_LEAF: return "make a CA and issue from it: " + caCommand(file) + ", then " + issue;
            case UNUSED_CERTIFICATE: return "list the leaf first, then each issuer in order, and nothing else";
            default: throw new IllegalArgumentException(rule.name());
        }
    }

    static String note(Lint.Note n, Path file) {
        switch (n.kind()) {
            case ISSUER_NOT_GIVEN: {
                Path ca = file == null ? null : file.resolveSibling("ca.crt");
                String caArg = ca != null && Files.isRegularFile(ca) && !ca.equals(file) ? Text.arg(ca) : "CA.crt";
                return "the issuer \"" + n.name() + "\" was not given, so the rules between a certificate and its CA "
                        + "(key ids, EKU chaining, the CA's own profile) were not checked: name its CA too: ./jbang inspect.java --lint "
                        + caArg + " " + (file == null ? "LEAF.crt" : Text.arg(file));
            }
            case CHAIN_ENDS: return "the chain ends at \"" + n.name() + "\", whose issuer was not given: add --cacert to check the rest";
            default: return "Ed25519 keys pass every rule here, but Chrome and Safari do not offer Ed25519 in TLS: "
                    + "use EC P-256 (--key-type ec) for anything a browser or an Apple device talks to.";
        }
    }

    /** issue.java for the leaf's own names (its SANs, else its CN), in the folder of its file, replacing that file. */
    static String issueCommand(Path file, X509Certificate leaf) {
        List<String> names = new ArrayList<>();
        if (leaf != null) {
            List<GeneralName> sans;
            try {
                sans = Names.sanList(leaf);
            } catch (IllegalArgumentException malformed) {
                sans = List.of(); // a SAN that does not parse is itself a finding; its CN may still name the service
            }
            for (GeneralName n : sans) // a malformed name cannot be given again, so the command leaves it out
                if (n.getTagNo() != GeneralName.otherName && n.getTagNo() != GeneralName.directoryName && Lint.malformed(n) == null)
                    names.add(text(n));
            String cn = Names.cn(Certs.holder(leaf).getSubject());
            if (cn != null && fileName(cn) != null && names.stream().noneMatch(cn::equalsIgnoreCase)) names.add(0, cn);
        }
        return issueCommand(file, leaf, names.isEmpty() ? List.of("service-a.example.com") : names);
    }

    /**
     * issue.java for names: in the folder of the file linted when that folder is a PKI of ours (its
     * ca.crt and ca.key sign), replacing that file; else in the default folder. --force only when
     * the certificate it writes exists already (the old one is then kept as .bak).
     */
    static String issueCommand(Path file, X509Certificate leaf, List<String> names) {
        boolean inPlace = ours(file);
        Pki pki = inPlace ? Pki.holding(file) : Pki.standard();
        String fromNames = fileName(names.get(0)), name = inPlace ? Pki.name(file) : fromNames;
        StringBuilder s = new StringBuilder("./jbang issue.java").append(Cli.Dir.flag(pki.dir()));
        if (name != null && Files.exists(pki.cert(name))) s.append(" --force");
        if (name != null && !name.equals(fromNames)) s.append(" --name ").append(Text.arg(name));
        for (String n : names) s.append(' ').append(Text.arg(n));
        return s.toString();
    }

    /**
     * ca.java for the folder of the file linted (the default one for a live chain); --force when a CA
     * is there already (the old one is kept as .bak, and ca.java prints the command that re-issues what
     * it signed, from the same names and keys).
     */
    static String caCommand(Path file) {
        Pki pki = file == null ? Pki.standard() : Pki.holding(file);
        return "./jbang ca.java" + Cli.Dir.flag(pki.dir()) + (Files.exists(pki.caCert()) ? " --force" : "");
    }

    /** Whether the file lives in a PKI folder of ours: its ca.crt and ca.key are beside it. */
    static boolean ours(Path file) {
        Pki here = file == null ? null : Pki.holding(file);
        return here != null && Files.isRegularFile(here.caCert()) && Files.isRegularFile(here.caKey());
    }

    private static String text(GeneralName n) {
        return n.getTagNo() == GeneralName.iPAddress ? Names.ipText(n) : n.getName().toString();
    }

    /** The file name issue.java gives a certificate whose first name is name; null when it is no name issue.java takes. */
    private static String fileName(String name) {
        try {
            return Names.fileName(Names.parse(name));
        } catch (Failure f) {
            return null;
        }
    }

    /** What a Java stack will refuse in file (lib/pki/StackLint.java), as inspect prints it after the file: "" when nothing. */
    public static String stacks(Path file, char[] password) {
        StringBuilder sb = new StringBuilder();
        for (StackLint.Finding f : StackLint.check(file, password))
            sb.append("  [stack] ").append(f.id()).append(": ").append(f.problem()).append("\n          fix: ").append(stackFix(f, file)).append('\n');
        return sb.length() == 0 ? "" : "Java stacks:\n" + sb;
    }

    /** The other tool's fix, then ours as a command that works as typed (renew keeps the names, a new key replaces the old). */
    static String stackFix(StackLint.Finding f, Path file) {
        if (f.ours() == null) return f.fix();
        String ours = switch (f.ours()) {
            case EC_KEY -> f.cert() == null ? "for a service that talks to them, issue it with an EC key (issue.java --key-type ec)"
                    : "for a service that talks to them, give it an EC key: ./jbang issue.java renew --new-key --key-type ec " + Text.arg(f.cert());
            case NEW_PAIR -> "a new pair with the same names: ./jbang issue.java renew --new-key " + Text.arg(f.cert());
            case TRUSTSTORE -> "./jbang trust.java export" + (file.toAbsolutePath().getParent() != null
                    && Files.isRegularFile(file.toAbsolutePath().resolveSibling("ca.crt")) ? Cli.Dir.flag(file.getParent() == null ? Path.of(".") : file.getParent()) : "")
                    + " --format truststore";
        };
        return f.fix() == null ? ours : f.fix() + ", or " + ours;
    }
}
