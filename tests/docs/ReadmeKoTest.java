import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README.ko.md, the Korean front page, stays in step with README.md: both list the same ./jbang and
 * curl commands, in the same order. Commands count in code blocks (a "$ " prompt and "\"
 * continuations allowed) and in inline code, as in the tables, each where it stands in the page.
 */
class ReadmeKoTest {
    @Test
    void theKoreanFrontPageListsTheSameCommandsInTheSameOrder() throws IOException {
        List<String> english = commands(Files.readString(Support.ROOT.resolve("README.md")));
        List<String> korean = commands(Files.readString(Support.ROOT.resolve("README.ko.md")));
        assertTrue(english.size() >= 15, "found too few commands in README.md, is the extraction broken? " + english);
        assertEquals(String.join("\n", english), String.join("\n", korean),
                "README.ko.md should list README.md's commands, in README.md's order (one a line)");
    }

    @Test
    void theExtractionSeesCodeBlocksPromptsContinuationsAndTables() {
        String md = "text `./jbang ca.java` and `jbang x.java`\n"
                + "| a | `curl --cacert x https://h:1` |\n"
                + "```bash\n./jbang issue.java a \\\n    b   c\n# ./jbang commented.java\n```\n"
                + "```text\n$ ./jbang client.java https://h\nerror: ./jbang is not a command here\n```\n";
        assertEquals(List.of("./jbang ca.java", "curl --cacert x https://h:1", "./jbang issue.java a b c",
                "./jbang client.java https://h"), commands(md));
    }

    static final Pattern FENCE = Pattern.compile("^```"), INLINE = Pattern.compile("`([^`\\n]+)`");

    /** Every ./jbang or curl command in the order it appears, with runs of spaces made one. */
    static List<String> commands(String markdown) {
        List<String> found = new ArrayList<>();
        boolean inFence = false;
        StringBuilder joined = new StringBuilder();
        for (String line : markdown.split("\n")) {
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
                continue;
            }
            if (!inFence) {
                Matcher inline = INLINE.matcher(line);
                while (inline.find())
                    if (isCommand(inline.group(1))) found.add(normal(inline.group(1)));
                continue;
            }
            if (line.endsWith("\\")) {
                joined.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            String l = joined.append(line).toString().strip();
            joined.setLength(0);
            if (l.startsWith("$ ")) l = l.substring(2);
            if (isCommand(l)) found.add(normal(l));
        }
        return found;
    }

    static boolean isCommand(String s) {
        return s.startsWith("./jbang ") || s.startsWith("curl ");
    }

    static String normal(String s) {
        return s.strip().replaceAll("\\s+", " ");
    }
}
