// Tls.java: TLS with the JDK's own engine, set up the way both sides here use it.
//   - contexts and parameters: TLS 1.2 and 1.3 only, with the cipher suites of RFC 9325;
//   - identity and trust from PEM files (read by Pem), CRLs included, swappable while serving;
//   - managers that RECORD a handshake (did the server ask for a certificate, which CA names it
//     accepts, what we sent, the server's chain), because the JDK's exceptions alone cannot say
//     which side refused; Diagnosis turns that record into words;
//   - connect(): one client handshake, bounded by a deadline, used by client.java and inspect.java.

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Timer;
import java.util.TimerTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.util.IPAddress;

public final class Tls {
    private Tls() {}

    /** TLS 1.2 and 1.3 only: 1.0 and 1.1 are deprecated by RFC 8996. */
    public static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    /**
     * The cipher suites we allow, from those the JDK enables: every TLS 1.3 suite (all are AEAD with
     * forward secrecy), and in TLS 1.2 only ECDHE with AES-GCM or ChaCha20-Poly1305, as RFC 9325
     * (BCP 195) section 4.2 recommends. Left out: RSA key exchange (no forward secrecy, and the
     * Bleichenbacher/ROBOT family; RFC 9325 4.1), CBC modes (Lucky 13 and other padding oracles),
     * and finite-field DHE (slow, and RFC 9325 4.1 discourages it). The renegotiation SCSV stays: it
     * is a signal, not a suite.
     */
    public static String[] cipherSuites(String[] enabled) {
        return Arrays.stream(enabled).filter(s -> s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")
                || (s.startsWith("TLS_ECDHE_") && (s.contains("_GCM_") || s.contains("_CHACHA20_POLY1305_")))
                || s.equals("TLS_EMPTY_RENEGOTIATION_INFO_SCSV")).toArray(String[]::new);
    }

