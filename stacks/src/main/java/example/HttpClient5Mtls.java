package example;

import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.ssl.SSLContextBuilder;

/**
 * Service A calling with Apache HttpClient 5: an SSLContext with certs/service-a.crt and .key, trusting
 * only certs/ca.crt (PemFiles turns the PEM files into the KeyStores SSLContextBuilder takes).
 * Run: java -cp ... example.HttpClient5Mtls https://service-b.example.com:8443/whoami
 * (-Dclient=none sends no client certificate, to see the refusal).
 */
public class HttpClient5Mtls {
    public static void main(String[] args) throws Exception {
        SSLContextBuilder ssl = SSLContextBuilder.create().loadTrustMaterial(PemFiles.trustStore(Path.of("certs/ca.crt")), null);
        if (!"none".equals(System.getProperty("client")))
            ssl.loadKeyMaterial(PemFiles.keyStore(Path.of("certs/service-a.crt"), Path.of("certs/service-a.key")), PemFiles.PASSWORD);
        SSLContext context = ssl.build();
        try (CloseableHttpClient client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setTlsSocketStrategy(ClientTlsStrategyBuilder.create().setSslContext(context).buildClassic())
                        .build())
                .build()) {
            for (String url : args) {
                try {
                    String body = client.execute(new HttpGet(url), response -> EntityUtils.toString(response.getEntity()));
                    System.out.println("GET " + url + ": " + body.strip());
                } catch (Exception e) {
                    System.out.println("GET " + url + " failed: " + e);
                }
            }
        }
    }
}
