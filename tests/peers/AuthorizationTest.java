import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve.java --allow: which certificates from the CA may call. Without it any certificate from the
 * CA passes (the trade-off docs/who-may-call.md describes); with it, a certificate that matches no
 * pattern gets 403 with a body that names the identity seen and the allow-list. Checked with curl
 * and client.java.
 */
class AuthorizationTest {

    static final String B = Support.B, A = Support.A;
    static final String SPIFFE_A = "spiffe://example.org/ns/a/sa/client", SPIFFE_OTHER = "spiffe://other.org/ns/a/sa/client";

    @TempDir
    static Path dir;

    @BeforeAll
    static void pki() {
        Support.pki(dir, List.of("--cn", "Authz root CA"), List.of("--key-type", "ec"), A, B);
        Support.issueInto(dir, "--key-type", "ec", "--name", "spiffe-a", "workload-a.example.com", SPIFFE_A).expectOk();
        Support.issueInto(dir, "--key-type", "ec", "--name", "spiffe-other", "workload-b.example.com", SPIFFE_OTHER).expectOk();
    }

    static Service startB(TlsServer.ClientAuth mode, List<String> log, String... allow) {
        return Service.start(serve.config("service-b", dir, 0, mode).withAllow(allow).withLog(log::add));
    }

    /** TlsPeers.curl to service B with dir/CERTNAME.crt and .key (or no certificate): the body, then a line with the HTTP status. */
    static Support.Result curl(int port, String certName) {
        List<String> flags = new ArrayList<>(List.of("-w", "\\n%{http_code}"));
        if (certName != null) flags.addAll(List.of("--cert", certName + ".crt", "--key", certName + ".key"));
        return TlsPeers.curl(dir, "ca.crt", B, port, "/", flags.toArray(String[]::new));
    }

    static Support.Result client(int port, String certName) {
        return Support.cli(new client(), "--cacert", dir.resolve("ca.crt").toString(), "--cert", dir.resolve(certName + ".crt").toString(),
                "--key", dir.resolve(certName + ".key").toString(), "--resolve", TlsPeers.resolve(B, port), "https://" + B + ":" + port + "/");
    }

    @Tag("process")
    @Test
    void dnsPatternAdmitsOnlyThatService() {
        List<String> log = new CopyOnWriteArrayList<>();
        try (var b = startB(TlsServer.ClientAuth.NEED, log, "DNS:" + A)) {
            assertEquals("Hello from \"service-b\"\n200", curl(b.port(), "service-a").expectOk().out());

            Support.Result denied = curl(b.port(), "service-b");
            assertEquals(0, denied.code(), "the TLS handshake works; the refusal is HTTP: " + denied.all());
            assertTrue(denied.out().endsWith("\n403"), denied.out());
            assertTrue(denied.out().startsWith("Forbidden: this service admits only callers whose certificate matches DNS:" + A), denied.out());
            assertTrue(denied.out().contains("shows DNS:" + B + ", CN=" + B + ", and none of them matches"), "names the identity seen: " + denied.out());
            assertTrue(denied.out().contains("--allow DNS:" + B), "says how to admit it: " + denied.out());
            assertFalse(denied.out().contains("Hello"), denied.out());

            Support.Result ok = client(b.port(), "service-a");
            assertEquals(0, ok.code(), ok.all());
            Support.Result no = client(b.port(), "service-b");
            assertEquals(22, no.code(), no.all());
            assertTrue(no.out().startsWith("Forbidden: this service admits only callers"), "client.java prints the body: " + no.out());
            assertTrue(no.err().contains("answered HTTP 403"), no.err());

            Support.awaitLog(log, "refused: not matched by --allow DNS:" + A);
            assertTrue(log.stream().anyMatch(l -> l.contains("TLSv1.3 GET / 403 client=\"CN=" + B + "\"")), String.join("\n", log));
            assertTrue(log.get(0).contains("only callers matching DNS:" + A), log.get(0));
        }
    }

    @Tag("process")
    @Test
    void withoutAllowAnyCertificateFromTheCaPasses() {
        try (var b = startB(TlsServer.ClientAuth.NEED, new ArrayList<>())) {
            for (String name : List.of("service-a", "service-b", "spiffe-a", "spiffe-other"))
                assertEquals("Hello from \"service-b\"\n200", curl(b.port(), name).expectOk().out(), name);
        }
    }

