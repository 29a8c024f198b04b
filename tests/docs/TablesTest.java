import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each table has one source, and every other place that shows it is checked against that source:
 * client.java's exit codes (lib/tls/Diagnosis.java's Problem, plus 0, 1 and 2) in client.java --help and
 * the reference, and serve.java's routes (its enum Route) in serve.java --help, its header comment,
 * its 404 page and the reference. No document keeps a second copy of either table.
 */
class TablesTest {
    static final List<Path> DOCS = docs();

    static List<Path> docs() {
        List<Path> all = new ArrayList<>(List.of(Support.ROOT.resolve("README.md"), Support.ROOT.resolve("README.ko.md")));
        try (Stream<Path> d = Files.list(Support.ROOT.resolve("docs"))) {
            d.filter(p -> p.toString().endsWith(".md")).sorted().forEach(all::add);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return all;
    }

    /** Text with its white space folded: picocli wraps --help at 80 columns. */
    static String words(String s) {
        return s.replaceAll("\\s+", " ");
    }

    /** The rows of the Markdown table that starts with header, each split into its cells. */
    static List<List<String>> table(String markdown, String header) {
        int at = markdown.indexOf(header + "\n");
        assertTrue(at >= 0, "no table with the header " + header);
        List<List<String>> rows = new ArrayList<>();
        for (String line : markdown.substring(at).lines().skip(2).toList()) {
            if (!line.startsWith("|")) break;
            rows.add(Arrays.stream(line.substring(1, line.length() - 1).split("\\|")).map(String::strip).toList());
        }
        return rows;
    }

    /** The documents that hold a table with this header: there must be exactly one. */
    static String theOneDocWith(String header) throws Exception {
        List<String> holders = new ArrayList<>();
        String text = null;
        for (Path p : DOCS) {
            String s = Files.readString(p);
            if (s.contains(header + "\n")) {
                holders.add(Support.ROOT.relativize(p).toString());
                text = s;
            }
        }
        assertEquals(1, holders.size(), "one document should hold the table \"" + header + "\", not " + holders);
        return text;
    }

    @Test
    void theExitCodesAreDeclaredOnceAndShownAsDeclared() throws Exception {
        List<List<String>> expected = client.exitCodes().stream().map(List::of).toList();
        String doc = theOneDocWith("| exit code | class | meaning |");
        assertEquals(expected, table(doc, "| exit code | class | meaning |"), "the reference's exit codes differ from lib/tls/Diagnosis.java");
        String help = words(Support.cli(new client(), "--help").out());
        for (String[] row : client.exitCodes())
            assertTrue(help.contains(words(row[0] + " " + row[1] + ": " + row[2])), "client.java --help lacks " + row[0] + ":\n" + help);
        // No other table lists a code of ours with its meaning.
        for (Path p : DOCS)
            for (String line : Files.readString(p).lines().toList())
                assertTrue(!line.matches("\\| 6[0-4] \\|.*") || doc.contains(line),
                        Support.ROOT.relativize(p) + " keeps a copy of the exit code table: " + line);
    }

    @Test
    void theRoutesAreDeclaredOnceAndShownAsDeclared() throws Exception {
        List<List<String>> expected = Arrays.stream(Service.Route.values()).map(r -> List.of("`" + r.path + "`", r.does)).toList();
        String doc = theOneDocWith("| route | what it answers |");
        assertEquals(expected, table(doc, "| route | what it answers |"), "the reference's routes differ from serve.java's enum Route");
        String help = words(Support.cli(new serve(), "--help").out());
        for (Service.Route r : Service.Route.values())
            assertTrue(help.contains(words(r.path + " " + r.does)), "serve.java --help lacks " + r.path + ":\n" + help);
        assertEquals("/ /whoami /w-mtls /wo-cert-mtls /wo-ca-mtls", Service.Route.list(), "the 404 page's list");
        // The header comment of serve.java names the routes in the enum's order.
        String header = Files.readString(Support.ROOT.resolve("serve.java")).lines().filter(l -> l.startsWith("// "))
                .map(l -> l.substring(3)).reduce("", (a, b) -> a + " " + b);
        Matcher m = Pattern.compile("\\((/[^)]*)\\)").matcher(header);
        assertTrue(m.find(), "serve.java's header comment should list the routes in parentheses");
        assertEquals(Service.Route.list(), m.group(1).replace(",", ""), "serve.java's header comment lists other routes");
    }
}
