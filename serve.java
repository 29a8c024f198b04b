///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/pki/Failure.java
//SOURCES lib/pki/Text.java
//SOURCES lib/pki/Der.java
//SOURCES lib/pki/Keys.java
//SOURCES lib/pki/Certs.java
//SOURCES lib/pki/Names.java
//SOURCES lib/pki/Pem.java
//SOURCES lib/pki/Describe.java
//SOURCES lib/tls/ReloadingKeyManager.java
//SOURCES lib/tls/Tls.java
//SOURCES lib/tls/Fetch.java
//SOURCES lib/tls/Diagnosis.java
//SOURCES lib/tls/Http.java
//SOURCES lib/tls/TlsServer.java
//SOURCES lib/tls/Allow.java
//SOURCES lib/cli/Cli.java
//DESCRIPTION Serves the tutorial's HTTPS service (section 4) with client auth none, want or need.
// A small heap and the serial collector: the JVM's default heap is a quarter of the machine's
// memory, and G1 held 343-620 MB through the benchmark's load (docs/BENCHMARKS.md). A client may
// not renegotiate: it costs the server a full handshake at the client's whim (CVE-2011-1473), and
// the JDK reads this switch once, when its TLS classes load.
//JAVA_OPTIONS -XX:+UseSerialGC -Xmx64m -Djdk.tls.rejectClientInitiatedRenegotiation=true

