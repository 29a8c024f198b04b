import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An intermediate CA: ca.java --intermediate makes a CA signed by the root (pathLen 0,
 * name constraints), issue.java signs with it and writes NAME.crt = certificate + intermediate, and
 * every verifier that trusts only the root accepts the chain: OpenSSL -x509_strict, inspect --lint,
 * client.java and serve.java (both directions), curl, Python with VERIFY_X509_STRICT, and Chromium.
 */
class IntermediateCaTest {

    static final String A = "service-a.example.com", B = "service-b.example.com";

    /** Root ca.crt, intermediate sub-ca.crt (DNS:.example.com, IP:127.0.0.0/8), service-a and -b signed by it. */
    @TempDir
    static Path dir;

    @BeforeAll
    static void pki() {
        Support.pki(dir, List.of("--key-type", "ec", "--cn", "Chain test root"), List.of());
        Support.cli(new ca(), "--dir", dir.toString(), "--intermediate", "--name", "sub-ca", "--key-type", "ec",
                "--name-constraint", "DNS:.example.com", "--name-constraint", "IP:127.0.0.0/8").expectOk();
        for (String name : List.of(A, B))
            issue("--key-type", "ec", "--chain", name).expectOk();
    }

    static Support.Result issue(String... args) {
        List<String> a = new ArrayList<>(List.of("--dir", dir.toString(), "--ca", dir.resolve("sub-ca.crt").toString(),
                "--ca-key", dir.resolve("sub-ca.key").toString()));
        a.addAll(List.of(args));
        return Support.cli(new issue(), a.toArray(String[]::new));
    }

    @Tag("process")
    @Test
    void intermediateHasTheCaProfileAndTheFilesHoldTheChain() throws Exception {
        X509Certificate root = Pem.certificate(dir.resolve("ca.crt"), "root");
        X509Certificate sub = Pem.certificate(dir.resolve("sub-ca.crt"), "intermediate");
        var h = Certs.holder(sub);
        assertEquals(0, sub.getBasicConstraints(), "CA:TRUE, pathLen 0");
        assertTrue(h.getExtension(Extension.basicConstraints).isCritical());
        assertTrue(h.getExtension(Extension.keyUsage).isCritical());
        assertTrue(sub.getKeyUsage()[5] && sub.getKeyUsage()[6] && !sub.getKeyUsage()[0], "keyCertSign, cRLSign only");
        assertFalse(h.getExtension(Extension.subjectKeyIdentifier).isCritical());
        assertArrayEquals(Support.ski(root), Support.akiKeyId(sub), "AKI = the root's key id");
        Extension nc = h.getExtension(Extension.nameConstraints);
        assertTrue(nc.isCritical(), "name constraints critical (RFC 5280 4.2.1.10)");
        assertEquals("permitted DNS:.example.com, IP:127.0.0.0/8", Names.nameConstraints(NameConstraints.getInstance(nc.getParsedValue())));
        assertEquals(root.getSubjectX500Principal(), sub.getIssuerX500Principal());
        sub.verify(root.getPublicKey());
        assertFalse(sub.getNotAfter().after(root.getNotAfter()), "not beyond the root");
        assertTrue(sub.getSerialNumber().signum() > 0 && sub.getSerialNumber().bitLength() >= 64);
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(dir.resolve("sub-ca.key")));

        // NAME.crt: the certificate, then the intermediate (what a server sends); -chain.crt adds the root.
        List<X509Certificate> served = Pem.certificates(dir.resolve("service-b.crt"), "c");
        assertEquals(List.of(served.get(0), sub), served);
        assertEquals(List.of(served.get(0), sub, root), Pem.certificates(dir.resolve("service-b-chain.crt"), "c"));
        assertArrayEquals(Support.ski(sub), Support.akiKeyId(served.get(0)));

