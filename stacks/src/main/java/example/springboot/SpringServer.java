package example.springboot;

import jakarta.servlet.http.HttpServletRequest;
import java.security.cert.X509Certificate;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Service B on Spring Boot (Tomcat). application.yaml does the TLS: a PEM SSL bundle with
 * certs/service-b.crt and .key, certs/ca.crt for the callers, and server.ssl.client-auth: need.
 * Run: java -cp ... example.springboot.SpringServer --server.port=8443
 */
@SpringBootApplication
@RestController
public class SpringServer {
    public static void main(String[] args) {
        SpringApplication.run(SpringServer.class, args);
    }

    /** Who called: the client certificate Tomcat verified, as the servlet spec hands it over. */
    @GetMapping({"/", "/whoami"})
    public String hello(HttpServletRequest request) {
        X509Certificate[] chain = (X509Certificate[]) request.getAttribute("jakarta.servlet.request.X509Certificate");
        return "Hello " + chain[0].getSubjectX500Principal().getName() + "\n";
    }
}
