// Text.java: text from outside (a certificate's names, a file name, a peer's answer, an exception)
// made safe to print: one line, no control characters, bounded length. Every clean-up here runs in
// time linear in its input, so a megabyte of hostile text costs milliseconds, never minutes.

import java.util.Locale;

public final class Text {
    private Text() {}

    /** Longer text keeps its first and last parts: the start says what, the end usually says why. */
    static final int MAX = 1000;

    /**
     * The text with every control character shown as an escape, so that a name holding ESC [ 2 J or
     * ESC ] 0 ; ... BEL can neither clear nor retitle a terminal, and a newline cannot forge a second
     * log line: \n, \r and \t as such, others as \x1B or \u202E. Bidirectional overrides and line
     * separators count too (they reorder or split what a reader sees, CVE-2021-42574).
     */
    public static String escape(String s) {
        if (s == null) return "null";
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
            String rep = pair ? null : c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? "\\t"
                    : c < 0x20 || (c >= 0x7f && c < 0xa0) ? String.format("\\x%02X", (int) c)
                    : invisible(c) ? String.format("\\u%04X", (int) c) : null;
            if (rep == null) {
                if (out != null) {
                    out.append(c);
                    if (pair) out.append(s.charAt(i + 1));
                }
                if (pair) i++;
                continue;
            }
            if (out == null) out = new StringBuilder(s.length() + 16).append(s, 0, i);
            out.append(rep);
        }
        return out == null ? s : out.toString();
    }

    /**
     * Bytes that should have been text (an IA5String with bytes past ASCII, a UTF8String that is not
     * UTF-8) shown as they are: each valid UTF-8 sequence as its character (through escape()), each
     * other byte as \xNN. Never decoded as Latin-1, which would show "bÃ¼cher" for b\xC3\xBCcher.
     */
    public static String bytes(byte[] b) {
        StringBuilder s = new StringBuilder(b.length + 16);
        for (int i = 0; i < b.length; ) {
            int n = utf8Length(b, i);
            if (n == 0) s.append(String.format("\\x%02X", b[i++] & 0xff));
            else {
                s.append(escape(new String(b, i, n, java.nio.charset.StandardCharsets.UTF_8)));
                i += n;
            }
        }
        return s.toString();
    }

    /** The length of the valid UTF-8 sequence at b[i] (RFC 3629: no overlong form, no surrogate), or 0. */
    static int utf8Length(byte[] b, int i) {
        int c = b[i] & 0xff;
        if (c < 0x80) return 1;
        int n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
        if (n == 0 || i + n > b.length) return 0;
        int cp = c & (0x3F >> (n - 1));
        for (int k = 1; k < n; k++) {
            int d = b[i + k] & 0xff;
            if ((d & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (d & 0x3F);
        }
        int min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
        return cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : n;
    }

    /** Whether the bytes are valid UTF-8 as a whole. */
    public static boolean isUtf8(byte[] b) {
        for (int i = 0, n; i < b.length; i += n) if ((n = utf8Length(b, i)) == 0) return false;
        return true;
    }

    /**
     * Text of several lines from a peer (an HTTP body) made safe for a terminal: escape() line by line,
     * so newlines stay (a CRLF ending becomes one) and everything else that a terminal acts on is shown.
     */
    public static String lines(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        int start = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (i < s.length() && s.charAt(i) != '\n') continue;
            int end = i > start && s.charAt(i - 1) == '\r' ? i - 1 : i;
            out.append(escape(s.substring(start, end)));
            if (i < s.length()) out.append('\n');
            start = i + 1;
        }
        return out.toString();
    }

    /**
     * One word of a command printed for the user to run (a path, a name), as a POSIX shell reads it:
     * as it is when the shell keeps it so, else in single quotes ('my pki' for a folder with a space).
     */
    public static String arg(Object word) {
        String s = escape(String.valueOf(word));
        return s.matches("[A-Za-z0-9_./:=@%+,-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    /**
     * A password SPEC (env:VAR, file:PATH, pass:TEXT, prompt or the password) as a command printed for
     * the user may repeat it: env:, file: and prompt as given; a password itself never, so prompt
     * stands in for it.
     */
    public static String passwordSpec(String spec) {
        return spec.startsWith("env:") || spec.startsWith("file:") || spec.equals("prompt") ? spec : "prompt";
    }

    /** Line and paragraph separators, bidirectional controls, and surrogates that are not half of a pair. */
    private static boolean invisible(char c) {
        return c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)
                || c == 0x200E || c == 0x200F || c == 0x061C || Character.isSurrogate(c);
    }

    /** escape(), bounded: longer text keeps its start and its end. */
    public static String oneLine(String s) {
        if (s == null) return "null";
        if (s.length() > MAX) s = s.substring(0, 600) + " [...] " + s.substring(s.length() - 300);
        return escape(s);
    }

    /**
     * An exception as words, for a one-line error: its message without the Java class names that
     * libraries put in it ("java.io.IOException: x" gives "x"; a bare "EOFException" gives "EOF").
     */
    public static String of(Throwable e) {
        String m = e.getMessage() != null ? e.getMessage() : words(e.getClass().getSimpleName());
        return oneLine(withoutClassNames(m.length() > 4 * MAX ? m.substring(0, 4 * MAX) : m)).replaceAll("\\s+", " ").trim();
    }

    /**
     * Drops "pkg.SomeException: " and turns a bare "SomeException" into "some", in one pass over
     * the words of the text (a regular expression with nested repeats took 34 s on 100,000 characters).
     */
    static String withoutClassNames(String m) {
        StringBuilder out = new StringBuilder(m.length());
        int i = 0, n = m.length();
        while (i < n) {
            int end = i;
            while (end < n && (Character.isLetterOrDigit(m.charAt(end)) || m.charAt(end) == '_' || m.charAt(end) == '.')) end++;
            if (end == i) {
                out.append(m.charAt(i++));
                continue;
            }
            String token = m.substring(i, end);
            String simple = exceptionName(token);
            if (simple == null) {
                out.append(token);
                i = end;
                continue;
            }
            int j = end;
            while (j < n && m.charAt(j) == ' ') j++;
            if (j < n && m.charAt(j) == ':') { // "java.io.IOException: message": keep the message only
                j++;
                while (j < n && m.charAt(j) == ' ') j++;
                i = j;
            } else {
                out.append(words(simple));
                i = end;
            }
        }
        return out.toString();
    }

    /** SomeException or a.b.SomeError: the simple name; anything else: null. */
    private static String exceptionName(String token) {
        if (!(token.endsWith("Exception") || token.endsWith("Error"))) return null;
        String[] parts = token.split("\\.", -1);
        String last = parts[parts.length - 1];
        if (last.isEmpty() || !Character.isUpperCase(last.charAt(0))) return null;
        for (int k = 0; k < parts.length - 1; k++)
            if (parts[k].isEmpty() || !Character.isLowerCase(parts[k].charAt(0))) return null;
        return last;
    }

    /** NullPointerException gives "null pointer". */
    static String words(String exceptionName) {
        String base = exceptionName.replaceAll("(Exception|Error)$", "");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < base.length(); i++) {
            char c = base.charAt(i);
            if (i > 0 && Character.isUpperCase(c) && Character.isLowerCase(base.charAt(i - 1))) s.append(' ');
            s.append(c);
        }
        return s.toString().toLowerCase(Locale.ROOT);
    }
}
