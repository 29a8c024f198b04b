// TlsServer.java: the connection loop of serve.java, on the JDK's own TLS (SSLSocket), one worker
// thread per connection from a bounded pool. It exists because the JDK 17 HttpsServer, on a refused
// handshake, closes the socket without sending the TLS alert the engine produced, and tells the
// application nothing. Here every refusal reaches the client as an alert and the log as one line:
//   - the socket under TLS stays ours (autoClose false), so after a failed handshake the alert is
//     followed by a FIN and the client's last bytes are read: a close with unread data would send
//     a reset, and the client would lose the alert;
//   - the trust manager words a refused client certificate (Refusal), the handshake's exception and
//     the first byte of the connection give the other reasons (timeout, plain HTTP, no common protocol);
//   - limits hold up against abuse: connections in all and per caller address, a handshake deadline,
//     a request deadline, a keep-alive idle limit, a header size limit; refusal lines are rate-limited.
// Every connection that completed its handshake ends with close_notify, so clients keep the session.

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

public final class TlsServer implements AutoCloseable {

    /** none: no CertificateRequest; want: ask, accept none; need: refuse a handshake without a valid one. */
    public enum ClientAuth { NONE, WANT, NEED }

    /** The limits that keep one caller from holding the service; each is a setting of its own. */
    public record Limits(int maxConnections, int maxPerAddress, Duration handshakeTimeout, Duration requestTimeout,
                         Duration idleTimeout, int maxHeaderBytes) {
        public static Limits defaults() {
            return new Limits(256, 64, Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(15), 8192);
        }
    }

    /** What a handler sees of one request: the request, the TLS session, and who called. */
    public record Exchange(Http.Request request, SSLSession session, InetSocketAddress remote) {
        /** The client's certificate, already verified by the handshake; null when it sent none. */
        public X509Certificate clientCertificate() {
            try {
                return (X509Certificate) session.getPeerCertificates()[0];
            } catch (SSLPeerUnverifiedException none) {
                return null;
            }
        }
    }

    /** What a handler answers: a status, a text body, and words the log line adds (a refusal's reason), or null. */
    public record Answer(int status, String body, String note) {}

    public interface Handler {
        Answer handle(Exchange e);
    }

    /**
     * A client certificate refused by the trust manager, in words ("issued by X, a CA not trusted
     * here"). It is still a CertificateException, so the JDK fails the handshake and sends its alert
     * as with any other; the words are for the log line.
     */
    public static final class Refusal extends CertificateException {
        public Refusal(String words, CertificateException cause) {
            super(words, cause);
        }
    }

    /**
     * The settings a message may name. The command line names each as its option (Words.name);
     * without one, a message names it in these plain words.
     */
    public enum Setting {
        PORT("the port"), CLIENT_AUTH("the client auth mode"), CA("the trusted CA file"), KEY_PASSWORD("the key's password"),
        ALLOW("the allow-list"), CRL("the CRL"), PEER("the peer"), RESOLVE("the host map"),
        MAX_CONNECTIONS("the limit in all"), MAX_PER_ADDRESS("the limit per address"), HANDSHAKE_TIMEOUT("the handshake timeout");

        public final String plain;

        Setting(String plain) {
            this.plain = plain;
        }
    }

    /** Words for a refused client certificate chain, from the service (which knows its CRL and CAs), and the settings' names. */
    public interface Words {
        String refused(X509Certificate[] chain, CertificateException why);

        default String name(Setting s) {
            return s.plain;
        }
    }

    private final ServerSocket listener;
    private final SSLContext ctx;
    private final SSLParameters parameters;
    private final Limits limits;
    private final Words words;
    private final Handler handler;
    private final Consumer<String> log;
    private final Bounds.RateLimit refusals = new Bounds.RateLimit(10, 50);
    private final ThreadPoolExecutor workers;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;
    private Thread counter, acceptor;

    /** The protocol a handshake on this thread reached, recorded by the key manager; for refusal lines. */
    private static final ThreadLocal<String> PROTOCOL = new ThreadLocal<>();

    private TlsServer(ServerSocket listener, SSLContext ctx, SSLParameters parameters, Limits limits, Words words, Handler handler,
                      Consumer<String> log) {
        this.listener = listener;
        this.ctx = ctx;
        this.parameters = parameters;
        this.limits = limits;
        this.words = words;
        this.handler = handler;
        this.log = log;
        // One thread per connection, at most maxConnections, started on demand; an idle one ends after 5 s.
        this.workers = new ThreadPoolExecutor(0, limits.maxConnections(), 5, TimeUnit.SECONDS,
                new SynchronousQueue<>(), r -> Tls.daemon("serve-conn", r));
    }

