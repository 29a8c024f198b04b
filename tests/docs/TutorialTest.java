import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tutorial.java, the README's main command: the whole tutorial replays green, and it keeps what it finds. */
class TutorialTest {
    @TempDir Path tmp;

    private static List<tutorial.Check> replay(Path dir, int portA, int portB, StringWriter text) {
        return tutorial.replay(dir, portA, portB, new PrintWriter(text, true), line -> {});
    }

    @Test
    void everyCheckOfSection43MatchesAndExistingFilesAreReused() throws Exception {
        Path dir = tmp.resolve("certs");
        StringWriter first = new StringWriter();
        List<tutorial.Check> checks = replay(dir, 0, 0, first);
        assertEquals(List.of("4.3.1", "1.4", "4.3.2", "4.3.2", "4.3.3", "4.3.4", "4.3.5"),
                checks.stream().map(tutorial.Check::section).toList());
        for (tutorial.Check c : checks) assertTrue(c.matches(), () -> c + "\n" + first);
        assertTrue(first.toString().contains("$ ./jbang ca.java"), first.toString());

        // A second run reuses the CA and both keys byte for byte: it never destroys what the user made.
        byte[] caKey = Files.readAllBytes(dir.resolve("ca.key"));
        byte[] aKey = Files.readAllBytes(dir.resolve("service-a.key"));
        StringWriter second = new StringWriter();
        assertTrue(replay(dir, 0, 0, second).stream().allMatch(tutorial.Check::matches), second.toString());
        assertTrue(second.toString().contains("Reusing the CA in " + dir), second.toString());
        assertArrayEquals(caKey, Files.readAllBytes(dir.resolve("ca.key")));
        assertArrayEquals(aKey, Files.readAllBytes(dir.resolve("service-a.key")));
    }

    @Test
    void aBusyPortIsReplacedByAFreeOne() throws Exception {
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StringWriter text = new StringWriter();
            List<tutorial.Check> checks = replay(tmp.resolve("certs"), busy.getLocalPort(), 0, text);
            assertTrue(checks.stream().allMatch(tutorial.Check::matches), text.toString());
            assertTrue(text.toString().contains("Note: port " + busy.getLocalPort()), text.toString());
        }
    }

    @Test
    void aFolderWithCertificatesFromAnotherCaIsRefused() {
        Path dir = tmp.resolve("certs");
        Support.pki(dir, List.of(), List.of(), "service-a.example.com", "service-b.example.com");
        Support.pki(tmp.resolve("other"), List.of(), List.of());
        try {
            Files.copy(tmp.resolve("other/ca.crt"), dir.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        var r = Support.cli(new tutorial(), "--dir", dir.toString(), "--port-a", "0", "--port-b", "0");
        assertEquals(1, r.code(), r.all());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("was not signed by"), r.err());
    }

    /**
     * The README's main command, exactly as a user runs it: the launcher, JBang's build, one JVM. Its
     * output is the transcript both front pages show (on the tutorial's ports 7443 and 8443 in place of
     * the free ones used here), and each command of README.md's "at a glance" block is one it ran.
     */
    @Tag("process")
    @Test
    void theReadmeCommandRunsGreenThroughTheLauncherAndPrintsWhatTheReadmeShows() throws Exception {
        Support.requireTool("mvn", "maven");
        var r = Support.exec(tmp, Map.of(), Duration.ofMinutes(5),
                List.of(Support.ROOT.resolve("jbang").toString(), Support.ROOT.resolve("tutorial.java").toString(),
                        "--port-a", "0", "--port-b", "0"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("7 of 7 checks match the tutorial."), r.out());
        assertTrue(Files.exists(tmp.resolve("certs/ca.key")) && Files.exists(tmp.resolve("certs/service-b.crt")));

        String out = onTheTutorialsPorts(r.out());
        for (String page : List.of("README.md", "README.ko.md")) {
            String shown = Support.codeBlocks(Files.readString(Support.ROOT.resolve(page)), "text").stream()
                    .filter(b -> b.startsWith("$ ./jbang tutorial.java\n")).findFirst()
                    .orElseThrow(() -> new AssertionError(page + " shows no transcript of ./jbang tutorial.java"));
            Support.assertShown(page + "'s transcript of ./jbang tutorial.java", shown.substring(shown.indexOf('\n') + 1), out);
        }

        Set<String> ran = new TreeSet<>();
        for (String line : out.lines().toList())
            if (line.contains("./jbang ")) ran.add(line.substring(line.indexOf("./jbang ")).strip().split("\\s{2,}")[0]);
        String glance = Support.section(Files.readString(Support.ROOT.resolve("README.md")), "## The tutorial at a glance");
        List<String> shown = Support.codeBlocks(glance, "bash").stream().flatMap(b -> Support.bashCommands(b).stream()).toList();
        assertTrue(shown.size() >= 8, "README.md's glance shows too few commands: " + shown);
        for (String cmd : shown) assertTrue(ran.contains(cmd), () -> "README.md shows `" + cmd + "`, which tutorial.java did not run:\n" + ran);
    }

    /** The output with service A's and B's free ports (from the serve.java commands it prints) put back to 7443 and 8443. */
    private static String onTheTutorialsPorts(String out) {
        String shown = out;
        for (var service : Map.of("service-a", "7443", "service-b", "8443").entrySet()) {
            Matcher m = Pattern.compile("--name " + service.getKey() + " --port (\\d+)").matcher(out);
            assertTrue(m.find(), () -> "the output names no port for " + service.getKey() + ":\n" + out);
            shown = shown.replaceAll("(?<![0-9])" + m.group(1) + "(?![0-9])", service.getValue());
        }
        return shown;
    }
}
