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
import javax.net.ssl.SSLPeerUnverifiedException;

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

    /** A handler that answers with who called: server.createContext("/whoami", CallerIdentity::whoami). */
    public static void whoami(HttpExchange exchange) throws IOException {
        X509Certificate cert = clientCertificate(exchange);
        String body;
        try {
            body = cert == null ? "No client certificate.\n"
                    : "subject: " + cert.getSubjectX500Principal().getName() + "\nnames: " + names(cert) + "\n";
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
