import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command a script suggests ("Next:", "Fix:", "To replace it ...", "Renew it with ...") runs as
 * printed: each test provokes a suggestion the way a user would, in a fresh copy of the repository
 * with ./jbang, a --dir with a space in its name and encrypted keys whose passwords come from the
 * environment, then runs the suggested command exactly as printed, in the same folder, and checks
 * that it did what the message said.
 */
@Tag("process")
class SuggestionsTest {
    @TempDir static Path work;
    static Path repo;

    /** The passwords of the CA keys and the service keys, given as env:CA_PW and env:KEY_PW. */
    static final Map<String, String> ENV = Map.of("CA_PW", "ca-Pw-81x", "KEY_PW", "key-Pw-27m");

    @BeforeAll
    static void copy() throws Exception {
        Support.requireTool("openssl", "openssl");
        repo = Support.freshCopy(Files.createDirectories(work.resolve("repo")));
    }

    /** A command line in the copy, as a user types it in a shell there. */
    static Support.Result sh(String command) {
        return Support.exec(repo, ENV, Support.WAIT.multipliedBy(3), List.of("bash", "-c", command));
    }

    static Support.Result ok(String command) {
        Support.Result r = sh(command);
        assertEquals(0, r.code(), () -> "`" + command + "` failed:\n" + r.all());
        return r;
    }

    /**
     * The ./jbang command printed after `before`: up to the end of its sentence (". ", "; ", " (",
     * ")" or the end of the line). The test paths hold none of those.
     */
    static String suggested(String text, String before) {
        int i = text.indexOf(before);
        assertTrue(i >= 0, () -> "no \"" + before + "\" in:\n" + text);
        Matcher m = Pattern.compile("\\A(\\./jbang .*?)(?=\\. |\\.$|; | \\(|\\)|$)", Pattern.MULTILINE)
                .matcher(text.substring(i + before.length()));
        assertTrue(m.find(), () -> "no ./jbang command after \"" + before + "\" in:\n" + text);
        return m.group(1);
    }

    /** A certificate of dir's CA (its key not encrypted) that expired yesterday, its key encrypted with KEY_PW. */
    static void expired(Path dir, String name, String dnsName) throws Exception {
        X509Certificate ca = Pem.certificate(dir.resolve("ca.crt"), "CA certificate");
        PrivateKey caKey = Cli.readKey(dir.resolve("ca.key"), "CA key", null, "--ca-key-password");
        KeyPair kp = Support.ec();
        Instant end = Instant.now().minus(1, ChronoUnit.DAYS);
        X509Certificate c = Certs.leaf(kp.getPublic(), new X500Name("CN=" + dnsName), List.of(new GeneralName(GeneralName.dNSName, dnsName)),
                Certs.Usage.SERVER_AND_CLIENT, ca, caKey, end.minus(10, ChronoUnit.DAYS), end);
        Files.writeString(dir.resolve(name + ".crt"), Certs.pem(c));
        Files.writeString(dir.resolve(name + ".key"), Pem.key(kp.getPrivate(), ENV.get("KEY_PW").toCharArray()));
    }

    // ------------------------------------------------------------------ ca.java

    /**
     * ca.java with an encrypted key: its "Next:" issues a certificate with that key's password. Run
     * again, it refuses to replace the CA, and the command it suggests replaces it and re-issues what
     * the old one signed, so the certificates chain to the new CA.
     */
    @Test
    void caSuggestsIssuingWithItsPasswordAndReplacingWithTheReissue() {
        String ca = "./jbang ca.java --dir 'my pki' --key-type ec --key-password env:CA_PW";
        String next = suggested(ok(ca).out(), "Next: ");
        assertEquals("./jbang issue.java --dir 'my pki' --ca-key-password env:CA_PW service-a.example.com", next);
        ok(next);

        String replace = replaceSuggested(ca);
        assertEquals(ca + " --force && ./jbang issue.java renew --any-issuer --ca-key-password env:CA_PW 'my pki/service-a.crt'", replace);
        String oldCa = Support.read(repo.resolve("my pki/ca.crt"));
        ok(replace);
        assertFalse(oldCa.equals(Support.read(repo.resolve("my pki/ca.crt"))), "the CA was not replaced");
        Support.assertVerifyOk(repo.resolve("my pki"), "ca.crt", "service-a.crt", "sslserver", true);
    }

    /** Runs a CA command again: it refuses to replace the CA, and suggests the command that does, re-issuing too. */
    static String replaceSuggested(String caCommand) {
        return fixFor(caCommand, 1, "To replace it and re-issue them, signed by the new CA: ");
    }

