import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.ko.md, the Korean edition of the tutorial, stays in step with README.md: both list the same
 * ./jbang and curl commands. In README.md these are the sections "Set-up" and "The tutorial, step by
 * step"; README.ko.md is that tutorial as a whole. Commands count in code blocks (a "$ " prompt and
 * "\" continuations allowed) and in inline code, as in the tables of step 4.
 */
class ReadmeKoTest {
    static final List<String> TUTORIAL_SECTIONS = List.of("## Set-up", "## The tutorial, step by step");

    @Test
    void theKoreanEditionListsTheSameCommandsAsTheReadme() throws IOException {
        String readme = Files.readString(Support.ROOT.resolve("README.md"));
        StringBuilder tutorial = new StringBuilder();
        for (String heading : TUTORIAL_SECTIONS) tutorial.append(Support.section(readme, heading));
        Set<String> english = commands(tutorial.toString());
        Set<String> korean = commands(Files.readString(Support.ROOT.resolve("README.ko.md")));
        assertTrue(english.size() >= 15, "found too few commands in README.md's tutorial, is the extraction broken? " + english);

        Set<String> missingInKorean = new TreeSet<>(english);
        missingInKorean.removeAll(korean);
        Set<String> onlyInKorean = new TreeSet<>(korean);
        onlyInKorean.removeAll(english);
        assertEquals("", describe("in README.md but not in README.ko.md", missingInKorean)
                + describe("in README.ko.md but not in README.md's tutorial", onlyInKorean),
                "update README.ko.md with README.md's tutorial");
    }

    @Test
    void theExtractionSeesCodeBlocksPromptsContinuationsAndTables() {
        String md = "text `./jbang ca.java` and `jbang x.java`\n"
                + "| a | `curl --cacert x https://h:1` |\n"
                + "```bash\n./jbang issue.java a \\\n    b   c\n# ./jbang commented.java\n```\n"
                + "```text\n$ ./jbang client.java https://h\nerror: ./jbang is not a command here\n```\n";
        assertEquals(Set.of("./jbang ca.java", "curl --cacert x https://h:1", "./jbang issue.java a b c",
                "./jbang client.java https://h"), commands(md));
    }

    static final Pattern FENCE = Pattern.compile("(?m)^```[^\\n]*\\n(.*?)^```$", Pattern.DOTALL);
    static final Pattern INLINE = Pattern.compile("`([^`\\n]+)`");

    /** Every ./jbang or curl command, with runs of spaces made one. */
    static Set<String> commands(String markdown) {
        Set<String> found = new TreeSet<>();
        Matcher fence = FENCE.matcher(markdown);
        StringBuilder outside = new StringBuilder();
        int last = 0;
        while (fence.find()) {
            outside.append(markdown, last, fence.start());
            last = fence.end();
            List<String> lines = new ArrayList<>();
            StringBuilder joined = new StringBuilder();
            for (String line : fence.group(1).split("\n")) {
                if (line.endsWith("\\")) {
                    joined.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                lines.add(joined.append(line).toString());
                joined.setLength(0);
            }
            for (String line : lines) {
                String l = line.strip();
                if (l.startsWith("$ ")) l = l.substring(2);
                if (isCommand(l)) found.add(normal(l));
            }
        }
        outside.append(markdown.substring(last));
        Matcher inline = INLINE.matcher(outside);
        while (inline.find())
            if (isCommand(inline.group(1))) found.add(normal(inline.group(1)));
        return found;
    }

    static boolean isCommand(String s) {
        return s.startsWith("./jbang ") || s.startsWith("curl ");
    }

    static String normal(String s) {
        return s.strip().replaceAll("\\s+", " ");
    }

    static String describe(String what, Set<String> commands) {
        if (commands.isEmpty()) return "";
        StringBuilder sb = new StringBuilder(commands.size() + " command(s) " + what + ":\n");
        commands.forEach(c -> sb.append("  ").append(c).append('\n'));
        return sb.toString();
    }
}
