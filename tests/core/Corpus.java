import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A corpus of hostile cases run in-process against the scripts, with the promises every case must
 * keep whatever it expects:
 * <ul>
 *   <li>an answer within the case's limit (no hang);</li>
 *   <li>no stack trace, no exception class name, no "unexpected" failure;</li>
 *   <li>no raw control character in anything printed (C0 but newline, DEL, C1, bidi overrides);</li>
 *   <li>a refusal is one "error:" line, the last on stderr, and creates no file;</li>
 *   <li>the guarded folders (inputs, CAs) are unchanged.</li>
 * </ul>
 * A case expects a refusal, an acceptance or either, and may add a check of its own.
 */
final class Corpus {
    enum Expect { REFUSE, ACCEPT, EITHER }

    /** A case's own check of its result: the problem in words, or null. */
    interface Check {
        String problem(Support.Result r) throws Exception;
    }

    record Case(int id, String cls, String kind, Expect expect, String script, List<String> args, Map<Path, byte[]> files,
                Path out, long limitMs, Check check) {}

    final Path in, out;
    final List<Path> guarded = new ArrayList<>();
    final List<Case> cases = new ArrayList<>();
    private Map<Path, byte[]> pending = new LinkedHashMap<>();
    long limitMs = 10_000;

    Corpus(Path in, Path out) {
        this.in = in;
        this.out = out;
    }

    /** The output folder of the next case: it must not exist after a refusal. */
    Path dir() {
        return out.resolve("c" + cases.size());
    }

    /** A file for the next case: written just before it runs, deleted after. */
    Path file(String name, byte[] data) {
        Path p = in.resolve("c" + cases.size() + "-" + name);
        pending.put(p, data);
        return p;
    }

    Case add(String cls, String kind, Expect e, String script, List<String> args) {
        return add(cls, kind, e, null, script, args);
    }

    Case add(String cls, String kind, Expect e, Check check, String script, List<String> args) {
        Case k = new Case(cases.size(), cls, kind, e, script, List.copyOf(args), pending, dir(), limitMs, check);
        cases.add(k);
        pending = new LinkedHashMap<>();
        return k;
    }

    static Object command(String script) {
        return switch (script) {
            case "ca" -> new ca();
            case "issue" -> new issue();
            case "inspect" -> new inspect();
            case "client" -> new client();
            case "trust" -> new trust();
            case "serve" -> new serve();
            default -> throw new IllegalArgumentException(script);
        };
    }

    // ------------------------------------------------------------------ running

    /** The outcome of a run: counts per class, and the defects found. */
    static final class Report {
        final Map<String, long[]> byClass = new TreeMap<>(); // cases, refused, accepted, defects, ms
        final List<String> defects = new CopyOnWriteArrayList<>();
        long ms, slowestMs;
        String slowest = "";

        synchronized void count(Case k, boolean refused, boolean defect, long caseMs) {
            long[] t = byClass.computeIfAbsent(k.cls(), x -> new long[5]);
            t[0]++;
            t[refused ? 1 : 2]++;
            if (defect) t[3]++;
            t[4] += caseMs;
            if (caseMs > slowestMs) {
                slowestMs = caseMs;
                slowest = describe(k);
            }
        }

        int cases() {
            return (int) byClass.values().stream().mapToLong(t -> t[0]).sum();
        }

        String table(String title) {
            StringBuilder s = new StringBuilder(String.format("%s: %d cases in %.1f s, %d defects; slowest case %d ms (%s)%n",
                    title, cases(), ms / 1000.0, defects.size(), slowestMs, slowest.length() > 100 ? slowest.substring(0, 100) + "..." : slowest));
            s.append("| class | cases | refused | accepted | defects | time s |\n|---|---|---|---|---|---|\n");
            long[] total = new long[5];
            for (var e : byClass.entrySet()) {
                long[] t = e.getValue();
                s.append(String.format("| %s | %,d | %,d | %,d | %d | %.1f |%n", e.getKey(), t[0], t[1], t[2], t[3], t[4] / 1000.0));
                for (int i = 0; i < 5; i++) total[i] += t[i];
            }
            s.append(String.format("| total | %,d | %,d | %,d | %d | %.1f |%n", total[0], total[1], total[2], total[3], total[4] / 1000.0));
            return s.toString();
        }
    }

