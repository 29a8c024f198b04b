///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/pki/Failure.java
//SOURCES lib/pki/Text.java
//SOURCES lib/pki/Der.java
//SOURCES lib/pki/Keys.java
//SOURCES lib/pki/Certs.java
//SOURCES lib/pki/Names.java
//SOURCES lib/pki/Pem.java
//SOURCES lib/pki/SafeFiles.java
//SOURCES lib/pki/Describe.java
//SOURCES lib/tls/TrustStores.java
//SOURCES lib/pki/Pki.java
//SOURCES lib/cli/Cli.java
//SOURCES lib/cli/Exports.java
//DESCRIPTION Installs your CA in system, NSS and Java trust stores, and exports it for Vault and Kubernetes.
// The client compiler only: a run of this script lasts well under a second, too short for the
// optimizing compiler's work to pay back (measured here: 18-22% faster warm runs on JDK 17).
// issue.java and ca.java keep it, because RSA key generation needs its BigInteger intrinsics.
// No hsperfdata file (jps and jcmd would not see a run this short anyway): about 5% more.
//JAVA_OPTIONS -XX:TieredStopAtLevel=1 -XX:-UsePerfData

// trust.java: the tutorial's section 1.4 ("trust the root CA in the operating system", done there
// by hand in macOS Keychain) as one command, like `mkcert -install`, and its exact undo.
//   ./jbang trust.java install --system --nss --java        (into the real stores: needs sudo for some)
//   ./jbang trust.java install --nss-db DIR --truststore F  (into stores you name: what the tests do)
//   ./jbang trust.java uninstall ...same targets...         (removes only what install added)
//   ./jbang trust.java export --format vault|k8s-secret|truststore
//   ./jbang trust.java export --format spring-boot NAME    (prints NAME's SSL bundle for application.yaml)
// The stores themselves are lib/tls/TrustStores.java.

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "trust.java", mixinStandardHelpOptions = true, version = "jbang-mtls trust 0.2",
        description = {"install:   adds the CA to trust stores (tutorial section 1.4). Targets: --system, --nss, --java, "
                + "or stores you name (--root, --nss-db, --truststore); with none, --system --nss --java.",
                "uninstall: removes exactly what install added (same targets).",
                "export:    writes the CA for Vault (--format vault), cert-manager (k8s-secret) or Java (truststore);",
                "           prints a service's Spring Boot SSL bundle (--format spring-boot NAME).",
                "macOS and Windows: --macos and --windows print the command to run there."},
        subcommands = {trust.Install.class, trust.Uninstall.class, trust.Export.class}, sortOptions = false)
public class trust implements Callable<Integer> {

