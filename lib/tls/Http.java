// Http.java: the HTTP/1.1 that serve.java speaks, small and strict: GET and HEAD, keep-alive and
// pipelining, no request bodies. A request that breaks the grammar of RFC 9112 gets a status, never
// a guess: 400 malformed, 405 another method, 408 too slow, 413 a body, 431 headers over the limit,
// 505 another HTTP version. Every read is bounded in size and, through the stream it is given, in time.

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

public final class Http {
    private Http() {}

    /** Most header lines in one request; real clients send about ten. */
    static final int MAX_HEADERS = 100;

    /** A request line and its headers; the path is the target up to '?', as sent. */
    public record Request(String method, String target, String path, String version, List<String[]> headers) {
        /** The first value of a header, or null; names compare without regard to case (RFC 9110 5.1). */
        public String header(String name) {
            for (String[] h : headers) if (h[0].equalsIgnoreCase(name)) return h[1];
            return null;
        }

        /** Whether the connection stays open after the answer (RFC 9112 9.3). */
        public boolean keepAlive() {
            String c = header("Connection");
            boolean close = c != null && hasToken(c, "close"), keep = c != null && hasToken(c, "keep-alive");
            return version.equals("HTTP/1.1") ? !close : keep && !close;
        }
    }

    /** A request that gets an error status instead of an answer; the connection then closes. */
    public static final class Bad extends IOException {
        public final int status;

        public Bad(int status, String why) {
            super(why);
            this.status = status;
        }
    }