    /** Runs the cases one after the other (they share files), or in parallel when they share nothing. */
    Report run(int threads) throws Exception {
        Report report = new Report();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "corpus-case");
            t.setDaemon(true); // a hung case must not keep the test JVM alive
            return t;
        });
        try {
            if (threads <= 1) {
                for (Case k : cases) runOne(k, pool, report, true);
            } else {
                ExecutorService outer = Executors.newFixedThreadPool(threads);
                List<Future<?>> all = new ArrayList<>();
                for (Case k : cases) all.add(outer.submit(() -> {
                    runOne(k, pool, report, false);
                    return null;
                }));
                for (Future<?> f : all) f.get();
                outer.shutdown();
            }
        } finally {
            pool.shutdownNow();
        }
        report.ms = (System.nanoTime() - start) / 1_000_000;
        return report;
    }

    private void runOne(Case k, ExecutorService pool, Report report, boolean snapshots) throws Exception {
        for (var e : k.files().entrySet()) Files.write(e.getKey(), e.getValue());
        Map<String, String> before = snapshots ? snapshot() : Map.of();
        Object command = command(k.script());
        long t0 = System.nanoTime();
        Future<Support.Result> f = pool.submit(() -> {
            StringWriter o = new StringWriter(), e = new StringWriter();
            int code = Cli.run(command, new PrintWriter(o, true), new PrintWriter(e, true), k.args().toArray(String[]::new));
            return new Support.Result(code, o.toString(), e.toString());
        });
        Support.Result r;
        String problem = null;
        try {
            r = f.get(k.limitMs(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            if (command instanceof serve s && s.running != null) s.running.close(); // it started: a defect, stopped
            r = new Support.Result(-1, "", "");
            problem = "no answer within " + k.limitMs() + " ms";
        } catch (ExecutionException e) {
            r = new Support.Result(-1, "", "");
            problem = "crashed with " + e.getCause();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        boolean refused = r.code() != 0;
        if (problem == null) problem = problem(k, r, before, snapshots);
        if (problem != null)
            report.defects.add(describe(k) + ": " + problem + "\n  exit " + r.code() + "\n  stdout: " + cut(visible(r.out()))
                    + "\n  stderr: " + cut(visible(r.err())));
        report.count(k, refused, problem != null, ms);
        for (Path p : k.files().keySet()) Files.deleteIfExists(p);
    }

    /** What breaks a promise in this result, or null. */
    private String problem(Case k, Support.Result r, Map<String, String> before, boolean snapshots) throws Exception {
        String all = r.out() + r.err();
        int raw = firstRawControl(all);
        if (raw >= 0) return String.format("a raw control character U+%04X in the output", raw);
        if (all.contains("\tat ") || all.matches("(?s).*\\b[A-Z][A-Za-z]*(Exception|Error)\\b.*")) return "a stack trace or an exception's name";
        if (all.contains("error: unexpected")) return "an unexpected failure (no words of its own)";
        if (r.code() != 0 && r.code() != 3) { // 3: inspect --lint found errors, and says so on stdout
            List<String> lines = Arrays.asList(r.err().split("\n"));
            long errors = lines.stream().filter(l -> l.startsWith("error: ")).count();
            if (errors != 1 || !r.err().endsWith("\n") || !lines.get(lines.size() - 1).startsWith("error: "))
                return "a refusal that is not one 'error:' line, last on stderr";
        }
        if (r.code() != 0 && Files.exists(k.out())) return "created " + k.out() + " and failed";
        if (snapshots && !before.equals(snapshot())) return "changed an input or a CA";
        if (k.expect() == Expect.REFUSE && r.code() == 0) return "accepted, expected a refusal";
        if (k.expect() == Expect.ACCEPT && r.code() != 0) return "refused, expected success";
        return k.check() == null ? null : k.check().problem(r);
    }

    /** The first character a terminal would act on instead of showing, or -1. */
    static int firstRawControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
                return c;
        }
        return -1;
    }

    /** Every path under the guarded folders with its size, mode, inode and modification time. */
    Map<String, String> snapshot() {
        Map<String, String> m = new TreeMap<>();
        for (Path top : guarded) {
            try (Stream<Path> s = Files.walk(top)) {
                for (Path p : s.toList())
                    m.put(p.toString(), Files.readAttributes(p, "unix:size,mode,ino,lastModifiedTime", LinkOption.NOFOLLOW_LINKS).toString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return m;
    }

    static String describe(Case k) {
        return "case " + k.id() + " [" + k.cls() + ": " + k.kind() + ", " + k.expect() + "] " + k.script() + " " + cut(visible(String.join(" ", k.args())));
    }

    /** Text with every character outside printable ASCII as \\uXXXX: arguments hold escape codes on purpose. */
    static String visible(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> {
            if (c == '\n' || (c >= 0x20 && c < 0x7f)) b.appendCodePoint(c);
            else b.append(String.format("\\u%04X", c));
        });
        return b.toString();
    }

    /**
     * Runs cases in this JVM and prints each result on one line, for cases that must run as another
     * user (DefectCorpusTest runs it as nobody, so that permissions hold): the argument is a file of
     * cases, one a line, the script and its arguments separated by tabs. Each line printed is the exit
     * code, stdout and stderr, tab-separated, the last two in Base64. A case gets 30 s.
     */
    public static void main(String[] args) throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "corpus-case");
            t.setDaemon(true);
            return t;
        });
        var b64 = java.util.Base64.getEncoder();
        for (String line : Files.readAllLines(Path.of(args[0]))) {
            String[] parts = line.split("\t");
            Object command = command(parts[0]);
            Future<String[]> f = pool.submit(() -> {
                StringWriter o = new StringWriter(), e = new StringWriter();
                int code = Cli.run(command, new PrintWriter(o, true), new PrintWriter(e, true), Arrays.copyOfRange(parts, 1, parts.length));
                return new String[] {"" + code, o.toString(), e.toString()};
            });
            String[] r;
            try {
                r = f.get(30, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                r = new String[] {"-1", "", "no answer within 30 s"};
            }
            System.out.println(r[0] + "\t" + b64.encodeToString(r[1].getBytes(StandardCharsets.UTF_8)) + "\t"
                    + b64.encodeToString(r[2].getBytes(StandardCharsets.UTF_8)));
        }
        System.out.flush();
        System.exit(0);
    }

    static String cut(String s) {
        return s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }
}
