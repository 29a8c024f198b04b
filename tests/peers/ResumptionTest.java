import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve.java ends every connection with close_notify, so clients keep their sessions and resume
 * them: openssl s_client -reconnect on TLS 1.2, openssl s_time -reuse on TLS 1.2 and 1.3, and Python's
 * ssl with TLS 1.3 session tickets (bench/resume.py). Python, which treats an end without close_notify
 * as an error, reads each answer to a clean end.
 */
@Tag("process")
class ResumptionTest {
    @TempDir static Path dir;
    static Service service;
    static final String B = Support.B;

    @BeforeAll
    static void service() {
        Support.requireTool("openssl", "openssl");
        Support.pki(dir, List.of("--key-type", "ec"), List.of("--key-type", "ec"), B, "service-a.example.com");
        service = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withLog(l -> { }));
    }

    @AfterAll
    static void stop() {
        if (service != null) service.stop();
    }

    @Test
    void sClientReconnectResumesTls12() {
        Support.Result r = Support.exec(dir, Map.of(), Support.WAIT, List.of("openssl", "s_client", "-tls1_2", "-reconnect",
                "-connect", "127.0.0.1:" + service.port(), "-servername", B, "-CAfile", "ca.crt",
                "-cert", "service-a.crt", "-key", "service-a.key"));
        long reused = r.out().lines().filter(l -> l.startsWith("Reused, TLSv1.2")).count();
        assertEquals(5, reused, "s_client -reconnect makes one full handshake, then resumes five times:\n" + r.all());
    }

    @Test
    void sTimeReuseResumesOnTls12AndTls13() {
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            Support.Result r = Support.exec(dir, Map.of(), Duration.ofSeconds(30), List.of("openssl", "s_time", "-connect",
                    "127.0.0.1:" + service.port(), "-www", "/", "-reuse", "-time", "2", version, "-CAfile", "ca.crt",
                    "-cert", "service-a.crt", "-key", "service-a.key"));
            // s_time prints "r" for each resumed connection and "*" for each full handshake.
            Matcher m = Pattern.compile("(?m)^starting\\n([r*]+)").matcher(r.out());
            assertTrue(m.find(), version + ": " + r.all());
            String marks = m.group(1);
            assertTrue(marks.length() > 20, version + ": too few connections: " + marks);
            assertEquals(0, marks.chars().filter(c -> c == '*').count(), version + ": every connection after the first resumes: " + marks);
        }
    }

    @Test
    void pythonResumesTls13TicketsAndSeesCloseNotify() {
        Support.Result r = Support.exec(dir, Map.of(), Duration.ofSeconds(30), List.of("python3",
                Support.ROOT.resolve("bench/resume.py").toString(), "" + service.port(), "1", "ca.crt", "service-a.crt", "service-a.key"));
        Matcher m = Pattern.compile("(\\d+) connections in .* (\\d+) resumed").matcher(r.out());
        assertTrue(m.find(), r.all());
        assertTrue(Integer.parseInt(m.group(1)) > 10, r.out());
        assertEquals(m.group(1), m.group(2), "every connection resumed the first one's session: " + r.out());

        // Without OP_IGNORE_UNEXPECTED_EOF, Python raises SSLEOFError on an end without close_notify.
        String script = String.join("\n",
                "import socket, ssl, sys",
                "ctx = ssl.create_default_context(cafile='ca.crt')",
                "ctx.load_cert_chain('service-a.crt', 'service-a.key')",
                "for close in (b'Connection: close\\r\\n', b''):",
                "    with socket.create_connection(('127.0.0.1', int(sys.argv[1]))) as raw:",
                "        with ctx.wrap_socket(raw, server_hostname='" + B + "') as s:",
                "            s.sendall(b'GET / HTTP/1.1\\r\\nHost: x\\r\\n' + close + b'\\r\\n')",
                "            if not close: s.shutdown(socket.SHUT_WR)",
                "            data = b''",
                "            while True:",
                "                chunk = s.recv(4096)",
                "                if not chunk: break",
                "                data += chunk",
                "            print('clean end after', len(data), 'bytes')");
        Support.Result clean = Support.exec(dir, Map.of(), Duration.ofSeconds(30), List.of("python3", "-c", script, "" + service.port()));
        assertEquals(0, clean.code(), clean.all());
        assertEquals(2, clean.out().lines().filter(l -> l.startsWith("clean end after")).count(), clean.all());
    }
}
