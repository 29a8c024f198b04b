import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interruption: a batch issuance (issue.java --each n1..n20) run as a real process and
 * killed with SIGKILL (Process.destroyForcibly) after a random delay, from JVM start-up through key
 * generation to the renames. After every kill, each file present must be complete and valid, no key
 * world-readable, no certificate without its key, and the CA untouched. Then the same batch is run
 * again with --skip-existing, which may itself be killed (that is the next kill); every few kills a
 * run goes to the end, and then all 20 pairs must be complete, with every key that existed before
 * it kept byte for byte. EC keys keep a run short; the files and renames are the same as for RSA.
 */
@Tag("process")
class InterruptionTest {
    static final int KILLS = 30, KILLS_PER_ROUND = 6, NAMES = 20;
    static final long SEED = Long.getLong("interruption.seed", 7L);

    @TempDir Path tmp;

    List<String> command(Path dir, Path ca, boolean resume) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // C1 only and the serial GC start the JVM sooner; what issue.java does is the same.
        List<String> cmd = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "issue", "--dir", dir.toString(),
                "--ca", ca.resolve("ca.crt").toString(), "--ca-key", ca.resolve("ca.key").toString(),
                "--key-type", "ec", "--each"));
        IntStream.rangeClosed(1, NAMES).forEach(i -> cmd.add("n" + i + ".example.com"));
        if (resume) cmd.add("--skip-existing");
        return cmd;
    }

    @Test
    void killedBatchesLeaveOnlyCompleteFilesAndSkipExistingFinishesTheJob() throws Exception {
        Path ca = Support.pki(tmp.resolve("ca"), List.of(), List.of());
        Map<String, String> caBefore = Snapshot.of(ca);
        Random rnd = new Random(SEED);

        // One run to the end gives the times a kill may land in: the whole run, and its writing part.
        Path warm = tmp.resolve("warm");
        long t0 = System.nanoTime();
        Process w = start(command(warm, ca, false));
        long firstWrite = awaitFirstWrite(warm, w, Set.of()) - t0;
        assertTrue(w.waitFor(60, TimeUnit.SECONDS) && w.exitValue() == 0, "a full run succeeds");
        long fullMs = (System.nanoTime() - t0) / 1_000_000, writeMs = Math.max(20, fullMs - firstWrite / 1_000_000);
        checkComplete(warm, ca, Map.of());

        int kills = 0, rounds = 0, finishedFirst = 0, loneKeys = 0, temps = 0, pairsSeen = 0;
        Map<String, Integer> states = new TreeMap<>();
        long begin = System.nanoTime();
        while (kills < KILLS) {
            assertTrue(rounds < KILLS, "too many runs finished before their kill; kills so far: " + kills);
            Path dir = tmp.resolve("round" + rounds++);
            boolean done = false;
            for (int k = 0; k < KILLS_PER_ROUND && kills < KILLS && !done; k++) {
                Map<String, byte[]> keysBefore = keys(dir);
                Set<String> namesBefore = names(dir);
                // Half the kills at a random time in the whole run (mostly JVM start-up and key generation),
                // half at a random time after the first file appears (temporary files, fsyncs, renames).
                boolean onWrite = rnd.nextBoolean();
                long delay = (long) (rnd.nextDouble() * (onWrite ? writeMs : fullMs * 1.1));
                Process p = start(command(dir, ca, k > 0));
                if (onWrite) awaitFirstWrite(dir, p, namesBefore);
                boolean exited = p.waitFor(delay, TimeUnit.MILLISECONDS);
                if (!exited) {
                    p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
                    kills++;
                } else {
                    finishedFirst++;
                }
                assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the killed process is gone");
                if (exited) { // a run that beat its kill is a run to the end: it must have finished the job
                    assertEquals(0, p.exitValue(), "a run that was not killed succeeds");
                    checkComplete(dir, ca, keysBefore);
                    done = true;
                }
                State s = check(dir, ca, keysBefore);
                states.merge(exited ? "finished before the kill" : (onWrite ? "after first write: " : "timed: ")
                        + whatTheKillLeft(namesBefore, names(dir)), 1, Integer::sum);
                loneKeys += s.loneKeys();
                temps += s.temps();
                pairsSeen += s.pairs();
                assertEquals(caBefore, Snapshot.of(ca), "the CA folder is untouched, its key byte for byte");
            }
            if (done) continue;
            // Re-running with --skip-existing finishes the job and keeps every key already there.
            Map<String, byte[]> keysBefore = keys(dir);
            var r = Support.exec(tmp, Map.of(), Support.WAIT, command(dir, ca, true)).expectOk();
            checkComplete(dir, ca, keysBefore);
            assertTrue(keysBefore.isEmpty() || r.out().contains("skipped") || r.out().contains("kept the existing key"), r.out());
            assertEquals(caBefore, Snapshot.of(ca));
        }
        long seconds = (System.nanoTime() - begin) / 1_000_000_000;
        System.out.printf("Interruption: %d kills in %d rounds (a full run takes %d ms, its writing part %d ms), "
                        + "%d runs finished before their kill, %d s.%nAfter the kills: %s; %d complete pairs, "
                        + "%d keys without a certificate yet, %d hidden temporary files; every one valid, "
                        + "and every round completed by --skip-existing.%n",
                kills, rounds, fullMs, writeMs, finishedFirst, seconds, states, pairsSeen, loneKeys, temps);
        // Kills landed both before any write (JVM start, keys) and while files were being written.
        assertTrue(states.keySet().stream().anyMatch(s -> s.endsWith("nothing written"))
                && states.keySet().stream().anyMatch(s -> s.endsWith("temporary files only") || s.endsWith("some renamed")),
                "kills spread over the run: " + states);
    }

    static Process start(List<String> cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    }

    /** Waits (polling, bounded) until a file that was not there appears in dir; returns System.nanoTime(). */
    static long awaitFirstWrite(Path dir, Process p, Set<String> before) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end && p.isAlive()) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    if (s.anyMatch(f -> !before.contains(f.getFileName().toString()))) return System.nanoTime();
                } catch (java.nio.file.NoSuchFileException e) {
                    // the folder is being made
                }
            }
            Thread.sleep(2);
        }
        return System.nanoTime();
    }

    /**
     * The renames take microseconds after all the temporary files are written, so a random kill rarely
     * lands between two of them. Their order is what makes that moment safe, so watch it directly:
     * inotify reports each rename as it happens, and every key must arrive before its certificate.
     * No file under its final name is ever written to: each appears whole, by rename.
     */
    @Test
    void keysAreRenamedIntoPlaceBeforeTheirCertificates() throws Exception {
        Path ca = Support.pki(tmp.resolve("ca"), List.of(), List.of());
        Path dir = Files.createDirectory(tmp.resolve("out"));
        List<String> order = new ArrayList<>(), writes = new ArrayList<>();
        try (var watcher = dir.getFileSystem().newWatchService()) {
            dir.register(watcher, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE,
                    java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY);
            List<String> args = new ArrayList<>(List.of("--dir", dir.toString(), "--ca", ca.resolve("ca.crt").toString(),
                    "--ca-key", ca.resolve("ca.key").toString(), "--key-type", "ec", "--chain", "--each"));
            IntStream.rangeClosed(1, 8).forEach(i -> args.add("n" + i + ".example.com"));
            Support.cli(new issue(), args.toArray(String[]::new)).expectOk();
            for (var key = watcher.poll(5, TimeUnit.SECONDS); key != null; key = watcher.poll(200, TimeUnit.MILLISECONDS)) {
                for (var e : key.pollEvents()) {
                    String name = e.context().toString();
                    if (name.startsWith(".")) continue; // temporary files are written, of course
                    if (e.kind() == java.nio.file.StandardWatchEventKinds.ENTRY_CREATE) order.add(name);
                    else writes.add(name);
                }
                key.reset();
            }
        }
        assertEquals(24, order.size(), "8 keys, certificates and chains: " + order);
        assertEquals(List.of(), writes, "files written in place under their final names");
        for (int i = 1; i <= 8; i++) {
            int key = order.indexOf("n" + i + ".key"), crt = order.indexOf("n" + i + ".crt");
            assertTrue(key >= 0 && key < crt, "n" + i + ".key is in place before n" + i + ".crt: " + order);
        }
    }

    /** What one killed run added: files renamed into place, or only temporary files, or nothing. */
    static String whatTheKillLeft(Set<String> before, Set<String> after) {
        long added = after.stream().filter(n -> !before.contains(n) && !n.startsWith(".")).count();
        long temps = after.stream().filter(n -> !before.contains(n) && n.startsWith(".")).count();
        return added == 2L * NAMES ? "all renamed into place" : added > 0 ? "some renamed into place"
                : temps > 0 ? "temporary files only" : "nothing written";
    }

    static Set<String> names(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) return Set.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }

    /** What is in a folder after a kill. */
    record State(int pairs, int loneKeys, int temps) {}

    /** Everything present is complete and valid; keys that were there before are unchanged. */
    static State check(Path dir, Path ca, Map<String, byte[]> keysBefore) throws Exception {
        if (!Files.exists(dir)) return new State(0, 0, 0);
        assertEquals("rwx------", mode(dir), "the folder that holds keys is 0700");
        X509Certificate caCert = Pem.certificate(ca.resolve("ca.crt"), "CA");
        int pairs = 0, loneKeys = 0, temps = 0;
        List<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        for (String f : files) {
            Path p = dir.resolve(f);
            if (f.startsWith(".")) {
                // A temporary file the kill left: hidden, never a name a reader looks for, 0600 for a key.
                assertTrue(f.matches("\\.n\\d+\\.(key|crt)\\.\\d+\\.tmp"), "unexpected file " + f);
                if (f.contains(".key.")) assertEquals("rw-------", mode(p), f);
                temps++;
                continue;
            }
            assertTrue(f.matches("n\\d+\\.(key|crt)"), "unexpected file " + f);
            if (f.endsWith(".crt")) {
                Path key = dir.resolve(f.replace(".crt", ".key"));
                assertTrue(Files.exists(key), "a certificate never exists without its key: " + f);
                X509Certificate c = Pem.certificate(p, "certificate");
                c.verify(caCert.getPublicKey());
                assertEquals("rw-r--r--", mode(p), f);
                assertTrue(Keys.matches(Cli.readKey(key, "key", null, "x"), c.getPublicKey()), f + " matches its key");
                pairs++;
            } else {
                assertEquals("rw-------", mode(p), "a key is never world-readable: " + f);
                PrivateKey k = Cli.readKey(p, "key", null, "x"); // a truncated key fails to parse
                assertTrue(Keys.matches(k, Keys.publicKeyOf(k)), f + " is a whole key");
                if (!Files.exists(dir.resolve(f.replace(".key", ".crt")))) loneKeys++;
            }
        }
        for (var e : keysBefore.entrySet())
            assertArrayEquals(e.getValue(), Files.readAllBytes(dir.resolve(e.getKey())), "kept byte for byte: " + e.getKey());
        return new State(pairs, loneKeys, temps);
    }

    /** All NAMES pairs are there and valid, and no temporary file is left. */
    static void checkComplete(Path dir, Path ca, Map<String, byte[]> keysBefore) throws Exception {
        State s = check(dir, ca, keysBefore);
        assertEquals(new State(NAMES, 0, 0), s, "all " + NAMES + " pairs complete, no temporary file left");
    }

    static Map<String, byte[]> keys(Path dir) throws Exception {
        Map<String, byte[]> m = new HashMap<>();
        if (!Files.exists(dir)) return m;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("n\\d+\\.key")).toList())
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return m;
    }

    static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    /** The files of a folder with their SHA-256, to prove it unchanged. */
    static final class Snapshot {
        static Map<String, String> of(Path dir) throws Exception {
            Map<String, String> m = new TreeMap<>();
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList())
                    m.put(p.getFileName().toString(), mode(p) + " " + java.util.HexFormat.of().formatHex(
                            java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
            }
            return m;
        }
    }
}
