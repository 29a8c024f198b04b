import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP part of the mutation corpus: requests to serve.java's parser, generated from valid ones
 * by a fixed seed (request lines, header names and values, framing and chunked bodies, control
 * characters, sizes at and past the limits, pipelined sequences, slow senders). Each must end in an
 * answer with a status this server sends (200, 400, 404, 405, 408, 413, 431, 505) or a clean close,
 * within a bound: 0 hangs, 0 answers 500, 0 stack traces in the log. The counts per kind go to
 * docs/RELIABILITY.md.
 */
class HttpCorpusTest {
    @TempDir Path dir;

    static final Set<Integer> STATUSES = Set.of(200, 400, 404, 405, 408, 413, 431, 505);
    static final int SEED = 20261130;

    /** One generated case: its kind (for the summary) and its bytes, sent in one write or dripped. */
    record Case(String kind, byte[] bytes, boolean slow) {}

    static List<Case> corpus() {
        Random rnd = new Random(SEED);
        List<Case> cases = new ArrayList<>();
        List<String> seeds = List.of(
                "GET / HTTP/1.1\r\nHost: service-b.example.com\r\n\r\n",
                "GET /whoami HTTP/1.1\r\nHost: service-b.example.com\r\nUser-Agent: corpus\r\nAccept: */*\r\n\r\n",
                "HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                "GET /nope?q=1 HTTP/1.0\r\n\r\n");
        // Byte-level mutations of valid requests: flips, insertions and deletions anywhere.
        for (int i = 0; i < 300; i++) {
            byte[] b = seeds.get(i % seeds.size()).getBytes(StandardCharsets.ISO_8859_1);
            int n = 1 + rnd.nextInt(4);
            for (int k = 0; k < n; k++) {
                int at = rnd.nextInt(b.length);
                switch (rnd.nextInt(3)) {
                    case 0 -> b[at] = (byte) rnd.nextInt(256);
                    case 1 -> b = insert(b, at, new byte[] {(byte) "\r\n\0\t :\u007f\u00ff/".charAt(rnd.nextInt(9))});
                    default -> b = delete(b, at);
                }
            }
            cases.add(new Case("bytes flipped, inserted or deleted", b, false));
        }
        // Request lines.
        for (String line : List.of("GET  / HTTP/1.1", "GET / HTTP/1.1 extra", "get / HTTP/1.1", "G\0T / HTTP/1.1", "GET / HTTP/1",
                "GET / HTTP/0.9", "GET / HTTP/2.0", "GET / HTTP/1.10", "GET /\u00e9 HTTP/1.1", "GET \t/ HTTP/1.1", " GET / HTTP/1.1",
                "GET *", "GET /" + "a".repeat(9000) + " HTTP/1.1", "BREW / HTTP/1.1", "POST / HTTP/1.1", "DELETE /whoami HTTP/1.1",
                "OPTIONS * HTTP/1.1", "CONNECT service-b.example.com:443 HTTP/1.1", "GET https://x/whoami HTTP/1.1", "GET // HTTP/1.1",
                "GET /../../etc/passwd HTTP/1.1", "GET /%00 HTTP/1.1", "X".repeat(30) + " / HTTP/1.1"))
            cases.add(new Case("request lines", (line + "\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), false));
        // Header lines.
        for (String h : List.of("Host x", ": empty-name", "Bad Name: v", "X-A:\0v", "X-A: v\rw", " X-Folded: v", "\tX-Folded: v",
                "Host: a\r\nHost: b", "X-Long: " + "v".repeat(8500), "X-" + "n".repeat(8500) + ": v", "X-Unicode: \u00e9\u00e8",
                "Content-Length: -1", "Content-Length: 1e3", "Content-Length: 99999999999999999999", "Content-Length: 0",
                "Content-Length: 0\r\nContent-Length: 0", "Content-Length: 1\r\nContent-Length: 2", "Transfer-Encoding: gzip",
                "Connection: keep-alive, close", "Expect: 100-continue", "X-Empty:", "X-Spaces:    v    "))
            cases.add(new Case("header lines", ("GET / HTTP/1.1\r\nHost: x\r\n" + h + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), false));
        for (int count : List.of(99, 100, 101, 500))
            cases.add(new Case("header lines", ("GET / HTTP/1.1\r\nHost: x\r\n" + "X-N: v\r\n".repeat(count - 1) + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1), false));
        // Framing and chunked bodies: never read, always refused (this service takes no body).
        for (String body : List.of("Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n", "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
                "Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n", "Transfer-Encoding: chunked, identity\r\n\r\n",
                "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello", "Content-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\nHost: x\r\n\r\n",
                "Content-Length: 10\r\n\r\nhi"))
            cases.add(new Case("framing and chunked bodies", ("GET / HTTP/1.1\r\nHost: x\r\n" + body).getBytes(StandardCharsets.ISO_8859_1), false));
        // Pipelined sequences, valid and not.
        for (int i = 0; i < 40; i++) {
            StringBuilder s = new StringBuilder();
            for (int k = 0; k < 2 + rnd.nextInt(5); k++) s.append(seeds.get(rnd.nextInt(2)));
            if (rnd.nextBoolean()) s.append("GARBAGE\r\n\r\n");
            cases.add(new Case("pipelined sequences", s.toString().getBytes(StandardCharsets.ISO_8859_1), false));
        }
        // Random bytes after a valid request line.
        for (int i = 0; i < 60; i++) {
            byte[] junk = new byte[1 + rnd.nextInt(2000)];
            rnd.nextBytes(junk);
            cases.add(new Case("random header bytes", concat("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), junk), false));
        }
        // Slow senders: a byte every 20 ms, whole (answered) or never finished (408).
        cases.add(new Case("slow senders", seeds.get(0).getBytes(StandardCharsets.US_ASCII), true));
        cases.add(new Case("slow senders", "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII), true));
        return cases;
    }

    @Test
    void everyRequestEndsInAStatusOrACleanCloseWithinItsBound() throws Exception {
        Support.pki(dir, List.of("--key-type", "ec"), List.of("--key-type", "ec"), Support.B);
        List<String> log = new CopyOnWriteArrayList<>();
        var limits = new TlsServer.Limits(256, 64, Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(2), 8192);
        SSLContext ctx = Tls.context(null, Tls.trustManager(dir.resolve("ca.crt")));
        Map<String, Map<String, Integer>> outcomes = new TreeMap<>();
        List<String> defects = new ArrayList<>();
        long start = System.nanoTime();
        List<Case> corpus = corpus();
        try (var service = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NONE).withLimits(limits).withLog(log::add))) {
            for (Case c : corpus) {
                String outcome;
                try {
                    outcome = send(ctx, service.port(), c);
                } catch (IOException e) {
                    outcome = "defect: " + e;
                }
                if (outcome.startsWith("defect") || outcome.contains("500")) defects.add(c.kind() + ": " + outcome + " for "
                        + Text.oneLine(new String(c.bytes(), StandardCharsets.ISO_8859_1)));
                outcomes.computeIfAbsent(c.kind(), k -> new TreeMap<>()).merge(outcome, 1, Integer::sum);
            }
            assertEquals(200, Integer.parseInt(send(ctx, service.port(), new Case("after", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII), false)).replaceAll("\\D.*", "")), "still serving afterwards");
        }
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;
        System.out.printf("HTTP corpus: %d cases in %d s, %d defects%n", corpus.size(), seconds, defects.size());
        outcomes.forEach((kind, o) -> System.out.println("  " + kind + ": " + o));
        assertTrue(log.stream().noneMatch(l -> l.contains("Exception") || l.contains("\tat ")), "no stack trace in the log");
        assertEquals(List.of(), defects);
    }

    /**
     * One case on a new TLS connection: the statuses of the answers, in order ("200 200 400"), or
     * "closed" when the server ended the connection with no answer; a "defect" when it hung past
     * the bound or answered what it must not.
     */
    static String send(SSLContext ctx, int port, Case c) throws IOException {
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(8000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            long t0 = System.nanoTime();
            try {
                if (c.slow()) {
                    for (byte b : c.bytes()) {
                        out.write(b);
                        out.flush();
                        Support.sleep(20);
                    }
                } else {
                    out.write(c.bytes());
                    out.flush();
                }
                s.shutdownOutput(); // the end of the request stream: the server answers what it has, then closes
            } catch (IOException closedEarly) {
                // the server answered and closed before we finished sending: read what it said
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            try {
                in.transferTo(all);
            } catch (java.net.SocketTimeoutException hang) {
                return "defect: no end within 8 s";
            } catch (IOException reset) {
                // a reset after the answers: what arrived still counts
            }
            if ((System.nanoTime() - t0) / 1_000_000 > 7000) return "defect: slow end";
            String text = all.toString(StandardCharsets.ISO_8859_1);
            List<String> statuses = new ArrayList<>();
            var m = java.util.regex.Pattern.compile("(?m)^HTTP/1\\.1 (\\d{3}) ").matcher(text);
            while (m.find()) statuses.add(m.group(1));
            for (String st : statuses) if (!STATUSES.contains(Integer.parseInt(st))) return "defect: status " + st;
            return statuses.isEmpty() ? "closed" : String.join(" ", statuses);
        }
    }

    static byte[] insert(byte[] b, int at, byte[] more) {
        byte[] r = new byte[b.length + more.length];
        System.arraycopy(b, 0, r, 0, at);
        System.arraycopy(more, 0, r, at, more.length);
        System.arraycopy(b, at, r, at + more.length, b.length - at);
        return r;
    }

    static byte[] delete(byte[] b, int at) {
        byte[] r = new byte[b.length - 1];
        System.arraycopy(b, 0, r, 0, at);
        System.arraycopy(b, at + 1, r, at, b.length - at - 1);
        return r;
    }

    static byte[] concat(byte[] a, byte[] b) {
        return insert(a, a.length, b);
    }
}
