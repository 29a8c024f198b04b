import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --dir D names one PKI in every script: D/ca.crt and D/ca.key are the CA, D/NAME.* the services.
 * Two PKIs side by side (D and OTHER) never mix: what issue.java writes into D verifies against
 * D/ca.crt only, and serve.java, client.java, inspect.java --lint, trust.java and ca.java revoke given
 * --dir D all use D's CA. Replacing a CA with --force names every certificate it orphans, and the
 * command it prints makes them verify again.
 */
class PkiFolderTest {
    @TempDir static Path root;
    static Path d, other;
    static final String A = "service-a.example.com", B = "service-b.example.com";

    @BeforeAll
    static void twoPkisSideBySide() {
        d = root.resolve("d");
        other = root.resolve("other");
        for (Path p : List.of(d, other)) {
            Support.cli(new ca(), "--dir", p.toString(), "--key-type", "ec", "--cn", "CA of " + p.getFileName()).expectOk();
            // No --ca: issue.java must sign with the CA of its own --dir.
            Support.cli(new issue(), "--dir", p.toString(), "--key-type", "ec", "--each", A, B).expectOk();
        }
    }

    static Support.Result verify(Path caFile, Path leaf) {
        return Support.exec(root, "openssl", "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", caFile.toString(), leaf.toString());
    }

    @Tag("process")
    @Test
    void issueSignsWithTheCaOfItsOwnFolder() {
        Support.requireTool("openssl", "openssl");
        assertEquals(0, verify(d.resolve("ca.crt"), d.resolve("service-a.crt")).code());
        assertNotEquals(0, verify(other.resolve("ca.crt"), d.resolve("service-a.crt")).code(), "D's certificate must not verify against OTHER's CA");
        assertEquals(0, verify(other.resolve("ca.crt"), other.resolve("service-a.crt")).code());
        // sign (a CSR made elsewhere) with --dir too
        Support.exec(root, "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", root.resolve("csr.key").toString(), "-out", root.resolve("c.csr").toString(), "-subj", "/CN=c.example.com").expectOk();
        Support.cli(new issue(), "sign", root.resolve("c.csr").toString(), "--dir", d.toString()).expectOk();
        assertEquals(0, verify(d.resolve("ca.crt"), d.resolve("c.crt")).code());
    }

