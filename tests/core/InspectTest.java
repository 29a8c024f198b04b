import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * inspect.java: every kind of file it reads, shown with the fields
 * the issue lists, checked against OpenSSL's own view of the same files; private keys described
 * without one byte of key material; and a live server's chain, trusted or not.
 */
class InspectTest {

    static final String A = Support.A, B = Support.B;

    /** A CA; service-a (RSA) with its chain file and .p12; service-b (EC) with an encrypted key. */
    @TempDir
    static Path dir;

    @BeforeAll
    static void pki() {
        Support.pki(dir, List.of(), List.of("--chain", "--p12"), A);
        Support.issueInto(dir, "--key-type", "ec", "--key-password", "pass:secret", B).expectOk();
    }

    // ------------------------------------------------------------------ certificates

    /** Subject, issuer, serial, validity with days left, SANs, key, extensions, and both fingerprints as OpenSSL computes them. */
    @Tag("process")
    @Test
    void showsACertificateWithTheFieldsOpensslShows() {
        Support.requireTool("openssl", "openssl");
        Support.Result r = inspect("service-a.crt").expectOk();
        String out = r.out();
        for (String field : List.of(f("Subject") + "CN=" + A, f("Issuer") + "CN=jbang-mtls root CA",
                f("Key") + "RSA 2048 bits", f("Subject alt names") + "DNS:" + A,
                f("Extended key usage") + "serverAuth, clientAuth", f("Key usage (critical)") + "digitalSignature, keyEncipherment",
                f("Basic constraints (critical)") + "CA:FALSE", "Certificate 1 (leaf)"))
            assertTrue(out.contains(field), () -> field + " in:\n" + out);
        assertTrue(out.matches("(?s).*Days left: +36[45] \\(expires .*"), out);

        String sha256 = opensslValue("x509", "-in", "service-a.crt", "-noout", "-fingerprint", "-sha256");
        String sha1 = opensslValue("x509", "-in", "service-a.crt", "-noout", "-fingerprint", "-sha1");
        String serial = opensslValue("x509", "-in", "service-a.crt", "-noout", "-serial");
        assertTrue(out.contains(f("SHA-256") + sha256), () -> sha256 + " in\n" + out);
        assertTrue(out.contains(f("SHA-1") + sha1), () -> sha1 + " in\n" + out);
        // Shown as the logs show it: the same number in lower-case hex, without openssl's leading zero.
        String hex = new java.math.BigInteger(serial, 16).toString(16);
        assertTrue(out.contains(f("Serial") + hex + "\n"), () -> hex + " in\n" + out);
    }

    /** An expired certificate says so where the days left would be, and its DER form reads the same. */
    @Tag("process")
    @Test
    void showsAnExpiredCertificateAndDer() throws IOException {
        Support.requireTool("openssl", "openssl");
        Instant now = Instant.now();
        Support.certificate(dir, "expired", "expired.example.com", Certs.Usage.SERVER_AND_CLIENT,
                now.minus(40, ChronoUnit.DAYS), now.minus(10, ChronoUnit.DAYS));
        Support.Result r = inspect("expired.crt").expectOk();
        assertTrue(r.out().contains(f("Days left") + "EXPIRED 10 days ago"), r::out);

        Support.exec(dir, "openssl", "x509", "-in", "service-a.crt", "-outform", "DER", "-out", "service-a.der").expectOk();
        Support.Result der = inspect("service-a.der").expectOk();
        assertTrue(der.out().startsWith("service-a.der (DER): 1 certificate") && der.out().contains("CN=" + A), der::out);
    }

    /** An X.509 v1 certificate (no extensions at all) is shown too, and says what it lacks. */
    @Test
    void showsAnX509V1Certificate() throws IOException {
        Support.Forge root = Support.Forge.root(Support.ec());
        root.v1 = true;
        Files.writeString(dir.resolve("v1.crt"), Certs.pem(root.signedBy(null, root.key.getPrivate())));
        Support.Result r = inspect("v1.crt").expectOk();
        assertTrue(r.out().contains("Certificate 1 (self-signed, not a CA)") && r.out().contains(f("Extensions") + "none: an X.509 v1 certificate"), r::out);
        assertTrue(r.out().contains(f("Subject") + "CN=lint root") && r.out().contains(f("Days left") + "364"), r::out);
    }