    /** The same for an intermediate CA, whose certificates are renewed with --ca and its own password. */
    @Test
    void intermediateSuggestsIssuingWithItAndReplacingWithTheReissue() {
        ok("./jbang ca.java --dir 'sub pki' --key-type ec");
        String sub = "./jbang ca.java intermediate --dir 'sub pki' --key-type ec --key-password env:CA_PW";
        String next = suggested(ok(sub).out(), "Next: ");
        assertEquals("./jbang issue.java --dir 'sub pki' --ca 'sub pki/sub-ca.crt' --ca-key-password env:CA_PW service-a.example.com", next);
        ok(next);

        String replace = replaceSuggested(sub);
        ok(replace);
        Support.Result v = Support.exec(repo.resolve("sub pki"), "openssl", "verify", "-x509_strict", "-CAfile", "ca.crt",
                "-untrusted", "service-a.crt", "service-a.crt");
        assertEquals(0, v.code(), () -> replace + "\n" + v.all());
    }

    /** ca.java revoke: the CRL's next update must be pushed out in time, with the command it names. */
    @Test
    void revokeSuggestsRenewingTheCrlWithTheSameOptions() {
        ok("./jbang ca.java --dir 'rv pki' --key-type ec --key-password env:CA_PW");
        ok("./jbang issue.java --dir 'rv pki' --key-type ec --ca-key-password env:CA_PW --each service-a.example.com service-b.example.com");
        Support.Result revoked = ok("./jbang ca.java revoke --dir 'rv pki' --ca-key-password env:CA_PW 'rv pki/service-a.crt'");
        String again = suggested(revoked.out(), "Note: run ");
        // The service it names to enforce the CRL is a real one that is not revoked, in the same folder.
        assertTrue(revoked.out().contains("Next: ./jbang serve.java --dir 'rv pki' --name service-b --crl 'rv pki/ca.crl' refuses "),
                revoked::out);
        assertEquals("./jbang ca.java revoke --dir 'rv pki' --ca-key-password env:CA_PW", again.replaceAll(" again before.*", ""));
        assertTrue(ok(again.replaceAll(" again before.*", "")).out().contains("The CRL now lists 1 revoked certificate (CRL number 2)"));
    }

    // ------------------------------------------------------------------ inspect.java --lint

    /** A leaf linted alone: the note names the command that lints it with its CA. An expired one: the renewal. */
    @Test
    void lintSuggestsItsCaAndTheRenewal() throws Exception {
        ok("./jbang ca.java --dir 'lint pki' --key-type ec");
        ok("./jbang issue.java --dir 'lint pki' --key-type ec service-a.example.com");
        String withCa = suggested(ok("./jbang inspect.java --lint 'lint pki/service-a.crt'").out(), "name its CA too: ");
        assertEquals("./jbang inspect.java --lint 'lint pki/ca.crt' 'lint pki/service-a.crt'", withCa);
        Support.Result both = ok(withCa);
        assertFalse(both.out().contains("was not given"), both::out);

        Support.certificate(repo.resolve("lint pki"), "old", "old.example.com", Certs.Usage.SERVER_AND_CLIENT,
                Instant.now().minus(11, ChronoUnit.DAYS), Instant.now().minus(1, ChronoUnit.DAYS));
        String renew = fixFor("./jbang inspect.java --lint 'lint pki/old.crt'", inspect.LINT_ERRORS, "Fix: renew it: ");
        assertEquals("./jbang issue.java renew 'lint pki/old.crt'", renew);
        ok(renew);
        ok("./jbang inspect.java --lint 'lint pki/ca.crt' 'lint pki/old.crt'");

        // A server-only certificate linted for client use: the re-issue it names, with the real name and folder, runs as typed.
        ok("./jbang issue.java --dir 'lint pki' --key-type ec --server-only --name so service-s.example.com");
        String reissue = fixFor("./jbang inspect.java --lint --purpose client 'lint pki/ca.crt' 'lint pki/so.crt'",
                inspect.LINT_ERRORS, "Fix: issue it with clientAuth: ");
        assertEquals("./jbang issue.java --dir 'lint pki' --force --name so service-s.example.com", reissue);
        ok(reissue);
        ok("./jbang inspect.java --lint --purpose client 'lint pki/ca.crt' 'lint pki/so.crt'");
    }

    /** Runs a command that must fail with exitCode, and returns the fix it names (on stdout or stderr) after before. */
    static String fixFor(String command, int exitCode, String before) {
        Support.Result r = sh(command);
        assertEquals(exitCode, r.code(), r::all);
        return suggested(r.out() + "\n" + r.err(), before);
    }

    // ------------------------------------------------------------------ serve.java and client.java

