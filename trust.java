///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/Pki.java
//SOURCES lib/Cli.java
//DESCRIPTION Installs your CA in system, NSS and Java trust stores, and exports it for Vault and Kubernetes.

// trust.java: the tutorial's section 1.4 ("trust the root CA in the operating system", done there
// by hand in macOS Keychain) as one command, like `mkcert -install`, and its exact undo.
//   ./jbang trust.java install --system --nss --java        (into the real stores: needs sudo for some)
//   ./jbang trust.java install --nss-db DIR --truststore F  (into stores you name: what the tests do)
//   ./jbang trust.java uninstall ...same targets...         (removes only what install added)
//   ./jbang trust.java export --format vault|k8s-secret|truststore
// Everything it adds carries one name derived from the CA (its CN and fingerprint), and uninstall
// removes an entry only when that name holds this very certificate.

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "trust.java", mixinStandardHelpOptions = true, version = "jbang-mtls trust 0.1",
        description = {"install:   adds the CA to trust stores (tutorial section 1.4). Targets: --system, --nss, --java, "
                + "or stores you name (--root, --nss-db, --truststore); with none, --system --nss --java.",
                "uninstall: removes exactly what install added (same targets).",
                "export:    writes the CA for Vault (--format vault), cert-manager (k8s-secret) or Java (truststore).",
                "macOS and Windows: --macos and --windows print the command to run there."},
        sortOptions = false)