    /** A chain file: each certificate with its role, and whether the next one signed it (no, in the wrong order). */
    @Test
    void showsAChainAndChecksEachLink() throws IOException {
        Support.Result r = inspect("service-a-chain.crt").expectOk();
        assertTrue(r.out().contains("2 certificates (a chain)") && r.out().contains("Certificate 1 (leaf)")
                && r.out().contains("Certificate 2 (root CA, self-signed)"), r::out);
        assertTrue(r.out().contains(f("Signed by the next one") + "yes"), r::out);

        Files.writeString(dir.resolve("reversed.crt"), Files.readString(dir.resolve("ca.crt")) + Files.readString(dir.resolve("service-a.crt")));
        Support.Result bad = inspect("reversed.crt").expectOk();
        assertTrue(bad.out().contains(f("Signed by the next one") + "NO: certificate 2 did not sign it"), bad::out);
    }

    // ------------------------------------------------------------------ keys

    /** Type, size, form and the certificate it belongs to; never any of the key's own bytes. */
    @Test
    void describesAKeyWithoutPrintingIt() throws IOException {
        Support.Result r = inspect("service-a.key").expectOk();
        assertTrue(r.out().contains(f("Key") + "RSA 2048 bits"), r::out);
        assertTrue(r.out().contains(f("Form") + "PKCS#8 (PRIVATE KEY), not encrypted"), r::out);
        assertTrue(r.out().contains("Belongs to:") && r.out().contains("service-a.crt (CN=" + A + ")"), r::out);
        assertNoKeyMaterial("service-a.key", r);

        // A key beside no certificate of its own, compared with one that is not its certificate.
        Files.copy(dir.resolve("service-a.key"), dir.resolve("lonely.key"));
        Support.Result other = inspect("lonely.key", "ca.crt").expectOk();
        assertTrue(other.out().contains(f("Belongs to") + "NONE of the certificates given: ca.crt"), other::out);
        Support.Result alone = inspect("lonely.key").expectOk();
        assertTrue(alone.out().contains("no certificate given to compare with"), alone::out);
    }

    /** An encrypted key: described without its password, opened with it, and a wrong one fails in one line. */
    @Test
    void encryptedKeyNeedsItsPasswordOnlyForDetails() {
        Support.Result locked = inspect("service-b.key").expectOk();
        assertTrue(locked.out().contains("PKCS#8, encrypted (ENCRYPTED PRIVATE KEY)") && locked.out().contains("give --password SPEC"), locked::out);
        assertFalse(locked.out().contains("EC P-256"), locked::out);

        Support.Result open = inspect("--password", "pass:secret", "service-b.key").expectOk();
        assertTrue(open.out().contains(f("Key") + "EC P-256"), open::out);
        assertTrue(open.out().contains("service-b.crt (CN=" + B + ")"), open::out);
        assertNoKeyMaterial("service-b.key", open);

        Support.Result wrong = inspect("--password", "pass:nope", "service-b.key");
        assertEquals(1, wrong.code(), wrong::all);
        assertEquals(1, wrong.err().strip().lines().count(), wrong::err);
        assertTrue(wrong.err().contains("wrong password"), wrong::err);
    }

    // ------------------------------------------------------------------ CSRs

    /** An OpenSSL CSR with SANs: subject, key, the SANs it asks for, and a signature check that catches tampering. */
    @Tag("process")
    @Test
    void showsAnOpensslCsrAndCatchesATamperedOne() throws IOException {
        Support.requireTool("openssl", "openssl");
        Support.exec(dir, "openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "csr.key", "-subj", "/CN=csr.example.com",
                "-addext", "subjectAltName=DNS:csr.example.com,IP:127.0.0.1", "-out", "csr.pem").expectOk();
        Support.Result r = inspect("csr.pem").expectOk();
        assertTrue(r.out().contains("certificate signing request") && r.out().contains(f("Subject") + "CN=csr.example.com"), r::out);
        assertTrue(r.out().contains(f("Requests SANs") + "DNS:csr.example.com, IP Address:127.0.0.1"), r::out);
        assertTrue(r.out().contains(f("Signature") + "SHA256withRSA, valid"), r::out);
        assertTrue(r.out().contains(f("Key") + "RSA 2048 bits"), r::out);

        Support.exec(dir, "openssl", "req", "-in", "csr.pem", "-outform", "DER", "-out", "csr.der").expectOk();
        byte[] der = Files.readAllBytes(dir.resolve("csr.der"));
        der[der.length - 1] ^= 0x01; // one bit of the signature
        Files.write(dir.resolve("tampered.der"), der);
        Support.Result bad = inspect("tampered.der").expectOk();
        assertTrue(bad.out().contains("tampered.der (DER): certificate signing request"), bad::out);
        assertTrue(bad.out().contains("BAD: the CSR was altered or damaged"), bad::out);
    }

