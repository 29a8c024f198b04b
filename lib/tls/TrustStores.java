// TrustStores.java: putting a CA into the trust stores of this machine and taking it out again,
// like mkcert -install: the Linux system store (Debian/Ubuntu, Fedora/RHEL), NSS databases
// (Chromium, Firefox), Java keystores, and the commands to run on macOS and Windows. Everything
// added carries one name derived from the CA (its CN and fingerprint), and removal touches an
// entry only when that name holds this very certificate.

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

public final class TrustStores {
    private TrustStores() {}

    /**
     * The one name used in every store: "jbang-mtls-" + the CN as a slug + the first 8 hex digits of
     * the SHA-256 fingerprint. The fingerprint part keeps two CAs with the same CN apart, so uninstall
     * of one never touches the other; lower case, because PKCS#12 lowercases aliases.
     */
    public static String defaultName(X509Certificate ca) {
        String cn = Names.cn(ca) != null ? Names.cn(ca) : "ca"; // bytes that are not UTF-8 come as \xNN, never an exception
        String slug = cn.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        if (slug.length() > 36) slug = slug.substring(0, slug.lastIndexOf('-', 36) > 8 ? slug.lastIndexOf('-', 36) : 36);
        if (!slug.startsWith("jbang-mtls")) slug = "jbang-mtls-" + slug;
        return slug + "-" + sha256Hex(ca).substring(0, 8);
    }

