// Pki.java: the PKI folder, the one model every script, the tutorial, the benchmarks and the tests use.
// A folder holds one CA and the certificates it signed, named the same way everywhere:
//   DIR/ca.crt, DIR/ca.key        the CA (root, or the CA named by --ca)
//   DIR/ca.crl                    its revocation list
//   DIR/NAME.crt, DIR/NAME.key    a service; NAME-chain.crt and NAME.p12 when asked for
// NAME comes from a certificate's first name (Names.fileName): service-a.example.com gives service-a.
// The default folder, certs, is written here and nowhere else.

import java.nio.file.Path;

public record Pki(Path dir) {
    /** The folder every script uses when none is named. */
    public static final Path DEFAULT_DIR = Path.of("certs");

    public static Pki of(Path dir) {
        return new Pki(dir == null ? DEFAULT_DIR : dir);
    }

    public static Pki standard() {
        return new Pki(DEFAULT_DIR);
    }

    /** Whether this is the default folder, so that a printed command can leave --dir out. */
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
}
