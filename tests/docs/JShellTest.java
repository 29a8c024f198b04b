import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/jshell.md, exactly as written there: its ```bash block is run command by command, the last
 * one (jshell) with the ```jshell session on stdin, and every line of its ```text block must appear
 * in what the session prints (the leaf's subject, the server's log line, the probe's "Hello from",
 * the refusal without a client certificate, the caller's identity, the server's stop), with no JShell
 * error. The session binds to 127.0.0.1 on a free port and stops its server itself; the run is bounded.
 */
@Tag("process")
class JShellTest {
    // Bounds with room for the classes that run beside this one on two cores (pom.xml runs classes side by side).
    static final Duration BUILD = Duration.ofMinutes(5), SESSION = Duration.ofMinutes(10);
    @TempDir Path work;

    @Test
    void theReadmeRecipeRunsInARealJShell() throws Exception {
        Support.requireTool("jshell", "openjdk-17-jdk-headless");
        String section = Files.readString(Support.ROOT.resolve("docs/jshell.md"));
        List<String> commands = Support.bashCommands(block(section, "bash"));
        String session = block(section, "jshell");
        assertTrue(commands.size() >= 2 && commands.get(commands.size() - 1).startsWith("jshell "),
                "the recipe should end with the jshell command: " + commands);

        // Every command but the last (./jbang build ...) as it is, in the checkout, as a user would.
        for (String cmd : commands.subList(0, commands.size() - 1))
            Support.exec(Support.ROOT, java.util.Map.of(), BUILD, List.of("bash", "-c", cmd)).expectOk();

        // jshell, with the session typed on stdin, then /exit.
        Path in = Files.writeString(work.resolve("session.jsh"), session + "\n/exit\n");
        Path out = work.resolve("jshell.out");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", commands.get(commands.size() - 1))
                .directory(Support.ROOT.toFile()).redirectErrorStream(true)
                .redirectInput(in.toFile()).redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(SESSION.toMillis(), TimeUnit.MILLISECONDS)) {
            Support.stop(p);
            fail("the JShell session did not end within " + SESSION + ":\n" + tail(out));
        }
        String text = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);

        // JShell reports a failed snippet with "|  Error:" or "|  Exception" and carries on: none allowed.
        for (String bad : List.of("|  Error", "|  Exception", "|  Warning", "cannot find symbol"))
            assertFalse(text.contains(bad), "the session printed \"" + bad + "\":\n" + text);
        // What docs/jshell.md says the session prints: each line of its ```text block, somewhere.
        List<String> shown = block(section, "text").lines().filter(l -> !l.isBlank()).toList();
        assertTrue(shown.size() >= 6, "docs/jshell.md shows too few lines: " + shown);
        for (String line : shown) assertTrue(text.contains(line), "docs/jshell.md shows \"" + line + "\", the session printed:\n" + text);
        assertTrue(Pattern.compile("\\$\\d+ ==> 0\\n").matcher(text).find(), "Cli.run's exit code 0:\n" + text);
    }

    /** The first ```LANG block of the section. */
    static String block(String section, String lang) {
        List<String> blocks = Support.codeBlocks(section, lang);
        assertFalse(blocks.isEmpty(), "docs/jshell.md has no ```" + lang + " block");
        return blocks.get(0);
    }

    static String tail(Path file) throws IOException {
        String s = Files.exists(file) ? Files.readString(file) : "";
        return s.length() > 6000 ? "..." + s.substring(s.length() - 6000) : s;
    }
}
