import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * serve.java holds up against abuse: slow handshakes and slow headers are cut at their deadlines,
 * 300 idle connections from one address do not lock out another address (127.0.0.2, which loopback
 * allows), oversized headers get 431, plain HTTP gets 400, a 50 MB body gets 405 or 413 without being
 * read. Through all of it a normal caller is served, and afterwards the server answers within a
 * second and its connections, threads and file descriptors return to their baseline.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Isolated // it counts the JVM's serve-conn threads and open files, which other classes' servers would change
class AbuseTest {
    @TempDir static Path dir;
    static Service service;
    static SSLContext client;
    static final List<String> LOG = new CopyOnWriteArrayList<>();

    /** Asserts that the service logged a line containing text (in a copy: its threads may still be adding lines). */
    static void assertLogged(String text) {
        List<String> lines = List.copyOf(LOG);
        assertTrue(lines.stream().anyMatch(l -> l.contains(text)), () -> String.join("\n", lines));
    }
    static long baselineFds;
    static final String GET = "GET / HTTP/1.1\r\nHost: service-b.example.com\r\nConnection: close\r\n\r\n";

    @BeforeAll
    static void service() throws Exception {
        Support.pki(dir, List.of("--key-type", "ec"), List.of("--key-type", "ec"), "service-b.example.com");
        var limits = new TlsServer.Limits(256, 64, Duration.ofSeconds(3), Duration.ofSeconds(3), Duration.ofSeconds(5), 8192);
        service = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NONE).withLimits(limits).withLog(LOG::add));
        client = Tls.context(null, Tls.trustManager(dir.resolve("ca.crt")));
        for (int i = 0; i < 5; i++) assertEquals(200, get(null));
        settle();
        baselineFds = fds();
    }

    @AfterAll
    static void stop() {
        if (service != null) service.stop();
    }

    /** A GET from the given local address (null: any) over a fresh TLS connection: the status, within 5 s. */
    static int get(String from) throws IOException {
        try (Socket plain = new Socket()) {
            if (from != null) plain.bind(new InetSocketAddress(from, 0));
            plain.connect(new InetSocketAddress("127.0.0.1", service.port()), 5000);
            plain.setSoTimeout(5000);
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket(plain, "service-b.example.com", service.port(), false)) {
                s.startHandshake();
                s.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
                String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                return Integer.parseInt(status.substring(9, 12));
            }
        }
    }

    /** How long a normal GET takes now, in ms; it must succeed. */
    static long normalCall() throws IOException {
        long start = System.nanoTime();
        assertEquals(200, get(null));
        return (System.nanoTime() - start) / 1_000_000;
    }

    static long serveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("serve-conn")).count();
    }

    static long fds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    /** Waits (at most 15 s) until no connection is open and the idle worker threads have ended. */
    static void settle() {
        for (long end = System.nanoTime() + 15_000_000_000L; System.nanoTime() < end; Support.sleep(100))
            if (service.openConnections() == 0 && serveThreads() == 0) return;
    }

    @Test
    @Order(2)
    void slowHandshakesAreCutAtTheirDeadline() throws Exception {
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Socket s = new Socket("127.0.0.1", service.port());
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01}); // a ClientHello that never comes
            slow.add(s);
        }
        assertTrue(normalCall() < 2000, "a normal caller is served meanwhile");
        for (Socket s : slow) {
            s.setSoTimeout(10_000);
            long start = System.nanoTime();
            try {
                while (s.getInputStream().read() >= 0) { /* the server's alert, if any, then its close */ }
            } catch (IOException reset) {
                // closed
            }
            assertTrue((System.nanoTime() - start) / 1_000_000 < 8000, "cut within the 3 s handshake timeout");
            s.close();
        }
        assertLogged("refused: handshake timeout");
    }

    @Test
    @Order(3)
    void slowHeadersGet408() throws Exception {
        List<CompletableFuture<String>> drips = new ArrayList<>();
        for (int i = 0; i < 10; i++)
            drips.add(CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", service.port())) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    // One byte every 200 ms, from another thread, until the server has answered.
                    OutputStream out = s.getOutputStream();
                    CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
                        try {
                            return new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                        } catch (IOException e) {
                            return "error: " + e;
                        }
                    });
                    byte[] req = ("GET / HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(200)).getBytes(StandardCharsets.US_ASCII);
                    for (int n = 0; n < req.length && !answer.isDone(); n++) {
                        try {
                            out.write(req[n]);
                            out.flush();
                        } catch (IOException closed) {
                            break;
                        }
                        Support.sleep(200);
                    }
                    return answer.get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return "error: " + e;
                }
            }));
        assertTrue(normalCall() < 2000, "a normal caller is served meanwhile");
        for (var d : drips) assertEquals("HTTP/1.1 408", d.get(20, TimeUnit.SECONDS));
    }

    @Test
    @Order(4)
    void idleConnectionsFromOneAddressDoNotLockOutAnother() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) idle.add(new Socket("127.0.0.1", service.port()));
            long start = System.nanoTime();
            assertEquals(200, get("127.0.0.2"), "127.0.0.2 is served while 127.0.0.1 holds 300 connections");
            assertTrue((System.nanoTime() - start) / 1_000_000 < 1000, "within a second");
            // Past the 64 allowed per address, the connections from 127.0.0.1 were closed at once.
            int closed = 0;
            for (Socket s : idle) {
                s.setSoTimeout(50);
                try {
                    if (s.getInputStream().read() < 0) closed++;
                } catch (java.net.SocketTimeoutException open) {
                    // still held: one of the 64 the address may have
                } catch (IOException reset) {
                    closed++;
                }
            }
            assertTrue(closed >= 300 - 64, "at most 64 connections stay open for one address: " + (300 - closed));
            assertLogged("refused: too many connections from 127.0.0.1 (64, --max-per-address)");
        } finally {
            for (Socket s : idle) s.close();
        }
    }

    @Test
    @Order(1)
    void oversizedHeadersPlainHttpAndHugeBodiesGetTheirStatus() throws Exception {
        assertEquals("HTTP/1.1 431", exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(70 * 1024) + "\r\n\r\n", 0));
        assertEquals("HTTP/1.1 405", exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 52428800\r\n\r\n", 50 << 20));
        assertEquals("HTTP/1.1 413", exchange("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 52428800\r\n\r\n", 50 << 20));
        try (Socket s = new Socket("127.0.0.1", service.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(GET.getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 400") && answer.contains("This port speaks HTTPS only"), answer);
        }
        assertLogged("refused: plain HTTP on the TLS port");
        assertTrue(normalCall() < 2000);
    }

    /** Sends head, then up to bodyBytes of body in the background; returns the first 12 bytes of the answer. */
    static String exchange(String head, int bodyBytes) throws Exception {
        try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", service.port())) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            CompletableFuture<Void> body = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[64 << 10];
                try {
                    for (int sent = 0; sent < bodyBytes; sent += chunk.length) out.write(chunk);
                } catch (IOException closedByServer) {
                    // expected: the server answered and closed without reading the body
                }
            });
            long start = System.nanoTime();
            String status = new String(new BufferedInputStream(s.getInputStream()).readNBytes(12), StandardCharsets.US_ASCII);
            assertTrue((System.nanoTime() - start) / 1_000_000 < 3000, "answered at once, without reading the body");
            s.close();
            body.get(15, TimeUnit.SECONDS);
            return status;
        }
    }

    @Test
    @Order(5)
    void afterwardsItAnswersWithinASecondAndReturnsToItsBaseline() throws Exception {
        settle();
        assertTrue(normalCall() < 1000, "answers within a second");
        settle();
        assertEquals(0, service.openConnections(), "no connection left open");
        assertEquals(0, serveThreads(), "no connection thread left");
        long now = fds();
        assertTrue(now <= baselineFds + 3, "file descriptors back to their baseline: " + baselineFds + " before, " + now + " now");
    }
}
