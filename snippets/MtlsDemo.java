///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//SOURCES ../lib/pki/Certs.java
//SOURCES MakePki.java
//SOURCES PemSslContext.java
//SOURCES MtlsServer.java
//SOURCES MtlsClient.java
//SOURCES CallerIdentity.java
// snippet MtlsDemo: the tutorial's services A and B in one method, with the snippets above.
// Run it: jbang snippets/MtlsDemo.java DIR   (tutorial.java does the same with the scripts)

import com.sun.net.httpserver.HttpsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

public class MtlsDemo {
    public static void main(String... args) throws Exception {
        System.out.print(run(Files.createDirectories(Path.of(args.length > 0 ? args[0] : "demo"))));
    }

    /** Makes a CA and two services' files in dir, serves B (client certificates required), and calls it as A. */
    public static String run(Path dir) throws Exception {
        KeyPair caKey = MakePki.newKeyPair(), bKey = MakePki.newKeyPair(), aKey = MakePki.newKeyPair();
        X509Certificate ca = MakePki.rootCa(caKey, "Demo root CA", Duration.ofDays(3650));
        X509Certificate b = MakePki.leaf(bKey.getPublic(), List.of("localhost", "127.0.0.1"), ca, caKey.getPrivate(), Duration.ofDays(365));
        X509Certificate a = MakePki.leaf(aKey.getPublic(), List.of("service-a.example.com"), ca, caKey.getPrivate(), Duration.ofDays(365));
        MakePki.writeCertificate(dir.resolve("ca.crt"), ca);
        MakePki.writeCertificate(dir.resolve("service-b.crt"), b);
        MakePki.writePrivateKey(dir.resolve("service-b.key"), bKey.getPrivate());
        MakePki.writeCertificate(dir.resolve("service-a.crt"), a);
        MakePki.writePrivateKey(dir.resolve("service-a.key"), aKey.getPrivate());

        HttpsServer server = MtlsServer.start(PemSslContext.load(dir.resolve("service-b.crt"),
                dir.resolve("service-b.key"), dir.resolve("ca.crt")), 0, "service-b");
        server.createContext("/whoami", CallerIdentity::whoami);
        try {
            HttpClient client = MtlsClient.create(PemSslContext.load(dir.resolve("service-a.crt"),
                    dir.resolve("service-a.key"), dir.resolve("ca.crt")));
            URI b8443 = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/");
            return MtlsClient.get(client, b8443) + "\n" + MtlsClient.get(client, b8443.resolve("/whoami"));
        } finally {
            server.stop(0);
        }
    }
}