    static String sha256Hex(X509Certificate c) {
        return Describe.fingerprint(c).replace(":", "").toLowerCase(Locale.ROOT);
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
            default: throw Failure.of("the system layout '%s' is not debian, fedora or auto", Text.escape(layout));
        }
        if (Files.isDirectory(debian.dir()) || Files.exists(root.resolve("usr/sbin/update-ca-certificates"))) return debian;
        if (Files.isDirectory(fedora.dir()) || Files.exists(root.resolve("usr/bin/update-ca-trust"))) return fedora;
        throw Failure.of("cannot tell the system store under %s: neither %s (Debian/Ubuntu) nor %s (Fedora/RHEL) exists; "
                + "name the layout (debian or fedora)", root, debian.dir(), fedora.dir());
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
                throw new Failure(Failure.Kind.EXISTS, String.format("%s exists and holds another certificate; it is left alone", file), null);
            if (state.equals("ours")) s.append("  system store (").append(l.distro()).append("): already in ").append(file).append('\n');
            else {
                SafeFiles.writeAll(List.of(SafeFiles.OutFile.cert(file, Certs.pem(ca))), false);
                s.append("  system store (").append(l.distro()).append("): wrote ").append(file).append(" (mode 0644)\n");
            }
        } else {
            if (state.equals("other"))
                throw Failure.of("%s holds another certificate, not this CA; it is left alone", file);
            if (state.equals("none")) return "  system store (" + l.distro() + "): not installed (" + file + " does not exist)\n";
            delete(file);
            s.append("  system store (").append(l.distro()).append("): removed ").append(file).append('\n');
        }
        String refresh = add ? l.refresh() : l.refreshAfterRemove();
        if (real) s.append(refreshSystem(refresh));
        else s.append("  Not refreshed (its root is not /). Refresh that tree with: chroot ").append(r).append(' ').append(refresh).append('\n');
        return s.toString();
    }

    /** "none", "ours" (this CA's certificate) or "other" (the name holds something else). */
    static String installedState(Path file, X509Certificate ca) {
        if (!Files.exists(file)) return "none";
        try {
            return sameCertificate(Files.readString(file, StandardCharsets.ISO_8859_1), ca) ? "ours" : "other";
        } catch (IOException e) {
            throw Failure.of("cannot read %s: %s", file, Text.of(e));
        }
    }

    static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw Failure.of("cannot remove %s: %s (run with sudo for the system store)", file, Text.of(e));
        }
    }

    private static String refreshSystem(String command) {
        Proc p = run(List.of(command.split(" ")), Map.of());
        if (p.code() != 0)
            throw Failure.of("%s failed (exit %d): %s", command, p.code(), lastLine(p.output()));
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
                throw Failure.of("cannot list Firefox profiles in %s: %s", profiles, Text.of(e));
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
            SafeFiles.createDirectory(db.toAbsolutePath());
            check(run(List.of("certutil", "-N", "--empty-password", "-d", dbArg), Map.of()), "certutil -N (create the database)");
            s.append("  NSS ").append(db).append(": created a new database\n");
        }
        Proc listed = run(List.of("certutil", "-L", "-d", dbArg, "-n", n, "-a"), Map.of());
        boolean present = listed.code() == 0;
        if (present && !sameCertificate(listed.output(), ca))
            throw Failure.of("NSS %s: the nickname \"%s\" holds another certificate; it is left alone", db, n);
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
            throw Failure.of("certutil is not installed: install libnss3-tools (Debian/Ubuntu) or nss-tools (Fedora/RHEL)");
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
    public static String javaStore(X509Certificate ca, Path caFile, String n, Path store, char[] password, boolean add) {
        String alias = n.toLowerCase(Locale.ROOT);
        Map<String, String> env = Map.of("TRUST_STORE_PASSWORD", new String(password));
        List<String> base = List.of(keytool(), "-keystore", store.toString(), "-storepass:env", "TRUST_STORE_PASSWORD", "-noprompt");
        boolean exists = Files.exists(store);
        if (!exists && !add) return "  Java " + store + ": not installed (no such keystore)\n";
        Path folder = store.toAbsolutePath().getParent();
        if (!exists && folder != null && !Files.isDirectory(folder))
            throw Failure.of("cannot create keystore %s: the folder %s does not exist", Text.escape(store.toString()), Text.escape(folder.toString()));
        Proc listed = exists ? run(concat(base, "-exportcert", "-rfc", "-alias", alias), env) : new Proc(1, "");
        if (exists && listed.output().contains("password was incorrect"))
            throw new Failure(Failure.Kind.WRONG_PASSWORD, "cannot open keystore " + store + ": wrong password", null);
        boolean present = listed.code() == 0;
        if (present && !sameCertificate(listed.output(), ca))
            throw Failure.of("keystore %s: the alias \"%s\" holds another certificate; it is left alone", store, alias);
        if (add && present) return "  Java " + store + ": already trusts \"" + alias + "\"\n";
        if (!add && !present) return "  Java " + store + ": not installed (no alias \"" + alias + "\")\n";
        if (add) {
            List<String> cmd = concat(base, "-importcert", "-alias", alias, "-file", caFile.toAbsolutePath().toString());
            if (!exists) cmd = concat(cmd, "-storetype", "PKCS12");
            check(run(cmd, env), "keytool -importcert into " + store);
            return "  Java " + store + ": " + (exists ? "added" : "created it with") + " the trusted certificate \"" + alias + "\"\n"
                    + (Files.isSymbolicLink(store) ? "  Note: " + store + " is a link (Debian/Ubuntu's ca-certificates-java), which "
                    + "update-ca-certificates rebuilds from the system store: the system store covers Java there too.\n" : "");
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
                throw Failure.of("%s did not finish within 2 minutes", cmd.get(0));
            }
            return new Proc(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw Failure.of("cannot run %s: %s", cmd.get(0), Text.of(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Failure.of("interrupted while running %s", cmd.get(0));
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
            throw Failure.of("%s failed (exit %d): %s", what, p.code(), why);
        }
    }

    /** A tool's last line of output, as words: "keytool error: java.io.IOException: x" gives "keytool error: x". */
    static String lastLine(String text) {
        List<String> lines = text.strip().lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? "(no output)" : Text.withoutClassNames(lines.get(lines.size() - 1).strip());
    }

    private static List<String> concat(List<String> a, String... more) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(more));
        return all;
    }
}
