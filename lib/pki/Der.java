// Der.java: a walk over DER bytes that bounds how deeply they nest, before any library parses them,
// and the check that an extension's value is the DER its kind requires, with words for what is not.
// The JDK's and Bouncy Castle's ASN.1 readers recurse once per level, so a file of a few kilobytes
// that nests 10,000 levels deep overflows their stack. Real certificates nest about 12 levels.

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;

public final class Der {
    private Der() {}

    /** Deeper than this is not a certificate, CSR, key or CRL. */
    static final int MAX_DEPTH = 40;

    /** Refuses bytes that nest too deeply, counting DER wrapped inside OCTET and BIT STRINGs (extension values). */
    public static void checkNesting(byte[] der) {
        String problem = problem(der, 0, der.length, 0);
        if (problem != null) throw Failure.of("the DER data %s", problem);
    }

    /**
     * Null when the bytes are exactly one well-formed DER element (an extension's value must be),
     * else what is wrong and at which byte: "is truncated at byte 12", "has 1 byte after its value".
     */
    public static String single(byte[] der) {
        if (der.length == 0) return "is empty";
        String p = problem(der, 0, der.length, 0);
        if (p != null) return p;
        int pos = 1;
        if ((der[0] & 0x1f) == 0x1f) while ((der[pos] & 0x80) != 0) pos++;
        if ((der[0] & 0x1f) == 0x1f) pos++;
        int first = der[pos++] & 0xff;
        long length = first;
        if (first > 0x80) {
            length = 0;
            for (int i = 0; i < (first & 0x7f); i++) length = (length << 8) | (der[pos++] & 0xff);
        }
        long end = pos + length;
        return end == der.length ? null : "has " + (der.length - end) + " more byte" + (der.length - end == 1 ? "" : "s")
                + " after its value, from byte " + end;
    }

    /** The same for a certificate that reached us already parsed (from a peer, a keystore): what, then why. */
    public static void checkNesting(java.security.cert.X509Certificate c, String what) {
        byte[] der;
        try {
            der = c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw Failure.of(e, "%s cannot be encoded: %s", what, Text.of(e));
        }
        String problem = problem(der, 0, der.length, 0);
        if (problem != null) throw Failure.of("%s: its DER data %s", what, problem);
    }

    /**
     * Null when der[from, to) is a well-formed series of DER elements nesting at most MAX_DEPTH
     * levels, else what is wrong and at which byte. Iterative across siblings, recursive only per level.
     */
    static String problem(byte[] der, int from, int to, int depth) {
        if (depth > MAX_DEPTH) return "nests more than " + MAX_DEPTH + " levels deep at byte " + from;
        int pos = from;
        while (pos < to) {
            int start = pos;
            int tag = der[pos++] & 0xff;
            if ((tag & 0x1f) == 0x1f) { // high tag number form: base-128 digits
                int n = 0;
                while (pos < to && (der[pos] & 0x80) != 0 && n++ < 4) pos++;
                if (pos >= to) return "is truncated at byte " + start;
                pos++;
            }
            if (pos >= to) return "is truncated at byte " + start;
            int first = der[pos++] & 0xff;
            long length;
            if (first < 0x80) length = first;
            else if (first == 0x80) return "uses an indefinite length (BER, not DER) at byte " + start;
            else {
                int count = first & 0x7f;
                if (count > 4 || pos + count > to) return "has a length that does not fit at byte " + start;
                length = 0;
                for (int i = 0; i < count; i++) length = (length << 8) | (der[pos++] & 0xff);
            }
            if (length > to - pos) return "has an element longer than its container at byte " + start;
            int end = pos + (int) length;
            if ((tag & 0x20) != 0) {
                String inner = problem(der, pos, end, depth + 1);
                if (inner != null) return inner;
            } else if (tag == 0x04 || tag == 0x03) {
                // An extension value is DER inside an OCTET STRING; a BIT STRING starts with its unused-bits
                // byte. Only the depth counts in there: the string may hold bytes that merely look like DER.
                int content = tag == 0x03 ? Math.min(pos + 1, end) : pos;
                if (looksConstructed(der, content, end)) {
                    String inner = problem(der, content, end, depth + 1);
                    if (inner != null && inner.startsWith("nests")) return inner;
                }
            }
            pos = end;
        }
        return null;
    }

    /**
     * Null, or where the data nests more than MAX_DEPTH levels deep. Only the depth counts here: BER's
     * indefinite lengths are followed (PKCS#12 files use them), and at anything malformed the walk
     * stops quietly, leaving the words to the parser that reads the data next.
     */
    public static String tooDeep(byte[] data) {
        try {
            skim(data, 0, data.length, 0, false);
            return null;
        } catch (Deep d) {
            return "nests more than " + MAX_DEPTH + " levels deep at byte " + d.at;
        }
    }