    /** An SSLContext with one key manager (may be null) and one trust manager. */
    public static SSLContext context(KeyManager km, TrustManager tm) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(km == null ? null : new KeyManager[] {km}, new TrustManager[] {tm}, null);
            return ctx;
        } catch (Exception e) {
            throw Failure.of(e, "cannot set up TLS: %s", Text.of(e));
        }
    }

    /** The context's defaults narrowed to TLS 1.2 and 1.3 and the cipherSuites() above; both sides use it. */
    public static SSLParameters parameters(SSLContext ctx) {
        SSLParameters sp = ctx.getDefaultSSLParameters();
        sp.setProtocols(PROTOCOLS);
        sp.setCipherSuites(cipherSuites(sp.getCipherSuites()));
        return sp;
    }

    // ---------------------------------------------------------------- identity and trust

    /** Our certificate chain and its private key, and the files they came from (for messages). */
    public record Identity(X509Certificate[] chain, PrivateKey key, Path certFile, Path keyFile) {
        public X509Certificate cert() { return chain[0]; }
        public boolean keyMatches() { return Keys.matches(key, chain[0].getPublicKey()); }
        public ReloadingKeyManager.Pair pair() { return new ReloadingKeyManager.Pair(chain, key); }
    }

    /** A certificate (with any chain after it) and its key; password is asked only for an encrypted key. */
    public static Identity readIdentity(Path certFile, Path keyFile, Supplier<char[]> password) {
        List<X509Certificate> chain = Pem.leafChain(certFile, "certificate");
        PrivateKey key = Pem.privateKey(keyFile, "private key", password);
        return new Identity(chain.toArray(new X509Certificate[0]), key, certFile, keyFile);
    }

    /** The words for a key that is not the certificate's: both sides would fail the handshake. */
    public static String keyMismatch(Identity id) {
        return String.format("the key %s does not belong to the certificate %s (their public keys differ); "
                + "give the .key file issued with that certificate", Text.escape(id.keyFile().toString()), Text.escape(id.certFile().toString()));
    }

    /** Trust in the CAs of a PEM file, or the JDK's default public CAs (cacerts) when caFile is null. */
    public static X509ExtendedTrustManager trustManager(Path caFile) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(caFile == null ? null : caKeyStore(caFile));
            return extended(tmf);
        } catch (Failure f) {
            throw f;
        } catch (Exception e) {
            throw Failure.of(e, "cannot load trusted CAs from %s: %s", caFile == null ? "the JDK's cacerts" : Text.escape(caFile.toString()), Text.of(e));
        }
    }

    /**
     * Trust in the CAs of caFile that also refuses every certificate the CRLs list as revoked, with
     * the JDK's own PKIXRevocationChecker: CRLs only (no OCSP, nothing fetched from the network), and
     * for the leaf only. A CRL past its nextUpdate proves nothing any more, so the JDK then refuses
     * every certificate of that CA ("Could not determine revocation status"), as nginx does.
     */
    public static X509ExtendedTrustManager trustManager(Path caFile, List<X509CRL> crls) {
        if (crls == null || crls.isEmpty()) return trustManager(caFile);
        try {
            PKIXBuilderParameters pkix = new PKIXBuilderParameters(caKeyStore(caFile), new X509CertSelector());
            pkix.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(crls)));
            var checker = (PKIXRevocationChecker) CertPathValidator.getInstance("PKIX").getRevocationChecker();
            checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
                    PKIXRevocationChecker.Option.NO_FALLBACK, PKIXRevocationChecker.Option.ONLY_END_ENTITY));
            pkix.addCertPathChecker(checker); // with revocation enabled (the default), it replaces the JDK's own
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(new CertPathTrustManagerParameters(pkix));
            return extended(tmf);
        } catch (Failure f) {
            throw f;
        } catch (Exception e) {
            throw Failure.of(e, "cannot set up trust in %s with its CRL: %s", Text.escape(caFile.toString()), Text.of(e));
        }
    }

    private static KeyStore caKeyStore(Path caFile) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int i = 0;
        for (X509Certificate c : Pem.caCertificates(caFile, "CA certificate")) ks.setCertificateEntry("ca" + i++, c);
        return ks;
    }

    private static X509ExtendedTrustManager extended(TrustManagerFactory tmf) {
        for (TrustManager tm : tmf.getTrustManagers())
            if (tm instanceof X509ExtendedTrustManager) return (X509ExtendedTrustManager) tm;
        throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
    }

    /** The CRLs of a file, each of which must be signed by a CA of caFile: else it could refuse, or fail to refuse, anyone. */
    public static List<X509CRL> verifiedCrls(Path file, Path caFile) {
        List<X509CRL> crls = Pem.crls(file);
        List<X509Certificate> cas = Pem.certificates(caFile, "CA certificate");
        for (X509CRL crl : crls) {
            boolean signed = cas.stream().anyMatch(ca -> {
                try {
                    if (!ca.getSubjectX500Principal().equals(crl.getIssuerX500Principal())) return false;
                    crl.verify(ca.getPublicKey());
                    return true;
                } catch (Exception e) {
                    return false;
                }
            });
            if (!signed) throw Failure.of("the CRL %s (issuer \"%s\") is not signed by a CA in %s, so it cannot be trusted",
                    Text.escape(file.toString()), Names.dn(crl.getIssuerX500Principal()), Text.escape(caFile.toString()));
        }
        return crls;
    }

    /** A trust manager whose delegate can be swapped while serving: a service reloads its CRL this way. */
    public static final class ReloadableTrustManager extends X509ExtendedTrustManager {
        private final AtomicReference<X509ExtendedTrustManager> current;

        public ReloadableTrustManager(X509ExtendedTrustManager first) { current = new AtomicReference<>(first); }

        public void replace(X509ExtendedTrustManager next) { current.set(next); }

        @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { current.get().checkClientTrusted(c, a, s); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { current.get().checkClientTrusted(c, a, e); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException { current.get().checkClientTrusted(c, a); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { current.get().checkServerTrusted(c, a, s); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { current.get().checkServerTrusted(c, a, e); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException { current.get().checkServerTrusted(c, a); }
        @Override public X509Certificate[] getAcceptedIssuers() { return current.get().getAcceptedIssuers(); }
    }

    // ---------------------------------------------------------------- what a handshake showed

    /** What the client saw of a handshake, filled in by the managers below; read after the call. */
    public static final class Seen {
        public volatile boolean certRequested;
        public volatile List<String> acceptedIssuers = List.of();
        public volatile X509Certificate[] sent;
        public volatile X509Certificate[] serverChain;
        public volatile CertificateException trustFailure;
        public volatile String protocol;
        public volatile String cipher;
        public volatile IOException connectFailure;
        public volatile InetSocketAddress mappedTo;
        /** What the call was doing last: the TCP connect, the TLS handshake, the request, the answer. */
        public volatile String stage = "the TCP connect";
        /** Whether any byte of the HTTP answer arrived: the server had taken the handshake by then. */
        public volatile boolean answered;

        void session(SSLEngine engine, Socket socket) {
            SSLSession s = engine != null ? engine.getHandshakeSession()
                    : socket instanceof SSLSocket ? ((SSLSocket) socket).getHandshakeSession() : null;
            if (s == null) return;
            protocol = s.getProtocol();
            cipher = s.getCipherSuite();
        }
    }

    /** A client key manager that records whether the server asked for a certificate, the CA names it listed, and what we sent. */
    public static final class RecordingKeyManager extends ReloadingKeyManager {
        private final Seen seen;

        public RecordingKeyManager(Identity identity, Seen seen) {
            super(identity == null ? null : identity.pair());
            this.seen = seen;
        }

        private String record(String[] keyTypes, Principal[] issuers, SSLEngine engine, Socket socket) {
            seen.certRequested = true;
            seen.acceptedIssuers = issuers == null ? List.of() : Arrays.stream(issuers)
                    .map(p -> p instanceof javax.security.auth.x500.X500Principal x ? Names.dn(x) : Text.escape(p.getName())).toList();
            seen.session(engine, socket);
            String alias = clientAlias(keyTypes);
            if (alias != null) seen.sent = current().chain();
            return alias;
        }

        @Override public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return record(keyTypes, issuers, null, socket);
        }
        @Override public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return record(keyTypes, issuers, engine, null);
        }
    }

    /**
     * Delegates to the JDK's checks and records what it saw. A null delegate trusts everything
     * (insecure). It extends X509ExtendedTrustManager so the JDK hands it the SSLEngine or socket,
     * and the delegate checks the host name against the SAN there (endpoint identification "HTTPS");
     * a plain X509TrustManager would get a JDK wrapper instead.
     */
    public static final class RecordingTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final Seen seen;

        public RecordingTrustManager(X509ExtendedTrustManager delegate, Seen seen) {
            this.delegate = delegate;
            this.seen = seen;
        }

        private void server(X509Certificate[] chain, String authType, SSLEngine engine, Socket socket) throws CertificateException {
            if (seen != null) {
                seen.serverChain = chain;
                seen.session(engine, socket);
            }
            if (delegate == null) return;
            try {
                if (engine != null) delegate.checkServerTrusted(chain, authType, engine);
                else delegate.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                if (seen != null) seen.trustFailure = e;
                throw e;
            }
        }

        private void client(X509Certificate[] chain, String authType, SSLEngine engine, Socket socket) throws CertificateException {
            if (engine != null) delegate.checkClientTrusted(chain, authType, engine);
            else delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { server(c, a, e, null); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { server(c, a, null, s); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException { server(c, a, null, null); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { client(c, a, e, null); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { client(c, a, null, s); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException { client(c, a, null, null); }
        @Override public X509Certificate[] getAcceptedIssuers() {
            // These become the CA names of the server's CertificateRequest.
            return delegate == null ? new X509Certificate[0] : delegate.getAcceptedIssuers();
        }
    }

    /** The first cause of e (e included) of one of the kinds, or null. */
    @SafeVarargs
    public static Throwable find(Throwable e, Class<? extends Throwable>... kinds) {
        for (Throwable t = e; t != null; t = t.getCause())
            for (var k : kinds) if (k.isInstance(t)) return t;
        return null;
    }

    // ---------------------------------------------------------------- one client connection

    /**
     * One call: url; identity to send (null: none); caFile to trust (null: the JDK's public CAs);
     * insecure skips all server checks (curl -k); resolve maps "host:port" to an address (as curl
     * resolves); connectTimeout bounds the TCP connect, maxTime the whole call.
     */
    public record Call(URI url, Identity identity, Path caFile, boolean insecure,
                       Map<String, InetSocketAddress> resolve, Duration connectTimeout, Duration maxTime) {}

    /** A client context for one call whose managers record into seen. */
    public static SSLContext recordingContext(Call c, Seen seen) {
        // A key manager even with no identity: it is how we learn that the server asked for a certificate.
        var km = new RecordingKeyManager(c.identity(), seen);
        var tm = new RecordingTrustManager(c.insecure() ? null : trustManager(c.caFile()), seen);
        return context(km, tm);
    }

    /**
     * Connects and completes the TLS handshake, recording into seen; the caller reads and writes,
     * then closes. The whole call is bounded by deadline (System.nanoTime()): a timer closes the
     * socket when it passes, so a server that drips one byte every half second cannot hold us past
     * it, and seen.stage says what was stalled. Host name verification is on (RFC 2818), and a mapped host
     * is only "connect to ADDR": SNI and the name check use the URL's host.
     */
    public static SSLSocket connect(Call c, Seen seen, long deadline) throws IOException {
        SSLContext ctx = recordingContext(c, seen);
        String host = c.url().getHost().replaceAll("^\\[|]$", "");
        int port = port(c.url());
        seen.mappedTo = c.resolve().get(hostPort(c.url()));
        InetSocketAddress addr = seen.mappedTo != null ? seen.mappedTo : new InetSocketAddress(host, port);
        if (addr.isUnresolved()) throw new UnknownHostException(host);
        Socket plain = new Socket();
        Watchdog dog = Watchdog.start(plain, deadline);
        try {
            seen.stage = "the TCP connect";
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                plain.connect(addr, (int) Math.min(left, c.connectTimeout().toMillis()));
            } catch (IOException e) {
                seen.connectFailure = dog.expired() ? new java.net.SocketTimeoutException("connect timed out") : e;
                throw seen.connectFailure;
            }
            seen.stage = "the TLS handshake";
            SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true);
            dog.watch(s);
            SSLParameters sp = parameters(ctx);
            sp.setEndpointIdentificationAlgorithm("HTTPS");
            if (!IPAddress.isValid(host)) sp.setServerNames(List.of(new SNIHostName(host)));
            s.setSSLParameters(sp);
            s.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000)));
            s.startHandshake();
            seen.protocol = s.getSession().getProtocol();
            seen.cipher = s.getSession().getCipherSuite();
            dog.cancel(); // the caller bounds what follows with a watchdog of its own
            if (dog.expired()) throw new java.net.SocketTimeoutException("the deadline passed during " + seen.stage);
            return s;
        } catch (IOException e) {
            closeQuietly(plain);
            dog.cancel();
            if (dog.expired()) throw new java.net.SocketTimeoutException("the deadline passed during " + seen.stage);
            throw e;
        }
    }

    /**
     * Closes a socket when a deadline passes, whatever the thread using it is blocked in. One shared
     * daemon timer; cancel() once the call is over.
     */
    public static final class Watchdog {
        private static final Timer TIMER = new Timer("tls-deadline", true);
        private volatile Socket socket;
        private volatile boolean expired;
        private final TimerTask task;

        private Watchdog(Socket socket) {
            this.socket = socket;
            this.task = new TimerTask() {
                @Override public void run() {
                    expired = true;
                    closeQuietly(Watchdog.this.socket);
                }
            };
        }

        public static Watchdog start(Socket socket, long deadline) {
            Watchdog w = new Watchdog(socket);
            TIMER.schedule(w.task, Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
            return w;
        }

        public void watch(Socket s) { socket = s; }
        public boolean expired() { return expired; }
        public void cancel() { task.cancel(); }
    }

    /** An https:// URL with a host and a port in range; anything else fails with one line. */
    public static URI url(String text) {
        URI u;
        // Java's URI takes non-ASCII "other" characters, bidirectional overrides among them.
        if (!Text.escape(text).equals(text)) throw Failure.of("'%s' is not a URL: it holds control characters", Text.oneLine(text));
        try {
            u = new URI(text);
        } catch (java.net.URISyntaxException e) {
            throw Failure.of("'%s' is not a URL: %s", Text.oneLine(text), Text.oneLine(e.getReason()));
        }
        if (!"https".equalsIgnoreCase(u.getScheme()) || u.getHost() == null)
            throw Failure.of("'%s' is not an https:// URL with a host name", Text.oneLine(text));
        if (u.getPort() > 65535 || u.getPort() == 0)
            throw Failure.of("'%s': port %d is out of range (1 to 65535)", Text.oneLine(text), u.getPort());
        return u;
    }

    /** The URL's port, or the scheme's default. */
    public static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "http".equalsIgnoreCase(u.getScheme()) ? 80 : 443;
    }

    /** "host:port" with the scheme's default port, lower case: the key of a host map (as curl resolves). */
    public static String hostPort(URI u) {
        return (u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT)) + ":" + port(u);
    }

    /** curl's resolve form HOST:PORT:ADDR (ADDR an IP address, [brackets] for IPv6), by "host:port". */
    public static Map<String, InetSocketAddress> parseResolve(List<String> specs) {
        Map<String, InetSocketAddress> map = new LinkedHashMap<>();
        for (String s : specs == null ? List.<String>of() : specs) {
            String shown = Text.escape(s);
            var m = java.util.regex.Pattern.compile("([^:\\s]{1,253}):(\\d{1,5}):\\[?([0-9A-Fa-f:.]{1,45})]?").matcher(s.trim());
            if (!m.matches()) throw Failure.of("'%s' is not HOST:PORT:ADDR, e.g. service-b.example.com:8443:127.0.0.1", shown);
            String addr = m.group(3);
            if (!IPAddress.isValid(addr)) throw Failure.of("'%s': %s is not an IP address", shown, Text.escape(addr));
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) throw Failure.of("'%s': port %d is out of range (1 to 65535)", shown, port);
            try {
                // A literal address: no name lookup happens here.
                map.put(m.group(1).toLowerCase(Locale.ROOT) + ":" + port, new InetSocketAddress(InetAddress.getByName(addr), port));
            } catch (UnknownHostException e) {
                throw Failure.of("'%s': %s", shown, Text.of(e));
            }
        }
        return map;
    }

    /** The certificate a server presents now, in a new session: tests and tutorial.java read serials with it. */
    public static X509Certificate peerCertificate(String host, int port, String sni, Path caFile) throws IOException {
        SSLContext ctx = context(null, trustManager(caFile));
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(10000);
            SSLParameters sp = parameters(ctx);
            if (sni != null) sp.setServerNames(List.of(new SNIHostName(sni)));
            s.setSSLParameters(sp);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }

    public static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) c.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }
}
