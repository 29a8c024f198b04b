import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
        List<String> commands = Support.codeBlocks(Files.readString(Support.ROOT.resolve("docs/PROFILE.md")), "bash").stream()
                .flatMap(block -> Support.bashCommands(block).stream()).toList();
        assertTrue(commands.size() >= 6, "docs/PROFILE.md shows too few commands: " + commands);
        for (String cmd : commands) {
            Support.Result r = Support.exec(clone, Map.of(), Support.WAIT.multipliedBy(3), List.of("bash", "-c", cmd));
            assertEquals(0, r.code(), () -> "docs/PROFILE.md: `" + cmd + "` failed:\n" + r.all());
        }
    }
}
