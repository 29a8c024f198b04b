import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Real TLS peers, each on 127.0.0.1 with a bounded wait: servers started as processes on a free
 * port and stopped by close() (openssl s_server, nginx with its whole config, the Python mTLS
 * server), and clients run to completion (openssl s_client, curl, headless Chromium with its own NSS
 * trust). Also what their output looks like when a handshake is refused, and the TLS versions the
 * tests pin on each of them.
 */
final class TlsPeers {
    private TlsPeers() {}

    /** A running peer process and its port; close() stops it (bounded). */
    record Peer(Process process, int port, Path log) implements AutoCloseable {
        @Override public void close() { Support.stop(process); }
    }

    /**
     * How a refused handshake shows in curl, openssl and Python: a TLS alert, by name. serve.java
     * sends one for every refusal (lib/tls/TlsServer.java), so a reset, an empty reply or a bare EOF is a
     * failure. Which alert is the JDK's choice (bad certificate or certificate required for a missing
     * certificate, certificate unknown for a refused one, protocol version or handshake failure when
     * nothing is shared).
     */
    static final Pattern ALERT = Pattern.compile("(?i)alert[ _](bad[ _]certificate|certificate[ _]required|certificate[ _]unknown"
            + "|handshake[ _]failure|protocol[ _]version|insufficient[ _]security)");

    /** A TLS version as OpenSSL, nginx ($ssl_protocol) and the JDK name it, as openssl's flag and curl's flags pin it. */
    enum TlsVersion {
        V1_2("TLSv1.2", "-tls1_2", "--tlsv1.2", "--tls-max", "1.2"),
        V1_3("TLSv1.3", "-tls1_3", "--tlsv1.3");

        final String protocol, opensslFlag;
        final List<String> curlArgs;

        TlsVersion(String protocol, String opensslFlag, String... curlArgs) {
            this.protocol = protocol;
            this.opensslFlag = opensslFlag;
            this.curlArgs = List.of(curlArgs);
        }

        /** curl's flags that pin this version, then more. */
        String[] curlFlags(String... more) {
            List<String> all = new ArrayList<>(curlArgs);
            all.addAll(List.of(more));
            return all.toArray(String[]::new);
        }
    }

    // ------------------------------------------------------------------ openssl s_server and s_client

    /** openssl s_server -www on a free port with dir's CERT and KEY, trusting dir/ca.crt, and extra flags. */
    static Peer sServer(Path dir, String cert, String key, String... flags) {
        return sServer(dir, "ca.crt", cert, key, List.of(flags));
    }

