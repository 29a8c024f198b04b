package example;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.io.File;
import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Service B as a gRPC server on Netty, serving the standard health service (grpc.health.v1), so no code
 * generation is needed. TLS from certs/service-b.crt and .key (the key must be PKCS#8, as issue.java
 * writes it), and only callers with a certificate from certs/ca.crt. Each call's caller is logged.
 * Run: java -cp ... example.GrpcServer 8443
 */
public class GrpcServer {
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8443;
        TlsServerCredentials.Builder tls = TlsServerCredentials.newBuilder()
                .keyManager(new File("certs/service-b.crt"), new File("certs/service-b.key"))
                .trustManager(new File("certs/ca.crt"))
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
        HealthStatusManager health = new HealthStatusManager(); // reports SERVING for "" until told otherwise
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), tls.build())
                .addService(ServerInterceptors.intercept(health.getHealthService(), new LogCaller()))
                .build().start();
        System.out.println("gRPC serving on 127.0.0.1:" + server.getPort());
        server.awaitTermination();
    }

    /** Logs the subject of each caller's certificate, which the handshake has already verified. */
    static final class LogCaller implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
            try {
                X509Certificate caller = (X509Certificate) session.getPeerCertificates()[0];
                System.out.println(call.getMethodDescriptor().getFullMethodName() + " from " + caller.getSubjectX500Principal().getName());
            } catch (SSLPeerUnverifiedException e) {
                System.out.println(call.getMethodDescriptor().getFullMethodName() + " from a caller without a certificate");
            }
            return next.startCall(call, headers);
        }
    }
}
