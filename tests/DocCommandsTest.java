import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands shown in docs/ are commands a user can type: each ```bash block of the pages below runs,
 * command by command, in a fresh copy of the repository (the files git tracks, as they are now), and
 * each must exit 0. The pages that show output compare it in their own tests.
 */
class DocCommandsTest {
    @TempDir Path work;

    @Test
    void theProfilePagesCommandsRunAsTyped() throws Exception {
        Support.requireTool("openssl", "openssl");
        Support.requireTool("certtool", "gnutls-bin");
        Path clone = Support.freshCopy(work.resolve("clone"));
        List<String> commands = bashCommands(Files.readString(Support.ROOT.resolve("docs/PROFILE.md")));
        assertTrue(commands.size() >= 6, "docs/PROFILE.md shows too few commands: " + commands);
        for (String cmd : commands) {
            Support.Result r = Support.exec(clone, Map.of(), Support.WAIT.multipliedBy(3), List.of("bash", "-c", cmd));
            assertEquals(0, r.code(), () -> "docs/PROFILE.md: `" + cmd + "` failed:\n" + r.all());
        }
    }

    /** The commands of every ```bash block: "\" continuations joined, comments and blank lines left out. */
    static List<String> bashCommands(String markdown) {
        List<String> commands = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^```bash\\n(.*?)^```$", Pattern.DOTALL).matcher(markdown);
        while (m.find()) commands.addAll(JShellTest.bashCommands(m.group(1)));
        return commands;
    }
}
