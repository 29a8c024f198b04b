import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * What every test shares: running a script in-process, running a real peer (openssl, curl, python3,
 * certtool) as a process with a bounded wait, free ports on 127.0.0.1, and tool checks that skip on
 * a developer's machine but fail under CI=true (no silent skips in CI).
 */
final class Support {
    private Support() {}

    static final Duration WAIT = Duration.ofSeconds(60);
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();

    /** What a command printed and how it exited. */
    record Result(int code, String out, String err) {
        String all() { return out + err; }
        Result expectOk() {
            assertEquals(0, code, () -> "expected success, got exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }
    }

    /** Runs a script's picocli command in-process (ca, issue, ...), as its main would. */
    static Result cli(Object command, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.run(command, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Makes a CA and the given leaf names (one certificate each) in dir, in-process. */
    static Path pki(Path dir, List<String> caArgs, List<String> issueArgs, String... names) {
        List<String> a = new ArrayList<>(List.of("--dir", dir.toString()));
        a.addAll(caArgs);
        cli(new ca(), a.toArray(String[]::new)).expectOk();
        if (names.length > 0) {
            List<String> b = new ArrayList<>(List.of("--dir", dir.toString(), "--ca", dir.resolve("ca.crt").toString(),
                    "--ca-key", dir.resolve("ca.key").toString(), "--each"));
            b.addAll(issueArgs);
            b.addAll(Arrays.asList(names));
            cli(new issue(), b.toArray(String[]::new)).expectOk();
        }
        return dir;
    }

    /**
     * A copy of the repository as a user would clone it: the files git tracks or would track (not
     * ignored), as they are in the working tree now (a clone would miss uncommitted changes), with their modes. Nothing ignored
     * (certs/, target/) comes along.
     */
    static Path freshCopy(Path into) throws IOException {
        Result files = exec(ROOT, Map.of(), WAIT, List.of("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")).expectOk();
        for (String f : files.out().split("\0")) {
            if (f.isEmpty() || !Files.exists(ROOT.resolve(f))) continue;
            Path to = into.resolve(f);
            Files.createDirectories(to.getParent());
            Files.copy(ROOT.resolve(f), to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        return into;
    }

    /** Runs a process to completion within the timeout; output is read from files, so it never blocks. */
    static Result exec(Path cwd, Map<String, String> env, Duration timeout, List<String> cmd) {
        try {
            Path out = Files.createTempFile("out", ".txt"), err = Files.createTempFile("err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(p);
                fail("timed out after " + timeout + ": " + String.join(" ", cmd) + "\n" + Files.readString(out)
                        + Files.readString(err));
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        }
    }

    static Result exec(Path cwd, String... cmd) {
        return exec(cwd, Map.of(), WAIT, List.of(cmd));
    }

    /** Starts a long-running peer (openssl s_server, a Python server...) with output to logFile. */
    static Process start(Path cwd, Path logFile, List<String> cmd) {
        try {
            return new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + cmd + ": " + e, e);
        }
    }

    /** Stops a process and its children, politely first, then by force; bounded. */
    static void stop(Process p) {
        if (p == null) return;
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A port that is free on 127.0.0.1 right now. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until something accepts connections on 127.0.0.1:port, or fails after the timeout. */
    static void awaitPort(int port, Duration timeout, Process p, Path log) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (p != null && !p.isAlive()) fail("the process exited before listening on " + port + ":\n" + read(log));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                sleep(50);
            }
        }
        fail("nothing listened on port " + port + " within " + timeout + (log == null ? "" : ":\n" + read(log)));
    }

    static String read(Path p) {
        try {
            return p == null || !Files.exists(p) ? "" : Files.readString(p);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A peer the test needs. Missing: the test skips with the reason on a developer's machine, but
     * fails under CI=true, where .ci/run must have installed it.
     */
    static void requireTool(String tool, String debianPackage) {
        boolean found = exec(ROOT, "sh", "-c", "command -v " + tool).code() == 0;
        if (found) return;
        String why = tool + " is not installed (Debian package " + debianPackage + ")";
        if ("true".equals(System.getenv("CI"))) fail(why + ": .ci/run must install it");
        Assumptions.assumeTrue(false, why);
    }
}
