import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The certificates keep their profile across changes to the code: a root, an intermediate and
 * leaves (RSA and EC, both usages and server only, DNS, IP and email names) made by the scripts now
 * have the same extensions, in the same order, with the same criticality and the same values, as the
 * ones recorded in tests/resources/profile.txt from the code before lib/ was split (key ids, which
 * depend on the random keys, are compared by their length). main() prints that record for any files.
 */
class ProfileStabilityTest {
    @TempDir Path dir;

    /** The scripts' commands whose certificates are recorded, and the file each writes. */
    static final Map<String, List<String>> MADE = new java.util.LinkedHashMap<>();
    static {
        MADE.put("ca.crt", List.of("ca", "--cn", "Profile root"));
        MADE.put("sub-ca.crt", List.of("ca", "--intermediate", "--name", "sub-ca", "--key-type", "ec", "--cn", "Profile sub CA"));
        MADE.put("service-a.crt", List.of("issue", "service-a.example.com"));
        MADE.put("web.crt", List.of("issue", "--key-type", "ec", "--server-only", "--name", "web", "web.example.com", "10.0.0.1"));
        MADE.put("alice.crt", List.of("issue", "--key-type", "ec", "--client-only", "alice@example.com"));
        MADE.put("sub-leaf.crt", List.of("issue", "--key-type", "ec", "--name", "sub-leaf", "--ca", "SUB", "x.example.com"));
    }

    @Test
    void theScriptsMakeTheRecordedProfile() throws Exception {
        List<String> now = new ArrayList<>();
        for (var e : MADE.entrySet()) {
            List<String> args = new ArrayList<>(List.of("--dir", dir.toString()));
            for (String a : e.getValue().subList(1, e.getValue().size()))
                args.add(a.equals("SUB") ? dir.resolve("sub-ca.crt").toString() : a);
            Object command = e.getValue().get(0).equals("ca") ? new ca() : new issue();
            Support.cli(command, args.toArray(String[]::new)).expectOk();
            now.add(e.getKey() + ": " + canon(Pem.certificate(dir.resolve(e.getKey()), "certificate")));
        }
        List<String> recorded = Files.readAllLines(Support.ROOT.resolve("tests/resources/profile.txt")).stream()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
        assertEquals(String.join("\n", recorded), String.join("\n", now), "the certificate profile changed");
    }

    /**
     * A certificate's profile on one line: version, signature algorithm, serial sign and length
     * range, then each extension in order with its criticality and its DER value (key ids by length).
     */
    static String canon(X509Certificate c) {
        StringBuilder s = new StringBuilder("v" + c.getVersion() + " " + c.getSigAlgName());
        s.append(" serial:").append(c.getSerialNumber().signum() > 0 && c.getSerialNumber().bitLength() > 64
                && c.getSerialNumber().bitLength() <= 159 ? "positive,65-159bits" : "OTHER(" + c.getSerialNumber().bitLength() + ")");
        Extensions exts = Certs.holder(c).getExtensions();
        for (ASN1ObjectIdentifier oid : exts.getExtensionOIDs()) {
            Extension e = exts.getExtension(oid);
            byte[] v = e.getExtnValue().getOctets();
            boolean keyId = oid.equals(Extension.subjectKeyIdentifier) || oid.equals(Extension.authorityKeyIdentifier);
            s.append("; ").append(oid.getId()).append(e.isCritical() ? " critical " : " ")
                    .append(keyId ? "keyid(" + v.length + " bytes)" : HexFormat.of().formatHex(v));
        }
        return s.toString();
    }

    /** Prints the record for the files given: java ... ProfileStabilityTest DIR (each file of MADE in DIR). */
    public static void main(String... args) throws Exception {
        for (String f : MADE.keySet()) System.out.println(f + ": " + canon(Pem.certificate(Path.of(args[0], f), "certificate")));
    }
}
