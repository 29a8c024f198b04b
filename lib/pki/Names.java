// Names.java: the names in a certificate. Subjects (built from the tutorial's fields, or parsed from
// openssl's -subj form), the names a certificate is for (DNS, IP, email, URI SANs), name constraints,
// and one way to print each: dn() for every distinguished name any script prints, sans() for SANs.
// Everything printed passes through Text.escape, so a hostile name cannot drive a terminal.

import java.io.IOException;
import java.net.IDN;
import java.net.InetAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.util.IPAddress;

public final class Names {
    private Names() {}

    // ---------------------------------------------------------------- printing names

    /**
     * The attribute names OpenSSL prints (its short names), so a subject reads the same here as in
     * `openssl x509 -subject`, the tool the tutorial uses. An attribute not listed shows as its OID.
     */
    private static final Map<ASN1ObjectIdentifier, String> SHORT = new LinkedHashMap<>();
    static {
        SHORT.put(BCStyle.C, "C");
        SHORT.put(BCStyle.ST, "ST");
        SHORT.put(BCStyle.L, "L");
        SHORT.put(BCStyle.O, "O");
        SHORT.put(BCStyle.OU, "OU");
        SHORT.put(BCStyle.CN, "CN");
        SHORT.put(BCStyle.EmailAddress, "emailAddress");
        SHORT.put(BCStyle.SERIALNUMBER, "serialNumber");
        SHORT.put(BCStyle.DC, "DC");
        SHORT.put(BCStyle.UID, "UID");
        SHORT.put(BCStyle.STREET, "street");
        SHORT.put(BCStyle.T, "title");
        SHORT.put(BCStyle.GIVENNAME, "GN");
        SHORT.put(BCStyle.SURNAME, "SN");
        SHORT.put(BCStyle.INITIALS, "initials");
        SHORT.put(BCStyle.GENERATION, "generationQualifier");
        SHORT.put(BCStyle.DN_QUALIFIER, "dnQualifier");
        SHORT.put(BCStyle.PSEUDONYM, "pseudonym");
        SHORT.put(BCStyle.NAME, "name");
        SHORT.put(BCStyle.DESCRIPTION, "description");
        SHORT.put(BCStyle.BUSINESS_CATEGORY, "businessCategory");
        SHORT.put(BCStyle.POSTAL_CODE, "postalCode");
        SHORT.put(BCStyle.JURISDICTION_C, "jurisdictionC");
        SHORT.put(BCStyle.JURISDICTION_ST, "jurisdictionST");
        SHORT.put(BCStyle.JURISDICTION_L, "jurisdictionL");
        SHORT.put(BCStyle.ORGANIZATION_IDENTIFIER, "organizationIdentifier");
        SHORT.put(BCStyle.UnstructuredName, "unstructuredName");
    }

