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
//SOURCES lib/pki/Describe.java
//SOURCES lib/pki/Pki.java
//SOURCES lib/tls/ReloadingKeyManager.java
//SOURCES lib/tls/Tls.java
//SOURCES lib/tls/Fetch.java
//SOURCES lib/tls/Diagnosis.java
//SOURCES lib/tls/Http.java
//SOURCES lib/tls/Bounds.java
//SOURCES lib/tls/TlsServer.java
//SOURCES lib/tls/Allow.java
//SOURCES lib/tls/Service.java
//SOURCES lib/cli/Cli.java
//SOURCES lib/cli/Advice.java
//DESCRIPTION Serves the tutorial's HTTPS service (section 4) with client auth none, want or need.
// A small heap and the serial collector: the JVM's default heap is a quarter of the machine's
// memory, and G1 held 343-620 MB through the benchmark's load (docs/BENCHMARKS.md). A client may
// not renegotiate: it costs the server a full handshake at the client's whim (CVE-2011-1473), and
// the JDK reads this switch once, when its TLS classes load.
//JAVA_OPTIONS -XX:+UseSerialGC -Xmx64m -Djdk.tls.rejectClientInitiatedRenegotiation=true

// serve.java: section 4 of the tutorial, service A or B: the options, and what the service prints.
// The service itself (start, hot reload, the CRL, the refusals) is lib/tls/Service.java, on a
// connection loop of its own (lib/tls/TlsServer.java) over the JDK's TLS, so that every refused
// handshake reaches the client as a TLS alert and the log as one line; lib/cli/Advice.java words its
// messages with these options. `./jbang serve.java --name service-b --port 8443 --client-auth need`
// serves DIR/service-b.crt and .key (DIR: certs, or --dir), trusts DIR/ca.crt for client
// certificates, and answers the routes of enum Service.Route (/, /whoami, /w-mtls, /wo-cert-mtls,
// /wo-ca-mtls): --help, the 404 page and the reference all list them from that one table.
// The peer routes answer HTTP 200 with the peer's body or a paragraph that names the cause.
// Replaced certificate and CRL files are picked up without a restart; Ctrl-C stops it.

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve.java", mixinStandardHelpOptions = true, version = "jbang-mtls serve 0.3",
        description = {"Serves the tutorial's HTTPS service (section 4): / answers Hello from \"NAME\".",
                "Replaced certificate files are used for new connections without a restart. Every refused "
                        + "handshake is logged with its reason, at most 10 lines a second."},
        sortOptions = false)
public class serve implements Callable<Integer>, Cli.Setup {

    @Option(names = "--name", required = true, paramLabel = "NAME",
            description = "Service name, as in Hello from \"NAME\"; also the default file name (service-b).")
    String name;

    @Option(names = "--port", defaultValue = "8443", description = "Port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes the service to the network).")
    String host;

    @Option(names = "--client-auth", defaultValue = "need", paramLabel = "MODE",
            description = "none (ask for no client certificate), want (ask, accept none) or need (refuse "
                    + "without a valid one) (default: ${DEFAULT-VALUE}).")
    String clientAuth;

    @Mixin Cli.Dir dir;

    @Option(names = "--cert", paramLabel = "FILE", description = "Our certificate (default: DIR/NAME.crt), optionally followed by its chain.")
    Path cert;

    @Option(names = "--key", paramLabel = "FILE", description = "Our private key (default: DIR/NAME.key).")
    Path key;

