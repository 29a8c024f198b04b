// Bounds.java: the two bounds serve.java's connection loop (lib/tls/TlsServer.java) puts on a caller:
// a token bucket for its refusal lines, so that a flood of refusals cannot fill a disk, and a read
// deadline that holds even for a client that drips one byte at a time.

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLSocket;

final class Bounds {
    private Bounds() {}

    /** A token bucket: take() is -1 when over the rate, else how many were dropped since the last success. */
    static final class RateLimit {
        private final double perSecond, burst;
        private double tokens;
        private long last = System.nanoTime(), dropped;

        RateLimit(double perSecond, double burst) {
            this.perSecond = perSecond;
            this.burst = burst;
            this.tokens = burst;
        }

        synchronized long take() {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
            last = now;
            if (tokens < 1) {
                dropped++;
                return -1;
            }
            tokens--;
            long d = dropped;
            dropped = 0;
            return d;
        }

        /** The count dropped since the last line or drain, reset. */
        synchronized long takeDropped() {
            long d = dropped;
            dropped = 0;
            return d;
        }
    }

    /**
     * The socket's input with a deadline: before each read the socket's timeout is set to what is
     * left, so a client that drips one byte at a time is still cut off when the deadline passes.
     */
    static final class Deadline extends InputStream {
        private final SSLSocket socket;
        private final InputStream in;
        private long deadline; // System.nanoTime(); 0: no deadline, the idle timeout applies

        Deadline(SSLSocket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        void until(long nanoTime) { deadline = nanoTime; }

        void idle(Duration idle) throws SocketException {
            deadline = 0;
            socket.setSoTimeout((int) idle.toMillis());
        }

        private void arm() throws IOException {
            if (deadline == 0) return;
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) throw new SocketTimeoutException("the request deadline passed");
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
        }

        @Override public int read() throws IOException { arm(); return in.read(); }
        @Override public int read(byte[] b, int off, int len) throws IOException { arm(); return in.read(b, off, len); }
    }
}
