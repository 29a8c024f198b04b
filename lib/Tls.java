// Tls.java: the TLS code serve.java and client.java share (pulled in with //SOURCES lib/Tls.java).
//
// 1. Identity and trust from PEM files (read by Pki): our certificate + key, and the CAs we trust.
// 2. Key and trust managers that also RECORD the handshake (did the server ask for a client
//    certificate, which CA names it accepts, which certificate we sent, the server's chain), because
//    the JDK's exceptions alone cannot say which side refused (jdk-tls-notes.md, HttpClient).
// 3. One HTTPS GET with the JDK's HttpClient, with curl's --resolve done by a tiny CONNECT tunnel.
// 4. diagnose(): turns what failed into one paragraph: what failed, which side refused, the likely
//    cause and the fix. client.java prints it; serve.java's peer routes return it.
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.X509CRL;
import java.security.cert.X509CertSelector;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.CertPathTrustManagerParameters;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;

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

    // ---------------------------------------------------------------- identity and trust

    /** Our certificate chain and its private key, and the files they came from (for messages). */
    public record Identity(X509Certificate[] chain, PrivateKey key, Path certFile, Path keyFile) {
        public X509Certificate cert() { return chain[0]; }
        public boolean keyMatches() { return Pki.keyMatches(key, chain[0].getPublicKey()); }
        /** A stable alias per certificate, so a handshake never mixes a new chain with an old key. */
        String alias() { return "id-" + chain[0].getSerialNumber().toString(16); }
    }

    /** Reads a certificate (with any chain after it) and its key; unreadable files fail with one line. */
    // Copy-ready twin: README "Use it in your own code", snippet PemSslContext.
    public static Identity readIdentity(Path certFile, Path keyFile, String passwordSpec) {
        List<X509Certificate> chain = Pki.readCertificates(certFile, "certificate");
        PrivateKey key = Pki.readPrivateKey(keyFile, "private key", passwordSpec, "--key-password");
        return new Identity(chain.toArray(new X509Certificate[0]), key, certFile, keyFile);
    }

    /** The one-line error for a key that is not the certificate's: both sides would fail the handshake. */
    public static String keyMismatch(Identity id) {
        return String.format("the key %s does not belong to the certificate %s (their public keys differ); "
                + "give the .key file issued with that certificate", id.keyFile(), id.certFile());
    }

    /** Trust in the CAs of a PEM file, or the JDK's default public CAs (cacerts) when caFile is null. */
    public static X509ExtendedTrustManager trustManager(Path caFile) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(caFile == null ? null : caKeyStore(caFile));
            return extended(tmf);
        } catch (Cli.Failure f) {
            throw f;
        } catch (Exception e) {
            throw Cli.fail("cannot load trusted CAs from %s: %s", caFile == null ? "the JDK's cacerts" : caFile, Pki.oneLine(e));
        }
    }

    /**
     * Trust in the CAs of caFile that also refuses every certificate the CRLs list as revoked, with
     * the JDK's own PKIXRevocationChecker: CRLs only (no OCSP, nothing fetched from the network), and
     * for the leaf only, as our CAs are roots. A CRL past its nextUpdate proves nothing any more, so
     * the JDK then refuses every certificate of that CA ("Could not determine revocation status"),
     * as nginx does: renew the CRL in time (./jbang ca.java revoke, with or without a certificate).
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
        } catch (Cli.Failure f) {
            throw f;
        } catch (Exception e) {
            throw Cli.fail("cannot set up trust in %s with its CRL: %s", caFile, Pki.oneLine(e));
        }
    }

    private static KeyStore caKeyStore(Path caFile) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int i = 0;
        for (X509Certificate c : Pki.readCertificates(caFile, "CA certificate")) ks.setCertificateEntry("ca" + i++, c);
        return ks;
    }

    private static X509ExtendedTrustManager extended(TrustManagerFactory tmf) {
        for (TrustManager tm : tmf.getTrustManagers())
            if (tm instanceof X509ExtendedTrustManager) return (X509ExtendedTrustManager) tm;
        throw new IllegalStateException("the JDK offers no X509ExtendedTrustManager");
    }

    /**
     * The CRLs in a file (PEM "X509 CRL" blocks or DER), each checked against the CAs of caFile: it
     * must be signed by one of them, or it could refuse (or, worse, fail to refuse) anyone.
     */
    public static List<X509CRL> readCrls(Path file, Path caFile) {
        byte[] bytes = Pki.readInput(file, "CRL");
        List<X509CRL> crls = new ArrayList<>();
        try {
            for (var crl : CertificateFactory.getInstance("X.509").generateCRLs(new java.io.ByteArrayInputStream(bytes)))
                crls.add((X509CRL) crl);
        } catch (Exception e) {
            throw Cli.fail("cannot read the CRL %s: %s", file, Pki.oneLine(e));
        }
        if (crls.isEmpty()) throw Cli.fail("cannot read the CRL %s: it holds no CRL (expected a PEM \"X509 CRL\" block)", file);
        List<X509Certificate> cas = Pki.readCertificates(caFile, "CA certificate");
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
            if (!signed) throw Cli.fail("the CRL %s (issuer \"%s\") is not signed by a CA in %s, so it cannot be trusted",
                    file, crl.getIssuerX500Principal().getName(), caFile);
        }
        return crls;
    }

    /** A trust manager whose delegate can be swapped while serving: serve.java reloads --crl this way. */
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

    /** An SSLContext limited to TLS 1.2/1.3 by the SSLParameters its users set (see parameters()). */
    public static SSLContext context(KeyManager km, TrustManager tm) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(km == null ? null : new KeyManager[] {km}, new TrustManager[] {tm}, null);
            return ctx;
        } catch (Exception e) {
            throw Cli.fail("cannot set up TLS: %s", Pki.oneLine(e));
        }
    }

    /** The context's defaults narrowed to TLS 1.2 and 1.3 and the cipherSuites() above; both sides use it. */
    public static SSLParameters parameters(SSLContext ctx) {
        SSLParameters sp = ctx.getDefaultSSLParameters();
        sp.setProtocols(PROTOCOLS);
        sp.setCipherSuites(cipherSuites(sp.getCipherSuites()));
        return sp;
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

        void session(SSLEngine engine, Socket socket) {
            SSLSession s = engine != null ? engine.getHandshakeSession()
                    : socket instanceof SSLSocket ? ((SSLSocket) socket).getHandshakeSession() : null;
            if (s == null) return;
            protocol = s.getProtocol();
            cipher = s.getCipherSuite();
        }
    }

    // ---------------------------------------------------------------- key manager

    /**
     * Offers one identity, on the server side and on the client side, and can swap it at run time
     * (hot reload): new handshakes take the new pair (jdk-tls-notes.md, "Hot reload"). The previous
     * pair stays reachable by its alias, so a handshake that chose it just before a swap finishes.
     *
     * As a client it sends its certificate whenever the server asks, whatever CA names the server
     * lists, as curl and openssl do. The JDK's own key manager sends an empty certificate when the
     * names do not match, and the server then says "certificate required" instead of "unknown CA"
     * (jdk-tls-notes.md), which hides the real cause.
     */
    // Copy-ready twin: README snippet ReloadingKeyManager.
    public static final class IdentityKeyManager extends X509ExtendedKeyManager {
        private final AtomicReference<Identity> current;
        private volatile Identity previous;
        private final Seen seen;

        public IdentityKeyManager(Identity identity, Seen seen) {
            this.current = new AtomicReference<>(identity);
            this.seen = seen;
        }

        public Identity identity() { return current.get(); }

        public void replace(Identity next) { previous = current.getAndSet(next); }

        private Identity byAlias(String alias) {
            Identity c = current.get(), p = previous;
            if (c != null && c.alias().equals(alias)) return c;
            if (p != null && p.alias().equals(alias)) return p;
            return null;
        }

        private String choose(String[] keyTypes, Principal[] issuers, SSLEngine engine, Socket socket) {
            Identity id = current.get();
            if (seen != null) {
                seen.certRequested = true;
                seen.acceptedIssuers = issuers == null ? List.of()
                        : Arrays.stream(issuers).map(Principal::getName).toList();
                seen.session(engine, socket);
            }
            if (id == null || keyTypes == null || Arrays.stream(keyTypes).noneMatch(t -> keyFits(t, id.key())))
                return null;
            if (seen != null) seen.sent = id.chain();
            return id.alias();
        }

        @Override public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            return choose(keyTypes, issuers, engine, null);
        }
        @Override public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
            return choose(keyTypes, issuers, null, socket);
        }
        @Override public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            Identity id = current.get();
            return id != null && keyFits(keyType, id.key()) ? id.alias() : null;
        }
        @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return chooseEngineServerAlias(keyType, issuers, null);
        }
        @Override public X509Certificate[] getCertificateChain(String alias) {
            Identity id = byAlias(alias);
            return id == null ? null : id.chain().clone();
        }
        @Override public PrivateKey getPrivateKey(String alias) {
            Identity id = byAlias(alias);
            return id == null ? null : id.key();
        }
        @Override public String[] getClientAliases(String keyType, Principal[] issuers) {
            Identity id = current.get();
            return id == null ? null : new String[] {id.alias()};
        }
        @Override public String[] getServerAliases(String keyType, Principal[] issuers) {
            return getClientAliases(keyType, issuers);
        }
    }

    /** JSSE asks for key types such as RSA, EC, EdDSA, or EC_EC / RSA_RSA in TLS 1.2 (first part = key). */
    static boolean keyFits(String keyType, PrivateKey key) {
        String want = keyType.split("_")[0], have = key.getAlgorithm();
        if (have.startsWith("Ed")) have = "EdDSA";
        return want.equalsIgnoreCase(have);
    }

    // ---------------------------------------------------------------- trust manager

    /**
     * Delegates to the JDK's checks and records what it saw. A null delegate trusts everything
     * (--insecure). It extends X509ExtendedTrustManager so the JDK hands it the SSLEngine, and the
     * delegate checks the host name against the SAN there (endpoint identification "HTTPS", which
     * HttpClient always sets); a plain X509TrustManager would get a JDK wrapper instead.
     */
    public static final class RecordingTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        private final Seen seen;
        private final java.util.function.Consumer<String> log;

        public RecordingTrustManager(X509ExtendedTrustManager delegate, Seen seen, java.util.function.Consumer<String> log) {
            this.delegate = delegate;
            this.seen = seen;
            this.log = log;
        }

        private void server(X509Certificate[] chain, String authType, SSLEngine engine, Socket socket)
                throws CertificateException {
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

        private void client(X509Certificate[] chain, String authType, SSLEngine engine, Socket socket)
                throws CertificateException {
            try {
                if (engine != null) delegate.checkClientTrusted(chain, authType, engine);
                else delegate.checkClientTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                // HttpsServer drops failed handshakes silently; the service's log says who was refused and why.
                if (log != null) log.accept("refused a client certificate: " + subject(chain[0]) + " (issuer "
                        + issuer(chain[0]) + ", serial " + chain[0].getSerialNumber().toString(16) + "): " + refusal(e));
                throw e;
            }
        }

        /** Why a client certificate was refused, in words; a revocation names its date from the CRL. */
        static String refusal(CertificateException e) {
            var cpve = (CertPathValidatorException) find(e, CertPathValidatorException.class);
            if (cpve != null && cpve.getReason() == CertPathValidatorException.BasicReason.REVOKED) {
                var m = java.util.regex.Pattern.compile("revocation date: ([^,]+)").matcher(String.valueOf(cpve.getMessage()));
                String when = "";
                if (m.find()) {
                    try { // the JDK prints java.util.Date's toString()
                        when = ", revoked on " + Pki.utc(java.time.ZonedDateTime.parse(m.group(1),
                                java.time.format.DateTimeFormatter.ofPattern("EEE MMM dd HH:mm:ss zzz yyyy", Locale.ROOT)).toInstant());
                    } catch (RuntimeException unparsed) {
                        when = ", revoked on " + m.group(1);
                    }
                }
                return "it is revoked (listed in the --crl file" + when + ")";
            }
            if (cpve != null && cpve.getReason() == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS)
                return "its revocation status is unknown: the --crl file has no current CRL for its CA (past its next "
                        + "update? renew it with ./jbang ca.java revoke) (" + Pki.oneLine(cpve) + ")";
            return Pki.oneLine(e);
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

    // ---------------------------------------------------------------- one HTTPS GET

    /**
     * One GET: url; identity to send (null: none); caFile to trust (null: the JDK's public CAs);
     * insecure skips all server checks (curl -k); resolve maps "host:port" to an address (curl --resolve).
     */
    public record Call(URI url, Identity identity, Path caFile, boolean insecure,
                       Map<String, InetSocketAddress> resolve, Duration connectTimeout, Duration maxTime) {}

    /** How a call ended: an HTTP answer (status >= 0) and/or a failure explained in one paragraph. */
    public record Outcome(int status, String body, Optional<SSLSession> session, Seen seen, Diagnosis failure) {
        public boolean ok() { return failure == null; }
    }

    /** A client context for one call whose managers record into seen. */
    public static SSLContext recordingContext(Call c, Seen seen) {
        // A key manager even with no identity: it is how we learn that the server asked for a certificate.
        var km = new IdentityKeyManager(c.identity(), seen);
        var tm = new RecordingTrustManager(c.insecure() ? null : trustManager(c.caFile()), seen, null);
        return context(km, tm);
    }

    /**
     * The call with the JDK's HttpClient, as a service would make it (serve.java's peer routes).
     * A fresh client per call, so every call is a full handshake that Seen can record. (client.java
     * uses an SSLSocket instead, see its fetch().)
     */
    // Copy-ready twin: README snippet MtlsClient.
    public static Outcome get(Call c) {
        Seen seen = new Seen();
        SSLContext ctx = recordingContext(c, seen);
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // the tutorial's services speak HTTP/1.1, as HttpsServer does
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(c.connectTimeout())
                .sslContext(ctx)
                .sslParameters(parameters(ctx));
        InetSocketAddress mapped = c.resolve().get(hostPort(c.url()));
        try (Tunnel tunnel = mapped == null ? null : new Tunnel(mapped, c.connectTimeout(), seen)) {
            if (tunnel != null) {
                seen.mappedTo = mapped;
                b.proxy(tunnel.selector());
            }
            HttpRequest req = HttpRequest.newBuilder(c.url()).timeout(c.maxTime()).GET().build();
            HttpResponse<String> resp = b.build().send(req, HttpResponse.BodyHandlers.ofString());
            Diagnosis d = diagnoseResponse(resp.statusCode(), resp.body(), c, seen);
            return new Outcome(resp.statusCode(), resp.body(), resp.sslSession(), seen, d);
        } catch (IOException e) {
            return new Outcome(-1, "", Optional.empty(), seen, diagnose(e, c, seen));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, "", Optional.empty(), seen, diagnose(e, c, seen));
        }
    }

    /** "host:port" with the scheme's default port, lower case: the key of --resolve. */
    public static String hostPort(URI u) {
        int port = u.getPort() != -1 ? u.getPort() : "http".equalsIgnoreCase(u.getScheme()) ? 80 : 443;
        return (u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT)) + ":" + port;
    }

    /** Parses curl's --resolve HOST:PORT:ADDR (ADDR an IP address, [brackets] for IPv6). */
    public static Map<String, InetSocketAddress> parseResolve(List<String> specs) {
        Map<String, InetSocketAddress> map = new LinkedHashMap<>();
        for (String s : specs == null ? List.<String>of() : specs) {
            var m = java.util.regex.Pattern.compile("([^:\\s]+):(\\d{1,5}):\\[?([0-9A-Fa-f:.]+)]?").matcher(s.trim());
            if (!m.matches()) throw Cli.fail("--resolve '%s' is not HOST:PORT:ADDR, e.g. service-b.example.com:8443:127.0.0.1", s);
            String addr = m.group(3);
            if (!org.bouncycastle.util.IPAddress.isValid(addr))
                throw Cli.fail("--resolve '%s': %s is not an IP address", s, addr);
            int port = Integer.parseInt(m.group(2));
            if (port < 1 || port > 65535) throw Cli.fail("--resolve '%s': port %d is out of range", s, port);
            try {
                // A literal address: no name lookup happens here.
                map.put(m.group(1).toLowerCase(Locale.ROOT) + ":" + port, new InetSocketAddress(InetAddress.getByName(addr), port));
            } catch (UnknownHostException e) {
                throw Cli.fail("--resolve '%s': %s", s, Pki.oneLine(e));
            }
        }
        return map;
    }

    // ---------------------------------------------------------------- --resolve without /etc/hosts

    /**
     * curl's --resolve for the JDK's HttpClient. HttpClient looks names up itself, and Java 17 has
     * no per-client resolver: -Djdk.net.hosts.file is JVM-wide and read once at start-up, and
     * InetAddressResolverProvider arrived in JDK 18 (jdk-tls-notes.md). So mapped names go through a
     * local HTTP CONNECT tunnel, the way HttpClient uses any proxy: the tunnel dials ADDR, and TLS
     * still runs end to end with SNI and hostname verification on the real name. Names not mapped
     * go straight to DNS. Listens on 127.0.0.1 only, and serves only the one mapped target.
     */
    public static final class Tunnel implements AutoCloseable {
        private final ServerSocket server;
        private final InetSocketAddress target;
        private final Duration connectTimeout;
        private final Seen seen;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();

        public Tunnel(InetSocketAddress target, Duration connectTimeout, Seen seen) throws IOException {
            this.target = target;
            this.connectTimeout = connectTimeout;
            this.seen = seen;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            daemon("tunnel-accept", this::acceptLoop).start();
        }

        /** Sends every request of the HttpClient to this tunnel (it is made for one mapped target). */
        public ProxySelector selector() {
            InetSocketAddress self = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
            return new ProxySelector() {
                @Override public List<Proxy> select(URI uri) { return List.of(new Proxy(Proxy.Type.HTTP, self)); }
                @Override public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {}
            };
        }

        private void acceptLoop() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    open.add(client);
                    daemon("tunnel", () -> serve(client)).start();
                } catch (IOException e) {
                    return; // closed
                }
            }
        }

        private void serve(Socket client) {
            Socket upstream = new Socket();
            open.add(upstream);
            try {
                client.setSoTimeout((int) Math.max(1000, connectTimeout.toMillis()));
                readConnectRequest(client.getInputStream());
                client.setSoTimeout(0);
                try {
                    upstream.connect(target, (int) connectTimeout.toMillis());
                } catch (IOException e) {
                    if (seen != null) seen.connectFailure = e; // diagnose() reports it as refused / timeout
                    client.getOutputStream().write("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    return;
                }
                client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                Thread up = daemon("tunnel-up", () -> pump(client, upstream));
                up.start();
                pump(upstream, client);
                up.join(1000);
            } catch (IOException | InterruptedException e) {
                // the client went away; nothing to report
            } finally {
                closeQuietly(client);
                closeQuietly(upstream);
                open.remove(client);
                open.remove(upstream);
            }
        }

        /** Reads "CONNECT host:port HTTP/1.1" and its headers up to the blank line (at most 8 KiB). */
        private static void readConnectRequest(InputStream in) throws IOException {
            int state = 0, n = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0 || ++n > 8192) throw new IOException("bad CONNECT request");
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
            }
        }

        private static void pump(Socket from, Socket to) {
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                in.transferTo(out);
                to.shutdownOutput();
            } catch (IOException e) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }

        @Override public void close() {
            closeQuietly(server);
            for (Socket s : open) closeQuietly(s);
        }
    }

    static Thread daemon(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) c.close();
        } catch (Exception ignored) {
            // closing is best effort
        }
    }

    // ---------------------------------------------------------------- diagnosis

    /** The failure classes, with client.java's exit codes (curl's where curl has one). */
    public enum Problem {
        UNKNOWN_HOST(6, "unknown host"),
        CONNECT_REFUSED(7, "connection refused"),
        HTTP_ERROR(22, "HTTP error status"),
        TIMEOUT(28, "timeout"),
        NO_COMMON_PROTOCOL(35, "no common TLS protocol or cipher"),
        CONNECTION_FAILED(56, "connection failed"),
        KEY_MISMATCH(58, "key does not match certificate"),
        SERVER_UNTRUSTED(60, "server certificate not trusted"),
        HOSTNAME_MISMATCH(61, "host name not in the server certificate"),
        SERVER_CERT_EXPIRED(62, "server certificate expired or not yet valid"),
        CLIENT_CERT_REQUIRED(63, "server requires a client certificate"),
        CLIENT_CERT_REJECTED(64, "server rejected our client certificate");

        public final int exitCode;
        public final String title;

        Problem(int exitCode, String title) {
            this.exitCode = exitCode;
            this.title = title;
        }
    }

    /** A failure class and its one-paragraph explanation. */
    public record Diagnosis(Problem problem, String explanation) {}

    /** An HTTP answer that still means failure: nginx's page for a missing or bad client certificate, or >= 400. */
    public static Diagnosis diagnoseResponse(int status, String body, Call c, Seen seen) {
        String where = c.url().getHost() + ":" + c.url().getPort();
        if (status == 400 && body.contains("No required SSL certificate was sent"))
            // nginx (ssl_verify_client on) completes the handshake, then answers 400 with this page.
            return clientCertRequired(c, seen, "HTTP 400 \"No required SSL certificate was sent\" (nginx)");
        if (status == 400 && body.contains("The SSL certificate error"))
            return clientCertRejected(c, seen, null, "HTTP 400 \"The SSL certificate error\" (nginx)");
        if (status >= 400)
            return new Diagnosis(Problem.HTTP_ERROR, String.format("The TLS connection to %s worked, but the server "
                    + "answered HTTP %d for %s. Likely cause: a wrong path, or the server refused this request. "
                    + "Fix: check the URL; the answer's body is printed above.", where, status, c.url().getPath()));
        return null;
    }

    /** Explains a failed call: the recorded handshake first, then the exception's words. */
    public static Diagnosis diagnose(Throwable e, Call c, Seen seen) {
        String seenAs = chainText(e);
        String host = c.url().getHost();
        String where = host + ":" + hostPort(c.url()).replaceAll(".*:", "")
                + (seen.mappedTo == null ? "" : " (at " + seen.mappedTo.getAddress().getHostAddress() + ", from --resolve)");
        Throwable connect = seen.connectFailure != null ? seen.connectFailure : find(e, ConnectException.class, UnknownHostException.class,
                UnresolvedAddressException.class, HttpConnectTimeoutException.class);
        if (connect instanceof UnknownHostException || connect instanceof UnresolvedAddressException)
            return new Diagnosis(Problem.UNKNOWN_HOST, String.format("Could not find the address of %s: the name lookup "
                    + "failed, so no connection was made. Likely cause: the name exists only in the tutorial's /etc/hosts. "
                    + "Fix: map it without root with --resolve %s:127.0.0.1 (or the service's address).", host, hostPort(c.url())));
        if (connect instanceof SocketTimeoutException || connect instanceof HttpConnectTimeoutException)
            return timeout(where, "connecting", c.connectTimeout(), seenAs);
        if (connect != null)
            return new Diagnosis(Problem.CONNECT_REFUSED, String.format("Could not connect to %s: the connection was "
                    + "refused, so nothing listens there. Likely cause: the service is not running, or the port or "
                    + "--resolve address is wrong. Fix: start the service (./jbang serve.java --name NAME --port PORT) or "
                    + "correct the URL. (Seen as: %s)", where, seenAs));
        if (seen.trustFailure != null) return serverCertProblem(c, seen, where, seenAs);
        if (find(e, HttpTimeoutException.class) != null || find(e, SocketTimeoutException.class) != null)
            return timeout(where, "waiting for the TLS handshake or the answer", c.maxTime(), seenAs);

        String alert = alert(seenAs);
        boolean sentNone = seen.sent == null;
        if ("certificate_required".equals(alert)) return clientCertRequired(c, seen, seenAs);
        if (alert != null && Set.of("bad_certificate", "unsupported_certificate", "certificate_revoked",
                "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied", "decrypt_error").contains(alert))
            return sentNone && seen.certRequested ? clientCertRequired(c, seen, seenAs) : clientCertRejected(c, seen, alert, seenAs);
        if (alert != null && Set.of("handshake_failure", "protocol_version", "insufficient_security").contains(alert)) {
            // TLS 1.2 servers (OpenSSL) answer a missing client certificate with handshake_failure.
            if (seen.certRequested && sentNone) return clientCertRequired(c, seen, seenAs);
            return noCommonProtocol(where, "the server", seenAs);
        }
        if (seenAs.contains("No appropriate protocol") || seenAs.contains("no cipher suites in common"))
            return noCommonProtocol(where, "our side (the client)", seenAs);
        // The server hung up. Over TLS 1.3 a missing client certificate looks like this: HttpClient
        // reports "header parser received no bytes", TLS 1.2 "Remote host terminated the handshake".
        if (seen.certRequested && sentNone) return clientCertRequired(c, seen, seenAs);
        if (seen.certRequested) return clientCertRejected(c, seen, null, seenAs);
        return new Diagnosis(Problem.CONNECTION_FAILED, String.format("The connection to %s failed: %s. Which side "
                + "refused is not clear: the server %s. Likely cause: the server does not speak HTTPS on that port, or "
                + "it closed the connection. Fix: check the URL's scheme and port, and run with -v to see the handshake.",
                where, seenAs, seen.serverChain == null ? "sent no certificate" : "sent its certificate, then hung up"));
    }

    private static Diagnosis timeout(String where, String what, Duration limit, String seenAs) {
        return new Diagnosis(Problem.TIMEOUT, String.format("No answer from %s within %d s while %s: the connection "
                + "timed out. Likely cause: a firewall dropping packets, a wrong address, or a server that accepts "
                + "connections but does not speak TLS there. Fix: check the address and port; raise --connect-timeout "
                + "or --max-time if the server is merely slow. (Seen as: %s)", where, limit.toSeconds(), what, seenAs));
    }

    private static Diagnosis noCommonProtocol(String where, String side, String seenAs) {
        return new Diagnosis(Problem.NO_COMMON_PROTOCOL, String.format("The TLS handshake with %s failed: %s refused "
                + "it because the two sides share no protocol version or cipher suite. We offer only TLS 1.3, and TLS 1.2 "
                + "with ECDHE key exchange and AES-GCM or ChaCha20-Poly1305 (no RSA key exchange, no CBC). Likely "
                + "cause: the server allows only TLS 1.1 or older, or only RSA key exchange or CBC suites. Fix: enable "
                + "TLS 1.3, or TLS 1.2 with ECDHE-*-AES128-GCM-SHA256 or similar, on the server. "
                + "(Seen as: %s)", where, side, seenAs));
    }

    /** Our side refused the server's certificate: name mismatch, expired, or no trusted CA signed it. */
    private static Diagnosis serverCertProblem(Call c, Seen seen, String where, String seenAs) {
        X509Certificate[] chain = seen.serverChain;
        X509Certificate leaf = chain[0];
        String why = chainText(seen.trustFailure);
        if (why.contains("No subject alternative") || why.contains("No name matching"))
            return new Diagnosis(Problem.HOSTNAME_MISMATCH, String.format("The TLS handshake with %s failed: our side "
                    + "(the client) refused the server's certificate because it is not valid for the name \"%s\". The "
                    + "certificate's names (SAN) are: %s. Likely cause: the URL uses a name or address the certificate "
                    + "was not issued for (an IP address in the URL must itself be in the SAN). Fix: use one of those "
                    + "names in the URL (with --resolve NAME:PORT:ADDR to reach it without DNS), or re-issue the "
                    + "certificate for this name: ./jbang issue.java --force %s. (Seen as: %s)",
                    where, c.url().getHost(), sans(leaf), c.url().getHost(), why));
        for (X509Certificate cert : chain) {
            Instant now = Instant.now();
            if (now.isAfter(cert.getNotAfter().toInstant()) || now.isBefore(cert.getNotBefore().toInstant())) {
                boolean expired = now.isAfter(cert.getNotAfter().toInstant());
                return new Diagnosis(Problem.SERVER_CERT_EXPIRED, String.format("The TLS handshake with %s failed: our "
                        + "side (the client) refused the server's certificate because \"%s\" %s. Likely cause: %s. "
                        + "Fix: re-issue it (./jbang issue.java --force NAME; serve.java picks it up without a restart)%s. "
                        + "(Seen as: %s)", where, subject(cert),
                        expired ? "expired on " + Pki.utc(cert.getNotAfter().toInstant())
                                : "is not valid before " + Pki.utc(cert.getNotBefore().toInstant()),
                        expired ? "the certificate was not renewed in time" : "it was issued with a future start date, or a clock is wrong",
                        expired ? "" : ", or correct the clock of this machine or the CA's", why));
            }
        }
        X509Certificate top = chain[chain.length - 1];
        String issuer = issuer(top);
        String fix = matchingCaFile(top, c)
                .map(p -> "pass it with --cacert " + p + " (that file holds \"" + issuer + "\", so this fixes it)")
                .orElse("pass the certificate of \"" + issuer + "\" with --cacert FILE (with ca.java that file is certs/ca.crt)");
        String trusted = c.caFile() == null ? "no --cacert was given, so only the JDK's default public CAs were trusted, "
                + "and they do not include it" : "the --cacert file " + c.caFile() + " does not hold that CA";
        return new Diagnosis(Problem.SERVER_UNTRUSTED, String.format("The TLS handshake with %s failed: our side (the "
                + "client) refused the server's certificate \"%s\" because no CA we trust signed it. It was issued by "
                + "\"%s\"; %s. Likely cause: the server uses a private CA. Fix: %s. Do not use --insecure beyond a quick "
                + "test. (Seen as: %s)", where, subject(leaf), issuer, trusted, fix, why));
    }

    /** A local file that holds the CA which signed the top of the chain: certs/ca.crt, or next to --cert. */
    static Optional<Path> matchingCaFile(X509Certificate top, Call c) {
        List<Path> candidates = new ArrayList<>(List.of(Path.of("certs", "ca.crt")));
        if (c.identity() != null && c.identity().certFile().toAbsolutePath().getParent() != null)
            candidates.add(0, c.identity().certFile().toAbsolutePath().getParent().resolve("ca.crt"));
        for (Path p : candidates) {
            if (!Files.isRegularFile(p) || (c.caFile() != null && p.toAbsolutePath().equals(c.caFile().toAbsolutePath()))) continue;
            try {
                for (X509Certificate ca : Pki.readCertificates(p, "CA certificate")) {
                    if (!ca.getSubjectX500Principal().equals(top.getIssuerX500Principal())) continue;
                    top.verify(ca.getPublicKey());
                    return Optional.of(p);
                }
            } catch (Exception ignored) {
                // not this one
            }
        }
        return Optional.empty();
    }

    private static Diagnosis clientCertRequired(Call c, Seen seen, String seenAs) {
        String where = c.url().getHost() + ":" + hostPort(c.url()).replaceAll(".*:", "");
        String accepts = seen.acceptedIssuers.isEmpty() ? "" : " It accepts certificates issued by: "
                + String.join("; ", seen.acceptedIssuers) + ".";
        String cause = c.identity() == null ? "no --cert and --key were given"
                : "the certificate given has a key type the server did not ask for";
        return new Diagnosis(Problem.CLIENT_CERT_REQUIRED, String.format("The request to %s failed: the server refused "
                + "the connection because it requires a client certificate (mutual TLS) and we sent none.%s Likely "
                + "cause: %s. Fix: pass a certificate and key signed by a CA the server trusts, e.g. --cert "
                + "certs/service-a.crt --key certs/service-a.key. (Seen as: %s)", where, accepts, cause, seenAs));
    }

    /** The server refused the certificate we sent; the alert says why, and our own checks add detail. */
    private static Diagnosis clientCertRejected(Call c, Seen seen, String alert, String seenAs) {
        String where = c.url().getHost() + ":" + hostPort(c.url()).replaceAll(".*:", "");
        X509Certificate ours = seen.sent != null ? seen.sent[0] : c.identity() != null ? c.identity().cert() : null;
        List<String> facts = new ArrayList<>();
        String fix = "use a certificate issued by a CA the server trusts, valid now, with the clientAuth purpose "
                + "(./jbang issue.java NAME issues one)";
        if (ours != null) {
            Instant now = Instant.now();
            if (now.isAfter(ours.getNotAfter().toInstant())) {
                facts.add("our certificate \"" + subject(ours) + "\" expired on " + Pki.utc(ours.getNotAfter().toInstant()));
                fix = "re-issue it: ./jbang issue.java --force NAME";
            } else if (now.isBefore(ours.getNotBefore().toInstant())) {
                facts.add("our certificate is not valid before " + Pki.utc(ours.getNotBefore().toInstant()));
            }
            if (!hasClientAuth(ours)) {
                facts.add("our certificate's extended key usage lacks clientAuth, so it may only identify a server");
                fix = "issue one for clients (./jbang issue.java NAME, without --server-only)";
            }
            String revoked = revokedLocally(ours, c);
            if (revoked != null) {
                facts.add("our certificate is listed as revoked in " + revoked + ", and a server given that CRL refuses it");
                fix = "issue a new certificate (./jbang issue.java --force NAME) and use it";
            }
            if (!seen.acceptedIssuers.isEmpty() && !seen.acceptedIssuers.contains(ours.getIssuerX500Principal().getName())) {
                facts.add("it was issued by \"" + issuer(ours) + "\" but the server accepts only: " + String.join("; ", seen.acceptedIssuers));
                fix = "use a certificate issued by one of those CAs, or add our CA to the server's trusted CAs";
            }
            // Some servers (Python's ssl) list no CA names and send no alert: name the issuer to check.
            if (facts.isEmpty())
                facts.add("it was issued by \"" + issuer(ours) + "\"; check that the server trusts that CA");
        }
        String alertText = alert == null ? "the server hung up after seeing it"
                : switch (alert) {
                    case "unknown_ca" -> "the server does not trust the CA that signed it (alert unknown_ca)";
                    case "certificate_expired" -> "the server says it expired or is not yet valid (alert certificate_expired)";
                    case "unsupported_certificate" -> "the server says it is not meant for this use, i.e. it lacks the clientAuth purpose (alert unsupported_certificate)";
                    case "certificate_revoked" -> "the server says it was revoked (alert certificate_revoked)";
                    case "access_denied" -> "the server verified it but this identity is not allowed in (alert access_denied)";
                    case "decrypt_error" -> "its signature did not verify: the key may not belong to the certificate (alert decrypt_error)";
                    default -> "the server could not verify it (alert " + alert + "): expired, from a CA it does not trust, or without the clientAuth purpose";
                };
        return new Diagnosis(Problem.CLIENT_CERT_REJECTED, String.format("The request to %s failed: the server refused "
                + "our client certificate%s: %s.%s Fix: %s. (Seen as: %s)", where,
                ours == null ? "" : " \"" + subject(ours) + "\"", alertText,
                facts.isEmpty() ? "" : " Likely cause: " + String.join("; ", facts) + ".", fix, seenAs));
    }

    /**
     * Where a local CRL (ca.crl beside --cacert or --cert, or certs/ca.crl) lists our certificate:
     * "certs/ca.crl (revoked on ...)", or null. A server that refuses a revoked certificate mostly
     * just hangs up (the JDK's HttpsServer sends no alert), so this is how the client can tell.
     */
    static String revokedLocally(X509Certificate ours, Call c) {
        List<Path> candidates = new ArrayList<>();
        if (c.caFile() != null && c.caFile().toAbsolutePath().getParent() != null)
            candidates.add(c.caFile().toAbsolutePath().getParent().resolve("ca.crl"));
        if (c.identity() != null && c.identity().certFile().toAbsolutePath().getParent() != null)
            candidates.add(c.identity().certFile().toAbsolutePath().getParent().resolve("ca.crl"));
        candidates.add(Path.of("certs", "ca.crl").toAbsolutePath());
        for (Path p : candidates.stream().distinct().toList()) {
            if (!Files.isRegularFile(p)) continue;
            try (InputStream in = Files.newInputStream(p)) {
                for (var crl : CertificateFactory.getInstance("X.509").generateCRLs(in)) {
                    X509CRL x = (X509CRL) crl;
                    if (!x.getIssuerX500Principal().equals(ours.getIssuerX500Principal())) continue;
                    var entry = x.getRevokedCertificate(ours.getSerialNumber());
                    if (entry != null) return p + " (revoked on " + Pki.utc(entry.getRevocationDate().toInstant()) + ")";
                }
            } catch (Exception e) {
                // not a readable CRL: no hint from it
            }
        }
        return null;
    }

    static boolean hasClientAuth(X509Certificate c) {
        var ext = Pki.holder(c).getExtensions();
        ExtendedKeyUsage eku = ext == null ? null : ExtendedKeyUsage.fromExtensions(ext);
        return eku == null || eku.hasKeyPurposeId(KeyPurposeId.id_kp_clientAuth) || eku.hasKeyPurposeId(KeyPurposeId.anyExtendedKeyUsage);
    }

    /** The TLS alert name in "Received fatal alert: unknown_ca", or null. */
    static String alert(String text) {
        var m = java.util.regex.Pattern.compile("Received fatal alert: (\\w+)").matcher(text);
        return m.find() ? m.group(1) : null;
    }

    @SafeVarargs
    static Throwable find(Throwable e, Class<? extends Throwable>... kinds) {
        for (Throwable t = e; t != null; t = t.getCause())
            for (var k : kinds) if (k.isInstance(t)) return t;
        return null;
    }

    /** Every message in a cause chain, joined: the JDK wraps the telling one several levels down. */
    static String chainText(Throwable e) {
        StringJoiner j = new StringJoiner(": ");
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : Pki.oneLine(t);
            if (!j.toString().contains(m)) j.add(m);
        }
        return j.toString();
    }

    // ---------------------------------------------------------------- describing certificates

    public static String subject(X509Certificate c) { return Pki.holder(c).getSubject().toString(); }

    public static String issuer(X509Certificate c) { return Pki.holder(c).getIssuer().toString(); }

    /** DNS:a, IP Address:1.2.3.4 ... or "(none)". */
    public static String sans(X509Certificate c) {
        var ext = Pki.holder(c).getExtensions();
        GeneralNames names = ext == null ? null : GeneralNames.fromExtensions(ext, Extension.subjectAlternativeName);
        return names == null ? "(none)" : Pki.describeNames(names);
    }

    /** A chain as -v prints it: subject, issuer, validity and SANs of each certificate. */
    public static String describeChain(X509Certificate[] chain, String indent) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < chain.length; i++) {
            X509Certificate c = chain[i];
            s.append(indent).append(i).append(" subject: ").append(subject(c)).append('\n');
            s.append(indent).append("  issuer:  ").append(issuer(c)).append('\n');
            s.append(indent).append("  valid:   ").append(Pki.utc(c.getNotBefore().toInstant())).append(" to ")
                    .append(Pki.utc(c.getNotAfter().toInstant())).append(validityNote(c)).append('\n');
            s.append(indent).append("  SANs:    ").append(sans(c)).append('\n');
            s.append(indent).append("  serial:  ").append(c.getSerialNumber().toString(16)).append('\n');
        }
        return s.toString();
    }

    private static String validityNote(X509Certificate c) {
        try {
            c.checkValidity(new Date());
            return "";
        } catch (CertificateExpiredException e) {
            return " (EXPIRED)";
        } catch (CertificateNotYetValidException e) {
            return " (NOT YET VALID)";
        }
    }

    /** Handy for tests and tutorial.java: the serial of the certificate a server presents now (a new session). */
    public static X509Certificate peerCertificate(String host, int port, String sni, Path caFile) throws IOException {
        SSLContext ctx = context(null, trustManager(caFile));
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(10000);
            SSLParameters sp = parameters(ctx);
            if (sni != null) sp.setServerNames(List.of(new javax.net.ssl.SNIHostName(sni)));
            s.setSSLParameters(sp);
            s.startHandshake();
            return (X509Certificate) s.getSession().getPeerCertificates()[0];
        }
    }
}
