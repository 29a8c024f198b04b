// Service.java: the tutorial's HTTPS service (its section 4), as serve.java runs it: started from a
// Config, on TlsServer's connection loop, with hot reload of the certificate, key and CRL, the
// refusal reasons an operator looks for, and the routes of Route. It names no command-line option:
// where a message needs a setting's name or a command, it asks the Words it was given (lib/cli
// gives the options the user typed; Words.PLAIN names them in plain words).
// Needs: Tls, TlsServer, Http, Fetch, Allow, Diagnosis, ReloadingKeyManager (lib/tls), and lib/pki.

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.x509.GeneralName;

/** A running service: start(Config) checks the files, binds and serves; stop() ends it. */
public final class Service implements AutoCloseable {

    /** What the service answers, declared once: serve.java's help, the 404 page and the reference list these. */
    public enum Route {
        ROOT("/", "Hello from \"NAME\" (text/plain, as the tutorial's services)"),
        WHOAMI("/whoami", "the client certificate this service saw, or that none was sent"),
        W_MTLS("/w-mtls", "calls the peer with our certificate and the CA (tutorial 4.3.3: works)"),
        WO_CERT_MTLS("/wo-cert-mtls", "calls the peer with the CA but no certificate (tutorial 4.3.4: fails)"),
        WO_CA_MTLS("/wo-ca-mtls", "calls the peer with our certificate and the JDK's default trust (tutorial 4.3.5: fails)");

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

        public static String list() {
            return String.join(" ", Arrays.stream(values()).map(r -> r.path).toList());
        }
    }

    /**
     * The names and commands a message needs, from whoever started the service: the command line
     * gives its options, and commands with the folder and the password form the user gave.
     */
    public interface Words {
        /** How the user sets s (an option name for the command line). */
        String name(TlsServer.Setting s);

        /** The command that renews the certificate in cert (newKey: with a new key). */
        String renew(Path cert, boolean newKey);

        /** The command that signs the CRL in crl anew, with a new next update. */
        String renewCrl(Path crl);

        /** A failed peer call, in one paragraph. */
        String explain(Diagnosis d);

        /** Plain words, for a service started by code. */
        Words PLAIN = new Words() {
            @Override public String name(TlsServer.Setting s) { return s.plain; }
            @Override public String renew(Path cert, boolean newKey) { return "a renewal of " + cert + (newKey ? " with a new key" : ""); }
            @Override public String renewCrl(Path crl) { return "a new CRL in " + crl; }
            @Override public String explain(Diagnosis d) { return d.problem().title + " (seen as: " + d.seenAs() + ")"; }
        };
    }

    /**
     * What start() needs, built once: of() gives the tutorial's defaults for NAME in a folder, and
     * each setter changes one setting. allow empty: any certificate from the CA; crl null: none.
     * keyPassword gives the key's password once (a reload uses what it gave at start). Once
     * started, the service reads it: change it no more.
     */
    public static final class Config {
        String name;
        String host = "127.0.0.1";
        int port;
        TlsServer.ClientAuth clientAuth;
        Path cert, key, cacert, crl;
        Supplier<char[]> keyPassword = () -> {
            throw Failure.of(Failure.Kind.PASSWORD_NEEDED, "the key is encrypted, and no password was given");
        };
        URI peer;
        List<String> resolve = List.of();
        Duration reloadInterval = Duration.ofSeconds(1);
        Consumer<String> log = System.out::println;
        List<Allow> allow = List.of();
        TlsServer.Limits limits = TlsServer.Limits.defaults();
        Words words = Words.PLAIN;

        /** DIR/NAME.crt, .key and ca.crt (NAME: the first label of name, as issue.java names files), bound to 127.0.0.1. */
        public static Config of(String name, Path dir, int port, TlsServer.ClientAuth auth) {
            Config c = new Config();
            Pki pki = Pki.of(dir);
            String file = fileName(name);
            c.name = name;
            c.port = port;
            c.clientAuth = auth;
            c.cert = pki.cert(file);
            c.key = pki.key(file);
            c.cacert = pki.caCert();
            return c;
        }

        public String name() { return name; }
        public String host() { return host; }
        public int port() { return port; }
        public TlsServer.ClientAuth clientAuth() { return clientAuth; }
        public Path cert() { return cert; }
        public Path key() { return key; }
        public Path cacert() { return cacert; }
        public Path crl() { return crl; }
        public URI peer() { return peer; }
        public List<String> resolve() { return resolve; }
        public List<Allow> allow() { return allow; }
        public Consumer<String> log() { return log; }

