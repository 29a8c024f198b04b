import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Permissions: keys (and .p12 bundles, which hold one) are 0600, certificates 0644, and a
 * folder we create 0700, whatever the umask; backups keep the mode of what they replace. CaTest and
 * IssueTest cover the default umask for ca.key, a leaf key and a .p12, and the ca.key backup.
 */
class PermissionsTest {
    @TempDir Path tmp;

    static final Map<String, String> EXPECTED = Map.of(
            "ca.key", "rw-------", "ca.crt", "rw-r--r--",
            "svc.key", "rw-------", "svc.crt", "rw-r--r--", "svc.p12", "rw-------", "svc-chain.crt", "rw-r--r--");

    /** Runs ca.java then issue.java (with --p12 --chain) in child processes under the given umask. */
    Map<String, String> modesUnderUmask(String umask) throws Exception {
        Path dir = tmp.resolve("umask" + umask + "/a/b/certs"); // three folders to create
        String java = Path.of(System.getProperty("java.home"), "bin", "java") + " -XX:TieredStopAtLevel=1 -cp '"
                + System.getProperty("java.class.path") + "'";
        String script = "umask " + umask + " && " + java + " ca --key-type ec --dir '" + dir + "' && " + java
                + " issue --key-type ec --p12 --p12-password pass:x --chain --dir '" + dir + "' --ca '" + dir
                + "/ca.crt' --ca-key '" + dir + "/ca.key' svc.example.com";
        Support.exec(tmp, Map.of(), Support.WAIT, List.of("sh", "-c", script)).expectOk();
        Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) modes.put(p.getFileName().toString(), mode(p));
        }
        for (Path d = dir; !d.equals(tmp.resolve("umask" + umask)); d = d.getParent())
            assertEquals("rwx------", mode(d), "a folder made for keys is 0700 under umask " + umask + ": " + d);
        return modes;
    }

    @Tag("process")
    @Test
    void umask000StillGivesPrivateKeysAndFolders() throws Exception {
        assertEquals(new TreeMap<>(EXPECTED), modesUnderUmask("000"));
    }

    @Tag("process")
    @Test
    void umask077StillGivesReadableCertificates() throws Exception {
        assertEquals(new TreeMap<>(EXPECTED), modesUnderUmask("077"));
    }

    @Test
    void forceBacksUpKeysP12AndCertificatesWithTheirModes() throws Exception {
        Path ca = Support.pki(tmp.resolve("ca"), List.of("--key-type", "ec"), List.of());
        Path out = tmp.resolve("out");
        String[] args = {"--dir", out.toString(), "--ca", ca.resolve("ca.crt").toString(), "--ca-key",
                ca.resolve("ca.key").toString(), "--key-type", "ec", "--p12", "--p12-password", "pass:x", "--chain",
                "svc.example.com"};
        Support.cli(new issue(), args).expectOk();
        String[] forced = java.util.Arrays.copyOf(args, args.length + 1);
        forced[args.length] = "--force";
        Support.cli(new issue(), forced).expectOk();
        Map<String, String> backups = new TreeMap<>();
        try (Stream<Path> s = Files.list(out)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".bak")).toList())
                backups.put(p.getFileName().toString().replaceFirst("\\.\\d{8}-\\d{6}(-\\d+)?\\.bak$", ""), mode(p));
        }
        assertEquals(Map.of("svc.key", "rw-------", "svc.p12", "rw-------", "svc.crt", "rw-r--r--",
                "svc-chain.crt", "rw-r--r--"), backups, "one backup of each file, with its mode");
        // --skip-existing replaces a certificate that has no key; the backup is a certificate's, 0644.
        Files.delete(out.resolve("svc.key"));
        var r = Support.cli(new issue(), "--dir", out.toString(), "--ca", ca.resolve("ca.crt").toString(), "--ca-key",
                ca.resolve("ca.key").toString(), "--key-type", "ec", "--skip-existing", "svc.example.com").expectOk();
        assertTrue(r.out().contains("Kept the old file as"), r.out());
        try (Stream<Path> s = Files.list(out)) {
            assertEquals(2, s.filter(p -> p.getFileName().toString().matches("svc\\.crt\\..*\\.bak")
                    && mode(p).equals("rw-r--r--")).count());
        }
        assertEquals("rw-------", mode(out.resolve("svc.key")));
    }

    static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
