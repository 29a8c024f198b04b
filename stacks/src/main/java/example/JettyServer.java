package example;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Service B on Jetty 12 (its core API, no servlets): certs/service-b.crt and .key, and only callers
 * with a certificate from certs/ca.crt. Run: java -cp ... example.JettyServer 8443
 */
public class JettyServer {
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8443;
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(PemFiles.keyStore(Path.of("certs/service-b.crt"), Path.of("certs/service-b.key")));
        tls.setKeyStorePassword(new String(PemFiles.PASSWORD));
        tls.setTrustStore(PemFiles.trustStore(Path.of("certs/ca.crt")));
        tls.setNeedClientAuth(true); // refuse a handshake without a client certificate from the CA

        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.addCustomizer(new SecureRequestCustomizer()); // hands the TLS session (and client certificate) to requests
        ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(tls, "http/1.1"), new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                EndPoint.SslSessionData tlsData = (EndPoint.SslSessionData) request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE);
                X509Certificate caller = tlsData.peerCertificates()[0];
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
                response.write(true, StandardCharsets.UTF_8.encode("Hello " + caller.getSubjectX500Principal().getName() + "\n"), callback);
                return true;
            }
        });
        server.start();
        System.out.println("Jetty serving https://127.0.0.1:" + connector.getLocalPort() + "/");
        server.join();
    }
}