// serve.java: section 4 of the tutorial, service A or B, on a connection loop of its own
// (lib/tls/TlsServer.java) over the JDK's TLS, so that every refused handshake reaches the client as a
// TLS alert and the log as one line. `./jbang serve.java --name service-b --port 8443 --client-auth need`
// serves DIR/service-b.crt and .key (DIR: certs, or --dir), trusts DIR/ca.crt for client
// certificates, and answers the routes of enum Route below (/, /whoami, /w-mtls, /wo-cert-mtls,
// /wo-ca-mtls): --help, the 404 page and the reference all list them from that one table.
// The peer routes answer HTTP 200 with the peer's body or a paragraph that names the cause.
// Replaced certificate and CRL files are picked up without a restart; Ctrl-C stops it.

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import javax.net.ssl.SSLSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve.java", mixinStandardHelpOptions = true, version = "jbang-mtls serve 0.3",
        description = {"Serves the tutorial's HTTPS service (section 4): / answers Hello from \"NAME\".",
                "Replaced certificate files are used for new connections without a restart. Every refused "
                        + "handshake is logged with its reason, at most 10 lines a second."},
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
    String peer;

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
                    + "ca.java revoke writes DIR/ca.crl). Re-read when the file changes.")
    Path crl;

    @Option(names = "--max-connections", defaultValue = "256", paramLabel = "N",
            description = "Connections open at once, in all (default: ${DEFAULT-VALUE}); more are closed at once.")
    int maxConnections;

    @Option(names = "--max-per-address", defaultValue = "64", paramLabel = "N",
            description = "Connections open at once from one caller address (default: ${DEFAULT-VALUE}), so one caller cannot lock out the others.")
    int maxPerAddress;

    @Option(names = "--handshake-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Time for a connection to complete its TLS handshake (default: ${DEFAULT-VALUE}).")
    int handshakeTimeout;

    @Option(names = "--request-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Time for a request's line and headers to arrive, once it has begun (default: ${DEFAULT-VALUE}); then 408.")
    int requestTimeout;

    @Option(names = "--idle-timeout", defaultValue = "15", paramLabel = "SECONDS",
            description = "Time a kept-alive connection may wait for its next request (default: ${DEFAULT-VALUE}).")
    int idleTimeout;

    @Option(names = "--max-header-bytes", defaultValue = "8192", paramLabel = "BYTES",
            description = "Size of a request's line and headers together (default: ${DEFAULT-VALUE}); larger gets 431.")
    int maxHeaderBytes;

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
        // serve.java only reads its key.
        Cli.help(cl, "key-password", "Password of --key, when it is encrypted (without it: asked on a terminal). " + Cli.SPEC_FORMS);
        var usage = cl.getCommandSpec().usageMessage();
        List<String> lines = new ArrayList<>(List.of(usage.description()));
        lines.add(1, "Routes:");
        for (Route r : Route.values()) lines.add(2 + r.ordinal(), String.format("  %-14s %s", r.path, r.does));
        usage.description(lines.toArray(new String[0]));
    }

    /** What this service answers, declared once: --help, the 404 page and the reference list these. */
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
            return String.join(" ", Arrays.stream(values()).map(r -> r.path).toList());
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        ClientAuth auth = ClientAuth.parse(clientAuth);
        if (port < 0 || port > 65535) throw Cli.fail("--port must be 0 to 65535, not %d", port);
        if (maxConnections < 1 || maxPerAddress < 1 || handshakeTimeout < 1 || requestTimeout < 1 || idleTimeout < 1 || maxHeaderBytes < 256)
            throw Cli.fail("--max-connections, --max-per-address and the timeouts must be at least 1, --max-header-bytes at least 256");
        URI peerUrl = null;
        if (peer != null) {
            try {
                peerUrl = Tls.url(peer);
            } catch (Failure f) {
                throw Cli.fail("--peer %s", f.getMessage());
            }
        }
        List<Allow> patterns = new ArrayList<>();
        for (String a : allow) {
            try {
                patterns.add(Allow.parse(a));
            } catch (Failure f) {
                throw Cli.fail("--allow %s", f.getMessage());
            }
        }
        String base = name.split("\\.")[0]; // issue.java names files by the first label: service-b.crt
        PrintWriter out = spec.commandLine().getOut();
        Config config = new Config(name, host, port, auth,
                cert != null ? cert : dir.dir.resolve(base + ".crt"), key != null ? key : dir.dir.resolve(base + ".key"),
                keyPassword.spec, cacert != null ? cacert : dir.dir.resolve("ca.crt"), peerUrl, resolve,
                Duration.ofSeconds(1), line -> { out.println(line); out.flush(); }, patterns, crl,
                new TlsServer.Limits(maxConnections, maxPerAddress, Duration.ofSeconds(handshakeTimeout), Duration.ofSeconds(requestTimeout),
                        Duration.ofSeconds(idleTimeout), maxHeaderBytes));
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
                throw Cli.fail("--client-auth must be none, want or need, not '%s'", Text.escape(s));
            }
        }
    }

    /**
     * Everything start() needs; of() gives the tutorial's defaults for NAME in a folder. allow is the
     * --allow list (empty: any certificate from the CA); crl the --crl file (null: none).
     */
    public record Config(String name, String host, int port, ClientAuth clientAuth, Path cert, Path key,
                         String keyPassword, Path cacert, URI peer, List<String> resolve, Duration reloadInterval,
                         Consumer<String> log, List<Allow> allow, Path crl, TlsServer.Limits limits) {
        /** Without --allow, --crl and limits of its own. */
        public Config(String name, String host, int port, ClientAuth clientAuth, Path cert, Path key, String keyPassword,
                      Path cacert, URI peer, List<String> resolve, Duration reloadInterval, Consumer<String> log) {
            this(name, host, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, log, List.of(), null,
                    TlsServer.Limits.defaults());
        }
        /** DIR/NAME.crt, .key and ca.crt, bound to 127.0.0.1, logging to stdout. */
        public static Config of(String name, Path dir, int port, ClientAuth auth) {
            String base = name.split("\\.")[0]; // issue.java names files by the first label: service-b.crt
            return new Config(name, "127.0.0.1", port, auth, dir.resolve(base + ".crt"), dir.resolve(base + ".key"),
                    null, dir.resolve("ca.crt"), null, List.of(), Duration.ofSeconds(1), System.out::println);
        }
        public Config withPeer(URI peerUrl, List<String> resolveSpecs) {
            return new Config(name, host, port, clientAuth, cert, key, keyPassword, cacert, peerUrl, resolveSpecs, reloadInterval, log, allow, crl, limits);
        }
        public Config withLog(Consumer<String> sink) {
            return new Config(name, host, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, sink, allow, crl, limits);
        }
        public Config withHost(String bindHost) {
            return new Config(name, bindHost, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, log, allow, crl, limits);
        }
        /** --allow PATTERN...: e.g. withAllow("DNS:service-a.example.com"). */
        public Config withAllow(String... patterns) {
            return new Config(name, host, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, log,
                    Arrays.stream(patterns).map(Allow::parse).toList(), crl, limits);
        }
        public Config withCrl(Path crlFile) {
            return new Config(name, host, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, log, allow, crlFile, limits);
        }
        public Config withLimits(TlsServer.Limits l) {
            return new Config(name, host, port, clientAuth, cert, key, keyPassword, cacert, peer, resolve, reloadInterval, log, allow, crl, l);
        }
    }

    // ---------------------------------------------------------------- starting and stopping

    /** A running service: its port, its current certificate, and stop(). */
    public static final class Running implements AutoCloseable {
        private final TlsServer server;
        private final ScheduledExecutorService reloader;
        private final ReloadingKeyManager keys;
        private final Consumer<String> log;
        private final CountDownLatch stopped = new CountDownLatch(1);

        Running(TlsServer server, ScheduledExecutorService reloader, ReloadingKeyManager keys, Consumer<String> log) {
            this.server = server;
            this.reloader = reloader;
            this.keys = keys;
            this.log = log;
        }

        public int port() { return server.port(); }
        public InetSocketAddress address() { return server.address(); }
        public X509Certificate certificate() { return keys.current().chain()[0]; }
        public int openConnections() { return server.openConnections(); }

        /** Stops accepting, gives requests in flight a second, and frees the port. Safe to call twice. */
        public synchronized void stop() {
            if (stopped.getCount() == 0) return;
            reloader.shutdownNow();
            server.close();
            log.accept("stopped");
            stopped.countDown();
        }

        public void awaitStop() throws InterruptedException { stopped.await(); }

        @Override public void close() { stop(); }
    }

    /** Checks the files, binds, and serves; returns at once. Fails with one line on a bad file or a busy port. */
    public static Running start(Config c) {
        // A client may not renegotiate (see //JAVA_OPTIONS above); this covers a JVM started without
        // them, as long as no TLS server has run in it yet.
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null)
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        if (c.clientAuth() == ClientAuth.NONE && (!c.allow().isEmpty() || c.crl() != null))
            throw Cli.fail("--allow and --crl judge client certificates, which --client-auth none never asks for: "
                    + "use --client-auth need (or want)");

        Tls.Identity identity = loadIdentity(c);
        var keys = new ReloadingKeyManager(identity.pair());
        boolean needCa = c.clientAuth() != ClientAuth.NONE || c.peer() != null;
        var crls = new AtomicReference<List<X509CRL>>(c.crl() == null ? List.of() : loadCrls(c));
        var clientTrust = new Tls.ReloadableTrustManager(needCa ? Tls.trustManager(c.cacert(), crls.get()) : Tls.trustManager(null));
        Map<String, InetSocketAddress> resolve;
        try {
            resolve = Tls.parseResolve(c.resolve());
        } catch (Failure f) {
            throw Cli.fail("--resolve %s", f.getMessage());
        }
        TlsServer server;
        try {
            server = TlsServer.start(new InetSocketAddress(c.host(), c.port()), keys, clientTrust, (chain, why) -> refused(c, crls.get(), chain, why),
                    TlsServer.ClientAuth.valueOf(c.clientAuth().name()), c.limits(), ex -> handle(ex, c, keys, resolve, crls), c.log());
        } catch (IOException e) {
            throw Cli.fail("cannot listen on %s:%d: %s (is another service using the port?)", Text.escape(c.host()), c.port(), Text.of(e));
        }
        ScheduledExecutorService reloader = Executors.newSingleThreadScheduledExecutor(r -> Tls.daemon("serve-reload", r));
        Running running = new Running(server, reloader, keys, c.log());
        watch(c, List.of(c.cert(), c.key()), reloader, () -> reload(c, keys));
        if (c.crl() != null) watch(c, List.of(c.crl()), reloader, () -> reloadCrl(c, server, clientTrust, crls));
        c.log().accept(String.format("Serving \"%s\" on https://%s:%d/ (client auth: %s; certificate serial %s, "
                + "valid until %s)%s%s%s", Text.escape(c.name()), c.host(), running.port(), c.clientAuth().name().toLowerCase(Locale.ROOT),
                identity.cert().getSerialNumber().toString(16), Describe.utc(identity.cert().getNotAfter().toInstant()),
                needCa && c.clientAuth() != ClientAuth.NONE ? "; client certificates must chain to " + c.cacert() : "",
                c.allow().isEmpty() ? "" : "; only callers matching " + Allow.list(c.allow()),
                c.crl() == null ? "" : "; revoked ones are refused (" + c.crl() + ": " + Describe.crls(crls.get()) + ")"));
        return running;
    }

    /** Our certificate and key; refused at start when they do not belong together. */
    static Tls.Identity loadIdentity(Config c) {
        Tls.Identity id = Tls.readIdentity(c.cert(), c.key(), Cli.passwordFor(c.key(), "key", c.keyPassword(), "--key-password"));
        if (!id.keyMatches()) throw Cli.fail(Tls.keyMismatch(id));
        if (Instant.now().isAfter(id.cert().getNotAfter().toInstant()))
            c.log().accept("Warning: " + c.cert() + " expired on " + Describe.utc(id.cert().getNotAfter().toInstant())
                    + "; clients will refuse it. Renew it with ./jbang issue.java renew " + Text.arg(c.cert())
                    + Cli.passwordFlag("--key-password", c.keyPassword()) + "; it is picked up without a restart.");
        return id;
    }

    /**
     * Why a client certificate was refused, in the words an operator looks for: no CA of ours, expired
     * (with the date), wrong purpose, revoked (with the CRL), or what the JDK said.
     */
    static String refused(Config c, List<X509CRL> crls, X509Certificate[] chain, CertificateException why) {
        X509Certificate leaf = chain[0];
        String who = "the certificate \"" + Names.subject(leaf) + "\" (serial " + leaf.getSerialNumber().toString(16) + ")";
        var cpve = (CertPathValidatorException) Tls.find(why, CertPathValidatorException.class);
        var reason = cpve == null ? null : cpve.getReason();
        String text = Diagnosis.chainText(why);
        Instant now = Instant.now();
        if (reason == CertPathValidatorException.BasicReason.REVOKED) {
            var entry = revocation(crls, leaf);
            return who + " is revoked: " + c.crl() + " lists it" + (entry == null ? "" : " since " + Describe.utc(entry.getRevocationDate().toInstant()));
        }
        if (reason == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS)
            return "the revocation of " + who + " is unknown: " + c.crl() + " has no current CRL for its CA (past its next update? "
                    + "renew it with " + crlRenewCommand(c.crl()) + ")";
        for (X509Certificate x : chain) {
            if (now.isAfter(x.getNotAfter().toInstant()))
                return (x == leaf ? who : "its CA \"" + Names.subject(x) + "\"") + " expired on " + Describe.utc(x.getNotAfter().toInstant());
            if (now.isBefore(x.getNotBefore().toInstant()))
                return (x == leaf ? who : "its CA \"" + Names.subject(x) + "\"") + " is not valid before " + Describe.utc(x.getNotBefore().toInstant());
        }
        if (text.contains("Extended key usage does not permit") || !Diagnosis.hasClientAuth(leaf))
            return who + " is not for clients: its extended key usage lacks clientAuth (wrong purpose)";
        if (text.contains("unable to find valid certification path") || text.contains("PKIX path building failed"))
            return who + " was issued by \"" + Names.issuer(chain[chain.length - 1]) + "\", a CA this service does not trust (it trusts "
                    + c.cacert() + ")";
        return who + " was refused: " + Text.of(why);
    }

    // ---------------------------------------------------------------- hot reload

    /**
     * Polls files (a poll also sees atomic renames and symlink swaps, as in Kubernetes secrets). A
     * change is acted on once the files have stayed the same for one interval, because issue.java
     * replaces a .crt and its .key one after the other.
     */
    static void watch(Config c, List<Path> files, ScheduledExecutorService reloader, Runnable changed) {
        String[] state = {digest(files), null}; // [0] loaded, [1] last seen while still changing
        state[1] = state[0];
        long ms = c.reloadInterval().toMillis();
        reloader.scheduleWithFixedDelay(() -> {
            String now = digest(files);
            if (!now.equals(state[1])) { state[1] = now; return; } // still changing: wait one more interval
            if (now.equals(state[0])) return;
            state[0] = now;
            changed.run();
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** A new certificate and key replace the old for new handshakes; a pair that fails to load is refused and logged. */
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
        } catch (RuntimeException e) { // a Failure included: a one-line cause
            c.log().accept("error: refused the new certificate files: " + Text.oneLine(e.getMessage())
                    + "; still serving serial " + old.getSerialNumber().toString(16));
        }
    }

    /** A fingerprint of the files' bytes; a missing file is a state of its own. */
    static String digest(List<Path> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : files) {
                md.update(Files.isRegularFile(p) ? Files.readAllBytes(p) : new byte[0]);
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
                        + "Renew it with " + crlRenewCommand(c.crl()) + "; it is picked up without a restart.");
        return crls;
    }

    /**
     * The command that re-signs a CRL with a new next update: ca.java revoke with no certificate, for
     * the CA beside the CRL (DIR/ca.crl is DIR's root, DIR/NAME.crl the intermediate DIR/NAME.crt).
     */
    static String crlRenewCommand(Path crl) {
        String base = crl.getFileName().toString().replaceAll("\\.crl$", "");
        Path folder = crl.toAbsolutePath().getParent() == null || crl.getParent() == null ? Path.of(".") : crl.getParent();
        return "./jbang ca.java revoke" + (base.equals("ca") ? folder.equals(Path.of("certs")) ? "" : " --dir " + Text.arg(folder)
                : " --ca " + Text.arg(folder.resolve(base + ".crt")));
    }

    /**
     * A new CRL that reads and verifies replaces the old one at once, for handshakes and for requests
     * on connections already open (handle() checks each request, since a kept-alive or resumed TLS
     * session does not repeat the check). A broken one is refused and logged; the old one stays.
     */
    static void reloadCrl(Config c, TlsServer server, Tls.ReloadableTrustManager trust, AtomicReference<List<X509CRL>> crls) {
        try {
            List<X509CRL> next = loadCrls(c);
            trust.replace(Tls.trustManager(c.cacert(), next));
            crls.set(next);
            // Cached sessions were checked against the old CRL: drop them. (A TLS 1.3 client may still
            // resume from a ticket, and a kept-alive connection stays open: handle() checks each request.)
            var sessions = server.sessions();
            for (byte[] id : java.util.Collections.list(sessions.getIds())) {
                SSLSession s = sessions.getSession(id);
                if (s != null) s.invalidate();
            }
            c.log().accept("reloaded " + c.crl() + ": " + Describe.crls(next) + "; it applies to new handshakes and requests");
        } catch (RuntimeException e) { // a Failure included: a one-line cause
            c.log().accept("error: refused the new CRL " + c.crl() + ": " + Text.oneLine(e.getMessage()) + "; the previous CRL stays in force");
        }
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

    // ---------------------------------------------------------------- the routes

    static TlsServer.Answer handle(TlsServer.Exchange ex, Config c, ReloadingKeyManager keys, Map<String, InetSocketAddress> resolve,
                                   AtomicReference<List<X509CRL>> crls) {
        TlsServer.Answer refused = forbidden(ex, c, crls.get());
        if (refused != null) return refused;
        Route route = Route.of(ex.request().path());
        if (route == null) return new TlsServer.Answer(404, "Not found. Routes: " + Route.list() + "\n", null);
        String body = switch (route) {
            case ROOT -> "Hello from \"" + c.name() + "\"";
            case WHOAMI -> whoami(ex, c);
            case W_MTLS -> callPeer(c, identity(c, keys), c.cacert(), resolve);
            case WO_CERT_MTLS -> callPeer(c, null, c.cacert(), resolve);
            case WO_CA_MTLS -> callPeer(c, identity(c, keys), null, resolve);
        };
        return new TlsServer.Answer(200, body, null);
    }

    /**
     * A 403 for a caller who may not proceed, or null: no certificate (want mode with --allow), a
     * certificate revoked since its session began, or one that matches no --allow pattern.
     */
    static TlsServer.Answer forbidden(TlsServer.Exchange ex, Config c, List<X509CRL> crls) {
        if (c.allow().isEmpty() && c.crl() == null) return null;
        X509Certificate cert = ex.clientCertificate();
        if (cert == null) // want mode: a caller without a certificate passes, unless there is an allow-list
            return c.allow().isEmpty() ? null : new TlsServer.Answer(403, "Forbidden: this service admits only callers with a client "
                    + "certificate matching " + Allow.list(c.allow()) + ", and you sent none.\n", "refused: no client certificate");
        var revoked = revocation(crls, cert);
        if (revoked != null)
            return new TlsServer.Answer(403, "Forbidden: your client certificate \"" + Names.subject(cert) + "\" (serial "
                    + cert.getSerialNumber().toString(16) + ") was revoked on " + Describe.utc(revoked.getRevocationDate().toInstant())
                    + " (it is listed in " + c.crl() + "). Fix: use a new certificate: ./jbang issue.java renew --new-key "
                    + Text.arg(renewedFile(c, cert)) + ".\n",
                    "refused: the certificate is revoked (" + c.crl() + ")");
        List<String> names = Allow.names(cert);
        if (c.allow().isEmpty() || c.allow().stream().anyMatch(a -> a.matches(names))) return null;
        String shown = Text.escape(String.join(", ", names));
        return new TlsServer.Answer(403, "Forbidden: this service admits only callers whose certificate matches " + Allow.list(c.allow())
                + ". Your certificate (serial " + cert.getSerialNumber().toString(16) + ", issued by " + Names.issuer(cert)
                + ") shows " + (names.isEmpty() ? "no name at all" : shown + ", and none of them matches")
                + ". Fix: call with a certificate that matches, or ask the operator of this service to add your name"
                + (names.isEmpty() ? "" : ", e.g. --allow " + Text.escape(names.get(0))) + ".\n",
                "refused: not matched by --allow " + Allow.list(c.allow()));
    }

    /**
     * The file issue.java gave a caller's certificate: NAME.crt from its first SAN, in the folder of
     * --cacert, where a certificate of this CA was most likely issued (NAME.crt when that is unknown).
     */
    static Path renewedFile(Config c, X509Certificate cert) {
        Path folder = c.cacert().getParent();
        String file = Names.fileName(cert) + ".crt";
        return folder == null ? Path.of(file) : folder.resolve(file);
    }

    /** The certificate and key being served now, with the files they came from (for the peer routes' messages). */
    static Tls.Identity identity(Config c, ReloadingKeyManager keys) {
        ReloadingKeyManager.Pair p = keys.current();
        return new Tls.Identity(p.chain(), p.key(), c.cert(), c.key());
    }

    /** How this service sees its caller: the client certificate's subject, SANs and issuer. */
    static String whoami(TlsServer.Exchange ex, Config c) {
        SSLSession s = ex.session();
        X509Certificate cert = ex.clientCertificate();
        String tls = "TLS: " + s.getProtocol() + ", " + s.getCipherSuite() + "\n";
        if (cert == null)
            return "No client certificate was sent (this service's client auth is " + c.clientAuth().name().toLowerCase(Locale.ROOT) + ").\n" + tls;
        return "Client certificate:\n"
                + "  subject: " + Names.subject(cert) + "\n"
                + "  SANs:    " + Names.sans(cert) + "\n"
                + "  issuer:  " + Names.issuer(cert) + "\n"
                + "  serial:  " + cert.getSerialNumber().toString(16) + "\n"
                + "  valid until " + Describe.utc(cert.getNotAfter().toInstant()) + "\n" + tls;
    }

    /**
     * The tutorial's calls from A to B, with the JDK's HttpClient: identity null sends no certificate;
     * caFile null trusts only the JDK's public CAs. Returns B's body, or the paragraph that says why
     * the call failed (still HTTP 200, as in the tutorial).
     */
    public static String callPeer(Config c, Tls.Identity identity, Path caFile, Map<String, InetSocketAddress> resolve) {
        if (c.peer() == null)
            return "This service has no --peer to call; start it with --peer https://service-b.example.com:8443 "
                    + "--resolve service-b.example.com:8443:127.0.0.1\n";
        Fetch.Outcome o = Fetch.viaHttpClient(new Tls.Call(c.peer(), identity, caFile, false, resolve,
                Duration.ofSeconds(5), Duration.ofSeconds(15), null, c.keyPassword()));
        // First line: the failure class, stable for scripts; then the paragraph for people.
        if (o.cut() != null && o.failure() == null)
            return "error: " + Diagnosis.Problem.PARTIAL_ANSWER.title + "\nThe answer of " + Text.escape(c.peer().toString())
                    + " is incomplete: " + o.cut().text() + ".\n";
        return o.ok() ? o.body() : "error: " + o.failure().problem().title + "\n" + o.failure().explanation() + "\n";
    }
}
