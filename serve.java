///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/Failure.java
//SOURCES lib/Text.java
//SOURCES lib/Der.java
//SOURCES lib/Keys.java
//SOURCES lib/Certs.java
//SOURCES lib/Names.java
//SOURCES lib/Pem.java
//SOURCES lib/Describe.java
//SOURCES lib/ReloadingKeyManager.java
//SOURCES lib/Tls.java
//SOURCES lib/Fetch.java
//SOURCES lib/Diagnosis.java
//SOURCES lib/Cli.java
//DESCRIPTION Serves the tutorial's HTTPS service (section 4) with client auth none, want or need.
// A small heap and the serial collector: the JVM's default heap is a quarter of the machine's
// memory, and G1 held 343-620 MB through the benchmark's load (docs/BENCHMARKS.md); this holds
// 123-136 MB, with no loss of handshakes or requests per second.
//JAVA_OPTIONS -XX:+UseSerialGC -Xmx64m

// serve.java: section 4 of the tutorial, service A or B, on the JDK's own HttpsServer.
// `./jbang serve.java --name service-b --port 8443 --client-auth need` serves DIR/service-b.crt
// and .key (DIR: certs, or --dir), trusts DIR/ca.crt for client certificates, and answers the
// routes of enum Route below (/, /whoami, /w-mtls, /wo-cert-mtls, /wo-ca-mtls): --help, the 404
// page and the reference all list them from that one table.
// The peer routes answer HTTP 200 with the peer's body or a paragraph that names the cause.
// Replaced certificate files are picked up without a restart; Ctrl-C stops it.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve.java", mixinStandardHelpOptions = true, version = "jbang-mtls serve 0.2",
        description = {"Serves the tutorial's HTTPS service (section 4): / answers Hello from \"NAME\".",
                "Replaced certificate files are used for new connections without a restart."},
        sortOptions = false)
