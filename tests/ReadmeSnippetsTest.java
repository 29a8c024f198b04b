import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
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
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use it in your own code" snippets cannot rot: every ```java block of README.md is
 * extracted, compiled on its own (a snippet that names others with "uses" gets them on its class path),
 * and run against real files and real servers: certificates checked by openssl -x509_strict, a server
 * probed by curl with and without a client certificate and by the client snippet, the caller's identity,
 * a hot reload, and the all-together demo.
 */
class ReadmeSnippetsTest {
    @TempDir static Path work;
    static final Map<String, Snippet> SNIPPETS = new LinkedHashMap<>();
    static ClassLoader loader;
    static final List<HttpsServer> SERVERS = new ArrayList<>();

    /** One ```java block: its name (from "// snippet: NAME"), its source, the snippets it uses, its first line in README.md. */
    record Snippet(String name, String source, List<String> uses, int line) {}

    // The PKI made with the snippets themselves, shared by the tests.
    static Path dir;
    static X509Certificate ca;
    static KeyPair caKey;

    @BeforeAll
    static void compileEverySnippetAndMakeAPki() throws Exception {
        Support.requireTool("openssl", "openssl");
        Support.requireTool("curl", "curl");
        SNIPPETS.putAll(snippets(Files.readString(Support.ROOT.resolve("README.md"))));
        for (String expected : List.of("RootCa", "LeafCert", "PemFiles", "PemSslContext", "MtlsServer", "MtlsClient",
                "CallerIdentity", "ReloadingKeyManager", "MtlsDemo"))
            assertTrue(SNIPPETS.containsKey(expected), "README.md has no snippet " + expected + "; it has " + SNIPPETS.keySet());
        List<URL> outputs = new ArrayList<>();
        for (Snippet s : SNIPPETS.values()) outputs.add(compile(s).toUri().toURL());
        loader = new URLClassLoader(outputs.toArray(new URL[0]), ReadmeSnippetsTest.class.getClassLoader());

        dir = Files.createDirectories(work.resolve("pki"));
        caKey = (KeyPair) call("RootCa", "newKeyPair");
        ca = (X509Certificate) call("RootCa", "create", caKey, "Snippet test root CA", Duration.ofDays(1));
        call("PemFiles", "writeCertificates", dir.resolve("ca.crt"), new X509Certificate[] {ca});
        leaf("server", List.of("localhost", "127.0.0.1"));
        leaf("client", List.of("service-a.example.com"));
    }

    @AfterAll
    static void stopServers() {
        SERVERS.forEach(s -> s.stop(0));
    }

    // ------------------------------------------------------------------ extraction and compilation

    static final Pattern JAVA_BLOCK = Pattern.compile("(?m)^```java\\n(.*?)^```$", Pattern.DOTALL);
    static final Pattern MARKER = Pattern.compile("\\A// snippet: (\\w+)([^\\n]*)\\n");
    static final Pattern CLASS = Pattern.compile("(?m)^public (?:final )?class (\\w+)");

    static final String SECTION = "## Use it in your own code\n";

    /**
     * Every ```java block that starts with "// snippet: NAME" (it must declare public class NAME). In
     * the section "Use it in your own code" every ```java block must be one; elsewhere in the README a
     * block without the marker is a fragment, which this test does not see.
     */
    static Map<String, Snippet> snippets(String markdown) {
        Map<String, Snippet> found = new LinkedHashMap<>();
        int sectionStart = markdown.indexOf(SECTION);
        assertTrue(sectionStart >= 0, "README.md has no section " + SECTION.strip());
        int sectionEnd = markdown.indexOf("\n## ", sectionStart + SECTION.length());
        if (sectionEnd < 0) sectionEnd = markdown.length();
        Matcher m = JAVA_BLOCK.matcher(markdown);
        while (m.find()) {
            String src = m.group(1);
            Matcher marker = MARKER.matcher(src);
            if (!marker.find()) {
                if (m.start() > sectionStart && m.start() < sectionEnd)
                    fail("a ```java block of \"" + SECTION.strip().substring(3) + "\" does not start with "
                            + "\"// snippet: NAME\", so no test would run it:\n" + src.lines().limit(3).reduce("", (a, b) -> a + b + "\n"));
                continue;
            }
            String name = marker.group(1);
            Matcher cls = CLASS.matcher(src);
            assertTrue(cls.find() && cls.group(1).equals(name), "snippet " + name + " must declare public class " + name);
            List<String> uses = new ArrayList<>();
            String rest = marker.group(2);
            if (rest.contains("uses"))
                for (String word : rest.substring(rest.indexOf("uses")).split("[^A-Za-z0-9_]+"))
                    if (found.containsKey(word)) uses.add(word);
            int line = (int) markdown.substring(0, m.start(1)).chars().filter(c -> c == '\n').count() + 1;
            assertTrue(found.put(name, new Snippet(name, src, uses, line)) == null, "two snippets are named " + name);
        }
        return found;
    }

