import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.DERUniversalString;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A distinguished name reads the same wherever a script prints it (lib/Names.dn): the summaries of
 * ca.java and issue.java, inspect.java, --lint, client.java -v and its diagnoses, serve.java's log
 * lines and refusals, /whoami and the list of CAs a server accepts. The names carry what RFC 2253
 * (X500Principal.getName()) garbles: an emailAddress (an OID with hex there), a multi-valued RDN, a
 * value with a comma, and Korean text. Each is the string openssl prints with
 * -nameopt oneline,-space_eq,-esc_msb,utf8.
 */
class NamesTest {
    @TempDir static Path dir;

    static final String CA_SUBJECT = "C=KR,L=Bundang-gu\\, Seongnam-si,O=디디아이엠,OU=Engineer+UID=eng1,E=example@example.com,CN=example root";
    static final String CA = "C=KR, L=\"Bundang-gu, Seongnam-si\", O=디디아이엠, OU=Engineer + UID=eng1, emailAddress=example@example.com, CN=example root";
    static final String B_NAME = "C=KR, O=디디아이엠, OU=Ops + UID=svc-b, emailAddress=ops@example.com, CN=service-b.example.com";
    static final String A_NAME = "C=KR, O=디디아이엠, OU=Dev + UID=svc-a, emailAddress=dev@example.com, CN=service-a.example.com";
    static final String OTHER_CA = "C=KR, O=다른 회사, OU=X + UID=y, emailAddress=other@example.com, CN=stranger root";
    static final String STRANGER = "C=KR, O=다른 회사, emailAddress=z@example.com, CN=stranger.example.com";

    /** What ca.java and issue.java printed: CA, other CA, B, A, stranger. */
    static final List<String> printed = new ArrayList<>();

    @BeforeAll
    static void pki() {
        Path other = dir.resolve("other");
        printed.add(run(new ca(), "--dir", dir.toString(), "--key-type", "ec", "--subject", CA_SUBJECT).out());
        printed.add(run(new ca(), "--dir", other.toString(), "--key-type", "ec", "--subject",
                "C=KR,O=다른 회사,OU=X+UID=y,E=other@example.com,CN=stranger root").out());
        printed.add(run(new issue(), "--dir", dir.toString(), "--key-type", "ec", "--subject",
                "C=KR,O=디디아이엠,OU=Ops+UID=svc-b,E=ops@example.com,CN=service-b.example.com", Support.B).out());
        printed.add(run(new issue(), "--dir", dir.toString(), "--key-type", "ec", "--subject",
                "C=KR,O=디디아이엠,OU=Dev+UID=svc-a,E=dev@example.com,CN=service-a.example.com", Support.A).out());
        printed.add(run(new issue(), "--dir", other.toString(), "--key-type", "ec", "--subject",
                "C=KR,O=다른 회사,E=z@example.com,CN=stranger.example.com", "stranger.example.com").out());
    }

    static Support.Result run(Object script, String... args) {
        return checked(Support.cli(script, args).expectOk());
    }

    /** Output that shows no name as RFC 2253 (X500Principal.getName()) or X500Principal.toString() would. */
    static Support.Result checked(Support.Result r) {
        checked(r.all());
        return r;
    }

    static String checked(String text) {
        assertFalse(text.contains("1.2.840.113549.1.9.1") || text.contains("EMAILADDRESS=") || text.contains("=#"), text);
        assertFalse(text.matches("(?s).*CN=example root, ?(emailAddress|E=|UID|OU).*"), "a reversed name: " + text);
        return text;
    }

    /** The value of a "  Field:   value" line of a summary, each one found. */
    static List<String> field(String text, String name) {
        return text.lines().map(String::strip).filter(l -> l.startsWith(name))
                .map(l -> l.substring(name.length()).strip()).toList();
    }

    @Tag("process")
    @Test
    void theNamesAreWhatOpensslPrints() {
        Map<String, String> files = Map.of("ca.crt", CA, "service-b.crt", B_NAME, "service-a.crt", A_NAME,
                "other/ca.crt", OTHER_CA, "other/stranger.crt", STRANGER);
        for (var e : files.entrySet()) {
            String subject = Support.exec(dir, "openssl", "x509", "-noout", "-subject", "-nameopt", "oneline,-space_eq,-esc_msb,utf8",
                    "-in", e.getKey()).expectOk().out().strip();
            assertEquals("subject=" + e.getValue(), subject, e.getKey());
            assertEquals(e.getValue(), Names.subject(Pem.certificate(dir.resolve(e.getKey()), "certificate")));
        }
    }

    @Test
    void theSummariesOfCaAndIssueAndInspectShowTheSameNames() {
        String caOut = printed.get(0), bOut = printed.get(2), aOut = printed.get(3);
        assertEquals(List.of(CA), field(caOut, "Subject:"), caOut);
        assertEquals(List.of(CA), field(caOut, "Issuer:"), caOut);
        assertEquals(List.of(B_NAME), field(bOut, "Subject:"), bOut);
        assertEquals(List.of(CA), field(bOut, "Issuer:"), bOut);
        assertEquals(List.of(A_NAME), field(aOut, "Subject:"), aOut);

        String shown = run(new inspect(), dir.resolve("ca.crt").toString(), dir.resolve("service-a.crt").toString()).out();
        assertEquals(List.of(CA, A_NAME), field(shown, "Subject:"), shown);
        assertEquals(List.of(CA, CA), field(shown, "Issuer:"), shown);
    }

