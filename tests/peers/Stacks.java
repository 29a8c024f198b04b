import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the Stack* tests share: the stacks/ module built once (its own Maven build), its examples
 * started as processes (servers on a free 127.0.0.1 port, clients run to completion with the
 * service names mapped to 127.0.0.1 by a hosts file), a PKI of each key type laid out as the examples
 * read it (certs/ under the working folder), and docs/java-stacks.md's file blocks.
 */
final class Stacks {
    private Stacks() {}

    static final Path MODULE = Support.ROOT.resolve("stacks");
    static final Path DOC = Support.ROOT.resolve("docs/java-stacks.md");

    /** The key types of the matrix: issue.java's --key-type, and how the page names them. */
    enum KeyType {
        RSA("rsa", "RSA"), EC("ec", "EC P-256"), ED25519("ed25519", "Ed25519");

        final String flag, shown;

        KeyType(String flag, String shown) {
            this.flag = flag;
            this.shown = shown;
        }
    }

    private static String classPath;

    /** Builds stacks/ (mvn -q package, once per test JVM) and returns the class path its examples run with. */
    static synchronized String classPath() throws IOException {
        if (classPath == null) {
            Support.requireTool("mvn", "maven");
            Support.exec(Support.ROOT, Map.of(), Duration.ofMinutes(10),
                    List.of("mvn", "-B", "-q", "-ntp", "-f", MODULE.resolve("pom.xml").toString(), "package")).expectOk();
            classPath = MODULE.resolve("target/classes") + java.io.File.pathSeparator
                    + Files.readString(MODULE.resolve("target/classpath.txt")).strip();
        }
        return classPath;
    }

    /**
     * java for an example: the test's own JDK, a small heap, C1 only (these JVMs live for a few
     * handshakes, where start-up dominates), and hosts mapping the service names to 127.0.0.1.
     */
    static List<String> java(Path hosts, List<String> props, String main, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djdk.net.hosts.file=" + hosts));
        cmd.addAll(props);
        cmd.addAll(List.of("-cp", classPath(), main));
        cmd.addAll(args);
        return cmd;
    }

    /** A hosts file in dir that maps the tutorial's two names to 127.0.0.1 (-Djdk.net.hosts.file). */
    static Path hosts(Path dir) throws IOException {
        return Files.writeString(dir.resolve("hosts"), "127.0.0.1 " + Support.A + " " + Support.B + "\n");
    }

    /** Starts an example server in cwd (which holds certs/) and waits until it listens on port, at most 120 s. */
    static TlsPeers.Peer startServer(Path cwd, Path hosts, String main, List<String> args, int port) throws IOException {
        Path log = cwd.resolve(main.substring(main.lastIndexOf('.') + 1) + "-" + port + ".log");
        Process p = Support.start(cwd, log, java(hosts, List.of(), main, args));
        return new TlsPeers.Peer(p, port, log);
    }

    static void awaitListening(TlsPeers.Peer peer) {
        try {
            Support.awaitPort(peer.port(), Duration.ofSeconds(120), peer.process(), peer.log());
        } catch (AssertionError e) {
            peer.close();
            throw e;
        }
    }

    /** Runs an example client in cwd to completion (at most 2 minutes). */
    static Support.Result runClient(Path cwd, Path hosts, List<String> props, String main, List<String> args) throws IOException {
        return Support.exec(cwd, Map.of(), Duration.ofMinutes(2), java(hosts, props, main, args));
    }

    /** trust.java export --format spring-boot NAME --dir certs, in-process: the YAML a user pastes. */
    static String springBootYaml(Path certs, String name) {
        return Support.cli(new trust(), "export", "--format", "spring-boot", "--dir", certs.toString(), name).expectOk().out();
    }

    /**
     * A PKI of one key type in base: base/server/certs holds the CA, service-a and service-b (whose
     * certificate also names 127.0.0.1, for the JDK client snippet, which is given the address), and
     * base/stranger/certs holds our CA certificate beside a service-a certificate and key from
     * another CA of the same key type, whose certificate every server must refuse. base/none/certs
     * holds only our CA certificate: a client there sends none.
     */
    static void pki(Path base, KeyType k) throws IOException {
        Path certs = Files.createDirectories(base.resolve("server/certs"));
        List<String> type = List.of("--key-type", k.flag);
        Support.pki(certs, type, type, Support.A);
        Support.issueInto(certs, "--key-type", k.flag, Support.B, "127.0.0.1").expectOk();
        Path other = Support.pki(Files.createDirectories(base.resolve("other")), List.of("--key-type", k.flag, "--cn", "Stranger CA"),
                type, Support.A);
        Path stranger = Files.createDirectories(base.resolve("stranger/certs"));
        Files.copy(certs.resolve("ca.crt"), stranger.resolve("ca.crt"));
        Files.copy(other.resolve("service-a.crt"), stranger.resolve("service-a.crt"));
        Files.copy(other.resolve("service-a.key"), stranger.resolve("service-a.key"));
        Path none = Files.createDirectories(base.resolve("none/certs"));
        Files.copy(certs.resolve("ca.crt"), none.resolve("ca.crt"));
    }

    // ------------------------------------------------------------------ the page

    static final Pattern BLOCK = Pattern.compile("<!-- file: (\\S+) -->\\n```(?:java|yaml|xml)\\n(.*?)^```$", Pattern.DOTALL | Pattern.MULTILINE);

    /** The page's file blocks, by the file each names (relative to the repository). */
    static Map<String, String> blocks(String page) {
        Map<String, String> found = new LinkedHashMap<>();
        Matcher m = BLOCK.matcher(page);
        while (m.find()) assertEquals(null, found.put(m.group(1), m.group(2)), m.group(1) + " is shown twice");
        return found;
    }

    /** The text between <!-- NAME:start --> and <!-- NAME:end --> (both must be there). */
    static String generated(String page, String name) {
        int start = page.indexOf("<!-- " + name + ":start -->\n"), end = page.indexOf("<!-- " + name + ":end -->");
        assertTrue(start >= 0 && end > start, "docs/java-stacks.md has no <!-- " + name + ":start --> ... <!-- " + name + ":end --> part");
        return page.substring(start + ("<!-- " + name + ":start -->\n").length(), end);
    }

    /** The page with that part replaced. */
    static String withGenerated(String page, String name, String text) {
        String head = "<!-- " + name + ":start -->\n";
        int start = page.indexOf(head), end = page.indexOf("<!-- " + name + ":end -->");
        return page.substring(0, start + head.length()) + text + page.substring(end);
    }
}