    @Mixin Cli.KeyPassword keyPassword;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "CA certificates trusted for client certificates and for --peer (default: DIR/ca.crt).")
    Path cacert;

    @Option(names = "--peer", paramLabel = "URL", description = "The service the /w-mtls, /wo-cert-mtls and /wo-ca-mtls routes call.")
    String peer;

    @Option(names = "--resolve", paramLabel = "HOST:PORT:ADDR",
            description = "Reach HOST:PORT of --peer at ADDR, as curl --resolve (no /etc/hosts edit). Repeatable.")
    List<String> resolve = new ArrayList<>();

    @Option(names = "--allow", paramLabel = "PATTERN",
            description = {"Admit only callers whose client certificate matches PATTERN; others get 403. Repeatable: any match admits.",
                    "PATTERN: DNS:NAME, URI:URI, IP:ADDR or EMAIL:ADDR (a SAN), or CN=NAME (the subject CN). * matches "
                            + "any characters, dots and slashes included. DNS, EMAIL and CN ignore case.",
                    "E.g. --allow DNS:service-a.example.com",
                    "or --allow 'URI:spiffe://example.org/*'",
                    "or --allow 'CN=service-a.*'",
                    "Without --allow, any certificate from --cacert is admitted."})
    List<String> allow = new ArrayList<>();

    @Option(names = "--crl", paramLabel = "FILE",
            description = "Refuse client certificates this CRL lists as revoked (PEM or DER, signed by a CA in --cacert; "
                    + "ca.java revoke writes DIR/ca.crl). Re-read when the file changes.")
    Path crl;

    @Option(names = "--max-connections", defaultValue = "256", paramLabel = "N",
            description = "Connections open at once, in all (default: ${DEFAULT-VALUE}); more are closed at once.")
    int maxConnections;

    @Option(names = "--max-per-address", defaultValue = "64", paramLabel = "N",
            description = "Connections open at once from one caller address (default: ${DEFAULT-VALUE}), so one caller cannot lock out the others.")
    int maxPerAddress;

    @Option(names = "--handshake-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Time for a connection to complete its TLS handshake (default: ${DEFAULT-VALUE}).")
    int handshakeTimeout;

    @Option(names = "--request-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Time for a request's line and headers to arrive, once it has begun (default: ${DEFAULT-VALUE}); then 408.")
    int requestTimeout;

    @Option(names = "--idle-timeout", defaultValue = "15", paramLabel = "SECONDS",
            description = "Time a kept-alive connection may wait for its next request (default: ${DEFAULT-VALUE}).")
    int idleTimeout;

    @Option(names = "--max-header-bytes", defaultValue = "8192", paramLabel = "BYTES",
            description = "Size of a request's line and headers together (default: ${DEFAULT-VALUE}); larger gets 431.")
    int maxHeaderBytes;

    @Mixin Cli.Debug debug;

    @Spec
    CommandSpec spec;

    /** The service call() started: a test that runs the command in-process stops it here. */
    volatile Service running;

    public static void main(String... args) {
        System.exit(Cli.run(new serve(), args));
    }

    /** The routes, in --help as in the 404 page: both come from enum Service.Route. */
    @Override public void setup(picocli.CommandLine cl) {
        // serve.java only reads its key.
        Cli.help(cl, "key-password", "Password of --key, when it is encrypted (without it: asked on a terminal). " + Cli.SPEC_FORMS);
        var usage = cl.getCommandSpec().usageMessage();
        List<String> lines = new ArrayList<>(List.of(usage.description()));
        lines.add(1, "Routes:");
        for (Service.Route r : Service.Route.values()) lines.add(2 + r.ordinal(), String.format("  %-14s %s", r.path, r.does));
        usage.description(lines.toArray(new String[0]));
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        Service.Config config = config(out);
        running = Service.start(config);
        // Ctrl-C (SIGINT) runs shutdown hooks: stop accepting, let requests in flight finish (1 s), log it.
        Runtime.getRuntime().addShutdownHook(new Thread(running::stop, "serve-shutdown"));
        // Only someone at a terminal can press Ctrl-C: a service started in the background is stopped otherwise.
        if (atTerminal()) {
            out.println("Stop with Ctrl-C.");
            out.flush();
        }
        running.awaitStop();
        return 0;
    }

    /**
     * Whether stdin and stdout are a terminal. Before JDK 22 that is System.console() != null; from
     * JDK 22 a console exists with redirected streams too, and Console.isTerminal() tells.
     */
    static boolean atTerminal() {
        java.io.Console console = System.console();
        if (console == null) return false;
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException olderJdk) {
            return true;
        }
    }

    /** The service's configuration, built once from the options; each bad value is refused naming its option. */
    Service.Config config(PrintWriter out) {
        TlsServer.ClientAuth auth;
        try {
            auth = TlsServer.ClientAuth.valueOf(clientAuth.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Cli.fail("--client-auth must be none, want or need, not '%s'", Text.escape(clientAuth));
        }
        if (port < 0 || port > 65535) throw Cli.fail("--port must be 0 to 65535, not %d", port);
        if (maxConnections < 1 || maxPerAddress < 1 || handshakeTimeout < 1 || requestTimeout < 1 || idleTimeout < 1 || maxHeaderBytes < 256)
            throw Cli.fail("--max-connections, --max-per-address and the timeouts must be at least 1, --max-header-bytes at least 256");
        Service.Config c = config(name, dir.dir, port, auth, keyPassword.spec).withHost(host).withCrl(crl)
                .withLog(line -> { out.println(line); out.flush(); })
                .withLimits(new TlsServer.Limits(maxConnections, maxPerAddress, Duration.ofSeconds(handshakeTimeout),
                        Duration.ofSeconds(requestTimeout), Duration.ofSeconds(idleTimeout), maxHeaderBytes));
        if (cert != null || key != null) c.withCert(cert != null ? cert : c.cert(), key != null ? key : c.key());
        if (cacert != null) c.withCacert(cacert);
        // The password is resolved once, from the key's file: asked (or read from its SPEC) at start only.
        c.withKeyPassword(Cli.passwordFor(c.key(), "key", keyPassword.spec, "--key-password"));
        try {
            c.withPeer(peer == null ? null : Tls.url(peer), resolve);
        } catch (Failure f) {
            throw Cli.fail("--peer %s", f.getMessage());
        }
        List<Allow> patterns = new ArrayList<>();
        for (String a : allow) {
            try {
                patterns.add(Allow.parse(a));
            } catch (Failure f) {
                throw Cli.fail("--allow %s", f.getMessage());
            }
        }
        return c.withAllow(patterns);
    }

    /**
     * DIR/NAME.crt, .key and ca.crt for NAME, as serve.java --dir DIR --name NAME serves them, with
     * serve.java's words in its messages (its options, and commands with DIR and the --key-password
     * SPEC): tests and the tutorial start the service this way.
     */
    public static Service.Config config(String name, Path dir, int port, TlsServer.ClientAuth auth, String keyPasswordSpec) {
        return Service.Config.of(name, dir, port, auth).withWords(new Words(new Advice(dir, keyPasswordSpec)));
    }

    /** The same, with no --key-password. */
    public static Service.Config config(String name, Path dir, int port, TlsServer.ClientAuth auth) {
        return config(name, dir, port, auth, null);
    }

    /** The service's messages in serve.java's words: its options, and commands with --dir and the --key-password SPEC. */
    record Words(Advice advice) implements Service.Words {
        @Override public String name(TlsServer.Setting s) {
            return switch (s) {
                case PORT -> "--port";
                case CLIENT_AUTH -> "--client-auth";
                case CA -> "--cacert";
                case KEY_PASSWORD -> "--key-password";
                case ALLOW -> "--allow";
                case CRL -> "--crl";
                case PEER -> "--peer";
                case RESOLVE -> "--resolve";
                case MAX_CONNECTIONS -> "--max-connections";
                case MAX_PER_ADDRESS -> "--max-per-address";
                case HANDSHAKE_TIMEOUT -> "--handshake-timeout";
            };
        }

        /** Our own certificate with the password form we were given; a caller's with a new key. */
        @Override public String renew(Path cert, boolean newKey) {
            return newKey ? "./jbang issue.java renew --new-key " + Text.arg(cert)
                    : "./jbang issue.java renew " + Text.arg(cert) + Cli.passwordFlag("--key-password", advice.keyPassword());
        }

        /**
         * ca.java revoke with no certificate re-signs a CRL, for the CA beside it: DIR/ca.crl is DIR's
         * root (--dir), DIR/NAME.crl the intermediate DIR/NAME.crt (--ca).
         */
        @Override public String renewCrl(Path crl) {
            String base = crl.getFileName().toString().replaceAll("\\.crl$", "");
            Path folder = crl.getParent() == null ? Path.of(".") : crl.getParent();
            return "./jbang ca.java revoke" + (base.equals("ca") ? Advice.dirFlag(folder) : " --ca " + Text.arg(folder.resolve(base + ".crt")));
        }

        @Override public String explain(Diagnosis d) {
            return advice.explain(d);
        }
    }
}