    @Test
    void lintNamesTheIssuerTheSameWay() {
        Support.Result alone = checked(Support.cli(new inspect(), "--lint", dir.resolve("service-a.crt").toString()));
        assertTrue(alone.out().contains("the issuer \"" + CA + "\" was not given"), alone::all);
        Support.Result wrongCa = checked(Support.cli(new inspect(), "--lint", "--cacert", dir.resolve("other/ca.crt").toString(),
                dir.resolve("service-a.crt").toString()));
        assertTrue(wrongCa.out().contains("its issuer \"" + CA + "\" is not among the trusted CAs"), wrongCa::all);
    }

    @Test
    void clientAndServeShowTheSameNames() {
        List<String> log = new CopyOnWriteArrayList<>();
        try (var b = Service.start(serve.config("service-b", dir, 0, TlsServer.ClientAuth.NEED).withLog(log::add))) {
            String url = "https://" + Support.B + ":" + b.port() + "/whoami", resolve = TlsPeers.resolve(Support.B, b.port());

            // -v and /whoami: the server's chain, the CAs it accepts, what we sent, what it saw.
            Support.Result ok = Support.cli(new client(), "-v", "--cacert", dir.resolve("ca.crt").toString(), "--resolve", resolve,
                    "--cert", dir.resolve("service-a.crt").toString(), "--key", dir.resolve("service-a.key").toString(), url).expectOk();
            checked(ok);
            assertTrue(ok.err().contains("*   0 subject: " + B_NAME + "\n"), ok::err);
            assertTrue(ok.err().contains("*     issuer:  " + CA + "\n"), ok::err);
            assertTrue(ok.err().contains("it accepts ones issued by: " + CA + "\n"), ok::err);
            assertTrue(ok.err().contains("* We sent: " + A_NAME + " (issuer " + CA + ", serial"), ok::err);
            assertEquals(List.of(A_NAME), field(ok.out(), "subject:"), ok::out);
            assertEquals(List.of(CA), field(ok.out(), "issuer:"), ok::out);
            Support.awaitLog(log, "GET /whoami 200");
            assertTrue(log.stream().anyMatch(l -> l.endsWith("GET /whoami 200 client=\"" + A_NAME + "\"")), () -> String.join("\n", log));

            // A server our --cacert does not vouch for: the diagnosis names it and its CA.
            Support.Result untrusted = Support.cli(new client(), "--cacert", dir.resolve("other/ca.crt").toString(), "--resolve", resolve, url);
            checked(untrusted);
            assertEquals(Diagnosis.Problem.SERVER_UNTRUSTED.exitCode, untrusted.code(), untrusted::all);
            assertTrue(untrusted.err().contains("refused the server's certificate \"" + B_NAME + "\" because no CA we trust signed it. "
                    + "It was issued by \"" + CA + "\""), untrusted::err);

            // A client certificate from another CA: the client's diagnosis and the server's refusal line.
            Support.Result stranger = Support.cli(new client(), "--cacert", dir.resolve("ca.crt").toString(), "--resolve", resolve,
                    "--cert", dir.resolve("other/stranger.crt").toString(), "--key", dir.resolve("other/stranger.key").toString(), url);
            checked(stranger);
            assertEquals(Diagnosis.Problem.CLIENT_CERT_REJECTED.exitCode, stranger.code(), stranger::all);
            assertTrue(stranger.err().contains("the server refused our client certificate \"" + STRANGER + "\""), stranger::err);
            assertTrue(stranger.err().contains("it was issued by \"" + OTHER_CA + "\" but the server accepts only: " + CA + "."), stranger::err);
            Support.awaitLog(log, "a CA this service does not trust");
            assertTrue(log.stream().anyMatch(l -> l.contains("refused: the certificate \"" + STRANGER + "\" (serial ")
                    && l.contains(" was issued by \"" + OTHER_CA + "\", a CA this service does not trust")), () -> String.join("\n", log));
            log.forEach(NamesTest::checked);
        }
    }

    // ------------------------------------------------------------------ Names.dn itself

    @Test
    void valuesThatAreNotPlainTextReadWell() {
        ASN1ObjectIdentifier unknown = new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.1");
        var name = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, new DERUniversalString(utf32("유니버설")))
                .addRDN(unknown, new DERUTF8String("a readable value"))
                .addRDN(new ASN1ObjectIdentifier("1.3.6.1.4.1.99999.2"), new ASN1Integer(42))
                .addMultiValuedRDN(new AttributeTypeAndValue[] {new AttributeTypeAndValue(BCStyle.O, new DERUTF8String("Foo, Inc.")),
                        new AttributeTypeAndValue(BCStyle.OU, new DERUTF8String(" \"quoted\\\" "))})
                .addRDN(BCStyle.L, (ASN1Encodable) new DERUTF8String("#1 street; \u001b[2J"))
                .build();
        assertEquals("CN=유니버설, 1.3.6.1.4.1.99999.1=a readable value, 1.3.6.1.4.1.99999.2=42, "
                + "O=\"Foo, Inc.\" + OU=\" \\\"quoted\\\\\\\" \", L=\"#1 street; \\x1B[2J\"", Names.dn(name));
    }

    static byte[] utf32(String s) {
        return s.getBytes(java.nio.charset.Charset.forName("UTF-32BE"));
    }
}