    /**
     * Binds host:port and serves with this key manager (our certificate) and trust manager (client
     * certificates), in this client-auth mode; returns at once. A failed bind throws IOException.
     */
    public static TlsServer start(InetSocketAddress bind, X509ExtendedKeyManager keys, X509ExtendedTrustManager trust, Words words,
                                  ClientAuth auth, Limits limits, Handler handler, Consumer<String> log) throws IOException {
        SSLContext ctx = Tls.context(new ProtocolRecorder(keys), new Refuser(trust, words));
        SSLParameters sp = Tls.parameters(ctx);
        if (auth == ClientAuth.NEED) sp.setNeedClientAuth(true);
        else if (auth == ClientAuth.WANT) sp.setWantClientAuth(true);
        ServerSocket listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(bind, 511);
        TlsServer server = new TlsServer(listener, ctx, sp, limits, words, handler, log);
        server.acceptor = Tls.daemon("serve-accept", server::acceptLoop);
        server.acceptor.start();
        server.counter = Tls.daemon("serve-refusal-count", server::countDropped);
        server.counter.start();
        return server;
    }

    public int port() { return listener.getLocalPort(); }

    public InetSocketAddress address() { return (InetSocketAddress) listener.getLocalSocketAddress(); }

    /** The server's TLS session cache: serve.java empties it when a new CRL comes in. */
    public SSLSessionContext sessions() { return ctx.getServerSessionContext(); }

    /** Connections open now; tests watch it return to its baseline. */
    public int openConnections() { return open.get(); }

    /** Stops accepting, gives requests in flight up to a second, then closes every connection. Safe to call twice. */
    @Override public void close() {
        if (closed) return;
        closed = true;
        if (counter != null) counter.interrupt();
        Tls.closeQuietly(listener);
        workers.shutdown();
        try {
            // While a thread is blocked in accept(), the JDK only marks the listening socket closed and
            // releases the port when that thread returns: wait for it, so the port is free once we return.
            acceptor.join(1000);
            workers.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : sockets) Tls.closeQuietly(s);
        workers.shutdownNow();
    }

    // ---------------------------------------------------------------- accepting

    private void acceptLoop() {
        while (!closed) {
            Socket plain;
            try {
                plain = listener.accept();
            } catch (IOException e) {
                if (closed) return;
                continue; // a connection that failed while queued; the listener is fine
            }
            InetSocketAddress remote = (InetSocketAddress) plain.getRemoteSocketAddress();
            AtomicInteger mine = perAddress.computeIfAbsent(remote.getAddress(), a -> new AtomicInteger());
            if (open.incrementAndGet() > limits.maxConnections() || mine.incrementAndGet() > limits.maxPerAddress()) {
                boolean total = open.get() > limits.maxConnections();
                release(remote.getAddress(), mine);
                refused(remote, null, total ? "too many connections in all (" + limits.maxConnections() + ", " + words.name(Setting.MAX_CONNECTIONS) + ")"
                        : "too many connections from " + remote.getAddress().getHostAddress() + " (" + limits.maxPerAddress()
                        + ", " + words.name(Setting.MAX_PER_ADDRESS) + ")");
                Tls.closeQuietly(plain);
                continue;
            }
            sockets.add(plain);
            try {
                workers.execute(() -> {
                    try {
                        connection(plain, remote);
                    } finally {
                        sockets.remove(plain);
                        Tls.closeQuietly(plain);
                        release(remote.getAddress(), mine);
                    }
                });
            } catch (RejectedExecutionException e) { // stopping
                sockets.remove(plain);
                Tls.closeQuietly(plain);
                release(remote.getAddress(), mine);
            }
        }
    }

    private void release(InetAddress a, AtomicInteger mine) {
        open.decrementAndGet();
        if (mine.decrementAndGet() <= 0) perAddress.remove(a, mine);
    }

    // ---------------------------------------------------------------- one connection

