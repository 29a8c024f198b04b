import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The suite compiles the scripts and snippets with pom.xml's dependencies, while users run them with
 * their own //DEPS lines. If the two drifted, the tests would prove nothing about what users run.
 */
class ScriptDepsTest {
    @Test
    void everyDepsLineMatchesThePom() throws Exception {
        String pom = Files.readString(Support.ROOT.resolve("pom.xml"));
        List<Path> scripts;
        try (Stream<Path> s = Stream.of("", "lib/pki", "lib/tls", "lib/cli", "bench", "snippets").flatMap(ScriptDepsTest::list)) {
            scripts = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertFalse(scripts.isEmpty());
        Pattern deps = Pattern.compile("^//DEPS ([\\w.-]+):([\\w.-]+):([\\w.-]+)$", Pattern.MULTILINE);
        int seen = 0;
        for (Path script : scripts) {
            Matcher m = deps.matcher(Files.readString(script));
            while (m.find()) {
                seen++;
                String artifact = m.group(2), version = m.group(3);
                assertTrue(pom.contains("<artifactId>" + artifact + "</artifactId>"), script + ": " + artifact + " not in pom.xml");
                String property = artifact.startsWith("bc") ? "bouncycastle.version" : artifact + ".version";
                Matcher v = Pattern.compile("<" + Pattern.quote(property) + ">([^<]+)<").matcher(pom);
                assertTrue(v.find(), "pom.xml has no " + property);
                assertEquals(v.group(1), version, script + " pins " + artifact + " " + version + ", pom.xml " + v.group(1));
            }
        }
        assertTrue(seen >= 4, "found only " + seen + " //DEPS lines");
    }

    static Stream<Path> list(String folder) {
        try {
            return Files.list(Support.ROOT.resolve(folder));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void benchScriptsNameSourcesThatExist() throws Exception {
        // bench/attack.java compiles serve.java, ca.java and issue.java (and, through them, lib/) with //SOURCES.
        String text = Files.readString(Support.ROOT.resolve("bench/attack.java"));
        assertTrue(text.startsWith("///usr/bin/env jbang \"$0\" \"$@\" ; exit $?\n//JAVA 17+\n"));
        Matcher m = Pattern.compile("^//SOURCES (\\S+)$", Pattern.MULTILINE).matcher(text);
        int n = 0;
        for (; m.find(); n++) assertTrue(Files.isRegularFile(Support.ROOT.resolve("bench").resolve(m.group(1))), m.group(1));
        assertTrue(n >= 3, "found only " + n + " //SOURCES lines");
    }

    /**
     * Each script compiles under JBang with the files its //SOURCES lines pull in (JBang follows them
     * from file to file): every class of lib/ that a script or one of its sources uses must be among
     * them. Maven compiles everything together, so only this check catches a missing line.
     */
    @Test
    void everyScriptNamesEveryLibFileItUses() throws Exception {
        List<String> libClasses;
        try (var files = Files.walk(Support.ROOT.resolve("lib"))) {
            libClasses = files.filter(f -> f.toString().endsWith(".java")).map(f -> f.getFileName().toString().replace(".java", "")).sorted().toList();
        }
        for (String script : List.of("ca.java", "issue.java", "serve.java", "client.java", "tutorial.java", "inspect.java", "trust.java",
                "bench/attack.java", "snippets/MakePki.java", "snippets/MtlsDemo.java")) {
            Path start = Support.ROOT.resolve(script);
            assertTrue(Files.readString(start).startsWith("///usr/bin/env jbang \"$0\" \"$@\" ; exit $?\n//JAVA 17+\n"), script);
            List<Path> sources = Support.withSources(start);
            java.util.Set<String> have = new java.util.HashSet<>();
            for (Path f : sources) have.add(f.getFileName().toString().replace(".java", ""));
            for (Path f : sources) {
                String code = Support.codeOnly(Files.readString(f));
                for (String lib : libClasses)
                    if (Pattern.compile("\\b" + lib + "\\b").matcher(code).find())
                        assertTrue(have.contains(lib), script + ": " + Support.ROOT.relativize(f) + " uses " + lib
                                + ", but no //SOURCES line brings lib/" + lib + ".java");
            }
        }
    }
}
