import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of docs/architecture.md hold: references only go down, scripts -> lib/cli -> lib/tls ->
 * lib/pki. No file of lib/pki names a class of lib/tls or lib/cli, no file of lib/tls one of lib/cli,
 * and no file of lib/ a script's class. lib/pki and lib/tls hold no command-line word (a flag such
 * as --dir, or ./jbang): they return findings, which lib/cli puts into the words the user typed. No
 * script runs another script's command line with argument strings: they call the API. And the default
 * folder, certs, is written once, in lib/pki/Pki.java. Everything is in the default package, so a
 * reference is a class name in code (comments and string literals left out), or, for the scripts'
 * lower-case class names, a class the compiled file refers to. Each failure names the file, the line
 * and what it found.
 */
class ArchitectureTest {
    static final List<String> LAYERS = List.of("lib/pki", "lib/tls", "lib/cli");

    /** The .java files directly in a folder of the repository ("" for the top), sorted. */
    static List<Path> javaFiles(String folder) {
        try (Stream<Path> s = Files.list(Support.ROOT.resolve(folder))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            assertTrue(!files.isEmpty(), "no .java file in " + (folder.isEmpty() ? "the top folder" : folder));
            return files;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The class a file defines: its name without .java. */
    static String className(Path file) {
        return file.getFileName().toString().replace(".java", "");
    }

    static Support.JavaText read(Path file) {
        try {
            return Support.javaText(Files.readString(file));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String where(Path file, Support.JavaText text, int offset) {
        return Support.ROOT.relativize(file) + ":" + text.line(offset);
    }

    /** Findings ("file:line: what"), one a line, by file and line. */
    static String report(List<String> found) {
        return found.stream().sorted(java.util.Comparator.comparing((String f) -> f.substring(0, f.indexOf(':')))
                .thenComparingInt(f -> f.matches("[^:]+:\\d+:.*") ? Integer.parseInt(f.split(":")[1]) : 0))
                .collect(java.util.stream.Collectors.joining("\n"));
    }

    /** The scripts: ca.java, issue.java, ... at the top, and bench/*.java. */
    static List<Path> scripts() {
        List<Path> all = new ArrayList<>(javaFiles(""));
        all.addAll(javaFiles("bench"));
        return all;
    }

    // ------------------------------------------------------------------ (a) references only go down

    @Test
    void libReferencesOnlyGoDownTheLayers() {
        List<String> found = new ArrayList<>();
        for (int layer = 0; layer < LAYERS.size(); layer++) {
            Map<String, String> above = new LinkedHashMap<>(); // class -> its layer
            for (String up : LAYERS.subList(layer + 1, LAYERS.size()))
                for (Path f : javaFiles(up)) above.put(className(f), up);
            if (above.isEmpty()) continue;
            Pattern names = Pattern.compile("\\b(" + String.join("|", above.keySet()) + ")\\b");
            for (Path f : javaFiles(LAYERS.get(layer))) {
                Support.JavaText t = read(f);
                Matcher m = names.matcher(t.code());
                while (m.find())
                    found.add(where(f, t, m.start()) + ": refers to " + m.group(1) + " (" + above.get(m.group(1)) + "/" + m.group(1)
                            + ".java), a layer above " + LAYERS.get(layer));
            }
        }
        assertEquals("", report(found), "references that go up a layer (scripts -> lib/cli -> lib/tls -> lib/pki)");
    }

    @Test
    void noLibFileReferencesAScript() throws Exception {
        Set<String> scripts = new TreeSet<>();
        for (String folder : List.of("", "bench", "snippets")) for (Path f : javaFiles(folder)) scripts.add(className(f));
        List<String> found = new ArrayList<>();
        int classFiles = 0;
        for (String layer : LAYERS)
            for (Path f : javaFiles(layer)) {
                Set<String> used = new TreeSet<>();
                for (Path c : compiled(className(f))) {
                    classFiles++;
                    for (String ref : referencedClasses(c)) {
                        String top = ref.contains("$") ? ref.substring(0, ref.indexOf('$')) : ref;
                        if (scripts.contains(top)) used.add(top);
                    }
                }
                Support.JavaText t = read(f);
                for (String s : used) {
                    // The line: the first use in code (s.X, s::x, new s(, or a type s followed by a name).
                    Matcher m = Pattern.compile("\\b" + s + "\\b\\s*(\\.|::|\\(|\\)|\\s+[a-z_])").matcher(t.code());
                    String at = m.find() ? where(f, t, m.start()) : Support.ROOT.relativize(f) + " (compiled)";
                    found.add(at + ": refers to " + s + ", the class of the script " + s + ".java; lib/ may not use a script");
                }
            }
        assertTrue(classFiles >= 20, "found only " + classFiles + " compiled classes of lib/: is the lookup broken?");
        // The reader sees references: ca.java's class refers to Cli (its main runs Cli.run).
        Set<String> ofCa = new TreeSet<>();
        for (Path c : compiled("ca")) ofCa.addAll(referencedClasses(c));
        assertTrue(ofCa.contains("Cli") && ofCa.contains("picocli/CommandLine$Command"), "the classes ca.class refers to: " + ofCa);
        assertEquals("", report(found), "lib/ files that use a script's class");
    }

    /** The class files compiled from a top-level class: NAME.class and NAME$*.class, beside each other. */
    static List<Path> compiled(String name) throws URISyntaxException, IOException {
        URL url = ArchitectureTest.class.getClassLoader().getResource(name + ".class");
        assertTrue(url != null && url.getProtocol().equals("file"), "no compiled " + name + ".class on the class path");
        Path top = Path.of(url.toURI());
        try (Stream<Path> s = Files.list(top.getParent())) {
            return s.filter(p -> p.getFileName().toString().equals(name + ".class")
                    || p.getFileName().toString().startsWith(name + "$")).sorted().toList();
        }
    }

    /**
     * The classes a class file refers to, from its constant pool: CONSTANT_Class entries and the
     * L...; types inside descriptors and signatures (JVMS 4.4).
     */
    static Set<String> referencedClasses(Path classFile) throws IOException {
        Set<String> refs = new LinkedHashSet<>();
        try (InputStream in = Files.newInputStream(classFile); DataInputStream d = new DataInputStream(in)) {
            assertEquals(0xCAFEBABE, d.readInt(), classFile + " is not a class file");
            d.readUnsignedShort();
            d.readUnsignedShort();
            int count = d.readUnsignedShort();
            String[] utf8 = new String[count];
            List<Integer> classEntries = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = d.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8[i] = d.readUTF();
                    case 7 -> classEntries.add(d.readUnsignedShort());
                    case 8, 16, 19, 20 -> d.readUnsignedShort();
                    case 15 -> d.skipBytes(3);
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> d.skipBytes(4);
                    case 5, 6 -> {
                        d.skipBytes(8);
                        i++; // a long or a double takes two entries
                    }
                    default -> throw new AssertionError(classFile + ": unknown constant pool tag " + tag);
                }
            }
            for (int index : classEntries) refs.add(utf8[index].replaceFirst("^\\[*L?", "").replaceFirst(";$", ""));
            Pattern type = Pattern.compile("L([^;<]+)[;<]");
            for (String s : utf8) {
                if (s == null) continue;
                Matcher m = type.matcher(s);
                while (m.find()) refs.add(m.group(1));
            }
        }
        return refs;
    }

    // ------------------------------------------------------------------ (b) no command-line words below lib/cli

    /** A flag: "--" and a lower-case word, not inside a longer word or a run of dashes ("-----BEGIN"). */
    static final Pattern FLAG = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*");
    static final Pattern JBANG = Pattern.compile("\\./jbang\\b");

    @Test
    void libPkiAndLibTlsNameNoFlagAndNoLauncher() {
        // The flags the scripts and lib/cli define or print: in code, only these (or a hyphenated one)
        // are flags, since "--i" is also Java's decrement.
        Set<String> flags = new TreeSet<>();
        List<Path> wordy = new ArrayList<>(scripts());
        wordy.addAll(javaFiles("lib/cli"));
        for (Path f : wordy) {
            Matcher m = FLAG.matcher(read(f).literals());
            while (m.find()) flags.add(m.group());
        }
        assertTrue(flags.containsAll(List.of("--dir", "--name", "--key-password")), "the flags the scripts define: " + flags);
        List<String> found = new ArrayList<>();
        for (String layer : List.of("lib/pki", "lib/tls"))
            for (Path f : javaFiles(layer)) {
                Support.JavaText t = read(f);
                // In a string, a flag of ours: other tools' flags (update-ca-certificates --fresh, certutil
                // --empty-password) are how lib/tls runs them, not words for our user.
                Matcher m = FLAG.matcher(t.literals());
                while (m.find())
                    if (flags.contains(m.group())) found.add(where(f, t, m.start()) + ": the flag " + m.group() + " in a string");
                m = FLAG.matcher(t.code());
                while (m.find())
                    if (flags.contains(m.group()) || m.group().indexOf('-', 2) > 0)
                        found.add(where(f, t, m.start()) + ": the flag " + m.group() + " in code");
                for (String layerText : List.of(t.literals(), t.code())) {
                    m = JBANG.matcher(layerText);
                    while (m.find()) found.add(where(f, t, m.start()) + ": ./jbang (a command line)");
                }
            }
        assertEquals("", report(found),
                "command-line words in lib/pki or lib/tls (they return findings; lib/cli words them with the user's flags)");
    }

    // ------------------------------------------------------------------ (c) scripts call the API, not each other's command line

    @Test
    void noScriptRunsAnotherScriptsCommandLine() {
        List<Path> scripts = scripts();
        List<String> found = new ArrayList<>();
        for (Path f : scripts) {
            Support.JavaText t = read(f);
            for (Path other : scripts) {
                String o = className(other);
                if (other.equals(f)) continue;
                // new o() is the script's picocli command, good only for parsing argument strings
                // (Cli.run, CommandLine, execute); o.main(...) is its command line itself.
                Matcher m = Pattern.compile("\\bnew\\s+" + o + "\\s*\\(|\\b" + o + "\\s*\\.\\s*main\\s*\\(").matcher(t.code());
                while (m.find())
                    found.add(where(f, t, m.start()) + ": " + m.group().replaceAll("\\s+", " ") + "...) runs "
                            + Support.ROOT.relativize(other) + "'s command line with argument strings; call the API instead");
            }
        }
        assertEquals("", report(found), "scripts that drive another script by argument strings");
    }

    // ------------------------------------------------------------------ (d) the default folder, once

    /** certs as a folder in a string: "certs", "certs/ca.crt", "e.g. certs/x", not "mycerts" or "certs-old". */
    static final Pattern CERTS = Pattern.compile("(?<![\\w.-])certs(?![\\w-])");

    @Test
    void theDefaultFolderCertsIsWrittenOnlyInPki() {
        Path pki = Support.ROOT.resolve("lib/pki/Pki.java");
        List<Path> files = new ArrayList<>(scripts());
        for (String layer : LAYERS) files.addAll(javaFiles(layer));
        List<String> found = new ArrayList<>();
        int inPki = 0;
        for (Path f : files) {
            Support.JavaText t = read(f);
            Matcher m = CERTS.matcher(t.literals());
            while (m.find()) {
                if (f.equals(pki)) inPki++;
                else found.add(where(f, t, m.start()) + ": the folder certs, written out: use Pki's default");
            }
        }
        assertEquals(1, inPki, "lib/pki/Pki.java writes the default folder \"certs\" exactly once");
        assertEquals("", report(found), "the default folder written outside lib/pki/Pki.java");
    }

    // ------------------------------------------------------------------ the reading itself

    @Test
    void codeAndLiteralsAreToldApart() {
        String src = """
                // Cli --dir in a comment
                /* Tls
                   --name */ String a = "--dir certs", b = "say \\"--x\\" // not a comment"; char q = '"';
                String t = \"""
                    ./jbang --max-connections
                    \""";
                int i = 3; --i; new ca().execute("--dir");
                """;
        Support.JavaText t = Support.javaText(src);
        assertEquals(src.length(), t.code().length());
        assertEquals(src.length(), t.literals().length());
        assertTrue(!t.code().contains("Cli") && !t.code().contains("Tls") && !t.code().contains("certs") && !t.code().contains("jbang"), t.code());
        assertTrue(t.code().contains("String a =") && t.code().contains("--i;") && t.code().contains("new ca().execute("), t.code());
        List<String> literalFlags = new ArrayList<>();
        Matcher m = FLAG.matcher(t.literals());
        while (m.find()) literalFlags.add(m.group() + "@" + t.line(m.start()));
        assertEquals(List.of("--dir@3", "--x@3", "--max-connections@5", "--dir@7"), literalFlags);
        assertTrue(CERTS.matcher(t.literals()).find() && JBANG.matcher(t.literals()).find());
        assertTrue(!CERTS.matcher("mycerts certs-old").find(), "a longer word is not the folder");
        Matcher code = FLAG.matcher(t.code());
        assertTrue(code.find() && code.group().equals("--i"), "--i is found in code, and then left out as a decrement");
    }
}
