import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.misc.MiscObjectIdentifiers;
import org.bouncycastle.asn1.misc.ScryptParams;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.KeyDerivationFunc;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCS12PBEParams;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files and keys: a corpus of mutated inputs to ca.java and issue.java, generated from a
 * fixed seed (so every run tries the same cases), run in-process. Every case must end one of two ways:
 * <ul>
 *   <li>refused: exit 1 (2 for a bad flag), one line on stderr starting "error:", nothing on stdout,
 *       no stack trace, within the time limit, and no file created or changed;</li>
 *   <li>accepted, because the mutation left a valid input (CRLF, a flipped bit the decoder ignores...):
 *       exit 0 and a certificate that is exactly what the unmutated input gives (signed by the original
 *       CA key, naming the original issuer, for the original CSR key...).</li>
 * </ul>
 * Cases whose outcome is known say so (REFUSE or ACCEPT); for the others (EITHER) the oracle decides.
 * The counts by class and outcome go to stdout and target/mutation-corpus.txt (see docs/RELIABILITY.md).
 */
class MutationCorpusTest {
    /** The corpus of docs/RELIABILITY.md; -Dcorpus.seed=N tries another one. */
    static final long SEED = Long.getLong("corpus.seed", 5L);
    static final long CASE_LIMIT_MS = 10_000;
    static final String PW = "Corpus-pw-7";

    @TempDir static Path root;
    static Path in, out, caDir, ecDir;
    static X509Certificate caCert;
    static PublicKey csrKey;
    static final Map<String, byte[]> base = new LinkedHashMap<>();
    static Map<String, String> fixturesBefore;

    enum Expect { REFUSE, ACCEPT, EITHER }

    /** Checks the files an accepted case wrote. */
    interface Oracle { void check(Path dir) throws Exception; }

    /** One case: its class for the report, what it expects, the script's arguments, and the files it reads. */
    record Case(int id, String kind, Expect expect, boolean isCa, List<String> args, Oracle oracle,
                Map<Path, byte[]> files) {}

    // ------------------------------------------------------------------ fixtures

    @BeforeAll
    static void fixtures() throws Exception {
        in = Files.createDirectories(root.resolve("in"));
        out = Files.createDirectories(root.resolve("out"));
        caDir = Support.pki(root.resolve("ca"), List.of(), List.of(), "leaf.example.com");
        ecDir = Support.pki(root.resolve("ec"), List.of("--key-type", "ec"), List.of());
        caCert = Pem.certificate(caDir.resolve("ca.crt"), "CA");
        PrivateKey caKey = Cli.readKey(caDir.resolve("ca.key"), "key", null, "x");
        PrivateKey ecKey = Cli.readKey(ecDir.resolve("ca.key"), "key", null, "x");
        X509Certificate ecCert = Pem.certificate(ecDir.resolve("ca.crt"), "CA");
        base.put("ca.crt", Files.readAllBytes(caDir.resolve("ca.crt")));
        base.put("ca.der", caCert.getEncoded());
        base.put("pkcs8.key", Files.readAllBytes(caDir.resolve("ca.key")));
        base.put("pkcs1.key", traditional(caKey, null));
        base.put("sec1.key", sec1(ecKey, ecCert, true));
        base.put("sec1-no-public.key", sec1(ecKey, ecCert, false));
        base.put("enc-pkcs8.key", encryptedPkcs8(caKey, 2048)); // openssl 3's default rounds
        base.put("enc-pkcs1.key", traditional(caKey, PW.toCharArray()));
        base.put("csr.pem", csr());
        base.put("csr.der", Base64.getMimeDecoder().decode(body(new String(base.get("csr.pem"), StandardCharsets.US_ASCII))));
        base.put("leaf.crt", Files.readAllBytes(caDir.resolve("leaf.crt")));
        Path b = Files.createDirectories(in.resolve("base"));
        for (var e : base.entrySet()) Files.write(b.resolve(e.getKey()), e.getValue());
        Files.writeString(b.resolve("pw.txt"), PW + "\n");
        Files.writeString(b.resolve("pw-crlf.txt"), PW + "\r\n");
        Files.writeString(b.resolve("pw-space.txt"), PW + " \n");
        Files.write(b.resolve("pw-utf16.txt"), (PW + "\n").getBytes(StandardCharsets.UTF_16));
        Files.writeString(b.resolve("pw-empty-line.txt"), "\n" + PW + "\n");
        Files.createSymbolicLink(b.resolve("link-to-ca.crt"), b.resolve("ca.crt"));
        Files.createSymbolicLink(b.resolve("dangling"), b.resolve("no-such-file"));
        Files.createSymbolicLink(b.resolve("loop-a"), b.resolve("loop-b"));
        Files.createSymbolicLink(b.resolve("loop-b"), b.resolve("loop-a"));
        Files.createDirectories(b.resolve("a-folder"));
        fixturesBefore = fullSnapshot();
    }

