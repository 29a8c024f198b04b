///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/pki/Failure.java
//SOURCES lib/pki/Text.java
//SOURCES lib/pki/Der.java
//SOURCES lib/pki/Keys.java
//SOURCES lib/pki/Certs.java
//SOURCES lib/pki/Policy.java
//SOURCES lib/pki/Names.java
//SOURCES lib/pki/Pem.java
//SOURCES lib/pki/SafeFiles.java
//SOURCES lib/pki/Describe.java
//SOURCES lib/pki/Pki.java
//SOURCES lib/pki/Csr.java
//SOURCES lib/pki/SigningCa.java
//SOURCES lib/pki/Issuer.java
//SOURCES lib/tls/ReloadingKeyManager.java
//SOURCES lib/tls/Tls.java
//SOURCES lib/tls/Fetch.java
//SOURCES lib/tls/Diagnosis.java
//SOURCES lib/cli/Cli.java
//SOURCES serve.java
//SOURCES client.java
//DESCRIPTION Replays the whole mTLS tutorial: CA, two services, and every check of its section 4.3.

// tutorial.java: the tutorial in one command, in one JVM.
//   1. makes the root CA and both service certificates (or reuses the ones in --dir);
//   2. starts service A (client auth none) and service B (client auth need);
//   3. runs every check of the tutorial's section 4.3 and compares each outcome with the tutorial's;
//   4. stops both services; exits 0 only when every outcome matches.
// It never replaces a CA or a key: what is in --dir is reused, and only what is missing is made.
// snippets/MtlsDemo.java does steps 1-4 in one method of your own code (docs/use-in-your-code.md).

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tutorial.java", mixinStandardHelpOptions = true, version = "jbang-mtls tutorial 0.1",
        description = "Replays the mTLS tutorial: CA, service A (no client auth), service B (client "
                + "certificate required), and the checks of its section 4.3. Exits 0 when all match.",
        sortOptions = false)
public class tutorial implements Callable<Integer> {

    @Mixin Cli.Dir dir;

    @Option(names = "--port-a", defaultValue = "7443",
            description = "Service A's port, as in the tutorial; a free one if busy, any free one if 0.")
    int portA;

    @Option(names = "--port-b", defaultValue = "8443",
            description = "Service B's port, as in the tutorial; a free one if busy, any free one if 0.")
    int portB;

    @Option(names = {"-v", "--verbose"}, description = "Also print the services' request logs.")
    boolean verbose;

