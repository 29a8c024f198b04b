import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets: private keys and passwords never appear in what ca.java and issue.java print,
 * on success or failure, with --debug or without. Passwords come as pass:, file: and env: (the last
 * in a child process, since a JVM cannot set its own environment); every output is searched for each
 * password, for a "-----BEGIN ... PRIVATE KEY-----" block, and for every base64 line of every key file written or read, in its
 * PEM form and decrypted.
 */
class SecretsTest {
    static final String PASS = "Pw-pass-Zq81x", FILE = "Pw-file-Hv55r", ENV = "Pw-env-Kj27m", P12 = "Pw-p12-Lm40d",
            WRONG = "Pw-wrong-Ty99u", RAW = "Pw-raw-Bx63s";

    @TempDir Path tmp;
    final List<String> outputs = new ArrayList<>();

    Support.Result cli(Object command, String... args) {
        var r = Support.cli(command, args);
        outputs.add(String.join(" ", args) + "\n" + r.all());
        return r;
    }

    Support.Result java(Map<String, String> env, String script, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), script));
        cmd.addAll(List.of(args));
        var r = Support.exec(tmp, env, Support.WAIT, cmd);
        outputs.add(String.join(" ", args) + "\n" + r.all());
        return r;
    }

    @Tag("process")
    @Test
    void noPasswordOrKeyMaterialInAnyOutput() throws Exception {
        Path pwFile = tmp.resolve("pw.txt"), wrongFile = tmp.resolve("wrong.txt");
        Files.writeString(pwFile, FILE + "\n");
        Files.writeString(wrongFile, WRONG + "\n");
        Path ca = tmp.resolve("ca"), out = tmp.resolve("out"), bad = Files.createDirectories(tmp.resolve("bad"));
        String crt = ca.resolve("ca.crt").toString(), key = ca.resolve("ca.key").toString();

        // Successes: an encrypted CA key (pass:), an encrypted leaf key (file:), a .p12 with its own password.
        cli(new ca(), "--dir", ca.toString(), "--key-type", "ec", "--key-password", "pass:" + PASS).expectOk();
        cli(new issue(), "--dir", out.toString(), "--ca", crt, "--ca-key", key, "--ca-key-password", "pass:" + PASS,
                "--key-type", "ec", "--key-password", "file:" + pwFile, "--p12", "--p12-password", "pass:" + P12,
                "--chain", "svc.example.com").expectOk();
        cli(new issue(), "--dir", out.toString(), "--ca", crt, "--ca-key", key, "--ca-key-password", "pass:" + PASS,
                "--key-type", "ec", "--key-password", RAW, "--p12", "raw.example.com").expectOk();
        cli(new issue(), "--dir", out.toString(), "--ca", crt, "--ca-key", key, "--ca-key-password", "pass:" + PASS,
                "--key-type", "ec", "--key-password", "file:" + pwFile, "--skip-existing", "--each", "svc.example.com",
                "new.example.com").expectOk();

        // Failures, each with and without --debug: wrong passwords, damaged and misplaced key files.
        String k = Files.readString(ca.resolve("ca.key"));
        Files.writeString(bad.resolve("truncated.key"), k.substring(0, k.length() / 2));
        Files.writeString(bad.resolve("damaged.key"), k.substring(0, 100) + "%%%%" + k.substring(104));
        Files.writeString(bad.resolve("no-end.key"), k.replaceAll("-----END[^\n]*\n", ""));
        Files.writeString(bad.resolve("relabelled.key"), k.replace("ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY"));
        for (boolean debug : List.of(false, true)) {
            List<List<String>> failing = List.of(
                    List.of("--ca-key", key, "--ca-key-password", "pass:" + WRONG),
                    List.of("--ca-key", key, "--ca-key-password", WRONG),
                    List.of("--ca-key", key, "--ca-key-password", "file:" + wrongFile),
                    List.of("--ca-key", key),
                    List.of("--ca-key", bad.resolve("truncated.key").toString(), "--ca-key-password", "pass:" + PASS),
                    List.of("--ca-key", bad.resolve("damaged.key").toString(), "--ca-key-password", "pass:" + PASS),
                    List.of("--ca-key", bad.resolve("no-end.key").toString(), "--ca-key-password", "pass:" + PASS),
                    List.of("--ca-key", bad.resolve("relabelled.key").toString(), "--ca-key-password", "pass:" + PASS),
                    List.of("--ca-key", crt, "--ca-key-password", "pass:" + PASS),
                    List.of("--ca-key", key, "--ca-key-password", "pass:" + PASS, "--csr", key),
                    List.of("--ca-key", out.resolve("svc.key").toString(), "--ca-key-password", "file:" + pwFile),
                    List.of("--ca-key", key, "--ca-key-password", "pass:" + PASS, "--days", "0", "--key-password", RAW),
                    List.of("--ca-key", key, "--ca-key-password", "pass:" + PASS, "--ca-key-pasword", RAW),
                    List.of("--dir", out.toString(), "--ca-key", key, "--ca-key-password", "pass:" + PASS, "--key-password",
                            "pass:" + RAW, "--skip-existing", "--key-type", "ec", "--each", "svc.example.com"));
            for (List<String> f : failing) {
                List<String> args = new ArrayList<>(List.of("--ca", crt));
                if (!f.contains("--dir")) args.addAll(List.of("--dir", tmp.resolve("never").toString()));
                args.addAll(f);
                if (!f.contains("--csr") && !f.contains("--each")) args.add("x.example.com");
                if (debug) args.add("--debug");
                var r = cli(new issue(), args.toArray(String[]::new));
                assertNotEquals(0, r.code(), () -> "expected a failure: " + args + "\n" + r.all());
            }
            // Arguments that name a key file where a name or a password goes are not read as files.
            var r = cli(new issue(), "--dir", tmp.resolve("never").toString(), "--ca", crt, "--ca-key", key,
                    "--ca-key-password", "pass:" + PASS, "@" + key);
            assertNotEquals(0, r.code(), r.all());
            r = cli(new ca(), "--dir", tmp.resolve("never2").toString(), "--key-pasword", RAW);
            assertEquals(2, r.code(), r.all());
            assertTrue(r.err().contains("--key-pasword") && !r.err().contains(RAW), r.err());
        }

        // env: in child processes, where the variable is really set; with and without --debug.
        Path envCa = tmp.resolve("env-ca");
        Map<String, String> env = Map.of("JBM_CA_PW", ENV, "JBM_WRONG_PW", WRONG);
        java(env, "ca", "--dir", envCa.toString(), "--key-type", "ec", "--key-password", "env:JBM_CA_PW").expectOk();
        java(env, "issue", "--dir", tmp.resolve("env-out").toString(), "--ca", envCa.resolve("ca.crt").toString(),
                "--ca-key", envCa.resolve("ca.key").toString(), "--ca-key-password", "env:JBM_CA_PW",
                "--key-password", "env:JBM_CA_PW", "--key-type", "ec", "--p12", "envsvc.example.com").expectOk();
        for (boolean debug : List.of(false, true)) {
            List<String> args = new ArrayList<>(List.of("--dir", tmp.resolve("never").toString(), "--ca",
                    envCa.resolve("ca.crt").toString(), "--ca-key", envCa.resolve("ca.key").toString(),
                    "--ca-key-password", "env:JBM_WRONG_PW", "x.example.com"));
            if (debug) args.add("--debug");
            var r = java(env, "issue", args.toArray(String[]::new));
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().contains("wrong password"), r.err());
        }

        // What must never appear: each password, and each key as stored and decrypted.
        Set<String> secrets = new LinkedHashSet<>(List.of(PASS, FILE, ENV, P12, WRONG, RAW));
        Map<Path, String> keyFiles = Map.of(ca.resolve("ca.key"), "pass:" + PASS, out.resolve("svc.key"), "file:" + pwFile,
                out.resolve("raw.key"), RAW, out.resolve("new.key"), "file:" + pwFile, envCa.resolve("ca.key"), "pass:" + ENV,
                tmp.resolve("env-out/envsvc.key"), "pass:" + ENV);
        for (var e : keyFiles.entrySet()) {
            secrets.addAll(base64Lines(Files.readString(e.getKey())));
            byte[] der = Cli.readKey(e.getKey(), "key", e.getValue(), "x").getEncoded();
            secrets.addAll(base64Lines(Certs.pem("PRIVATE KEY", der)));
        }
        try (Stream<Path> s = Files.list(out)) {
            for (Path p12 : s.filter(p -> p.toString().endsWith(".p12")).toList())
                secrets.addAll(base64Lines(Certs.pem("X", Files.readAllBytes(p12))));
        }
        assertTrue(secrets.size() > 60, "many key lines to look for: " + secrets.size());
        assertTrue(outputs.size() >= 40, "ran every case: " + outputs.size());
        for (String o : outputs) {
            String printed = o.substring(o.indexOf('\n') + 1); // the arguments themselves are not output
            for (String secret : secrets)
                assertFalse(printed.contains(secret), () -> "'" + secret + "' appears in the output of\n" + o);
            // A PEM key block printed whole. (Messages may name the kind, "found: PRIVATE KEY", and do.)
            assertFalse(printed.matches("(?s).*-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*"), () -> "a key block in\n" + o);
        }
    }

    /** Every base64 line of a PEM text, and its first 24 characters, which alone would identify it. */
    static List<String> base64Lines(String pem) {
        List<String> lines = new ArrayList<>();
        for (String line : pem.split("\n"))
            if (line.matches("[A-Za-z0-9+/=]{24,}")) {
                lines.add(line);
                lines.add(line.substring(0, 24));
            }
        return lines;
    }

    /** The reference's paragraph on passwords, and the guide to CA keys, recommend env: or prompt, and no page shows pass:. */
    @Test
    void theDocsRecommendEnvOrPromptForPasswords() throws Exception {
        for (String page : List.of("docs/reference.md", "docs/bring-your-own-ca.md"))
            assertTrue(Files.readString(Support.ROOT.resolve(page), StandardCharsets.UTF_8).contains("Prefer `env:` or `prompt`"),
                    page + " recommends env: or prompt");
        boolean envExample = false;
        for (Path page : TablesTest.docs()) {
            String text = Files.readString(page, StandardCharsets.UTF_8);
            envExample |= text.contains("--key-password env:KEY_PASSWORD");
            assertFalse(text.matches("(?s).*--(ca-)?key-password pass:.*"), page + ": no example puts a password on the command line");
        }
        assertTrue(envExample, "an example uses --key-password env:KEY_PASSWORD");
    }
}