        // inspect --lint on the chain, with only the root given: no findings.
        Support.Result lint = Support.cli(new inspect(), "--lint", "--cacert", dir.resolve("ca.crt").toString(),
                dir.resolve("service-b.crt").toString());
        assertEquals(0, lint.code(), lint::all);
        assertTrue(lint.out().contains("No findings"), lint::all);
        assertTrue(lint.out().contains("<- \"jbang-mtls intermediate CA sub-ca"), lint::all);
    }

    @Tag("process")
    @Test
    void opensslStrictVerifiesThroughTheIntermediateForBothPurposes() {
        Support.requireTool("openssl", "openssl");
        for (String purpose : List.of("sslserver", "sslclient")) {
            Support.Result ok = openssl("verify", "-x509_strict", "-purpose", purpose, "-CAfile", "ca.crt",
                    "-untrusted", "sub-ca.crt", "service-b.crt");
            assertEquals(0, ok.code(), ok::all);
            assertTrue(ok.out().contains("service-b.crt: OK"), ok::all);
        }
        // Without the intermediate the root alone proves nothing: the chain is what makes it work.
        Support.Result missing = openssl("verify", "-x509_strict", "-CAfile", "ca.crt", "service-b-leaf.pem");
        assertNotEquals(0, missing.code());
        assertTrue(missing.all().contains("unable to get local issuer certificate"), missing::all);
    }

    @Tag("process")
    @Test
    void aNameOutsideTheConstraintsIsRefusedUpFrontAndByVerifiers() throws Exception {
        Support.Result r = issue("--key-type", "ec", "--name", "evil", "evil.other.org");
        assertEquals(1, r.code(), r::all);
        assertEquals("error: DNS:evil.other.org is outside the names the CA " + dir.resolve("sub-ca.crt")
                + " may sign: its name constraints are permitted DNS:.example.com, IP:127.0.0.0/8", r.err().strip());
        assertFalse(Files.exists(dir.resolve("evil.key")) || Files.exists(dir.resolve("evil.crt")), "nothing written");
        assertEquals(1, issue("--key-type", "ec", "--name", "apex", "example.com").code(), ".example.com: subdomains only");
        assertEquals(1, issue("--key-type", "ec", "--name", "lan", A, "192.168.1.1").code(), "an IP outside 127.0.0.0/8");
        issue("--key-type", "ec", "--name", "loopback", A, "127.0.0.1").expectOk();

        // Made by hand past the check: OpenSSL refuses it for the constraint.
        Support.requireTool("openssl", "openssl");
        X509Certificate sub = Pem.certificate(dir.resolve("sub-ca.crt"), "sub");
        KeyPair kp = Keys.generate(Keys.KeyType.parse("ec"), null);
        Instant now = Instant.now();
        X509Certificate evil = Certs.leaf(kp.getPublic(), new X500Name("CN=evil.other.org"),
                List.of(new GeneralName(GeneralName.dNSName, "evil.other.org")), Certs.Usage.SERVER_AND_CLIENT, sub,
                Cli.readKey(dir.resolve("sub-ca.key"), "k", null, "--x"), now.minusSeconds(60), now.plus(30, ChronoUnit.DAYS));
        Files.writeString(dir.resolve("evil-by-hand.crt"), Certs.pem(evil));
        Support.Result v = openssl("verify", "-x509_strict", "-CAfile", "ca.crt", "-untrusted", "sub-ca.crt", "evil-by-hand.crt");
        assertNotEquals(0, v.code(), v::all);
        assertTrue(v.all().contains("permitted subtree violation"), v::all);
    }

    @Test
    void caRefusesWhatWouldMakeABrokenChain() {
        String d = dir.toString();
        // pathLen 0: sub-ca may sign service certificates, no CA.
        Support.Result deeper = Support.cli(new ca(), "--dir", d, "--intermediate", "--name", "sub-sub", "--key-type", "ec",
                "--ca", dir.resolve("sub-ca.crt").toString(), "--ca-key", dir.resolve("sub-ca.key").toString());
        assertEquals(1, deeper.code());
        assertTrue(deeper.err().contains("has pathLen 0: it may sign service certificates but no CA"), deeper::all);
        // A service certificate is no CA.
        Support.Result leafParent = Support.cli(new ca(), "--dir", d, "--intermediate", "--name", "x", "--key-type", "ec",
                "--ca", dir.resolve("service-a.crt").toString(), "--ca-key", dir.resolve("service-a.key").toString());
        assertEquals(1, leafParent.code());
        assertTrue(leafParent.err().contains("is not a CA certificate"), leafParent::all);
        // Root-only use of intermediate flags, bad constraints, and an existing intermediate.
        assertTrue(Support.cli(new ca(), "--dir", d, "--name", "x").err().contains("Unknown option: '--name'"), "intermediate flags belong to ca.java intermediate");
        assertTrue(Support.cli(new ca(), "--dir", d, "--intermediate", "--name", "x", "--name-constraint", "example.com")
                .err().contains("write DNS:example.com, DNS:.example.com or IP:10.0.0.0/8"));
        assertTrue(Support.cli(new ca(), "--dir", d, "--intermediate", "--name", "x", "--name-constraint", "IP:10.0.0.0/40")
                .err().contains("write an address range"));
        Support.Result again = Support.cli(new ca(), "--dir", d, "--intermediate", "--name", "sub-ca");
        assertEquals(1, again.code());
        assertTrue(again.err().contains("sub-ca.key already exists"), again::all);
        assertFalse(Files.exists(dir.resolve("x.crt")) || Files.exists(dir.resolve("sub-sub.crt")));
    }

    @Test
    void validityIsClippedToTheRootsWithAWarning() throws Exception {
        Path own = Files.createTempDirectory(dir, "clip");
        Support.pki(own, List.of("--key-type", "ec", "--days", "100"), List.of());
        Support.Result r = Support.cli(new ca(), "--dir", own.toString(), "--intermediate", "--key-type", "ec", "--days", "365")
                .expectOk();
        assertTrue(r.err().contains("Warning: --days 365 would outlive the signing CA"), r::all);
        assertEquals(Pem.certificate(own.resolve("ca.crt"), "r").getNotAfter(),
                Pem.certificate(own.resolve("sub-ca.crt"), "s").getNotAfter());
    }

    /**
     * serve.java (client auth need, trusting only the root) sends service-b.crt's chain; client.java,
     * curl and strict Python, each trusting only the root, verify it and send service-a's chain, which
     * serve.java accepts. Without the intermediate in the files, both directions fail.
     */
    @Tag("process")
    @Test
    void serveAndItsClientsVerifyTheChainTrustingOnlyTheRoot() throws Exception {
        try (var b = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withLog(l -> {}))) {
            int port = b.port();
            client.Result ok = probe(port, dir.resolve("service-a.crt"));
            assertEquals(0, ok.exitCode(), ok::explanation);
            assertEquals("Hello from \"service-b\"", ok.body().strip());

            // A client file without the intermediate: serve.java cannot build the chain and refuses it.
            Path leafOnly = leafOnly("service-a");
            client.Result bare = probe(port, leafOnly);
            assertEquals(64, bare.exitCode(), bare::explanation);

            Support.Result curl = TlsPeers.curl(dir, "ca.crt", B, port, "/", "--cert", "service-a.crt", "--key", "service-a.key");
            assertEquals(0, curl.code(), curl::all);
            assertEquals("Hello from \"service-b\"", curl.out().strip());

            Support.requireTool("python3", "python3");
            Support.Result py = python(port, "service-a.crt");
            assertEquals(0, py.code(), py::all);
            assertTrue(py.out().contains("strict: True") && py.out().contains("Hello from \"service-b\""), py::all);
        }
        // The server's file without the intermediate: curl trusting only the root fails.
        Path leafOnly = leafOnly("service-b");
        var bare = serve.config("service-b", dir, 0, TlsServer.ClientAuth.NONE).withCert(leafOnly, dir.resolve("service-b.key")).withLog(l -> {});
        try (var b = Service.start(bare)) {
            Support.Result curl = TlsPeers.curl(dir, "ca.crt", B, b.port(), "/");
            assertEquals(60, curl.code(), curl::all);
            assertTrue(curl.err().contains("unable to get local issuer certificate"), curl::all);
        }
    }

    /** Chromium, with only the root in its NSS database, loads serve.java's page through the intermediate. */
    @Tag("process")
    @Test
    void chromiumVerifiesTheChainTrustingOnlyTheRoot() throws Exception {
        TlsPeers.requireChromium();
        Path home = TlsPeers.trustingHome(Files.createTempDirectory(dir, "chromium"), dir.resolve("ca.crt"));
        try (var b = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NONE).withLog(l -> {}))) {
            Support.Result r = TlsPeers.chromium(dir, home, "https://" + B + ":" + b.port() + "/", B);
            assertTrue(r.out().contains("Hello from \"service-b\""), () -> r.out() + "\n" + TlsPeers.chromiumErrors(r));
            assertFalse(r.err().contains("Page load failed"), () -> TlsPeers.chromiumErrors(r));
        }
        // The same server with a file lacking the intermediate: Chromium cannot reach the root.
        var bare = serve.config("service-b", dir, 0, TlsServer.ClientAuth.NONE).withCert(leafOnly("service-b"), dir.resolve("service-b.key"))
                .withLog(l -> {});
        try (var b = Service.start(bare)) {
            Support.Result r = TlsPeers.chromium(dir, home, "https://" + B + ":" + b.port() + "/", B);
            assertFalse(r.out().contains("Hello from \"service-b\""), r::out);
            assertTrue(r.err().contains("Page load failed: net::ERR_CERT_AUTHORITY_INVALID"), () -> TlsPeers.chromiumErrors(r));
        }
    }

    // ------------------------------------------------------------------ helpers

    static client.Result probe(int port, Path cert) {
        String name = cert.getFileName().toString().startsWith("service-a") ? "service-a" : "x";
        return client.probe(client.Options.of("https://" + B + ":" + port + "/").withCacert(dir.resolve("ca.crt"))
                .withResolve(TlsPeers.resolve(B, port)).withCert(cert, dir.resolve(name + ".key")));
    }

    /** NAME.crt's first certificate alone, as NAME-leaf.pem: a file without the intermediate. */
    static Path leafOnly(String name) throws Exception {
        Path p = dir.resolve(name + "-leaf.pem");
        Files.writeString(p, Certs.pem(Pem.certificate(dir.resolve(name + ".crt"), "c")));
        return p;
    }

    static Support.Result openssl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        if (cmd.contains("service-b-leaf.pem") && !Files.exists(dir.resolve("service-b-leaf.pem"))) {
            try {
                leafOnly("service-b");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return Support.exec(dir, Map.of(), Support.WAIT, cmd);
    }

    /** One GET to serve.java from Python's ssl with VERIFY_X509_STRICT (Python 3.13's default), sending cert's chain. */
    static Support.Result python(int port, String cert) {
        String script = String.join("\n",
                "import socket, ssl, sys",
                "ctx = ssl.create_default_context(cafile='ca.crt')",
                "ctx.verify_flags |= ssl.VERIFY_X509_STRICT",
                "print('strict:', bool(ctx.verify_flags & ssl.VERIFY_X509_STRICT))",
                "ctx.load_cert_chain(sys.argv[2], sys.argv[3])",
                "with socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=10) as raw:",
                "    with ctx.wrap_socket(raw, server_hostname='" + B + "') as s:",
                "        s.sendall(b'GET / HTTP/1.1\\r\\nHost: " + B + "\\r\\nConnection: close\\r\\n\\r\\n')",
                "        data = b''",
                "        while True:",
                "            d = s.recv(4096)",
                "            if not d: break",
                "            data += d",
                "print(data.decode())");
        return Support.exec(dir, "python3", "-c", script, String.valueOf(port), cert, cert.replace(".crt", ".key"));
    }
}
