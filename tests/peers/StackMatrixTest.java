import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The works-with matrix (docs/java-stacks.md): every server of the page (serve.java, the JDK snippet
 * MtlsServer, Spring Boot on Tomcat, Jetty 12, gRPC on Netty) against every client that speaks its
 * protocol (client.java, the JDK snippet MtlsClient, Spring's RestClient, OkHttp 5, Apache HttpClient 5,
 * the gRPC health stub, curl), for each key type. In each cell: with service A's certificate the call
 * works and the server saw CN=service-a.example.com; without a certificate, and with one from another
 * CA, the server refuses it and the client says what the page says it says. Each server starts once per
 * key type, the clients of stacks/ run as the page shows them (java -cp, in a folder holding certs/),
 * and the page's tables must be the ones this run produced: -Dstacks.rewrite=true writes them into the
 * page instead.
 */
@Tag("process")
class StackMatrixTest {
    @TempDir static Path work;

    enum Server {
        SERVE("serve.java"), JDK("JDK `MtlsServer` (HttpsServer)"), SPRING("Spring Boot 3.5 (Tomcat)"), JETTY("Jetty 12"), GRPC("gRPC on Netty");

        final String shown;

        Server(String shown) {
            this.shown = shown;
        }

        boolean http() { return this != GRPC; }
    }

    enum Client {
        CLIENT_JAVA("client.java"), JDK("JDK `MtlsClient` (HttpClient)"), RESTCLIENT("Spring `RestClient`"), OKHTTP("OkHttp 5"),
        HTTPCLIENT5("Apache HttpClient 5"), GRPC("gRPC health stub"), CURL("curl");

        final String shown;

        Client(String shown) {
            this.shown = shown;
        }

        /** Whether it is a cell: the same protocol. client.java speaks HTTP/1.1 only, which a gRPC server refuses. */
        boolean speaks(Server s) {
            if (this == GRPC) return s == Server.GRPC;
            if (this == CLIENT_JAVA || this == CURL) return true;
            return s.http();
        }

        /** Where the stack cannot hold an Ed25519 key (the page says why). */
        boolean supports(Stacks.KeyType k) {
            return k != Stacks.KeyType.ED25519 || (this != OKHTTP && this != GRPC);
        }
    }

    enum Case { CERT, NONE, STRANGER }

    /** What one call gave: whether it worked, and the body or the client's error. */
    record Outcome(boolean ok, String text) {}

    record Key(Client client, Server server, Stacks.KeyType type, Case kase) {}

    static final Map<Key, Outcome> OUTCOMES = new ConcurrentHashMap<>();
    static final Map<Stacks.KeyType, List<String>> SERVE_LOGS = new ConcurrentHashMap<>();
    static final Map<Stacks.KeyType, String> GRPC_LOGS = new ConcurrentHashMap<>();
    static final Map<String, String> ED25519_REFUSALS = new ConcurrentHashMap<>();
    static long seconds;

    static final String CN_A = "CN=service-a.example.com";

