//JAVA 17+
// snippet MtlsClient: the JDK's HttpClient sending a client certificate. JDK only.

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import javax.net.ssl.SSLContext;

public class MtlsClient {
    /**
     * A client that sends the certificate of ctx (e.g. PemSslContext.load) when a server asks, and
     * trusts the CAs of ctx. Build it once and share it. Host name verification stays on: the URL's
     * host must be a SAN of the server's certificate. To reach a name that DNS does not know, map it
     * with -Djdk.net.hosts.file=FILE rather than turning verification off.
     */
    public static HttpClient create(SSLContext ctx) {
        return HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * The body of a GET. A server that requires a certificate we do not send fails late: over TLS 1.3
     * as "IOException: HTTP/1.1 header parser received no bytes", over TLS 1.2 as an SSLHandshakeException.
     */
    public static String get(HttpClient client, URI url) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30)).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 400) throw new IOException(url + " answered HTTP " + response.statusCode());
        return response.body();
    }
}