    // ------------------------------------------------------------------ PKCS#12

    /** issue.java's .p12 opens with its default password; its key belongs to its certificate; its ciphers are modern. */
    @Test
    void showsOurPkcs12() {
        Support.Result r = inspect("service-a.p12").expectOk();
        assertTrue(r.out().contains("PKCS#12 file") && r.out().contains(f("Password") + "\"changeit\""), r::out);
        assertTrue(r.out().contains("AES-256-CBC") && !r.out().contains("legacy"), r::out);
        assertTrue(r.out().contains("private key, RSA 2048 bits, belongs to certificate 1 below"), r::out);
        assertTrue(r.out().contains("Certificate 2 (root CA, self-signed)"), r::out);
        assertNoKeyMaterial("service-a.key", r);
    }

    /**
     * A .p12 with its own password needs --password (a wrong one fails in one line), and an OpenSSL
     * .p12 with the old 3DES ciphers (what mkcert's RC2 bundles are to OpenSSL 3) is called legacy.
     */
    @Tag("process")
    @Test
    void pkcs12PasswordAndLegacyCiphers() {
        Support.requireTool("openssl", "openssl");
        Support.exec(dir, "openssl", "pkcs12", "-export", "-in", "service-a.crt", "-inkey", "service-a.key", "-name", "legacy",
                "-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1", "-passout", "pass:hunter2",
                "-out", "legacy.p12").expectOk();
        Support.Result locked = inspect("legacy.p12");
        assertEquals(1, locked.code(), locked::all);
        assertTrue(locked.err().contains("it has a password; give it with --password"), locked::err);
        Support.Result wrong = inspect("--password", "pass:hunter3", "legacy.p12");
        assertEquals(1, wrong.code(), wrong::all);
        assertTrue(wrong.err().contains("wrong --password"), wrong::err);

        Support.Result r = inspect("--password", "pass:hunter2", "legacy.p12").expectOk();
        assertTrue(r.out().contains("3DES (legacy)") && r.out().contains("MAC HMAC-SHA1") && r.out().contains("-legacy"), r::out);
        assertTrue(r.out().contains("Entry \"legacy\": private key, RSA 2048 bits, belongs to certificate 1 below"), r::out);
    }

    // ------------------------------------------------------------------ a live server

    /**
     * openssl s_server with service-a's chain: inspect shows what it sent, trusted with --cacert and
     * --resolve; without --cacert, or under a name it does not hold, the same chain is shown and
     * called untrusted, with the reason. A server that asks for a client certificate says so.
     */
    @Tag("process")
    @Test
    void readsALiveServersChainTrustedOrNot() {
        try (TlsPeers.Peer server = TlsPeers.sServer(dir, "service-a.crt", "service-a.key", "-cert_chain",
                dir.resolve("service-a-chain.crt").toString(), "-verify", "1")) {
            String url = "https://" + A + ":" + server.port() + "/";
            String resolve = TlsPeers.resolve(A, server.port());
            Support.Result ok = inspect("--cacert", "ca.crt", "--resolve", resolve, url).expectOk();
            assertTrue(ok.out().contains(A + ":" + server.port() + " at 127.0.0.1: TLSv1.3"), ok::out);
            assertTrue(ok.out().contains("Certificate 1 (leaf)") && ok.out().contains(f("Subject") + "CN=" + A), ok::out);
            assertTrue(ok.out().contains("Trust: trusted (chain verified against ca.crt"), ok::out);
            assertTrue(ok.out().contains("The server asks for a client certificate (mutual TLS). It accepts ones issued by: CN=jbang-mtls root CA"), ok::out);

            Support.Result untrusted = inspect("--resolve", resolve, url).expectOk();
            assertTrue(untrusted.out().contains("Certificate 1 (leaf)") && untrusted.out().contains("Trust: UNTRUSTED"), untrusted::out);
            assertTrue(untrusted.out().contains("no --cacert was given") && untrusted.out().contains("client certificate is unknown"), untrusted::out);

            String other = "service-x.example.com";
            Support.Result wrongName = inspect("--cacert", "ca.crt", "--resolve", TlsPeers.resolve(other, server.port()),
                    url.replace(A, other)).expectOk();
            assertTrue(wrongName.out().contains("Trust: UNTRUSTED") && wrongName.out().contains(other), wrongName::out);

            Support.Result lint = inspect("--lint", "--cacert", "ca.crt", "--resolve", resolve, url).expectOk();
            assertTrue(lint.out().contains("No findings"), lint::out);
        }
    }