    /**
     * openssl s_server -www (its status page shows the protocol and the client certificate it got) on
     * a free port of 127.0.0.1, in dir: CERT and KEY, clients checked against caFile (-CAfile; names
     * relative to dir, or absolute) as flags say, e.g. -Verify 1 -verify_return_error to require one.
     * Waits until it listens, at most 20 s.
     */
    static Peer sServer(Path dir, String caFile, String cert, String key, List<String> flags) {
        Support.requireTool("openssl", "openssl");
        int port = Support.freePort();
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", dir.resolve(cert).toString(), "-key", dir.resolve(key).toString(),
                "-CAfile", dir.resolve(caFile).toString(), "-www"));
        cmd.addAll(flags);
        Path log = dir.resolve("s_server-" + port + ".log");
        Process p = Support.start(dir, log, cmd);
        try {
            Support.awaitPort(port, Duration.ofSeconds(20), p, log);
        } catch (AssertionError e) {
            Support.stop(p);
            throw e;
        }
        return new Peer(p, port, log);
    }

    /**
     * openssl s_client GETs / from the server on 127.0.0.1:port as host (SNI and hostname check),
     * trusting dir/ca.crt, sending dir/CLIENT.crt and .key unless client is null, failing on a
     * verification error; then the extra flags (-tls1_2, -brief, -x509_strict...). It keeps reading
     * after the request until the server closes (-ign_eof), because under TLS 1.3 the client's
     * handshake ends before the server has checked the client certificate.
     */
    static Support.Result sClient(Path dir, int port, String host, String client, String... flags) {
        Support.requireTool("openssl", "openssl");
        String cert = client == null ? "" : " -cert " + dir.resolve(client + ".crt") + " -key " + dir.resolve(client + ".key");
        String cmd = "printf 'GET / HTTP/1.1\\r\\nHost: " + host + "\\r\\nConnection: close\\r\\n\\r\\n' | openssl s_client"
                + " -connect 127.0.0.1:" + port + " -servername " + host + " -verify_hostname " + host
                + " -verify_return_error -CAfile " + dir.resolve("ca.crt") + cert + " -ign_eof " + String.join(" ", flags);
        return Support.exec(dir, Map.of(), Support.WAIT, List.of("sh", "-c", cmd));
    }

    // ------------------------------------------------------------------ nginx

    /** What nginx asks of clients: the value of its ssl_verify_client directive. */
    enum VerifyClient {
        ON, OPTIONAL, OFF;

        String directive() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A running nginx: its port and its log (nginx's error_log). close() stops it. */
    record Nginx(int port, Process process, Path log) implements AutoCloseable {
        String url(String host) {
            return "https://" + host + ":" + port + "/";
        }

        @Override
        public void close() {
            Support.stop(process);
        }
    }

    /**
     * Starts nginx on a free 127.0.0.1 port with only our files from certDir: SERVER.crt and
     * SERVER.key as its certificate, ca.crt for client certificates, checked as mode says. Every
     * request gets 200 and a line naming the TLS version, $ssl_client_verify and the client's DN.
     * Everything nginx writes (pid, temp files) stays in a new folder under certDir; its error log
     * goes to {@link Nginx#log()}. Waits until it listens, at most 10 s. TLS 1.2 and 1.3 are enabled.
     */
    static Nginx startNginx(Path certDir, String server, VerifyClient mode) throws IOException {
        return startNginx(certDir, server, mode, "TLSv1.2 TLSv1.3");
    }

    /** The same, with only one TLS version enabled (for clients that cannot pin it, such as client.java). */
    static Nginx startNginx(Path certDir, String server, VerifyClient mode, TlsVersion only) throws IOException {
        return startNginx(certDir, server, mode, only.protocol);
    }

    private static Nginx startNginx(Path certDir, String server, VerifyClient mode, String protocols) throws IOException {
        String location = """
                        ssl_client_certificate %s;
                        ssl_verify_client %s;
                        default_type text/plain;
                        location / {
                            return 200 "Hello from nginx: protocol=$ssl_protocol verify=$ssl_client_verify client=$ssl_client_s_dn\\n";
                        }
                """.formatted(certDir.resolve("ca.crt"), mode.directive());
        return runNginx(certDir, server, protocols, location, "");
    }

    /**
     * nginx as a gateway in front of a service: TLS on a free port with SERVER.crt and .key, and every
     * request passed to https://upstreamName at 127.0.0.1:upstreamPort, with CLIENT.crt and .key as
     * nginx's own client certificate upstream (null: none) and the upstream's certificate checked
     * against ca.crt and upstreamName (proxy_ssl_verify on), as services sit behind a gateway.
     */
    static Nginx startNginxProxy(Path certDir, String server, String client, String upstreamName, int upstreamPort) throws IOException {
        String clientCert = client == null ? "" : """
                            proxy_ssl_certificate %s;
                            proxy_ssl_certificate_key %s;
                """.formatted(certDir.resolve(client + ".crt"), certDir.resolve(client + ".key"));
        String location = """
                        location / {
                            proxy_pass https://upstream_service;
                            proxy_ssl_name %s;
                            proxy_ssl_server_name on;
                            proxy_ssl_protocols TLSv1.2 TLSv1.3;
                            proxy_ssl_trusted_certificate %s;
                            proxy_ssl_verify on;
                            proxy_ssl_verify_depth 3;
                %s        }
                """.formatted(upstreamName, certDir.resolve("ca.crt"), clientCert);
        String upstream = "    upstream upstream_service { server 127.0.0.1:" + upstreamPort + "; }\n";
        return runNginx(certDir, server, "TLSv1.2 TLSv1.3", location, upstream);
    }

    private static Nginx runNginx(Path certDir, String server, String protocols, String serverBlock, String httpBlock) throws IOException {
        int port = Support.freePort();
        String tlsServer = """
                    server {
                        listen 127.0.0.1:%d ssl;
                        # nginx 1.22 leaves TLS 1.3 out unless it is listed (it is default from 1.23.4).
                        ssl_protocols %s;
                        ssl_certificate %s;
                        ssl_certificate_key %s;
                %s    }
                """.formatted(port, protocols, certDir.resolve(server + ".crt"), certDir.resolve(server + ".key"), serverBlock);
        return runNginx(certDir, port, tlsServer + httpBlock);
    }

    /**
     * nginx with this inside its http block: a server block that listens on 127.0.0.1:port, as the
     * tests write it or as a page shows it to users. Everything nginx writes (pid, temp files) stays
     * in a new folder under dir; its error log goes to {@link Nginx#log()}. Waits until it listens, at most 10 s.
     */
    static Nginx runNginx(Path dir, int port, String http) throws IOException {
        Support.requireTool("nginx", "nginx");
        Path prefix = Files.createTempDirectory(dir, "nginx-" + port + "-");
        Path conf = prefix.resolve("nginx.conf");
        Files.writeString(conf, nginxConfig(prefix, http));
        Path log = prefix.resolve("nginx.log");
        // -e: Debian's nginx would open /var/log/nginx/error.log before it reads our config.
        Process p = Support.start(prefix, log, List.of("nginx", "-p", prefix + "/", "-c", conf.toString(),
                "-e", "stderr", "-g", "daemon off;"));
        try {
            Support.awaitPort(port, Duration.ofSeconds(10), p, log);
        } catch (AssertionError e) {
            Support.stop(p);
            throw e;
        }
        return new Nginx(port, p, log);
    }

    /** The whole nginx.conf around what goes in its http block (the server blocks). */
    private static String nginxConfig(Path prefix, String http) {
        // As root, nginx runs its workers as "nobody", who cannot enter the test's 0700 temp folder
        // (no file there could be served, no request body buffered); as another user it stays that user.
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        String temp = List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi").stream()
                .map(t -> "    " + t + "_temp_path " + prefix.resolve(t) + ";\n").reduce("", String::concat);
        return user + """
                worker_processes 1;
                pid %s;
                error_log stderr info;
                events { worker_connections 64; }
                http {
                    access_log off;
                %s
                %s}
                """.formatted(prefix.resolve("nginx.pid"), temp, http);
    }

    // ------------------------------------------------------------------ Python

    /**
     * tests/resources/py_mtls_server.py (http.server with ssl, CERT_REQUIRED and VERIFY_X509_STRICT)
     * on a free port with dir/SERVER.crt and .key, trusting dir/ca.crt, pinned to TLS version tls
     * ("1.2" or "1.3"). Its log (one line per refusal) is the Peer's log. Waits until it listens, at most 10 s.
     */
    static Peer pythonServer(Path dir, String server, String tls) {
        Support.requireTool("python3", "python3");
        int port = Support.freePort();
        Path log = dir.resolve("py-server-" + port + ".log");
        List<String> cmd = new ArrayList<>(List.of("python3", Support.ROOT.resolve("tests/resources/py_mtls_server.py").toString(),
                "--port", String.valueOf(port), "--cert", dir.resolve(server + ".crt").toString(),
                "--key", dir.resolve(server + ".key").toString(), "--cacert", dir.resolve("ca.crt").toString(), "--tls", tls));
        Process p = Support.start(dir, log, cmd);
        try {
            Support.awaitPort(port, Duration.ofSeconds(10), p, log);
        } catch (AssertionError e) {
            Support.stop(p);
            throw e;
        }
        return new Peer(p, port, log);
    }

    // ------------------------------------------------------------------ curl

    /** curl's -w format that ends its output with a line http_code=NNN (000: no HTTP answer). */
    static final String HTTP_CODE = "\nhttp_code=%{http_code}\n";

    /** curl's --resolve spec (and client.java's): host on port is 127.0.0.1. */
    static String resolve(String host, int port) {
        return host + ":" + port + ":127.0.0.1";
    }

    /** curl with exactly these arguments, in cwd; the run is bounded by Support.WAIT. */
    static Support.Result curl(Path cwd, List<String> args) {
        Support.requireTool("curl", "curl");
        List<String> cmd = new ArrayList<>(List.of("curl"));
        cmd.addAll(args);
        return Support.exec(cwd, Map.of(), Support.WAIT, cmd);
    }

    /**
     * curl -sS (errors on stderr, no progress) --max-time 20 to https://HOST:PORT/PATH with HOST resolved
     * to 127.0.0.1, trusting only caFile (--cacert; relative to dir, where curl runs, or absolute). The
     * flags go before the URL: a client certificate (--cert, --key), a TLS version, -w HTTP_CODE...
     */
    static Support.Result curl(Path dir, String caFile, String host, int port, String path, String... flags) {
        List<String> args = new ArrayList<>(List.of("-sS", "--max-time", "20", "--cacert", caFile, "--resolve", resolve(host, port)));
        args.addAll(List.of(flags));
        args.add("https://" + host + ":" + port + path);
        return curl(dir, args);
    }

    // ------------------------------------------------------------------ Chromium

    static void requireChromium() {
        Support.requireTool("chromium", "chromium");
        Support.requireTool("certutil", "libnss3-tools");
    }

    /**
     * Loads url in headless Chromium with HOME=home (its NSS trust) and host mapped to 127.0.0.1,
     * and returns the DOM (stdout) and Chromium's log (stderr), where a failed load shows as
     * "Page load failed: net::ERR_...". Each run gets a fresh profile under work; at most 60 s.
     */
    static Support.Result chromium(Path work, Path home, String url, String host) {
        Path profile = tempDir(work, "chromium-profile");
        return Support.exec(work, Map.of("HOME", home.toString()), Duration.ofSeconds(60), List.of("chromium",
                "--headless", "--no-sandbox", // no sandbox: CI runs as root, where Chromium refuses it
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
                "--host-resolver-rules=MAP " + host + " 127.0.0.1",
                "--enable-logging=stderr", "--v=0", "--dump-dom", url));
    }

    /** Chromium's log without the D-Bus complaints every run makes on a machine without a session bus. */
    static String chromiumErrors(Support.Result r) {
        return r.err().lines().filter(l -> !l.contains("dbus")).collect(Collectors.joining("\n"));
    }

    /** A new HOME under work whose NSS database trusts ca, and only ca, for TLS servers ("C,,"). */
    static Path trustingHome(Path work, Path ca) {
        Path home = nssHome(work, "home-trusting");
        certutil(home, "-A", "-n", "jbang-mtls test CA", "-t", "C,,", "-i", ca.toString());
        Support.Result list = certutil(home, "-L");
        assertTrue(list.out().contains("jbang-mtls test CA") && list.out().contains("C,,"), list::all);
        return home;
    }

    /** work/NAME as a HOME with a new, empty NSS database in .pki/nssdb, where Chromium on Linux looks. */
    static Path nssHome(Path work, String name) {
        Path home = work.resolve(name);
        try {
            Files.createDirectories(home.resolve(".pki/nssdb"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        certutil(home, "-N", "--empty-password");
        return home;
    }

    private static Support.Result certutil(Path home, String... args) {
        List<String> cmd = new ArrayList<>(List.of("certutil", "-d", "sql:" + home.resolve(".pki/nssdb")));
        cmd.addAll(List.of(args));
        return Support.exec(home, Map.of(), Support.WAIT, cmd).expectOk();
    }

    private static Path tempDir(Path work, String prefix) {
        try {
            return Files.createTempDirectory(work, prefix);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
