// Describe.java: a certificate, a chain or a CRL in the spirit of `openssl x509 -text`, trimmed to
// what a person reads: names, dates, key, extensions and fingerprints. Names print through Names,
// so every field from a certificate is escaped before it reaches a terminal.

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.StringJoiner;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;

public final class Describe {
    private Describe() {}

    /** One certificate: subject, issuer, serial, validity, key, signature, each extension, SHA-256. */
    public static String certificate(X509Certificate c) {
        StringBuilder s = new StringBuilder();
        X509CertificateHolder h = Certs.holder(c);
        line(s, "Subject", Names.subject(c));
        line(s, "Issuer", Names.issuer(c));
        line(s, "Serial", serial(c));
        long days = Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant()).toDays();
        line(s, "Valid", utc(c.getNotBefore().toInstant()) + " to " + utc(c.getNotAfter().toInstant()) + " (" + days + " days)");
        line(s, "Key", Keys.describe(c.getPublicKey()));
        line(s, "Signature", c.getSigAlgName());
        // X.509 v1 certificates (old openssl x509 -req without -extfile) have no extensions at all.
        if (h.getExtensions() == null) line(s, "Extensions", "none: an X.509 v" + c.getVersion() + " certificate");
        for (var oid : h.getExtensions() == null ? new ASN1ObjectIdentifier[0] : h.getExtensions().getExtensionOIDs()) {
            Extension e = h.getExtension(oid);
            line(s, extensionName(oid) + (e.isCritical() ? " (critical)" : ""), extensionValue(e));
        }
        line(s, "SHA-256", fingerprint(c));
        return s.toString();
    }

    static void line(StringBuilder s, String label, String value) {
        s.append(String.format("  %-30s %s%n", label + ":", value));
    }

    /** A chain as client.java -v prints it: subject, issuer, validity, SANs and serial of each. */
    public static String chain(X509Certificate[] chain, String indent) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < chain.length; i++) {
            X509Certificate c = chain[i];
            s.append(indent).append(i).append(" subject: ").append(Names.subject(c)).append('\n');
            s.append(indent).append("  issuer:  ").append(Names.issuer(c)).append('\n');
            s.append(indent).append("  valid:   ").append(utc(c.getNotBefore().toInstant())).append(" to ")
                    .append(utc(c.getNotAfter().toInstant())).append(validityNote(c, Instant.now())).append('\n');
            s.append(indent).append("  SANs:    ").append(Names.sans(c)).append('\n');
            s.append(indent).append("  serial:  ").append(serial(c)).append('\n');
        }
        return s.toString();
    }

    private static String validityNote(X509Certificate c, Instant now) {
        if (now.isAfter(c.getNotAfter().toInstant())) return " (EXPIRED)";
        if (now.isBefore(c.getNotBefore().toInstant())) return " (NOT YET VALID)";
        return "";
    }

    /** "CRL number 3, 2 revoked, next update 2026-12-27 10:00:00 UTC" for each CRL. */
    public static String crls(List<X509CRL> crls) {
        List<String> parts = new ArrayList<>();
        for (X509CRL crl : crls) {
            BigInteger number = crlNumber(crl);
            int revoked = crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size();
            parts.add((number == null ? "" : "CRL number " + number + ", ") + revoked + " revoked, next update "
                    + (crl.getNextUpdate() == null ? "none" : utc(crl.getNextUpdate().toInstant())));
        }
        return String.join("; ", parts);
    }

    /** The CRL number extension (RFC 5280 5.2.3), or null. */
    public static BigInteger crlNumber(X509CRL crl) {
        byte[] v = crl.getExtensionValue(Extension.cRLNumber.getId());
        return v == null ? null : ASN1Integer.getInstance(ASN1OctetString.getInstance(v).getOctets()).getValue();
    }

    /**
     * A serial number as every output of this project shows it: lower-case hex without colons, as
     * the logs print it and as grep finds it (openssl x509 -serial prints the same digits).
     */
    public static String serial(X509Certificate c) {
        return c.getSerialNumber().toString(16);
    }

    public static String fingerprint(X509Certificate c) {
        try {
            return hex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(bytes);
    }

    public static String utc(Instant t) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(java.time.ZoneOffset.UTC).format(t);
    }

    static String extensionName(ASN1ObjectIdentifier oid) {
        if (oid.equals(Extension.basicConstraints)) return "Basic constraints";
        if (oid.equals(Extension.keyUsage)) return "Key usage";
        if (oid.equals(Extension.extendedKeyUsage)) return "Extended key usage";
        if (oid.equals(Extension.subjectAlternativeName)) return "Subject alt names";
        if (oid.equals(Extension.subjectKeyIdentifier)) return "Subject key id";
        if (oid.equals(Extension.authorityKeyIdentifier)) return "Authority key id";
        if (oid.equals(Extension.nameConstraints)) return "Name constraints";
        return "Extension " + oid.getId();
    }

    /** An extension's value in words; one that does not parse is said to be damaged, not thrown. */
    static String extensionValue(Extension e) {
        try {
            return parsedValue(e);
        } catch (RuntimeException damaged) {
            return "(damaged: its value is not valid DER for this extension)";
        }
    }

    private static String parsedValue(Extension e) {
        ASN1Encodable v = e.getParsedValue();
        var oid = e.getExtnId();
        if (oid.equals(Extension.basicConstraints)) {
            BasicConstraints bc = BasicConstraints.getInstance(v);
            return bc.isCA() ? "CA:TRUE" + (bc.getPathLenConstraint() != null ? ", pathlen:" + bc.getPathLenConstraint() : "") : "CA:FALSE";
        }
        if (oid.equals(Extension.keyUsage)) return keyUsageNames(KeyUsage.getInstance(v));
        if (oid.equals(Extension.extendedKeyUsage)) {
            StringJoiner j = new StringJoiner(", ");
            for (KeyPurposeId p : ExtendedKeyUsage.getInstance(v).getUsages())
                j.add(p.equals(KeyPurposeId.id_kp_serverAuth) ? "serverAuth" : p.equals(KeyPurposeId.id_kp_clientAuth) ? "clientAuth" : p.getId());
            return j.toString();
        }
        if (oid.equals(Extension.subjectAlternativeName)) return Names.sans(GeneralNames.getInstance(v));
        if (oid.equals(Extension.subjectKeyIdentifier)) return hex(SubjectKeyIdentifier.getInstance(v).getKeyIdentifier());
        if (oid.equals(Extension.authorityKeyIdentifier)) {
            byte[] id = AuthorityKeyIdentifier.getInstance(v).getKeyIdentifierOctets();
            return id == null ? "(no key id)" : hex(id);
        }
        if (oid.equals(Extension.nameConstraints)) return Names.nameConstraints(NameConstraints.getInstance(v));
        return "(present)";
    }

    static String keyUsageNames(KeyUsage ku) {
        String[] names = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
        int[] bits = {KeyUsage.digitalSignature, KeyUsage.nonRepudiation, KeyUsage.keyEncipherment,
                KeyUsage.dataEncipherment, KeyUsage.keyAgreement, KeyUsage.keyCertSign, KeyUsage.cRLSign,
                KeyUsage.encipherOnly, KeyUsage.decipherOnly};
        StringJoiner j = new StringJoiner(", ");
        for (int i = 0; i < bits.length; i++) if (ku.hasUsages(bits[i])) j.add(names[i]);
        return j.toString();
    }
}
