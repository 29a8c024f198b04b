package example;

import java.nio.file.Files;
import java.nio.file.Path;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.tls.Certificates;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;

/**
 * Service A calling with OkHttp 5: okhttp-tls's HandshakeCertificates holds certs/service-a.crt and
 * .key (HeldCertificate.decode takes the certificate PEM, then a PKCS#8 key PEM) and trusts only
 * certs/ca.crt. Run: java -cp ... example.OkHttpMtls https://service-b.example.com:8443/whoami
 * (-Dclient=none sends no client certificate, to see the refusal).
 */
public class OkHttpMtls {
    public static void main(String[] args) throws Exception {
        HandshakeCertificates.Builder tls = new HandshakeCertificates.Builder()
                .addTrustedCertificate(Certificates.decodeCertificatePem(Files.readString(Path.of("certs/ca.crt"))));
        if (!"none".equals(System.getProperty("client")))
            tls.heldCertificate(HeldCertificate.decode(Files.readString(Path.of("certs/service-a.crt"))
                    + Files.readString(Path.of("certs/service-a.key"))));
        HandshakeCertificates certificates = tls.build();
        OkHttpClient client = new OkHttpClient.Builder()
                .sslSocketFactory(certificates.sslSocketFactory(), certificates.trustManager())
                .build();
        for (String url : args) {
            try (Response response = client.newCall(new Request.Builder().url(url).build()).execute()) {
                System.out.println("GET " + url + ": " + response.body().string().strip());
            } catch (Exception e) {
                System.out.println("GET " + url + " failed: " + e);
            }
        }
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
