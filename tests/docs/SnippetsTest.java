import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/use-in-your-code.md cannot rot: each of its ```java blocks is the file its marker names
 * (snippets/*.java or a copyable file of lib/), byte for byte, and the build compiles those files, so
 * this test runs them directly against real peers: certificates checked by openssl -x509_strict, a
 * server probed by curl with and without a client certificate and by the client snippet, the
 * caller's identity, a hot reload, the all-together demo, and lib/pki/Certs.java copied on its own.
 */
@Tag("process")
class SnippetsTest {
    @TempDir static Path work;
    static final Path DOC = Support.ROOT.resolve("docs/use-in-your-code.md");
    static final List<HttpsServer> SERVERS = new ArrayList<>();

    // The PKI made with the snippets themselves, shared by the tests.
    static Path dir;
    static X509Certificate ca;
    static KeyPair caKey;

    @BeforeAll
    static void makeAPkiWithTheSnippets() throws Exception {
        Support.requireTool("openssl", "openssl");
        Support.requireTool("curl", "curl");
        dir = Files.createDirectories(work.resolve("pki"));
        caKey = MakePki.newKeyPair();
        ca = MakePki.rootCa(caKey, "Snippet test root CA", Duration.ofDays(1));
        MakePki.writeCertificate(dir.resolve("ca.crt"), ca);
        leaf("server", List.of("localhost", "127.0.0.1"));
        leaf("client", List.of("service-a.example.com"));
    }

    @AfterAll
    static void stopServers() {
        SERVERS.forEach(s -> s.stop(0));
    }

    /** A key and certificate for names, made and saved by the snippets: dir/NAME.crt and dir/NAME.key. */
    static X509Certificate leaf(String name, List<String> names) throws Exception {
        KeyPair key = MakePki.newKeyPair();
        X509Certificate cert = MakePki.leaf(key.getPublic(), names, ca, caKey.getPrivate(), Duration.ofDays(1));
        MakePki.writeCertificate(dir.resolve(name + ".crt"), cert);
        MakePki.writePrivateKey(dir.resolve(name + ".key"), key.getPrivate());
        return cert;
    }

    static SSLContext context(String name) throws Exception {
        return PemSslContext.load(dir.resolve(name + ".crt"), dir.resolve(name + ".key"), dir.resolve("ca.crt"));
    }

    static HttpsServer server(SSLContext ctx, String name) throws Exception {
        HttpsServer s = MtlsServer.start(ctx, 0, name);
        SERVERS.add(s);
        assertEquals("127.0.0.1", s.getAddress().getAddress().getHostAddress(), "the snippet server must bind to 127.0.0.1 only");
        return s;
    }

    // ------------------------------------------------------------------ the page and the files

    static final Pattern BLOCK = Pattern.compile("<!-- file: (\\S+) -->\\n```(?:java|xml)\\n(.*?)^```$", Pattern.DOTALL | Pattern.MULTILINE);

    /** The blocks of the page, by the file each names. */
    static Map<String, String> blocks() throws IOException {
        Map<String, String> found = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(Files.readString(DOC));
        while (m.find()) assertEquals(null, found.put(m.group(1), m.group(2)), m.group(1) + " is shown twice");
        return found;
    }

    @Test
    void everyBlockIsTheFileItNamesAndEverySnippetIsShown() throws Exception {
        Map<String, String> blocks = blocks();
        for (var e : blocks.entrySet())
            assertEquals(Files.readString(Support.ROOT.resolve(e.getKey())), e.getValue(),
                    "docs/use-in-your-code.md shows " + e.getKey() + " other than it is: copy the file into the page again");
        try (Stream<Path> files = Files.list(Support.ROOT.resolve("snippets"))) {
            for (Path f : files.toList())
                assertTrue(blocks.containsKey("snippets/" + f.getFileName()), "docs/use-in-your-code.md does not show " + f);
        }
        // A ```java or ```xml block without its marker would be a copy that no test keeps in step.
        long javaBlocks = Pattern.compile("(?m)^```(java|xml)$").matcher(Files.readString(DOC)).results().count();
        assertEquals(blocks.size(), javaBlocks, "every ```java and ```xml block of the page must follow a <!-- file: PATH --> marker");
    }

    @Test
    void theDependencyCoordinatesMatchThePom() throws Exception {
        String doc = Files.readString(DOC);
        Matcher pom = Pattern.compile("<bouncycastle.version>([^<]+)<").matcher(Files.readString(Support.ROOT.resolve("pom.xml")));
        assertTrue(pom.find(), "pom.xml has no bouncycastle.version");
        Matcher m = Pattern.compile("bcpkix-jdk18on(?::|</artifactId>\\s*<version>)([0-9][\\w.]*)").matcher(doc);
        int seen = 0;
        while (m.find()) {
            seen++;
            assertEquals(pom.group(1), m.group(1), "the page names bcpkix-jdk18on " + m.group(1) + ", pom.xml " + pom.group(1));
        }
        assertTrue(seen >= 3, "the page should give the Maven, Gradle and JBang coordinates of bcpkix-jdk18on");
    }

    /** The Bouncy Castle jars the tests run with (the pom's version): what a snippet's //DEPS line brings. */
    static String bouncyCastle() {
        return Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(p -> Path.of(p).getFileName().toString().matches("bc(pkix|prov|util)-jdk18on-.*\\.jar"))
                .reduce((a, b) -> a + java.io.File.pathSeparator + b).orElseThrow();
    }

    /** javac --release 17 of files (paths in the repository) with the class path given ("" for none), into a folder of its own. */
    static Support.Result javac(String classPath, List<Path> files) throws IOException {
        Path classes = Files.createTempDirectory(work, "classes");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "--release", "17", "-d", classes.toString()));
        if (!classPath.isEmpty()) cmd.addAll(List.of("-cp", classPath));
        files.forEach(f -> cmd.add(f.toString()));
        return Support.exec(Support.ROOT, Map.of(), Support.WAIT, cmd);
    }

    /**
     * The page's table says which files compile on their own, with the JDK or with Bouncy Castle (the
     * "needs" column): each "yes" compiles alone with exactly that, each "no" does not, and compiles
     * with the files its //SOURCES lines name. Each file's header names Bouncy Castle when it needs it.
     */
    @Test
    void theTableSaysWhichFilesCompileAlone() throws Exception {
        Matcher row = Pattern.compile("(?m)^\\| `((?:snippets|lib/\\w+)/\\w+\\.java)` \\| ([^|]+) \\| (yes|no) \\|").matcher(Files.readString(DOC));
        int rows = 0;
        while (row.find()) {
            rows++;
            Path file = Support.ROOT.resolve(row.group(1));
            boolean bc = row.group(2).contains("Bouncy Castle"), alone = row.group(3).equals("yes");
            String header = Files.readString(file).lines().takeWhile(l -> l.startsWith("//")).reduce("", (a, b) -> a + b + "\n");
            if (file.startsWith(Support.ROOT.resolve("snippets"))) assertTrue(header.contains("//JAVA 17+\n"), file + ": no //JAVA 17+ header");
            assertEquals(bc, header.contains("//DEPS org.bouncycastle:bcpkix-jdk18on:"), file + ": its //DEPS line and the table disagree");
            Support.Result single = javac(bc ? bouncyCastle() : "", List.of(file));
            assertEquals(alone, single.code() == 0, () -> file + " compiled alone: " + single.all());
            if (!alone) {
                List<Path> files = Support.withSources(file);
                assertTrue(files.size() > 1, file + " needs other files but names none in //SOURCES");
                javac(bouncyCastle(), files).expectOk();
            }
        }
        assertEquals(7, rows, "the table should list the six snippets and lib/tls/ReloadingKeyManager.java");
    }

    /**
     * The pom.xml on the page builds every file of the table with Maven (mvn -B -ntp -q package, in a
     * folder of its own, as a user would lay it out), and MtlsDemo runs from what it built.
     */
    @Test
    void thePomOnThePageBuildsTheSnippetsAndTheDemoRuns() throws Exception {
        Support.requireTool("mvn", "maven");
        Path project = Files.createDirectories(work.resolve("maven"));
        Path src = Files.createDirectories(project.resolve("src/main/java"));
        Files.copy(Support.ROOT.resolve("snippets/pom.xml"), project.resolve("pom.xml"));
        try (Stream<Path> files = Files.list(Support.ROOT.resolve("snippets"))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".java")).toList()) Files.copy(f, src.resolve(f.getFileName()));
        }
        for (String lib : List.of("pki/Certs.java", "tls/ReloadingKeyManager.java"))
            Files.copy(Support.ROOT.resolve("lib/" + lib), src.resolve(Path.of(lib).getFileName()));
        Support.exec(project, Map.of(), Support.WAIT.multipliedBy(5), List.of("mvn", "-B", "-ntp", "-q", "package")).expectOk();
        Path jar = project.resolve("target/mtls-snippets-1.0.jar");
        assertTrue(Files.isRegularFile(jar), "mvn package made no " + jar);
        Support.Result demo = Support.exec(project, Map.of(), Support.WAIT, List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", jar + java.io.File.pathSeparator + bouncyCastle(), "MtlsDemo", "demo")).expectOk();
        assertEquals("Hello from \"service-b\"\nsubject: CN=service-a.example.com\nnames: [service-a.example.com]\n", demo.out());
    }

    /** JBang reads a snippet's header: MakePki runs as a script, and PemSslContext (no main) builds. */
    @Test
    void theSnippetsRunAndBuildWithJBang() throws Exception {
        Path out = work.resolve("jbang-pki");
        Support.exec(Support.ROOT, Map.of(), Support.WAIT.multipliedBy(3), List.of("./jbang", "snippets/MakePki.java", out.toString(),
                "service-a.example.com")).expectOk();
        Support.assertVerifyOk(out, "ca.crt", "service-a.crt", "sslserver", true);
        Support.exec(Support.ROOT, Map.of(), Support.WAIT.multipliedBy(3), List.of("./jbang", "build", "snippets/PemSslContext.java")).expectOk();
    }

    // ------------------------------------------------------------------ what the snippets do

    @Test
    void theSnippetCertificatesPassStrictOpenssl() throws Exception {
        var r = Support.exec(dir, "openssl", "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "ca.crt", "server.crt");
        assertEquals(0, r.code(), r.all());
        r = Support.exec(dir, "openssl", "verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", "ca.crt", "client.crt");
        assertEquals(0, r.code(), r.all());
        String text = Support.exec(dir, "openssl", "x509", "-noout", "-text", "-in", "server.crt").expectOk().out();
        assertTrue(text.contains("DNS:localhost, IP Address:127.0.0.1"), text);
        assertTrue(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("server.key"))),
                "MakePki.writePrivateKey must create the key with mode 0600");
        assertThrows(java.nio.file.FileAlreadyExistsException.class,
                () -> MakePki.writePrivateKey(dir.resolve("server.key"), caKey.getPrivate()), "a key is never replaced");
        for (String n : List.of("server", "client")) {
            String fromKey = Support.exec(dir, "openssl", "pkey", "-in", n + ".key", "-pubout").expectOk().out();
            String fromCert = Support.exec(dir, "openssl", "x509", "-in", n + ".crt", "-noout", "-pubkey").expectOk().out();
            assertEquals(fromCert, fromKey, n + ".key does not belong to " + n + ".crt");
        }
    }

    /**
     * lib/pki/Certs.java is the file people copy: alone, with Bouncy Castle and nothing else of this
     * project, it compiles (with MakePki, which shows its use) and makes a CA and a leaf that
     * openssl -x509_strict accepts for both purposes, run as its own JVM.
     */
    @Test
    void aCopiedCertsAloneMakesCertificatesThatStrictOpensslAccepts() throws Exception {
        Path copy = Files.createDirectories(work.resolve("copy"));
        Files.copy(Support.ROOT.resolve("lib/pki/Certs.java"), copy.resolve("Certs.java"));
        Files.copy(Support.ROOT.resolve("snippets/MakePki.java"), copy.resolve("MakePki.java"));
        String bc = Stream.of(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(p -> Path.of(p).getFileName().toString().matches("bc(pkix|prov|util)-jdk18on-.*\\.jar"))
                .reduce((a, b) -> a + java.io.File.pathSeparator + b).orElseThrow();
        Path classes = Files.createDirectories(copy.resolve("classes"));
        String javaHome = System.getProperty("java.home");
        Support.exec(copy, Map.of(), Support.WAIT, List.of(javaHome + "/bin/javac", "--release", "17", "-cp", bc, "-d", classes.toString(),
                "Certs.java", "MakePki.java")).expectOk();
        Support.exec(copy, Map.of(), Support.WAIT, List.of(javaHome + "/bin/java", "-cp", bc + java.io.File.pathSeparator + classes,
                "MakePki", "out", "service-a.example.com")).expectOk();
        for (String purpose : List.of("sslserver", "sslclient")) {
            var r = Support.exec(copy.resolve("out"), "openssl", "verify", "-x509_strict", "-purpose", purpose, "-CAfile", "ca.crt", "service-a.crt");
            assertEquals(0, r.code(), r.all());
        }
    }

    @Test
    void theServerSnippetRequiresAClientCertificate() throws Exception {
        HttpsServer s = server(context("server"), "snippet-server");
        int port = s.getAddress().getPort();
        var ok = TlsPeers.curl(dir, "ca.crt", "localhost", port, "/", "--cert", "client.crt", "--key", "client.key");
        assertEquals(0, ok.code(), ok.all());
        assertEquals("Hello from \"snippet-server\"", ok.out());

        // The trap: without a client certificate the handshake must fail.
        var refused = TlsPeers.curl(dir, "ca.crt", "localhost", port, "/");
        assertNotEquals(0, refused.code(), "the server answered a client without a certificate:\n" + refused.all());
        assertTrue(!refused.out().contains("Hello"), refused.all());

        // The client snippet, with and without a certificate.
        URI url = URI.create("https://127.0.0.1:" + port + "/");
        HttpClient withCert = MtlsClient.create(context("client"));
        assertEquals("Hello from \"snippet-server\"", MtlsClient.get(withCert, url));
        SSLContext trustOnly = SSLContext.getInstance("TLS");
        trustOnly.init(null, new TrustManager[] {PemSslContext.trustManager(dir.resolve("ca.crt"))}, null);
        HttpClient noCert = MtlsClient.create(trustOnly);
        assertThrows(IOException.class, () -> MtlsClient.get(noCert, url));
    }

    @Test
    void theIdentitySnippetNamesTheCaller() throws Exception {
        HttpsServer s = server(context("server"), "whoami-server");
        s.createContext("/whoami", CallerIdentity::whoami);
        var r = TlsPeers.curl(dir, "ca.crt", "localhost", s.getAddress().getPort(), "/whoami",
                "--cert", "client.crt", "--key", "client.key");
        assertEquals(0, r.code(), r.all());
        assertEquals("subject: CN=service-a.example.com\nnames: [service-a.example.com]\n", r.out());

        // A subject with more in it reads as openssl (and the scripts) print it, not as RFC 2253.
        Path names = Files.createDirectories(work.resolve("names"));
        Support.pki(names, List.of("--key-type", "ec"), List.of("--key-type", "ec", "--subject",
                "C=KR,O=디디아이엠,OU=Dev+UID=a1,E=dev@example.com,CN=service-a.example.com"), Support.A);
        X509Certificate rich = Pem.certificate(names.resolve("service-a.crt"), "certificate");
        assertEquals("C=KR, O=디디아이엠, OU=Dev+UID=a1, emailAddress=dev@example.com, CN=service-a.example.com", CallerIdentity.subject(rich));
    }

    @Test
    void theReloadingKeyManagerServesANewCertificateWithoutARestart() throws Exception {
        var keys = new ReloadingKeyManager(new ReloadingKeyManager.Pair(PemSslContext.readChain(dir.resolve("server.crt")),
                PemSslContext.readPrivateKey(dir.resolve("server.key"))));
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {keys}, new TrustManager[] {PemSslContext.trustManager(dir.resolve("ca.crt"))}, null);
        HttpsServer s = server(ctx, "reloading");
        int port = s.getAddress().getPort();
        assertEquals(serial("server.crt"), serverCertificate(port).getSerialNumber().toString(16));

        X509Certificate next = leaf("server2", List.of("localhost", "127.0.0.1"));
        keys.replace(new ReloadingKeyManager.Pair(PemSslContext.readChain(dir.resolve("server2.crt")),
                PemSslContext.readPrivateKey(dir.resolve("server2.key"))));
        assertEquals(next.getSerialNumber(), serverCertificate(port).getSerialNumber(), "a new connection must get the new certificate");
        var r = TlsPeers.curl(dir, "ca.crt", "localhost", port, "/", "--cert", "client.crt", "--key", "client.key");
        assertEquals("Hello from \"reloading\"", r.out(), r.all());
    }

    @Test
    void theAllTogetherSnippetServesAndCalls() throws Exception {
        Path demo = Files.createDirectories(work.resolve("demo"));
        String out = MtlsDemo.run(demo);
        assertEquals("Hello from \"service-b\"\nsubject: CN=service-a.example.com\nnames: [service-a.example.com]\n", out);
        var r = Support.exec(demo, "openssl", "verify", "-x509_strict", "-CAfile", "ca.crt", "service-a.crt", "service-b.crt");
        assertEquals(0, r.code(), r.all());
    }

    /** The certificate a server presents to a new session (a fresh context: no resumption). */
    static X509Certificate serverCertificate(int port) throws Exception {
        SSLContext fresh = context("client");
        try (SSLSocket socket = (SSLSocket) fresh.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    static String serial(String certFile) {
        String line = Support.exec(dir, "openssl", "x509", "-noout", "-serial", "-in", certFile).expectOk().out().strip();
        return new java.math.BigInteger(line.substring(line.indexOf('=') + 1), 16).toString(16);
    }
}