    @Spec CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.run(new trust(), args));
    }

    @Override
    public Integer call() {
        throw Cli.fail("give an action: install, uninstall or export (see trust.java --help)");
    }

    /** What every action takes: the PKI folder, the CA (DIR/ca.crt unless --ca), the name used in stores, --debug. */
    abstract static class Action implements Callable<Integer> {
        @Mixin Cli.Dir dir;
        @Mixin Cli.Ca ca;

        @Option(names = "--name", paramLabel = "NAME",
                description = "File name / alias / nickname in every store (default: from the CA's CN and fingerprint).")
        String name;

        @Option(names = "--truststore", paramLabel = "FILE",
                description = "A PKCS#12 truststore to pass as -Djavax.net.ssl.trustStore (created if missing); with export, the output.")
        Path truststore;

        @Option(names = "--truststore-password", paramLabel = "SPEC", defaultValue = "changeit",
                description = "Its password: env:VAR, file:PATH, pass:TEXT, prompt or the password (default: ${DEFAULT-VALUE}, as the JDK's cacerts).")
        String truststorePassword;

        @Mixin Cli.Debug debug;

        @Spec CommandSpec spec;

        Path caFile() { return ca.cert(dir.dir); }

        X509Certificate readCa() { return trust.readCa(caFile()); }

        String storeName(X509Certificate c) { return name != null ? checkName(name, "--name") : TrustStores.defaultName(c); }
    }

    /** install and uninstall: the same targets, the one adding, the other removing. */
    abstract static class Targets extends Action {
        @Option(names = "--system", description = "The Linux system store (Debian/Ubuntu update-ca-certificates, Fedora/RHEL update-ca-trust).")
        boolean system;

        @Option(names = "--root", paramLabel = "DIR",
                description = "With --system: the file system root holding the store, e.g. an image being built (default: /). "
                        + "The store is refreshed only when it is /.")
        Path root;

        @Option(names = "--system-layout", paramLabel = "LAYOUT", defaultValue = "auto",
                description = "With --system: debian, fedora or auto (default: by what exists under --root).")
        String layout;

        @Option(names = "--nss", description = "NSS databases: Chromium's ~/.pki/nssdb and every Firefox profile found.")
        boolean nss;

        @Option(names = "--nss-db", paramLabel = "DIR", description = "This NSS database folder instead (created if missing). Repeatable.")
        List<Path> nssDbs = new ArrayList<>();

        @Option(names = "--java", description = "The running JDK's cacerts (with keytool).")
        boolean jdk;

        @Option(names = "--macos", description = "Print the macOS Keychain command (run it on the Mac).")
        boolean macos;

        @Option(names = "--windows", description = "Print the Windows certificate store command (run it on Windows).")
        boolean windows;

        abstract boolean adding();

        /**
         * How to trust the CA in runtimes that ignore the system store. Java's truststore is the one
         * given, else the one export writes next to the CA, with the command that makes it: the same
         * --dir or --ca, and --name, as this command.
         */
        String runtimeCommands(String n) {
            String ca = caFile().toAbsolutePath().toString();
            Path folder = caFile().getParent() == null ? Path.of("") : caFile().getParent();
            String ts = truststore != null ? truststore.toAbsolutePath().toString() : folder.resolve("truststore.p12").toString();
            String export = "./jbang trust.java export" + (this.ca.cert != null ? " --ca " + Text.arg(this.ca.cert) : dir.flag())
                    + (name != null ? " --name " + Text.arg(name) : "") + " --format truststore";
            return "Runtimes that do not read the system store need the CA named:\n"
                    + "  curl        curl --cacert " + ca + " https://service-a.example.com:7443/\n"
                    + "  Python      export SSL_CERT_FILE=" + ca + "        (ssl; replaces the default CAs)\n"
                    + "              export REQUESTS_CA_BUNDLE=" + ca + "   (requests, which otherwise uses certifi)\n"
                    + "  Node.js     export NODE_EXTRA_CA_CERTS=" + ca + "  (added to Node's own CAs)\n"
                    + "  Java        java -Djavax.net.ssl.trustStore=" + ts + " -Djavax.net.ssl.trustStorePassword=changeit ...\n"
                    + (truststore == null ? "              (make it: " + export + ")\n" : "")
                    + "  Docker      docker run -v " + ca + ":/usr/local/share/ca-certificates/" + n + ".crt:ro IMAGE \\\n"
                    + "                sh -c 'update-ca-certificates && exec YOUR-COMMAND'      (Debian/Ubuntu images)\n"
                    + "  Kubernetes  kubectl create configmap " + n + " --from-file=ca.crt=" + ca + "\n"
                    + "              mount it (a configMap volume, mountPath /etc/private-ca) and set\n"
                    + "              SSL_CERT_FILE or NODE_EXTRA_CA_CERTS to /etc/private-ca/ca.crt\n";
        }

        @Override
        public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            X509Certificate c = readCa();
            if (truststore != null) Pem.checkKeyStore(truststore, "truststore");
            String n = storeName(c);
            o.printf("%s CA \"%s\" (SHA-256 %s) as \"%s\":%n", adding() ? "Installing" : "Uninstalling", Names.subject(c),
                    Describe.fingerprint(c), n);
            int failed = run(c, n, o);
            if (adding()) o.print(runtimeCommands(n));
            return failed == 0 ? 0 : 1;
        }

        /** Runs each target asked for; a failed target is reported and the others still run. Returns the failures. */
        private int run(X509Certificate c, String n, PrintWriter o) {
            boolean add = adding();
            boolean none = !system && root == null && !nss && nssDbs.isEmpty() && !jdk && truststore == null && !macos && !windows;
            if (none) { // mkcert -install's set: every store of this machine
                String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
                macos = os.contains("mac");
                windows = os.contains("win");
                system = nss = jdk = !macos && !windows;
            }
            Path caFile = caFile();
            Map<String, Runnable> work = new LinkedHashMap<>();
            if (system || root != null) work.put("system store", () -> o.print(TrustStores.systemStore(c, n, root, layout, add)));
            if (nss || !nssDbs.isEmpty()) work.put("NSS", () -> {
                List<Path> dbs = nssDbs.isEmpty() ? TrustStores.nssDatabases(Path.of(System.getProperty("user.home")), add) : nssDbs;
                for (Path db : dbs) o.print(TrustStores.nssStore(c, caFile, n, db, add));
            });
            if (jdk) work.put("Java cacerts", () -> o.print(TrustStores.javaStore(c, caFile, n, TrustStores.jdkCacerts(),
                    Cli.password(truststorePassword, "--truststore-password"), add)));
            if (truststore != null) work.put("Java truststore", () -> o.print(TrustStores.javaStore(c, caFile, n, truststore,
                    Cli.password(truststorePassword, "--truststore-password"), add)));
            if (macos) o.print(TrustStores.macosCommands(caFile, c, add));
            if (windows) o.print(TrustStores.windowsCommands(caFile, c, add));
            int failed = 0;
            PrintWriter err = spec.commandLine().getErr();
            for (var w : work.entrySet()) {
                try {
                    w.getValue().run();
                } catch (Failure f) {
                    failed++;
                    String why = f.getMessage() + switch (f.kind) { // the fix, in this command's options
                        case WRONG_PASSWORD -> "; give the right one with --truststore-password";
                        case EXISTS -> " (choose another name with --name)";
                        default -> f.getMessage().endsWith("name the layout (debian or fedora)") ? ": give --system-layout debian or fedora" : "";
                    };
                    err.println("error: " + w.getKey() + ": " + Text.oneLine(why));
                    if (debug.debug) f.printStackTrace(err);
                }
            }
            return failed;
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true, version = "jbang-mtls trust 0.2", sortOptions = false,
            description = "Adds the CA to trust stores. With no target: --system --nss --java (on macOS and Windows: the command to run).")
    static class Install extends Targets {
        @Override boolean adding() { return true; }
    }

    @Command(name = "uninstall", mixinStandardHelpOptions = true, version = "jbang-mtls trust 0.2", sortOptions = false,
            description = "Removes exactly what install added, from the same targets; entries of the same name holding another certificate are left alone.")
    static class Uninstall extends Targets {
        @Override boolean adding() { return false; }
    }

    // ================================================================ export

    @Command(name = "export", mixinStandardHelpOptions = true, version = "jbang-mtls trust 0.2", sortOptions = false,
            description = "Writes the CA for Vault's PKI engine (--format vault), cert-manager's CA issuer (k8s-secret) "
                    + "or Java (truststore), next to the CA unless --out; spring-boot prints service NAME's SSL bundle "
                    + "(application.yaml) instead.")
    static class Export extends Action {
        @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "vault, k8s-secret, truststore or spring-boot.")
        String format;

        @Parameters(arity = "0..1", paramLabel = "NAME", description = "spring-boot: the service whose DIR/NAME.crt and .key the bundle names.")
        String service;

        @Option(names = "--client-auth", paramLabel = "MODE", defaultValue = "need",
                description = "spring-boot: server.ssl.client-auth, need, want or none (default: ${DEFAULT-VALUE}).")
        String clientAuth;

        @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "The output file (default: next to the CA, by format).")
        Path out;

        @Option(names = "--secret-name", paramLabel = "NAME", description = "k8s-secret: metadata.name (default: --name).")
        String secretName;

        @Option(names = "--namespace", paramLabel = "NS", description = "k8s-secret: metadata.namespace (default: none, kubectl's current one).")
        String namespace;

        @Mixin Cli.Force force;

        @Override
        public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            if (format.equals("spring-boot")) return springBoot(o);
            if (service != null) throw Cli.fail("NAME is for --format spring-boot only");
            X509Certificate c = readCa();
            if (truststore != null) Pem.checkKeyStore(truststore, "truststore");
            String n = storeName(c);
            Path caFile = caFile();
            Path folder = caFile.getParent() == null ? Path.of("") : caFile.getParent(); // next to the CA, as the user named it
            List<X509Certificate> chain = Pem.certificates(caFile, "CA certificate");
            SafeFiles.OutFile file;
            switch (format) {
                case "vault":
                    file = new SafeFiles.OutFile(target(folder, "ca-bundle-vault.pem"), Exports.vaultBundle(chain, caKey(chain.get(0)))
                            .getBytes(StandardCharsets.US_ASCII), true, "Vault pem_bundle: CA certificate and its key, NOT encrypted");
                    break;
                case "k8s-secret":
                    String sn = secretName != null ? checkName(secretName, "--secret-name") : n;
                    if (namespace != null) checkName(namespace, "--namespace");
                    file = new SafeFiles.OutFile(target(folder, "ca-secret.yaml"), Exports.kubernetesSecret(sn, namespace, chain, caKey(chain.get(0)))
                            .getBytes(StandardCharsets.UTF_8), true, "Kubernetes Secret with the CA key, NOT encrypted");
                    break;
                case "truststore":
                    if (truststore != null && out != null) throw Cli.fail("give the output once: --out or --truststore");
                    Path ts = truststore != null ? truststore : target(folder, "truststore.p12");
                    file = new SafeFiles.OutFile(ts, Exports.truststoreBytes(n, c, Cli.password(truststorePassword, "--truststore-password")),
                            false, "PKCS#12 truststore");
                    break;
                default:
                    throw Cli.fail("--format %s is not vault, k8s-secret, truststore or spring-boot", Text.escape(format));
            }
            List<Path> backups = SafeFiles.writeAll(List.of(file), force.force);
            SafeFiles.printWritten(o, List.of(file), backups);
            o.print(Exports.exportNext(format, file.path(), format.equals("k8s-secret") ? (secretName != null ? secretName : n) : n));
            return 0;
        }

        private Path target(Path folder, String fileName) {
            return out != null ? out : folder.resolve(fileName);
        }

        /** --format spring-boot NAME: the bundle printed (or written to --out), after checking its three files. */
        private int springBoot(PrintWriter o) {
            if (service == null) throw Cli.fail("--format spring-boot needs the service's NAME, e.g. service-b");
            if (!List.of("need", "want", "none").contains(clientAuth))
                throw Cli.fail("--client-auth must be need, want or none, not '%s'", Text.escape(clientAuth));
            String base = service.split("\\.")[0]; // issue.java names files by the first label: service-b.crt
            Path cert = dir.dir.resolve(base + ".crt"), key = dir.dir.resolve(base + ".key");
            readCa();
            if (!Keys.matches(Pem.privateKey(key, "key", null), Pem.certificate(cert, "certificate").getPublicKey()))
                throw Cli.fail("%s does not belong to %s (their public keys differ): Spring Boot would start and fail at the first handshake", key, cert);
            String yaml = Exports.springBootBundle(base, cert, key, caFile(), clientAuth);
            if (out == null) {
                o.print(yaml);
                return 0;
            }
            var file = new SafeFiles.OutFile(out, yaml.getBytes(StandardCharsets.UTF_8), false, "Spring Boot SSL bundle");
            SafeFiles.printWritten(o, List.of(file), SafeFiles.writeAll(List.of(file), force.force));
            return 0;
        }

        /** The CA key, decrypted (Vault and cert-manager cannot take a password); it must be the CA's. */
        private PrivateKey caKey(X509Certificate first) {
            Path keyFile = ca.key(dir.dir);
            PrivateKey k = Pem.privateKey(keyFile, "CA key", ca.passwordFor(keyFile));
            if (!Keys.matches(k, first.getPublicKey()))
                throw Cli.fail("CA key %s does not belong to CA certificate %s (their public keys differ)", keyFile, caFile());
            return k;
        }
    }

    // ================================================================ the CA and its name

    /**
     * The CA to trust: one CA certificate (a file holding a chain gives its self-signed root), whose
     * self-signature verifies: a store given a damaged root would refuse everything it signed.
     */
    static X509Certificate readCa(Path file) {
        List<X509Certificate> certs = Pem.certificates(file, "CA certificate");
        List<X509Certificate> roots = certs.stream().filter(c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal())).toList();
        X509Certificate c = certs.size() == 1 ? certs.get(0) : roots.size() == 1 ? roots.get(0) : null;
        if (c == null)
            throw Cli.fail("%s holds %d certificates and no single root among them; give a file with just the CA to trust", file, certs.size());
        Pem.checkCa(c, file, "CA certificate", "it");
        return c;
    }

    static String checkName(String n, String flag) {
        if (!n.matches("[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?"))
            throw Cli.fail("%s '%s' must be lower-case letters, digits, '.' and '-' (it becomes a file name, "
                    + "an alias and a Kubernetes name)", flag, Text.escape(n));
        return n;
    }
}