    private void connection(Socket plain, InetSocketAddress remote) {
        SSLSocket tls;
        Tls.Watchdog dog = Tls.Watchdog.start(plain, System.nanoTime() + limits.handshakeTimeout().toNanos());
        PROTOCOL.remove();
        try {
            plain.setTcpNoDelay(true); // no delayed-ACK stall on each handshake flight
            plain.setSoTimeout((int) limits.handshakeTimeout().toMillis());
            int first = plain.getInputStream().read();
            if (first < 0) return; // a port check: connected and closed, nothing to refuse
            if (first != 0x16) { // a TLS handshake record starts with 22
                notTls(plain, remote, first);
                return;
            }
            SSLSocketFactory f = ctx.getSocketFactory();
            tls = (SSLSocket) f.createSocket(plain, new ByteArrayInputStream(new byte[] {(byte) first}), false);
            tls.setSSLParameters(parameters);
            tls.startHandshake();
        } catch (IOException e) {
            refused(remote, PROTOCOL.get(), dog.expired() ? "handshake timeout (no complete handshake within "
                    + limits.handshakeTimeout().toSeconds() + " s, " + words.name(Setting.HANDSHAKE_TIMEOUT) + ")" : handshakeFailure(e, PROTOCOL.get()));
            linger(plain);
            return;
        } finally {
            dog.cancel();
            PROTOCOL.remove();
        }
        try {
            exchanges(tls, remote);
        } finally {
            Tls.closeQuietly(tls); // close_notify
        }
    }

    /**
     * The words for a failed handshake: the trust manager's, or what the exception shows. ourCertificate
     * is the protocol of a handshake that got as far as sending our certificate (null: not so far).
     */
    static String handshakeFailure(IOException e, String ourCertificate) {
        Refusal r = (Refusal) Tls.find(e, Refusal.class);
        if (r != null) return r.getMessage();
        String text = Diagnosis.chainText(e);
        if (text.contains("Empty client certificate chain") || text.contains("certificate_required"))
            return "no client certificate (this service requires one)";
        String alert = Diagnosis.alert(text);
        String refused = "the client refused our certificate or the handshake";
        if (alert != null) return refused + " (alert " + alert + " from the client)";
        // Over TLS 1.3 a client that rejects our certificate (curl without our CA) sends its alert
        // unencrypted, as a record of two bytes, when the JDK already expects encrypted ones: it
        // reports "Insufficient buffer remaining for AEAD cipher fragment (2)". Two bytes are an alert.
        if (text.contains("AEAD cipher fragment (2)"))
            return refused + " (an alert from the client, sent unencrypted over TLS 1.3, so the JDK could not read which)";
        if (text.contains("no cipher suites in common") || text.contains("protocol") && text.contains("not supported")
                || text.contains("No appropriate protocol") || text.contains("not enabled or not supported"))
            return "no common protocol: the client offers no TLS version or cipher suite we allow (TLS 1.2 and 1.3 with "
                    + "forward secrecy and AEAD; " + Text.of(e) + ")";
        if (e instanceof SocketTimeoutException) return "handshake timeout (the client went quiet)";
        if (e instanceof EOFException || text.contains("terminated the handshake") || text.contains("Connection reset")
                || e instanceof SocketException)
            // After our certificate it was the client's turn: hanging up then is how it refuses without an alert.
            return ourCertificate != null ? refused + " (it closed the connection after our certificate, without an alert)"
                    : "the client closed the connection during the handshake";
        return "the handshake failed: " + Text.of(e);
    }

    /**
     * A first byte that is not a TLS record. Plain HTTP on the TLS port gets a plain HTTP 400 that
     * says so (as nginx answers 400 "The plain HTTP request was sent to HTTPS port"); anything else a close.
     */
    private void notTls(Socket plain, InetSocketAddress remote, int first) throws IOException {
        if (httpMethod(plain.getInputStream(), first)) {
            String body = "This port speaks HTTPS only: use https:// (the request was plain HTTP).\n";
            String answer = "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                    + body.length() + "\r\nConnection: close\r\n\r\n" + body;
            plain.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
            plain.getOutputStream().flush();
            refused(remote, null, "plain HTTP on the TLS port (answered 400)");
        } else {
            refused(remote, null, String.format("not TLS: the first byte is 0x%02x, not a TLS handshake", first));
        }
        linger(plain);
    }

    /** Whether the connection starts as an HTTP request does: an upper-case method of 3 to 7 letters, then a space. */
    private static boolean httpMethod(InputStream in, int first) throws IOException {
        if (first < 'A' || first > 'Z') return false;
        for (int n = 1; n <= 7; n++) {
            int b = in.read();
            if (b == ' ') return n >= 3;
            if (b < 'A' || b > 'Z') return false;
        }
        return false;
    }

