// Fetch.java: one HTTPS GET, the two ways this project makes it.
//   - get(): over an SSLSocket, as client.java probes: connecting, the handshake, the request and
//     the answer are separate steps, so a failure names its step, and one deadline bounds them all.
//   - viaHttpClient(): with the JDK's HttpClient, as a service calls another (serve.java's peer
//     routes); curl's resolve (a host mapped to an address) is done there by a tiny local CONNECT tunnel.
// Either way the handshake is recorded (Tls.Seen) and a failure comes back explained (Diagnosis).

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

public final class Fetch {
    private Fetch() {}

    /**
     * How a call ended: an HTTP answer (status >= 0) and/or a failure explained in one paragraph.
     * cut is null when the answer arrived whole, else what cut it: the answer shown is then partial,
     * and a caller must say so (a partial body must not pass for the whole one).
     */
    public record Outcome(int status, String body, Optional<SSLSession> session, Tls.Seen seen, Diagnosis failure, Cut cut) {
        public boolean ok() { return failure == null && cut == null; }
    }

    /** The most header lines we read, as nginx's 100 request headers times ten. */
    public static final int MAX_HEADERS = 1000;

    /** The longest header line we read (nginx's large_client_header_buffers is 8 KiB; this is 8 times that). */
    public static final int MAX_LINE = 64 << 10;

    /** The most body we read: a probe shows an answer, it does not download files. */
    public static final int MAX_BODY = 16 << 20;

    /** Which limit cut an answer short: one of the probe's own, or the server closing early. */
    public enum Limit { BODY, HEADER_COUNT, LINE_LENGTH, CLOSED_EARLY, CLOSED_IN_HEADERS }

    /**
     * An answer that did not arrive whole: the limit, the body bytes that did arrive, and the body
     * size the server announced (-1 when it announced none).
     */
    public record Cut(Limit limit, long arrived, long announced) {
        /** What happened, in one clause with no command-line word: "its body is larger than ...". */
        public String text() {
            return switch (limit) {
                case BODY -> announced > MAX_BODY
                        ? "its body is " + announced + " bytes, more than the " + MAX_BODY + " bytes (16 MiB) this probe reads, so only the first " + arrived + " bytes were read"
                        : "its body is longer than the " + MAX_BODY + " bytes (16 MiB) this probe reads, so only the first " + arrived + " bytes were read";
                case HEADER_COUNT -> "it has more than " + MAX_HEADERS + " header lines, the most this probe reads, so the rest of its headers and its body were not read";
                case LINE_LENGTH -> "a line of its headers is longer than " + MAX_LINE + " bytes (64 KiB), the most this probe reads, so the rest of the answer was not read";
                case CLOSED_IN_HEADERS -> "the server closed the connection before the end of its headers, so no body was read";
                case CLOSED_EARLY -> "the server closed the connection after " + arrived + (announced >= 0
                        ? " of the " + announced + " bytes of body it announced" : " bytes of a chunked body, before its last chunk");
            };
        }
    }

