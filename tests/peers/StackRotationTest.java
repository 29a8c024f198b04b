import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/java-stacks.md's rotation table, where it says "yes (tested)": under a running Spring Boot
 * (Tomcat, the bundle trust.java export prints, with reload-on-update) and a running serve.java,
 * `issue.java renew certs/service-b.crt` replaces service B's certificate, and the next handshake
 * with each presents the new serial, with no restart.
 */
@Tag("process")
class StackRotationTest {
    @TempDir Path work;

    @Test
    void aRenewedCertificateIsServedWithoutARestart() throws Exception {
        Path server = Files.createDirectories(work.resolve("server")), certs = Files.createDirectories(server.resolve("certs"));
        List<String> ec = List.of("--key-type", "ec");
        Support.pki(certs, ec, ec, Support.A, Support.B);
        Path hosts = Stacks.hosts(work);
        // Spring Boot acts on a change after a quiet period (10 s by default); 1 s keeps the test short.
        Path yaml = Files.writeString(work.resolve("application.yaml"), Stacks.springBootYaml(certs, "service-b"));
        int springPort = Support.freePort();
        List<String> log = new CopyOnWriteArrayList<>();
        try (TlsPeers.Peer spring = Stacks.startServer(server, hosts, "example.springboot.SpringServer", List.of("--server.port=" + springPort,
                "--server.address=127.0.0.1", "--spring.config.location=file:" + yaml, "--spring.ssl.bundle.watch.file.quiet-period=1s"),
                springPort);
             Service serveB = Service.start(serve.config("service-b", certs, 0, TlsServer.ClientAuth.NEED).withLog(log::add))) {
            Stacks.awaitListening(spring);
            BigInteger old = Support.cert(certs.resolve("service-b.crt")).getSerialNumber();
            assertEquals(old, served(certs, springPort));
            assertEquals(old, served(certs, serveB.port()));
            long pid = spring.process().pid();

            Support.cli(new issue(), "renew", certs.resolve("service-b.crt").toString()).expectOk();
            BigInteger renewed = Support.cert(certs.resolve("service-b.crt")).getSerialNumber();
            assertNotEquals(old, renewed, "issue.java renew must write a new serial");

            assertEquals(renewed, awaitServed(certs, springPort, renewed), () -> "Spring Boot still serves the old certificate:\n" + Support.read(spring.log()));
            assertEquals(renewed, awaitServed(certs, serveB.port(), renewed), () -> "serve.java still serves the old certificate:\n" + String.join("\n", log));
            assertTrue(spring.process().isAlive() && spring.process().pid() == pid, "Spring Boot was restarted");
            assertEquals(1, Support.read(spring.log()).lines().filter(l -> l.contains("Started SpringServer")).count(),
                    () -> "Spring Boot started more than once:\n" + Support.read(spring.log()));
            synchronized (log) {
                assertTrue(log.stream().anyMatch(l -> l.startsWith("reloaded ") && l.contains(renewed.toString(16))), () -> String.join("\n", log));
            }
        }
    }

    /** The serial the server on 127.0.0.1:port presents now: a full handshake as service A, in a context of its own (no resumption). */
    static BigInteger served(Path certs, int port) throws Exception {
        SSLContext ctx = PemSslContext.load(certs.resolve("service-a.crt"), certs.resolve("service-a.key"), certs.resolve("ca.crt"));
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /** Asks again until the server presents want, for at most 60 s; returns the last serial seen. */
    static BigInteger awaitServed(Path certs, int port, BigInteger want) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        BigInteger seen = served(certs, port);
        while (!seen.equals(want) && System.nanoTime() < end) {
            Support.sleep(250);
            seen = served(certs, port);
        }
        return seen;
    }
}