    /** Threads for the work done side by side (the common pool has one thread on two cores). */
    static final java.util.concurrent.ExecutorService THREADS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stack-matrix");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    static void runTheMatrix() throws Exception {
        Support.requireTool("curl", "curl");
        long start = System.nanoTime();
        Stacks.classPath();
        Path hosts = Stacks.hosts(work);
        Files.write(work.resolve("health-check.grpc"), new byte[5]); // an empty HealthCheckRequest, framed: no compression, length 0
        // The key types side by side: each waits mostly for JVMs to start, so two cores serve them all.
        List<CompletableFuture<Void>> types = new ArrayList<>();
        for (Stacks.KeyType k : Stacks.KeyType.values())
            types.add(CompletableFuture.runAsync(() -> {
                try {
                    runKeyType(k, hosts);
                } catch (Exception e) {
                    throw new AssertionError(k + ": " + e, e);
                }
            }, THREADS));
        CompletableFuture.allOf(types.toArray(CompletableFuture[]::new)).join();
        seconds = (System.nanoTime() - start) / 1_000_000_000L;
    }

    static void runKeyType(Stacks.KeyType k, Path hosts) throws Exception {
        Path base = Files.createDirectories(work.resolve(k.flag));
        Stacks.pki(base, k);
        Path server = base.resolve("server"), certs = server.resolve("certs");
        Map<Server, Integer> ports = new EnumMap<>(Server.class);
        List<TlsPeers.Peer> peers = new ArrayList<>();
        List<String> serveLog = new CopyOnWriteArrayList<>();
        SERVE_LOGS.put(k, serveLog);
        HttpsServer jdk = null;
        try (Service b = Service.start(serve.config("service-b", certs, 0, TlsServer.ClientAuth.NEED).withLog(serveLog::add))) {
            ports.put(Server.SERVE, b.port());
            jdk = MtlsServer.start(PemSslContext.load(certs.resolve("service-b.crt"), certs.resolve("service-b.key"), certs.resolve("ca.crt")),
                    0, "service-b");
            jdk.createContext("/whoami", CallerIdentity::whoami);
            ports.put(Server.JDK, jdk.getAddress().getPort());

            // The Spring Boot server runs with exactly what trust.java export prints for service-b.
            Path yaml = Files.writeString(base.resolve("service-b.yaml"), Stacks.springBootYaml(certs, "service-b"));
            int springPort = Support.freePort(), jettyPort = Support.freePort(), grpcPort = Support.freePort();
            TlsPeers.Peer spring = Stacks.startServer(server, hosts, "example.springboot.SpringServer",
                    List.of("--server.port=" + springPort, "--server.address=127.0.0.1", "--spring.config.location=file:" + yaml), springPort);
            peers.add(spring);
            peers.add(Stacks.startServer(server, hosts, "example.JettyServer", List.of("" + jettyPort), jettyPort));
            TlsPeers.Peer grpc = Stacks.startServer(server, hosts, "example.GrpcServer", List.of("" + grpcPort), grpcPort);
            peers.add(grpc);
            for (TlsPeers.Peer p : peers) {
                if (p == grpc && k == Stacks.KeyType.ED25519) continue;
                Stacks.awaitListening(p);
            }
            ports.put(Server.SPRING, springPort);
            ports.put(Server.JETTY, jettyPort);
            if (k == Stacks.KeyType.ED25519) {
                // Netty's PEM key reader knows RSA, DSA and EC keys only: the server cannot start.
                grpc.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
                ED25519_REFUSALS.put("gRPC server", Support.read(grpc.log()));
            } else {
                ports.put(Server.GRPC, grpcPort);
            }

            for (Case c : Case.values()) runCase(k, c, base, hosts, ports);
            if (k != Stacks.KeyType.ED25519) GRPC_LOGS.put(k, Support.read(grpc.log()));
        } finally {
            if (jdk != null) jdk.stop(0);
            peers.forEach(TlsPeers.Peer::close);
        }
    }

    /** The folder a client runs in for a case: its certs/ holds what that client has. */
    static Path folder(Path base, Case c) {
        return base.resolve(switch (c) {
            case CERT -> "server";
            case NONE -> "none";
            case STRANGER -> "stranger";
        });
    }

    static void runCase(Stacks.KeyType k, Case c, Path base, Path hosts, Map<Server, Integer> ports) throws Exception {
        Path cwd = folder(base, c), certs = cwd.resolve("certs");
        List<String> props = c == Case.NONE ? List.of("-Dclient=none") : List.of();
        List<String> urls = new ArrayList<>();
        Map<String, Server> byUrl = new LinkedHashMap<>();
        for (Server s : Server.values())
            if (s.http() && ports.containsKey(s)) {
                String url = "https://" + Support.B + ":" + ports.get(s) + "/whoami";
                urls.add(url);
                byUrl.put(url, s);
            }

        // The stacks' clients, as processes side by side.
        List<CompletableFuture<Void>> running = new ArrayList<>();
        running.add(CompletableFuture.runAsync(() -> {
            Path yaml = base.resolve("service-a-" + c + ".yaml");
            // Without a certificate the bundle holds only the truststore: what a user writes for that.
            Support.write(yaml, c == Case.NONE
                    ? "spring.ssl.bundle.pem.service-a.truststore.certificate: \"file:" + certs.resolve("ca.crt") + "\"\n"
                    : Stacks.springBootYaml(certs, "service-a"));
            List<String> args = new ArrayList<>(List.of("--spring.config.location=file:" + yaml));
            args.addAll(urls);
            record(Client.RESTCLIENT, k, c, byUrl, "GET ", run(cwd, hosts, List.of(), "example.restclient.SpringRestClient", args));
        }, THREADS));
        if (Client.OKHTTP.supports(k))
            running.add(CompletableFuture.runAsync(() -> record(Client.OKHTTP, k, c, byUrl, "GET ", run(cwd, hosts, props, "example.OkHttpMtls", urls)), THREADS));
        else if (c == Case.CERT)
            ED25519_REFUSALS.put("OkHttp", run(cwd, hosts, props, "example.OkHttpMtls", urls).all());
        running.add(CompletableFuture.runAsync(() -> record(Client.HTTPCLIENT5, k, c, byUrl, "GET ", run(cwd, hosts, props, "example.HttpClient5Mtls", urls)), THREADS));
        if (ports.containsKey(Server.GRPC)) {
            String target = Support.B + ":" + ports.get(Server.GRPC);
            running.add(CompletableFuture.runAsync(() -> record(Client.GRPC, k, c, Map.of(target, Server.GRPC), "Check ",
                    run(cwd, hosts, props, "example.GrpcClient", List.of(target))), THREADS));
        } else if (c == Case.CERT) {
            // A client of this key type against any gRPC server: the key is refused before connecting.
            ED25519_REFUSALS.put("gRPC client", run(cwd, hosts, props, "example.GrpcClient", List.of(Support.B + ":" + ports.get(Server.JETTY))).all());
        }

        // In this JVM meanwhile: client.java, the JDK client snippet and curl.
        for (Server s : Server.values()) {
            if (!ports.containsKey(s)) continue;
            int port = ports.get(s);
            boolean withCert = c != Case.NONE;
            if (s.http() || c != Case.CERT) {
                var o = client.Options.of("https://" + Support.B + ":" + port + "/whoami").withCacert(certs.resolve("ca.crt"))
                        .withResolve(TlsPeers.resolve(Support.B, port));
                client.Result r = client.probe(withCert ? o.withCert(certs.resolve("service-a.crt"), certs.resolve("service-a.key")) : o);
                OUTCOMES.put(new Key(Client.CLIENT_JAVA, s, k, c), new Outcome(r.exitCode() == 0,
                        r.exitCode() == 0 ? r.body() : "exit " + r.exitCode() + " (" + r.problem().title + "): " + r.explanation()));
            }
            if (s.http()) OUTCOMES.put(new Key(Client.JDK, s, k, c), jdkClient(certs, port, withCert));
            OUTCOMES.put(new Key(Client.CURL, s, k, c), curl(cwd, s, port, withCert));
        }
        for (CompletableFuture<Void> f : running) f.join();
    }

    static Support.Result run(Path cwd, Path hosts, List<String> props, String main, List<String> args) {
        try {
            return Stacks.runClient(cwd, hosts, props, main, args);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Parses a stacks client's output: "PREFIX TARGET: BODY..." or "PREFIX TARGET failed: ERROR", one per target. */
    static void record(Client client, Stacks.KeyType k, Case c, Map<String, Server> targets, String prefix, Support.Result r) {
        for (var t : targets.entrySet()) {
            Matcher m = Pattern.compile("(?ms)^" + Pattern.quote(prefix + t.getKey()) + "( failed)?: (.*?)(?=^" + Pattern.quote(prefix) + "|\\z)")
                    .matcher(r.out());
            OUTCOMES.put(new Key(client, t.getValue(), k, c), m.find() ? new Outcome(m.group(1) == null, m.group(2).strip())
                    : new Outcome(false, "no line for " + t.getKey() + " (exit " + r.code() + "):\n" + r.all()));
        }
    }

    /** The JDK snippets: PemSslContext and MtlsClient, to the server's address (its certificate names 127.0.0.1 too). */
    static Outcome jdkClient(Path certs, int port, boolean withCert) {
        try {
            SSLContext ctx;
            if (withCert) {
                ctx = PemSslContext.load(certs.resolve("service-a.crt"), certs.resolve("service-a.key"), certs.resolve("ca.crt"));
            } else {
                ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {PemSslContext.trustManager(certs.resolve("ca.crt"))}, null);
            }
            HttpClient http = MtlsClient.create(ctx);
            return new Outcome(true, MtlsClient.get(http, URI.create("https://127.0.0.1:" + port + "/whoami")));
        } catch (Exception e) {
            return new Outcome(false, e.toString());
        }
    }

    /** curl: GET /whoami, or for gRPC the health check itself (HTTP/2 POST of a framed empty request). */
    static Outcome curl(Path cwd, Server s, int port, boolean withCert) {
        Path certs = cwd.resolve("certs");
        List<String> flags = new ArrayList<>();
        if (withCert) flags.addAll(List.of("--cert", certs.resolve("service-a.crt").toString(), "--key", certs.resolve("service-a.key").toString()));
        String path = "/whoami";
        if (s == Server.GRPC) {
            flags.addAll(List.of("--http2", "-H", "content-type: application/grpc", "-H", "te: trailers", "--data-binary",
                    "@" + work.resolve("health-check.grpc"), "-D", "-", "-o", "/dev/null"));
            path = "/grpc.health.v1.Health/Check";
        }
        Support.Result r = TlsPeers.curl(cwd, certs.resolve("ca.crt").toString(), Support.B, port, path, flags.toArray(String[]::new));
        boolean ok = r.code() == 0 && (s != Server.GRPC || r.out().contains("grpc-status: 0"));
        return new Outcome(ok, ok ? r.out() : "exit " + r.code() + ": " + r.err().strip());
    }

    @AfterAll
    static void report() {
        THREADS.shutdownNow();
        System.out.println("The stacks' matrix took " + seconds + " s");
    }

    // ------------------------------------------------------------------ the cells

    /**
     * What each client says when a server refuses it, without a certificate and with another CA's: one of
     * these forms ("[...]" stands for any text), as the page shows them. Which one depends on the server
     * (the JDK's HttpsServer closes without an alert) and on timing: over TLS 1.3 the client may be
     * writing its request when the alert arrives, and then sees the connection closed instead.
     */
    static final Map<Client, List<List<String>>> REFUSED = new EnumMap<>(Map.of(
            Client.CLIENT_JAVA, List.of(List.of("exit 63 (server requires a client certificate)"),
                    List.of("exit 64 (server rejected our client certificate)")),
            Client.JDK, both("SSLHandshakeException: Received fatal alert: bad_certificate",
                    "IOException: HTTP/1.1 header parser received no bytes", "IOException: Connection reset"),
            Client.RESTCLIENT, both("ResourceAccessException: I/O error on GET request for [...]: Received fatal alert: bad_certificate",
                    "ResourceAccessException: I/O error on GET request for [...]: Broken pipe",
                    "ResourceAccessException: I/O error on GET request for [...]: Connection reset",
                    "ResourceAccessException: I/O error on GET request for [...] failed to respond"),
            Client.OKHTTP, both("SSLHandshakeException: Received fatal alert: bad_certificate", "SocketException: Broken pipe",
                    "SocketException: Connection reset", "IOException: unexpected end of stream on [...]"),
            Client.HTTPCLIENT5, both("SSLHandshakeException: Received fatal alert: bad_certificate", "SocketException: Broken pipe",
                    "SocketException: Connection reset", "NoHttpResponseException: [...] failed to respond"),
            Client.GRPC, both("StatusRuntimeException: UNAVAILABLE: ssl exception [...]TLSV1_ALERT_CERTIFICATE_REQUIRED",
                    "StatusRuntimeException: UNAVAILABLE: io exception"),
            Client.CURL, both("curl: (56) [...] alert bad certificate", "curl: (56) [...] alert certificate required",
                    "curl: (56) [...] alert certificate unknown", "curl: (56) [...] alert internal error", "curl: (52) Empty reply from server",
                    "curl: (55) [...]", "curl: (56) [...] Connection reset by peer")));

    static List<List<String>> both(String... forms) {
        return List.of(List.of(forms), List.of(forms));
    }

    /** Whether text shows one of the forms. */
    static boolean shows(String text, List<String> forms) {
        for (String f : forms) {
            String regex = Stream.of(f.split("\\[\\.\\.\\.\\]", -1)).map(Pattern::quote).reduce((x, y) -> x + ".*?" + y).orElse("");
            if (Pattern.compile(regex, Pattern.DOTALL).matcher(text).find()) return true;
        }
        return false;
    }

    /** Every cell that runs: same protocol, and a key type both stacks hold. */
    static boolean runs(Client cl, Server s, Stacks.KeyType k) {
        return cl.speaks(s) && cl.supports(k) && !(s == Server.GRPC && k == Stacks.KeyType.ED25519);
    }

    @TestFactory
    Stream<DynamicTest> everyCell() {
        List<DynamicTest> cells = new ArrayList<>();
        for (Client cl : Client.values())
            for (Server s : Server.values())
                for (Stacks.KeyType k : Stacks.KeyType.values())
                    if (runs(cl, s, k)) cells.add(DynamicTest.dynamicTest(cl.shown + " -> " + s.shown + ", " + k.shown, () -> {
                        List<String> wrong = problems(cl, s, k);
                        assertTrue(wrong.isEmpty(), () -> String.join("\n", wrong));
                    }));
        return cells.stream();
    }

    /** What is wrong in a cell: nothing when it passed. */
    static List<String> problems(Client cl, Server s, Stacks.KeyType k) {
        List<String> wrong = new ArrayList<>();
        String where = cl.shown + " -> " + s.shown + " (" + k.shown + ")";
        // client.java speaks HTTP/1.1, which a gRPC server refuses even with a certificate: only its refusals count.
        if (!(cl == Client.CLIENT_JAVA && s == Server.GRPC)) {
            Outcome ok = OUTCOMES.get(new Key(cl, s, k, Case.CERT));
            if (ok == null || !ok.ok()) wrong.add(where + " with service A's certificate failed: " + ok);
            else if (s != Server.GRPC && !ok.text().contains(CN_A)) wrong.add(where + ": the server did not see " + CN_A + ": " + ok.text());
        }
        for (Case c : List.of(Case.NONE, Case.STRANGER)) {
            Outcome o = OUTCOMES.get(new Key(cl, s, k, c));
            if (o == null || o.ok()) wrong.add(where + " " + c + " was not refused: " + o);
            else if (!shows(o.text(), REFUSED.get(cl).get(c == Case.NONE ? 0 : 1)))
                wrong.add(where + " " + c + ": the client said what the page does not show: " + o.text());
        }
        return wrong;
    }

    // ------------------------------------------------------------------ the page's tables

    /** The matrix as the page shows it: a mark per key type in each cell. */
    static String matrixTable() {
        StringBuilder t = new StringBuilder("| client ↓ server → |");
        for (Server s : Server.values()) t.append(' ').append(s.shown).append(" |");
        t.append("\n|---|").append("---|".repeat(Server.values().length)).append('\n');
        for (Client cl : Client.values()) {
            t.append("| ").append(cl.shown).append(" |");
            for (Server s : Server.values()) {
                if (!cl.speaks(s)) {
                    t.append(" · |");
                    continue;
                }
                List<String> marks = new ArrayList<>();
                for (Stacks.KeyType k : Stacks.KeyType.values())
                    marks.add(!runs(cl, s, k) ? "–" : problems(cl, s, k).isEmpty() ? "✓" : "✗");
                t.append(' ').append(String.join(" ", marks)).append(cl == Client.CLIENT_JAVA && s == Server.GRPC ? " ¹" : "").append(" |");
            }
            t.append('\n');
        }
        return t.toString();
    }

    /** What each client says when refused, as the page shows it. */
    static String refusalTable() {
        StringBuilder t = new StringBuilder("| client | without a certificate | with another CA's certificate |\n|---|---|---|\n");
        for (Client cl : Client.values()) {
            t.append("| ").append(cl.shown).append(" |");
            for (List<String> forms : REFUSED.get(cl))
                t.append(' ').append(forms.stream().map(f -> "`" + f + "`").reduce((x, y) -> x + "<br>" + y).orElse("")).append(" |");
            t.append('\n');
        }
        return t.toString();
    }

    /** The page shows the tables this run produced; -Dstacks.rewrite=true writes them into it. */
    @Test
    void thePageShowsTheTablesThisRunProduced() throws Exception {
        String page = Files.readString(Stacks.DOC);
        String matrix = matrixTable(), refusals = refusalTable();
        if (Boolean.getBoolean("stacks.rewrite")) {
            page = Stacks.withGenerated(Stacks.withGenerated(page, "matrix", matrix), "refusals", refusals);
            Files.writeString(Stacks.DOC, page);
        }
        assertEquals(matrix, Stacks.generated(page, "matrix"), "docs/java-stacks.md's matrix is not this run's (-Dstacks.rewrite=true writes it)");
        assertEquals(refusals, Stacks.generated(page, "refusals"), "docs/java-stacks.md's refusals are not this run's (-Dstacks.rewrite=true writes them)");
    }

    /** serve.java's log names each caller that got in; the gRPC server's log names its callers too. */
    @Test
    void theServersLogTheCallersIdentity() {
        for (Stacks.KeyType k : Stacks.KeyType.values()) {
            long served = Stream.of(Client.values()).filter(cl -> cl.speaks(Server.SERVE) && cl.supports(k)).count();
            List<String> log = SERVE_LOGS.get(k);
            long named;
            synchronized (log) {
                named = log.stream().filter(l -> l.contains("/whoami") && l.contains(" 200 client=\"" + CN_A + "\"")).count();
            }
            assertEquals(served, named, () -> "serve.java (" + k + ") should name each of its " + served + " callers:\n" + String.join("\n", log));
        }
        for (var e : GRPC_LOGS.entrySet()) {
            long named = e.getValue().lines().filter(l -> l.equals("grpc.health.v1.Health/Check from " + CN_A)).count();
            assertEquals(2, named, () -> "the gRPC server (" + e.getKey() + ") should name its two callers (the stub and curl):\n" + e.getValue());
        }
    }

    @Test
    void ed25519IsRefusedWhereThePageSaysSo() {
        assertTrue(ED25519_REFUSALS.get("gRPC server").contains("does not contain valid private key"), ED25519_REFUSALS::toString);
        assertTrue(ED25519_REFUSALS.get("gRPC client").contains("does not contain valid private key"), ED25519_REFUSALS::toString);
        assertTrue(ED25519_REFUSALS.get("OkHttp").contains("HeldCertificate"), ED25519_REFUSALS::toString);
    }
}
