//JAVA 17+
// snippet MtlsServer: the JDK's own HTTPS server, refusing every client without a certificate from
// the CAs its SSLContext trusts (e.g. PemSslContext.load). JDK only.
//
// On a refusal, the JDK 17 HttpsServer closes the connection without sending the TLS alert, so curl
// says "Empty reply" or "Connection reset"; the JDK 25 one sends it ("alert certificate required").
// serve.java runs its own connection loop and sends the alert on JDK 17 too.

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

public class MtlsServer {
    /**
     * An HTTPS server on 127.0.0.1:port (0: any free port) that answers / with Hello from "NAME".
     * Start the JVM with -Dsun.net.httpserver.nodelay=true: without it every TLS handshake waits for
     * a delayed ACK (about 20 handshakes/s instead of 285 measured here).
     */
    public static HttpsServer start(SSLContext ctx, int port, String name) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override public void configure(HttpsParameters params) {
                // The trap: params.setNeedClientAuth(true) alone does NOT require a certificate, because
                // the JDK then calls setWantClientAuth(false), which resets it. Set it on SSLParameters.
                SSLParameters sp = ctx.getDefaultSSLParameters();
                sp.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
                sp.setNeedClientAuth(true);
                params.setSSLParameters(sp);
            }
        });
        server.createContext("/", exchange -> {
            byte[] body = ("Hello from \"" + name + "\"").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        // By default one thread serves every client in turn. Daemon threads let the JVM exit after stop().
        server.setExecutor(Executors.newCachedThreadPool(task -> {
            Thread t = new Thread(task, "https-" + name);
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return server;
    }
}