    private static final class Deep extends RuntimeException {
        final int at;

        Deep(int at) {
            super(null, null, false, false); // a signal, not an error: no stack trace to fill in
            this.at = at;
        }
    }

    /**
     * Walks the elements in b[pos, to) (up to an end-of-contents when untilEoc) and returns where they
     * end, or -1 when they are malformed. Throws Deep past MAX_DEPTH, so it recurses at most that deep.
     */
    private static int skim(byte[] b, int pos, int to, int depth, boolean untilEoc) {
        while (pos < to) {
            if (untilEoc && b[pos] == 0 && pos + 1 < to && b[pos + 1] == 0) return pos + 2;
            int start = pos;
            int tag = b[pos++] & 0xff;
            if ((tag & 0x1f) == 0x1f) {
                int n = 0;
                while (pos < to && (b[pos] & 0x80) != 0 && n++ < 4) pos++;
                pos++;
            }
            if (pos >= to) return -1;
            int first = b[pos++] & 0xff;
            boolean constructed = (tag & 0x20) != 0;
            if (first == 0x80) {
                if (!constructed) return -1;
                if (depth + 1 > MAX_DEPTH) throw new Deep(start);
                pos = skim(b, pos, to, depth + 1, true);
                if (pos < 0) return -1;
                continue;
            }
            long length = first;
            if (first > 0x80) {
                int count = first & 0x7f;
                if (count > 4 || pos + count > to) return -1;
                length = 0;
                for (int i = 0; i < count; i++) length = (length << 8) | (b[pos++] & 0xff);
            }
            if (length > to - pos) return -1;
            int end = pos + (int) length;
            if (constructed) {
                if (depth + 1 > MAX_DEPTH) throw new Deep(start);
                if (skim(b, pos, end, depth + 1, false) < 0) return -1;
            } else if (tag == 0x04 || tag == 0x03) { // DER inside an OCTET or BIT STRING: an extension's value
                int content = tag == 0x03 ? Math.min(pos + 1, end) : pos;
                // Any constructed tag: a parser that shows the value reads [0] or a constructed string too.
                boolean inner = content < end && (b[content] & 0x20) != 0;
                if (inner && depth + 1 <= MAX_DEPTH) skim(b, content, end, depth + 1, false);
                else if (inner) throw new Deep(content);
            }
            pos = end;
        }
        return untilEoc ? -1 : pos;
    }

    /** Whether bytes could be DER of their own: they start with a SEQUENCE or SET tag. */
    private static boolean looksConstructed(byte[] der, int from, int to) {
        return from < to && ((der[from] & 0xff) == 0x30 || (der[from] & 0xff) == 0x31);
    }

    /**
     * Null when an extension's value is the DER its kind requires (RFC 5280 4.2), else what is wrong
     * and where, in words: "subjectAltName is not valid DER: it is truncated at byte 12". Every
     * reader of a CSR's or certificate's extensions asks this first, so that a damaged one gets
     * words and not a parser's exception.
     */
    public static String extensionProblem(Extension e) {
        String name = extensionName(e.getExtnId());
        byte[] v = e.getExtnValue().getOctets();
        String der = single(v);
        if (der != null) return name + " is not valid DER: it " + der;
        ASN1ObjectIdentifier oid = e.getExtnId();
        try {
            if (oid.equals(Extension.subjectAlternativeName) || oid.equals(Extension.issuerAlternativeName)) {
                GeneralNames.getInstance(v).getNames(); // an empty one is well-formed: each reader says whether it may be empty
            } else if (oid.equals(Extension.keyUsage)) KeyUsage.getInstance(v);
            else if (oid.equals(Extension.basicConstraints)) BasicConstraints.getInstance(v);
            else if (oid.equals(Extension.extendedKeyUsage)) {
                if (ExtendedKeyUsage.getInstance(v).getUsages().length == 0) return name + " lists no purpose (RFC 5280 4.2.1.12: at least one)";
            } else if (oid.equals(Extension.subjectKeyIdentifier)) ASN1OctetString.getInstance(v);
            else if (oid.equals(Extension.authorityKeyIdentifier)) AuthorityKeyIdentifier.getInstance(v);
            else if (oid.equals(Extension.nameConstraints)) NameConstraints.getInstance(v);
            else if (oid.equals(Extension.cRLDistributionPoints)) CRLDistPoint.getInstance(v);
            else if (oid.equals(Extension.authorityInfoAccess)) AuthorityInformationAccess.getInstance(v);
            else if (oid.equals(Extension.certificatePolicies)) CertificatePolicies.getInstance(v);
        } catch (RuntimeException ex) {
            return name + " is not a valid " + name + " (" + plain(ex) + ")";
        }
        return null;
    }