    /**
     * The alert is out: send FIN, then read what the client still sends for up to a second, and only
     * then close. Closing with unread data would make the kernel send a reset, which can reach the
     * client before it has read the alert.
     */
    static void linger(Socket plain) {
        try {
            plain.shutdownOutput();
            plain.setSoTimeout(250);
            InputStream in = plain.getInputStream();
            byte[] sink = new byte[4096];
            long end = System.nanoTime() + 1_000_000_000L;
            for (int n = 0; n < 64 && System.nanoTime() < end; n++) if (in.read(sink) < 0) break;
        } catch (IOException done) {
            // the client went away first: nothing left to protect
        }
    }

    // ---------------------------------------------------------------- HTTP on the connection

    /** Requests on one connection, pipelined or kept alive, until the client or a limit ends it. */
    private void exchanges(SSLSocket tls, InetSocketAddress remote) {
        SSLSession session = tls.getSession();
        try {
            Bounds.Deadline deadline = new Bounds.Deadline(tls);
            InputStream in = new BufferedInputStream(deadline, 16 << 10);
            OutputStream out = new BufferedOutputStream(tls.getOutputStream(), 16 << 10);
            while (!closed) {
                deadline.idle(limits.idleTimeout());
                in.mark(1);
                try {
                    if (in.read() < 0) return; // the client closed its side
                } catch (SocketTimeoutException idle) {
                    return; // keep-alive idle limit: close, with close_notify
                }
                in.reset();
                deadline.until(System.nanoTime() + limits.requestTimeout().toNanos());
                Http.Request r;
                try {
                    r = Http.read(in, limits.maxHeaderBytes());
                } catch (Http.Bad bad) {
                    answer(out, null, remote, session, new Answer(bad.status, Http.reason(bad.status) + ": " + bad.getMessage() + "\n",
                            "refused: " + bad.getMessage()), true);
                    drain(tls);
                    return;
                } catch (SocketTimeoutException slow) {
                    answer(out, null, remote, session, new Answer(408, "Request Timeout: the request did not arrive within "
                            + limits.requestTimeout().toSeconds() + " s\n", "refused: request timeout"), true);
                    drain(tls);
                    return;
                }
                deadline.idle(limits.idleTimeout());
                if (r == null) return;
                Answer a;
                boolean close = !r.keepAlive();
                if (!r.method().equals("GET") && !r.method().equals("HEAD")) {
                    a = new Answer(405, "Only GET and HEAD are served here.\n", null);
                    close |= Http.hasBody(r);
                } else if (Http.hasBody(r)) {
                    a = new Answer(413, "This service reads no request body.\n", "refused: a request body");
                    close = true; // the body is not read, so the connection cannot carry another request
                } else {
                    try {
                        a = handler.handle(new Exchange(r, session, remote));
                    } catch (RuntimeException e) {
                        a = new Answer(500, "error: " + Text.of(e) + "\n", null);
                    }
                }
                answer(out, r, remote, session, a, close);
                if (close) {
                    drain(tls);
                    return;
                }
            }
        } catch (IOException e) {
            // the client went away mid-request or mid-answer: nothing to answer
        }
    }

    /**
     * Closing while the client still sends (a body we did not read, a header past the limit) would
     * make the kernel answer with a reset, which can destroy our answer before the client reads it.
     * So: close_notify first, then read and drop what arrives for up to a second (at most 8 MiB).
     */
    private static void drain(SSLSocket tls) {
        try {
            InputStream in = tls.getInputStream(); // unbuffered: what the buffer holds is already off the socket
            tls.shutdownOutput();
            tls.setSoTimeout(250);
            byte[] sink = new byte[16 << 10];
            long end = System.nanoTime() + 1_000_000_000L;
            for (long n = 0; n < (8 << 20) && System.nanoTime() < end; ) {
                int r = in.read(sink);
                if (r < 0) break;
                n += r;
            }
        } catch (IOException done) {
            // the client closed, or stopped sending: either way nothing is left to protect
        }
    }

    private void answer(OutputStream out, Http.Request r, InetSocketAddress remote, SSLSession session, Answer a, boolean close)
            throws IOException {
        boolean head = r != null && r.method().equals("HEAD");
        String[] extra = a.status() == 405 ? new String[] {"Allow", "GET, HEAD"} : new String[0];
        Http.write(out, a.status(), a.body(), head, close, extra);
        String line = stamp(remote, session.getProtocol()) + " " + (r == null ? "-" : Http.shown(r)) + " " + a.status()
                + " client=" + caller(session) + (a.note() == null ? "" : " " + a.note());
        if (a.note() != null && a.note().startsWith("refused:")) refusedLine(line);
        else log.accept(line);
    }

