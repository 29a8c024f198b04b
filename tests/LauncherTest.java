import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./jbang launcher, as a new user meets it: a fresh HOME with no JBang and an empty Maven
 * repository, then a second run that must not resolve again, then two runs at the same moment.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LauncherTest {
    @TempDir static Path home;
    @TempDir static Path work;
    static final Duration FIRST_RUN = Duration.ofMinutes(8); // downloads JBang and its 55 jars

    @BeforeAll
    static void checkTools() {
        Support.requireTool("mvn", "maven");
    }

    /** The environment of a user with a fresh HOME and no jbang anywhere on PATH. */
    static Map<String, String> freshUser(String extraPathFirst) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("JBANG_") || k.equals("XDG_CACHE_HOME") || k.equals("MAVEN_OPTS"));
        env.put("HOME", home.toString());
        // Java takes user.home from the password file, not $HOME: point every JVM (mvn, JBang, the
        // script) at the fresh home, so ~/.m2 and ~/.jbang start empty as on a new machine.
        env.put("JAVA_TOOL_OPTIONS", "-Duser.home=" + home);
        String path = Stream.of(System.getenv("PATH").split(":"))
                .filter(d -> !Files.isExecutable(Path.of(d, "jbang")))
                .collect(Collectors.joining(":"));
        env.put("PATH", extraPathFirst == null ? path : extraPathFirst + ":" + path);
        return env;
    }

    static Support.Result jbang(Map<String, String> env, Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Support.ROOT.resolve("jbang").toString()));
        cmd.addAll(List.of(args));
        return Support.exec(work, env, timeout, cmd);
    }

    @Test
    @Order(1)
    void firstRunInAFreshHomeResolvesJbangAndRunsTheScript() {
        var r = jbang(freshUser(null), FIRST_RUN, Support.ROOT.resolve("ca.java").toString(), "--dir", "first");
        r.expectOk();
        assertTrue(r.out().contains("Created a root CA:"), r.all());
        assertTrue(Files.exists(work.resolve("first/ca.key")));
        assertTrue(r.err().contains("Resolving JBang 0.132.1 with mvn"), r.err());
        assertTrue(Files.isDirectory(home.resolve(".m2/repository/dev/jbang/jbang-cli/0.132.1")),
                "JBang came from Maven, into the fresh HOME");
    }

    @Test
    @Order(2)
    void secondRunUsesTheCacheAndNeverCallsMaven() throws Exception {
        // A tripwire first on PATH: if the launcher called mvn again, this would fail the run.
        Path trip = Files.createDirectories(work.resolve("tripwire"));
        Path mvn = trip.resolve("mvn");
        Files.writeString(mvn, "#!/bin/sh\necho called > \"" + trip.resolve("called") + "\"\nexit 3\n");
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        var r = jbang(freshUser(trip.toString()), Support.WAIT, Support.ROOT.resolve("issue.java").toString(),
                "--dir", "first", "--ca", "first/ca.crt", "--ca-key", "first/ca.key", "service-a.example.com");
        r.expectOk();
        assertFalse(Files.exists(trip.resolve("called")), "mvn was called on the second run");
        assertFalse(r.err().contains("Resolving JBang"), r.err());
        assertTrue(Files.exists(work.resolve("first/service-a.crt")));
    }

    @Test
    @Order(3)
    void twoRunsOfAnUnbuiltScriptAtTheSameMomentBothWork() throws Exception {
        // Each round uses a script JBang has never built, so both runs race to build it.
        for (int round = 0; round < 5; round++) {
            Path proj = work.resolve("proj" + round);
            Files.createDirectories(proj.resolve("lib"));
            Files.writeString(proj.resolve("ca.java"),
                    Files.readString(Support.ROOT.resolve("ca.java")) + "\n// round " + round + " " + System.nanoTime() + "\n");
            for (String f : List.of("Pki.java", "Cli.java"))
                Files.copy(Support.ROOT.resolve("lib").resolve(f), proj.resolve("lib").resolve(f));
            Map<String, String> env = freshUser(null);
            var a = CompletableFuture.supplyAsync(() -> jbang(env, Support.WAIT, proj.resolve("ca.java").toString(),
                    "--dir", proj.resolve("a").toString()));
            var b = CompletableFuture.supplyAsync(() -> jbang(env, Support.WAIT, proj.resolve("ca.java").toString(),
                    "--dir", proj.resolve("b").toString()));
            a.get().expectOk();
            b.get().expectOk();
            assertTrue(Files.exists(proj.resolve("a/ca.crt")) && Files.exists(proj.resolve("b/ca.crt")));
        }
    }

    @Test
    @Order(4)
    void aJbangOnThePathIsUsedInstead() throws Exception {
        // `./jbang x` and `jbang x` must be the same: when the user has jbang, the launcher hands over to it.
        Path bin = Files.createDirectories(work.resolve("userbin"));
        Path userJbang = bin.resolve("jbang");
        Files.writeString(userJbang, "#!/bin/sh\necho \"installed jbang ran with: $*\"\n");
        Files.setPosixFilePermissions(userJbang, PosixFilePermissions.fromString("rwxr-xr-x"));
        var r = jbang(freshUser(bin.toString()), Support.WAIT, "ca.java", "--days", "10");
        r.expectOk();
        assertEquals("installed jbang ran with: ca.java --days 10", r.out().strip());
    }
}
