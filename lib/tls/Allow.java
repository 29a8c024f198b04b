// Allow.java: who may call a service, by the names in their client certificate (a service's allow-list).
// A pattern is a SAN of one type (DNS:, URI:, IP:, EMAIL:) or the subject's CN (CN=), in the
// notation openssl prints; * matches any run of characters. DNS names, e-mail addresses and CNs
// compare without regard to case (RFC 4343, RFC 5280); URIs such as SPIFFE IDs compare exactly;
// IP addresses compare as addresses.

import java.io.IOException;
import java.net.InetAddress;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.util.IPAddress;

public record Allow(String type, String pattern) {
    static final List<String> TYPES = List.of("DNS:", "URI:", "IP:", "EMAIL:", "CN=");

    /** DNS:NAME, URI:URI, IP:ADDR, EMAIL:ADDR or CN=NAME. */
    public static Allow parse(String spec) {
        String shown = Text.escape(spec);
        // A name in a certificate holds no control character that we would match: such a pattern is a typo or an attack.
        if (!Text.escape(spec).equals(spec)) throw Failure.of("'%s' holds control characters; a pattern is printable text", shown);
        for (String t : TYPES) {
            if (!spec.regionMatches(true, 0, t, 0, t.length())) continue;
            String p = spec.substring(t.length()).trim();
            if (p.isEmpty()) throw Failure.of("'%s' has nothing after %s", shown, t);
            if (t.equals("IP:") && !IPAddress.isValid(p)) throw Failure.of("'%s': IP: takes one address, such as IP:127.0.0.1 (no *)", shown);
            return new Allow(t, p);
        }
        throw Failure.of("'%s' does not say which name to match: write DNS:NAME, URI:URI, IP:ADDR, EMAIL:ADDR or CN=NAME "
                + "(* matches any characters), e.g. DNS:service-a.example.com", shown);
    }

    /** Whether one of the certificate's names (as names() gives them) matches. */
    public boolean matches(List<String> names) {
        for (String n : names) {
            if (!n.startsWith(type)) continue;
            String value = n.substring(type.length());
            if (type.equals("IP:")) {
                try { // both are literals: no name lookup happens
                    if (InetAddress.getByName(pattern).equals(InetAddress.getByName(value))) return true;
                } catch (IOException e) {
                    // not an address: no match
                }
                continue;
            }
            String regex = Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
            int flags = type.equals("URI:") ? 0 : Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
            if (Pattern.compile(regex, flags).matcher(value).matches()) return true;
        }
        return false;
    }

    @Override public String toString() { return type + pattern; }

    /** "DNS:a or URI:b": how a list reads in a message. */
    public static String list(List<Allow> allow) {
        return allow.stream().map(Allow::toString).collect(Collectors.joining(" or "));
    }

    /** The names a certificate shows, in the patterns' notation: DNS:..., URI:..., IP:..., EMAIL:... and CN=... */
    public static List<String> names(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            var sans = cert.getSubjectAlternativeNames();
            for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
                String prefix = switch ((Integer) san.get(0)) {
                    case 1 -> "EMAIL:";
                    case 2 -> "DNS:";
                    case 6 -> "URI:";
                    case 7 -> "IP:";
                    default -> null;
                };
                if (prefix != null) names.add(prefix + san.get(1));
            }
        } catch (CertificateParsingException e) {
            // an unreadable SAN matches nothing
        }
        for (RDN rdn : Certs.holder(cert).getSubject().getRDNs(BCStyle.CN))
            names.add("CN=" + Names.cn(new X500Name(new RDN[] {rdn})));
        return names;
    }
}
