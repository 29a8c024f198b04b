import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docs/tutorial.md and its Korean edition docs/tutorial.ko.md, followed as a newcomer would: in a fresh
 * copy of the repository, first the main job (./jbang tutorial.java, which fills certs/), then every
 * command of the page's ```bash blocks, in order, from the repository's folder, each in a pseudo-terminal
 * (from `script`, so that curl shows no progress meter, as in a reader's terminal).
 *
 * How the page is read:
 * - A ```text block that follows a ```bash block with nothing but blank lines between is what the
 *   block's commands print, together (stdout and stderr as a terminal shows them). It is compared as the
 *   page says: its placeholders (&lt;serial&gt;, &lt;hex&gt;, &lt;date&gt;, &lt;time&gt;, &lt;port&gt;, &lt;repo&gt;
 *   and …) stand for what differs from run to run; "[jbang] " lines (JBang building a script) are left
 *   out, as the page says. With JDK 21 or newer running serve.java, a missing client certificate gets
 *   the alert certificate_required where JDK 17 sends bad_certificate; the page says so, and the test
 *   reads the newer wording as the older.
 * - A command whose block shows no output must exit 0; one whose output is shown is judged by it
 *   (curl's "(56)" and client.java's "error: (63)" are their exit codes).
 * - `export NAME=VALUE` carries over to every later command, as in one terminal.
 * - A command ending in "&" is a service started in the background: it is started there, and the test
 *   waits (bounded) until its --port listens. `kill %1 %2` stops those jobs, numbered as the shell does.
 *   Every process still running is stopped at the end, pass or fail.
 * - Ports: the page uses the tutorial's 7443 and 8443, and 9443. Each is replaced, everywhere in the page
 *   (commands and outputs alike), by a port that is free on 127.0.0.1, so the run never depends on them.
 * - cat, grep and tail only read a service's log, which the service writes a moment after the client
 *   saw its answer: those are run again, for up to 20 s, until they print what the page shows.
 */
class TutorialDocTest {
    static final List<String> PORTS = List.of("7443", "8443", "9443");
    static final Duration COMMAND = Duration.ofMinutes(3);

    @TempDir Path tmp;

    @Tag("process")
    @ParameterizedTest
    @ValueSource(strings = {"docs/tutorial.md", "docs/tutorial.ko.md"})
    void aNewcomerFollowsThePageRightAfterTheMainJob(String page) throws IOException {
        for (String[] tool : new String[][] {{"mvn", "maven"}, {"curl", "curl"}, {"python3", "python3"},
                {"openssl", "openssl"}, {"script", "bsdutils"}})
            Support.requireTool(tool[0], tool[1]);
        Path clone = Support.freshCopy(tmp.resolve("clone"));
        // A checkout where someone is following the page has a hand/ that a clone would not have.
        Support.exec(clone, "rm", "-rf", "hand").expectOk();

        // The main job, as the set-up runs it (free ports instead of 7443 and 8443, as TutorialTest does).
        Support.Result main = Support.exec(clone, Map.of(), Duration.ofMinutes(5),
                List.of("./jbang", "tutorial.java", "--port-a", "0", "--port-b", "0"));
        assertEquals(0, main.code(), main.all());
        assertTrue(main.out().contains("7 of 7 checks match the tutorial."), main.out());

        String markdown = Files.readString(Support.ROOT.resolve(page));
        Set<Integer> free = new LinkedHashSet<>();
        while (free.size() < PORTS.size()) free.add(Support.freePort());
        var ports = free.iterator();
        for (String port : PORTS) markdown = markdown.replaceAll("\\b" + port + "\\b", String.valueOf(ports.next()));
        List<Block> blocks = blocks(markdown);
        assertTrue(blocks.stream().mapToInt(b -> b.commands().size()).sum() >= 30, page + " shows too few commands: " + blocks);
        assertTrue(blocks.stream().filter(b -> b.output() != null).count() >= 20, page + " shows too few outputs");

        Terminal terminal = new Terminal(clone, tmp);
        List<String> mismatches = new ArrayList<>();
        try {
            for (Block b : blocks) {
                String mismatch = terminal.run(page, b);
                if (mismatch != null) mismatches.add(mismatch);
            }
            assertEquals(List.of(), terminal.running(), page + " stops every service it starts");
        } finally {
            terminal.stopAll();
        }
        assertEquals("", String.join("\n", mismatches), mismatches.size() + " output(s) of " + page + " differ from what it shows");
        assertFalse(Files.exists(clone.resolve("hand")), page + " ends by removing hand/");
        assertTrue(Files.exists(clone.resolve("certs/ca.key")), "the main job's certs/ stays");
    }

    /** The Korean edition lists the same commands in the same order, and shows the same outputs (program output stays English). */
    @Test
    void theKoreanEditionListsTheSameCommandsInTheSameOrder() throws IOException {
        String en = Files.readString(Support.ROOT.resolve("docs/tutorial.md")), ko = Files.readString(Support.ROOT.resolve("docs/tutorial.ko.md"));
        List<String> english = commands(en);
        assertTrue(english.size() >= 30, "too few commands in docs/tutorial.md: " + english);
        assertEquals(String.join("\n", english), String.join("\n", commands(ko)),
                "docs/tutorial.ko.md must list docs/tutorial.md's commands, in the same order");
        assertEquals(blocks(en), blocks(ko), "docs/tutorial.ko.md must show the outputs docs/tutorial.md shows");
    }

    @Tag("process")
    @Test
    void thePageIsReadAsTheCommentSays() {
        String md = "```bash\nexport A=1\n./jbang x.java --a \\\n    --b &\npython3 - <<'EOF'\nprint(1)\nEOF\n```\n\n"
                + "```text\nline <serial> at <date> UTC\n…\nlast …\n```\ntext\n```text\nnot an output\n```\n"
                + "```bash\nkill %1\n```\nprose\n```text\nnot an output either\n```\n";
        List<Block> blocks = blocks(md);
        assertEquals(List.of("export A=1", "./jbang x.java --a --b &", "python3 - <<'EOF'\nprint(1)\nEOF"),
                blocks.get(0).commands().stream().map(c -> c.replaceAll(" +", " ")).toList());
        assertEquals("line <serial> at <date> UTC\n…\nlast …\n", blocks.get(0).output());
        assertEquals(List.of("kill %1"), blocks.get(1).commands());
        assertEquals(null, blocks.get(1).output());

        Pattern p = expected(blocks.get(0).output(), Path.of("/r"));
        assertTrue(p.matcher("line 1A:2B at 2026-11-30 22:35:08 UTC\nany\nlines\nlast one\n").matches());
        assertTrue(p.matcher("line 1a2b at 2026-11-30 22:35:08 UTC\nlast \n").matches());
        assertFalse(p.matcher("line 1A:2B at 2026-11-30 UTC\nlast one\n").matches(), "a date is a whole date");
        assertFalse(p.matcher("line xyz at 2026-11-30 22:35:08 UTC\nlast one\n").matches(), "a serial is hex");
        assertEquals("ab      c\nd", terminalText("[jbang] Building jar for x.java...\r\nab\tc\r\nd\r\n"));
        assertEquals("x error:0A000412:SSL routines::sslv3 alert bad certificate, errno 0",
                terminalText("x error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0"));
        assertEquals("(Seen as: Received fatal alert: bad_certificate)",
                terminalText("(Seen as: (certificate_required) Received fatal alert: certificate_required)"));
    }

    // ---------------------------------------------------------------- reading the page

    /** The commands of a ```bash block, and what the page shows they print (null: nothing shown). */
    record Block(List<String> commands, String output) {}

    static final Pattern FENCE = Pattern.compile("(?m)^```(\\w*)\\n(.*?)^```$", Pattern.DOTALL);

    static List<Block> blocks(String markdown) {
        List<Block> blocks = new ArrayList<>();
        Matcher m = FENCE.matcher(markdown);
        int lastEnd = -1;
        String lastLang = "";
        while (m.find()) {
            boolean adjacent = lastEnd >= 0 && markdown.substring(lastEnd, m.start()).isBlank();
            if (m.group(1).equals("bash")) blocks.add(new Block(commands(m.group(2).split("\n")), null));
            else if (m.group(1).equals("text") && lastLang.equals("bash") && adjacent) {
                Block b = blocks.remove(blocks.size() - 1);
                blocks.add(new Block(b.commands(), m.group(2)));
            }
            lastEnd = m.end();
            lastLang = m.group(1);
        }
        return blocks;
    }

    /** Every command of the page's ```bash blocks, in order. */
    static List<String> commands(String markdown) {
        return Support.codeBlocks(markdown, "bash").stream().flatMap(b -> commands(b.split("\n")).stream()).toList();
    }

    static final Pattern HEREDOC = Pattern.compile("<<-?'?(\\w+)'?\\s*$");

    /** Support.bashCommands, plus a here-document (python3 - <<'EOF' ... EOF) kept whole as one command. */
    static List<String> commands(String[] lines) {
        List<String> commands = new ArrayList<>();
        StringBuilder plain = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            Matcher here = HEREDOC.matcher(lines[i]);
            if (!here.find()) {
                plain.append(lines[i]).append('\n');
                continue;
            }
            commands.addAll(Support.bashCommands(plain.toString()));
            plain.setLength(0);
            StringBuilder doc = new StringBuilder(lines[i]);
            while (++i < lines.length) {
                doc.append('\n').append(lines[i]);
                if (lines[i].equals(here.group(1))) break;
            }
            commands.add(doc.toString());
        }
        commands.addAll(Support.bashCommands(plain.toString()));
        return commands;
    }

    // ---------------------------------------------------------------- comparing what was printed

    /** The page's placeholders, as the table in its "Before you start" says. */
    static final Pattern PLACEHOLDER = Pattern.compile("…|<serial>|<hex>|<date>|<time>|<port>|<repo>");

    /** What a text block allows: each placeholder as a pattern, a line of "…" alone as any lines. */
    static Pattern expected(String shown, Path repo) {
        StringBuilder re = new StringBuilder();
        for (String line : shown.stripTrailing().split("\n")) {
            if (line.strip().equals("…")) {
                re.append("(?:[^\\n]*\\n)*?");
                continue;
            }
            Matcher m = PLACEHOLDER.matcher(line.stripTrailing());
            int last = 0;
            while (m.find()) {
                re.append(Pattern.quote(line.substring(last, m.start())));
                re.append(switch (m.group()) {
                    case "…" -> "[^\\n]*?";
                    case "<serial>", "<hex>" -> "[0-9A-Fa-f:]+";
                    case "<date>" -> "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d";
                    case "<time>" -> "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";
                    case "<port>" -> "\\d+";
                    default -> Pattern.quote(repo.toString()); // <repo>
                });
                last = m.end();
            }
            re.append(Pattern.quote(line.stripTrailing().substring(last))).append("\\n");
        }
        return Pattern.compile(re.toString());
    }

    /**
     * Newer JDKs' words, and JDK 17's, as the page shows them (it says so): serve.java on JDK 21 and newer
     * sends certificate_required for a missing client certificate where JDK 17 sends bad_certificate, and
     * newer JDKs put the alert's name in front of "Received fatal alert".
     */
    static final String[][] NEWER_JDK = {
            {"error:0A00045C:SSL routines::tlsv13 alert certificate required", "error:0A000412:SSL routines::sslv3 alert bad certificate"},
            {"TLSV13_ALERT_CERTIFICATE_REQUIRED\\] tlsv13 alert certificate required", "SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate"},
            {"\\(\\w+\\) Received fatal alert: ", "Received fatal alert: "},
            {"fatal alert: certificate_required", "fatal alert: bad_certificate"}};

    /** What a terminal shows: no carriage returns, tabs to 8-column stops, no [jbang] build lines, no trailing blanks. */
    static String terminalText(String raw) {
        StringBuilder out = new StringBuilder();
        for (String line : raw.replace("\r", "").split("\n")) {
            if (line.startsWith("[jbang] ")) continue;
            StringBuilder l = new StringBuilder();
            for (char c : line.toCharArray()) {
                if (c == '\t') do l.append(' '); while (l.length() % 8 != 0);
                else l.append(c);
            }
            out.append(l.toString().stripTrailing()).append('\n');
        }
        String text = out.toString().stripTrailing();
        for (String[] pair : NEWER_JDK) text = text.replaceAll(pair[0], pair[1]);
        return text;
    }

    // ---------------------------------------------------------------- one terminal

    /** A terminal in the repository's folder: its exports and its background jobs. */
    static final class Terminal {
        final Path cwd, scratch;
        final StringBuilder exports = new StringBuilder();
        final List<Process> jobs = new ArrayList<>();
        int n;

        Terminal(Path cwd, Path scratch) {
            this.cwd = cwd;
            this.scratch = scratch;
        }

        /** Runs a block's commands; what differs from the output the page shows, or null. */
        String run(String page, Block b) {
            StringBuilder printed = new StringBuilder();
            int failed = 0;
            for (String cmd : b.commands()) {
                if (cmd.endsWith("&")) background(cmd.substring(0, cmd.length() - 1).strip());
                else if (cmd.matches("kill( %\\d+)+")) {
                    for (String job : cmd.substring(5).split(" ")) stop(Integer.parseInt(job.substring(1)));
                } else {
                    Support.Result r = foreground(cmd);
                    printed.append(r.out());
                    if (r.code() != 0 && b.output() == null)
                        fail(page + ": `" + cmd + "` exited with " + r.code() + ":\n" + terminalText(r.out()));
                    if (r.code() != 0) failed++;
                }
                if (cmd.startsWith("export ")) exports.append(cmd).append('\n');
            }
            if (b.output() == null) return null;
            Pattern want = expected(b.output(), cwd);
            boolean onlyReads = b.commands().stream().allMatch(c -> c.matches("(cat|grep|tail) .*"));
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String got = terminalText(printed.toString());
            while (!want.matcher(got + "\n").matches() && onlyReads && System.nanoTime() < end) {
                Support.sleep(500);
                printed.setLength(0);
                for (String cmd : b.commands()) printed.append(foreground(cmd).out());
                got = terminalText(printed.toString());
            }
            if (want.matcher(got + "\n").matches()) return null;
            return page + ": `" + String.join("; ", b.commands()) + "` printed other than the page shows (" + failed
                    + " exited non-zero).\n--- the page:\n" + b.output() + "--- printed:\n" + got + "\n";
        }

        /** A command in a pseudo-terminal (script), after the exports so far; its stdout and stderr as one. */
        Support.Result foreground(String cmd) {
            Path file = script(cmd);
            return Support.exec(cwd, Map.of(), COMMAND, List.of("script", "-qec", "bash " + file, "/dev/null"));
        }

        /** A service: started as the shell would with "&", then awaited on its --port, bounded. */
        void background(String cmd) {
            Matcher port = Pattern.compile("--port (\\d+)").matcher(cmd);
            assertTrue(port.find(), "a background command without --port: " + cmd);
            Matcher log = Pattern.compile("> (\\S+)").matcher(cmd);
            Process p = Support.start(cwd, scratch.resolve("job" + (jobs.size() + 1) + ".txt"), List.of("bash", script(cmd).toString()));
            jobs.add(p);
            Support.awaitPort(Integer.parseInt(port.group(1)), COMMAND, p, log.find() ? cwd.resolve(log.group(1)) : null);
        }

        Path script(String cmd) {
            Path file = scratch.resolve("command" + (++n) + ".sh");
            Support.write(file, exports + cmd + "\n");
            return file;
        }

        void stop(int job) {
            assertTrue(job >= 1 && job <= jobs.size(), "no job %" + job + ": " + jobs.size() + " started");
            Support.stop(jobs.get(job - 1));
        }

        List<Integer> running() {
            List<Integer> alive = new ArrayList<>();
            for (int i = 0; i < jobs.size(); i++)
                if (jobs.get(i).isAlive() || jobs.get(i).descendants().anyMatch(ProcessHandle::isAlive)) alive.add(i + 1);
            return alive;
        }

        void stopAll() {
            jobs.forEach(Support::stop);
        }
    }
}
