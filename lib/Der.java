// Der.java: a walk over DER bytes that bounds how deeply they nest, before any library parses them.
// The JDK's and Bouncy Castle's ASN.1 readers recurse once per level, so a file of a few kilobytes
// that nests 10,000 levels deep overflows their stack. Real certificates nest about 12 levels.

public final class Der {
    private Der() {}

    /** Deeper than this is not a certificate, CSR, key or CRL. */
    static final int MAX_DEPTH = 40;

    /** Refuses bytes that nest too deeply, counting DER wrapped inside OCTET and BIT STRINGs (extension values). */
    public static void checkNesting(byte[] der) {
        String problem = problem(der, 0, der.length, 0);
        if (problem != null) throw Failure.of("the DER data %s", problem);
    }

    /**
     * Null when der[from, to) is a well-formed series of DER elements nesting at most MAX_DEPTH
     * levels, else what is wrong and at which byte. Iterative across siblings, recursive only per level.
     */
    static String problem(byte[] der, int from, int to, int depth) {
        if (depth > MAX_DEPTH) return "nests more than " + MAX_DEPTH + " levels deep at byte " + from;
        int pos = from;
        while (pos < to) {
            int start = pos;
            int tag = der[pos++] & 0xff;
            if ((tag & 0x1f) == 0x1f) { // high tag number form: base-128 digits
                int n = 0;
                while (pos < to && (der[pos] & 0x80) != 0 && n++ < 4) pos++;
                if (pos >= to) return "is truncated at byte " + start;
                pos++;
            }
            if (pos >= to) return "is truncated at byte " + start;
            int first = der[pos++] & 0xff;
            long length;
            if (first < 0x80) length = first;
            else if (first == 0x80) return "uses an indefinite length (BER, not DER) at byte " + start;
            else {
                int count = first & 0x7f;
                if (count > 4 || pos + count > to) return "has a length that does not fit at byte " + start;
                length = 0;
                for (int i = 0; i < count; i++) length = (length << 8) | (der[pos++] & 0xff);
            }
            if (length > to - pos) return "has an element longer than its container at byte " + start;
            int end = pos + (int) length;
            if ((tag & 0x20) != 0) {
                String inner = problem(der, pos, end, depth + 1);
                if (inner != null) return inner;
            } else if (tag == 0x04 || tag == 0x03) {
                // An extension value is DER inside an OCTET STRING; a BIT STRING starts with its unused-bits
                // byte. Only the depth counts in there: the string may hold bytes that merely look like DER.
                int content = tag == 0x03 ? Math.min(pos + 1, end) : pos;
                if (looksConstructed(der, content, end)) {
                    String inner = problem(der, content, end, depth + 1);
                    if (inner != null && inner.startsWith("nests")) return inner;
                }
            }
            pos = end;
        }
        return null;
    }

    /** Whether bytes could be DER of their own: they start with a SEQUENCE or SET tag. */
    private static boolean looksConstructed(byte[] der, int from, int to) {
        return from < to && ((der[from] & 0xff) == 0x30 || (der[from] & 0xff) == 0x31);
    }
}