    /**
     * A distinguished name as people read it: "C=KR, ST=Seoul, O=DDIM, OU=Engineer,
     * emailAddress=example@example.com, CN=example root". Every script prints names through this one
     * function (the others below call it), so a name reads the same in a summary, a log line, an error
     * and /whoami.
     *
     * Why this form: it is the order in which the name is encoded and in which `openssl x509 -subject`
     * (and the tutorial's `openssl req`) show it, with OpenSSL's attribute names, so it can be compared
     * with openssl's output by eye: for printable text it is exactly what `openssl x509 -noout
     * -subject -nameopt oneline,-space_eq,-esc_msb,utf8` prints after "subject=". RFC 2253
     * (X500Principal.getName()) reverses the order and shows emailAddress as an OID with hex;
     * X500Principal.toString() reverses it too. A multi-valued RDN joins its parts with " + ", as
     * OpenSSL does. A value is shown as text (any script: O=디디아이엠), in double quotes when it holds
     * a separator (see quoted()), so the parts stay unambiguous; control characters are escaped by
     * Text.escape, so a hostile name cannot drive a terminal.
     */
    public static String dn(X500Name name) {
        StringJoiner all = new StringJoiner(", ");
        for (RDN rdn : name.getRDNs()) {
            StringJoiner parts = new StringJoiner(" + ");
            for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) parts.add(attribute(atv.getType()) + "=" + quoted(value(atv.getValue())));
            all.add(parts.toString());
        }
        return Text.escape(all.toString());
    }

    public static String dn(X500Principal p) {
        return dn(X500Name.getInstance(p.getEncoded()));
    }

    public static String subject(X509Certificate c) {
        return dn(c.getSubjectX500Principal());
    }

    public static String issuer(X509Certificate c) {
        return dn(c.getIssuerX500Principal());
    }

    private static String attribute(ASN1ObjectIdentifier oid) {
        String s = SHORT.get(oid);
        return s != null ? s : oid.getId();
    }

    /**
     * A value in double quotes (with \" and \\ inside) when it holds a character RFC 4514 escapes
     * (, + ; " \ < >) or begins with # or a space or ends with one: what OpenSSL's oneline form does.
     */
    static String quoted(String v) {
        // The \xNN of a byte that is not UTF-8 (Text.bytes) is shown as it is, not quoted.
        String bare = v.replaceAll("\\\\x[0-9A-F]{2}", "");
        boolean plain = !v.isEmpty() && bare.chars().noneMatch(ch -> ",+;\"\\<>".indexOf(ch) >= 0)
                && !v.startsWith("#") && !v.startsWith(" ") && !v.endsWith(" ");
        return plain ? v : "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /**
     * The text of a value, whatever string type encodes it (UTF8String, PrintableString, IA5String for
     * emailAddress, BMPString, UniversalString as UTF-32). A value that is not a string (rare, and never
     * from our scripts) is shown for what it is: a number, an OID, or its size, never as hex.
     */
    static String value(ASN1Encodable v) {
        org.bouncycastle.asn1.ASN1Primitive p = v.toASN1Primitive();
        if (p instanceof org.bouncycastle.asn1.ASN1UniversalString u)
            return new String(u.getOctets(), java.nio.charset.Charset.forName("UTF-32BE"));
        // A UTF8String that is not UTF-8 (Bouncy Castle would throw): its bytes, the invalid ones escaped.
        if (p instanceof org.bouncycastle.asn1.ASN1UTF8String) {
            byte[] raw = contents(p);
            if (!Text.isUtf8(raw)) return Text.bytes(raw);
        }
        if (p instanceof org.bouncycastle.asn1.ASN1IA5String ia5) return Text.bytes(ia5.getOctets());
        if (p instanceof ASN1String s) return s.getString();
        if (p instanceof org.bouncycastle.asn1.ASN1Integer i) return i.getValue().toString();
        if (p instanceof ASN1ObjectIdentifier o) return o.getId();
        if (p instanceof org.bouncycastle.asn1.ASN1Boolean b) return b.isTrue() ? "TRUE" : "FALSE";
        try {
            return "(a value that is not text, " + p.getEncoded().length + " bytes)";
        } catch (IOException e) {
            return "(a value that is not text)";
        }
    }

    /** The contents of a primitive's DER encoding: the bytes after its tag and length. */
    static byte[] contents(org.bouncycastle.asn1.ASN1Primitive p) {
        try {
            byte[] tlv = p.getEncoded();
            int at = (tlv[1] & 0x80) == 0 ? 2 : 2 + (tlv[1] & 0x7f);
            return Arrays.copyOfRange(tlv, at, tlv.length);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /**
     * The text of a SAN that is an IA5String (a DNS name, an e-mail address, a URI) as its bytes say:
     * ASCII as it is, bytes past it as UTF-8 where they are valid, else escaped (Text.bytes).
     */
    public static String ia5Text(GeneralName n) {
        var v = n.getName().toASN1Primitive();
        return v instanceof org.bouncycastle.asn1.ASN1IA5String ia5 ? Text.bytes(ia5.getOctets()) : Text.escape(v.toString());
    }

    /** Whether an IA5String SAN holds only printable ASCII (RFC 5280 4.2.1.6: IA5String, no spaces in names). */
    public static boolean printableAscii(GeneralName n) {
        var v = n.getName().toASN1Primitive();
        if (!(v instanceof org.bouncycastle.asn1.ASN1IA5String ia5)) return false;
        byte[] b = ia5.getOctets();
        if (b.length == 0) return false;
        for (byte x : b) if (x < 0x21 || x > 0x7e) return false;
        return true;
    }

    /** The first CN of a name, or null. */
    public static String cn(X500Name n) {
        RDN[] rdns = n.getRDNs(BCStyle.CN);
        return rdns.length == 0 ? null : value(rdns[0].getFirst().getValue());
    }

    public static String cn(X509Certificate c) {
        return cn(X500Name.getInstance(c.getSubjectX500Principal().getEncoded()));
    }

    /** The CN, or the whole name when it has none: how a certificate is named in a list. */
    public static String shortName(X509Certificate c) {
        String cn = cn(c);
        if (cn != null) return Text.escape(cn);
        String all = subject(c);
        return all.isEmpty() ? "(empty subject)" : all;
    }

    /** SANs as openssl prints them: DNS:a, IP Address:1.2.3.4, email:x@y, URI:spiffe://... */
    public static String sans(GeneralNames names) {
        StringJoiner j = new StringJoiner(", ");
        for (GeneralName n : names.getNames()) j.add(san(n));
        return j.toString();
    }

    /** One SAN in that notation. */
    public static String san(GeneralName n) {
        switch (n.getTagNo()) {
            case GeneralName.dNSName: return "DNS:" + ia5Text(n);
            case GeneralName.rfc822Name: return "email:" + ia5Text(n);
            case GeneralName.uniformResourceIdentifier: return "URI:" + ia5Text(n);
            case GeneralName.iPAddress: return "IP Address:" + ipText(n);
            case GeneralName.directoryName: return "DirName:" + dn(X500Name.getInstance(n.getName()));
            default: return "othername:" + n.getTagNo();
        }
    }

    /** The SANs of a certificate, or "(none)". */
    public static String sans(X509Certificate c) {
        var ext = Certs.holder(c).getExtensions();
        GeneralNames names = ext == null ? null : GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
        return names == null ? "(none)" : sans(names);
    }

    /** An IP SAN as text; one that is not 4 or 16 bytes long (a damaged one) as hex, marked. */
    public static String ipText(GeneralName n) {
        byte[] raw = ASN1OctetString.getInstance(n.getName()).getOctets();
        if (raw.length != 4 && raw.length != 16) return "(invalid: " + raw.length + " bytes " + HexFormat.of().formatHex(raw) + ")";
        try {
            return InetAddress.getByAddress(raw).getHostAddress();
        } catch (IOException e) {
            return HexFormat.of().formatHex(raw);
        }
    }

    /** Name constraints as openssl prints them: permitted DNS:.example.com, IP:10.0.0.0/8. */
    public static String nameConstraints(NameConstraints nc) {
        StringJoiner j = new StringJoiner("; ");
        if (nc.getPermittedSubtrees() != null) j.add("permitted " + subtrees(nc.getPermittedSubtrees()));
        if (nc.getExcludedSubtrees() != null) j.add("excluded " + subtrees(nc.getExcludedSubtrees()));
        return j.toString();
    }

    private static String subtrees(GeneralSubtree[] trees) {
        StringJoiner j = new StringJoiner(", ");
        for (GeneralSubtree t : trees) {
            GeneralName n = t.getBase();
            if (n.getTagNo() != GeneralName.iPAddress) j.add(san(n));
            else j.add("IP:" + ipRange(ASN1OctetString.getInstance(n.getName()).getOctets()));
        }
        return j.toString();
    }

    /** An IP name constraint (address and mask, RFC 5280 4.2.1.10) as 10.0.0.0/8. */
    static String ipRange(byte[] addressAndMask) {
        int half = addressAndMask.length / 2;
        int prefix = 0;
        for (int i = half; i < addressAndMask.length; i++) prefix += Integer.bitCount(addressAndMask[i] & 0xff);
        try {
            return InetAddress.getByAddress(Arrays.copyOf(addressAndMask, half)).getHostAddress() + "/" + prefix;
        } catch (IOException e) {
            return HexFormat.of().formatHex(addressAndMask);
        }
    }

    // ---------------------------------------------------------------- building subjects

    /**
     * The tutorial's subject fields (its section 1.2), each null when not given. build() puts them in
     * the tutorial's order: C, ST, L, O, OU, emailAddress, CN.
     */
    public record Fields(String country, String state, String locality, String org, String orgUnit, String email, String cn) {
        public X500Name build() {
            X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
            add(b, BCStyle.C, country);
            add(b, BCStyle.ST, state);
            add(b, BCStyle.L, locality);
            add(b, BCStyle.O, org);
            add(b, BCStyle.OU, orgUnit);
            add(b, BCStyle.EmailAddress, email);
            add(b, BCStyle.CN, cn);
            return b.build();
        }

        private static void add(X500NameBuilder b, ASN1ObjectIdentifier oid, String value) {
            if (value == null) return;
            checkAttribute(oid, value);
            b.addRDN(oid, literal(value));
        }
    }

    /** openssl's /A=x/B=y form (\/ for a slash in a value) or RFC 4514's A=x,B=y form. */
    public static X500Name parseSubject(String dn) {
        String s = dn.trim();
        if (s.isEmpty()) throw Failure.of("is empty");
        try {
            if (!s.startsWith("/")) {
                X500Name name = new X500Name(BCStyle.INSTANCE, s);
                for (RDN rdn : name.getRDNs())
                    checkAttribute(rdn.getFirst().getType(), value(rdn.getFirst().getValue()));
                return name;
            }
            X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
            for (String part : s.substring(1).split("(?<!\\\\)/")) {
                if (part.isEmpty()) continue;
                int eq = part.indexOf('=');
                if (eq <= 0) throw Failure.of("part '%s' is not of the form NAME=value", Text.escape(part));
                ASN1ObjectIdentifier oid = BCStyle.INSTANCE.attrNameToOID(part.substring(0, eq).trim());
                String value = part.substring(eq + 1).replace("\\/", "/");
                checkAttribute(oid, value);
                b.addRDN(oid, literal(value));
            }
            return b.build();
        } catch (Failure f) {
            throw Failure.of(f, "%s: %s", Text.escape(dn), f.getMessage());
        } catch (RuntimeException e) { // BC throws IllegalArgument- and IllegalStateExceptions (CN=#zz)
            throw Failure.of(e, "'%s' is not a valid subject: %s", Text.escape(dn), Text.of(e));
        }
    }

    /**
     * A value for X500NameBuilder.addRDN taken as typed. Bouncy Castle reads a value that starts with
     * '#' as hex-encoded DER (RFC 4514), so the email "#ops@example.com" as a CN would fail; openssl's
     * -subj and our flags mean the text itself. A leading backslash is BC's escape for that.
     */
    public static String literal(String value) {
        return value.startsWith("#") || value.startsWith("\\") ? "\\" + value : value;
    }

    /**
     * One attribute value, refused when it would make a certificate that strict parsers reject or
     * that garbles terminals: empty, control characters, half a surrogate pair, or past X.520's
     * upper bounds (a country code is two letters).
     */
    public static void checkAttribute(ASN1ObjectIdentifier oid, String value) {
        String label = attribute(oid);
        if (value.isBlank()) throw Failure.of("must not be empty (%s)", label);
        if (value.chars().anyMatch(Character::isISOControl))
            throw Failure.of("'%s' contains a control character", Text.escape(value));
        if (value.codePoints().anyMatch(c -> Character.getType(c) == Character.SURROGATE))
            throw Failure.of("contains half of a UTF-16 surrogate pair, which is not a character");
        int max = oid.equals(BCStyle.C) ? 2 : oid.equals(BCStyle.EmailAddress) ? 255 : 64;
        if (oid.equals(BCStyle.C) && !value.matches("[A-Za-z]{2}"))
            throw Failure.of("'%s' is not a two-letter country code such as KR", value);
        if (value.length() > max)
            throw Failure.of("'%s' is longer than the %d characters X.509 allows for %s", value, max, label);
    }

    public static boolean hasCn(X500Name n) {
        return n.getRDNs(BCStyle.CN).length > 0;
    }

    /** The name with its CN replaced by cn (or dropped when cn is null), the other parts kept in order. */
    public static X500Name withCn(X500Name in, String cn) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        for (RDN rdn : in.getRDNs())
            if (!rdn.getFirst().getType().equals(BCStyle.CN)) b.addMultiValuedRDN(rdn.getTypesAndValues());
        if (cn != null) b.addRDN(BCStyle.CN, literal(cn));
        return b.build();
    }

    // ---------------------------------------------------------------- the names a certificate is for

    /**
     * A name a certificate is for, as a SAN: a URI (it has a scheme, e.g. spiffe://trust.domain/svc),
     * an email (it has '@'), an IPv4/IPv6 address, or else a DNS name, checked by the rules of RFC 1123
     * (internationalised names are converted to their xn-- form).
     */
    public static GeneralName parse(String raw) {
        String s = raw.trim();
        String shown = Text.escape(raw);
        if (s.isEmpty()) throw Failure.of("an empty name is not a valid host name");
        if (s.matches("[A-Za-z][A-Za-z0-9+.-]*:.*") && !s.contains("@") && !IPAddress.isValidIPv6(s)) {
            try {
                URI u = new URI(s);
                if (u.getScheme() == null || s.contains(" ")) throw new IllegalArgumentException();
            } catch (Exception e) {
                throw Failure.of("'%s' is not a valid URI", shown);
            }
            // A SAN URI is an IA5String, ASCII only (RFC 5280 4.2.1.6); Java's URI accepts more.
            if (!s.matches("\\p{ASCII}+") || s.chars().anyMatch(Character::isISOControl))
                throw Failure.of("'%s' is not a valid URI: write non-ASCII characters %%-encoded", shown);
            return new GeneralName(GeneralName.uniformResourceIdentifier, s);
        }
        if (s.contains("@")) {
            int at = s.lastIndexOf('@');
            // The local part must be printable ASCII: rfc822Name is an IA5String (RFC 5280 4.2.1.6).
            if (at == 0 || !s.substring(0, at).matches("[!-~&&[^@]]+")) throw Failure.of("'%s' is not a valid email address", shown);
            return new GeneralName(GeneralName.rfc822Name, s.substring(0, at) + "@" + dnsName(s.substring(at + 1), shown));
        }
        if (IPAddress.isValidIPv4(s) || IPAddress.isValidIPv6(s)) return new GeneralName(GeneralName.iPAddress, s);
        if (s.matches("[0-9.]+") || s.contains(":")) throw Failure.of("'%s' is not a valid IP address", shown);
        return new GeneralName(GeneralName.dNSName, dnsName(s, shown));
    }

    private static String dnsName(String s, String shown) {
        // A wildcard is the whole leftmost label only, above at least two labels (no *.com).
        boolean wildcard = s.startsWith("*.");
        String rest = wildcard ? s.substring(2) : s;
        String ascii;
        try {
            ascii = IDN.toASCII(rest, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw Failure.of("'%s' is not a valid DNS name: %s", shown, Text.of(e));
        }
        if (wildcard && ascii.split("\\.").length < 2) throw Failure.of("'%s' is too broad a wildcard: use at least *.example.com", shown);
        if (ascii.length() > 253 || ascii.endsWith(".") || ascii.startsWith(".")) throw Failure.of("'%s' is not a valid DNS name", shown);
        for (String label : ascii.split("\\.", -1))
            if (!label.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"))
                throw Failure.of("'%s' is not a valid DNS name: label '%s' must be 1-63 letters, digits or inner hyphens", shown,
                        Text.escape(label));
        return wildcard ? "*." + ascii : ascii;
    }

    /**
     * A CN that tells this CA apart in a trust store list and in a server's list of accepted CAs
     * (iOS lists only roots with a CN): user, date and a random tag, since one user may make two a day.
     */
    public static String defaultCaName(String kind) {
        byte[] tag = new byte[3];
        new java.security.SecureRandom().nextBytes(tag);
        return "jbang-mtls " + kind + " (" + System.getProperty("user.name") + " " + java.time.LocalDate.now() + " "
                + java.util.HexFormat.of().formatHex(tag) + ")";
    }

    /** The CN for a certificate: its first SAN, when that fits the 64 characters X.520 allows; else null. */
    public static String commonName(GeneralName first) {
        String v = first.getTagNo() == GeneralName.iPAddress ? ipText(first) : first.getName().toString();
        return v.length() <= 64 ? v : null;
    }

    /** The file name for a certificate: service-a.example.com gives service-a; 127.0.0.1 stays; alice@example.com gives alice. */
    public static String fileName(GeneralName first) {
        String v;
        switch (first.getTagNo()) {
            case GeneralName.dNSName: {
                String[] labels = first.getName().toString().split("\\.");
                v = labels[0].equals("*") ? "wildcard." + labels[1] : labels[0];
                break;
            }
            case GeneralName.iPAddress: v = ipText(first).replace(':', '-'); break;
            case GeneralName.rfc822Name: v = first.getName().toString().split("@")[0]; break;
            default: {
                URI u = URI.create(first.getName().toString());
                v = u.getPath() != null && u.getPath().length() > 1 ? u.getPath().substring(u.getPath().lastIndexOf('/') + 1) : u.getHost();
            }
        }
        v = v == null ? "" : v.replaceAll("[^A-Za-z0-9._-]", "_");
        if (v.isEmpty() || v.equals("ca") || v.startsWith(".")) throw Failure.of("cannot derive a file name from %s", san(first));
        return v;
    }

    /** The file name issue.java gave a certificate (from its first SAN, see above), or NAME when none can be derived. */
    public static String fileName(X509Certificate c) {
        List<GeneralName> sans = sanList(c);
        try {
            return sans.isEmpty() ? "NAME" : fileName(sans.get(0));
        } catch (Failure f) {
            return "NAME";
        }
    }

    /** Whether a CN and a SAN name the same thing (the tutorial's CSRs carry the host as CN). */
    public static boolean sameName(String cn, GeneralName gn) {
        String c = commonName(gn);
        return c != null && cn.equalsIgnoreCase(c);
    }

    // ---------------------------------------------------------------- name constraints

    /** A permitted subtree from DNS:example.com (it and its subdomains), DNS:.example.com (subdomains only) or IP:10.0.0.0/8. */
    public static GeneralSubtree constraint(String spec) {
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? "" : spec.substring(0, colon).toUpperCase(Locale.ROOT);
        String value = spec.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
        String shown = Text.escape(spec);
        if (kind.equals("DNS")) {
            // RFC 5280 4.2.1.10: example.com also covers its subdomains; OpenSSL, Go and BC read
            // .example.com as the subdomains only.
            String label = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?";
            if (!value.matches("\\.?(" + label + "\\.)*" + label) || value.length() > 253)
                throw Failure.of("%s: '%s' is not a DNS name; write DNS:example.com or DNS:.example.com", shown, Text.escape(value));
            return new GeneralSubtree(new GeneralName(GeneralName.dNSName, value));
        }
        if (kind.equals("IP")) {
            String[] parts = value.split("/", -1);
            boolean v4 = parts.length == 2 && IPAddress.isValidIPv4(parts[0]), v6 = parts.length == 2 && IPAddress.isValidIPv6(parts[0]);
            if (!(v4 || v6) || !parts[1].matches("\\d{1,3}") || Integer.parseInt(parts[1]) > (v4 ? 32 : 128))
                throw Failure.of("%s: write an address range such as IP:10.0.0.0/8 or IP:fd00::/8", shown);
            return new GeneralSubtree(new GeneralName(GeneralName.iPAddress, value)); // address and mask, 8 or 32 bytes
        }
        throw Failure.of("%s: write DNS:example.com, DNS:.example.com or IP:10.0.0.0/8", shown);
    }

    /** The names of a certificate's SAN, as GeneralName objects (empty when it has none). */
    public static List<GeneralName> sanList(X509Certificate c) {
        var ext = Certs.holder(c).getExtensions();
        GeneralNames names = ext == null ? null : GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
        return names == null ? List.of() : new ArrayList<>(List.of(names.getNames()));
    }
}
