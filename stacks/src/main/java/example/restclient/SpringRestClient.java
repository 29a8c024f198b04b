package example.restclient;

import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.web.client.RestClientSsl;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/**
 * Service A calling with Spring's RestClient through the SSL bundle "service-a" of restclient.yaml
 * (certs/service-a.crt and .key, trusting certs/ca.crt). No web server of its own.
 * Run: java -cp ... example.restclient.SpringRestClient https://service-b.example.com:8443/whoami
 */
@SpringBootApplication
public class SpringRestClient {
    public static void main(String[] args) {
        new SpringApplicationBuilder(SpringRestClient.class).web(WebApplicationType.NONE)
                .properties("spring.config.name=restclient").run(args);
    }

    @Bean
    RestClient serviceB(RestClient.Builder builder, RestClientSsl ssl) {
        return builder.apply(ssl.fromBundle("service-a")).build();
    }

    /** GETs each URL given and prints the body, or why the call failed. */
    @Bean
    ApplicationRunner call(RestClient serviceB) {
        return args -> {
            for (String url : args.getNonOptionArgs()) {
                try {
                    System.out.println("GET " + url + ": " + serviceB.get().uri(url).retrieve().body(String.class).strip());
                } catch (RuntimeException e) {
                    System.out.println("GET " + url + " failed: " + e);
                }
            }
        };
    }
}