    @Test
    void serveAndClientTrustTheCaOfTheirFolder() throws Exception {
        serve cmd = new serve();
        StringWriter out = new StringWriter();
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> Cli.run(cmd, new PrintWriter(out, true),
                new PrintWriter(new StringWriter(), true), "--dir", d.toString(), "--name", "service-b", "--port", "0"));
        try {
            int port = awaitPort(out, running);
            String url = "https://" + B + ":" + port + "/";
            String resolve = B + ":" + port + ":127.0.0.1";
            // client.java --dir D trusts D/ca.crt; its certificate from D is accepted by serve.java --dir D.
            var ok = Support.cli(new client(), "--dir", d.toString(), "--cert", d.resolve("service-a.crt").toString(),
                    "--key", d.resolve("service-a.key").toString(), "--resolve", resolve, url);
            assertEquals(0, ok.code(), ok::all);
            assertEquals("Hello from \"service-b\"", ok.out());
            // The other folder's CA does not vouch for D's server, and its fixes name that folder.
            var foreign = Support.cli(new client(), "--dir", other.toString(), "--cert", other.resolve("service-a.crt").toString(),
                    "--key", other.resolve("service-a.key").toString(), "--resolve", resolve, url);
            assertEquals(60, foreign.code(), foreign::all);
            assertTrue(foreign.err().contains("--cacert " + d.resolve("ca.crt")) || foreign.err().contains(other.resolve("ca.crt").toString()),
                    foreign::err);
        } finally {
            if (cmd.running != null) cmd.running.stop();
            running.get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The port from serve.java's "Serving ... on https://127.0.0.1:PORT/" line, within 20 s. */
    static int awaitPort(StringWriter out, CompletableFuture<Integer> running) {
        Pattern serving = Pattern.compile("on https://127\\.0\\.0\\.1:(\\d+)/");
        for (long end = System.nanoTime() + 20_000_000_000L; System.nanoTime() < end; Support.sleep(50)) {
            Matcher m = serving.matcher(out.toString());
            if (m.find()) return Integer.parseInt(m.group(1));
            assertFalse(running.isDone(), () -> "serve.java ended: " + out);
        }
        throw new AssertionError("serve.java did not start within 20 s: " + out);
    }

    @Test
    void lintTrustAndRevokeUseTheCaOfTheirFolder() throws Exception {
        var lint = Support.cli(new inspect(), "--lint", "--dir", d.toString(), d.resolve("service-a.crt").toString());
        assertEquals(0, lint.code(), lint::all);
        assertTrue(lint.out().contains("No findings"), lint::out);
        var foreign = Support.cli(new inspect(), "--lint", "--dir", other.toString(), d.resolve("service-a.crt").toString());
        assertEquals(3, foreign.code(), foreign::all);
        assertTrue(foreign.out().contains("[issuer-unknown]"), foreign::out);

        Path ts = root.resolve("d-truststore.p12");
        Support.cli(new trust(), "export", "--dir", d.toString(), "--format", "truststore", "--out", ts.toString()).expectOk();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(ts)) {
            ks.load(in, "changeit".toCharArray());
        }
        X509Certificate only = (X509Certificate) ks.getCertificate(ks.aliases().nextElement());
        assertEquals(Pem.certificate(d.resolve("ca.crt"), "ca"), only);

        Path victim = root.resolve("victim");
        Support.pki(victim, List.of("--key-type", "ec"), List.of("--key-type", "ec"), "v.example.com");
        Support.cli(new ca(), "revoke", "--dir", victim.toString(), victim.resolve("v.crt").toString()).expectOk();
        assertTrue(Files.exists(victim.resolve("ca.crl")));
        var wrong = Support.cli(new ca(), "revoke", "--dir", other.toString(), victim.resolve("v.crt").toString());
        assertEquals(1, wrong.code(), "a certificate of another CA is not revoked in this one's CRL");
    }

    @Tag("process")
    @Test
    void replacingACaNamesWhatItOrphansAndItsCommandReissuesThem() throws Exception {
        Path p = root.resolve("replaced");
        Support.pki(p, List.of("--key-type", "ec"), List.of("--key-type", "ec"), A, B);
        var refused = Support.cli(new ca(), "--dir", p.toString(), "--key-type", "ec");
        assertEquals(1, refused.code());
        assertTrue(refused.err().contains("orphans every certificate it signed (2 in " + p + ")"), refused::err);

        var replaced = Support.cli(new ca(), "--dir", p.toString(), "--key-type", "ec", "--force").expectOk();
        assertTrue(replaced.out().contains("had signed 2 certificates in " + p + ": " + p.resolve("service-a.crt") + ", "
                + p.resolve("service-b.crt")), replaced::out);
        assertNotEquals(0, verify(p.resolve("ca.crt"), p.resolve("service-a.crt")).code(), "orphaned now");
        String next = replaced.out().lines().filter(l -> l.startsWith("Next: ")).findFirst().orElseThrow().substring("Next: ".length());
        byte[] keyBefore = Files.readAllBytes(p.resolve("service-a.key"));

        // The printed command, as typed: ./jbang issue.java renew --any-issuer FILE...
        List<String> words = new ArrayList<>(Arrays.asList(next.split(" ")));
        assertEquals(List.of("./jbang", "issue.java", "renew"), words.subList(0, 3), next);
        Support.cli(new issue(), words.subList(2, words.size()).toArray(String[]::new)).expectOk();
        assertEquals(0, verify(p.resolve("ca.crt"), p.resolve("service-a.crt")).code(), "re-issued: it verifies again");
        assertEquals(0, verify(p.resolve("ca.crt"), p.resolve("service-b.crt")).code());
        assertTrue(Arrays.equals(keyBefore, Files.readAllBytes(p.resolve("service-a.key"))), "the keys stay");
        assertEquals(List.of(B), Names.sanList(Pem.certificate(p.resolve("service-b.crt"), "b")).stream()
                .map(n -> n.getName().toString()).toList(), "the names stay");
    }