    static byte[] traditional(PrivateKey key, char[] password) throws Exception {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(key, password == null ? null
                    : new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(Pem.bc()).build(password));
        }
        return sw.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** "EC PRIVATE KEY" as openssl ecparam -genkey writes it: curve named, public key optional (RFC 5915). */
    static byte[] sec1(PrivateKey key, X509Certificate cert, boolean withPublic) {
        var spki = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(cert.getPublicKey().getEncoded());
        var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, ((java.security.interfaces.ECPrivateKey) key).getS(),
                withPublic ? spki.getPublicKeyData() : null, spki.getAlgorithm().getParameters());
        try {
            return Certs.pem("EC PRIVATE KEY", sec1.getEncoded()).getBytes(StandardCharsets.US_ASCII);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] encryptedPkcs8(PrivateKey key, int rounds) throws Exception {
        var enc = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC).setProvider(Pem.bc())
                .setPRF(JcaPKCS8Generator.PRF_HMACSHA256).setIterationCount(rounds).setPassword(PW.toCharArray()).build();
        StringWriter sw = new StringWriter();
        try (PemWriter w = new PemWriter(sw)) {
            w.writeObject(new JcaPKCS8Generator(key, enc).generate());
        }
        return sw.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** A CSR with SANs, as openssl req -addext makes; its key is kept to check what is issued. */
    static byte[] csr() throws Exception {
        KeyPair kp = Keys.generate(Keys.KeyType.parse("ec"), null);
        csrKey = kp.getPublic();
        var ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "csr.example.com"), new GeneralName(GeneralName.iPAddress, "10.0.0.9")}));
        var req = new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=csr.example.com"), kp.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
        return Certs.pem("CERTIFICATE REQUEST", req.getEncoded()).getBytes(StandardCharsets.US_ASCII);
    }

    static String body(String pem) {
        return pem.replaceAll("-----[A-Z0-9 ]+-----", "").replaceAll("\\s", "");
    }

    // ------------------------------------------------------------------ the corpus

    /** Builds the cases; each gets its own output folder out/cN. */
    static final class Corpus {
        final Random rnd = new Random(SEED);
        final List<Case> cases = new ArrayList<>();
        Map<Path, byte[]> pending = new LinkedHashMap<>();

        Path dir() {
            return out.resolve("c" + cases.size());
        }

        /** issue.java with the good CA, EC keys (fast), and the given options (a null value removes one). */
        void issue(String kind, Expect e, Oracle o, Map<String, String> opts, String... names) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("--dir", dir().toString());
            m.put("--ca", in.resolve("base/ca.crt").toString());
            m.put("--ca-key", in.resolve("base/pkcs8.key").toString());
            if (!opts.containsKey("--csr")) m.put("--key-type", "ec");
            m.putAll(opts);
            List<String> args = new ArrayList<>();
            m.forEach((k, v) -> { if (v != null) { args.add(k); args.add(v); } });
            args.addAll(Arrays.asList(names));
            add(kind, e, false, args, o);
        }

        void ca(String kind, Expect e, Oracle o, String... args) {
            List<String> a = new ArrayList<>();
            if (!Arrays.asList(args).contains("--dir")) a.addAll(List.of("--dir", dir().toString()));
            if (!Arrays.asList(args).contains("--key-type")) a.addAll(List.of("--key-type", "ec"));
            a.addAll(Arrays.asList(args));
            add(kind, e, true, a, o);
        }

        private void add(String kind, Expect e, boolean isCa, List<String> args, Oracle o) {
            cases.add(new Case(cases.size(), kind, e, isCa, args, o, pending));
            pending = new LinkedHashMap<>();
        }

        /** A mutated file for the next case: written just before it runs, deleted after. */
        Path file(String name, byte[] data) {
            Path p = in.resolve("c" + cases.size() + "-" + name);
            pending.put(p, data);
            return p;
        }
    }

    /** The roles a mutated file can play, with the options around it and what a success must show. */
    record Role(String name, String option, Map<String, String> extra, Oracle oracle) {}

    static List<Role> roles() {
        Oracle leaf = dir -> leafOk(dir, null);
        Oracle fromCsr = dir -> leafOk(dir, csrKey);
        String ec = in.resolve("base/sec1.key").toString();
        return List.of(
                new Role("ca.crt", "--ca", Map.of(), leaf),
                new Role("ca.der", "--ca", Map.of(), leaf),
                new Role("pkcs8.key", "--ca-key", Map.of(), leaf),
                new Role("pkcs1.key", "--ca-key", Map.of(), leaf),
                new Role("sec1.key", "--ca-key", Map.of("--ca", ecDir.resolve("ca.crt").toString()), dir -> leafOk(dir, null, ecDir)),
                new Role("enc-pkcs8.key", "--ca-key", Map.of("--ca-key-password", "pass:" + PW), leaf),
                new Role("enc-pkcs1.key", "--ca-key", Map.of("--ca-key-password", "pass:" + PW), leaf),
                new Role("csr.pem", "--csr", Map.of(), fromCsr),
                new Role("csr.der", "--csr", Map.of(), fromCsr));
    }

    static Corpus build() throws Exception {
        Corpus c = new Corpus();
        for (Role role : roles()) fileMutations(c, role);
        c.issue("baseline", Expect.ACCEPT, dir -> leafOk(dir, null, ecDir), Map.of("--ca", ecDir.resolve("ca.crt").toString(),
                "--ca-key", c.file("sec1-no-public.key", base.get("sec1-no-public.key")).toString()), "svc.example.com");
        paths(c);
        passwords(c);
        subjects(c);
        names(c);
        numbers(c);
        return c;
    }

    static void fileCase(Corpus c, Role role, String kind, Expect e, byte[] data) {
        Map<String, String> opts = new LinkedHashMap<>(role.extra());
        opts.put(role.option(), c.file(role.name(), data).toString());
        String[] names = role.option().equals("--csr") ? new String[0] : new String[] {"svc.example.com"};
        c.issue(kind, e, role.oracle(), opts, names);
    }

    static final List<String> LABELS = List.of("CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE",
            "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST", "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY",
            "ENCRYPTED PRIVATE KEY", "PUBLIC KEY", "X509 CRL", "PKCS7", "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY", "FOO");

    static void fileMutations(Corpus c, Role role) throws Exception {
        byte[] b = base.get(role.name());
        boolean der = role.name().endsWith(".der");
        String text = new String(b, StandardCharsets.ISO_8859_1);
        Random r = c.rnd;

        // The unmutated input: the baseline every oracle compares against.
        fileCase(c, role, "baseline", Expect.ACCEPT, b);
        // Truncation: before the END line it is refused; after it only a newline is lost.
        int endLine = der ? b.length : text.indexOf("-----", text.lastIndexOf("-----END") + 8) + 5;
        for (int i = 0; i < 12; i++) {
            int at = i == 0 ? 0 : i == 1 ? b.length - 1 : r.nextInt(b.length);
            Expect e = der ? Expect.REFUSE : at >= endLine ? Expect.ACCEPT
                    : at >= text.lastIndexOf("-----END") ? Expect.EITHER : Expect.REFUSE;
            fileCase(c, role, "truncated", e, Arrays.copyOf(b, at));
        }
        // Bit flips and byte changes anywhere: the oracle decides (a flip in the unused bits of the
        // last base64 character changes nothing).
        for (int i = 0; i < 16; i++) {
            byte[] m = b.clone();
            for (int k = 1 + r.nextInt(3); k > 0; k--) m[r.nextInt(m.length)] ^= (byte) (1 << r.nextInt(8));
            fileCase(c, role, "bit flips", Expect.EITHER, m);
        }
        for (int i = 0; i < 6; i++) {
            byte[] m = b.clone();
            m[r.nextInt(m.length)] = (byte) r.nextInt(256);
            fileCase(c, role, "byte changed", Expect.EITHER, m);
        }
        // Empty, blank, NUL bytes, binary garbage.
        fileCase(c, role, "empty or blank", Expect.REFUSE, new byte[0]);
        fileCase(c, role, "empty or blank", Expect.REFUSE, "\n".getBytes());
        fileCase(c, role, "empty or blank", Expect.REFUSE, " \t\r\n \n".getBytes());
        fileCase(c, role, "NUL bytes", Expect.REFUSE, new byte[100]);
        for (int i = 0; i < 3; i++) {
            byte[] m = insert(b, r.nextInt(b.length), new byte[] {0});
            fileCase(c, role, "NUL bytes", Expect.EITHER, m);
        }
        fileCase(c, role, "NUL bytes", der ? Expect.EITHER : Expect.ACCEPT, concat(b, new byte[] {0, 0, 0}));
        for (int i = 0; i < 4; i++) {
            byte[] g = new byte[1 + r.nextInt(4096)];
            r.nextBytes(g);
            fileCase(c, role, "binary garbage", Expect.REFUSE, g);
        }
        fileCase(c, role, "binary garbage", Expect.REFUSE, HexFormat.of().parseHex("3084" + "7fffffff" + "0201"));
        fileCase(c, role, "binary garbage", Expect.REFUSE, HexFormat.of().parseHex("308480000000"));
        fileCase(c, role, "binary garbage", Expect.REFUSE, nested(50_000));
        if (der) {
            // DER cut inside its outer length, and a length that claims more than the file holds.
            byte[] m = b.clone();
            m[2] = (byte) 0x7f;
            fileCase(c, role, "bad DER length", Expect.REFUSE, m);
            fileCase(c, role, "trailing bytes", Expect.EITHER, concat(b, "junk".getBytes()));
            return;
        }
        String label = text.substring(text.indexOf("-----BEGIN ") + 11, text.indexOf("-----", text.indexOf("-----BEGIN ") + 11));
        // Wrong PEM types: the same base64 under another label (aliases are the same thing).
        for (String other : LABELS) {
            if (other.equals(label)) continue;
            boolean alias = (label.equals("CERTIFICATE") && other.equals("X509 CERTIFICATE"))
                    || (label.equals("CERTIFICATE REQUEST") && other.equals("NEW CERTIFICATE REQUEST"));
            fileCase(c, role, "wrong PEM type", alias ? Expect.ACCEPT : Expect.REFUSE,
                    ascii(text.replace("-----BEGIN " + label + "-----", "-----BEGIN " + other + "-----")
                            .replace("-----END " + label + "-----", "-----END " + other + "-----")));
        }
        fileCase(c, role, "wrong PEM type", Expect.EITHER, ascii(text.replace("-----END " + label, "-----END FOO")));
        // Another kind of file altogether in this role.
        for (String other : List.of("ca.crt", "pkcs8.key", "csr.pem", "leaf.crt", "sec1.key")) {
            if (other.equals(role.name()) || (other.equals("pkcs8.key") && role.name().endsWith(".key") && !role.name().equals("sec1.key"))) continue;
            fileCase(c, role, "wrong kind of file", Expect.REFUSE, base.get(other));
        }
        // Line endings and encodings.
        fileCase(c, role, "CRLF / CR line ends", Expect.ACCEPT, ascii(text.replace("\n", "\r\n")));
        fileCase(c, role, "CRLF / CR line ends", Expect.EITHER, ascii(text.replace("\n", "\r")));
        for (Charset cs : List.of(StandardCharsets.UTF_16, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
                Charset.forName("UTF-32")))
            fileCase(c, role, "UTF-16/32 encoded", Expect.REFUSE, text.getBytes(cs));
        fileCase(c, role, "UTF-8 BOM", Expect.EITHER, concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, b));
        fileCase(c, role, "whitespace", Expect.EITHER, ascii(text.replace("\n", " \t\n")));
        fileCase(c, role, "whitespace", Expect.EITHER, ascii(text.replaceAll("\n([A-Za-z0-9+/=])", "\n  $1")));
        fileCase(c, role, "whitespace", Expect.EITHER, ascii(text.replaceFirst("-----\n", "-----\n\n")));
        fileCase(c, role, "base64 layout", Expect.ACCEPT, ascii(relayout(text, 76)));
        fileCase(c, role, "base64 layout", Expect.ACCEPT, ascii(relayout(text, 100_000)));
        // PEM structure.
        fileCase(c, role, "header without body", Expect.REFUSE,
                ascii("-----BEGIN " + label + "-----\n-----END " + label + "-----\n"));
        fileCase(c, role, "header without body", Expect.REFUSE, ascii("-----BEGIN " + label + "-----\n"));
        fileCase(c, role, "header without body", Expect.REFUSE, ascii(text.substring(0, text.indexOf("-----END"))));
        fileCase(c, role, "header without body", Expect.REFUSE, ascii(text.substring(text.indexOf("\n") + 1)));
        fileCase(c, role, "nested or repeated BEGIN", Expect.EITHER, ascii("-----BEGIN " + label + "-----\n" + text));
        fileCase(c, role, "nested or repeated BEGIN", Expect.EITHER,
                ascii(text.replaceFirst("\n", "\n-----BEGIN " + label + "-----\n")));
        fileCase(c, role, "nested or repeated BEGIN", Expect.EITHER,
                ascii(text.replaceFirst("\n", "\n" + text)));
        fileCase(c, role, "two blocks", Expect.ACCEPT, ascii(text + text));
        fileCase(c, role, "two blocks", Expect.ACCEPT,
                concat(base.get(role.name().endsWith(".key") ? "leaf.crt" : "pkcs8.key"), b));
        fileCase(c, role, "text around the block", Expect.ACCEPT,
                ascii("Bag Attributes\n    friendlyName: x\nsubject=CN = x\n" + text + "trailing words\n"));
        fileCase(c, role, "PEM headers", Expect.EITHER, ascii(text.replaceFirst("-----\n", "-----\nComment: hello\n\n")));
        // Bouncy Castle, like openssl, reads these headers only on a traditional ("RSA PRIVATE KEY") block.
        fileCase(c, role, "PEM headers", label.equals("RSA PRIVATE KEY") && !text.contains("Proc-Type") ? Expect.REFUSE : Expect.EITHER,
                ascii(text.replaceFirst("-----\n", "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,zz\n\n")));
        fileCase(c, role, "base64 damaged", Expect.REFUSE, ascii(text.replaceFirst("\n(.{10})", "\n$1!!%%")));
        // Huge inputs: over 1 MiB, a line over 1 MiB, and big but allowed.
        fileCase(c, role, "huge (over 1 MiB)", Expect.REFUSE, concat(b, ascii("A".repeat(1 << 20))));
        fileCase(c, role, "huge (over 1 MiB)", Expect.REFUSE, ascii(text.replace("\n-----END",
                "A".repeat((1 << 20) + 1) + "\n-----END")));
        fileCase(c, role, "huge (under 1 MiB)", Expect.ACCEPT, concat(b, ascii("#".repeat(900_000) + "\n")));
        fileCase(c, role, "huge (under 1 MiB)", Expect.REFUSE,
                ascii("-----BEGIN " + label + "-----\n" + "QUFB".repeat(200_000) + "\n-----END " + label + "-----\n"));
        fileCase(c, role, "huge (under 1 MiB)", Expect.ACCEPT, ascii(text.repeat(900_000 / text.length())));
        fileCase(c, role, "binary garbage", Expect.REFUSE, ascii("-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder().encodeToString(nested(30_000)) + "\n-----END " + label + "-----\n"));
        if (role.name().startsWith("enc-pkcs8")) encryptionParameters(c, role, b);
        if (role.name().startsWith("enc-pkcs1")) {
            fileCase(c, role, "encryption parameters", Expect.REFUSE, ascii(text.replaceFirst("DEK-Info: [^\n]*", "DEK-Info: FOO-1,00")));
            fileCase(c, role, "encryption parameters", Expect.REFUSE, ascii(text.replaceFirst("DEK-Info: [^\n]*\n", "")));
            fileCase(c, role, "encryption parameters", Expect.REFUSE, ascii(text.replaceFirst("(DEK-Info: [^,]*,)[0-9A-F]*", "$100")));
            fileCase(c, role, "encryption parameters", Expect.REFUSE, ascii(text.replaceFirst("Proc-Type: [^\n]*\n", "")));
        }
    }

    /** PBES2 parameters set to what a damaged or hostile file could hold. */
    static void encryptionParameters(Corpus c, Role role, byte[] pem) throws Exception {
        var epki = EncryptedPrivateKeyInfo.getInstance(Base64.getMimeDecoder().decode(body(new String(pem, StandardCharsets.US_ASCII))));
        var pbes2 = PBES2Parameters.getInstance(epki.getEncryptionAlgorithm().getParameters());
        var kdf = PBKDF2Params.getInstance(pbes2.getKeyDerivationFunc().getParameters());
        for (BigInteger rounds : List.of(BigInteger.ZERO, BigInteger.valueOf(-1), BigInteger.valueOf(Pem.MAX_KDF_ROUNDS + 1L),
                BigInteger.valueOf(Integer.MAX_VALUE), BigInteger.ONE.shiftLeft(32).add(BigInteger.valueOf(2048)),
                BigInteger.ONE.shiftLeft(200))) {
            var params = new DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                    new DEROctetString(kdf.getSalt()), new ASN1Integer(rounds), kdf.getPrf()});
            var alg = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_PBES2,
                    new PBES2Parameters(new KeyDerivationFunc(PKCSObjectIdentifiers.id_PBKDF2, params), pbes2.getEncryptionScheme()));
            fileCase(c, role, "encryption parameters", Expect.REFUSE, ascii(Certs.pem("ENCRYPTED PRIVATE KEY",
                    new EncryptedPrivateKeyInfo(alg, epki.getEncryptedData()).getEncoded())));
        }
        var scrypt = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_PBES2, new PBES2Parameters(
                new KeyDerivationFunc(MiscObjectIdentifiers.id_scrypt, new ScryptParams(kdf.getSalt(), 1 << 30, 8, 1, 32)),
                pbes2.getEncryptionScheme()));
        fileCase(c, role, "encryption parameters", Expect.REFUSE,
                ascii(Certs.pem("ENCRYPTED PRIVATE KEY", new EncryptedPrivateKeyInfo(scrypt, epki.getEncryptedData()).getEncoded())));
        for (int rounds : List.of(Integer.MAX_VALUE, 2048)) {
            var pkcs12 = new AlgorithmIdentifier(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC,
                    new PKCS12PBEParams(kdf.getSalt(), rounds));
            fileCase(c, role, "encryption parameters", Expect.REFUSE,
                    ascii(Certs.pem("ENCRYPTED PRIVATE KEY", new EncryptedPrivateKeyInfo(pkcs12, epki.getEncryptedData()).getEncoded())));
        }
    }

    static void paths(Corpus c) throws Exception {
        Path b = in.resolve("base");
        List<String> bad = List.of(b.resolve("no-such-file").toString(), b.resolve("a-folder").toString(), "/dev/null",
                "/dev/zero", "/dev/urandom", b.resolve("no\nsuch").toString(), b.resolve("x".repeat(5000)).toString(),
                b.resolve("ca.crt/x").toString(), b.resolve("dangling").toString(), b.resolve("loop-a").toString(),
                "~/ca.crt", "", "-", b.resolve("\u001b[31mred").toString());
        for (String opt : List.of("--ca", "--ca-key", "--csr"))
            for (String p : bad)
                c.issue("file paths", Expect.REFUSE, null, Map.of(opt, p), opt.equals("--csr") ? new String[0] : new String[] {"svc.example.com"});
        for (String opt : List.of("--ca", "--ca-key", "--csr", "--dir")) {
            c.issue("file paths", Expect.REFUSE, null, Map.of(opt, "a\u0000b"), "svc.example.com");
        }
        c.issue("file paths", Expect.ACCEPT, dir -> leafOk(dir, null), Map.of("--ca", b.resolve("link-to-ca.crt").toString()), "svc.example.com");
        c.issue("file paths", Expect.ACCEPT, dir -> leafOk(dir, null),
                Map.of("--ca", b.resolve("a-folder/../ca.crt").toString()), "svc.example.com");
        // Output folders that cannot be made; and odd but valid ones.
        for (String d : List.of(b.resolve("ca.crt").toString(), b.resolve("ca.crt/sub").toString(),
                out.resolve("x".repeat(300)).toString(), b.resolve("dangling/sub").toString())) {
            c.issue("output folder", Expect.REFUSE, null, Map.of("--dir", d), "svc.example.com");
            c.ca("output folder", Expect.REFUSE, null, "--dir", d);
        }
        Path weird = c.dir().resolve("new\nline \u00e9");
        c.issue("output folder", Expect.ACCEPT, dir -> leafOk(weird, null), Map.of("--dir", weird.toString()), "svc.example.com");
    }

    static void passwords(Corpus c) throws Exception {
        Path b = in.resolve("base");
        Map<String, Expect> specs = new LinkedHashMap<>();
        specs.put("pass:" + PW, Expect.ACCEPT);
        specs.put(PW, Expect.ACCEPT);
        specs.put("file:" + b.resolve("pw.txt"), Expect.ACCEPT);
        specs.put("file:" + b.resolve("pw-crlf.txt"), Expect.ACCEPT);
        for (String s : List.of("file:" + b.resolve("pw-space.txt"), "file:" + b.resolve("pw-utf16.txt"),
                "file:" + b.resolve("pw-empty-line.txt"), "file:" + b.resolve("no-such"), "file:" + b.resolve("a-folder"),
                "file:/dev/zero", "file:/dev/null", "file:", "file:" + b.resolve("ca.crt"), "env:", "env:NO_SUCH_VAR_5",
                "env:PATH", "env:=", "prompt", "", "pass:", "pass", "pass:" + PW + " ", " " + PW, "pass:" + PW + "\n",
                "pass:" + PW.toUpperCase(), "pass:" + PW.substring(1), "pass:" + "x".repeat(100_000),
                "pass:\u00e9\u4e2d\ud83d\udd11", "pass:" + PW.substring(0, 5) + "\u0000" + PW.substring(5)))
            specs.put(s, Expect.REFUSE);
        // HMAC pads its key with zero bytes, so for PBKDF2 a password with a NUL appended is the same
        // password; openssl agrees. (A real command line cannot hold a NUL; only in-process calls can.)
        specs.put("pass:" + PW + "\u0000", Expect.EITHER);
        for (int i = 0; i < 20; i++) {
            char[] m = PW.toCharArray();
            m[c.rnd.nextInt(m.length)] ^= (char) (1 << c.rnd.nextInt(7));
            specs.put("pass:" + new String(m), new String(m).equals(PW) ? Expect.ACCEPT : Expect.REFUSE);
        }
        for (var e : specs.entrySet())
            for (String key : List.of("enc-pkcs8.key", "enc-pkcs1.key"))
                c.issue("password specs", e.getValue(), dir -> leafOk(dir, null),
                        Map.of("--ca-key", b.resolve(key).toString(), "--ca-key-password", e.getKey()), "svc.example.com");
        // ca.java --key-password: a good spec writes a key that this password opens; a bad one writes nothing.
        for (String s : List.of("pass:" + PW, PW, "file:" + b.resolve("pw.txt")))
            c.ca("password specs", Expect.ACCEPT, dir -> caOk(dir, PW), "--key-password", s);
        for (String s : List.of("", "env:NO_SUCH_VAR_5", "file:/dev/zero", "file:" + b.resolve("no-such"), "prompt",
                "file:", "env:", "file:" + b.resolve("a-folder")))
            c.ca("password specs", Expect.REFUSE, null, "--key-password", s);
    }

    static final String[] ODD = {"/", "=", ",", "+", "\\", "#", "\"", "<", ">", ";", "\u0000", "\n", "\u001b[2J", " ",
            "\u00e9", "\u4e2d", "\u202e", "\ud83d\udd11", "%", "*", ".", "-", "@", ":", "CN=", "/CN=", "\t", "\u00a0"};

    static String mutate(Random r, String s) {
        StringBuilder b = new StringBuilder(s);
        for (int k = 1 + r.nextInt(3); k > 0; k--) {
            int at = b.length() == 0 ? 0 : r.nextInt(b.length() + 1);
            switch (r.nextInt(4)) {
                case 0 -> b.insert(at, ODD[r.nextInt(ODD.length)]);
                case 1 -> { if (at < b.length()) b.deleteCharAt(at); }
                case 2 -> { if (at < b.length()) b.setCharAt(at, ODD[r.nextInt(ODD.length)].charAt(0)); }
                default -> b.insert(at, b.substring(r.nextInt(Math.max(1, b.length()))));
            }
        }
        return b.toString();
    }

    static void subjects(Corpus c) {
        List<String> seeds = List.of("/C=KR/ST=Seongnam-si/L=Bundang-gu/O=DDIM/OU=Engineer/CN=example root",
                "C=KR,O=DDIM,CN=example root", "/CN=example root", "CN=a+OU=b,O=c", "/emailAddress=x@example.com/CN=r");
        for (String s : seeds) c.ca("subject strings", Expect.ACCEPT, dir -> caOk(dir, null), "--subject", s);
        for (int i = 0; i < 90; i++)
            c.ca("subject strings", Expect.EITHER, dir -> caOk(dir, null), "--subject", mutate(c.rnd, seeds.get(i % seeds.size())));
        for (String s : List.of("", " ", "/", "//", "CN=#zz", "CN=#3003020101", "CN=" + "x".repeat(65), "/XX=1",
                "/CN", "=,=", "CN=x".repeat(200_000), "/C=KOR/CN=x", "/C=\u00e9\u00e9/CN=x", "/CN=a\nb", "/CN=\u001b[2Jx"))
            c.ca("subject strings", s.startsWith("CN=#3003") ? Expect.EITHER : Expect.REFUSE, dir -> caOk(dir, null), "--subject", s);
        String[] fields = {"--country", "--state", "--locality", "--org", "--org-unit", "--email", "--cn"};
        for (int i = 0; i < 40; i++) {
            String f = fields[c.rnd.nextInt(fields.length)];
            c.ca("subject fields", Expect.EITHER, dir -> caOk(dir, null), f, mutate(c.rnd, f.equals("--country") ? "KR" : "Value"));
        }
        c.ca("subject fields", Expect.REFUSE, null, "--cn", "x".repeat(2_000_000));
        c.ca("subject fields", Expect.REFUSE, null, "--subject", "/CN=x", "--cn", "y");
        for (int i = 0; i < 20; i++)
            c.issue("subject strings", Expect.EITHER, dir -> leafOk(dir, null),
                    Map.of("--subject", mutate(c.rnd, seeds.get(i % seeds.size()))), "svc.example.com");
    }

    static void names(Corpus c) {
        List<String> seeds = List.of("service-a.example.com", "10.0.0.7", "::1", "ops@example.com",
                "spiffe://example.org/ns/a/sa/b", "*.example.com", "b\u00fccher.example", "localhost", "fe80::1");
        for (String s : seeds) c.issue("SANs / NAMEs", Expect.ACCEPT, MutationCorpusTest::namesOk, Map.of(), s);
        for (int i = 0; i < 120; i++)
            c.issue("SANs / NAMEs", Expect.EITHER, MutationCorpusTest::namesOk, Map.of(), mutate(c.rnd, seeds.get(i % seeds.size())));
        for (String s : List.of("", " ", ".", "..", "*", "*.com", "a..b", "-x.example.com", "x".repeat(64) + ".com",
                "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(62) + ".e", "1.2.3.04",
                "256.1.1.1", "fe80::1%eth0", "::ffff:1.2.3.4", "xn--zz", "xn--a.example.com", "spiffe://", "spiffe://x/\u00e9",
                "http://x y", "a\u0001b@example.com", "\u00e9@example.com", "@example.com", "a@", "a@b@c", "x".repeat(100_000),
                "@" + in.resolve("base/pkcs8.key"), "mailto:x@example.com", "\u202eexample.com", "ex\u0000ample.com",
                "ex\nample.com", "example.com.", "EXAMPLE.COM"))
            c.issue("SANs / NAMEs", Expect.EITHER, MutationCorpusTest::namesOk, Map.of(), s);
        // --name and --each edge cases.
        for (String n : List.of("ca", "../x", ".hidden", "a/b", "", "x".repeat(101), "a\nb", "-", "ok_name.v2"))
            c.issue("--name values", n.equals("ok_name.v2") ? Expect.ACCEPT : Expect.REFUSE, dir -> leafOk(dir, null),
                    Map.of("--name", n), "svc.example.com");
        c.issue("--name values", Expect.REFUSE, null, Map.of("--each", "a.example.com"), "a.example.com");
    }

    static void numbers(Corpus c) {
        Map<String, Expect> days = new LinkedHashMap<>();
        for (String d : List.of("1", "30", "825", "+5", "\u0663", "3650")) days.put(d, Expect.ACCEPT);
        for (String d : List.of("0", "-1", "-0", "", " ", "1e3", "0x10", "99999999999", "2147483647", "3000000",
                "2932897", "5 ", "1.5", "NaN", "\u0000")) days.put(d, Expect.REFUSE);
        days.put("\uff15", Expect.ACCEPT); // Java reads any Unicode digit, like this full-width 5
        for (var e : days.entrySet()) {
            c.issue("--days", e.getValue(), dir -> leafOk(dir, null), Map.of("--days", e.getKey()), "svc.example.com");
            c.ca("--days", e.getValue(), dir -> caOk(dir, null), "--days", e.getKey());
        }
        for (String t : List.of("rsa", "ec", "ed25519", "RSA", "Ec", "ED25519", "dsa", "", " ", "ec\u0000", "rsa ",
                "x25519", "ed448", "\u0131", "secp256k1"))
            for (String size : new String[] {null, "256", "384", "2048", "1024", "-1", "2049", "abc"}) {
                String lt = t.toLowerCase(java.util.Locale.ROOT);
                boolean ok = (lt.equals("ec") && (size == null || size.equals("256") || size.equals("384")))
                        || (lt.equals("ed25519") && size == null) || (lt.equals("rsa") && (size == null || size.equals("2048")));
                Map<String, String> m = new LinkedHashMap<>();
                m.put("--key-type", t);
                if (size != null) m.put("--key-size", size);
                c.issue("--key-type / --key-size", ok ? Expect.ACCEPT : Expect.REFUSE, dir -> leafOk(dir, null), m, "svc.example.com");
            }
        for (String p : List.of("0", "1", "5", "2147483647", "-1", "-2147483648", "x", "", "99999999999"))
            c.ca("--path-len", p.matches("\\d+") && p.length() < 11 ? Expect.ACCEPT : Expect.REFUSE, dir -> caOk(dir, null),
                    "--path-len", p);
    }

    // ------------------------------------------------------------------ oracles

    /** One certificate made by issue.java: signed by the original CA, its own key matching, 0644/0600. */
    static void leafOk(Path dir, PublicKey expectedKey) throws Exception {
        leafOk(dir, expectedKey, caDir);
    }

    static void leafOk(Path dir, PublicKey expectedKey, Path ca) throws Exception {
        X509Certificate issuer = Pem.certificate(ca.resolve("ca.crt"), "CA");
        List<Path> crts;
        try (Stream<Path> s = Files.list(dir)) {
            crts = s.filter(p -> p.toString().endsWith(".crt")).toList();
        }
        assertEquals(1, crts.size(), "one certificate in " + dir);
        Path crt = crts.get(0);
        assertTrue(crt.getFileName().toString().matches("[A-Za-z0-9._-]+\\.crt"), "a plain file name: " + crt);
        X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(crt));
        c.verify(issuer.getPublicKey());
        assertEquals(issuer.getSubjectX500Principal(), c.getIssuerX500Principal());
        assertEquals(-1, c.getBasicConstraints(), "not a CA");
        assertNotNull(c.getSubjectAlternativeNames(), "has SANs");
        assertEquals("rw-r--r--", mode(crt));
        Path key = crt.resolveSibling(crt.getFileName().toString().replaceFirst("\\.crt$", ".key"));
        if (expectedKey != null) {
            assertArrayEquals(expectedKey.getEncoded(), c.getPublicKey().getEncoded(), "the CSR's key");
            assertFalse(Files.exists(key), "no key for a CSR");
        } else {
            assertEquals("rw-------", mode(key));
            assertTrue(Keys.matches(Cli.readKey(key, "key", null, "x"), c.getPublicKey()), "key matches");
        }
    }

    /** A certificate for mutated NAMEs: besides leafOk, every SAN is well-formed IA5/LDH. */
    static void namesOk(Path dir) throws Exception {
        leafOk(dir, null);
        Path crt;
        try (Stream<Path> s = Files.list(dir)) {
            crt = s.filter(p -> p.toString().endsWith(".crt")).findFirst().orElseThrow();
        }
        X509Certificate c = Pem.certificate(crt, "leaf");
        for (List<?> san : c.getSubjectAlternativeNames()) {
            int type = (Integer) san.get(0);
            String v = String.valueOf(san.get(1));
            switch (type) {
                case 2 -> assertTrue(v.matches("(\\*\\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
                        && v.length() <= 253, "DNS name " + v);
                case 1, 6 -> assertTrue(v.matches("[!-~]+"), "printable ASCII " + v);
                case 7 -> { }
                default -> throw new AssertionError("unexpected SAN type " + type);
            }
        }
        String dn = c.getSubjectX500Principal().getName();
        assertFalse(dn.chars().anyMatch(Character::isISOControl), "no control characters in " + dn);
    }

    /** A root made by ca.java: self-signed and verifying, CA:TRUE, its key matching, no control characters. */
    static void caOk(Path dir, String password) throws Exception {
        X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(Files.newInputStream(dir.resolve("ca.crt")));
        c.verify(c.getPublicKey());
        assertTrue(c.getBasicConstraints() >= 0, "CA:TRUE");
        assertEquals(c.getSubjectX500Principal(), c.getIssuerX500Principal());
        String dn = c.getSubjectX500Principal().getName();
        assertFalse(dn.chars().anyMatch(Character::isISOControl), "no control characters in " + dn);
        assertEquals("rw-------", mode(dir.resolve("ca.key")));
        String spec = password == null ? null : "pass:" + password;
        if (password != null) assertTrue(Files.readString(dir.resolve("ca.key")).contains("ENCRYPTED PRIVATE KEY"));
        assertTrue(Keys.matches(Cli.readKey(dir.resolve("ca.key"), "key", spec, "x"), c.getPublicKey()));
    }

    // ------------------------------------------------------------------ running

    @Test
    void everyMutatedInputIsRefusedCleanlyOrGivesAValidCertificate() throws Exception {
        long start = System.nanoTime();
        Corpus corpus = build();
        long generated = System.nanoTime();
        assertTrue(corpus.cases.size() >= 1000, "at least 1,000 cases: " + corpus.cases.size());
        Map<String, int[]> byKind = new TreeMap<>(); // kind -> refused(1), refused(2), accepted, total ms
        List<String> defects = new ArrayList<>();
        long slowest = 0;
        String slowestCase = "";
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "corpus-case");
            t.setDaemon(true); // a hung case must not keep the test JVM alive
            return t;
        });
        try {
            for (Case k : corpus.cases) {
                for (var e : k.files().entrySet()) Files.write(e.getKey(), e.getValue());
                Map<String, String> before = snapshot();
                long t0 = System.nanoTime();
                Future<Support.Result> f = pool.submit(() -> Support.cli(k.isCa() ? new ca() : new issue(),
                        k.args().toArray(String[]::new)));
                Support.Result r;
                try {
                    r = f.get(CASE_LIMIT_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    f.cancel(true);
                    defects.add(describe(k) + ": no answer within " + CASE_LIMIT_MS + " ms");
                    continue;
                } catch (ExecutionException e) {
                    defects.add(describe(k) + ": crashed with " + e.getCause());
                    continue;
                }
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (ms > slowest) {
                    slowest = ms;
                    slowestCase = describe(k);
                }
                int[] tally = byKind.computeIfAbsent(k.kind(), x -> new int[4]);
                tally[3] += (int) ms;
                Path dir = out.resolve("c" + k.id());
                if (r.code() == 0) {
                    tally[2]++;
                    if (k.expect() == Expect.REFUSE) defects.add(describe(k) + ": accepted, expected a refusal\n" + r.all());
                    else {
                        try {
                            k.oracle().check(dir);
                        } catch (Throwable e) {
                            defects.add(describe(k) + ": accepted, but the result is wrong: " + e);
                        }
                    }
                    if (!before.equals(snapshot())) defects.add(describe(k) + ": changed an input or the CA");
                } else {
                    tally[r.code() == 2 ? 1 : 0]++;
                    String why = refusalProblem(r, before, dir);
                    if (k.expect() == Expect.ACCEPT) why = "refused, expected success" + (why == null ? "" : "; " + why);
                    if (why != null) defects.add(describe(k) + ": " + why + "\nstdout: " + cut(r.out()) + "\nstderr: " + cut(Text.oneLine(r.err())));
                }
                for (Path p : k.files().keySet()) Files.deleteIfExists(p);
            }
        } finally {
            pool.shutdownNow();
        }
        long end = System.nanoTime();
        String report = report(corpus, byKind, (generated - start) / 1_000_000, (end - generated) / 1_000_000,
                slowest, slowestCase);
        System.out.println(report);
        Path target = Support.ROOT.resolve("target");
        if (Files.isDirectory(target)) Files.writeString(target.resolve("mutation-corpus.txt"), report);
        assertEquals("", String.join("\n\n", defects.subList(0, Math.min(30, defects.size()))),
                defects.size() + " defects in " + corpus.cases.size() + " cases");
    }

    /** Why a refusal breaks the contract, or null when it keeps it. */
    static String refusalProblem(Support.Result r, Map<String, String> before, Path dir) {
        if (r.code() != 1 && r.code() != 2) return "exit code " + r.code();
        String[] lines = r.err().split("\n", -1);
        if (lines.length != 2 || !lines[1].isEmpty()) return "stderr is not exactly one line";
        if (!lines[0].startsWith("error: ")) return "stderr does not start with 'error: '";
        if (!r.out().isEmpty()) return "printed on stdout";
        if (r.all().contains("Exception") || r.all().contains("\tat ")) return "a stack trace or exception name";
        if (lines[0].startsWith("error: unexpected ")) return "an unexpected failure (not a Failure)";
        if (Files.exists(dir)) return "created " + dir;
        if (!before.equals(snapshot())) return "changed an input or the CA";
        return null;
    }

    static String cut(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    }

    static String describe(Case k) {
        StringBuilder args = new StringBuilder(); // arguments may hold NULs, escape codes and RTL marks
        String.join(" ", k.args()).codePoints().forEach(c -> {
            if (c >= 0x20 && c < 0x7f) args.appendCodePoint(c);
            else args.append(String.format("\\u%04X", c));
        });
        return "case " + k.id() + " [" + k.kind() + ", " + k.expect() + "] " + (k.isCa() ? "ca " : "issue ")
                + (args.length() > 300 ? args.substring(0, 300) + "..." : args);
    }

    static String report(Corpus c, Map<String, int[]> byKind, long genMs, long runMs, long slowest, String slowestCase) {
        StringBuilder s = new StringBuilder();
        s.append(String.format("Mutation corpus, seed %d: %d cases, generated in %d ms, run in %d ms; slowest case %d ms (%s)%n",
                SEED, c.cases.size(), genMs, runMs, slowest, slowestCase.length() > 120 ? slowestCase.substring(0, 120) : slowestCase));
        s.append(String.format("| %-28s | %6s | %8s | %8s | %8s | %8s |%n", "class", "cases", "exit 1", "exit 2", "accepted", "time ms"));
        s.append("|------------------------------|--------|----------|----------|----------|----------|\n");
        int[] total = new int[4];
        for (var e : byKind.entrySet()) {
            int[] t = e.getValue();
            s.append(String.format("| %-28s | %6d | %8d | %8d | %8d | %8d |%n", e.getKey(), t[0] + t[1] + t[2], t[0], t[1], t[2], t[3]));
            for (int i = 0; i < 4; i++) total[i] += t[i];
        }
        s.append(String.format("| %-28s | %6d | %8d | %8d | %8d | %8d |%n", "total", total[0] + total[1] + total[2],
                total[0], total[1], total[2], total[3]));
        return s.toString();
    }

    // ------------------------------------------------------------------ snapshots and helpers

    /**
     * Inputs and CAs: every path with its size, mode, inode and modification time (nanoseconds), which
     * any write changes. Their contents are hashed in full before and after the whole corpus.
     */
    static Map<String, String> snapshot() {
        Map<String, String> m = new TreeMap<>();
        for (Path top : List.of(in, caDir, ecDir)) {
            try (Stream<Path> s = Files.walk(top)) {
                for (Path p : s.toList()) {
                    var a = Files.readAttributes(p, "unix:size,mode,ino,lastModifiedTime", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                    m.put(p.toString(), a.toString());
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return m;
    }

    /** The fixtures and CAs in full, compared once after the whole corpus. */
    static Map<String, String> fullSnapshot() throws Exception {
        Map<String, String> m = new TreeMap<>();
        for (Path top : List.of(in.resolve("base"), caDir, ecDir))
            try (Stream<Path> s = Files.walk(top)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) m.put(p.toString(), sha256(Files.readAllBytes(p)));
            }
        return m;
    }

    @AfterAll
    static void fixturesUnchanged() throws Exception {
        assertEquals(fixturesBefore, fullSnapshot(), "the base files and the CAs are byte-for-byte unchanged");
        try (Stream<Path> s = Files.list(in)) { // the cases wrote their outputs only under out/
            assertEquals(List.of(in.resolve("base")), s.toList());
        }
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
        } catch (Exception e) {
            return "missing";
        }
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static byte[] insert(byte[] a, int at, byte[] b) {
        return concat(concat(Arrays.copyOf(a, at), b), Arrays.copyOfRange(a, at, a.length));
    }

    /** SEQUENCE inside SEQUENCE, n deep, with indefinite lengths: a parser that recurses overflows its stack. */
    static byte[] nested(int depth) {
        byte[] b = new byte[depth * 2];
        for (int i = 0; i < b.length; i += 2) {
            b[i] = 0x30;
            b[i + 1] = (byte) 0x80;
        }
        return b;
    }

    /** The same PEM block with its base64 in lines of the given width. */
    static String relayout(String pem, int width) {
        String label = pem.substring(pem.indexOf("-----BEGIN ") + 11, pem.indexOf("-----", pem.indexOf("-----BEGIN ") + 11));
        int bodyStart = pem.indexOf('\n', pem.indexOf("-----BEGIN ")) + 1;
        String headers = "";
        String rest = pem.substring(bodyStart, pem.indexOf("-----END"));
        int blank = rest.indexOf("\n\n");
        if (rest.contains(":") && blank > 0) { // keep Proc-Type/DEK-Info headers as they are
            headers = rest.substring(0, blank + 2);
            rest = rest.substring(blank + 2);
        }
        String b64 = rest.replaceAll("\\s", "");
        StringBuilder s = new StringBuilder("-----BEGIN " + label + "-----\n" + headers);
        for (int i = 0; i < b64.length(); i += width) s.append(b64, i, Math.min(b64.length(), i + width)).append('\n');
        return s.append("-----END ").append(label).append("-----\n").toString();
    }
}
