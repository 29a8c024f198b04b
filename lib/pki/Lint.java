// Lint.java: checks a certificate or chain against the rules of every strict verifier at once:
// OpenSSL -x509_strict (and Python 3.13, which turns it on), Chrome, Apple, Go and RFC 5280.
// Each rule names who enforces it and the OpenSSL error number where there is one; it returns
// findings, and lib/cli/LintText.java words them with the fix, as commands for the file linted.
// docs/PROFILE.md gives the profile our certificates follow and its sources.

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.util.IPAddress;

public final class Lint {
    private Lint() {}


    /** Which use a leaf is linted for. */
    public enum Purpose {
        SERVER, CLIENT, BOTH, ANY;

        static Purpose parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw Failure.of("%s is not one of server, client, both or any", Text.escape(s));
            }
        }
    }

    public enum Severity { ERROR, WARNING }

    /** Who enforces a check_extensions() rule: OpenSSL's strict mode, which Python 3.13 turns on by default. */
    static String strict(int error) {
        return "OpenSSL verify -x509_strict (error " + error + "); Python 3.13+ (its default context sets VERIFY_X509_STRICT)";
    }
    /** OpenSSL 3.0 does not handle a critical AKI or SKI at all; 3.x releases with check_extensions' error 90/91 say so in strict mode. */
    private static final String CRITICAL = "OpenSSL and all built on it (curl, Python, nginx), even without -x509_strict: "
            + "error 34, unhandled critical extension (error 90/91 under -x509_strict in later releases)";

    /**
     * Every rule the lint knows: its id, the OpenSSL verify error number it shows as (0: none), and
     * who enforces it (lib/cli/LintText.java says how to fix it). docs/PROFILE.md gives the sources;
     * OpenSSL's numbers are those of check_extensions() and check_purpose() in crypto/x509/x509_vfy.c.
     */
    public enum Rule {
        NOT_V3("x509-v3", 93, strict(93) + "; RFC 5280 4.1.2.1"),
        SIG_ALG_MISMATCH("signature-algorithm-mismatch", 78, strict(78) + "; RFC 5280 4.1.1.2"),
        BAD_SIGNATURE("signature", 7, "every verifier (OpenSSL error 7)"),
        ISSUER_UNKNOWN("issuer-unknown", 20, "every verifier (OpenSSL error 20, Chrome ERR_CERT_AUTHORITY_INVALID)"),
        EXPIRED("expired", 10, "every verifier (OpenSSL error 10)"),
        NOT_YET_VALID("not-yet-valid", 9, "every verifier (OpenSSL error 9)"),
        EXPIRES_SOON("expires-soon", 0, "every verifier, once it expires"),
        SERIAL_NOT_POSITIVE("serial-positive", 0, "Go 1.23+ (\"x509: negative serial number\"), RFC 5280 4.1.2.2"),
        SERIAL_TOO_LONG("serial-length", 0, "Firefox (mozilla::pkix rejects serials over 20 octets), RFC 5280 4.1.2.2"),
        SAN_EMPTY("san-empty", 87, strict(87) + "; RFC 5280 4.2.1.6"),
        SAN_MALFORMED("san-malformed", 0, "Go (\"x509: SAN dNSName is malformed\", \"cannot parse IP address of length 5\": it refuses "
                + "the whole certificate), Chrome; RFC 5280 4.2.1.6"),
        SAN_MISSING("san-missing", 0, "Chrome 58+, Go 1.15+ and Apple: they ignore the CN and match the host name only against the SAN"),
        SAN_NO_HOST("san-no-host", 0, "Chrome, Go and Apple: a server is matched against the DNS names and IP addresses of the SAN"),
        CN_NOT_IN_SAN("cn-not-in-san", 0, "nobody checks the CN, so a host reached by that name fails in Chrome, Go and Apple"),
        RSA_TOO_SMALL("rsa-key-size", 66, "Apple (RSA under 2048 bits), OpenSSL at security level 2, the default of Debian, "
                + "Ubuntu and RHEL (errors 66/67: key too small)"),
        EC_CURVE("ec-curve", 0, "Chrome and Apple: TLS certificates on curves other than P-256 and P-384 fail there"),
        WEAK_HASH("weak-signature-hash", 68, "Go 1.18+, Chrome, Apple (SHA-2 required), OpenSSL at security level 2 (error 68)"),
        CA_NOT_CA("ca-basic-constraints", 24,
                "every verifier: only a certificate with basicConstraints CA:TRUE may sign others "
                + "(OpenSSL error 24, invalid CA certificate)"),
        CA_BC_NOT_CRITICAL("ca-basic-constraints-critical", 89, strict(89) + "; RFC 5280 4.2.1.9"),
        CA_KU_MISSING("ca-key-usage", 92, strict(92) + "; RFC 5280 4.2.1.3"),
        CA_KU_NO_CERTSIGN("ca-key-cert-sign", 32, "every verifier (OpenSSL error 32: key usage does not include certificate signing)"),
        CA_KU_NOT_CRITICAL("ca-key-usage-critical", 0, "RFC 5280 4.2.1.3 and the CA/Browser Forum want it critical; no verifier checks it"),
        CA_SKI_MISSING("ca-subject-key-id", 86, strict(86) + "; RFC 5280 4.2.1.2"),
        CA_EKU("eku-chain", 26, "Go (checks the EKU along the whole chain), OpenSSL's purpose check (error 26), Chrome"),
        PATHLEN_EXCEEDED("path-length", 25, "every verifier (OpenSSL error 25)"),
        PATHLEN_NON_CA("pathlen-non-ca", 80, strict(80) + "; RFC 5280 4.2.1.9"),
        PATHLEN_NO_CERTSIGN("pathlen-without-key-cert-sign", 81, strict(81) + "; RFC 5280 4.2.1.9"),
        LEAF_CERTSIGN("leaf-key-cert-sign", 82, strict(82) + "; RFC 5280 4.2.1.3"),
        LEAF_NO_DIGITAL_SIGNATURE("leaf-digital-signature", 0,
                "Chrome 124+ for RSA keys under local roots, and every TLS 1.3 peer: "
                + "the key signs the handshake; OpenSSL's client purpose (error 26)"),
        NO_SERVER_AUTH("eku-server-auth", 26,
                "every verifier of a server: OpenSSL -purpose sslserver (error 26), Python, curl, Chrome, Apple, Go, Java"),
        NO_EKU_FOR_APPLE("eku-required", 0, "Apple (support.apple.com/103769): a TLS server certificate needs an EKU with serverAuth"),
        NO_CLIENT_AUTH("eku-client-auth", 26, "every server that requires a client certificate: OpenSSL -purpose sslclient (error 26), "
                + "Python and nginx, Java, Go"),
        VALIDITY_OVER_825("validity-825-days", 0, "Apple (support.apple.com/103769): a TLS server certificate may be valid for 825 days at most"),
        LEAF_SKI_MISSING("leaf-subject-key-id", 0, "RFC 5280 4.2.1.2 says it SHOULD be present; no verifier requires it"),
        AKI_MISSING("authority-key-id", 85, strict(85) + "; RFC 5280 4.2.1.1"),
        AKI_CRITICAL("authority-key-id-critical", 34, CRITICAL + "; RFC 5280 4.2.1.1 (MUST be non-critical)"),
        SKI_CRITICAL("subject-key-id-critical", 34, CRITICAL + "; RFC 5280 4.2.1.2 (MUST be non-critical)"),
        AKI_MISMATCH("authority-key-id-mismatch", 20,
                "OpenSSL looks the issuer up by this id and finds none (error 20, "
                + "unable to get local issuer certificate)"),
        SELF_SIGNED_LEAF("self-signed-leaf", 18, "every verifier, unless this very certificate is trusted (OpenSSL error 18)"),
        EXTENSION_MALFORMED("extension-malformed", 0,
                "every verifier: OpenSSL, Go, Python and the JDK refuse a certificate "
                + "whose extension does not parse (RFC 5280 4.2)"),
        UNUSED_CERTIFICATE("unused-certificate", 0, "servers send it anyway; clients must skip it");

        public final String id;
        public final int opensslError;
        public final String enforcedBy;

        Rule(String id, int opensslError, String enforcedBy) {
            this.id = id;
            this.opensslError = opensslError;
            this.enforcedBy = enforcedBy;
        }
    }

    /**
     * One broken rule: which certificate (0 = the first of the chain), what is wrong, how bad.
     * unlessFor, when not null: a warning of a use the leaf does not claim, which linting it for
     * that purpose leaves out.
     */
    public record Finding(Severity severity, Rule rule, int index, String subject, String problem, int opensslError, Purpose unlessFor) {}

    /** What a report adds besides findings: what was not checked, and why. */
    public enum NoteKind {
        /** The leaf's issuer (name) was not given, so the rules between them were not checked. */
        ISSUER_NOT_GIVEN,
        /** The chain ends at a CA (name) whose issuer was not given. */
        CHAIN_ENDS,
        /** An Ed25519 key passes every rule, but browsers do not offer it in TLS. */
        ED25519
    }

    public record Note(NoteKind kind, String name) {}

    /** What the lint found for one chain: the chain it checked (leaf first), findings and notes. */
    public static final class Report {
        public final List<X509Certificate> chain = new ArrayList<>();
        public final List<Finding> findings = new ArrayList<>();
        public final List<Note> notes = new ArrayList<>();
        public Purpose purpose;

        void add(Severity severity, Rule rule, int index, String problem) {
            add(severity, rule, index, problem, rule.opensslError);
        }

        void add(Severity severity, Rule rule, int index, String problem, int opensslError) {
            add(severity, rule, index, problem, opensslError, null);
        }

        void add(Severity severity, Rule rule, int index, String problem, int opensslError, Purpose unlessFor) {
            findings.add(new Finding(severity, rule, index, Names.subject(chain.get(index)), problem, opensslError, unlessFor));
        }

        public long errors() { return findings.stream().filter(f -> f.severity() == Severity.ERROR).count(); }
        public long warnings() { return findings.size() - errors(); }
        public boolean has(Rule rule) { return findings.stream().anyMatch(f -> f.rule() == rule); }
    }

    static String shortName(X509Certificate c) {
        return Names.shortName(c);
    }

    /**
     * Lints a chain: given[0] is the certificate to check, the rest of given and the trusted CAs
     * complete its chain. Each certificate is checked for what it is (root, intermediate, leaf),
     * then each link (signature, key ids, EKU chaining, path length).
     */
    public static Report lint(List<X509Certificate> given, List<X509Certificate> trusted, Purpose purpose) {
        return lint(given, trusted, purpose, !trusted.isEmpty());
    }

    /**
     * The same with issuers that need not be a trust list: strict when they are one (the trusted CAs), so a
     * chain that ends outside them is an error; else (CA certificates given beside the leaf) a note.
     */
    public static Report lint(List<X509Certificate> given, List<X509Certificate> issuers, Purpose purpose, boolean strict) {
        for (int i = 0; i < given.size(); i++) Der.checkNesting(given.get(i), "certificate " + (i + 1));
        for (int i = 0; i < issuers.size(); i++) Der.checkNesting(issuers.get(i), "CA certificate " + (i + 1));
        Report r = new Report();
        r.purpose = purpose;
        buildChain(given, issuers, strict, r);
        Instant now = Instant.now();
        boolean malformed = false;
        for (int i = 0; i < r.chain.size(); i++) {
            X509Certificate c = r.chain.get(i);
            // A damaged extension is the finding: the checks below would each trip over it.
            String broken = malformedExtension(c);
            if (broken != null) {
                r.add(Severity.ERROR, Rule.EXTENSION_MALFORMED, i, "its " + broken);
                malformed = true;
                continue;
            }
            checkStructure(c, i, r, now);
            checkKey(c, i, r);
            if (isCa(c) || i > 0) checkCa(c, i, r);
            else checkLeaf(c, r);
            if (i + 1 < r.chain.size()) checkLink(c, r.chain.get(i + 1), i, r);
        }
        if (!malformed) checkEkuChain(r);
        return r;
    }

    /** The first extension whose value does not parse as its kind requires (Der.extensionProblem), or null. */
    static String malformedExtension(X509Certificate c) {
        for (boolean critical : new boolean[] {true, false}) {
            var oids = critical ? c.getCriticalExtensionOIDs() : c.getNonCriticalExtensionOIDs();
            if (oids == null) continue;
            for (String oid : oids) {
                byte[] wrapped = c.getExtensionValue(oid);
                byte[] value;
                try {
                    value = org.bouncycastle.asn1.ASN1OctetString.getInstance(wrapped).getOctets();
                } catch (RuntimeException e) {
                    return "extension " + oid + " cannot be read";
                }
                String problem = Der.extensionProblem(new org.bouncycastle.asn1.x509.Extension(
                        new org.bouncycastle.asn1.ASN1ObjectIdentifier(oid), critical, value));
                if (problem != null) return problem;
            }
        }
        return null;
    }

    /**
     * Orders the chain: from given[0], each issuer is looked for among the other given
     * certificates, then the trusted ones (same name, and its key verifies the signature).
     */
    static void buildChain(List<X509Certificate> given, List<X509Certificate> trusted, boolean strict, Report r) {
        List<X509Certificate> pool = new ArrayList<>(given.subList(1, given.size()));
        pool.addAll(trusted);
        r.chain.add(given.get(0));
        while (true) {
            X509Certificate cur = r.chain.get(r.chain.size() - 1);
            if (selfSigned(cur) || r.chain.size() > 10) break;
            X509Certificate issuer = null;
            for (X509Certificate cand : pool)
                if (!r.chain.contains(cand) && signedBy(cur, cand)) { issuer = cand; break; }
            if (issuer == null) {
                unknownIssuer(cur, pool, strict, r);
                break;
            }
            r.chain.add(issuer);
        }
        X509Certificate top = r.chain.get(r.chain.size() - 1);
        if (strict && selfSigned(top) && !trusted.contains(top) && r.chain.size() > 1)
            r.add(Severity.ERROR, Rule.ISSUER_UNKNOWN, r.chain.size() - 1, "the chain ends at this root, which is not among the trusted CAs");
        for (int i = 1; i < given.size(); i++)
            if (!r.chain.contains(given.get(i)))
                r.add(Severity.WARNING, Rule.UNUSED_CERTIFICATE, 0, "the file's certificate " + (i + 1) + " (\""
                        + shortName(given.get(i)) + "\") is not part of this certificate's chain");
    }

    private static void unknownIssuer(X509Certificate cur, List<X509Certificate> pool, boolean strict, Report r) {
        int i = r.chain.size() - 1;
        boolean sameName = pool.stream().anyMatch(c -> c.getSubjectX500Principal().equals(cur.getIssuerX500Principal()));
        if (sameName)
            r.add(Severity.ERROR, Rule.BAD_SIGNATURE, i, "a CA named \"" + Names.issuer(cur) + "\" was given, but its key "
                    + "did not sign this certificate (another CA of the same name, or the file was altered)");
        else if (strict)
            r.add(Severity.ERROR, Rule.ISSUER_UNKNOWN, i, "its issuer \"" + Names.issuer(cur) + "\" is not among the trusted CAs");
        else if (i == 0 && !otherCas(pool, r).isEmpty())
            // A CA linted beside the leaf is meant as its issuer, as a trusted CA is.
            r.add(Severity.ERROR, Rule.ISSUER_UNKNOWN, i, "it was not signed by the CA given with it (" + String.join(", ",
                    otherCas(pool, r).stream().map(c -> "\"" + Names.subject(c) + "\"").toList()) + "): its issuer is \""
                    + Names.issuer(cur) + "\"");
        else if (i == 0 && !isCa(cur))
            r.notes.add(new Note(NoteKind.ISSUER_NOT_GIVEN, Names.issuer(cur)));
        else
            r.notes.add(new Note(NoteKind.CHAIN_ENDS, shortName(cur)));
    }

    /** The CA certificates given besides the chain being built: what the user meant as its issuers. */
    private static List<X509Certificate> otherCas(List<X509Certificate> pool, Report r) {
        return pool.stream().filter(c -> isCa(c) && !r.chain.contains(c)).distinct().toList();
    }

    static boolean signedBy(X509Certificate c, X509Certificate issuer) {
        return Certs.signedBy(c, issuer);
    }

    static boolean selfSigned(X509Certificate c) {
        return Certs.selfSigned(c);
    }

    static boolean isCa(X509Certificate c) {
        return c.getBasicConstraints() >= 0;
    }

    static Extensions exts(X509Certificate c) {
        Extensions e = Certs.holder(c).getExtensions();
        return e == null ? Extensions.getInstance(new org.bouncycastle.asn1.DERSequence()) : e; // v1: none
    }

    // ---------------------------------------------------------------- every certificate

    static void checkStructure(X509Certificate c, int i, Report r, Instant now) {
        X509CertificateHolder h = Certs.holder(c);
        if (c.getVersion() != 3)
            r.add(Severity.ERROR, Rule.NOT_V3, i, "it is an X.509 v" + c.getVersion() + " certificate", h.getExtensions() == null ? 0 : 93);
        if (!h.toASN1Structure().getSignatureAlgorithm().equals(h.toASN1Structure().getTBSCertificate().getSignature()))
            r.add(Severity.ERROR, Rule.SIG_ALG_MISMATCH, i, "the signature algorithm inside the signed part differs from the outer one");
        BigInteger serial = c.getSerialNumber();
        if (serial.signum() <= 0)
            r.add(Severity.ERROR, Rule.SERIAL_NOT_POSITIVE, i, "its serial number is " + (serial.signum() == 0 ? "zero" : "negative (" + serial + ")"));
        if (serial.toByteArray().length > 20)
            r.add(Severity.ERROR, Rule.SERIAL_TOO_LONG, i, "its serial number is " + serial.toByteArray().length + " octets long; the limit is 20");
        checkValidity(c, i, r, now);
        checkKeyIds(c, i, r);
        String sig = c.getSigAlgName().toUpperCase(Locale.ROOT);
        if (sig.contains("SHA1") || sig.contains("MD5") || sig.contains("MD2")) {
            boolean root = selfSigned(c);
            // A root's own signature is not checked by Go, Chrome or OpenSSL: only a warning there.
            r.add(root ? Severity.WARNING : Severity.ERROR, Rule.WEAK_HASH, i, "it is signed with " + c.getSigAlgName()
                    + (root ? " (a root's self-signature is rarely checked, but Apple and policy tools flag it)" : ""), root ? 0 : 68);
        }
        checkNames(c, i, r);
    }

    static void checkValidity(X509Certificate c, int i, Report r, Instant now) {
        Instant end = c.getNotAfter().toInstant();
        if (now.isAfter(end)) r.add(Severity.ERROR, Rule.EXPIRED, i, "it expired on " + Describe.utc(end));
        else if (now.isBefore(c.getNotBefore().toInstant()))
            r.add(Severity.ERROR, Rule.NOT_YET_VALID, i, "it is not valid before " + Describe.utc(c.getNotBefore().toInstant()));
        else if (Duration.between(now, end).toDays() < 30)
            r.add(Severity.WARNING, Rule.EXPIRES_SOON, i, "it expires in " + Duration.between(now, end).toDays() + " days, on " + Describe.utc(end));
    }

    static void checkKeyIds(X509Certificate c, int i, Report r) {
        Extensions e = exts(c);
        Extension aki = e.getExtension(Extension.authorityKeyIdentifier), ski = e.getExtension(Extension.subjectKeyIdentifier);
        if (aki != null && aki.isCritical()) r.add(Severity.ERROR, Rule.AKI_CRITICAL, i, "its authorityKeyIdentifier is marked critical");
        if (ski != null && ski.isCritical()) r.add(Severity.ERROR, Rule.SKI_CRITICAL, i, "its subjectKeyIdentifier is marked critical");
        boolean akiKeyId = aki != null && AuthorityKeyIdentifier.getInstance(aki.getParsedValue()).getKeyIdentifierOctets() != null;
        // Key ids are X.509 v3 extensions: a v1 certificate is flagged for its version instead.
        if (!selfSigned(c) && !akiKeyId && c.getVersion() == 3)
            r.add(Severity.ERROR, Rule.AKI_MISSING, i, aki == null ? "it has no authorityKeyIdentifier"
                    : "its authorityKeyIdentifier has no key id (only issuer and serial)");
        if (selfSigned(c) && akiKeyId && ski != null && !Arrays.equals(keyId(aki), SubjectKeyIdentifier.getInstance(ski.getParsedValue()).getKeyIdentifier()))
            r.add(Severity.WARNING, Rule.AKI_MISMATCH, i, "this root's AKI key id differs from its own SKI", 0);
    }

    static byte[] keyId(Extension aki) {
        return AuthorityKeyIdentifier.getInstance(aki.getParsedValue()).getKeyIdentifierOctets();
    }

    /**
     * An empty subject or issuer never gets here: Java refuses to parse such a certificate unless
     * its SAN is critical (the rule of OpenSSL -x509_strict errors 83, 84 and 88), so reading fails.
     */
    static void checkNames(X509Certificate c, int i, Report r) {
        Extension sanExt = exts(c).getExtension(Extension.subjectAlternativeName);
        if (sanExt != null && GeneralNames.getInstance(sanExt.getParsedValue()).getNames().length == 0)
            r.add(Severity.ERROR, Rule.SAN_EMPTY, i, "its subjectAltName holds no name");
        if (sanExt == null) return;
        for (GeneralName n : GeneralNames.getInstance(sanExt.getParsedValue()).getNames()) {
            String bad = malformed(n);
            if (bad != null) r.add(Severity.ERROR, Rule.SAN_MALFORMED, i, "its subjectAltName holds " + Names.san(n) + ", " + bad);
        }
    }

    /** Why one SAN breaks RFC 5280 4.2.1.6, or null: an IP address that is not 4 or 16 bytes, a name that is not printable ASCII. */
    static String malformed(GeneralName n) {
        switch (n.getTagNo()) {
            case GeneralName.iPAddress: {
                int len = org.bouncycastle.asn1.ASN1OctetString.getInstance(n.getName()).getOctets().length;
                return len == 4 || len == 16 ? null : "an IP address of " + len + " bytes, where IPv4 has 4 and IPv6 16";
            }
            case GeneralName.dNSName: case GeneralName.rfc822Name: case GeneralName.uniformResourceIdentifier:
                return Names.printableAscii(n) ? null : "which is not printable ASCII (an IA5String name with no space; an international "
                        + "name comes in its xn-- form)";
            default:
                return null;
        }
    }

    static void checkKey(X509Certificate c, int i, Report r) {
        PublicKey k = c.getPublicKey();
        if (k instanceof RSAPublicKey && ((RSAPublicKey) k).getModulus().bitLength() < 2048)
            r.add(Severity.ERROR, Rule.RSA_TOO_SMALL, i, "its RSA key has " + ((RSAPublicKey) k).getModulus().bitLength() + " bits; 2048 is the minimum",
                    isCa(c) ? 67 : 66);
        if (k instanceof ECKey) {
            int bits = ((ECKey) k).getParams().getCurve().getField().getFieldSize();
            if (bits != 256 && bits != 384)
                r.add(Severity.WARNING, Rule.EC_CURVE, i, "its EC key is on a " + bits + "-bit curve, not P-256 or P-384");
        }
        if (k.getAlgorithm().startsWith("Ed") && r.notes.stream().noneMatch(n -> n.kind() == NoteKind.ED25519))
            r.notes.add(new Note(NoteKind.ED25519, null));
    }

    // ---------------------------------------------------------------- CAs

    /** A CA (or a certificate used as one): the rules of check_extensions() for CAs and RFC 5280. */
    static void checkCa(X509Certificate c, int i, Report r) {
        Extensions e = exts(c);
        Extension bc = e.getExtension(Extension.basicConstraints), ku = e.getExtension(Extension.keyUsage);
        if (!isCa(c)) {
            r.add(Severity.ERROR, Rule.CA_NOT_CA, i, "it signed certificate " + i + " but it is not a CA (no basicConstraints CA:TRUE)");
            return;
        }
        if (!bc.isCritical()) r.add(Severity.ERROR, Rule.CA_BC_NOT_CRITICAL, i, "its basicConstraints CA:TRUE is not marked critical");
        if (ku == null) r.add(Severity.ERROR, Rule.CA_KU_MISSING, i, "this CA has no keyUsage extension");
        else {
            if (!KeyUsage.getInstance(ku.getParsedValue()).hasUsages(KeyUsage.keyCertSign))
                r.add(Severity.ERROR, Rule.CA_KU_NO_CERTSIGN, i, "its keyUsage lacks keyCertSign, so it may not sign certificates");
            if (!ku.isCritical()) r.add(Severity.WARNING, Rule.CA_KU_NOT_CRITICAL, i, "its keyUsage is not marked critical");
        }
        if (BasicConstraints.getInstance(bc.getParsedValue()).getPathLenConstraint() != null
                && (ku == null || !KeyUsage.getInstance(ku.getParsedValue()).hasUsages(KeyUsage.keyCertSign)))
            r.add(Severity.ERROR, Rule.PATHLEN_NO_CERTSIGN, i, "it has a pathLen but its keyUsage lacks keyCertSign");
        if (e.getExtension(Extension.subjectKeyIdentifier) == null)
            r.add(Severity.ERROR, Rule.CA_SKI_MISSING, i, "this CA has no subjectKeyIdentifier");
        // CAs below it in the chain (i - 1 of them are CAs when certificate 0 is a leaf).
        int below = 0;
        for (int j = 1; j < i; j++) if (!selfIssued(r.chain.get(j))) below++;
        Integer pathLen = BasicConstraints.getInstance(bc.getParsedValue()).getPathLenConstraint() == null ? null
                : BasicConstraints.getInstance(bc.getParsedValue()).getPathLenConstraint().intValue();
        if (pathLen != null && below > pathLen)
            r.add(Severity.ERROR, Rule.PATHLEN_EXCEEDED, i, "its pathLen is " + pathLen + " but " + below + " CA(s) sit below it");
    }

    static boolean selfIssued(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
    }

    // ---------------------------------------------------------------- the leaf

    /**
     * The leaf: key usage, and the rules of each use it is linted for. For any purpose, a use
     * the EKU claims (no EKU claims both) is checked as an error, the other one as a warning.
     */
    static void checkLeaf(X509Certificate c, Report r) {
        Extensions e = exts(c);
        KeyUsage ku = KeyUsage.fromExtensions(e);
        if (e.getExtension(Extension.basicConstraints) != null
                && BasicConstraints.getInstance(e.getExtension(Extension.basicConstraints).getParsedValue()).getPathLenConstraint() != null)
            r.add(Severity.ERROR, Rule.PATHLEN_NON_CA, 0, "it is not a CA but its basicConstraints has a pathLen");
        if (ku != null && ku.hasUsages(KeyUsage.keyCertSign))
            r.add(Severity.ERROR, Rule.LEAF_CERTSIGN, 0, "it is not a CA but its keyUsage has keyCertSign");
        if (e.getExtension(Extension.subjectKeyIdentifier) == null && c.getVersion() == 3)
            r.add(Severity.WARNING, Rule.LEAF_SKI_MISSING, 0, "it has no subjectKeyIdentifier");
        if (r.chain.size() == 1 && selfSigned(c))
            r.add(Severity.WARNING, Rule.SELF_SIGNED_LEAF, 0, "it signed itself: no CA vouches for it");
        ExtendedKeyUsage eku = ExtendedKeyUsage.fromExtensions(e);
        Severity serverSeverity = severity(KeyPurposeId.id_kp_serverAuth, eku, r.purpose);
        Severity clientSeverity = severity(KeyPurposeId.id_kp_clientAuth, eku, r.purpose);
        if (serverSeverity != null) checkServerUse(c, eku, ku, serverSeverity, r);
        if (clientSeverity != null) checkClientUse(eku, ku, clientSeverity, r);
    }

    /**
     * How a broken rule of one use (serverAuth or clientAuth) counts: null when that use is not
     * linted. For any purpose, the uses the leaf's EKU claims are errors and the others warnings;
     * a leaf without an EKU claims every use and is linted as a server (Apple's rules), a leaf that
     * claims neither use is linted as a server too.
     */
    static Severity severity(KeyPurposeId use, ExtendedKeyUsage leafEku, Purpose p) {
        boolean server = use.equals(KeyPurposeId.id_kp_serverAuth);
        switch (p) {
            case SERVER: return server ? Severity.ERROR : null;
            case CLIENT: return server ? null : Severity.ERROR;
            case BOTH: return Severity.ERROR;
            default:
                if (leafEku == null) return server ? Severity.ERROR : Severity.WARNING;
                boolean claimsServer = allows(leafEku, KeyPurposeId.id_kp_serverAuth);
                boolean claimsClient = allows(leafEku, KeyPurposeId.id_kp_clientAuth);
                if (server) return claimsServer || !claimsClient ? Severity.ERROR : Severity.WARNING;
                return claimsClient ? Severity.ERROR : Severity.WARNING;
        }
    }

    static boolean allows(ExtendedKeyUsage eku, KeyPurposeId id) {
        return eku.hasKeyPurposeId(id) || eku.hasKeyPurposeId(KeyPurposeId.anyExtendedKeyUsage);
    }

    /** As a TLS server: Chrome, Apple, Go and OpenSSL -purpose sslserver. */
    static void checkServerUse(X509Certificate c, ExtendedKeyUsage eku, KeyUsage ku, Severity sev, Report r) {
        Purpose unless = sev == Severity.WARNING ? Purpose.CLIENT : null; // so it cannot serve TLS, if it need not
        if (eku == null) r.add(sev, Rule.NO_EKU_FOR_APPLE, 0, "it has no extendedKeyUsage, which Apple requires of a server", Rule.NO_EKU_FOR_APPLE.opensslError, unless);
        else if (!allows(eku, KeyPurposeId.id_kp_serverAuth))
            r.add(sev, Rule.NO_SERVER_AUTH, 0, "its extendedKeyUsage lacks serverAuth: not usable as a server certificate", Rule.NO_SERVER_AUTH.opensslError, unless);
        if (ku != null && !ku.hasUsages(KeyUsage.digitalSignature))
            r.add(sev, Rule.LEAF_NO_DIGITAL_SIGNATURE, 0, "its keyUsage lacks digitalSignature, so a TLS 1.3 server cannot sign with it",
                    ku.hasUsages(KeyUsage.keyEncipherment) || ku.hasUsages(KeyUsage.keyAgreement) ? 0 : 26, unless);
        List<GeneralName> sans = sans(c);
        if (sans == null) r.add(sev, Rule.SAN_MISSING, 0, "it has no subjectAltName; the CN alone is ignored", Rule.SAN_MISSING.opensslError, unless);
        else if (sans.stream().noneMatch(n -> n.getTagNo() == GeneralName.dNSName || n.getTagNo() == GeneralName.iPAddress))
            r.add(sev, Rule.SAN_NO_HOST, 0, "its subjectAltName names no DNS name or IP address", Rule.SAN_NO_HOST.opensslError, unless);
        String cn = cn(c);
        if (cn != null && sans != null && sans.stream().noneMatch(n -> sanText(n).equalsIgnoreCase(cn)) && looksLikeHost(cn))
            r.add(Severity.WARNING, Rule.CN_NOT_IN_SAN, 0, "its CN \"" + cn + "\" is not among its SANs");
        long days = Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant()).toDays();
        if (days > 825) r.add(sev, Rule.VALIDITY_OVER_825, 0, "it is valid for " + days + " days", Rule.VALIDITY_OVER_825.opensslError, unless);
    }

    /** As a TLS client certificate: OpenSSL -purpose sslclient (Python, nginx), Java and Go servers. */
    static void checkClientUse(ExtendedKeyUsage eku, KeyUsage ku, Severity sev, Report r) {
        Purpose unless = sev == Severity.WARNING ? Purpose.SERVER : null; // if it is only meant to serve
        if (eku != null && !allows(eku, KeyPurposeId.id_kp_clientAuth))
            r.add(sev, Rule.NO_CLIENT_AUTH, 0, "its extendedKeyUsage lacks clientAuth: not usable as a client certificate", Rule.NO_CLIENT_AUTH.opensslError, unless);
        if (ku != null && !ku.hasUsages(KeyUsage.digitalSignature)
                && !(sev == Severity.ERROR && r.findings.stream().anyMatch(f -> f.rule() == Rule.LEAF_NO_DIGITAL_SIGNATURE)))
            r.add(sev, Rule.LEAF_NO_DIGITAL_SIGNATURE, 0, "its keyUsage lacks digitalSignature, so a client cannot prove it owns the key",
                    ku.hasUsages(KeyUsage.keyAgreement) ? 0 : 26, unless);
    }

    static List<GeneralName> sans(X509Certificate c) {
        Extension san = exts(c).getExtension(Extension.subjectAlternativeName);
        return san == null ? null : Arrays.asList(GeneralNames.getInstance(san.getParsedValue()).getNames());
    }

    static String sanText(GeneralName n) {
        String s = Names.sans(new GeneralNames(n));
        return s.substring(s.indexOf(':') + 1);
    }

    static String cn(X509Certificate c) {
        return Names.cn(c);
    }

    static boolean looksLikeHost(String cn) {
        return cn.matches("[A-Za-z0-9*]([A-Za-z0-9-]*\\.)+[A-Za-z0-9-]+") || IPAddress.isValid(cn);
    }

    // ---------------------------------------------------------------- links and the chain

    /** Between a certificate and its issuer: the AKI names the issuer's SKI. */
    static void checkLink(X509Certificate c, X509Certificate issuer, int i, Report r) {
        Extension aki = exts(c).getExtension(Extension.authorityKeyIdentifier);
        Extension ski = exts(issuer).getExtension(Extension.subjectKeyIdentifier);
        if (aki == null || ski == null || keyId(aki) == null) return;
        if (!Arrays.equals(keyId(aki), SubjectKeyIdentifier.getInstance(ski.getParsedValue()).getKeyIdentifier()))
            r.add(Severity.ERROR, Rule.AKI_MISMATCH, i, "its AKI key id " + Describe.hex(keyId(aki)) + " is not the SKI of its issuer \""
                    + shortName(issuer) + "\"");
    }

    /**
     * EKU chaining, as Go and OpenSSL check it: a CA with an EKU limits every certificate below it
     * to those uses. Checked for the uses the leaf is linted for.
     */
    static void checkEkuChain(Report r) {
        if (isCa(r.chain.get(0))) return;
        ExtendedKeyUsage leafEku = ExtendedKeyUsage.fromExtensions(exts(r.chain.get(0)));
        for (int i = 1; i < r.chain.size(); i++) {
            ExtendedKeyUsage eku = ExtendedKeyUsage.fromExtensions(exts(r.chain.get(i)));
            if (eku == null) continue;
            for (KeyPurposeId use : List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth)) {
                Severity sev = severity(use, leafEku, r.purpose);
                if (sev == null || allows(eku, use)) continue;
                String name = use.equals(KeyPurposeId.id_kp_serverAuth) ? "serverAuth" : "clientAuth";
                r.add(sev, Rule.CA_EKU, i, "this CA's extendedKeyUsage lacks " + name + ", so no certificate below it may be used for "
                        + name + (sev == Severity.WARNING ? " (the leaf does not claim it either)" : ""));
            }
        }
    }
}