    /** Compiles one snippet alone, with the test class path and the snippets it uses; returns its output folder. */
    static Path compile(Snippet s) throws IOException {
        Path srcDir = Files.createDirectories(work.resolve("src").resolve(s.name()));
        Path out = Files.createDirectories(work.resolve("classes").resolve(s.name()));
        Path file = Files.writeString(srcDir.resolve(s.name() + ".java"), s.source());
        StringBuilder cp = new StringBuilder(System.getProperty("java.class.path"));
        for (String used : s.uses()) cp.append(java.io.File.pathSeparator).append(work.resolve("classes").resolve(used));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        StringWriter log = new StringWriter();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            boolean ok = javac.getTask(log, files, diagnostics,
                    List.of("--release", "17", "-d", out.toString(), "-classpath", cp.toString()), null,
                    files.getJavaFileObjects(file)).call();
            if (!ok) {
                StringBuilder why = new StringBuilder("README snippet " + s.name() + " does not compile:\n");
                diagnostics.getDiagnostics().forEach(d -> why.append("  README.md line ")
                        .append(s.line() + d.getLineNumber() - 1).append(": ").append(d.getMessage(Locale.ROOT)).append('\n'));
                fail(why.append(log).toString());
            }
        }
        return out;
    }

    /** Calls a snippet's public static method by name (the one with that many parameters). */
    static Object call(String snippet, String method, Object... args) throws Exception {
        for (Method m : loader.loadClass(snippet).getMethods())
            if (m.getName().equals(method) && m.getParameterCount() == args.length) {
                try {
                    return m.invoke(null, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
                }
            }
        throw new AssertionError("snippet " + snippet + " has no public static " + method + " with " + args.length + " parameters");
    }

    /** A key and certificate for names, made and saved by the snippets: dir/NAME.crt and dir/NAME.key. */
    static X509Certificate leaf(String name, List<String> names) throws Exception {
        KeyPair key = (KeyPair) call("RootCa", "newKeyPair");
        X509Certificate cert = (X509Certificate) call("LeafCert", "issue", key.getPublic(), names, ca, caKey.getPrivate(),
                Duration.ofDays(1));
        call("PemFiles", "writeCertificates", dir.resolve(name + ".crt"), new X509Certificate[] {cert});
        call("PemFiles", "writePrivateKey", dir.resolve(name + ".key"), key.getPrivate());
        return cert;
    }

    static SSLContext context(String name) throws Exception {
        return (SSLContext) call("PemSslContext", "load", dir.resolve(name + ".crt"), dir.resolve(name + ".key"), dir.resolve("ca.crt"));
    }

    static HttpsServer server(SSLContext ctx, String name) throws Exception {
        HttpsServer s = (HttpsServer) call("MtlsServer", "start", ctx, 0, name);
        SERVERS.add(s);
        assertEquals("127.0.0.1", s.getAddress().getAddress().getHostAddress(), "the snippet server must bind to 127.0.0.1 only");
        return s;
    }

    static Support.Result curl(int port, String path, String... certArgs) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert", dir.resolve("ca.crt").toString(),
                "--resolve", "localhost:" + port + ":127.0.0.1"));
        cmd.addAll(List.of(certArgs));
        cmd.add("https://localhost:" + port + path);
        return Support.exec(dir, Map.of(), Support.WAIT, cmd);
    }

    // ------------------------------------------------------------------ the tests

    @Test
    void theDependencyCoordinatesMatchThePom() throws Exception {
        String readme = Files.readString(Support.ROOT.resolve("README.md"));
        Matcher pom = Pattern.compile("<bouncycastle.version>([^<]+)<").matcher(Files.readString(Support.ROOT.resolve("pom.xml")));
        assertTrue(pom.find(), "pom.xml has no bouncycastle.version");
        Matcher m = Pattern.compile("bcpkix-jdk18on(?::|</artifactId>\\s*<version>)([0-9][\\w.]*)").matcher(readme);
        int seen = 0;
        while (m.find()) {
            seen++;
            assertEquals(pom.group(1), m.group(1), "README.md names bcpkix-jdk18on " + m.group(1) + ", pom.xml " + pom.group(1));
        }
        assertTrue(seen >= 3, "README.md should give the Maven and Gradle coordinates of bcpkix-jdk18on");
    }

    @Test
    void theCaAndLeafSnippetsMakeCertificatesThatStrictOpensslAccepts() throws Exception {
        var r = Support.exec(dir, "openssl", "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "ca.crt", "server.crt");
        assertEquals(0, r.code(), r.all());
        r = Support.exec(dir, "openssl", "verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", "ca.crt", "client.crt");
        assertEquals(0, r.code(), r.all());
        String text = Support.exec(dir, "openssl", "x509", "-noout", "-text", "-in", "server.crt").expectOk().out();
        assertTrue(text.contains("DNS:localhost, IP Address:127.0.0.1"), text);
        assertTrue(text.contains("TLS Web Server Authentication, TLS Web Client Authentication"), text);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("server.key"))),
                "PemFiles.writePrivateKey must create the key with mode 0600");
        // The key files are PKCS#8 that openssl reads, and each belongs to its certificate.
        for (String n : List.of("server", "client")) {
            String fromKey = Support.exec(dir, "openssl", "pkey", "-in", n + ".key", "-pubout").expectOk().out();
            String fromCert = Support.exec(dir, "openssl", "x509", "-in", n + ".crt", "-noout", "-pubkey").expectOk().out();
            assertEquals(fromCert, fromKey, n + ".key does not belong to " + n + ".crt");
        }
    }

    @Test
    void theServerSnippetRequiresAClientCertificate() throws Exception {
        HttpsServer s = server(context("server"), "snippet-server");
        int port = s.getAddress().getPort();
        var ok = curl(port, "/", "--cert", dir.resolve("client.crt").toString(), "--key", dir.resolve("client.key").toString());
        assertEquals(0, ok.code(), ok.all());
        assertEquals("Hello from \"snippet-server\"", ok.out());

        // The trap of jdk-tls-notes.md: without a client certificate the handshake must fail.
        var refused = curl(port, "/");
        assertNotEquals(0, refused.code(), "the server answered a client without a certificate:\n" + refused.all());
        assertTrue(!refused.out().contains("Hello"), refused.all());

        // The client snippet, with and without a certificate.
        URI url = URI.create("https://127.0.0.1:" + port + "/");
        HttpClient withCert = (HttpClient) call("MtlsClient", "create", context("client"));
        assertEquals("Hello from \"snippet-server\"", call("MtlsClient", "get", withCert, url));
        SSLContext trustOnly = SSLContext.getInstance("TLS");
        trustOnly.init(null, new TrustManager[] {(TrustManager) call("PemSslContext", "trustManager", dir.resolve("ca.crt"))}, null);
        HttpClient noCert = (HttpClient) call("MtlsClient", "create", trustOnly);
        assertThrows(IOException.class, () -> call("MtlsClient", "get", noCert, url));
    }

    @Test
    void theIdentitySnippetNamesTheCaller() throws Exception {
        HttpsServer s = server(context("server"), "whoami-server");
        Method whoami = loader.loadClass("CallerIdentity").getMethod("whoami", HttpExchange.class);
        s.createContext("/whoami", (HttpHandler) ex -> {
            try {
                whoami.invoke(null, ex);
            } catch (ReflectiveOperationException e) {
                throw new IOException(e);
            }
        });
        var r = curl(s.getAddress().getPort(), "/whoami", "--cert", dir.resolve("client.crt").toString(),
                "--key", dir.resolve("client.key").toString());
        assertEquals(0, r.code(), r.all());
        assertEquals("subject: CN=service-a.example.com\nnames: [service-a.example.com]\n", r.out());
    }

    @Test
    void theReloadingKeyManagerServesANewCertificateWithoutARestart() throws Exception {
        Object first = call("PemSslContext", "keyManager", dir.resolve("server.crt"), dir.resolve("server.key"));
        Class<?> rkmClass = loader.loadClass("ReloadingKeyManager");
        Object reloading = rkmClass.getConstructor(javax.net.ssl.X509ExtendedKeyManager.class).newInstance(first);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {(KeyManager) reloading},
                new TrustManager[] {(TrustManager) call("PemSslContext", "trustManager", dir.resolve("ca.crt"))}, null);
        HttpsServer s = server(ctx, "reloading");
        int port = s.getAddress().getPort();
        assertEquals(serial("server.crt"), serverCertificate(port).getSerialNumber().toString(16));

        X509Certificate next = leaf("server2", List.of("localhost", "127.0.0.1"));
        rkmClass.getMethod("replace", javax.net.ssl.X509ExtendedKeyManager.class)
                .invoke(reloading, call("PemSslContext", "keyManager", dir.resolve("server2.crt"), dir.resolve("server2.key")));
        assertEquals(next.getSerialNumber(), serverCertificate(port).getSerialNumber(), "a new connection must get the new certificate");
        var r = curl(port, "/", "--cert", dir.resolve("client.crt").toString(), "--key", dir.resolve("client.key").toString());
        assertEquals("Hello from \"reloading\"", r.out(), r.all());
    }

    @Test
    void theAllTogetherSnippetServesAndCalls() throws Exception {
        Path demo = Files.createDirectories(work.resolve("demo"));
        String out = (String) call("MtlsDemo", "run", demo);
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