    /** One GET over an SSLSocket, bounded as a whole by the call's maxTime. */
    public static Outcome get(Tls.Call c) {
        Tls.Seen seen = new Tls.Seen();
        long deadline = System.nanoTime() + c.maxTime().toNanos();
        SSLSocket s = null;
        Tls.Watchdog dog = null;
        try {
            s = Tls.connect(c, seen, deadline);
            dog = Tls.Watchdog.start(s, deadline);
            seen.stage = "the request";
            String host = c.url().getHost();
            String hostHeader = c.url().getPort() == -1 ? host : host + ":" + c.url().getPort();
            String path = c.url().getRawPath() == null || c.url().getRawPath().isEmpty() ? "/" : c.url().getRawPath();
            if (c.url().getRawQuery() != null) path += "?" + c.url().getRawQuery();
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: jbang-mtls-client\r\n"
                    + "Accept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            seen.stage = "the answer";
            Response r = readResponse(new java.io.BufferedInputStream(new java.io.FilterInputStream(s.getInputStream()) {
                @Override public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) seen.answered = true;
                    return n;
                }
            }));
            // A watchdog that fired may leave a read looking like a clean end: a stalled answer is a timeout.
            if (dog.expired()) throw new java.net.SocketTimeoutException("the deadline passed during " + seen.stage);
            Diagnosis failure = r.status() < 0 ? null : Diagnosis.ofResponse(r.status(), r.body(), c, seen);
            return new Outcome(r.status(), r.body(), Optional.of(s.getSession()), seen, failure, r.cut());
        } catch (IOException e) {
            IOException why = dog != null && dog.expired() ? new java.net.SocketTimeoutException("the deadline passed during " + seen.stage) : e;
            return new Outcome(-1, "", Optional.empty(), seen, Diagnosis.of(why, c, seen), null);
        } finally {
            if (dog != null) dog.cancel();
            Tls.closeQuietly(s);
        }
    }

    /** What one handshake showed: the recorded handshake (the server's chain, when it sent one) and the failure, or null. */
    public record Handshake(Tls.Seen seen, IOException failure) {}

    /** One TLS handshake and no request, bounded as a whole by the call's maxTime: what inspect.java shows of a server. */
    public static Handshake handshake(Tls.Call call) {
        Tls.Seen seen = new Tls.Seen();
        try (var s = Tls.connect(call, seen, System.nanoTime() + call.maxTime().toNanos())) {
            return new Handshake(seen, null);
        } catch (IOException e) {
            return new Handshake(seen, e);
        }
    }

    /**
     * An HTTP/1.x answer: status and body (headers are read and dropped, but framing is honoured),
     * and what cut it short, or null when it arrived whole. status is -1 when even the status line
     * was cut.
     */
    public record Response(int status, String body, Cut cut) {}

    /**
     * An answer that is not HTTP/1.x as RFC 9112 frames it: no status line, a Content-Length that is
     * not a number, broken chunks. The TLS handshake worked; a diagnosis can tell this from a TLS
     * failure by its type.
     */
    public static final class BadAnswer extends IOException {
        BadAnswer(String message) {
            super(message);
        }
    }

    /** A line longer than MAX_LINE: the answer stops being read there. */
    private static final class LineTooLong extends IOException {}

    /**
     * Reads the status line, the headers, and the body by Content-Length, chunks, or up to EOF.
     * A limit reached, or a server that closes before the body it announced, is returned as a Cut
     * with what arrived, never dropped: the caller must be able to say the answer is partial.
     */
    public static Response readResponse(InputStream in) throws IOException {
        String statusLine;
        try {
            statusLine = line(in);
        } catch (LineTooLong e) {
            return new Response(-1, "", new Cut(Limit.LINE_LENGTH, 0, -1));
        }
        if (statusLine == null) throw new EOFException("the server closed the connection without answering");
        var m = java.util.regex.Pattern.compile("HTTP/1\\.[01] (\\d{3}).*").matcher(statusLine);
        if (!m.matches()) throw new BadAnswer("not an HTTP answer: " + Text.escape(statusLine.substring(0, Math.min(60, statusLine.length()))));
        int status = Integer.parseInt(m.group(1));
        long length = -1;
        boolean chunked = false;
        int headers = 0;
        try {
            for (String h; ; ) {
                // Headers end with an empty line (RFC 9112 section 2.1); the end of the connection before it cuts the answer.
                if ((h = line(in)) == null) return new Response(status, "", new Cut(Limit.CLOSED_IN_HEADERS, 0, -1));
                if (h.isEmpty()) break;
                if (++headers > MAX_HEADERS) return new Response(status, "", new Cut(Limit.HEADER_COUNT, 0, -1));
                String lower = h.toLowerCase(Locale.ROOT);
                try {
                    if (lower.startsWith("content-length:")) length = Long.parseLong(lower.substring(15).trim());
                } catch (NumberFormatException e) {
                    throw new BadAnswer("the answer's Content-Length is not a number");
                }
                if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) chunked = true;
            }
        } catch (LineTooLong e) {
            return new Response(status, "", new Cut(Limit.LINE_LENGTH, 0, -1));
        } catch (EOFException e) {
            return new Response(status, "", new Cut(Limit.CLOSED_IN_HEADERS, 0, -1));
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        Cut cut = null;
        if (chunked) {
            try {
                for (long n; cut == null && (n = chunkSize(line(in))) > 0; ) {
                    cut = copy(in, body, n, -1);
                    if (cut == null) line(in);
                }
            } catch (LineTooLong e) {
                cut = new Cut(Limit.LINE_LENGTH, body.size(), -1);
            } catch (EOFException e) {
                cut = new Cut(Limit.CLOSED_EARLY, body.size(), -1);
            }
        } else if (length >= 0) cut = copy(in, body, length, length);
        else cut = copy(in, body, -1, -1); // no framing (HTTP/1.0): the body ends when the server closes
        return new Response(status, body.toString(StandardCharsets.UTF_8), cut);
    }

    private static long chunkSize(String line) throws IOException {
        if (line == null) throw new EOFException("the connection closed before the last chunk");
        try {
            return Long.parseLong(line.split(";")[0].trim(), 16);
        } catch (NumberFormatException e) {
            throw new BadAnswer("the answer's chunked framing is broken");
        }
    }

    /**
     * Copies n bytes of body (n < 0: up to the end of the connection) while the whole body stays
     * within MAX_BODY. Returns null, or the Cut: the limit reached, or the server closing before
     * n bytes arrived. announced is the Content-Length, for the Cut's words.
     */
    private static Cut copy(InputStream in, ByteArrayOutputStream to, long n, long announced) throws IOException {
        byte[] buf = new byte[8192];
        for (long left = n < 0 ? Long.MAX_VALUE : n; left > 0; ) {
            long room = MAX_BODY - to.size();
            if (room == 0) {
                // Full: one byte more says whether there was more (a body of exactly MAX_BODY bytes is whole).
                if (n >= 0 || in.read() >= 0) return new Cut(Limit.BODY, to.size(), announced);
                return null;
            }
            int r = in.read(buf, 0, (int) Math.min(Math.min(buf.length, left), room));
            if (r < 0 && n < 0) return null; // unframed: the end of the connection is the end of the body
            if (r < 0) return new Cut(Limit.CLOSED_EARLY, to.size(), announced);
            to.write(buf, 0, r);
            left -= r;
        }
        return null;
    }

    /** One header line without its CRLF; null at EOF. */
    private static String line(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0 && s.length() == 0) return null;
            if (b < 0) throw new EOFException("the connection closed in the middle of a line of the answer's headers");
            if (s.length() >= MAX_LINE) throw new LineTooLong();
            if (b != '\r') s.append((char) b);
        }
        return s.toString();
    }

    /**
     * The call with the JDK's HttpClient, as a service would make it (serve.java's peer routes).
     * A fresh client per call, so every call is a full handshake that Seen can record.
     */
    public static Outcome viaHttpClient(Tls.Call c) {
        Tls.Seen seen = new Tls.Seen();
        SSLContext ctx = Tls.recordingContext(c, seen);
        HttpClient.Builder b = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // the tutorial's services speak HTTP/1.1
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(c.connectTimeout())
                .sslContext(ctx)
                .sslParameters(Tls.parameters(ctx));
        InetSocketAddress mapped = c.resolve().get(Tls.hostPort(c.url()));
        try (Tunnel tunnel = mapped == null ? null : new Tunnel(mapped, c.connectTimeout(), seen)) {
            if (tunnel != null) {
                seen.mappedTo = mapped;
                b.proxy(tunnel.selector());
            }
            HttpRequest req = HttpRequest.newBuilder(c.url()).timeout(c.maxTime()).GET().build();
            HttpResponse<Bounded> resp = b.build().send(req, info -> new Bounded());
            String body = resp.body().text();
            Diagnosis d = Diagnosis.ofResponse(resp.statusCode(), body, c, seen);
            return new Outcome(resp.statusCode(), body, resp.sslSession(), seen, d, resp.body().cut());
        } catch (IOException e) {
            return new Outcome(-1, "", Optional.empty(), seen, Diagnosis.of(e, c, seen), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(-1, "", Optional.empty(), seen, Diagnosis.of(e, c, seen), null);
        }
    }

    /**
     * A body for the JDK's HttpClient, kept to MAX_BODY bytes: past that, the rest is not read (the
     * subscription is cancelled, which closes the connection) and the body says it was cut, as get()'s does.
     */
    static final class Bounded implements HttpResponse.BodySubscriber<Bounded> {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final java.util.concurrent.CompletableFuture<Bounded> done = new java.util.concurrent.CompletableFuture<>();
        private volatile Cut cut;
        private java.util.concurrent.Flow.Subscription subscription;

        String text() { return bytes.toString(StandardCharsets.UTF_8); }

        Cut cut() { return cut; }

        @Override public java.util.concurrent.CompletionStage<Bounded> getBody() { return done; }

        @Override public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override public void onNext(List<java.nio.ByteBuffer> buffers) {
            if (done.isDone()) return;
            for (java.nio.ByteBuffer b : buffers) {
                int room = MAX_BODY - bytes.size(), n = Math.min(room, b.remaining());
                byte[] chunk = new byte[n];
                b.get(chunk);
                bytes.writeBytes(chunk);
                if (b.hasRemaining()) {
                    cut = new Cut(Limit.BODY, bytes.size(), -1);
                    subscription.cancel();
                    done.complete(this);
                    return;
                }
            }
        }

        @Override public void onError(Throwable e) { done.completeExceptionally(e); }

        @Override public void onComplete() { done.complete(this); }
    }

    /**
     * curl's resolve (HOST:PORT:ADDR) for the JDK's HttpClient. HttpClient looks names up itself, and Java 17 has
     * no per-client resolver: -Djdk.net.hosts.file is JVM-wide and read once at start-up, and
     * InetAddressResolverProvider arrived in JDK 18 (JEP 418). So mapped names go through a
     * local HTTP CONNECT tunnel, the way HttpClient uses any proxy: the tunnel dials ADDR, and TLS
     * still runs end to end with SNI and hostname verification on the real name. Names not mapped
     * go straight to DNS. Listens on 127.0.0.1 only, and serves only the one mapped target.
     */
    static final class Tunnel implements AutoCloseable {
        private final ServerSocket server;
        private final InetSocketAddress target;
        private final Duration connectTimeout;
        private final Tls.Seen seen;
        private final Set<Socket> open = ConcurrentHashMap.newKeySet();

        public Tunnel(InetSocketAddress target, Duration connectTimeout, Tls.Seen seen) throws IOException {
            this.target = target;
            this.connectTimeout = connectTimeout;
            this.seen = seen;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Tls.daemon("tunnel-accept", this::acceptLoop).start();
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
                    Tls.daemon("tunnel", () -> serve(client)).start();
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
                Thread up = Tls.daemon("tunnel-up", () -> pump(client, upstream));
                up.start();
                pump(upstream, client);
                up.join(1000);
            } catch (IOException | InterruptedException e) {
                // the client went away; nothing to report
            } finally {
                Tls.closeQuietly(client);
                Tls.closeQuietly(upstream);
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
                Tls.closeQuietly(from);
                Tls.closeQuietly(to);
            }
        }

        @Override public void close() {
            Tls.closeQuietly(server);
            for (Socket s : open) Tls.closeQuietly(s);
        }
    }
}
