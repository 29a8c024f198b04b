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
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ./jbang launcher, as a new user meets it: a fresh HOME with no JBang and an empty Maven
 * repository, then a second run that must not resolve again, then two runs at the same moment.
 * Then its two speed-ups: the command cache must never run stale code, and neither it
 * nor the CDS archive of JBang's JVM may change what the scripts make.
 */
@Tag("process")
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
        // The build is announced in one line, with how long it usually takes.
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("[jbang] Building ca.java (") && l.contains(" s")), r.err());
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
            Path proj = Files.createDirectories(work.resolve("proj" + round));
            Files.writeString(proj.resolve("ca.java"),
                    Files.readString(Support.ROOT.resolve("ca.java")) + "\n// round " + round + " " + System.nanoTime() + "\n");
            Support.copyTree(Support.ROOT.resolve("lib"), proj.resolve("lib"));
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

    // ---------------------------------------------------------------- the command cache and CDS

    /** freshUser plus JBANG_WRAPPER_DEBUG, so that each run says whether it used the command cache. */
    static Map<String, String> debugUser(String... more) {
        Map<String, String> env = freshUser(null);
        env.put("JBANG_WRAPPER_DEBUG", "1");
        for (int i = 0; i + 1 < more.length; i += 2) env.put(more[i], more[i + 1]);
        return env;
    }

    /** Runs proj/stale.java, checks what it printed and whether the command cache answered. */
    static Support.Result runStale(Path proj, Map<String, String> env, String expected, String cache) {
        var r = jbang(env, Support.WAIT, proj.resolve("stale.java").toString(), "arg");
        r.expectOk();
        assertEquals(expected, r.out().strip(), r.all());
        assertTrue(r.err().contains("command cache: " + cache), "expected a cache " + cache + ":\n" + r.err());
        return r;
    }

    @Test
    @Order(5)
    void theCommandCacheNeverRunsStaleCode() throws Exception {
        Path proj = work.resolve("stale");
        Files.createDirectories(proj.resolve("lib"));
        Path script = proj.resolve("stale.java"), lib = proj.resolve("lib/Msg.java"), res = proj.resolve("msg.txt");
        String header = "///usr/bin/env jbang \"$0\" \"$@\" ; exit $?\n//JAVA 17+\n//SOURCES lib/Msg.java\n//FILES msg.txt\n";
        String body = """
                public class stale {
                    public static void main(String... a) throws Exception {
                        String res = new String(stale.class.getResourceAsStream("/msg.txt").readAllBytes()).strip();
                        boolean picocli;
                        try { Class.forName("picocli.CommandLine"); picocli = true; } catch (ClassNotFoundException e) { picocli = false; }
                        System.out.println(Msg.text() + " " + res + " " + (picocli ? "picocli" : "plain") + " " + String.join(",", a));
                    }
                }
                """;
        Files.writeString(script, header + body);
        Files.writeString(lib, "class Msg { static String text() { return \"v1\"; } }\n");
        Files.writeString(res, "r1\n");
        Map<String, String> env = debugUser();

        runStale(proj, env, "v1 r1 plain arg", "miss");
        runStale(proj, env, "v1 r1 plain arg", "hit");

        // A //SOURCES file changes; same size, same second: only its contents tell.
        Files.writeString(lib, "class Msg { static String text() { return \"v2\"; } }\n");
        runStale(proj, env, "v2 r1 plain arg", "miss");
        runStale(proj, env, "v2 r1 plain arg", "hit");

        // A //FILES resource changes.
        Files.writeString(res, "r2\n");
        runStale(proj, env, "v2 r2 plain arg", "miss");

        // A //DEPS line is added: the class path must change with it.
        Files.writeString(script, header + "//DEPS info.picocli:picocli:4.7.7\n" + body);
        runStale(proj, env, "v2 r2 picocli arg", "miss");
        runStale(proj, env, "v2 r2 picocli arg", "hit");

        // Back to the earlier text: the entry made for it may be used again, and it is right.
        Files.writeString(script, header + body);
        runStale(proj, env, "v2 r2 plain arg", "hit");

        // JBang's jar cache is emptied: the entry names a jar that is gone, so JBang builds it again.
        try (Stream<Path> jars = Files.list(home.resolve(".jbang/cache/jars"))) {
            for (Path d : jars.filter(d -> d.getFileName().toString().startsWith("stale.java.")).toList())
                Support.exec(work, "rm", "-rf", d.toString()).expectOk();
        }
        var rebuilt = runStale(proj, env, "v2 r2 plain arg", "miss");
        assertTrue(rebuilt.err().contains("stale entry"), rebuilt.err());

        // Another JDK choice (JAVA_HOME) is another key.
        String javaHome = Path.of(System.getProperty("java.home")).toString();
        runStale(proj, debugUser("JAVA_HOME", javaHome), "v2 r2 plain arg", "miss");
        runStale(proj, debugUser("JAVA_HOME", javaHome), "v2 r2 plain arg", "hit");

        // JBang's settings: a JBANG_* variable that changes the command (the script JVM's options).
        runStale(proj, debugUser("JBANG_JAVA_OPTIONS", "-Dx=1"), "v2 r2 plain arg", "miss");

        // What cannot be keyed with certainty goes through JBang every time: a glob in //SOURCES.
        Files.writeString(script, header.replace("//SOURCES lib/Msg.java", "//SOURCES lib/*.java") + body);
        for (int i = 0; i < 2; i++) {
            var r = jbang(env, Support.WAIT, script.toString(), "arg").expectOk();
            assertEquals("v2 r2 plain arg", r.out().strip(), r.all());
            assertTrue(r.err().contains("not cached: //SOURCES lib/*.java"), r.err());
        }

        // Arguments reach the script exactly, with and without the cache (an empty one too: see below).
        Files.writeString(script, header + body);
        for (String cache : List.of("on", "off")) {
            var r = jbang(debugUser("JBANG_WRAPPER_CMD_CACHE", cache), Support.WAIT, script.toString(),
                    "a b", "it's", "$HOME", "*", "x\"y").expectOk();
            assertEquals("v2 r2 plain a b,it's,$HOME,*,x\"y", r.out().strip(), r.all());
        }
        var empty = jbang(env, Support.WAIT, script.toString(), "", "z").expectOk();
        assertEquals("v2 r2 plain ,z", empty.out().strip(), empty.all());
    }

    /**
     * The speed-ups change nothing the scripts make: the same CA and leaf profile, field for field
     * in `openssl x509 -text`, the same reports, the same refusal (exit code and words) and nothing
     * more on stderr, with the command cache and the class archives (JBang's JVM's and the script's
     * own, which is made on the first cache hit and used from the next), with JBang's JVM and its
     * archive, and with neither. On the default JDK (17: a static archive) and on a Temurin 25
     * when one is installed (its AOT cache). Keys, serials, dates and signatures differ by nature
     * and are masked.
     */
    @Test
    @Order(6)
    void theSpeedUpsChangeNoOutput() throws Exception {
        Support.requireTool("openssl", "openssl");
        Map<String, Map<String, String>> setups = new java.util.LinkedHashMap<>();
        Path temurin25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        for (String jdk : Files.isExecutable(temurin25.resolve("bin/java")) ? List.of("default", temurin25.toString()) : List.of("default")) {
            String[] home = jdk.equals("default") ? new String[0] : new String[] {"JAVA_HOME", jdk};
            setups.put(jdk + " cache+cds", debugUser(home));
            setups.put(jdk + " cache+cds signed jars", debugUser(concat(home, "JBANG_WRAPPER_UNSIGNED", "off")));
            setups.put(jdk + " jbang+cds", debugUser(concat(home, "JBANG_WRAPPER_CMD_CACHE", "off")));
            setups.put(jdk + " plain", debugUser(concat(home, "JBANG_WRAPPER_CMD_CACHE", "off", "JBANG_WRAPPER_CDS", "off")));
        }
        Map<String, String> profiles = new java.util.LinkedHashMap<>();
        for (var setup : setups.entrySet()) {
            boolean cached = setup.getKey().contains("cache+cds"), unsigned = setup.getKey().endsWith("cache+cds");
            // cache+cds: run 0 asks JBang, run 1 is a cache hit that makes the script's archive, run 2 uses it.
            for (int run = 0; run < (cached ? 3 : 2); run++) {
                Path dir = work.resolve("profile-" + setups.keySet().stream().toList().indexOf(setup.getKey()) + "-" + run);
                var ca = jbang(setup.getValue(), Support.WAIT, Support.ROOT.resolve("ca.java").toString(),
                        "--dir", dir.toString(), "--cn", "profile root").expectOk();
                var leaf = jbang(setup.getValue(), Support.WAIT, Support.ROOT.resolve("issue.java").toString(),
                        "--dir", dir.toString(), "--ca", dir.resolve("ca.crt").toString(), "--ca-key",
                        dir.resolve("ca.key").toString(), "service-a.example.com").expectOk();
                var refused = jbang(setup.getValue(), Support.WAIT, Support.ROOT.resolve("issue.java").toString(),
                        "--dir", dir.toString(), "bad name!");
                if (cached && run >= 1)
                    for (var r : List.of(ca, leaf, refused)) assertTrue(r.err().contains("command cache: hit"), r.err());
                // Run 1 makes the script's archive, unless an earlier test in this HOME made it already.
                if (cached && run == 1) assertTrue(ca.err().contains("script CDS: "), ca.err());
                if (cached && run == 2)
                    for (var r : List.of(ca, leaf, refused))
                        assertTrue(r.err().contains("script CDS: -XX:SharedArchiveFile=") || r.err().contains("script CDS: -XX:AOTCache="), r.err());
                // The unsigned copies of Bouncy Castle's jars, on every cache hit unless turned off.
                if (cached && run >= 1)
                    for (var r : List.of(ca, leaf, refused)) assertEquals(unsigned, r.err().contains("unsigned copies: on the class path"), r.err());
                if (!cached) assertFalse(ca.err().contains("command cache: hit") || ca.err().contains("script CDS"), ca.err());
                if (setup.getKey().endsWith("plain")) assertFalse(ca.err().contains("CDS"), ca.err());
                profiles.put(setup.getKey() + " run " + run, masked(dir.resolve("ca.crt")) + masked(dir.resolve("service-a.crt"))
                        + maskedOutput(ca.out(), dir) + maskedOutput(leaf.out(), dir)
                        + "stderr: " + withoutDebug(ca.err()) + withoutDebug(leaf.err())
                        + "refused: " + refused.code() + " " + refused.out() + withoutDebug(refused.err()));
            }
        }
        try (Stream<Path> archives = Files.list(home.resolve(".cache/jbang-mtls/jbang-0.132.1-gson2.13.1/cds"))) {
            List<String> names = archives.map(p -> p.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("launcher-") && n.endsWith(".jsa")), "the CDS archive of JBang's JVM was made: " + names);
            assertTrue(names.stream().anyMatch(n -> n.startsWith("script-") && n.endsWith(".jsa")), "the script's own archive was made: " + names);
            if (setups.size() > 4) assertTrue(names.stream().anyMatch(n -> n.startsWith("script-") && n.endsWith(".aot")), "the AOT cache was made: " + names);
            assertFalse(names.stream().anyMatch(n -> n.endsWith(".tmp") || n.endsWith(".failed")), "no archive half made or failed: " + names);
        }
        // With the copies, the script's archive holds Bouncy Castle's classes; with the signed jars, none.
        for (var setup : setups.entrySet()) {
            if (!setup.getKey().contains("cache+cds")) continue;
            Path dir = work.resolve("profile-" + setups.keySet().stream().toList().indexOf(setup.getKey()) + "-2"), log = work.resolve("classes.log");
            Map<String, String> env = new HashMap<>(setup.getValue());
            env.put("JBANG_WRAPPER_JAVA_OPTIONS", "-Xlog:class+load:file=" + log);
            jbang(env, Support.WAIT, Support.ROOT.resolve("issue.java").toString(), "--dir", dir.toString(), "--ca", dir.resolve("ca.crt").toString(),
                    "--ca-key", dir.resolve("ca.key").toString(), "--key-type", "ec", "service-c.example.com").expectOk();
            long archived = Files.readAllLines(log).stream().filter(l -> l.contains(" org.bouncycastle.") && l.contains("shared objects file")).count();
            long loaded = Files.readAllLines(log).stream().filter(l -> l.contains(" org.bouncycastle.")).count();
            assertTrue(loaded > 100, setup.getKey() + ": Bouncy Castle classes loaded: " + loaded);
            if (setup.getKey().endsWith("cache+cds")) assertTrue(archived * 10 >= loaded * 9, setup.getKey() + ": " + archived + " of " + loaded + " from the archive");
            else assertEquals(0, archived, setup.getKey() + ": classes of a signed jar are never archived");
            // JDK 17's archive is a static one, which takes picocli's pre-Java-6 classes (a dynamic one
            // takes none of them); JDK 25's AOT cache takes none either way.
            if (setup.getKey().startsWith("default ")) {
                long picocli = Files.readAllLines(log).stream().filter(l -> l.contains(" picocli.")).count();
                long picocliArchived = Files.readAllLines(log).stream().filter(l -> l.contains(" picocli.") && l.contains("shared objects file")).count();
                assertTrue(picocli > 100 && picocliArchived * 3 >= picocli * 2, setup.getKey() + ": " + picocliArchived + " of " + picocli + " picocli classes from the archive");
            }
        }
        String first = profiles.values().iterator().next();
        assertTrue(first.contains("Subject: CN = service-a.example.com") && first.contains("CA:TRUE")
                && first.contains("TLS Web Server Authentication, TLS Web Client Authentication")
                && first.contains("refused: 1 "), first);
        for (var e : profiles.entrySet()) assertEquals(first, e.getValue(), "profile of " + e.getKey());
    }

    static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    /**
     * stderr without the launcher's own [jbang-wrapper] notes, JBang's [jbang] build lines, and the
     * JVM's note on this test's JAVA_TOOL_OPTIONS (printed by JBang's JVM too when JBang runs).
     */
    static String withoutDebug(String err) {
        return err.lines().filter(l -> !l.startsWith("[jbang") && !l.startsWith("Picked up JAVA_TOOL_OPTIONS"))
                .map(l -> l + "\n").collect(Collectors.joining());
    }

    /**
     * An empty argument arrives as typed, with and without the command cache: JBang itself would
     * drop it and shift the ones after it. Where the launcher cannot carry it, it refuses the run.
     */
    @Test
    @Order(7)
    void anEmptyArgumentIsNeverDroppedOrShifted() throws Exception {
        Path proj = Files.createDirectories(work.resolve("empty"));
        Path script = proj.resolve("args.java");
        Files.writeString(script, """
                class args {
                    public static void main(String... a) {
                        StringBuilder s = new StringBuilder(a.length + ":");
                        for (String x : a) s.append(" [").append(x).append("]");
                        System.out.println(s);
                    }
                }
                """);
        for (var env : List.of(debugUser(), debugUser(), debugUser("JBANG_WRAPPER_CMD_CACHE", "off"))) {
            var r = jbang(env, Support.WAIT, script.toString(), "a", "", "b", "");
            r.expectOk();
            assertEquals("4: [a] [] [b] []", r.out().strip(), r.all());
        }
        var refused = jbang(debugUser(), Support.WAIT, "--quiet", script.toString(), "a", "", "b");
        assertEquals(2, refused.code(), refused.all());
        assertTrue(refused.err().contains("an empty argument (\"\") would be dropped by JBang"), refused.err());
        assertEquals("", refused.out());

        // The case that mattered: an empty password no longer makes the next name the password.
        Path dir = work.resolve("empty-pki");
        jbang(debugUser(), Support.WAIT, Support.ROOT.resolve("ca.java").toString(), "--dir", dir.toString()).expectOk();
        var issue = jbang(debugUser(), Support.WAIT, Support.ROOT.resolve("issue.java").toString(), "--dir", dir.toString(),
                "--key-password", "", "a.example.com", "b.example.com");
        assertEquals(2, issue.code(), issue.all());
        assertTrue(issue.err().contains("error: --key-password is empty"), issue.err());
        assertFalse(Files.exists(dir.resolve("a.crt")) || Files.exists(dir.resolve("b.crt")), "nothing issued");
        var emptyDir = jbang(debugUser(), Support.WAIT, Support.ROOT.resolve("issue.java").toString(), "--dir", "", "a.example.com");
        assertEquals(2, emptyDir.code(), emptyDir.all());
        assertTrue(emptyDir.err().contains("'--dir': the value is empty (for the current folder, give .)"), emptyDir.err());

        // A jbang on PATH would drop it too: refused, not handed over.
        Path bin = work.resolve("userbin");
        var onPath = jbang(freshUser(bin.toString()), Support.WAIT, "ca.java", "--cn", "", "--days", "10");
        assertEquals(2, onPath.code(), onPath.all());
        assertFalse(onPath.out().contains("installed jbang ran"), onPath.out());
    }

    /**
     * A copy is made only of a jar whose checksum is the one Maven recorded beside it; a script that
     * installs a JCE provider keeps the signed jars.
     */
    @Test
    @Order(8)
    void aJarIsCopiedOnlyWhenItsChecksumMatchesAndNeverForAProviderInstaller() throws Exception {
        Path bcutil = home.resolve(".m2/repository/org/bouncycastle/bcutil-jdk18on/1.82/bcutil-jdk18on-1.82.jar");
        Path sha1 = Path.of(bcutil + ".sha1");
        assertTrue(Files.exists(sha1), "Maven recorded a checksum beside " + bcutil);
        String recorded = Files.readString(sha1);
        Path cache = work.resolve("checksum-cache"), dir = work.resolve("checksum-pki");
        Map<String, String> env = debugUser("JBANG_WRAPPER_CACHE", cache.toString());
        try {
            Files.writeString(sha1, "0123456789abcdef0123456789abcdef01234567\n");
            for (int run = 0; run < 2; run++)
                jbang(env, Support.WAIT, Support.ROOT.resolve("ca.java").toString(), "--dir", dir.resolve("" + run).toString()).expectOk();
        } finally {
            Files.writeString(sha1, recorded);
        }
        try (Stream<Path> files = Files.list(cache.resolve("jbang-0.132.1-gson2.13.1/unsigned"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().anyMatch(n -> n.startsWith("bcprov-jdk18on-1.82-") && n.endsWith(".jar")), names.toString());
            assertTrue(names.stream().anyMatch(n -> n.startsWith("bcutil-jdk18on-1.82-") && n.endsWith(".keep")), names.toString());
            assertFalse(names.stream().anyMatch(n -> n.startsWith("bcutil-jdk18on-1.82-") && n.endsWith(".jar")), "a jar that fails its checksum is never copied: " + names);
            for (String n : names)
                if (n.endsWith(".jar"))
                    try (var jar = new java.util.jar.JarFile(cache.resolve("jbang-0.132.1-gson2.13.1/unsigned/" + n).toFile())) {
                        assertTrue(jar.stream().noneMatch(e -> e.getName().matches("(?i)META-INF/[^/]+\\.(SF|RSA|DSA|EC)")), n + " has no signature file");
                        assertTrue(jar.getManifest().getEntries().isEmpty(), n + "'s manifest has no per-entry digests");
                        assertTrue(jar.stream().anyMatch(e -> e.getName().startsWith("org/bouncycastle/")), n + " holds the classes");
                    }
        }

        Path proj = Files.createDirectories(work.resolve("provider"));
        Path script = proj.resolve("provider.java");
        Files.writeString(script, """
                //DEPS org.bouncycastle:bcprov-jdk18on:1.82
                import java.security.Security;
                class provider {
                    public static void main(String... a) {
                        Security.addProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
                        System.out.println(Security.getProvider("BC").getName());
                    }
                }
                """);
        for (int run = 0; run < 2; run++) {
            var r = jbang(debugUser(), Support.WAIT, script.toString()).expectOk();
            assertEquals("BC", r.out().strip(), r.all());
            if (run == 1) {
                assertTrue(r.err().contains("unsigned copies: not for a script that installs a JCE provider"), r.err());
                assertFalse(r.err().contains("unsigned copies: on the class path"), r.err());
            }
        }
    }

    /** `./jbang` alone lists the project's scripts, a line each, then where JBang's own help is. */
    @Test
    @Order(9)
    void withNoArgumentItListsTheScripts() throws Exception {
        var r = jbang(freshUser(null), Support.WAIT).expectOk();
        List<String> lines = r.out().lines().toList();
        String catalog = Files.readString(Support.ROOT.resolve("jbang-catalog.json"));
        var refs = Pattern.compile("\"script-ref\": \"([^\"]+)\"").matcher(catalog).results().map(m -> m.group(1)).toList();
        assertEquals(refs.size() + 2, lines.size(), r.out());
        for (int i = 0; i < refs.size(); i++) {
            String description = Files.readString(Support.ROOT.resolve(refs.get(i))).lines()
                    .filter(l -> l.startsWith("//DESCRIPTION ")).findFirst().orElseThrow().substring("//DESCRIPTION ".length());
            assertEquals(refs.get(i), lines.get(i + 1).strip().split(" +")[0], r.out());
            assertTrue(lines.get(i + 1).endsWith(" " + description), lines.get(i + 1));
        }
        assertEquals("JBang's own commands and options: ./jbang --help", lines.get(lines.size() - 1));
        assertEquals("", r.err());
    }

    /**
     * A service started as the tutorial starts it, `./jbang serve.java ... > log 2>&1 &`, on a script
     * never built: the log's first line is the script's own, not the build's.
     */
    @Test
    @Order(10)
    void aLogFileStartsWithTheScriptsOwnLine() throws Exception {
        Path proj = Files.createDirectories(work.resolve("logfirst"));
        Files.writeString(proj.resolve("svc.java"), "class svc { public static void main(String... a) { System.out.println(\"Serving " + System.nanoTime() + "\"); } }\n");
        Path log = proj.resolve("svc.log");
        var r = Support.exec(proj, freshUser(null), Support.WAIT, List.of("bash", "-c",
                "'" + Support.ROOT.resolve("jbang") + "' svc.java > svc.log 2>&1 < /dev/null")).expectOk();
        // The JVM's note on this test's JAVA_TOOL_OPTIONS aside (a user's log has none).
        List<String> lines = Files.readAllLines(log).stream().filter(l -> !l.startsWith("Picked up JAVA_TOOL_OPTIONS")).toList();
        assertTrue(lines.get(0).startsWith("Serving "), "the log starts with: " + lines);
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("[jbang]")), "no build line in the log: " + lines);
    }

    /**
     * After the main job run from a terminal (here: JBANG_WRAPPER_PREPARE=on), every other script is
     * built and its archive trained in the background, so that each first by-hand run is a command
     * cache hit on a trained archive: no build, no recording run. The preparation runs no JVM of its
     * own past its end.
     */
    @Test
    @Order(11)
    void afterTheMainJobTheOtherScriptsRunWarmTheFirstTime() throws Exception {
        Path cache = work.resolve("prepare-cache"), dir = Files.createDirectories(work.resolve("prepare"));
        var main = Support.exec(dir, debugUser("JBANG_WRAPPER_CACHE", cache.toString(), "JBANG_WRAPPER_PREPARE", "on"), Duration.ofMinutes(5),
                List.of(Support.ROOT.resolve("jbang").toString(), Support.ROOT.resolve("tutorial.java").toString(), "--port-a", "0", "--port-b", "0"));
        assertEquals(0, main.code(), main.all());
        assertTrue(main.err().contains("preparing the other scripts in the background"), main.err());
        Path log = cache.resolve("jbang-0.132.1-gson2.13.1/prepare.log");
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (!(Files.exists(log) && Files.readString(log).contains(" done\n")) && System.nanoTime() < deadline) Thread.sleep(500);
        assertTrue(Files.readString(log).contains(" done\n"), "the preparation ended: " + Files.readString(log));
        Map<String, String> env = debugUser("JBANG_WRAPPER_CACHE", cache.toString());
        Path pki = dir.resolve("certs");
        List<List<String>> firstRuns = List.of(
                List.of("ca.java", "--dir", dir.resolve("hand").toString()),
                List.of("issue.java", "--dir", pki.toString(), "--key-type", "ec", "hand.example.com"),
                List.of("inspect.java", pki.resolve("hand.crt").toString()),
                List.of("trust.java", "export", "--format", "truststore", "--dir", pki.toString(), "--out", dir.resolve("ca.p12").toString()));
        for (List<String> run : firstRuns) {
            List<String> args = new ArrayList<>(run);
            args.set(0, Support.ROOT.resolve(run.get(0)).toString());
            var r = jbang(env, Support.WAIT, args.toArray(String[]::new)).expectOk();
            assertTrue(r.err().contains("command cache: hit"), run + ": " + r.err());
            assertTrue(r.err().contains("script CDS: -XX:SharedArchiveFile=") || r.err().contains("script CDS: -XX:AOTCache="), run + ": " + r.err());
            assertFalse(r.err().contains("[jbang] Building"), r.err());
        }
        for (String s : List.of("serve.java", "client.java"))
            assertEquals("trained", jbang(debugUser("JBANG_WRAPPER_CACHE", cache.toString(), "JBANG_WRAPPER_TRAINING", "check"), Support.WAIT,
                    Support.ROOT.resolve(s).toString()).expectOk().out().strip(), s);
    }

    /** openssl x509 -text, with what differs from one certificate to the next masked. */
    static String masked(Path cert) {
        String text = Support.exec(work, "openssl", "x509", "-in", cert.toString(), "-noout", "-text").expectOk().out();
        return HEX_BLOCK.matcher(text
                        .replaceAll("(Serial Number:).*", "$1 <serial>")
                        .replaceAll("(Not (Before|After) ?:).*", "$1 <date>")
                        .replaceAll("(keyid:)?([0-9A-F]{2}:){19}[0-9A-F]{2}", "<key id>"))
                .replaceAll("<hex>");
    }

    // Lines of a serial, a key modulus or a signature: "    00:c4:5e:..." and nothing else.
    static final Pattern HEX_BLOCK = Pattern.compile("(?m)^\\s+([0-9a-f]{2}:)+[0-9a-f]{0,2}$");

    /** A script's report, without the folder, dates, serials and key ids. */
    static String maskedOutput(String out, Path dir) {
        return out.replace(dir.toString(), "DIR")
                .replaceAll("\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}(:\\d{2})?( UTC|Z)?", "<date>")
                .replaceAll("\\b[0-9a-f]{16,}\\b", "<hex>")
                .replaceAll("([0-9A-F]{2}:){7,}[0-9A-F]{2}", "<hex>");
    }
}
