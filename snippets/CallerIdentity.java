//JAVA 17+
// snippet CallerIdentity: who called, in a handler of the server above. JDK only.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.security.auth.x500.X500Principal;

public class CallerIdentity {
    /** The caller's certificate, already verified by the handshake; null when it sent none (client auth "want"). */
    public static X509Certificate clientCertificate(HttpExchange exchange) {
        try {
            return (X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0];
        } catch (SSLPeerUnverifiedException noCertificate) {
            return null;
        }
    }

    /** The caller's DNS and IP SANs: the names to authorize on, rather than the CN. */
    public static List<String> names(X509Certificate cert) throws CertificateParsingException {
        List<String> names = new ArrayList<>();
        if (cert.getSubjectAlternativeNames() != null)
            for (List<?> san : cert.getSubjectAlternativeNames()) // [type, value]: 2 is DNS, 7 is IP
                if (san.get(0).equals(2) || san.get(0).equals(7)) names.add((String) san.get(1));
        return names;
    }

    /**
     * The subject as openssl prints it: in the order it is encoded, with emailAddress by name, e.g.
     * "C=KR, O=DDIM, emailAddress=a@example.com, CN=service-a.example.com". getName() alone gives
     * RFC 2253: the parts reversed, and the email address as 1.2.840.113549.1.9.1=#16... (hex).
     */
    public static String subject(X509Certificate cert) {
        String rfc2253 = cert.getSubjectX500Principal().getName(X500Principal.RFC2253, Map.of("1.2.840.113549.1.9.1", "emailAddress"));
        try {
            return new LdapName(rfc2253).getRdns().stream().map(Rdn::toString).collect(Collectors.joining(", ")); // first encoded first
        } catch (InvalidNameException e) {
            return rfc2253; // the JDK's own output always parses
        }
    }

    /** A handler that answers with who called: server.createContext("/whoami", CallerIdentity::whoami). */
    public static void whoami(HttpExchange exchange) throws IOException {
        X509Certificate cert = clientCertificate(exchange);
        String body;
        try {
            body = cert == null ? "No client certificate.\n"
                    : "subject: " + subject(cert) + "\nnames: " + names(cert) + "\n";
        } catch (CertificateParsingException e) {
            throw new IOException(e);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
