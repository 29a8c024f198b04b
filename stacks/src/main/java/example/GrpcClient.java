package example;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.io.File;
import java.util.concurrent.TimeUnit;

/**
 * Service A calling a gRPC server's standard health check with certs/service-a.crt and .key (PKCS#8),
 * trusting certs/ca.crt. Run: java -cp ... example.GrpcClient service-b.example.com:8443
 * (-Dclient=none sends no client certificate, to see the refusal).
 */
public class GrpcClient {
    public static void main(String[] args) throws Exception {
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder().trustManager(new File("certs/ca.crt"));
        if (!"none".equals(System.getProperty("client")))
            tls.keyManager(new File("certs/service-a.crt"), new File("certs/service-a.key"));
        for (String target : args) {
            ManagedChannel channel = Grpc.newChannelBuilder(target, tls.build()).build();
            try {
                var status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance()).getStatus();
                System.out.println("Check " + target + ": " + status);
            } catch (StatusRuntimeException e) {
                System.out.println("Check " + target + " failed: " + e + (e.getCause() == null ? "" : " (cause: " + e.getCause() + ")"));
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