    /**
     * Reads one request: the request line and the header section, at most maxHeaderBytes in all.
     * Returns null when the stream ends before the first byte (the client closed an idle connection).
     * Throws Bad for what breaks the grammar or a limit, and the stream's SocketTimeoutException
     * when the client is too slow.
     */
    public static Request read(InputStream in, int maxHeaderBytes) throws IOException {
        int[] budget = {maxHeaderBytes};
        String line = line(in, budget, true);
        if (line == null) return null;
        while (line.isEmpty()) { // RFC 9112 2.2: a server SHOULD ignore empty lines before a request line
            line = line(in, budget, false);
        }
        String[] parts = line.split(" ", -1);
        if (parts.length != 3) throw new Bad(400, "the request line is not METHOD TARGET VERSION");
        String method = parts[0], target = parts[1], version = parts[2];
        if (!method.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}")) throw new Bad(400, "the method is not a token");
        if (!version.matches("HTTP/\\d\\.\\d")) throw new Bad(400, "the version is not HTTP/x.y");
        if (!version.equals("HTTP/1.1") && !version.equals("HTTP/1.0")) throw new Bad(505, "only HTTP/1.1 and HTTP/1.0 are spoken here");
        if (!target.chars().allMatch(c -> c > 0x20 && c < 0x7f)) throw new Bad(400, "the target holds a character it may not");
        // Origin-form (/path), or absolute-form (https://host/path), which a server must accept too (RFC 9112 3.2.2).
        var absolute = java.util.regex.Pattern.compile("(?i)https?://[^/?#]+(/[^#]*)?").matcher(target);
        if (absolute.matches()) target = absolute.group(1) == null ? "/" : absolute.group(1);
        else if (!target.startsWith("/")) throw new Bad(400, "the target is not a path such as /whoami");
        List<String[]> headers = new ArrayList<>();
        for (String h; !(h = line(in, budget, false)).isEmpty(); ) {
            if (headers.size() == MAX_HEADERS) throw new Bad(431, "more than " + MAX_HEADERS + " header lines");
            if (h.charAt(0) == ' ' || h.charAt(0) == '\t') throw new Bad(400, "a folded header line (obsolete, RFC 9112 5.2)");
            int colon = h.indexOf(':');
            if (colon <= 0) throw new Bad(400, "a header line without a name and a colon");
            String name = h.substring(0, colon);
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) throw new Bad(400, "a header name that is not a token");
            String value = h.substring(colon + 1).strip();
            if (value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) throw new Bad(400, "a control character in a header value");
            headers.add(new String[] {name, value});
        }
        int q = target.indexOf('?');
        Request r = new Request(method, target, q < 0 ? target : target.substring(0, q), version, headers);
        checkFraming(r);
        return r;
    }

    /**
     * RFC 9112 6.3: Content-Length and Transfer-Encoding together is a request-smuggling attempt,
     * several Content-Lengths that differ are too, and a Host is required in HTTP/1.1.
     */
    private static void checkFraming(Request r) throws Bad {
        int hosts = 0, lengths = 0;
        for (String[] h : r.headers()) {
            if (h[0].equalsIgnoreCase("Host")) hosts++;
            if (h[0].equalsIgnoreCase("Content-Length")) lengths++;
        }
        if (r.version().equals("HTTP/1.1") && hosts != 1) throw new Bad(400, hosts == 0 ? "no Host header" : "more than one Host header");
        if (r.header("Transfer-Encoding") != null && lengths > 0) throw new Bad(400, "both Content-Length and Transfer-Encoding");
        if (lengths > 1) throw new Bad(400, "more than one Content-Length");
        String cl = r.header("Content-Length");
        if (cl != null && !cl.matches("\\d{1,18}")) throw new Bad(400, "a Content-Length that is not a number");
    }

    /** Whether a request carries a body (which this server never reads). */
    public static boolean hasBody(Request r) {
        String cl = r.header("Content-Length");
        return r.header("Transfer-Encoding") != null || (cl != null && Long.parseLong(cl) > 0);
    }

    /**
     * One line up to LF (a CR before it is dropped), charged to the byte budget; null at a clean end
     * of stream when first is set, EOFException mid-request. Bytes are read as ISO-8859-1: header
     * values are octets (RFC 9110 5.5), and nothing here decodes them further.
     */
    private static String line(InputStream in, int[] budget, boolean first) throws IOException {
        StringBuilder s = new StringBuilder(64);
        boolean cr = false;
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                if (first && s.length() == 0 && !cr) return null;
                throw new EOFException("the client closed the connection in the middle of a request");
            }
            if (--budget[0] < 0) throw new Bad(431, "the request line and headers are larger than the limit");
            if (cr) throw new Bad(400, "a CR not followed by LF");
            if (b == '\r') {
                cr = true;
                continue;
            }
            if ((b < 0x20 && b != '\t') || b == 0x7f) throw new Bad(400, "a control character in the request");
            s.append((char) b);
        }
        if (--budget[0] < 0) throw new Bad(431, "the request line and headers are larger than the limit");
        return s.toString();
    }

    private static boolean hasToken(String list, String token) {
        for (String t : list.split(",")) if (t.strip().equalsIgnoreCase(token)) return true;
        return false;
    }

    // ---------------------------------------------------------------- answers

    /** The reason phrases of the statuses this server sends. */
    public static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 413: return "Content Too Large";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 503: return "Service Unavailable";
            case 505: return "HTTP Version Not Supported";
            default: return "Status " + status;
        }
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    /**
     * Writes one answer: status line, Date, Content-Type text/plain, Content-Length always (so the
     * client knows where it ends without a close), HSTS (the service speaks only HTTPS, RFC 6797),
     * nosniff, Connection: close when closing, extra headers, then the body unless head.
     */
    public static void write(OutputStream out, int status, String body, boolean head, boolean close, String... extra) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        StringBuilder h = new StringBuilder(256);
        h.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        h.append("Date: ").append(DATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
        h.append("Content-Type: text/plain; charset=utf-8\r\n");
        h.append("Content-Length: ").append(bytes.length).append("\r\n");
        h.append("Strict-Transport-Security: max-age=31536000\r\n");
        h.append("X-Content-Type-Options: nosniff\r\n");
        for (int i = 0; i + 1 < extra.length; i += 2) h.append(extra[i]).append(": ").append(extra[i + 1]).append("\r\n");
        if (close) h.append("Connection: close\r\n");
        h.append("\r\n");
        out.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!head) out.write(bytes);
        out.flush();
    }

    /** Whether an exception is a read that ran out of time. */
    public static boolean timedOut(IOException e) {
        return e instanceof SocketTimeoutException;
    }

    /** "GET /whoami" as the log shows it: escaped and cut short, since it comes from the network. */
    public static String shown(Request r) {
        String t = r.target().length() > 200 ? r.target().substring(0, 200) + "..." : r.target();
        return Text.escape(r.method() + " " + t);
    }
}