public class serve implements Callable<Integer>, Cli.Setup {

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "Service name, as in Hello from \"NAME\"; also the default file name (service-b).")
    String name;

    @Option(names = "--port", defaultValue = "8443", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the service to the network).")
    String host;

    @Option(names = "--client-auth", defaultValue = "need", paramLabel = "MODE",
            description = "none (ask for no client certificate), want (ask, accept none) or need (refuse "
                    + "without a valid one) (default: ${DEFAULT-VALUE}).")
    String clientAuth;

    @Mixin Cli.Dir dir;

    @Option(names = "--cert", paramLabel = "FILE", description = "Our certificate (default: DIR/NAME.crt), optionally followed by its chain.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "Our private key (default: DIR/NAME.key).")
    Path key;

    @Mixin Cli.KeyPassword keyPassword;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "CA certificates trusted for client certificates and for --peer (default: DIR/ca.crt).")
    Path cacert;

    @Option(names = "--peer", paramLabel = "URL", description = "The service the /w-mtls, /wo-cert-mtls and /wo-ca-mtls routes call.")
    URI peer;

    @Option(names = "--resolve", paramLabel = "HOST:PORT:ADDR",
            description = "Reach HOST:PORT of --peer at ADDR, as curl --resolve (no /etc/hosts edit). Repeatable.")
    List<String> resolve = new ArrayList<>();

    @Option(names = "--allow", paramLabel = "PATTERN",
            description = {"Admit only callers whose client certificate matches PATTERN; others get 403. Repeatable: any match admits.",
                    "PATTERN: DNS:NAME, URI:URI, IP:ADDR or EMAIL:ADDR (a SAN), or CN=NAME (the subject CN). * matches "
                            + "any characters, dots and slashes included. DNS, EMAIL and CN ignore case.",
                    "E.g. --allow DNS:service-a.example.com",
                    "or --allow 'URI:spiffe://example.org/*'",
                    "or --allow 'CN=service-a.*'",
                    "Without --allow, any certificate from --cacert is admitted."})
    List<String> allow = new ArrayList<>();

    @Option(names = "--crl", paramLabel = "FILE",
            description = "Refuse client certificates this CRL lists as revoked (PEM or DER, signed by a CA in --cacert; "
                    + "ca.java revoke writes certs/ca.crl). Re-read when the file changes.")
    Path crl;

    @Mixin Cli.Debug debug;

    @Spec
    CommandSpec spec;

    /** The service call() started: a test that runs the command in-process stops it here. */
    volatile Running running;

    public static void main(String... args) {
        System.exit(Cli.run(new serve(), args));
    }

    /** The routes, in --help as in the 404 page: both come from enum Route. */
    @Override public void setup(picocli.CommandLine cl) {
        var usage = cl.getCommandSpec().usageMessage();
        List<String> lines = new ArrayList<>(List.of(usage.description()));
        lines.add(1, "Routes:");
        for (Route r : Route.values()) lines.add(2 + r.ordinal(), String.format("  %-14s %s", r.path, r.does));
        usage.description(lines.toArray(new String[0]));
    }

    /** What this service answers, declared once: --help, the 404 page and docs/reference.md list these. */
    public enum Route {
        ROOT("/", "Hello from \"NAME\" (text/plain, as the tutorial's services)"),
        WHOAMI("/whoami", "the client certificate this service saw, or that none was sent"),
        W_MTLS("/w-mtls", "calls --peer with our certificate and the CA (tutorial 4.3.3: works)"),
        WO_CERT_MTLS("/wo-cert-mtls", "calls --peer with the CA but no certificate (tutorial 4.3.4: fails)"),
        WO_CA_MTLS("/wo-ca-mtls", "calls --peer with our certificate and the JDK's default trust (tutorial 4.3.5: fails)");

        public final String path;
        public final String does;

        Route(String path, String does) {
            this.path = path;
            this.does = does;
        }

        static Route of(String path) {
            for (Route r : values()) if (r.path.equals(path)) return r;
            return null;
        }

        static String list() {
            return String.join(" ", java.util.Arrays.stream(values()).map(r -> r.path).toList());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        ClientAuth auth = ClientAuth.parse(clientAuth);
        String base = name.split("\\.")[0]; // issue.java names files by the first label: service-b.crt
        PrintWriter out = spec.commandLine().getOut();
        Config config = new Config(name, host, port, auth,
                cert != null ? cert : dir.dir.resolve(base + ".crt"), key != null ? key : dir.dir.resolve(base + ".key"),
                keyPassword.spec, cacert != null ? cacert : dir.dir.resolve("ca.crt"), peer, resolve,
                Duration.ofSeconds(1), line -> { out.println(line); out.flush(); },
                allow.stream().map(Allow::parse).toList(), crl);
        running = start(config);
        // Ctrl-C (SIGINT) runs shutdown hooks: stop accepting, let requests in flight finish (1 s), log it.
        Runtime.getRuntime().addShutdownHook(new Thread(running::stop, "serve-shutdown"));
        out.println("Stop with Ctrl-C.");
        out.flush();
        running.awaitStop();
        return 0;
    }

    // ---------------------------------------------------------------- configuration

    /** none: no CertificateRequest; want: ask, accept none; need: refuse a handshake without a valid one. */
    public enum ClientAuth {
        NONE, WANT, NEED;

        static ClientAuth parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw Cli.fail("--client-auth must be none, want or need, not '%s'", s);
            }
        }
    }

    /**
     * Everything start() needs; of() gives the tutorial's defaults for NAME in a folder. allow is the
     * --allow list (empty: any certificate from the CA); crl the --crl file (null: none).
     */
    public record Config(String name, String host, int port, ClientAuth clientAuth, Path cert, Path key,
                         String keyPassword, Path cacert, URI peer, List<String> resolve, Duration reloadInterval,
                         Consumer<String> log, List<Allow> allow, Path crl) {
        /** Without --allow and --crl. */
        public Config(String name, String host, int port, ClientAuth clientAuth, Path cert, Path key, String keyPassword,
                      Path cacert, URI peer, List<String> resolve, Duration reloadInterval, Consumer<String> log) {
            this(name, host, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, log, List.of(), null);
        }
        /** certs/NAME.crt, .key and ca.crt in dir, bound to 127.0.0.1, logging to stdout. */
        public static Config of(String name, Path dir, int port, ClientAuth auth) {
            String base = name.split("\\.")[0]; // issue.java names files by the first label: service-b.crt
            return new Config(name, "127.0.0.1", port, auth, dir.resolve(base + ".crt"), dir.resolve(base + ".key"),
                    null, dir.resolve("ca.crt"), null, List.of(), Duration.ofSeconds(1), System.out::println);
        }
        public Config withPeer(URI peerUrl, List<String> resolveSpecs) {
            return new Config(name, host, port, clientAuth, cert, key, keyPassword, cacert, peerUrl, resolveSpecs, reloadInterval, log, allow, crl);
        }
        public Config withLog(Consumer<String> sink) {
            return new Config(name, host, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, sink, allow, crl);
        }
        public Config withHost(String bindHost) {
            return new Config(name, bindHost, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, log, allow, crl);
        }
        /** --allow PATTERN...: e.g. withAllow("DNS:service-a.example.com"). */
        public Config withAllow(String... patterns) {
            return new Config(name, host, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, log,
                    java.util.Arrays.stream(patterns).map(Allow::parse).toList(), crl);
        }
        public Config withCrl(Path crlFile) {
            return new Config(name, host, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, log, allow, crlFile);
        }
    }

    // ---------------------------------------------------------------- starting and stopping

    /** A running service: its port, its current certificate, and stop(). */
    public static final class Running implements AutoCloseable {
        private final HttpsServer server;
        private final ExecutorService workers;
        private final ScheduledExecutorService reloader;
        private final ReloadingKeyManager keys;
        private final Consumer<String> log;
        private final CountDownLatch stopped = new CountDownLatch(1);

        Running(HttpsServer server, ExecutorService workers, ScheduledExecutorService reloader,
                ReloadingKeyManager keys, Consumer<String> log) {
            this.server = server;
            this.workers = workers;
            this.reloader = reloader;
            this.keys = keys;
            this.log = log;
        }

        public int port() { return server.getAddress().getPort(); }
        public InetSocketAddress address() { return server.getAddress(); }
        public X509Certificate certificate() { return keys.current().chain()[0]; }

        /** Stops accepting, gives requests in flight a second, and frees the port. Safe to call twice. */
        public synchronized void stop() {
            if (stopped.getCount() == 0) return;
            reloader.shutdownNow();
            // Requests in flight get up to a second. server.stop(1) itself would always wait the whole
            // second on JDK 17 (JDK-8304065, fixed in 21), so drain the workers first, then stop(0).
            workers.shutdown();
            try {
                workers.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.stop(0);
            workers.shutdownNow();
            log.accept("stopped");
            stopped.countDown();
        }

        public void awaitStop() throws InterruptedException { stopped.await(); }

        @Override public void close() { stop(); }
    }

    /** Checks the files, binds, and serves; returns at once. Fails with one line on a bad file or a busy port. */
    public static Running start(Config c) {
        // HttpsServer reads these once, when its classes load (sun.net.httpserver.ServerConfig).
        // -D on the command line wins. TCP_NODELAY lifts handshakes from 20/s to ~285/s.
        setIfAbsent("sun.net.httpserver.nodelay", "true");
        // A connection must finish its TLS handshake and request headers within 10 s of its first
        // byte, and one that sends nothing is closed after 10 s too (the idle limit of a new
        // connection is the lesser of idleInterval and maxReqTime). Without maxReqTime a half-sent
        // ClientHello holds a worker thread for ever (bench/attack.java, docs/RELIABILITY.md).
        setIfAbsent("sun.net.httpserver.maxReqTime", "10");
        setIfAbsent("sun.net.httpserver.maxRspTime", "60");
        // The idle check runs every clockTick ms (default 10 s): each second keeps the 10 s bound near 10 s.
        setIfAbsent("sun.net.httpserver.clockTick", "1000");
        // At most this many connections at once; the JDK closes more at accept. It also bounds the threads.
        setIfAbsent("jdk.httpserver.maxConnections", "256");
        if (c.clientAuth() == ClientAuth.NONE && (!c.allow().isEmpty() || c.crl() != null))
            throw Cli.fail("--allow and --crl judge client certificates, which --client-auth none never asks for: "
                    + "use --client-auth need (or want)");

        Tls.Identity identity = loadIdentity(c);
        var keys = new ReloadingKeyManager(identity.pair());
        boolean needCa = c.clientAuth() != ClientAuth.NONE || c.peer() != null;
        var crls = new AtomicReference<List<X509CRL>>(c.crl() == null ? List.of() : loadCrls(c));
        var clientTrust = new Tls.ReloadableTrustManager(needCa ? Tls.trustManager(c.cacert(), crls.get()) : Tls.trustManager(null));
        var trust = new Tls.RecordingTrustManager(clientTrust, null, c.log());
        SSLContext ctx = Tls.context(keys, trust);
        var resolve = Tls.parseResolve(c.resolve());

        HttpsServer server;
        try {
            server = HttpsServer.create(new InetSocketAddress(c.host(), c.port()), 128);
        } catch (IOException e) {
            throw Cli.fail("cannot listen on %s:%d: %s (is another service using the port?)", c.host(), c.port(), Text.of(e));
        }
        server.setHttpsConfigurator(configurator(ctx, c.clientAuth()));
        ExecutorService workers = workers(Integer.getInteger("jdk.httpserver.maxConnections", 256));
        server.setExecutor(workers);
        server.createContext("/", ex -> handle(ex, c, keys, resolve, crls));
        server.start();

        ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> Tls.daemon("serve-reload", r));
        Running running = new Running(server, workers, reloader, keys, c.log());
        watchFiles(c, keys, reloader);
        if (c.crl() != null) watchCrl(c, ctx, clientTrust, crls, reloader);
        c.log().accept(String.format("Serving \"%s\" on https://%s:%d/ (client auth: %s; certificate serial %s, "
                + "valid until %s)%s%s%s", c.name(), c.host(), running.port(), c.clientAuth().name().toLowerCase(Locale.ROOT),
                identity.cert().getSerialNumber().toString(16), Describe.utc(identity.cert().getNotAfter().toInstant()),
                needCa && c.clientAuth() != ClientAuth.NONE ? "; client certificates must chain to " + c.cacert() : "",
                c.allow().isEmpty() ? "" : "; only callers matching " + allowList(c.allow()),
                c.crl() == null ? "" : "; revoked ones are refused (" + c.crl() + ": " + Describe.crls(crls.get()) + ")"));
        return running;
    }

    /**
     * HttpsServer (sun.net.httpserver.ServerImpl) runs each connection's TLS handshake and request
     * read on an executor thread with blocking reads, so a client that stalls mid-handshake holds a
     * thread until maxReqTime. A fixed pool of 16 let 20 stalled handshakes hold up every caller for
     * 20 s and more (bench/attack.java). So threads grow on demand up to one per allowed connection,
     * and extra ones end after 10 s idle. Were the pool ever full, the JDK closes the new connection
     * (ServerImpl.Dispatcher.handle catches the RejectedExecutionException).
     */
    static ExecutorService workers(int maxConnections) {
        int max = maxConnections > 0 ? maxConnections : 1024;
        return new ThreadPoolExecutor(Math.min(8, max), max, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> Tls.daemon("serve-worker", r));
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) System.setProperty(property, value);
    }

    /**
     * TLS 1.2/1.3 and the client-auth mode. setNeedClientAuth must be set on SSLParameters: on
     * HttpsParameters alone the JDK calls setWantClientAuth(false) after it, which resets the mode
     * to none (sun.net.httpserver.SSLStreams; snippets/MtlsServer.java shows the trap).
     */
    static HttpsConfigurator configurator(SSLContext ctx, ClientAuth auth) {
        return new HttpsConfigurator(ctx) {
            @Override public void configure(HttpsParameters params) {
                SSLParameters sp = Tls.parameters(ctx);
                if (auth == ClientAuth.NEED) sp.setNeedClientAuth(true);
                else if (auth == ClientAuth.WANT) sp.setWantClientAuth(true);
                params.setSSLParameters(sp);
            }
        };
    }

    /** Our certificate and key; refused at start when they do not belong together. */
    static Tls.Identity loadIdentity(Config c) {
        Tls.Identity id = Tls.readIdentity(c.cert(), c.key(), Cli.passwordFor(c.key(), "key", c.keyPassword(), "--key-password"));
        if (!id.keyMatches()) throw Cli.fail(Tls.keyMismatch(id));
        Instant now = Instant.now();
        if (now.isAfter(id.cert().getNotAfter().toInstant()))
            c.log().accept("Warning: " + c.cert() + " expired on " + Describe.utc(id.cert().getNotAfter().toInstant())
                    + "; clients will refuse it. Re-issue it with ./jbang issue.java --force; it is picked up without a restart.");
        return id;
    }

    // ---------------------------------------------------------------- hot reload

    /**
     * Polls the certificate and key files (a poll also sees atomic renames and symlink swaps, as in
     * Kubernetes secrets). A change is loaded once the files have stayed the same for one interval,
     * because issue.java replaces the .crt and the .key one after the other. A new pair that fails
     * to load, or whose key does not match, is refused and logged; the old pair keeps serving.
     */
    static void watchFiles(Config c, ReloadingKeyManager keys, ScheduledExecutorService reloader) {
        String[] state = {digest(List.of(c.cert(), c.key())), null}; // [0] last seen, [1] last seen while still changing
        state[1] = state[0];
        String[] loaded = {state[0]};
        long ms = c.reloadInterval().toMillis();
        reloader.scheduleWithFixedDelay(() -> {
            String now = digest(List.of(c.cert(), c.key()));
            if (!now.equals(state[1])) { state[1] = now; return; } // still changing: wait one more interval
            if (now.equals(loaded[0])) return;
            loaded[0] = now;
            reload(c, keys);
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    static void reload(Config c, ReloadingKeyManager keys) {
        X509Certificate old = keys.current().chain()[0];
        try {
            Tls.Identity next = Tls.readIdentity(c.cert(), c.key(), Cli.passwordFor(c.key(), "key", c.keyPassword(), "--key-password"));
            if (!next.keyMatches()) throw Cli.fail(Tls.keyMismatch(next));
            if (next.cert().getSerialNumber().equals(old.getSerialNumber())) return;
            keys.replace(next.pair());
            c.log().accept(String.format("reloaded %s: serial %s, valid until %s; new connections use it "
                    + "(clients resuming an old TLS session still see serial %s until they reconnect afresh)",
                    c.cert(), next.cert().getSerialNumber().toString(16), Describe.utc(next.cert().getNotAfter().toInstant()),
                    old.getSerialNumber().toString(16)));
        } catch (RuntimeException e) { // Cli.Failure included: a one-line cause
            c.log().accept("error: refused the new certificate files: " + e.getMessage()
                    + "; still serving serial " + old.getSerialNumber().toString(16));
        }
    }

    /** A fingerprint of the files' bytes; a missing file is a state of its own. */
    static String digest(List<Path> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : files) {
                md.update(Files.exists(p) ? Files.readAllBytes(p) : new byte[0]);
                md.update((byte) 0);
            }
            return Arrays.toString(md.digest());
        } catch (Exception e) {
            return "unreadable: " + e;
        }
    }

    // ---------------------------------------------------------------- revocation (--crl)

    /** The --crl file, read and checked against --cacert; a CRL past its next update gets a warning. */
    static List<X509CRL> loadCrls(Config c) {
        List<X509CRL> crls = Tls.verifiedCrls(c.crl(), c.cacert());
        for (X509CRL crl : crls)
            if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(Instant.now()))
                c.log().accept("Warning: the CRL in " + c.crl() + " passed its next update on "
                        + Describe.utc(crl.getNextUpdate().toInstant()) + ", so it no longer proves anything: every client "
                        + "certificate of " + Names.dn(crl.getIssuerX500Principal()) + " is refused until it is renewed. "
                        + "Renew it with ./jbang ca.java revoke (no certificate needed); it is picked up without a restart.");
        return crls;
    }

    /**
     * Polls the --crl file like the certificate files. A new CRL that reads and verifies replaces
     * the old one at once, for handshakes and for requests on connections already open (handle()
     * checks each request, since a kept-alive or resumed TLS session does not repeat the check). A
     * broken one is refused and logged; the previous CRL stays in force.
     */
    static void watchCrl(Config c, SSLContext ctx, Tls.ReloadableTrustManager trust, AtomicReference<List<X509CRL>> crls,
                         ScheduledExecutorService reloader) {
        String[] state = {digest(List.of(c.crl())), null};
        state[1] = state[0];
        String[] loaded = {state[0]};
        long ms = c.reloadInterval().toMillis();
        reloader.scheduleWithFixedDelay(() -> {
            String now = digest(List.of(c.crl()));
            if (!now.equals(state[1])) { state[1] = now; return; } // still changing: wait one more interval
            if (now.equals(loaded[0])) return;
            loaded[0] = now;
            try {
                List<X509CRL> next = loadCrls(c);
                trust.replace(Tls.trustManager(c.cacert(), next));
                crls.set(next);
                // Cached sessions were checked against the old CRL: drop them. (A TLS 1.3 client may still
                // resume from a ticket, and a kept-alive connection stays open: handle() checks each request.)
                var sessions = ctx.getServerSessionContext();
                for (byte[] id : java.util.Collections.list(sessions.getIds())) {
                    SSLSession s = sessions.getSession(id);
                    if (s != null) s.invalidate();
                }
                c.log().accept("reloaded " + c.crl() + ": " + Describe.crls(next) + "; it applies to new handshakes and requests");
            } catch (RuntimeException e) { // Cli.Failure included: a one-line cause
                c.log().accept("error: refused the new CRL " + c.crl() + ": " + e.getMessage() + "; the previous CRL stays in force");
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** The CRL entry that revokes cert, or null. The CRL must be from cert's issuer (it was verified at load). */
    static java.security.cert.X509CRLEntry revocation(List<X509CRL> crls, X509Certificate cert) {
        for (X509CRL crl : crls)
            if (crl.getIssuerX500Principal().equals(cert.getIssuerX500Principal())) {
                var entry = crl.getRevokedCertificate(cert.getSerialNumber());
                if (entry != null) return entry;
            }
        return null;
    }

    // ---------------------------------------------------------------- authorization (--allow)

    /**
     * One --allow pattern: a SAN of one type (DNS:, URI:, IP:, EMAIL:) or the subject's CN (CN=), in
     * the notation openssl prints. * matches any run of characters. DNS names, e-mail addresses and
     * CNs compare without regard to case (RFC 4343, 5280); URIs such as SPIFFE IDs compare exactly;
     * IP addresses compare as addresses.
     */
    public record Allow(String type, String pattern) {
        static final List<String> TYPES = List.of("DNS:", "URI:", "IP:", "EMAIL:", "CN=");

        public static Allow parse(String spec) {
            for (String t : TYPES) {
                if (!spec.regionMatches(true, 0, t, 0, t.length())) continue;
                String p = spec.substring(t.length()).trim();
                if (p.isEmpty()) throw Cli.fail("--allow '%s' has nothing after %s", spec, t);
                if (t.equals("IP:") && !org.bouncycastle.util.IPAddress.isValid(p))
                    throw Cli.fail("--allow '%s': IP: takes one address, such as IP:127.0.0.1 (no *)", spec);
                return new Allow(t, p);
            }
            throw Cli.fail("--allow '%s' does not say which name to match: write DNS:NAME, URI:URI, IP:ADDR, EMAIL:ADDR "
                    + "or CN=NAME (* matches any characters), e.g. --allow DNS:service-a.example.com", spec);
        }

        /** Whether one of the certificate's names (as names() gives them) matches. */
        boolean matches(List<String> names) {
            for (String n : names) {
                if (!n.startsWith(type)) continue;
                String value = n.substring(type.length());
                if (type.equals("IP:")) {
                    try { // both are literals: no name lookup happens
                        if (java.net.InetAddress.getByName(pattern).equals(java.net.InetAddress.getByName(value))) return true;
                    } catch (IOException e) {
                        // not an address: no match
                    }
                    continue;
                }
                String regex = java.util.Arrays.stream(pattern.split("\\*", -1))
                        .map(java.util.regex.Pattern::quote).collect(java.util.stream.Collectors.joining(".*"));
                int flags = type.equals("URI:") ? 0 : java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE;
                if (java.util.regex.Pattern.compile(regex, flags).matcher(value).matches()) return true;
            }
            return false;
        }

        @Override public String toString() { return type + pattern; }
    }

    /** The names a certificate shows, in --allow's notation: DNS:..., URI:..., IP:..., EMAIL:... and CN=... */
    static List<String> names(X509Certificate cert) {
        List<String> names = new ArrayList<>();
        try {
            var sans = cert.getSubjectAlternativeNames();
            for (List<?> san : sans == null ? List.<List<?>>of() : sans) {
                String prefix = switch ((Integer) san.get(0)) {
                    case 1 -> "EMAIL:";
                    case 2 -> "DNS:";
                    case 6 -> "URI:";
                    case 7 -> "IP:";
                    default -> null;
                };
                if (prefix != null) names.add(prefix + san.get(1));
            }
        } catch (CertificateParsingException e) {
            // an unreadable SAN matches nothing
        }
        for (var rdn : Certs.holder(cert).getSubject().getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN))
            names.add("CN=" + Names.cn(new org.bouncycastle.asn1.x500.X500Name(new org.bouncycastle.asn1.x500.RDN[] {rdn})));
        return names;
    }

    static String allowList(List<Allow> allow) {
        return allow.stream().map(Allow::toString).collect(java.util.stream.Collectors.joining(" or "));
    }

    /**
     * Why this caller may not proceed, as the 403 body says it, or null: no certificate (want mode with
     * --allow), a certificate revoked since its session began, or one that matches no --allow pattern.
     */
    static String refusal(HttpExchange ex, Config c, List<X509CRL> crls) {
        if (c.allow().isEmpty() && c.crl() == null) return null;
        X509Certificate cert = clientCertificate(ex);
        if (cert == null) // want mode: a caller without a certificate passes, unless there is an allow-list
            return c.allow().isEmpty() ? null : "Forbidden: this service admits only callers with a client certificate "
                    + "matching " + allowList(c.allow()) + ", and you sent none.\n";
        var revoked = revocation(crls, cert);
        if (revoked != null)
            return "Forbidden: your client certificate \"" + Names.subject(cert) + "\" (serial " + cert.getSerialNumber().toString(16)
                    + ") was revoked on " + Describe.utc(revoked.getRevocationDate().toInstant()) + " (it is listed in " + c.crl()
                    + "). Fix: use a new certificate: ./jbang issue.java --force NAME.\n";
        List<String> names = names(cert);
        if (c.allow().isEmpty() || c.allow().stream().anyMatch(a -> a.matches(names))) return null;
        return "Forbidden: this service admits only callers whose certificate matches " + allowList(c.allow())
                + ". Your certificate (serial " + cert.getSerialNumber().toString(16) + ", issued by " + Names.issuer(cert)
                + ") shows " + (names.isEmpty() ? "no name at all" : String.join(", ", names) + ", and none of them matches")
                + ". Fix: call with a certificate that matches, or ask the operator of this service to add your name"
                + (names.isEmpty() ? "" : ", e.g. --allow " + names.get(0)) + ".\n";
    }

    // ---------------------------------------------------------------- routes

    static void handle(HttpExchange ex, Config c, ReloadingKeyManager keys, java.util.Map<String, InetSocketAddress> resolve,
                       AtomicReference<List<X509CRL>> crls) throws IOException {
        int status = 200;
        String body;
        String path = ex.getRequestURI().getPath();
        String refused = null;
        try {
            if ((refused = refusal(ex, c, crls.get())) != null) {
                status = 403;
                body = refused;
            } else if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                status = 405;
                body = "Only GET is served here.\n";
            } else {
                Route route = Route.of(path);
                if (route == null) {
                    status = 404;
                    body = "Not found. Routes: " + Route.list() + "\n";
                } else body = switch (route) {
                    case ROOT -> "Hello from \"" + c.name() + "\"";
                    case WHOAMI -> whoami(ex, c);
                    case W_MTLS -> callPeer(c, identity(c, keys), c.cacert(), resolve);
                    case WO_CERT_MTLS -> callPeer(c, null, c.cacert(), resolve);
                    case WO_CA_MTLS -> callPeer(c, identity(c, keys), null, resolve);
                };
            }
        } catch (RuntimeException e) {
            status = 500;
            body = "error: " + Text.of(e) + "\n";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, ex.getRequestMethod().equals("HEAD") ? -1 : bytes.length);
        if (!ex.getRequestMethod().equals("HEAD")) ex.getResponseBody().write(bytes);
        ex.close();
        c.log().accept(requestLine(ex, path, status) + (refused == null ? ""
                : refused.contains(" was revoked on ") ? " (refused: the certificate is revoked)"
                : refused.contains("sent none") ? " (refused: no client certificate)" : " (refused: no --allow pattern matches)"));
    }

    /** One line per request: who called (the client certificate), how (TLS version), and the status. */
    static String requestLine(HttpExchange ex, String path, int status) {
        SSLSession s = ((HttpsExchange) ex).getSSLSession();
        X509Certificate client = clientCertificate(ex);
        return String.format("%s %s %s %d %s client=%s from %s", Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                ex.getRequestMethod(), path, status, s.getProtocol(),
                client == null ? "(no certificate)" : "\"" + subjectOf(s, client) + "\"",
                ex.getRemoteAddress().getAddress().getHostAddress());
    }

    /**
     * The caller's subject for the log line, parsed once per TLS session: parsing it on every
     * request cost half the server's CPU per keep-alive request (docs/BENCHMARKS.md).
     */
    static String subjectOf(SSLSession s, X509Certificate client) {
        if (s.getValue("serve.subject") instanceof String cached) return cached;
        String subject = Names.subject(client);
        s.putValue("serve.subject", subject);
        return subject;
    }

    /** The client's certificate, or null when it sent none (getPeerCertificates throws then). */
    static X509Certificate clientCertificate(HttpExchange ex) {
        try {
            return (X509Certificate) ((HttpsExchange) ex).getSSLSession().getPeerCertificates()[0];
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    /** The certificate and key being served now, with the files they came from (for the peer routes' messages). */
    static Tls.Identity identity(Config c, ReloadingKeyManager keys) {
        ReloadingKeyManager.Pair p = keys.current();
        return new Tls.Identity(p.chain(), p.key(), c.cert(), c.key());
    }

    /** How this service sees its caller: the client certificate's subject, SANs and issuer. */
    static String whoami(HttpExchange ex, Config c) {
        SSLSession s = ((HttpsExchange) ex).getSSLSession();
        X509Certificate cert = clientCertificate(ex);
        String tls = "TLS: " + s.getProtocol() + ", " + s.getCipherSuite() + "\n";
        if (cert == null)
            return "No client certificate was sent (this service's client auth is "
                    + c.clientAuth().name().toLowerCase(Locale.ROOT) + ").\n" + tls;
        return "Client certificate:\n"
                + "  subject: " + Names.subject(cert) + "\n"
                + "  SANs:    " + Names.sans(cert) + "\n"
                + "  issuer:  " + Names.issuer(cert) + "\n"
                + "  serial:  " + cert.getSerialNumber().toString(16) + "\n"
                + "  valid until " + Describe.utc(cert.getNotAfter().toInstant()) + "\n" + tls;
    }

    /**
     * The tutorial's calls from A to B, with the JDK's HttpClient (Fetch.viaHttpClient): identity null sends no
     * certificate; caFile null trusts only the JDK's public CAs. Returns B's body, or the paragraph
     * that says why the call failed (still HTTP 200, as in the tutorial).
     */
    public static String callPeer(Config c, Tls.Identity identity, Path caFile, java.util.Map<String, InetSocketAddress> resolve) {
        if (c.peer() == null)
            return "This service has no --peer to call; start it with --peer https://service-b.example.com:8443 "
                    + "--resolve service-b.example.com:8443:127.0.0.1\n";
        Fetch.Outcome o = Fetch.viaHttpClient(new Tls.Call(c.peer(), identity, caFile, false, resolve,
                Duration.ofSeconds(5), Duration.ofSeconds(15)));
        // First line: the failure class, stable for scripts; then the paragraph for people.
        return o.ok() ? o.body() : "error: " + o.failure().problem().title + "\n" + o.failure().explanation() + "\n";
    }
}