    @Tag("process")
    @Test
    void spiffeUriPatternWithWildcard() {
        try (var b = startB(TlsServer.ClientAuth.NEED, new ArrayList<>(), "URI:spiffe://example.org/*")) {
            assertEquals("Hello from \"service-b\"\n200", curl(b.port(), "spiffe-a").expectOk().out());
            Support.Result other = curl(b.port(), "spiffe-other");
            assertTrue(other.out().endsWith("\n403") && other.out().contains("URI:" + SPIFFE_OTHER), other.out());
            assertTrue(curl(b.port(), "service-a").out().endsWith("\n403"), "a DNS-only certificate has no URI to match");
        }
    }

    @Tag("process")
    @Test
    void cnPatternsAndRepeatedAllowAreOr() {
        try (var b = startB(TlsServer.ClientAuth.NEED, new ArrayList<>(), "CN=service-a.*", "URI:" + SPIFFE_OTHER)) {
            assertTrue(curl(b.port(), "service-a").out().endsWith("\n200"));
            assertTrue(curl(b.port(), "spiffe-other").out().endsWith("\n200"), "the second pattern admits it");
            Support.Result denied = curl(b.port(), "service-b");
            assertTrue(denied.out().endsWith("\n403") && denied.out().contains("matches CN=service-a.* or URI:" + SPIFFE_OTHER), denied.out());
        }
    }

    @Tag("process")
    @Test
    void wantModeWithAllowRefusesCallersWithoutACertificate() {
        try (var b = startB(TlsServer.ClientAuth.WANT, new ArrayList<>(), "DNS:" + A)) {
            Support.Result none = curl(b.port(), null);
            assertTrue(none.out().endsWith("\n403"), none.out());
            assertTrue(none.out().contains("admits only callers with a client certificate matching DNS:" + A + ", and you sent none"), none.out());
            assertTrue(curl(b.port(), "service-a").out().endsWith("\n200"));
        }
    }

    @Test
    void patternsMatchWholeNamesWithLiteralDotsAndCaseRules() {
        List<String> names = List.of("DNS:service-a.example.com", "URI:spiffe://example.org/ns/A", "IP:10.0.0.1", "CN=service-a.example.com");
        assertTrue(Allow.parse("DNS:SERVICE-A.example.com").matches(names), "DNS ignores case");
        assertTrue(Allow.parse("dns:*.example.com").matches(names), "the type prefix ignores case too");
        assertFalse(Allow.parse("DNS:service-a.example.co").matches(names), "whole names only");
        assertFalse(Allow.parse("DNS:service-a?example.com").matches(names));
        assertFalse(Allow.parse("DNS:service-a.example.com").matches(List.of("DNS:service-aXexample.com")), "a dot is a dot");
        assertTrue(Allow.parse("URI:spiffe://example.org/ns/A").matches(names));
        assertFalse(Allow.parse("URI:spiffe://example.org/ns/a").matches(names), "URIs compare exactly");
        assertTrue(Allow.parse("IP:10.0.0.1").matches(names));
        assertFalse(Allow.parse("IP:10.0.0.2").matches(names));
        assertTrue(Allow.parse("CN=Service-A.*").matches(names));
        assertFalse(Allow.parse("CN=service-a.example.com").matches(List.of("DNS:service-a.example.com")), "CN= looks at the CN only");
        assertTrue(Allow.parse("IP:::1").matches(List.of("IP:0:0:0:0:0:0:0:1")), "addresses compare as addresses");
    }

    @Test
    void badPatternsAreOneLineErrors() {
        for (String[] bad : List.of(new String[] {"service-a.example.com", "does not say which name to match"},
                new String[] {"DNS:", "has nothing after DNS:"}, new String[] {"IP:10.0.0.*", "IP: takes one address"})) {
            Support.Result r = Support.cli(new serve(), "--name", "service-b", "--dir", dir.toString(), "--port", "0", "--allow", bad[0]);
            assertEquals(1, r.code(), r.all());
            assertTrue(r.err().startsWith("error: --allow '" + bad[0] + "'") && r.err().contains(bad[1]), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
        Failure f = assertThrows(Failure.class, () -> startB(TlsServer.ClientAuth.NONE, new ArrayList<>(), "DNS:" + A));
        assertTrue(f.getMessage().contains("--client-auth none never asks for"), f.getMessage());
    }

    @Test
    void helpExplainsTheSyntax() {
        Support.Result h = Support.cli(new serve(), "--help");
        String help = h.out().replaceAll("\\s+", " ");
        for (String s : List.of("--allow=PATTERN", "DNS:NAME, URI:URI, IP:ADDR or EMAIL:ADDR", "CN=NAME", "'URI:spiffe://example.org/*'",
                "Without --allow, any certificate from --cacert is admitted", "--crl=FILE", "ca.java revoke writes DIR/ca.crl"))
            assertTrue(help.contains(s), "expected '" + s + "' in --help:\n" + h.out());
    }
}