    /** A certs/ folder made by git or mkdir (0755) is tightened to 0700 when a CA key is written into it, and it says so. */
    @Test
    void aFolderThatGetsACaKeyBecomes0700() throws Exception {
        Path d = Files.createDirectories(root.resolve("loose"));
        Files.setPosixFilePermissions(d, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Support.Result r = Support.cli(new ca(), "--dir", d.toString(), "--key-type", "ec").expectOk();
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(d)));
        assertTrue(r.out().contains("Note: " + d + " is now mode 0700, as it holds a CA key."), r.out());
    }

    /**
     * A mistyped --dir does not start a second PKI: beside hand/, which holds a CA, hnad/ (two letters
     * swapped) is refused by every command that would sign in it, with the name meant, and nothing is
     * written. A folder whose name is near no CA's gets a new CA on first use, and the output says so.
     */
    @Test
    void aMistypedDirIsRefusedWithTheNameMeant() {
        Path hand = root.resolve("typo").resolve("hand"), hnad = hand.resolveSibling("hnad");
        Support.cli(new ca(), "--dir", hand.toString(), "--key-type", "ec").expectOk();
        for (var r : List.of(Support.cli(new issue(), "--dir", hnad.toString(), "x.example.com"),
                Support.cli(new issue(), "--dir", hnad.toString(), "--each", "x.example.com", "y.example.com"),
                Support.cli(new ca(), "intermediate", "--dir", hnad.toString()),
                Support.cli(new ca(), "revoke", "--dir", hnad.toString()))) {
            assertEquals(1, r.code(), r::all);
            assertEquals(1, r.err().lines().count(), r::err);
            assertTrue(r.err().startsWith("error: there is no folder " + hnad + ", and no CA was made there: did you mean " + hand + "?"), r::err);
            assertFalse(Files.exists(hnad), "nothing is written into the mistyped folder");
        }
        // The name meant works, and a name near no CA's is a new PKI, said plainly.
        Support.cli(new issue(), "--dir", hand.toString(), "x.example.com").expectOk();
        Path fresh = hand.resolveSibling("elsewhere");
        var made = Support.cli(new issue(), "--dir", fresh.toString(), "x.example.com").expectOk();
        assertTrue(made.out().startsWith("No CA in " + fresh + ": created " + fresh.resolve("ca.crt") + " and " + fresh.resolve("ca.key")
                + ", a new root CA for 10 years that no client trusts yet"), made::out);
        assertEquals(1, Pki.editDistance("hand", "hnad"), "a swap is one typo");
    }

    /**
     * Folders named apart on purpose are not typos: a number (one-17-0 and one-17-1, env1 and env2) or
     * a short name (a and b). A name one typo away is refused, and the way to make it anyway is in the
     * message: make the folder first.
     */
    @Test
    void foldersNamedApartOnPurposeAreNotTypos() {
        Path parent = root.resolve("apart");
        for (String name : List.of("one-17-0", "env1", "a"))
            Support.cli(new ca(), "--dir", parent.resolve(name).toString(), "--key-type", "ec").expectOk();
        for (String name : List.of("one-17-1", "env2", "env", "b"))
            Support.cli(new issue(), "--dir", parent.resolve(name).toString(), "--key-type", "ec", "x.example.com").expectOk();
        Path staging = parent.resolve("staging"), stagign = parent.resolve("stagign");
        Support.cli(new ca(), "--dir", staging.toString(), "--key-type", "ec").expectOk();
        var r = Support.cli(new issue(), "--dir", stagign.toString(), "--key-type", "ec", "x.example.com");
        assertEquals(1, r.code(), r::all);
        assertEquals("error: there is no folder " + stagign + ", and no CA was made there: did you mean " + staging
                + "? (it holds a CA; to start a new CA in " + stagign + " on purpose, make the folder first)", r.err().strip());
        assertFalse(Files.exists(stagign));
        assertTrue(stagign.toFile().mkdir());
        Support.cli(new issue(), "--dir", stagign.toString(), "--key-type", "ec", "x.example.com").expectOk();
        assertTrue(Files.exists(stagign.resolve("ca.crt")));
        assertFalse(Pki.oneTypo("hand", "hands2"), "two edits");
        assertTrue(Pki.oneTypo("hand", "hands"));
    }
}
