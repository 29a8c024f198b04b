import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * Real peers for ServeTest and ClientTest: openssl s_server as a process on a free port of 127.0.0.1,
 * stopped by close() (nginx: InteropNginxTest.startNginx); and certificates a test needs that
 * issue.java will not make (expired ones).
 */
final class TlsPeers {
    private TlsPeers() {}

    /** A running peer process and its port; close() stops it (bounded). */
    record Peer(Process process, int port, Path log) implements AutoCloseable {
        @Override public void close() { Support.stop(process); }
    }

    /** openssl s_server -www on a free port with the given certificate, the CA, and extra flags. */
    static Peer sServer(Path dir, String cert, String key, String... extra) {
        Support.requireTool("openssl", "openssl");
        int port = Support.freePort();
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", dir.resolve(cert).toString(), "-key", dir.resolve(key).toString(),
                "-CAfile", dir.resolve("ca.crt").toString(), "-www"));
        cmd.addAll(List.of(extra));
        Path log = dir.resolve("s_server-" + port + ".log");
        Process p = Support.start(dir, log, cmd);
        Support.awaitPort(port, Duration.ofSeconds(20), p, log);
        return new Peer(p, port, log);
    }

    /** A certificate (EC key: fast) signed by dir/ca.crt with the validity given, e.g. one that expired. */
    static void certificate(Path dir, String name, String dnsName, Certs.Usage usage, Instant notBefore, Instant notAfter)
            throws IOException {
        X509Certificate ca = Pem.certificate(dir.resolve("ca.crt"), "CA certificate");
        PrivateKey caKey = Cli.readKey(dir.resolve("ca.key"), "CA key", null, "--ca-key-password");
        KeyPair kp = Keys.generate(Keys.KeyType.EC, 256);
        X509Certificate c = Certs.leaf(kp.getPublic(), new X500Name("CN=" + dnsName),
                List.of(new GeneralName(GeneralName.dNSName, dnsName)), false, usage, ca, caKey, notBefore, notAfter);
        Files.writeString(dir.resolve(name + ".crt"), Certs.pem(c));
        Files.writeString(dir.resolve(name + ".key"), Pem.key(kp.getPrivate(), null));
    }

    /** curl's --resolve spec for the tutorial's name on a port. */
    static String resolve(String host, int port) {
        return host + ":" + port + ":127.0.0.1";
    }
}
