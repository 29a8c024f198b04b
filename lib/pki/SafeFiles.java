// SafeFiles.java: writing the files of a PKI so that nothing is half-written or lost. Each file is
// written to a temporary name in its folder, flushed to disk and renamed into place, keys first;
// secrets are 0600 from the moment they exist; a file replaced is kept as NAME.DATE.bak.

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

public final class SafeFiles {
    private SafeFiles() {}

    /** One file to write: its bytes, whether it is secret (mode 0600) and what it is, for messages. */
    public record OutFile(Path path, byte[] data, boolean secret, String what) {
        public static OutFile cert(Path p, String pem) {
            return new OutFile(p, pem.getBytes(StandardCharsets.US_ASCII), false, "certificate");
        }
        public static OutFile key(Path p, String pem) {
            return new OutFile(p, pem.getBytes(StandardCharsets.US_ASCII), true, "private key");
        }
    }

    /** Refuses, before anything is written, to replace an existing file unless force is set. */
    public static void checkOverwrite(List<OutFile> files, boolean force) {
        if (force) return;
        for (OutFile f : files)
            if (Files.exists(f.path()))
                throw Failure.of(Failure.Kind.EXISTS, "%s already exists; refusing to overwrite it", Text.escape(f.path().toString()));
    }

    /**
     * Writes every file or none of the new contents. Each is written to a temporary file in the same
     * folder, flushed to disk, then renamed into place in the order given, so a crash never leaves a
     * half-written key; callers list a key before its certificate, so a certificate never exists
     * without its key.
     * Secrets get 0600 from the moment they exist; certificates get 0644. A file being replaced
     * (only with force) is first renamed to NAME.yyyyMMdd-HHmmss.bak, so no key is ever lost.
     * Returns the backups made.
     */
    public static List<Path> writeAll(List<OutFile> files, boolean force) {
        checkOverwrite(files, force);
        for (OutFile f : files) createDirectory(f.path().toAbsolutePath().getParent());
        List<Path> temps = new ArrayList<>();
        List<Path> backups = new ArrayList<>();
        try {
            for (OutFile f : files) temps.add(writeTemp(f));
            for (int i = 0; i < files.size(); i++) {
                Path target = files.get(i).path();
                if (Files.exists(target)) backups.add(backup(target));
                // One rename over the old file: a server reloading it never finds it missing.
                Files.move(temps.get(i), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return backups;
        } catch (IOException e) {
            throw Failure.of("cannot write %s: %s", files.get(Math.min(temps.size(), files.size() - 1)).path(), describeIo(e));
        } finally {
            for (Path t : temps) {
                try { Files.deleteIfExists(t); } catch (IOException ignored) { /* best effort */ }
            }
        }
    }

    private static Path writeTemp(OutFile f) throws IOException {
        Path dir = f.path().toAbsolutePath().getParent();
        String mode = f.secret() ? "rw-------" : "rw-r--r--";
        Path tmp;
        if (posix(dir)) {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
            tmp = Files.createTempFile(dir, "." + f.path().getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(perms));
            Files.setPosixFilePermissions(tmp, perms); // the umask may have narrowed a certificate's mode
        } else {
            tmp = Files.createTempFile(dir, "." + f.path().getFileName() + ".", ".tmp");
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(f.data()));
            ch.force(true); // on disk before the rename makes it visible
        }
        return tmp;
    }

    /**
     * Deletes the temporary files that writeTemp made for target in a run that was killed before
     * renaming them (.NAME.<digits>.tmp, mode 0600 for a key). Only a run that resumes an interrupted
     * one calls this: a run still writing the same file would lose its temporary file and fail.
     */
    public static int removeStaleTemps(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        int removed = 0;
        try (var s = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp") && n.substring(prefix.length(), n.length() - 4).matches("\\d+");
        })) {
            for (Path p : s) if (Files.deleteIfExists(p)) removed++;
        } catch (NoSuchFileException e) {
            return 0; // no folder yet, so no leftovers
        } catch (IOException e) {
            throw Failure.of("cannot clean up temporary files in %s: %s", dir, describeIo(e));
        }
        return removed;
    }

    private static Path backup(Path target) throws IOException {
        String stamp = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path bak = target.resolveSibling(target.getFileName() + "." + stamp + ".bak");
        for (int n = 1; Files.exists(bak); n++)
            bak = target.resolveSibling(target.getFileName() + "." + stamp + "-" + n + ".bak");
        // A hard link keeps the old bytes under the .bak name while the target stays in place.
        try {
            Files.createLink(bak, target);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(target, bak, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return bak;
    }

    /** Creates the output folder with mode 0700 (it will hold private keys); fails with one line. */
    public static void createDirectory(Path dir) {
        if (Files.isDirectory(dir)) return;
        try {
            Path parent = dir.getParent();
            if (parent != null && !Files.isDirectory(parent)) createDirectory(parent);
            if (posix(parent == null ? dir.getRoot() : parent))
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            else
                Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw Failure.of("cannot create folder %s: a file of that name is in the way", dir);
        } catch (IOException e) {
            throw Failure.of("cannot create folder %s: %s", dir, describeIo(e));
        }
    }

    private static boolean posix(Path p) {
        return p != null && p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static String describeIo(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or folder";
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null)
            return ((FileSystemException) e).getReason();
        return Text.of(e);
    }

    /**
     * Deletes all but the newest keep backups of target (NAME.yyyyMMdd-HHmmss.bak), so that a file
     * rewritten on every run, such as a CRL, does not leave a pile behind. Returns how many it deleted.
     */
    public static int pruneBackups(Path target, int keep) {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = target.getFileName() + ".";
        List<Path> baks = new ArrayList<>();
        try (var s = Files.newDirectoryStream(dir, p -> p.getFileName().toString().startsWith(prefix)
                && p.getFileName().toString().endsWith(".bak"))) {
            for (Path p : s) baks.add(p);
        } catch (IOException e) {
            return 0;
        }
        // The stamp in the name sorts by time; a second backup within one second carries -1, -2.
        baks.sort(java.util.Comparator.comparing((Path p) -> backupOrder(p.getFileName().toString().substring(prefix.length()))));
        int deleted = 0;
        for (int i = 0; i < baks.size() - keep; i++) {
            try {
                if (Files.deleteIfExists(baks.get(i))) deleted++;
            } catch (IOException ignored) {
                // a backup that cannot be deleted is left; it holds nothing secret (a CRL is public)
            }
        }
        return deleted;
    }

    /** "yyyyMMdd-HHmmss.bak" or "yyyyMMdd-HHmmss-N.bak" as a key that sorts by time, then N. */
    private static String backupOrder(String stampAndSuffix) {
        String stem = stampAndSuffix.substring(0, stampAndSuffix.length() - ".bak".length());
        if (stem.length() <= 15) return stem + "-000000";
        String n = stem.substring(16);
        return stem.substring(0, 15) + "-" + "0".repeat(Math.max(0, 6 - n.length())) + n;
    }

    /**
     * Narrows a folder that holds a CA key to its owner (0700), as ssh does for ~/.ssh: a folder made
     * by git or by hand is often 0755, and a key file's own 0600 then still shows its name and size.
     * Returns true when it changed the mode.
     */
    public static boolean restrictFolder(Path dir) {
        try {
            Path d = dir.toAbsolutePath();
            if (!posix(d)) return false;
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(d);
            Set<PosixFilePermission> owner = PosixFilePermissions.fromString("rwx------");
            if (perms.equals(owner)) return false;
            Files.setPosixFilePermissions(d, owner);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // not ours to change (another owner): the key file itself is 0600 either way
        }
    }

    /** Printed after writing, so the user knows every path and its mode, as mkcert does. */
    public static void printWritten(PrintWriter out, List<OutFile> files, List<Path> backups) {
        for (Path b : backups) out.println("Kept the old file as " + b);
        for (OutFile f : files)
            out.printf("Wrote %s (%s, %s)%n", f.path(), f.what(), f.secret() ? "mode 0600" : "mode 0644");
    }
}
