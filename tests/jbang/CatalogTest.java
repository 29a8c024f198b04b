import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jbang-catalog.json: every script has an alias with its //DESCRIPTION, JBang itself reads them, and
 * each alias runs with --help through ./jbang: from the checkout, from a folder below it, from another
 * folder (ALIAS@/path/to/checkout), and from a copy of the repository served over HTTP on 127.0.0.1,
 * the way `jbang ca@OWNER/REPO` fetches it from GitHub (the catalog, the script, then its //SOURCES).
 */
class CatalogTest {
    @TempDir Path work;

    /** The root scripts with their //DESCRIPTION: every one of them should have an alias. */
    static Map<String, String> scripts() throws IOException {
        Map<String, String> found = new TreeMap<>();
        try (Stream<Path> files = Files.list(Support.ROOT)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                Matcher m = Pattern.compile("(?m)^//DESCRIPTION (.+)$").matcher(Files.readString(f));
                if (m.find()) found.put(f.getFileName().toString().replace(".java", ""), m.group(1).strip());
            }
        }
        return found;
    }

    static Support.Result jbang(Path cwd, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Support.ROOT.resolve("jbang").toString()));
        cmd.addAll(List.of(args));
        return Support.exec(cwd, env, Support.WAIT, cmd);
    }

    /**
     * The alias of a script: its name, unless JBang has a command of that name, which wins over an
     * alias (`jbang trust` manages JBang's trusted sources), so trust.java is `trust-ca`.
     */
    static String aliasOf(String script) {
        return script.equals("trust") ? "trust-ca" : script;
    }

    static void assertUsage(String alias, Support.Result r) {
        String script = alias.equals("trust-ca") ? "trust" : alias;
        assertEquals(0, r.code(), () -> alias + " --help failed:\n" + r.all());
        assertTrue(r.out().startsWith("Usage: " + script + ".java"), () -> alias + " --help printed:\n" + r.all());
    }

    @Test
    void everyScriptHasAnAliasWithItsDescription() throws IOException {
        String catalog = Files.readString(Support.ROOT.resolve("jbang-catalog.json"));
        Map<String, String> scripts = scripts();
        assertTrue(scripts.keySet().containsAll(List.of("ca", "issue", "serve", "client", "tutorial")), scripts.toString());
        for (var s : scripts.entrySet()) {
            Pattern alias = Pattern.compile("\"" + aliasOf(s.getKey()) + "\"\\s*:\\s*\\{\\s*\"script-ref\"\\s*:\\s*\"" + s.getKey()
                    + "\\.java\"\\s*,\\s*\"description\"\\s*:\\s*\"" + Pattern.quote(s.getValue()) + "\"\\s*}");
            assertTrue(alias.matcher(catalog).find(), "jbang-catalog.json should have the alias \"" + aliasOf(s.getKey())
                    + "\" with script-ref " + s.getKey() + ".java and the script's //DESCRIPTION \"" + s.getValue() + "\"");
        }
    }

    @Tag("process")
    @Test
    void jbangReadsTheAliases() throws IOException {
        var r = jbang(Support.ROOT, Map.of(), "alias", "list").expectOk();
        for (var s : scripts().entrySet()) {
            // An empty list here, with a valid catalog, means JBang runs with Gson < 2.11 (see ./jbang).
            assertTrue(r.out().contains(aliasOf(s.getKey()) + "\n") && r.out().contains(s.getValue()),
                    "`./jbang alias list` does not show " + s.getKey() + " (JBang read no aliases from jbang-catalog.json"
                            + " if the list is empty: its Gson must be 2.11 or newer):\n" + r.all());
        }
    }

    @Tag("process")
    @Test
    void everyAliasRunsWithHelpFromTheCheckout() throws IOException {
        for (String script : scripts().keySet())
            assertUsage(aliasOf(script), jbang(Support.ROOT, Map.of(), aliasOf(script), "--help"));
    }

    @Tag("process")
    @Test
    void aliasesWorkFromASubfolderAndFromAnotherFolder() {
        assertUsage("issue", jbang(Support.ROOT.resolve("lib"), Map.of(), "issue", "--help"));
        assertUsage("ca", jbang(work, Map.of(), "ca@" + Support.ROOT, "--help"));
    }

    @Tag("process")
    @Test
    void aliasesWorkFromTheRepositoryServedOverHttp() throws IOException {
        // A read-only file server for the checkout, on 127.0.0.1 only; it records what JBang fetched.
        List<String> fetched = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        http.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            Path file = Support.ROOT.resolve(path.substring(1)).normalize();
            fetched.add(path);
            boolean ok = ex.getRequestMethod().equals("GET") && file.startsWith(Support.ROOT) && Files.isRegularFile(file);
            byte[] body = ok ? Files.readAllBytes(file) : new byte[0];
            ex.sendResponseHeaders(ok ? 200 : 404, ok ? body.length : -1);
            if (ok) ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        try {
            // A fresh JBANG_DIR: nothing cached from the checkout, as on the machine of someone without it.
            Map<String, String> env = new HashMap<>(Map.of("JBANG_DIR", work.resolve("jbang-dir").toString()));
            String catalog = "http://127.0.0.1:" + http.getAddress().getPort() + "/jbang-catalog.json";
            assertUsage("serve", jbang(work, env, "serve@" + catalog, "--help"));
            assertTrue(fetched.containsAll(List.of("/jbang-catalog.json", "/serve.java", "/lib/pki/Certs.java", "/lib/cli/Cli.java",
                    "/lib/tls/Tls.java")), "JBang fetched " + fetched);
        } finally {
            http.stop(0);
        }
    }
}
