import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/1.1 serve.java speaks, byte by byte over real TLS: keep-alive and pipelining, HEAD,
 * Content-Length on every answer and HSTS, Connection: close honoured, and a status for each request
 * it will not serve (400 malformed, 405 another method, 408 too slow, 413 a body, 431 headers over
 * the limit, 505 another version), after which the connection closes.
 */
class HttpTest {
    @TempDir static Path dir;
    static Service service;
    static SSLContext client;
    static final List<String> LOG = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void service() {
        Support.pki(dir, List.of("--key-type", "ec"), List.of("--key-type", "ec"), "service-b.example.com");
        var limits = new TlsServer.Limits(64, 16, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(5), 8192);
        service = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NONE).withLimits(limits).withLog(LOG::add));
        client = Tls.context(null, Tls.trustManager(dir.resolve("ca.crt")));
    }

    @AfterAll
    static void stop() {
        if (service != null) service.stop();
    }

    /** One answer: status, headers (lower-case names), body. */
    record Answer(int status, Map<String, String> headers, String body) {}

    static SSLSocket open() throws IOException {
        SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket();
        s.connect(new InetSocketAddress("127.0.0.1", service.port()), 5000);
        s.setSoTimeout(15_000);
        s.startHandshake();
        return s;
    }

    static void send(SSLSocket s, String raw) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Reads one answer, framed by its Content-Length (which every answer must carry); null at the end of the stream. */
    static Answer read(InputStream in, boolean head) throws IOException {
        String status = line(in);
        if (status == null) return null;
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h; !(h = line(in)).isEmpty(); ) headers.put(h.substring(0, h.indexOf(':')).toLowerCase(Locale.ROOT), h.substring(h.indexOf(':') + 1).strip());
        assertTrue(headers.containsKey("content-length"), "every answer carries Content-Length: " + headers);
        int n = head ? 0 : Integer.parseInt(headers.get("content-length"));
        byte[] body = in.readNBytes(n);
        return new Answer(Integer.parseInt(status.split(" ")[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
            if (c != '\r') b.write(c);
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    /** One request on a new connection: its answer, and whether the server then closed the connection. */
    static Answer once(String raw) throws IOException {
        try (SSLSocket s = open()) {
            send(s, raw);
            InputStream in = new BufferedInputStream(s.getInputStream());
            Answer a = read(in, raw.startsWith("HEAD"));
            return a;
        }
    }

    static boolean closedAfter(String raw) throws IOException {
        try (SSLSocket s = open()) {
            send(s, raw);
            InputStream in = new BufferedInputStream(s.getInputStream());
            read(in, false);
            return in.read() < 0;
        }
    }

    static final String GET = "GET / HTTP/1.1\r\nHost: service-b.example.com\r\n\r\n";

    @Test
    void keepAliveAndPipelinedRequestsShareOneConnection() throws Exception {
        try (SSLSocket s = open()) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            send(s, GET);
            assertEquals("Hello from \"service-b\"", read(in, false).body());
            send(s, GET);
            assertEquals(200, read(in, false).status(), "a second request on the kept-alive connection");
            // Three requests in one write: three answers, in order.
            send(s, GET + "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n" + GET);
            assertEquals(List.of(200, 404, 200), List.of(read(in, false).status(), read(in, false).status(), read(in, false).status()));
        }
    }

    @Test
    void everyAnswerCarriesLengthAndHstsAndHeadHasNoBody() throws Exception {
        Answer get = once(GET);
        assertEquals("max-age=31536000", get.headers().get("strict-transport-security"));
        assertEquals("" + get.body().getBytes(StandardCharsets.UTF_8).length, get.headers().get("content-length"));
        try (SSLSocket s = open()) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            send(s, "HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + GET);
            Answer head = read(in, true);
            assertEquals(200, head.status());
            assertEquals(get.headers().get("content-length"), head.headers().get("content-length"), "HEAD gives GET's length");
            assertEquals("Hello from \"service-b\"", read(in, false).body(), "no body bytes followed the HEAD answer");
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        assertTrue(closedAfter("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertEquals("close", once("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").headers().get("connection"));
        assertTrue(closedAfter("GET / HTTP/1.0\r\n\r\n"), "HTTP/1.0 closes unless it asks to keep alive");
    }

    @Test
    void eachRequestItWillNotServeGetsItsStatusAndTheConnectionCloses() throws Exception {
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("GARBAGE\r\n\r\n", 400);
        cases.put("GET /\r\n\r\n", 400);
        cases.put("GET / HTTP/1.1\r\n\r\n", 400); // no Host
        cases.put("GET index.html HTTP/1.1\r\nHost: x\r\n\r\n", 400);
        cases.put("GET / HTTP/1.1\r\nHost: x\r\n folded: value\r\n\r\n", 400);
        cases.put("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
        cases.put("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
        cases.put("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 413);
        cases.put("GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 413);
        cases.put("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(9000) + "\r\n\r\n", 431);
        for (var c : cases.entrySet()) {
            try (SSLSocket s = open()) {
                send(s, c.getKey());
                InputStream in = new BufferedInputStream(s.getInputStream());
                Answer a = read(in, false);
                assertEquals(c.getValue(), a.status(), c.getKey().lines().findFirst().orElse(""));
                assertEquals("close", a.headers().get("connection"), "an error closes the connection");
                assertEquals(-1, in.read(), "and nothing follows");
            }
        }
        Answer post = once("POST / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertEquals(405, post.status());
        assertEquals("GET, HEAD", post.headers().get("allow"));
    }

    @Test
    void aRequestThatDoesNotArriveInTimeGets408() throws Exception {
        try (SSLSocket s = open()) {
            send(s, "GET / HTTP/1.1\r\nHost: x\r\n"); // and never the blank line
            long start = System.nanoTime();
            Answer a = read(new BufferedInputStream(s.getInputStream()), false);
            assertEquals(408, a.status());
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 1500 && ms < 10_000, "the request timeout is 2 s here: " + ms + " ms");
        }
        assertTrue(LOG.stream().anyMatch(l -> l.contains(" 408 ") && l.contains("refused: request timeout")), String.join("\n", LOG));
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedWithCloseNotify() throws Exception {
        try (SSLSocket s = open()) {
            InputStream in = new BufferedInputStream(s.getInputStream());
            send(s, GET);
            read(in, false);
            long start = System.nanoTime();
            assertEquals(-1, in.read(), "the server ends an idle connection with close_notify (a clean end of stream)");
            assertTrue((System.nanoTime() - start) / 1_000_000 >= 4000, "after the idle timeout (5 s here)");
        }
    }

    @Test
    void theRequestLogSaysWhoAskedWhatOverWhichTls() throws Exception {
        once("GET /whoami HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        String line = LOG.stream().filter(l -> l.contains("GET /whoami 200")).findFirst().orElse(null);
        assertFalse(line == null, String.join("\n", LOG));
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ 127\\.0\\.0\\.1:\\d+ TLSv1\\.3 GET /whoami 200 client=\\(no certificate\\)"), line);
        assertNull(once(GET).headers().get("connection"), "a kept-alive answer says nothing of closing");
    }
}