    /** "CN=..." in quotes, or (no certificate); parsed once per TLS session, not once per request. */
    static String caller(SSLSession s) {
        if (s.getValue("tlsserver.caller") instanceof String cached) return cached;
        String who;
        try {
            who = "\"" + Names.subject((X509Certificate) s.getPeerCertificates()[0]) + "\"";
        } catch (SSLPeerUnverifiedException none) {
            who = "(no certificate)";
        }
        s.putValue("tlsserver.caller", who);
        return who;
    }

    /** The start of every log line: time (UTC, ISO 8601), the caller's address and port, the TLS version or "-". */
    static String stamp(InetSocketAddress remote, String protocol) {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + remote.getAddress().getHostAddress() + ":" + remote.getPort()
                + " " + (protocol == null || protocol.equals("NONE") ? "-" : protocol);
    }

    private void refused(InetSocketAddress remote, String protocol, String why) {
        refusedLine(stamp(remote, protocol) + " refused: " + why);
    }

    /** Refusal lines, at most 10 a second with bursts of 50: a flood of refusals cannot fill a disk. */
    private void refusedLine(String line) {
        long dropped = refusals.take();
        if (dropped < 0) return;
        if (dropped > 0) droppedNote(dropped);
        log.accept(line);
    }

    /**
     * The count of refusal lines not written, once a second while serving: a burst that ends is
     * counted too, not only when the next refusal comes.
     */
    private void countDropped() {
        while (!closed) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
            long dropped = refusals.takeDropped();
            if (dropped > 0) droppedNote(dropped);
        }
    }

    private void droppedNote(long dropped) {
        log.accept(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " (" + dropped + " more refusal lines were not written: over 10 a second)");
    }

    // ---------------------------------------------------------------- the managers the context is built with

    /** Our key manager, noting on the handshake's thread which TLS version it reached (for refusal lines). */
    static final class ProtocolRecorder extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        ProtocolRecorder(X509ExtendedKeyManager keys) { this.keys = keys; }

        private static void note(Socket s) {
            if (s instanceof SSLSocket ssl && ssl.getHandshakeSession() != null) PROTOCOL.set(ssl.getHandshakeSession().getProtocol());
        }

        @Override public String chooseServerAlias(String type, Principal[] issuers, Socket s) {
            note(s);
            return keys.chooseServerAlias(type, issuers, s);
        }
        @Override public String chooseEngineServerAlias(String type, Principal[] issuers, SSLEngine e) { return keys.chooseEngineServerAlias(type, issuers, e); }
        @Override public String chooseClientAlias(String[] types, Principal[] issuers, Socket s) { return keys.chooseClientAlias(types, issuers, s); }
        @Override public String chooseEngineClientAlias(String[] types, Principal[] issuers, SSLEngine e) { return keys.chooseEngineClientAlias(types, issuers, e); }
        @Override public X509Certificate[] getCertificateChain(String alias) { return keys.getCertificateChain(alias); }
        @Override public PrivateKey getPrivateKey(String alias) { return keys.getPrivateKey(alias); }
        @Override public String[] getServerAliases(String type, Principal[] issuers) { return keys.getServerAliases(type, issuers); }
        @Override public String[] getClientAliases(String type, Principal[] issuers) { return keys.getClientAliases(type, issuers); }
    }

    /** The client-certificate checks of trust, with a refusal put in words for the log (see Refusal). */
    static final class Refuser extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager trust;
        private final Words words;

        Refuser(X509ExtendedTrustManager trust, Words words) {
            this.trust = trust;
            this.words = words;
        }

        private void check(X509Certificate[] chain, String authType, Socket s, SSLEngine e) throws CertificateException {
            if (s != null) ProtocolRecorder.note(s);
            try {
                if (e != null) trust.checkClientTrusted(chain, authType, e);
                else trust.checkClientTrusted(chain, authType, s);
            } catch (CertificateException ce) {
                throw new Refusal(words.refused(chain, ce), ce);
            }
        }

        @Override public void checkClientTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { check(c, a, s, null); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { check(c, a, null, e); }
        @Override public void checkClientTrusted(X509Certificate[] c, String a) throws CertificateException { check(c, a, null, null); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, Socket s) throws CertificateException { trust.checkServerTrusted(c, a, s); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a, SSLEngine e) throws CertificateException { trust.checkServerTrusted(c, a, e); }
        @Override public void checkServerTrusted(X509Certificate[] c, String a) throws CertificateException { trust.checkServerTrusted(c, a); }
        @Override public X509Certificate[] getAcceptedIssuers() { return trust.getAcceptedIssuers(); }
    }
}
