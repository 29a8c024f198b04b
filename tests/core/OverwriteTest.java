import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overwrites: CaTest proves one --force keeps the old CA key as .bak. Backups are named by
 * the second, so here several --force runs within one second must each keep their own, none lost.
 */
class OverwriteTest {
    @TempDir Path tmp;

    @Test
    void repeatedForceInOneSecondKeepsEveryOldCaKey() throws Exception {
        Path dir = tmp.resolve("certs");
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Support.cli(new ca(), i == 0 ? new String[] {"--dir", dir.toString(), "--key-type", "ec"}
                    : new String[] {"--dir", dir.toString(), "--key-type", "ec", "--force"}).expectOk();
            keys.add(Files.readAllBytes(dir.resolve("ca.key")));
        }
        Set<String> backedUp = new HashSet<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("ca\\.key\\.\\d{8}-\\d{6}(-\\d+)?\\.bak")).toList()) {
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(p)), p.toString());
                backedUp.add(new String(Files.readAllBytes(p)));
            }
        }
        Set<String> old = new HashSet<>();
        for (byte[] k : keys.subList(0, 3)) old.add(new String(k));
        assertEquals(old, backedUp, "each of the three replaced keys has its own backup");
        assertArrayEquals(keys.get(3), Files.readAllBytes(dir.resolve("ca.key")));
    }
}