public class trust implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ACTION", description = "install, uninstall or export.")
    String action;

    @Option(names = "--ca", defaultValue = "certs/ca.crt", paramLabel = "FILE", description = "The CA certificate (default: ${DEFAULT-VALUE}).")
    Path caFile;

    @Option(names = "--name", paramLabel = "NAME",
            description = "File name / alias / nickname in every store (default: from the CA's CN and fingerprint).")
    String name;

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

    @Option(names = "--truststore", paramLabel = "FILE",
            description = "A PKCS#12 truststore to pass as -Djavax.net.ssl.trustStore (created if missing); with export, the output.")
    Path truststore;

    @Option(names = "--truststore-password", paramLabel = "SPEC", defaultValue = "changeit",
            description = "Its password: env:VAR, file:PATH, prompt or the password (default: ${DEFAULT-VALUE}, as the JDK's cacerts).")
    String truststorePassword;

    @Option(names = "--macos", description = "Print the macOS Keychain command (run it on the Mac).")
    boolean macos;

    @Option(names = "--windows", description = "Print the Windows certificate store command (run it on Windows).")
    boolean windows;

    @Option(names = "--format", paramLabel = "FORMAT", description = "export: vault, k8s-secret or truststore.")
    String format;

    @Option(names = "--ca-key", defaultValue = "certs/ca.key", paramLabel = "FILE", description = "export vault/k8s-secret: the CA key (default: ${DEFAULT-VALUE}).")
    Path caKey;

    @Option(names = "--ca-key-password", paramLabel = "SPEC", description = "Password of an encrypted CA key: env:VAR, file:PATH, prompt or the password.")
    String caKeyPassword;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "export: the output file (default: next to the CA, by format).")
    Path out;

    @Option(names = "--secret-name", paramLabel = "NAME", description = "export k8s-secret: metadata.name (default: --name).")
    String secretName;

    @Option(names = "--namespace", paramLabel = "NS", description = "export k8s-secret: metadata.namespace (default: none, kubectl's current one).")
    String namespace;

    @Option(names = "--force", description = "export: replace an existing output file (the old one is kept as .bak).")
    boolean force;

    @Option(names = "--debug", description = "Show stack traces on errors.")
    boolean debug;

    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.run(new trust(), args));
    }

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        X509Certificate ca = readCa(caFile);
        String n = name != null ? checkName(name) : defaultName(ca);
        switch (action) {
            case "install": case "uninstall": {
                if (format != null || out != null) throw Cli.fail("--format and --out belong to export, not %s", action);
                boolean add = action.equals("install");
                o.printf("%s CA \"%s\" (SHA-256 %s) as \"%s\":%n", add ? "Installing" : "Uninstalling", Pki.holder(ca).getSubject(),
                        Pki.fingerprint(ca), n);
                int failed = targets(ca, n, add, o);
                if (add) o.print(runtimeCommands(caFile, n, truststore));
                return failed == 0 ? 0 : 1;
            }
            case "export":
                return export(ca, n, o);
            default:
                throw Cli.fail("ACTION '%s' is not install, uninstall or export", action);
        }
    }

    /** Runs each target asked for; a failed target is reported and the others still run. Returns the failures. */
    private int targets(X509Certificate ca, String n, boolean add, PrintWriter o) {
        boolean none = !system && root == null && !nss && nssDbs.isEmpty() && !jdk && truststore == null && !macos && !windows;
        if (none) { // mkcert -install's set: every store of this machine
            system = true;
            nss = true;
            jdk = true;
            String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
            macos = os.contains("mac");
            windows = os.contains("win");
            if (macos || windows) system = nss = jdk = false;
        }
        PrintWriter err = spec.commandLine().getErr();
        Map<String, Runnable> work = new LinkedHashMap<>();
        if (system || root != null) work.put("system store", () -> o.print(systemStore(ca, n, root, layout, add)));
        if (nss || !nssDbs.isEmpty()) work.put("NSS", () -> {
            List<Path> dbs = nssDbs.isEmpty() ? nssDatabases(Path.of(System.getProperty("user.home")), add) : nssDbs;
            for (Path db : dbs) o.print(nssStore(ca, caFile, n, db, add));
        });
        if (jdk) work.put("Java cacerts", () -> o.print(javaStore(ca, caFile, n, jdkCacerts(), truststorePassword, add)));
        if (truststore != null) work.put("Java truststore", () -> o.print(javaStore(ca, caFile, n, truststore, truststorePassword, add)));
        if (macos) o.print(macosCommands(caFile, ca, add));
        if (windows) o.print(windowsCommands(caFile, ca, add));
        int failed = 0;
        for (var w : work.entrySet()) {
            try {
                w.getValue().run();
            } catch (Cli.Failure f) {
                failed++;
                err.println("error: " + w.getKey() + ": " + f.getMessage());
                if (debug) f.printStackTrace(err);
            }
        }
        return failed;
    }

    // ================================================================ the CA and its name

    /** The CA to trust: one CA certificate (a file holding a chain gives its self-signed root). */
    static X509Certificate readCa(Path file) {
        List<X509Certificate> certs = Pki.readCertificates(file, "CA certificate");
        List<X509Certificate> roots = certs.stream().filter(c -> c.getSubjectX500Principal().equals(c.getIssuerX500Principal())).toList();
        X509Certificate ca = certs.size() == 1 ? certs.get(0) : roots.size() == 1 ? roots.get(0) : null;
        if (ca == null)
            throw Cli.fail("%s holds %d certificates and no single root among them; give a file with just the CA to trust", file, certs.size());
        if (ca.getBasicConstraints() < 0)
            throw Cli.fail("%s is not a CA certificate (no basicConstraints CA:TRUE); trust the CA that issued it, such as certs/ca.crt", file);
        return ca;
    }

    /**
     * The one name used in every store: "jbang-mtls-" + the CN as a slug + the first 8 hex digits of
     * the SHA-256 fingerprint. The fingerprint part keeps two CAs with the same CN apart, so uninstall
     * of one never touches the other; lower case, because PKCS#12 lowercases aliases.
     */
    public static String defaultName(X509Certificate ca) {
        var cns = Pki.holder(ca).getSubject().getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN);
        String cn = cns.length > 0 ? cns[0].getFirst().getValue().toString() : "ca";
        String slug = cn.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 36) slug = slug.substring(0, slug.lastIndexOf('-', 36) > 8 ? slug.lastIndexOf('-', 36) : 36);
        if (!slug.startsWith("jbang-mtls")) slug = "jbang-mtls-" + slug;
        return slug + "-" + sha256Hex(ca).substring(0, 8);
    }

    static String checkName(String n) {
        if (!n.matches("[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?"))
            throw Cli.fail("--name '%s' must be lower-case letters, digits, '.' and '-' (it becomes a file name, "
                    + "an alias and a Kubernetes name)", n);
        return n;
    }

    static String sha256Hex(X509Certificate c) {
        return Pki.fingerprint(c).replace(":", "").toLowerCase(Locale.ROOT);
    }

    static String sha1Hex(X509Certificate c) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-1").digest(c.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** True when the PEM text holds this very certificate: some CERTIFICATE block is byte for byte the CA. */
    static boolean sameCertificate(String pem, X509Certificate ca) {
        var m = Pattern.compile("-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\\s]+)-----END CERTIFICATE-----").matcher(pem);
        try {
            byte[] der = ca.getEncoded();
            while (m.find())
                if (Arrays.equals(Base64.getMimeDecoder().decode(m.group(1)), der)) return true;
            return false;
        } catch (Exception e) {
            return false;
        }
    }

    // ================================================================ the Linux system store

    /** Where a distribution keeps local CAs, and the command that rebuilds its bundle from them. */
    public record SystemLayout(String distro, Path dir, String extension, String refresh, String refreshAfterRemove) {}

    /**
     * Debian/Ubuntu: ROOT/usr/local/share/ca-certificates/NAME.crt (the .crt suffix is required),
     * then update-ca-certificates. Fedora/RHEL: ROOT/etc/pki/ca-trust/source/anchors/NAME.pem, then
     * update-ca-trust extract. auto picks by what exists under root.
     */
    public static SystemLayout systemLayout(Path root, String layout) {
        SystemLayout debian = new SystemLayout("Debian/Ubuntu", root.resolve("usr/local/share/ca-certificates"), ".crt",
                "update-ca-certificates", "update-ca-certificates --fresh");
        SystemLayout fedora = new SystemLayout("Fedora/RHEL", root.resolve("etc/pki/ca-trust/source/anchors"), ".pem",
                "update-ca-trust extract", "update-ca-trust extract");
        switch (layout.toLowerCase(Locale.ROOT)) {
            case "debian": case "ubuntu": return debian;
            case "fedora": case "rhel": return fedora;
            case "auto": break;
            default: throw Cli.fail("--system-layout %s is not debian, fedora or auto", layout);
        }
        if (Files.isDirectory(debian.dir()) || Files.exists(root.resolve("usr/sbin/update-ca-certificates"))) return debian;
        if (Files.isDirectory(fedora.dir()) || Files.exists(root.resolve("usr/bin/update-ca-trust"))) return fedora;
        throw Cli.fail("cannot tell the system store under %s: neither %s (Debian/Ubuntu) nor %s (Fedora/RHEL) exists; "
                + "give --system-layout debian or fedora", root, debian.dir(), fedora.dir());
    }

    /** Adds (or removes) ROOT/.../NAME.crt and, for the real root only, refreshes the store. */
    public static String systemStore(X509Certificate ca, String n, Path rootDir, String layout, boolean add) {
        Path r = (rootDir == null ? Path.of("/") : rootDir).toAbsolutePath().normalize();
        boolean real = r.getParent() == null;
        SystemLayout l = systemLayout(r, layout);
        Path file = l.dir().resolve(n + l.extension());
        StringBuilder s = new StringBuilder();
        String state = installedState(file, ca);
        if (add) {
            if (state.equals("other"))
                throw Cli.fail("%s exists and holds another certificate; it is left alone (choose another --name)", file);
            if (state.equals("ours")) s.append("  system store (").append(l.distro()).append("): already in ").append(file).append('\n');
            else {
                Pki.writeAll(List.of(Pki.OutFile.cert(file, Pki.pem(ca))), false);
                s.append("  system store (").append(l.distro()).append("): wrote ").append(file).append(" (mode 0644)\n");
            }
        } else {
            if (state.equals("other"))
                throw Cli.fail("%s holds another certificate, not this CA; it is left alone", file);
            if (state.equals("none")) return "  system store (" + l.distro() + "): not installed (" + file + " does not exist)\n";
            delete(file);
            s.append("  system store (").append(l.distro()).append("): removed ").append(file).append('\n');
        }
        String refresh = add ? l.refresh() : l.refreshAfterRemove();
        if (real) s.append(refreshSystem(refresh));
        else s.append("  Not refreshed (--root is not /). Refresh that tree with: chroot ").append(r).append(' ').append(refresh).append('\n');
        return s.toString();
    }

    /** "none", "ours" (this CA's certificate) or "other" (the name holds something else). */
    static String installedState(Path file, X509Certificate ca) {
        if (!Files.exists(file)) return "none";
        try {
            return sameCertificate(Files.readString(file, StandardCharsets.ISO_8859_1), ca) ? "ours" : "other";
        } catch (IOException e) {
            throw Cli.fail("cannot read %s: %s", file, Pki.oneLine(e));
        }
    }

    static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw Cli.fail("cannot remove %s: %s (run with sudo for the system store)", file, Pki.oneLine(e));
        }
    }

    private static String refreshSystem(String command) {
        Proc p = run(List.of(command.split(" ")), Map.of());
        if (p.code() != 0)
            throw Cli.fail("%s failed (exit %d): %s", command, p.code(), lastLine(p.output()));
        return "  ran " + command + ": " + lastLine(p.output()) + "\n";
    }

    // ================================================================ NSS (Chromium, Firefox)

    /**
     * The NSS databases of a user: Chromium's (and Chrome's) ~/.pki/nssdb, made if missing on
     * install since Chromium would make it on first start, and every Firefox profile with a
     * cert9.db (the classic and the snap package's folder).
     */
    public static List<Path> nssDatabases(Path home, boolean creating) {
        List<Path> dbs = new ArrayList<>();
        Path chromium = home.resolve(".pki/nssdb");
        if (creating || Files.exists(chromium.resolve("cert9.db"))) dbs.add(chromium);
        for (Path profiles : List.of(home.resolve(".mozilla/firefox"), home.resolve("snap/firefox/common/.mozilla/firefox"))) {
            if (!Files.isDirectory(profiles)) continue;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(profiles)) {
                for (Path p : ds) if (Files.exists(p.resolve("cert9.db"))) dbs.add(p);
            } catch (IOException e) {
                throw Cli.fail("cannot list Firefox profiles in %s: %s", profiles, Pki.oneLine(e));
            }
        }
        return dbs;
    }

    /**
     * certutil -A with trust "C,,": a CA trusted to issue TLS server certificates, what Chromium and
     * Firefox check. Uninstall deletes the nickname only when it holds this certificate.
     */
    public static String nssStore(X509Certificate ca, Path caFile, String n, Path db, boolean add) {
        requireCertutil();
        String dbArg = "sql:" + db.toAbsolutePath();
        boolean exists = Files.exists(db.resolve("cert9.db"));
        if (!exists && !add) return "  NSS " + db + ": not installed (no database there)\n";
        StringBuilder s = new StringBuilder();
        if (!exists) {
            Pki.createDirectory(db.toAbsolutePath());
            check(run(List.of("certutil", "-N", "--empty-password", "-d", dbArg), Map.of()), "certutil -N (create the database)");
            s.append("  NSS ").append(db).append(": created a new database\n");
        }
        Proc listed = run(List.of("certutil", "-L", "-d", dbArg, "-n", n, "-a"), Map.of());
        boolean present = listed.code() == 0;
        if (present && !sameCertificate(listed.output(), ca))
            throw Cli.fail("NSS %s: the nickname \"%s\" holds another certificate; it is left alone", db, n);
        if (add && present) return s.append("  NSS ").append(db).append(": already trusted as \"").append(n).append("\"\n").toString();
        if (!add && !present) return "  NSS " + db + ": not installed (no nickname \"" + n + "\")\n";
        if (add) {
            check(run(List.of("certutil", "-A", "-d", dbArg, "-n", n, "-t", "C,,", "-i", caFile.toAbsolutePath().toString()), Map.of()),
                    "certutil -A in " + db);
            s.append("  NSS ").append(db).append(": added \"").append(n).append("\" trusted for TLS servers (C,,); restart the browser\n");
        } else {
            check(run(List.of("certutil", "-D", "-d", dbArg, "-n", n), Map.of()), "certutil -D in " + db);
            s.append("  NSS ").append(db).append(": removed \"").append(n).append("\"\n");
        }
        return s.toString();
    }

    private static void requireCertutil() {
        if (run(List.of("sh", "-c", "command -v certutil"), Map.of()).code() != 0)
            throw Cli.fail("certutil is not installed: install libnss3-tools (Debian/Ubuntu) or nss-tools (Fedora/RHEL)");
    }

    // ================================================================ Java

    static Path jdkCacerts() {
        return Path.of(System.getProperty("java.home"), "lib", "security", "cacerts");
    }

    /**
     * keytool -importcert into a keystore: the JDK's cacerts (password changeit), or a PKCS#12
     * truststore for -Djavax.net.ssl.trustStore, created if missing. The password reaches keytool
     * through its environment (-storepass:env), never the process list. keytool edits the store in
     * place, so a symlinked cacerts (Debian's, into /etc/ssl/certs/java) stays a symlink.
     */
    public static String javaStore(X509Certificate ca, Path caFile, String n, Path store, String passwordSpec, boolean add) {
        String alias = n.toLowerCase(Locale.ROOT);
        Map<String, String> env = Map.of("TRUST_STORE_PASSWORD", new String(Pki.password(passwordSpec, "--truststore-password")));
        List<String> base = List.of(keytool(), "-keystore", store.toString(), "-storepass:env", "TRUST_STORE_PASSWORD", "-noprompt");
        boolean exists = Files.exists(store);
        if (!exists && !add) return "  Java " + store + ": not installed (no such keystore)\n";
        Proc listed = exists ? run(concat(base, "-exportcert", "-rfc", "-alias", alias), env) : new Proc(1, "");
        if (exists && listed.output().contains("password was incorrect"))
            throw Cli.fail("cannot open keystore %s: wrong --truststore-password", store);
        boolean present = listed.code() == 0;
        if (present && !sameCertificate(listed.output(), ca))
            throw Cli.fail("keystore %s: the alias \"%s\" holds another certificate; it is left alone", store, alias);
        if (add && present) return "  Java " + store + ": already trusts \"" + alias + "\"\n";
        if (!add && !present) return "  Java " + store + ": not installed (no alias \"" + alias + "\")\n";
        if (add) {
            List<String> cmd = concat(base, "-importcert", "-alias", alias, "-file", caFile.toAbsolutePath().toString());
            if (!exists) cmd = concat(cmd, "-storetype", "PKCS12");
            check(run(cmd, env), "keytool -importcert into " + store);
            return "  Java " + store + ": " + (exists ? "added" : "created it with") + " the trusted certificate \"" + alias + "\"\n"
                    + (Files.isSymbolicLink(store) ? "  Note: " + store + " is a link (Debian/Ubuntu's ca-certificates-java), which "
                    + "update-ca-certificates rebuilds from the system store: --system covers Java there too.\n" : "");
        }
        check(run(concat(base, "-delete", "-alias", alias), env), "keytool -delete in " + store);
        return "  Java " + store + ": removed \"" + alias + "\"\n";
    }

    static String keytool() {
        Path k = Path.of(System.getProperty("java.home"), "bin", "keytool");
        return Files.isExecutable(k) ? k.toString() : "keytool";
    }

    // ================================================================ macOS, Windows and other runtimes

    /** The tutorial's section 1.4 as one command: System keychain, trusted as a root. */
    public static String macosCommands(Path caFile, X509Certificate ca, boolean add) {
        String abs = caFile.toAbsolutePath().toString();
        if (add) return "  macOS (run it on the Mac):\n    sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain "
                + abs + "\n";
        return "  macOS (run it on the Mac):\n    sudo security remove-trusted-cert -d " + abs + "\n"
                + "    sudo security delete-certificate -Z " + sha1Hex(ca) + " /Library/Keychains/System.keychain\n";
    }

    /** The machine's Trusted Root store (an administrator's prompt); certutil there is Windows' own. */
    public static String windowsCommands(Path caFile, X509Certificate ca, boolean add) {
        if (add) return "  Windows (an administrator's prompt):\n    certutil -addstore -f Root " + caFile.getFileName() + "\n";
        return "  Windows (an administrator's prompt):\n    certutil -delstore Root " + sha1Hex(ca) + "\n";
    }

    /** How to trust the CA in runtimes that ignore the system store. */
    public static String runtimeCommands(Path caFile, String n, Path truststore) {
        String ca = caFile.toAbsolutePath().toString();
        String ts = truststore != null ? truststore.toAbsolutePath().toString() : "certs/truststore.p12";
        return "Runtimes that do not read the system store need the CA named:\n"
                + "  curl        curl --cacert " + ca + " https://service-a.example.com:7443/\n"
                + "  Python      export SSL_CERT_FILE=" + ca + "        (ssl; replaces the default CAs)\n"
                + "              export REQUESTS_CA_BUNDLE=" + ca + "   (requests, which otherwise uses certifi)\n"
                + "  Node.js     export NODE_EXTRA_CA_CERTS=" + ca + "  (added to Node's own CAs)\n"
                + "  Java        java -Djavax.net.ssl.trustStore=" + ts + " -Djavax.net.ssl.trustStorePassword=changeit ...\n"
                + (truststore == null ? "              (make it: ./jbang trust.java export --format truststore)\n" : "")
                + "  Docker      docker run -v " + ca + ":/usr/local/share/ca-certificates/" + n + ".crt:ro IMAGE \\\n"
                + "                sh -c 'update-ca-certificates && exec YOUR-COMMAND'      (Debian/Ubuntu images)\n"
                + "  Kubernetes  kubectl create configmap " + n + " --from-file=ca.crt=" + ca + "\n"
                + "              mount it (a configMap volume, mountPath /etc/private-ca) and set\n"
                + "              SSL_CERT_FILE or NODE_EXTRA_CA_CERTS to /etc/private-ca/ca.crt\n";
    }

    // ================================================================ export

    private int export(X509Certificate ca, String n, PrintWriter o) {
        if (format == null) throw Cli.fail("export needs --format vault, k8s-secret or truststore");
        if (system || root != null || nss || !nssDbs.isEmpty() || jdk || macos || windows)
            throw Cli.fail("export writes a file; --system, --nss, --java, --macos and --windows belong to install");
        Path dir = caFile.getParent() == null ? Path.of("") : caFile.getParent(); // next to the CA, as the user named it
        List<X509Certificate> chain = Pki.readCertificates(caFile, "CA certificate");
        Pki.OutFile file;
        switch (format) {
            case "vault":
                file = new Pki.OutFile(target(dir, "ca-bundle-vault.pem"), vaultBundle(chain, caKey()).getBytes(StandardCharsets.US_ASCII),
                        true, "Vault pem_bundle: CA certificate and its key, NOT encrypted");
                break;
            case "k8s-secret":
                String sn = secretName != null ? checkName(secretName) : n;
                file = new Pki.OutFile(target(dir, "ca-secret.yaml"), kubernetesSecret(sn, namespace, chain, caKey())
                        .getBytes(StandardCharsets.UTF_8), true, "Kubernetes Secret with the CA key, NOT encrypted");
                break;
            case "truststore":
                if (truststore != null && out != null) throw Cli.fail("give the output once: --out or --truststore");
                Path ts = truststore != null ? truststore : target(dir, "truststore.p12");
                file = new Pki.OutFile(ts, truststoreBytes(n, ca, Pki.password(truststorePassword, "--truststore-password")), false,
                        "PKCS#12 truststore");
                break;
            default:
                throw Cli.fail("--format %s is not vault, k8s-secret or truststore", format);
        }
        List<Path> backups = Pki.writeAll(List.of(file), force);
        Pki.printWritten(o, List.of(file), backups);
        o.print(exportNext(format, file.path(), format.equals("k8s-secret") ? (secretName != null ? secretName : n) : n));
        return 0;
    }

    private Path target(Path dir, String fileName) {
        return out != null ? out : dir.resolve(fileName);
    }

    /** The CA key, decrypted (Vault and cert-manager cannot take a password); it must be the CA's. */
    private PrivateKey caKey() {
        PrivateKey k = Pki.readPrivateKey(caKey, "CA key", caKeyPassword, "--ca-key-password");
        X509Certificate first = Pki.readCertificates(caFile, "CA certificate").get(0);
        if (!Pki.keyMatches(k, first.getPublicKey()))
            throw Cli.fail("CA key %s does not belong to CA certificate %s (their public keys differ)", caKey, caFile);
        return k;
    }

    /**
     * Vault's pem_bundle for `vault write pki/config/ca pem_bundle=@FILE`: the CA certificate (and
     * any chain above it), then its key as unencrypted PKCS#8, which Vault parses.
     */
    public static String vaultBundle(List<X509Certificate> chain, PrivateKey key) {
        StringBuilder s = new StringBuilder();
        for (X509Certificate c : chain) s.append(Pki.pem(c));
        return s.append(Pki.pem(key, null)).toString();
    }

    /**
     * A kubernetes.io/tls Secret as cert-manager's CA issuer reads it: tls.crt the CA certificate
     * (with its chain), tls.key its key, ca.crt the root. Base64 in one line each, as kubectl writes.
     */
    public static String kubernetesSecret(String secret, String ns, List<X509Certificate> chain, PrivateKey key) {
        StringBuilder crt = new StringBuilder();
        for (X509Certificate c : chain) crt.append(Pki.pem(c));
        String root = Pki.pem(chain.get(chain.size() - 1));
        Base64.Encoder b64 = Base64.getEncoder();
        return "# The CA's certificate and key for cert-manager's CA issuer (made by trust.java).\n"
                + "# It holds the CA key unencrypted: keep it out of version control.\n"
                + "apiVersion: v1\n"
                + "kind: Secret\n"
                + "metadata:\n"
                + "  name: " + secret + "\n"
                + (ns == null ? "" : "  namespace: " + checkName(ns) + "\n")
                + "type: kubernetes.io/tls\n"
                + "data:\n"
                + "  tls.crt: " + b64.encodeToString(crt.toString().getBytes(StandardCharsets.US_ASCII)) + "\n"
                + "  tls.key: " + b64.encodeToString(Pki.pem(key, null).getBytes(StandardCharsets.US_ASCII)) + "\n"
                + "  ca.crt: " + b64.encodeToString(root.getBytes(StandardCharsets.US_ASCII)) + "\n";
    }

    /** A PKCS#12 keystore holding the CA as a trusted certificate entry, as keytool -importcert makes. */
    public static byte[] truststoreBytes(String alias, X509Certificate ca, char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry(alias.toLowerCase(Locale.ROOT), ca);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ks.store(bytes, password);
            return bytes.toByteArray();
        } catch (Exception e) {
            throw Cli.fail(e, "cannot make the truststore: %s", Pki.oneLine(e));
        }
    }

    static String exportNext(String format, Path file, String n) {
        switch (format) {
            case "vault":
                return "Import it into Vault's PKI engine, then delete it (it holds the CA key):\n"
                        + "  vault secrets enable pki        (once)\n"
                        + "  vault write pki/config/ca pem_bundle=@" + file + "\n"
                        + "  shred -u " + file + "\n";
            case "k8s-secret":
                return "Apply it, then point a cert-manager Issuer at it (a ClusterIssuer reads it from the cert-manager namespace):\n"
                        + "  kubectl apply -f " + file + "\n"
                        + "  kubectl apply -f - <<'EOF'\n"
                        + "  apiVersion: cert-manager.io/v1\n"
                        + "  kind: Issuer\n"
                        + "  metadata: {name: " + n + "}\n"
                        + "  spec: {ca: {secretName: " + n + "}}\n"
                        + "  EOF\n";
            default:
                return "Use it in Java (it holds only this CA, so public CAs are not trusted with it):\n"
                        + "  java -Djavax.net.ssl.trustStore=" + file + " -Djavax.net.ssl.trustStorePassword=changeit ...\n"
                        + "  keytool -list -keystore " + file + " -storepass changeit\n";
        }
    }

    // ================================================================ running tools

    /** What a tool printed (stdout and stderr together) and its exit code. */
    record Proc(int code, String output) {}

    /** Runs a tool with no stdin, at most two minutes; a tool that is missing fails with one line. */
    static Proc run(List<String> cmd, Map<String, String> env) {
        Path log = null;
        try {
            log = Files.createTempFile("trust-tool", ".log"); // a file, so a chatty tool never blocks on a full pipe
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw Cli.fail("%s did not finish within 2 minutes", cmd.get(0));
            }
            return new Proc(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw Cli.fail("cannot run %s: %s", cmd.get(0), Pki.oneLine(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Cli.fail("interrupted while running %s", cmd.get(0));
        } finally {
            try {
                if (log != null) Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }

    private static void check(Proc p, String what) {
        if (p.code() != 0) {
            String why = lastLine(p.output());
            if (why.toLowerCase(Locale.ROOT).contains("permission denied") || why.contains("AccessDenied"))
                why += " (run with sudo to change a store of the system)";
            throw Cli.fail("%s failed (exit %d): %s", what, p.code(), why);
        }
    }

    static String lastLine(String text) {
        List<String> lines = text.strip().lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1).strip();
    }

    private static List<String> concat(List<String> a, String... more) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(more));
        return all;
    }
}