    @Mixin Cli.Debug debug;

    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.run(new tutorial(), args));
    }

    /** One check of section 4.3: what the tutorial ran, what we run, what it expects, what we got. */
    public record Check(String section, String title, String tutorialCommand, String ourCommand,
                        String expected, String got, String explanation, boolean matches) {}

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<String> logs = new ArrayList<>();
        List<Check> checks = replay(dir.dir, portA, portB, out, line -> {
            synchronized (logs) { logs.add(line); }
            if (verbose) out.println("    | " + line);
        });
        long matched = checks.stream().filter(Check::matches).count();
        out.printf("%n%d of %d checks match the tutorial.%n", matched, checks.size());
        return matched == checks.size() ? 0 : 1;
    }

    /**
     * The whole replay; prints as it goes and returns every check. Services are stopped before it
     * returns, whatever happens.
     */
    public static List<Check> replay(Path dir, int wantA, int wantB, PrintWriter out,
                                     java.util.function.Consumer<String> serviceLog) {
        out.println("== Steps 1-3: the root CA and the certificates of service A and service B");
        makePki(dir, out);

        int pa = portOr(wantA, -1), pb = portOr(wantB, pa);
        if ((wantA != 0 && pa != wantA) || (wantB != 0 && pb != wantB))
            out.printf("Note: port %d or %d is busy, so this run uses %d and %d.%n", wantA, wantB, pa, pb);
        String a = "service-a.example.com", b = "service-b.example.com";
        String resolveA = a + ":" + pa + ":127.0.0.1", resolveB = b + ":" + pb + ":127.0.0.1";

        out.println();
        out.println("== Step 4.2: service A (no client certificate asked) and service B (client certificate required)");
        var configB = serve.config("service-b", dir, pb, TlsServer.ClientAuth.NEED).withLog(l -> serviceLog.accept("service-b " + l));
        var configA = serve.config("service-a", dir, pa, TlsServer.ClientAuth.NONE)
                .withPeer(URI.create("https://" + b + ":" + pb), List.of(resolveB))
                .withLog(l -> serviceLog.accept("service-a " + l));
        out.printf("  ./jbang serve.java --name service-b --port %d --client-auth need%n", pb);
        out.printf("  ./jbang serve.java --name service-a --port %d --client-auth none --peer https://%s:%d --resolve %s%n",
                pa, b, pb, resolveB);
        try (var sb = Service.start(configB); var sa = Service.start(configA)) {
            out.println("  Both services are up. Names map to 127.0.0.1 with --resolve: no /etc/hosts edit, no root.");
            return runChecks(dir, a, pa, resolveA, b, pb, resolveB, out);
        }
    }

    /** Steps 1-3: reuse what --dir holds, make only what is missing, and check that it belongs together. */
    static void makePki(Path dir, PrintWriter out) {
        Pki pki = Pki.of(dir);
        Path caCrt = pki.caCert(), caKey = pki.caKey();
        if (Files.exists(caCrt) || Files.exists(caKey)) {
            out.println("  Reusing the CA in " + dir + " (tutorial 1: openssl genrsa, req, x509 -signkey).");
        } else {
            out.println("  $ ./jbang ca.java --dir " + Text.arg(dir) + "      (tutorial 1: openssl genrsa, req, x509 -signkey)");
            SigningCa made = SigningCa.loadOrMake(pki, () -> null); // what ca.java makes with no options
            out.println("Created a root CA:");
            out.print(Describe.certificate(made.cert()));
            SafeFiles.printWritten(out, made.made(), made.write(false));
            if (SafeFiles.restrictFolder(dir)) out.println("Note: " + dir + " is now mode 0700, as it holds a CA key.");
        }
        X509Certificate ca = Pem.certificate(caCrt, "CA certificate");
        List<String> missing = new ArrayList<>();
        for (String svc : List.of("service-a", "service-b")) {
            Path crt = pki.cert(svc), key = pki.key(svc);
            if (!Files.exists(crt) && !Files.exists(key)) { missing.add(svc + ".example.com"); continue; }
            if (!Files.exists(crt) || !Files.exists(key))
                throw Cli.fail("%s has only one of %s.crt and %s.key; remove it or use another --dir", dir, svc, svc);
            checkSignedBy(Pem.certificate(crt, "certificate"), ca, crt, caCrt);
            out.println("  Reusing " + crt + " and " + key + ".");
        }
        if (!missing.isEmpty()) {
            out.println("  $ ./jbang issue.java --each " + String.join(" ", missing)
                    + "      (tutorial 2-3: genrsa, req, x509 -req -CA)");
            SigningCa signer = SigningCa.load(caCrt, caKey, () -> {
                throw Cli.fail("the CA key %s is encrypted; tutorial.java uses a CA without a password, so use another --dir", caKey);
            });
            var result = Issuer.issue(missing.stream().map(n -> Issuer.forNames(pki, Certs.Usage.SERVER_AND_CLIENT, Keys.KeyType.RSA, n)).toList(),
                    signer, Issuer.forDays(365));
            for (Issuer.Issued i : result.issued()) {
                out.println("Issued a certificate signed by " + caCrt + ":");
                out.print(i.description());
            }
            SafeFiles.printWritten(out, result.files(), result.backups());
        }
    }

    private static void checkSignedBy(X509Certificate leaf, X509Certificate ca, Path leafFile, Path caFile) {
        try {
            leaf.verify(ca.getPublicKey());
            leaf.checkValidity();
        } catch (java.security.cert.CertificateExpiredException | java.security.cert.CertificateNotYetValidException e) {
            throw Cli.fail("%s is expired or not yet valid; renew it with ./jbang issue.java renew %s", leafFile, Text.arg(leafFile));
        } catch (Exception e) {
            throw Cli.fail("%s was not signed by %s; use another --dir for the tutorial", leafFile, caFile);
        }
    }

    /** Section 4.3: the curl checks, made with client.java, and the service A routes that call B. */
    static List<Check> runChecks(Path dir, String a, int pa, String resolveA, String b, int pb, String resolveB,
                                 PrintWriter out) {
        Path ca = dir.resolve("ca.crt");
        String urlA = "https://" + a + ":" + pa, urlB = "https://" + b + ":" + pb;
        String cacert = "--cacert " + ca + " ";
        List<Check> checks = new ArrayList<>();

        checks.add(probe(out, "4.3.1", "Service A answers; the CA is trusted",
                "curl https://service-a.example.com:7443",
                client.Options.of(urlA + "/").withCacert(ca).withResolve(resolveA),
                cacert + "--resolve " + resolveA + " " + urlA + "/",
                "Hello from \"service-a\"", r -> r.exitCode() == 0 && r.body().strip().equals("Hello from \"service-a\"")));

        checks.add(probe(out, "1.4", "Without trusting the CA (the tutorial adds it to the OS store), A is refused",
                "curl https://service-a.example.com:7443   (CA not in the system store)",
                client.Options.of(urlA + "/").withResolve(resolveA),
                "--resolve " + resolveA + " " + urlA + "/",
                "server certificate not trusted (exit 60)", r -> r.problem() == Diagnosis.Problem.SERVER_UNTRUSTED));

        checks.add(probe(out, "4.3.2", "Service B refuses a caller without a client certificate",
                "curl https://service-b.example.com:8443",
                client.Options.of(urlB + "/").withCacert(ca).withResolve(resolveB),
                cacert + "--resolve " + resolveB + " " + urlB + "/",
                "server requires a client certificate (tutorial: alert certificate required)",
                r -> r.problem() == Diagnosis.Problem.CLIENT_CERT_REQUIRED));

        checks.add(probe(out, "4.3.2", "Service B answers a caller with a client certificate",
                "curl --cacert ca.crt --key service-b.key --cert service-b.crt https://service-b.example.com:8443",
                client.Options.of(urlB + "/").withCacert(ca).withCert(dir.resolve("service-b.crt"), dir.resolve("service-b.key"))
                        .withResolve(resolveB),
                cacert + "--cert " + dir.resolve("service-b.crt") + " --key " + dir.resolve("service-b.key")
                        + " --resolve " + resolveB + " " + urlB + "/",
                "Hello from \"service-b\"", r -> r.exitCode() == 0 && r.body().strip().equals("Hello from \"service-b\"")));

        checks.add(route(out, "4.3.3", "A calls B with its certificate, its key and the CA", ca, urlA, resolveA, "/w-mtls",
                "Hello from \"service-b\"", body -> body.strip().equals("Hello from \"service-b\"")));
        checks.add(route(out, "4.3.4", "A calls B without a client certificate", ca, urlA, resolveA, "/wo-cert-mtls",
                "an error: B requires a client certificate (tutorial: SSLEOFError / CERTIFICATE_REQUIRED)",
                body -> firstLine(body).equals("error: " + Diagnosis.Problem.CLIENT_CERT_REQUIRED.title)));
        checks.add(route(out, "4.3.5", "A calls B with its certificate but without trusting the CA", ca, urlA, resolveA,
                "/wo-ca-mtls",
                "an error: B's certificate is not trusted (tutorial: CERTIFICATE_VERIFY_FAILED, self-signed certificate in chain)",
                body -> firstLine(body).equals("error: " + Diagnosis.Problem.SERVER_UNTRUSTED.title)));
        return checks;
    }

    private static Check probe(PrintWriter out, String section, String title, String tutorialCmd, client.Options o,
                               String ourArgs, String expected, Predicate<client.Result> ok) {
        client.Result r = client.probe(o);
        String got = r.exitCode() == 0 ? r.body().strip()
                : r.problem().title + " (exit " + r.exitCode() + ")";
        return report(out, new Check(section, title, tutorialCmd, "./jbang client.java " + ourArgs, expected, got,
                r.explanation(), ok.test(r)));
    }

    private static Check route(PrintWriter out, String section, String title, Path ca, String urlA, String resolveA,
                               String path, String expected, Predicate<String> ok) {
        String tutorialCmd = "curl https://service-a.example.com:7443" + path;
        client.Result r = client.probe(client.Options.of(urlA + path).withCacert(ca).withResolve(resolveA));
        String body = r.exitCode() == 0 ? r.body().strip() : "";
        // serve.java answers a failed peer call with "error: HEADLINE\nEXPLANATION" (HTTP 200, as the tutorial).
        String got = r.exitCode() != 0 ? r.problem().title + " (exit " + r.exitCode() + ")" : firstLine(body);
        String explanation = r.exitCode() != 0 ? r.explanation()
                : body.contains("\n") ? body.substring(body.indexOf('\n') + 1) : null;
        return report(out, new Check(section, title, tutorialCmd,
                "./jbang client.java --cacert " + ca + " --resolve " + resolveA + " " + urlA + path,
                expected, got, explanation, r.exitCode() == 0 && ok.test(body)));
    }

    private static Check report(PrintWriter out, Check c) {
        out.println();
        out.printf("== %s %s%n", c.section(), c.title());
        out.println("  tutorial: " + c.tutorialCommand());
        out.println("  ours:     " + c.ourCommand());
        out.println("  expected: " + c.expected());
        out.println("  got:      " + c.got());
        if (c.explanation() != null) out.println(wrap(c.explanation(), "            ", 100));
        out.println("  " + (c.matches() ? "MATCHES the tutorial" : "DOES NOT MATCH the tutorial"));
        out.flush();
        return c;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** The explanation paragraph, wrapped for a terminal. */
    static String wrap(String text, String prefix, int width) {
        StringBuilder all = new StringBuilder(), line = new StringBuilder(prefix);
        for (String word : text.strip().split("\\s+")) {
            if (line.length() > prefix.length() && line.length() + 1 + word.length() > width) {
                all.append(line).append('\n');
                line = new StringBuilder(prefix);
            }
            if (line.length() > prefix.length()) line.append(' ');
            line.append(word);
        }
        return all.append(line).toString();
    }

    /** The port asked for when it is free on 127.0.0.1 (0: any), else any free one other than taken. */
    static int portOr(int wanted, int taken) {
        if (wanted != 0 && wanted != taken) {
            try (ServerSocket s = new ServerSocket(wanted, 1, InetAddress.getLoopbackAddress())) {
                return wanted;
            } catch (Exception busy) {
                // fall through to a free port
            }
        }
        for (int i = 0; i < 10; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                if (s.getLocalPort() != taken) return s.getLocalPort();
            } catch (Exception e) {
                throw Cli.fail(e, "cannot find a free port on 127.0.0.1: %s", Text.of(e));
            }
        }
        throw Cli.fail("cannot find a free port on 127.0.0.1");
    }
}
