// Pki.java: the PKI folder, the one model every script, the tutorial, the benchmarks and the tests use.
// A folder holds one CA and the certificates it signed, named the same way everywhere:
//   DIR/ca.crt, DIR/ca.key        the CA (root, or another CA named by the user)
//   DIR/ca.crl                    its revocation list
//   DIR/NAME.crt, DIR/NAME.key    a service; NAME-chain.crt and NAME.p12 when asked for
// NAME comes from a certificate's first name (Names.fileName): service-a.example.com gives service-a.
// The default folder, certs, is written here and nowhere else. Loading the CA that signs is
// lib/pki/SigningCa.java, issuing a set of names lib/pki/Issuer.java. Needs the JDK only.

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

public record Pki(Path dir) {
    /** The folder every script uses when none is named (as text for an option's default). */
    public static final String DEFAULT_NAME = "certs";

    public static final Path DEFAULT_DIR = Path.of(DEFAULT_NAME);

    public static Pki of(Path dir) {
        return new Pki(dir == null ? DEFAULT_DIR : dir);
    }

    public static Pki standard() {
        return new Pki(DEFAULT_DIR);
    }

    /** The folder that holds file: its parent, or the current folder for a bare name. */
    public static Pki holding(Path file) {
        return new Pki(file.getParent() == null ? Path.of(".") : file.getParent());
    }

    /** Whether this is the default folder, so that a printed command can leave the folder out. */
    public boolean isDefault() {
        return dir.normalize().equals(DEFAULT_DIR);
    }

    public Path caCert() {
        return dir.resolve("ca.crt");
    }

    public Path caKey() {
        return dir.resolve("ca.key");
    }

    public Path crl() {
        return dir.resolve("ca.crl");
    }

    public Path cert(String name) {
        return dir.resolve(name + ".crt");
    }

    public Path key(String name) {
        return dir.resolve(name + ".key");
    }

    public Path chain(String name) {
        return dir.resolve(name + "-chain.crt");
    }

    public Path p12(String name) {
        return dir.resolve(name + ".p12");
    }

    /** NAME of DIR/NAME.crt (or .pem): the name its key, chain and bundle files share. */
    public static String name(Path certFile) {
        String n = certFile.getFileName().toString();
        return n.endsWith(".crt") || n.endsWith(".pem") ? n.substring(0, n.length() - 4) : n;
    }

    /** The key beside a certificate: sub-ca.crt gives sub-ca.key. */
    public static Path keyBeside(Path certFile) {
        return certFile.resolveSibling(name(certFile) + ".key");
    }

    // ---------------------------------------------------------------- a mistyped folder

    /**
     * When this folder does not exist: a folder beside it that holds a CA and whose name is one typo
     * away (a letter dropped, added or changed, or two swapped: hnad for hand). Making a CA in the
     * mistyped folder would start a second PKI that nothing trusts, so the caller refuses instead.
     * Names that differ in a number (env1 and env2) or are under four letters (a and b) are different
     * folders on purpose, never a typo.
     */
    public Optional<Path> nearMiss() {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS) || dir.getFileName() == null) return Optional.empty();
        Path parent = dir.toAbsolutePath().normalize().getParent();
        String typed = dir.getFileName().toString();
        if (parent == null || !Files.isDirectory(parent)) return Optional.empty();
        try (Stream<Path> siblings = Files.list(parent)) {
            return siblings.filter(p -> Files.isRegularFile(p.resolve("ca.crt")))
                    .filter(p -> oneTypo(typed, p.getFileName().toString()))
                    .map(p -> dir.resolveSibling(p.getFileName()))
                    .min(Comparator.comparing(Path::toString));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Refuses a folder that does not exist when one of a near name holds a CA: "did you mean hand?".
     * making: the caller would make a CA there, which it then does once the folder exists.
     */
    public void refuseNearMiss(boolean making) {
        nearMiss().ifPresent(near -> {
            throw Failure.of("there is no folder %s, and no CA was made there: did you mean %s? (it holds a CA%s)",
                    Text.escape(dir.toString()), Text.escape(near.toString()),
                    making ? "; to start a new CA in " + Text.escape(dir.toString()) + " on purpose, make the folder first" : "");
        });
    }

    /** Whether typed is one typo away from existing, by the rules of nearMiss. */
    static boolean oneTypo(String typed, String existing) {
        if (typed.length() < 4 || existing.length() < 4) return false;
        if (typed.replaceAll("[0-9]", "").equals(existing.replaceAll("[0-9]", ""))) return false;
        return editDistance(typed, existing) == 1;
    }

    /**
     * The edit distance with two adjacent letters swapped counted as one edit (optimal string
     * alignment): insertions, deletions, substitutions and swaps, one each.
     */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++)
            for (int j = 1; j <= b.length(); j++) {
                d[i][j] = Math.min(Math.min(d[i][j - 1] + 1, d[i - 1][j] + 1), d[i - 1][j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
            }
        return d[a.length()][b.length()];
    }
}