        public Config withHost(String bindHost) { host = bindHost; return this; }
        public Config withCert(Path certFile, Path keyFile) { cert = certFile; key = keyFile; return this; }
        public Config withCacert(Path file) { cacert = file; return this; }
        public Config withKeyPassword(Supplier<char[]> password) { keyPassword = password; return this; }
        public Config withPeer(URI url, List<String> resolveSpecs) { peer = url; resolve = List.copyOf(resolveSpecs); return this; }
        public Config withLog(Consumer<String> sink) { log = sink; return this; }
        /** The allow-list: e.g. withAllow("DNS:service-a.example.com"). */
        public Config withAllow(String... patterns) { allow = Arrays.stream(patterns).map(Allow::parse).toList(); return this; }
        public Config withAllow(List<Allow> patterns) { allow = List.copyOf(patterns); return this; }
        public Config withCrl(Path file) { crl = file; return this; }
        public Config withLimits(TlsServer.Limits l) { limits = l; return this; }
        public Config withReloadInterval(Duration d) { reloadInterval = d; return this; }
        public Config withWords(Words w) { words = w; return this; }
    }

    /** The file name issue.java gives a certificate for name: its first label (service-b.example.com: service-b). */
    static String fileName(String name) {
        try {
            return Names.fileName(new GeneralName(GeneralName.dNSName, name));
        } catch (RuntimeException notADnsName) {
            return name;
        }
    }

    // ---------------------------------------------------------------- starting and stopping

    private final Config c;
    private final Words words;
    private final TlsServer server;
    private final ScheduledExecutorService reloader;
    private final ReloadingKeyManager keys;
    private final Once password;
    private final AtomicReference<List<X509CRL>> crls;
    private final Tls.ReloadableTrustManager clientTrust;
    private final Map<String, InetSocketAddress> resolve;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Service(Config config) {
        c = config;
        words = c.words;
        if (c.clientAuth == TlsServer.ClientAuth.NONE && (!c.allow.isEmpty() || c.crl != null))
            throw Failure.of("%s and %s judge client certificates, which %s none never asks for: use %s need (or want)",
                    words.name(TlsServer.Setting.ALLOW), words.name(TlsServer.Setting.CRL), words.name(TlsServer.Setting.CLIENT_AUTH),
                    words.name(TlsServer.Setting.CLIENT_AUTH));
        password = new Once(c.keyPassword);
        Tls.Identity identity = loadIdentity();
        keys = new ReloadingKeyManager(identity.pair());
        boolean needCa = c.clientAuth != TlsServer.ClientAuth.NONE || c.peer != null;
        crls = new AtomicReference<>(c.crl == null ? List.of() : loadCrls());
        clientTrust = new Tls.ReloadableTrustManager(needCa ? Tls.trustManager(c.cacert, crls.get()) : Tls.trustManager(null));
        try {
            resolve = Tls.parseResolve(c.resolve);
        } catch (Failure f) {
            throw Failure.of(f, "%s %s", words.name(TlsServer.Setting.RESOLVE), f.getMessage());
        }
        TlsServer.Words serverWords = new TlsServer.Words() {
            @Override public String refused(X509Certificate[] chain, CertificateException why) { return Service.this.refused(chain, why); }
            @Override public String name(TlsServer.Setting s) { return words.name(s); }
        };
        try {
            server = TlsServer.start(new InetSocketAddress(c.host, c.port), keys, clientTrust, serverWords, c.clientAuth, c.limits,
                    this::handle, c.log);
        } catch (IOException e) {
            String port = words.name(TlsServer.Setting.PORT);
            int free = freePort(c.host);
            throw Failure.of(e, "cannot listen on %s:%d: %s (is another service using the port? %sor %s 0 for any free port)",
                    Text.escape(c.host), c.port, Text.of(e), free > 0 ? "use " + port + " " + free + ", free now, " : "", port);
        }
        reloader = Executors.newSingleThreadScheduledExecutor(r -> Tls.daemon("serve-reload", r));
        watch(List.of(c.cert, c.key), this::reload);
        if (c.crl != null) watch(List.of(c.crl), this::reloadCrl);
        c.log.accept(String.format("Serving \"%s\" on https://%s:%d/ (client auth: %s; certificate serial %s, "
                + "valid until %s)%s%s%s", Text.escape(c.name), c.host, port(), c.clientAuth.name().toLowerCase(Locale.ROOT),
                identity.cert().getSerialNumber().toString(16), Describe.utc(identity.cert().getNotAfter().toInstant()),
                needCa && c.clientAuth != TlsServer.ClientAuth.NONE ? "; client certificates must chain to " + c.cacert : "",
                c.allow.isEmpty() ? "" : "; only callers matching " + Allow.list(c.allow),
                c.crl == null ? "" : "; revoked ones are refused (" + c.crl + ": " + Describe.crls(crls.get()) + ")"));
    }