    /**
     * serve.java as a process, and client.java against it: a host name the server's certificate lacks,
     * an expired client certificate with an encrypted key, no client certificate, nothing listening,
     * and serve.java's own expired certificate. Each suggestion runs as printed and the call then works.
     */
    @Test
    void serveAndClientSuggestionsRunAsPrinted() throws Exception {
        Path pki = repo.resolve("srv pki");
        ok("./jbang ca.java --dir 'srv pki' --key-type ec");
        ok("./jbang issue.java --dir 'srv pki' --key-type ec --each service-a.example.com service-b.example.com");
        int port = Support.freePort();
        Process serve = Support.start(repo, ENV, work.resolve("serve.log"), List.of("bash", "-c",
                "exec ./jbang serve.java --dir 'srv pki' --name service-b --port " + port));
        try {
            Support.awaitPort(port, Duration.ofSeconds(120), serve, work.resolve("serve.log"));
            String resolve = " --resolve service-b.example.com:" + port + ":127.0.0.1 https://service-b.example.com:" + port + "/";
            String asA = "./jbang client.java --dir 'srv pki' --cert 'srv pki/service-a.crt' --key 'srv pki/service-a.key'";

            // A name the certificate lacks: re-issue it with that name added; serve.java picks it up.
            String local = asA + " --resolve localhost:" + port + ":127.0.0.1 https://localhost:" + port + "/";
            String reissue = fixFor(local, Diagnosis.Problem.HOSTNAME_MISMATCH.exitCode, "where the server's files are: ");
            assertEquals("./jbang issue.java --dir 'srv pki' --force --name service-b service-b.example.com localhost", reissue);
            ok(reissue);
            awaitSuccess(local);

            // Our certificate expired, and its key is encrypted: the renewal reads it with our --key-password.
            expired(pki, "old-client", "old-client.example.com");
            String asOld = "./jbang client.java --dir 'srv pki' --cert 'srv pki/old-client.crt' --key 'srv pki/old-client.key' "
                    + "--key-password env:KEY_PW" + resolve;
            String renew = fixFor(asOld, Diagnosis.Problem.CLIENT_CERT_REJECTED.exitCode, "Fix: renew it: ");
            assertEquals("./jbang issue.java renew --key-password env:KEY_PW 'srv pki/old-client.crt'", renew);
            ok(renew);
            ok(asOld);

            // No client certificate: the flags it names, added to the same command, make it work.
            String anonymous = "./jbang client.java --dir 'srv pki'" + resolve;
            Support.Result none = sh(anonymous);
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REQUIRED.exitCode, none.code(), none::all);
            Matcher flags = Pattern.compile("e\\.g\\. (--cert .*? --key .*?)\\. \\(Seen as").matcher(none.err());
            assertTrue(flags.find(), none::err);
            assertEquals("--cert 'srv pki/service-a.crt' --key 'srv pki/service-a.key'", flags.group(1));
            ok("./jbang client.java --dir 'srv pki' " + flags.group(1) + resolve);
        } finally {
            Support.stop(serve);
        }

        // Nothing listens: the command that starts the service, which then answers.
        int free = Support.freePort();
        String start = fixFor("./jbang client.java --dir 'srv pki' --cert 'srv pki/service-a.crt' --key 'srv pki/service-a.key'"
                + " --resolve service-b.example.com:" + free + ":127.0.0.1 https://service-b.example.com:" + free + "/",
                Diagnosis.Problem.CANNOT_CONNECT.exitCode, "Fix: start the service (");
        assertEquals("./jbang serve.java --dir 'srv pki' --name service-b --port " + free, start);
        Path log = work.resolve("started.log");
        Process started = Support.start(repo, ENV, log, List.of("bash", "-c", "exec " + start));
        try {
            Support.awaitPort(free, Duration.ofSeconds(120), started, log);
        } finally {
            Support.stop(started);
        }