    /** A server that asks for no client certificate says so too (s_server without -verify; it sends the CA from -CAfile too). */
    @Tag("process")
    @Test
    void saysWhenNoClientCertificateIsAsked() {
        try (TlsPeers.Peer server = TlsPeers.sServer(dir, "service-a.crt", "service-a.key")) {
            Support.Result r = inspect("--cacert", "ca.crt", "--resolve", TlsPeers.resolve(A, server.port()),
                    "https://" + A + ":" + server.port()).expectOk();
            assertTrue(r.out().contains("The server does not ask for a client certificate."), r::out);
            assertTrue(r.out().contains("The chain it sent: 2 certificates (a chain)"), r::out);
        }
    }

    // ------------------------------------------------------------------ bad input

    @Tag("process")
    @Test
    void badInputFailsInOneLine() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "not a certificate\n");
        Map<List<String>, String> cases = Map.of(
                List.of("missing.crt"), "no such file",
                List.of("notes.txt"), "is not a certificate, CSR, private key or PKCS#12 file",
                List.of("http://example.com/"), "is not an https:// URL",
                List.of("https://127.0.0.1:" + Support.freePort() + "/"), "cannot read the certificates of 127.0.0.1");
        for (var c : cases.entrySet()) {
            Support.Result r = inspect(c.getKey().toArray(String[]::new));
            assertEquals(1, r.code(), r::all);
            assertEquals(1, r.err().strip().lines().count(), r::err);
            assertTrue(r.err().contains(c.getValue()), () -> c.getValue() + " in " + r.err());
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A field as inspect prints it: the label padded to 30 columns, then the value. */
    static String f(String label) {
        return String.format("%-30s ", label + ":");
    }

    /** Runs inspect.java in-process in dir: file arguments are relative to it, as a user there types them. */
    static Support.Result inspect(String... args) {
        List<String> a = new ArrayList<>();
        for (String arg : args)
            a.add(!arg.startsWith("-") && !arg.contains("://") && !arg.contains(":127.0.0.1") && !arg.startsWith("pass:")
                    ? dir.resolve(arg).toString() : arg);
        Support.Result r = Support.cli(new inspect(), a.toArray(String[]::new));
        return new Support.Result(r.code(), r.out().replace(dir + "/", ""), r.err().replace(dir + "/", ""));
    }

    /** The value after '=' of an openssl one-liner, e.g. "sha256 Fingerprint=AB:CD..." or "serial=0A1B...". */
    static String opensslValue(String... args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        String line = Support.exec(dir, Map.of(), Support.WAIT, cmd).expectOk().out().strip();
        return line.substring(line.indexOf('=') + 1);
    }

    /** Not one base64 line of the key file, nor a PEM key block, appears in what was printed. */
    static void assertNoKeyMaterial(String keyFile, Support.Result r) {
        try {
            String all = r.all();
            assertFalse(all.contains("PRIVATE KEY-----"), all);
            for (String line : Files.readAllLines(dir.resolve(keyFile)))
                if (!line.startsWith("-----") && line.length() > 16)
                    assertFalse(all.contains(line), "key material printed: " + line);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
