import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/reference.md lists every option of every command, as --help shows it. The commands are the
 * scripts at the top of the repository (ca.java, issue.java, ...) and each of their subcommands (ca.java
 * revoke, trust.java install, ...), found in picocli's model, so a new script or subcommand needs a
 * section too. For each, the long and short names in its --help and those in the first column of the
 * "| option |" tables of its section ("### ca.java revoke"; "### trust.java install, uninstall" covers
 * two), plus the table of options every command takes under "## Conventions", must be the same set.
 */
class ReferenceTest {
    static final Path PAGE = Support.ROOT.resolve("docs/reference.md");

    @Test
    void theReferenceListsExactlyTheOptionsOfEachCommandsHelp() throws Exception {
        String page = Files.readString(PAGE);
        Map<String, String> sections = sections(page);
        Set<String> everyCommand = options(Support.section(page, "## Conventions"));
        assertTrue(everyCommand.containsAll(Set.of("--help", "-h")), "the conventions should list --help: " + everyCommand);
        Map<String, String> helps = helps();
        assertTrue(helps.keySet().containsAll(Set.of("ca.java", "ca.java revoke", "issue.java", "serve.java", "client.java",
                "inspect.java", "trust.java install", "trust.java export", "tutorial.java")), "commands found: " + helps.keySet());

        List<String> problems = new ArrayList<>();
        for (var e : helps.entrySet()) {
            String section = sections.get(e.getKey());
            if (section == null) {
                problems.add("docs/reference.md has no section \"### " + e.getKey() + "\"");
                continue;
            }
            Set<String> inHelp = helpOptions(e.getValue());
            assertTrue(inHelp.contains("--help"), () -> "cannot read the options of " + e.getKey() + " --help:\n" + e.getValue());
            Set<String> listed = new TreeSet<>(everyCommand);
            listed.addAll(options(section));
            Set<String> missing = new TreeSet<>(inHelp), extra = new TreeSet<>(listed);
            missing.removeAll(listed);
            extra.removeAll(inHelp);
            if (!missing.isEmpty()) problems.add(e.getKey() + " --help lists " + missing + ", docs/reference.md does not");
            if (!extra.isEmpty()) problems.add("docs/reference.md lists " + extra + " for " + e.getKey() + ", its --help does not");
        }
        for (String c : sections.keySet())
            if (!helps.containsKey(c)) problems.add("docs/reference.md has a section for " + c + ", which is no command");
        assertEquals("", String.join("\n", problems));
    }

    @Test
    void theParsersSeeLongAndShortNamesAndNothingElse() {
        String help = """
                Usage: x.java [-hkV] [--cacert=FILE] URL
                      URL                   An https:// URL
                      --cacert=FILE         Trust the CA certificates in FILE, as curl
                                              --cacert (default: none).
                  -E, --cert=FILE           Client certificate.
                  -k, --insecure            Do not check.
                Commands:
                  revoke  Revokes --things.
                """;
        assertEquals(Set.of("--cacert", "-E", "--cert", "-k", "--insecure"), helpOptions(help));
        String md = """
                ### x.java
                | option | meaning |
                |---|---|
                | `--ca FILE`, `--ca-key FILE` | the CA, not `--other` in this column's neighbour |
                | `-E`, `--cert FILE` | a key type such as `rsa\\|ec` |

                | route | what it answers |
                |---|---|
                | `/--not-an-option` | no |
                """;
        assertEquals(Set.of("--ca", "--ca-key", "-E", "--cert"), options(md));
        assertEquals(Set.of("a.java", "a.java x", "a.java y", "b.java"),
                sections("## S\n### a.java\ntext\n### a.java x, y\n| option |\n### b.java\n## End\n").keySet());
    }

    /** Each script at the top of the repository and each of its subcommands, with its --help. */
    static Map<String, String> helps() throws IOException, ReflectiveOperationException {
        Map<String, String> helps = new LinkedHashMap<>();
        List<String> scripts;
        try (Stream<Path> files = Files.list(Support.ROOT)) {
            scripts = files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".java")).sorted().toList();
        }
        for (String script : scripts) {
            String name = script.substring(0, script.length() - ".java".length());
            Object command = Class.forName(name).getDeclaredConstructor().newInstance();
            helps.put(script, Support.cli(command, "--help").expectOk().out());
            for (String sub : new CommandLine(command).getSubcommands().keySet())
                helps.put(script + " " + sub, Support.cli(Class.forName(name).getDeclaredConstructor().newInstance(), sub, "--help")
                        .expectOk().out());
        }
        return helps;
    }

    /**
     * The option names of a picocli help: "  -E, --cert=FILE" (a short and a long name) and
     * "      --cacert=FILE" (a long name alone, 6 spaces in). Wrapped descriptions are indented
     * further, so an option they mention is not read as one.
     */
    static Set<String> helpOptions(String help) {
        Set<String> names = new TreeSet<>();
        Pattern both = Pattern.compile("^  (-[A-Za-z0-9]), (--[A-Za-z0-9][\\w-]*)"), longOnly = Pattern.compile("^ {6}(--[A-Za-z0-9][\\w-]*)"),
                shortOnly = Pattern.compile("^  (-[A-Za-z0-9])(?:[= ]|$)");
        for (String line : help.lines().toList()) {
            Matcher m;
            if ((m = both.matcher(line)).find()) {
                names.add(m.group(1));
                names.add(m.group(2));
            } else if ((m = longOnly.matcher(line)).find()) names.add(m.group(1));
            else if ((m = shortOnly.matcher(line)).find()) names.add(m.group(1));
        }
        return names;
    }

    /** The option names in the first column of every "| option |" table of the Markdown. */
    static Set<String> options(String markdown) {
        Set<String> names = new TreeSet<>();
        Pattern name = Pattern.compile("(?<![\\w-])(--?[A-Za-z0-9][\\w-]*)");
        boolean inTable = false;
        for (String line : markdown.lines().toList()) {
            if (line.startsWith("| option |")) inTable = true;
            else if (!line.startsWith("|")) inTable = false;
            else if (inTable && !line.startsWith("|---")) {
                String first = Arrays.stream(line.substring(1).split("(?<!\\\\)\\|")).findFirst().orElse("");
                Matcher m = name.matcher(first);
                while (m.find()) names.add(m.group(1));
            }
        }
        return names;
    }

    /**
     * The page's sections by command: "### ca.java revoke" is the command "ca.java revoke", and
     * "### trust.java install, uninstall" gives its text to "trust.java install" and "trust.java uninstall".
     * A section runs to the next "### " or "## " heading; headings that do not start with a NAME.java are skipped.
     */
    static Map<String, String> sections(String markdown) {
        Map<String, String> sections = new LinkedHashMap<>();
        Matcher heading = Pattern.compile("(?m)^### (\\S+\\.java)(?: (.*))?$").matcher(markdown);
        while (heading.find()) {
            int end = markdown.length();
            Matcher next = Pattern.compile("(?m)^##+ ").matcher(markdown);
            if (next.find(heading.end())) end = next.start();
            String text = markdown.substring(heading.start(), end);
            if (heading.group(2) == null) sections.put(heading.group(1), text);
            else for (String sub : heading.group(2).split(",")) sections.put(heading.group(1) + " " + sub.strip(), text);
        }
        return sections;
    }
}
