import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Commands shown in docs/ are commands a user can type, and the output shown is the output they get.
 * Each page below runs as a terminal session in a fresh copy of the repository (the files git tracks,
 * as they are now): its ```bash blocks command by command, each of which must exit 0, the commands
 * of its ```text transcripts ("$ COMMAND", then the output), whose output must be the one shown
 * (Support.assertShown: "..." and "[...]" leave parts out; serials, dates and names are masked), and
 * its ```nginx server blocks, run by nginx as they are. As in a terminal, `export VAR=...` holds for
 * the commands after it, and a service (serve.java, openssl s_server, nginx) keeps running, as in a
 * terminal of its own, until the page is done or another service takes its port. The ports the pages show (8443, 7443) are free ones here, in the commands
 * and back in the output; the copy stands in for the folder the pages show, /home/alice/jbang-mtls.
 * Tools other than ./jbang get a HOME of their own, so that no page touches your NSS database or
 * settings (./jbang keeps yours: its caches live there).
 */
@Tag("process")
@Execution(ExecutionMode.CONCURRENT) // each page in its own copy on free ports: the pages run side by side
class DocCommandsTest {
    @TempDir Path work;

    @Test
    void theProfilePagesCommandsRunAsTyped() throws Exception {
        Support.requireTool("openssl", "openssl");
        Support.requireTool("certtool", "gnutls-bin");
        Path clone = Support.freshCopy(work.resolve("clone"));
        List<String> commands = Support.codeBlocks(Files.readString(Support.ROOT.resolve("docs/PROFILE.md")), "bash").stream()
                .flatMap(block -> Support.bashCommands(block).stream()).toList();
        assertTrue(commands.size() >= 6, "docs/PROFILE.md shows too few commands: " + commands);
        for (String cmd : commands) {
            Support.Result r = Support.exec(clone, Map.of(), Support.WAIT.multipliedBy(3), List.of("bash", "-c", cmd));
            assertEquals(0, r.code(), () -> "docs/PROFILE.md: `" + cmd + "` failed:\n" + r.all());
        }
    }

    /**
     * The pages run as sessions: each with the tools it needs (tool, Debian package) and the least
     * number of commands and transcripts it holds, so that a broken extraction cannot pass.
     */
    static Stream<Arguments> pages() {
        return Stream.of(
                Arguments.of("docs/compatibility.md", 14, 1, List.of("openssl openssl", "curl curl", "certtool gnutls-bin",
                        "certutil libnss3-tools", "keytool default-jre-headless", "nginx nginx")),
                Arguments.of("docs/inspect-and-lint.md", 15, 9, List.of("openssl openssl", "mkcert mkcert")),
                Arguments.of("docs/trust-the-ca.md", 1, 6, List.of("certutil libnss3-tools")),
                Arguments.of("docs/intermediates-and-renewal.md", 5, 4, List.of("openssl openssl")),
                Arguments.of("docs/who-may-call.md", 6, 3, List.of("openssl openssl", "curl curl")),
                Arguments.of("docs/bring-your-own-ca.md", 7, 2, List.of("openssl openssl")),
                Arguments.of("docs/catalog.md", 3, 0, List.of("mvn maven")),
                Arguments.of("docs/launcher.md", 3, 0, List.of("mvn maven")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pages")
    void thePageRunsAsShown(String page, int atLeastCommands, int atLeastTranscripts, List<String> tools) throws Exception {
        for (String tool : tools) Support.requireTool(tool.split(" ")[0], tool.split(" ")[1]);
        session(page, atLeastCommands, atLeastTranscripts);
    }

    /** Runs the page as a session, which must hold at least this many commands and transcripts. */
    private void session(String page, int atLeastCommands, int atLeastTranscripts) throws Exception {
        try (Session s = new Session(Support.freshCopy(work.resolve("clone")), work)) {
            s.run(page);
            assertTrue(s.commands >= atLeastCommands && s.transcripts >= atLeastTranscripts,
                    page + " ran " + s.commands + " commands and " + s.transcripts + " transcripts; expected at least "
                            + atLeastCommands + " and " + atLeastTranscripts + ": is the extraction broken?");
        }
    }

    @Test
    void aSessionSeesBlocksPromptsAndServices() {
        String md = """
                ```bash
                export X='a b'
                ./jbang serve.java --name service-b --allow DNS:x
                ```
                ```text
                $ curl --resolve service-b.example.com:8443:127.0.0.1 \\
                    https://service-b.example.com:8443/
                Hello
                ...
                $ openssl s_server -accept 127.0.0.1:7443 -www
                ```
                ```text
                not a transcript
                ```
                ```nginx
                server { listen 8443 ssl; }
                ```
                """;
        assertEquals(List.of(List.of("bash", "export X='a b'"), List.of("bash", "./jbang serve.java --name service-b --allow DNS:x"),
                List.of("$", "curl --resolve service-b.example.com:8443:127.0.0.1 https://service-b.example.com:8443/", "Hello\n...\n"),
                List.of("$", "openssl s_server -accept 127.0.0.1:7443 -www", ""), List.of("nginx", "server { listen 8443 ssl; }\n")),
                Session.steps(md));
        assertEquals("8443", Session.servicePort("./jbang serve.java --name service-b --allow DNS:x"));
        assertEquals("7443", Session.servicePort("./jbang serve.java --name service-a --port 7443 --peer https://b:8443"));
        assertEquals("8443", Session.servicePort("openssl s_server -accept 127.0.0.1:8443 -cert c"));
        assertEquals(null, Session.servicePort("./jbang client.java https://service-b.example.com:8443/"));
    }

    /** A terminal session over a page, in a fresh copy of the repository; see the class comment. */
    static final class Session implements AutoCloseable {
        static final String SHOWN_HOME = "/home/alice/jbang-mtls";
        static final Pattern FENCE = Pattern.compile("(?m)^```(bash|text|nginx)\\n(.*?)^```$", Pattern.DOTALL);

        final Path dir, logs;
        final Map<String, String> exported = new LinkedHashMap<>(), toolEnv = new HashMap<>();
        final Map<String, Integer> ports = new LinkedHashMap<>(); // the port a page shows -> the free one used
        final Map<String, Process> services = new LinkedHashMap<>();
        int commands, transcripts;
        String page;

        Session(Path dir, Path work) throws Exception {
            this.dir = dir;
            this.logs = Files.createDirectories(work.resolve("logs"));
            toolEnv.put("HOME", Files.createDirectories(work.resolve("home")).toString());
        }

        /**
         * The steps of a page, in order: ["bash", COMMAND] for each command of a ```bash block,
         * ["$", COMMAND, OUTPUT] for each command of a ```text block that starts with "$ " (a transcript),
         * and ["nginx", SERVER BLOCK] for each ```nginx block.
         */
        static List<List<String>> steps(String markdown) {
            List<List<String>> steps = new ArrayList<>();
            Matcher m = FENCE.matcher(markdown);
            while (m.find()) {
                if (m.group(1).equals("bash")) {
                    for (String c : Support.bashCommands(m.group(2))) steps.add(List.of("bash", c));
                    continue;
                }
                if (m.group(1).equals("nginx")) {
                    steps.add(List.of("nginx", m.group(2)));
                    continue;
                }
                if (!m.group(2).startsWith("$ ")) continue;
                String command = null;
                StringBuilder output = new StringBuilder();
                boolean continued = false;
                for (String line : m.group(2).split("\n")) {
                    if (line.startsWith("$ ") || continued) {
                        if (line.startsWith("$ ") && command != null) steps.add(List.of("$", command, output.toString()));
                        if (line.startsWith("$ ")) {
                            command = "";
                            output.setLength(0);
                        }
                        String part = continued ? line.strip() : line.substring(2);
                        continued = part.endsWith("\\");
                        command += continued ? part.substring(0, part.length() - 1) : part;
                    } else output.append(line).append('\n');
                }
                steps.add(List.of("$", command, output.toString()));
            }
            return steps;
        }

        /** The port a command serves on, as the page shows it (serve.java: --port, else 8443), or null. */
        static String servicePort(String command) {
            Matcher m;
            if (command.startsWith("./jbang serve.java "))
                return (m = Pattern.compile("--port (\\d+)").matcher(command)).find() ? m.group(1) : "8443";
            if (command.startsWith("openssl s_server ") && (m = Pattern.compile("-accept (?:[\\d.]+:)?(\\d+)").matcher(command)).find())
                return m.group(1);
            return null;
        }

        void run(String page) throws Exception {
            this.page = page;
            for (List<String> step : steps(Files.readString(Support.ROOT.resolve(page)))) {
                if (step.get(0).equals("$")) {
                    transcripts++;
                    String out = exec(step.get(1)).out();
                    for (var p : ports.entrySet()) out = out.replaceAll("(?<![0-9])" + p.getValue() + "(?![0-9])", p.getKey());
                    Support.assertShown(page + ": $ " + step.get(1), step.get(2), out.replace(dir.toString(), SHOWN_HOME));
                    continue;
                }
                commands++;
                String cmd = step.get(1);
                if (step.get(0).equals("nginx")) {
                    nginx(cmd);
                    continue;
                }
                Matcher export = Pattern.compile("export (\\w+)=(.*)").matcher(cmd);
                if (export.matches()) exported.put(export.group(1), export.group(2).replaceAll("^'(.*)'$|^\"(.*)\"$", "$1$2"));
                else if (servicePort(cmd) != null) serve(cmd);
                else {
                    Support.Result r = exec(cmd);
                    assertEquals(0, r.code(), () -> page + ": `" + cmd + "` failed:\n" + r.out());
                }
            }
        }

        /** A command as it runs here: the free ports in place of the shown ones; the tutorial on free ports. */
        String prepared(String cmd) {
            for (var p : ports.entrySet()) cmd = cmd.replaceAll("(?<![0-9])" + p.getKey() + "(?![0-9])", String.valueOf(p.getValue()));
            if (cmd.matches("\\./jbang tutorial(\\.java)?( .*)?") && !cmd.contains("--port-a")) cmd += " --port-a 0 --port-b 0";
            return cmd;
        }

        Map<String, String> env(String cmd) {
            Map<String, String> env = new HashMap<>(exported);
            if (!cmd.matches("(\\w+=\\S*\\s+)*\\./jbang\\s.*")) env.putAll(toolEnv);
            return env;
        }

        /** Runs a command to its end, stdout and stderr together, as a terminal shows them. */
        Support.Result exec(String cmd) {
            String c = prepared(cmd);
            return Support.exec(dir, env(cmd), Support.WAIT.multipliedBy(3), List.of("bash", "-c", "exec 2>&1\n" + c));
        }

        /** Starts a service on a free port in place of the one shown, after stopping the one there, and waits until it listens. */
        void serve(String cmd) {
            String shown = servicePort(cmd);
            Support.stop(services.remove(shown));
            int port = Support.freePort();
            ports.put(shown, port);
            String c = prepared(cmd) + (cmd.startsWith("./jbang serve.java ") && !cmd.contains("--port ") ? " --port " + port : "");
            Path log = logs.resolve("service-" + port + ".log");
            Process p = Support.start(dir, env(cmd), log, List.of("bash", "-c", "exec " + c));
            services.put(shown, p);
            Support.awaitPort(port, Duration.ofMinutes(2), p, log);
        }

        /**
         * nginx with the page's server block, as it is but for its folder (/path/to/certs: the copy's
         * certs/) and its port (a free one on 127.0.0.1), after stopping the service on that port.
         */
        void nginx(String serverBlock) throws Exception {
            Matcher listen = Pattern.compile("listen (\\d+) ssl;").matcher(serverBlock);
            assertTrue(listen.find(), page + ": the nginx block should listen on a port: " + serverBlock);
            Support.stop(services.remove(listen.group(1)));
            int port = Support.freePort();
            ports.put(listen.group(1), port);
            String block = serverBlock.replace("listen " + listen.group(1) + " ssl;", "listen 127.0.0.1:" + port + " ssl;")
                    .replace("/path/to/certs/", dir.resolve("certs") + "/");
            services.put(listen.group(1), TlsPeers.runNginx(logs, port, block).process());
        }

        @Override
        public void close() {
            services.values().forEach(Support::stop);
        }
    }
}