    /**
     * Null when Bouncy Castle reads the certificate as the JDK did (the JDK is lenient where BC is
     * strict: an unknown tag, a repeated extension, a malformed integer), else what is wrong in
     * words. Every reader of a certificate file asks this, so that no parser's exception reaches a
     * user. Extension values are each reader's to check (extensionProblem).
     */
    public static String certificateProblem(java.security.cert.X509Certificate c) {
        org.bouncycastle.cert.X509CertificateHolder h;
        try {
            h = new org.bouncycastle.cert.X509CertificateHolder(c.getEncoded());
        } catch (Exception e) {
            return "its structure is not what RFC 5280 4.1 gives a certificate: " + plain(e);
        }
        try {
            Names.dn(h.getSubject());
            Names.dn(h.getIssuer());
        } catch (RuntimeException e) {
            return "its names cannot be read: " + plain(e);
        }
        return null;
    }

    /**
     * Null when a CSR's parts can all be read (RFC 2986: its subject, key, signature algorithm and
     * attributes, with the extensions it requests), else what is wrong in words. Parsing is lazy in
     * Bouncy Castle, so without this a damaged part fails later, as its exception.
     */
    public static String csrProblem(org.bouncycastle.pkcs.PKCS10CertificationRequest r) {
        String part = "its structure";
        try {
            part = "its subject";
            Names.dn(r.getSubject());
            part = "its public key";
            r.getSubjectPublicKeyInfo().getAlgorithm().getAlgorithm();
            part = "its signature algorithm";
            r.getSignatureAlgorithm().getAlgorithm();
            part = "its attributes";
            for (var a : r.getAttributes()) {
                a.getAttrType();
                if (!a.getAttrType().equals(org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) continue;
                part = "the extensions it requests";
                for (var v : a.getAttrValues()) {
                    var exts = org.bouncycastle.asn1.x509.Extensions.getInstance(v);
                    for (var oid : exts.getExtensionOIDs()) exts.getExtension(oid).getExtnValue();
                }
            }
            return null;
        } catch (RuntimeException e) {
            return part + " cannot be read: " + plain(e);
        }
    }

    /**
     * A parser's exception as plain words: what kind of damage it found, never its class names or
     * its own jargon ("unknown object in getInstance: DLTaggedObject").
     */
    public static String plain(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null && all.length() < 2000; t = t.getCause()) all.append(' ').append(t.getMessage());
        String m = all.toString().toLowerCase(java.util.Locale.ROOT);
        if (m.contains("utf-8") || m.contains("utf8")) return "a text in it is not valid UTF-8";
        if (m.contains("repeated extension")) return "it holds the same extension twice (RFC 5280 4.2)";
        if (m.contains("truncated") || m.contains("eof") || m.contains("out of bounds") || m.contains("length") || m.contains("corrupted"))
            return "it is truncated, or a length in it is wrong";
        if (m.contains("malformed integer")) return "a number in it is not encoded as DER requires";
        if (m.contains("sequence size") || m.contains("bad sequence")) return "a part of it has the wrong number of fields";
        if (m.contains("tag") || m.contains("getinstance") || m.contains("object") || m.contains("expected"))
            return "a part of it has the wrong type";
        return "it is not valid DER";
    }

    public static String extensionName(ASN1ObjectIdentifier oid) {
        if (oid.equals(Extension.subjectAlternativeName)) return "subjectAltName";
        if (oid.equals(Extension.basicConstraints)) return "basicConstraints";
        if (oid.equals(Extension.keyUsage)) return "keyUsage";
        if (oid.equals(Extension.extendedKeyUsage)) return "extendedKeyUsage";
        if (oid.equals(Extension.subjectKeyIdentifier)) return "subjectKeyIdentifier";
        if (oid.equals(Extension.authorityKeyIdentifier)) return "authorityKeyIdentifier";
        if (oid.equals(Extension.issuerAlternativeName)) return "issuerAltName";
        if (oid.equals(Extension.nameConstraints)) return "nameConstraints";
        if (oid.equals(Extension.cRLDistributionPoints)) return "cRLDistributionPoints";
        if (oid.equals(Extension.authorityInfoAccess)) return "authorityInfoAccess";
        if (oid.equals(Extension.certificatePolicies)) return "certificatePolicies";
        return "the extension " + oid.getId();
    }
}