    /** Checks the files, binds, and serves; returns at once. Fails with one line on a bad file or a busy port. */
    public static Service start(Config c) {
        // A client may not renegotiate (serve.java sets it for its JVM); this covers a JVM started
        // without it, as long as no TLS server has run in it yet.
        if (System.getProperty("jdk.tls.rejectClientInitiatedRenegotiation") == null)
            System.setProperty("jdk.tls.rejectClientInitiatedRenegotiation", "true");
        return new Service(c);
    }

    /** A port free on host now (the system picks it), or 0 when none can be had. */
    static int freePort(String host) {
        try (var probe = new java.net.ServerSocket()) {
            probe.bind(new InetSocketAddress(host, 0));
            return probe.getLocalPort();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
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
        c.log.accept("stopped");
        stopped.countDown();
    }

    public void awaitStop() throws InterruptedException { stopped.await(); }

    @Override public void close() { stop(); }

    /**
     * The key's password, asked at most once, at start: the answer is kept, so that a reload never
     * asks, nor reads the password's source, again. reloading() gives only what was kept.
     */
    static final class Once implements Supplier<char[]> {
        private final Supplier<char[]> source;
        private char[] kept;

        Once(Supplier<char[]> source) {
            this.source = source;
        }

        @Override public synchronized char[] get() {
            if (kept == null) kept = source.get();
            return kept == null ? null : kept.clone();
        }

        /** For a reload: the kept password; a key that turns encrypted after start is refused, not asked for. */
        Supplier<char[]> reloading(Path key) {
            return () -> {
                synchronized (this) {
                    if (kept == null) throw Failure.of("%s is now encrypted, and no password was asked for at start: restart the service", key);
                    return kept.clone();
                }
            };
        }
    }

    /** Our certificate and key; refused at start when they do not belong together. */
    private Tls.Identity loadIdentity() {
        Tls.Identity id = Tls.readIdentity(c.cert, c.key, password);
        if (!id.keyMatches()) throw Failure.of(Tls.keyMismatch(id));
        if (Instant.now().isAfter(id.cert().getNotAfter().toInstant()))
            c.log.accept("Warning: " + c.cert + " expired on " + Describe.utc(id.cert().getNotAfter().toInstant())
                    + "; clients will refuse it. Renew it with " + words.renew(c.cert, false) + "; it is picked up without a restart.");
        return id;
    }

    /**
     * Why a client certificate was refused, in the words an operator looks for: no CA of ours, expired
     * (with the date), wrong purpose, revoked (with the CRL), or what the JDK said.
     */
    String refused(X509Certificate[] chain, CertificateException why) {
        X509Certificate leaf = chain[0];
        String who = "the certificate \"" + Names.subject(leaf) + "\" (serial " + leaf.getSerialNumber().toString(16) + ")";
        var cpve = (CertPathValidatorException) Tls.find(why, CertPathValidatorException.class);
        var reason = cpve == null ? null : cpve.getReason();
        String text = Diagnosis.chainText(why);
        Instant now = Instant.now();
        if (reason == CertPathValidatorException.BasicReason.REVOKED) {
            var entry = revocation(crls.get(), leaf);
            return who + " is revoked: " + c.crl + " lists it" + (entry == null ? "" : " since " + Describe.utc(entry.getRevocationDate().toInstant()));
        }
        if (reason == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS)
            return "the revocation of " + who + " is unknown: " + c.crl + " has no current CRL for its CA (past its next update? "
                    + "renew it with " + words.renewCrl(c.crl) + ")";
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
                    + c.cacert + ")";
        return who + " was refused: " + Text.of(why);
    }

    // ---------------------------------------------------------------- hot reload

    /**
     * Polls files (a poll also sees atomic renames and symlink swaps, as in Kubernetes secrets). A
     * change is acted on once the files have stayed the same for one interval, because issue.java
     * replaces a .crt and its .key one after the other.
     */
    private void watch(List<Path> files, Runnable changed) {
        String[] state = {digest(files), null}; // [0] loaded, [1] last seen while still changing
        state[1] = state[0];
        long ms = c.reloadInterval.toMillis();
        reloader.scheduleWithFixedDelay(() -> {
            String now = digest(files);
            if (!now.equals(state[1])) { state[1] = now; return; } // still changing: wait one more interval
            if (now.equals(state[0])) return;
            state[0] = now;
            changed.run();
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    /** A new certificate and key replace the old for new handshakes; a pair that fails to load is refused and logged. */
    private void reload() {
        X509Certificate old = keys.current().chain()[0];
        try {
            Tls.Identity next = Tls.readIdentity(c.cert, c.key, password.reloading(c.key));
            if (!next.keyMatches()) throw Failure.of(Tls.keyMismatch(next));
            if (next.cert().getSerialNumber().equals(old.getSerialNumber())) return;
            keys.replace(next.pair());
            c.log.accept(String.format("reloaded %s: serial %s, valid until %s; new connections use it "
                    + "(clients resuming an old TLS session still see serial %s until they reconnect afresh)",
                    c.cert, next.cert().getSerialNumber().toString(16), Describe.utc(next.cert().getNotAfter().toInstant()),
                    old.getSerialNumber().toString(16)));
        } catch (RuntimeException e) { // a Failure included: a one-line cause
            c.log.accept("error: refused the new certificate files: " + Text.oneLine(e.getMessage())
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

    // ---------------------------------------------------------------- revocation

    /** The CRL file, read and checked against the trusted CAs; a CRL past its next update gets a warning. */
    private List<X509CRL> loadCrls() {
        List<X509CRL> list = Tls.verifiedCrls(c.crl, c.cacert);
        for (X509CRL crl : list)
            if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(Instant.now()))
                c.log.accept("Warning: the CRL in " + c.crl + " passed its next update on "
                        + Describe.utc(crl.getNextUpdate().toInstant()) + ", so it no longer proves anything: every client "
                        + "certificate of " + Names.dn(crl.getIssuerX500Principal()) + " is refused until it is renewed. "
                        + "Renew it with " + words.renewCrl(c.crl) + "; it is picked up without a restart.");
        return list;
    }

    /**
     * A new CRL that reads and verifies replaces the old one at once, for handshakes and for requests
     * on connections already open (handle() checks each request, since a kept-alive or resumed TLS
     * session does not repeat the check). A broken one is refused and logged; the old one stays.
     */
    private void reloadCrl() {
        try {
            List<X509CRL> next = loadCrls();
            clientTrust.replace(Tls.trustManager(c.cacert, next));
            crls.set(next);
            // Cached sessions were checked against the old CRL: drop them. (A TLS 1.3 client may still
            // resume from a ticket, and a kept-alive connection stays open: handle() checks each request.)
            var sessions = server.sessions();
            for (byte[] id : Collections.list(sessions.getIds())) {
                SSLSession s = sessions.getSession(id);
                if (s != null) s.invalidate();
            }
            c.log.accept("reloaded " + c.crl + ": " + Describe.crls(next) + "; it applies to new handshakes and requests");
        } catch (RuntimeException e) { // a Failure included: a one-line cause
            c.log.accept("error: refused the new CRL " + c.crl + ": " + Text.oneLine(e.getMessage()) + "; the previous CRL stays in force");
        }
    }

    /** The CRL entry that revokes cert, or null. The CRL must be from cert's issuer (it was verified at load). */
    static X509CRLEntry revocation(List<X509CRL> crls, X509Certificate cert) {
        for (X509CRL crl : crls)
            if (crl.getIssuerX500Principal().equals(cert.getIssuerX500Principal())) {
                var entry = crl.getRevokedCertificate(cert.getSerialNumber());
                if (entry != null) return entry;
            }
        return null;
    }

    // ---------------------------------------------------------------- the routes

    private TlsServer.Answer handle(TlsServer.Exchange ex) {
        TlsServer.Answer refused = forbidden(ex);
        if (refused != null) return refused;
        Route route = Route.of(ex.request().path());
        if (route == null) return new TlsServer.Answer(404, "Not found. Routes: " + Route.list() + "\n", null);
        String body = switch (route) {
            case ROOT -> "Hello from \"" + c.name + "\"";
            case WHOAMI -> whoami(ex);
            case W_MTLS -> callPeer(c, identity(), c.cacert, resolve);
            case WO_CERT_MTLS -> callPeer(c, null, c.cacert, resolve);
            case WO_CA_MTLS -> callPeer(c, identity(), null, resolve);
        };
        return new TlsServer.Answer(200, body, null);
    }

    /**
     * A 403 for a caller who may not proceed, or null: no certificate (want mode with an allow-list),
     * a certificate revoked since its session began, or one that matches no allow pattern.
     */
    private TlsServer.Answer forbidden(TlsServer.Exchange ex) {
        if (c.allow.isEmpty() && c.crl == null) return null;
        X509Certificate cert = ex.clientCertificate();
        String allowName = words.name(TlsServer.Setting.ALLOW);
        if (cert == null) // want mode: a caller without a certificate passes, unless there is an allow-list
            return c.allow.isEmpty() ? null : new TlsServer.Answer(403, "Forbidden: this service admits only callers with a client "
                    + "certificate matching " + Allow.list(c.allow) + ", and you sent none.\n", "refused: no client certificate");
        var revoked = revocation(crls.get(), cert);
        if (revoked != null)
            return new TlsServer.Answer(403, "Forbidden: your client certificate \"" + Names.subject(cert) + "\" (serial "
                    + cert.getSerialNumber().toString(16) + ") was revoked on " + Describe.utc(revoked.getRevocationDate().toInstant())
                    + " (it is listed in " + c.crl + "). Fix: use a new certificate: " + words.renew(renewedFile(cert), true) + ".\n",
                    "refused: the certificate is revoked (" + c.crl + ")");
        List<String> names = Allow.names(cert);
        if (c.allow.isEmpty() || c.allow.stream().anyMatch(a -> a.matches(names))) return null;
        String shown = Text.escape(String.join(", ", names));
        return new TlsServer.Answer(403, "Forbidden: this service admits only callers whose certificate matches " + Allow.list(c.allow)
                + ". Your certificate (serial " + cert.getSerialNumber().toString(16) + ", issued by " + Names.issuer(cert)
                + ") shows " + (names.isEmpty() ? "no name at all" : shown + ", and none of them matches")
                + ". Fix: call with a certificate that matches, or ask the operator of this service to add your name"
                + (names.isEmpty() ? "" : ", e.g. " + allowName + " " + Text.escape(names.get(0))) + ".\n",
                "refused: not matched by " + allowName + " " + Allow.list(c.allow));
    }

    /**
     * The file issue.java gave a caller's certificate: NAME.crt from its first SAN, in the folder of
     * the trusted CA file, where a certificate of this CA was most likely issued.
     */
    private Path renewedFile(X509Certificate cert) {
        Path folder = c.cacert.getParent();
        String file = Names.fileName(cert) + ".crt";
        return folder == null ? Path.of(file) : folder.resolve(file);
    }

    /** The certificate and key being served now, with the files they came from (for the peer routes' messages). */
    private Tls.Identity identity() {
        ReloadingKeyManager.Pair p = keys.current();
        return new Tls.Identity(p.chain(), p.key(), c.cert, c.key);
    }

    /** How this service sees its caller: the client certificate's subject, SANs and issuer. */
    private String whoami(TlsServer.Exchange ex) {
        SSLSession s = ex.session();
        X509Certificate cert = ex.clientCertificate();
        String tls = "TLS: " + s.getProtocol() + ", " + s.getCipherSuite() + "\n";
        if (cert == null)
            return "No client certificate was sent (this service's client auth is " + c.clientAuth.name().toLowerCase(Locale.ROOT) + ").\n" + tls;
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
        if (c.peer == null)
            return "This service has no " + c.words.name(TlsServer.Setting.PEER) + " to call; start it with " + c.words.name(TlsServer.Setting.PEER)
                    + " https://service-b.example.com:8443 " + c.words.name(TlsServer.Setting.RESOLVE) + " service-b.example.com:8443:127.0.0.1\n";
        Fetch.Outcome o = Fetch.viaHttpClient(new Tls.Call(c.peer, identity, caFile, false, resolve, Duration.ofSeconds(5), Duration.ofSeconds(15)));
        // First line: the failure class, stable for scripts; then the paragraph for people.
        if (o.cut() != null && o.failure() == null)
            return "error: " + Diagnosis.Problem.PARTIAL_ANSWER.title + "\nThe answer of " + Text.escape(c.peer.toString())
                    + " is incomplete: " + o.cut().text() + ".\n";
        return o.ok() ? o.body() : "error: " + o.failure().problem().title + "\n" + c.words.explain(o.failure()) + "\n";
    }
}