        // serve.java's own certificate expired, its key encrypted: the renewal it suggests takes the password.
        expired(pki, "old-server", "old-server.example.com");
        int p2 = Support.freePort();
        Path log2 = work.resolve("expired.log");
        Process expiredServe = Support.start(repo, ENV, log2, List.of("bash", "-c", "exec ./jbang serve.java --dir 'srv pki' --name old-server "
                + "--cert 'srv pki/old-server.crt' --key 'srv pki/old-server.key' --key-password env:KEY_PW --port " + p2));
        try {
            Support.awaitPort(p2, Duration.ofSeconds(120), expiredServe, log2);
        } finally {
            Support.stop(expiredServe);
        }
        String renewServer = suggested(Support.read(log2), "Renew it with ");
        assertEquals("./jbang issue.java renew 'srv pki/old-server.crt' --key-password env:KEY_PW", renewServer);
        ok(renewServer);
        Support.assertVerifyOk(pki, "ca.crt", "old-server.crt", "sslserver", true);
    }

    /**
     * The tutorial by hand: --dir hand, service A's key encrypted (its password in $KEY_PW). client.java
     * without a certificate (tutorial 4.3.2), serve.java's /wo-cert-mtls (4.3.4) and trust.java's Java
     * truststore hint each print a fix; each runs as printed, in the folder the user is in, and works.
     */
    @Test
    void handFolderWithAnEncryptedKeySuggestionsRunAsPrinted() throws Exception {
        ok("./jbang ca.java --dir hand --key-type ec");
        ok("./jbang issue.java --dir hand --key-type ec --key-password env:KEY_PW service-a.example.com");
        ok("./jbang issue.java --dir hand --key-type ec service-b.example.com");
        assertTrue(Support.read(repo.resolve("hand/service-a.key")).contains("ENCRYPTED"), "service-a's key should be encrypted");
        int pb = Support.freePort(), pa = Support.freePort();
        String resolveB = " --resolve service-b.example.com:" + pb + ":127.0.0.1 https://service-b.example.com:" + pb + "/";
        Process b = Support.start(repo, ENV, work.resolve("hand-b.log"), List.of("bash", "-c",
                "exec ./jbang serve.java --dir hand --name service-b --port " + pb));
        Process a = Support.start(repo, ENV, work.resolve("hand-a.log"), List.of("bash", "-c",
                "exec ./jbang serve.java --dir hand --name service-a --port " + pa + " --client-auth none --key-password env:KEY_PW"
                        + " --peer https://service-b.example.com:" + pb + " --resolve service-b.example.com:" + pb + ":127.0.0.1"));
        try {
            Support.awaitPort(pb, Duration.ofSeconds(120), b, work.resolve("hand-b.log"));
            Support.awaitPort(pa, Duration.ofSeconds(120), a, work.resolve("hand-a.log"));

            // 4.3.2: no client certificate. The fix names hand/ and the password form the user gave.
            Support.Result none = sh("./jbang client.java --dir hand --key-password env:KEY_PW" + resolveB);
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REQUIRED.exitCode, none.code(), none::all);
            String flags = certFlags(none.err());
            assertEquals("--cert hand/service-a.crt --key hand/service-a.key --key-password env:KEY_PW", flags);
            assertTrue(ok("./jbang client.java --dir hand " + flags + resolveB).out().contains("Hello from \"service-b\""));
            // Without a password form given, the fix asks on the terminal rather than leaving the password out.
            Support.Result asked = sh("./jbang client.java --dir hand" + resolveB);
            assertEquals("--cert hand/service-a.crt --key hand/service-a.key --key-password prompt", certFlags(asked.err()), asked::all);

            // 4.3.4: service A calls B without a certificate; its fix names A's folder and password form.
            Support.Result woCert = ok("curl -sS --max-time 30 --cacert hand/ca.crt --resolve service-a.example.com:" + pa
                    + ":127.0.0.1 https://service-a.example.com:" + pa + "/wo-cert-mtls");
            assertTrue(woCert.out().startsWith("error: " + Diagnosis.Problem.CLIENT_CERT_REQUIRED.title), woCert::all);
            String aFlags = certFlags(woCert.out());
            assertEquals("--cert hand/service-a.crt --key hand/service-a.key --key-password env:KEY_PW", aFlags);
            assertTrue(ok("./jbang client.java --dir hand " + aFlags + resolveB).out().contains("Hello from \"service-b\""));
        } finally {
            Support.stop(a);
            Support.stop(b);
        }

        // trust.java: the Java truststore it names is the one its hint makes, in hand/.
        Files.createDirectories(repo.resolve("hand-rootfs/usr/local/share/ca-certificates"));
        Support.Result install = ok("./jbang trust.java install --dir hand --root hand-rootfs --system-layout debian");
        Matcher java = Pattern.compile("-Djavax\\.net\\.ssl\\.trustStore=(\\S+) ").matcher(install.out());
        assertTrue(java.find(), install::out);
        assertEquals("hand/truststore.p12", java.group(1));
        String make = suggested(install.out(), "(make it: ");
        assertEquals("./jbang trust.java export --dir hand --format truststore", make);
        ok(make);
        assertTrue(Files.isRegularFile(repo.resolve("hand/truststore.p12")), "the hint's command wrote no hand/truststore.p12");
    }

    /** The client flags in a "no client certificate" fix: "e.g. --cert ... --key ...[ --key-password SPEC]". */
    static String certFlags(String text) {
        Matcher m = Pattern.compile("e\\.g\\. (--cert .*? --key .*?)\\. \\(Seen as").matcher(text);
        assertTrue(m.find(), () -> "no fix with --cert in:\n" + text);
        return m.group(1);
    }

    /** Retries a command until it succeeds (serve.java reloads its files within seconds); at most 30 s. */
    static void awaitSuccess(String command) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Support.Result r;
        do {
            r = sh(command);
            if (r.code() == 0) return;
            Support.sleep(500);
        } while (System.nanoTime() < end);
        Support.Result last = r;
        throw new AssertionError("`" + command + "` still fails after 30 s:\n" + last.all());
    }
}
