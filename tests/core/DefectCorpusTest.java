import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second mutation corpus: a generator for each class of defect that a corpus from outside once
 * found, written for our code. Each class makes its cases from fixed seeds and templates:
 * special files, nesting depth, extension-level mutations of CSRs and certificates, control
 * characters in every printable field, weak keys and algorithms, malformed names, empty values,
 * long input, the words for one failure, hostile slow servers, answers cut by a limit or by the
 * server, names that are not UTF-8 or not ASCII, damaged DER, files given for a role they cannot play
 * (made by openssl), paths out of reach of an unprivileged user, and malformed SANs in openssl's
 * certificates for --lint. Every case keeps the promises of
 * Corpus (no hang, no stack trace, no raw control character, a one-line refusal that creates no
 * file) and its own expectation. The counts go to stdout and target/defect-corpus.txt, and
 * docs/RELIABILITY.md keeps them.
 */
@Tag("process")
class DefectCorpusTest {
    static final Provider BC = new BouncyCastleProvider();
    static final String HOST = "svc.example.com";

    @TempDir static Path root;
    static Path in, base, special, pki, other, out;
    static X509Certificate caCert;
    static PrivateKey caKey;
    static KeyPair leafKey;
    static final StringBuilder REPORT = new StringBuilder();

    @BeforeAll
    static void fixtures() throws Exception {
        in = Files.createDirectories(root.resolve("in"));
        base = Files.createDirectories(in.resolve("base"));
        special = Files.createDirectories(in.resolve("special"));
        out = Files.createDirectories(root.resolve("out"));
        pki = Support.pki(root.resolve("pki"), List.of("--key-type", "ec"), List.of("--key-type", "ec"), HOST);
        other = Support.pki(root.resolve("other"), List.of("--key-type", "ec", "--cn", "Other CA"), List.of());
        caCert = Pem.certificate(pki.resolve("ca.crt"), "CA");
        caKey = Cli.readKey(pki.resolve("ca.key"), "key", null, "x");
        leafKey = Keys.generate(Keys.KeyType.EC, null);
        Files.writeString(base.resolve("ca-enc.key"), Pem.key(caKey, "corpus-pw".toCharArray()));
        Files.write(base.resolve("svc.p12"), Pem.pkcs12("svc", Cli.readKey(pki.resolve("svc.key"), "key", null, "x"),
                Pem.certificate(pki.resolve("svc.crt"), "c"), List.of(caCert), "corpus-pw".toCharArray()));
        Files.write(base.resolve("csr.pem"), pem("CERTIFICATE REQUEST", csr(leafKey, "SHA256withECDSA", new X500Name("CN=" + HOST),
                List.of(ext(Extension.subjectAlternativeName, false, sans(new GeneralName(GeneralName.dNSName, HOST)))))));
        // The special files: none may be read, and none may hang a script.
        Support.exec(special, "mkfifo", special.resolve("fifo").toString()).expectOk();
        Files.createDirectories(special.resolve("folder"));
        var socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        socket.bind(UnixDomainSocketAddress.of(special.resolve("socket")));
        Files.createSymbolicLink(special.resolve("link-to-fifo"), special.resolve("fifo"));
        Files.createSymbolicLink(special.resolve("link-to-zero"), Path.of("/dev/zero"));
    }

    static Corpus corpus() {
        Corpus c = new Corpus(in, out);
        c.guarded.addAll(List.of(base, special, pki));
        return c;
    }

    // ------------------------------------------------------------------ the files and names corpus

    @Test
    void everyHostileInputIsRefusedInWordsOrHandledCleanly() throws Exception {
        long t0 = System.nanoTime();
        Corpus c = corpus();
        specialFiles(c);
        nesting(c);
        extensions(c);
        controls(c);
        weak(c);
        names(c);
        emptyValues(c);
        longInput(c);
        words(c);
        utf8(c);
        damagedDer(c);
        long generated = (System.nanoTime() - t0) / 1_000_000;
        Corpus.Report r = c.run(1);
        String table = r.table(String.format("Defect corpus (files, names and values; generated in %d ms)", generated));
        finish(table, r);
        assertTrue(r.cases() >= 1600, "at least 1,600 cases: " + r.cases());
    }

    static synchronized void finish(String table, Corpus.Report r) throws IOException {
        System.out.println(table);
        REPORT.append(table).append('\n');
        Path target = Support.ROOT.resolve("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("defect-corpus.txt"), REPORT.toString());
            synchronized (r.defects) { // all of them, for whoever fixes them
                Files.writeString(target.resolve("defect-corpus-defects.txt"), String.join("\n\n", r.defects) + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
        }
        assertEquals("", String.join("\n\n", r.defects.subList(0, Math.min(25, r.defects.size()))),
                r.defects.size() + " defects in " + r.cases() + " cases");
    }

    static String s(Path p) {
        return p.toString();
    }

    /** The places a file is read, as argument lists with F where the file goes. */
    static List<List<String>> filePlaces(Corpus c) {
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key")), url = "https://127.0.0.1:1/";
        String o = "OUT";
        return List.of(
                List.of("inspect", "F"),
                List.of("inspect", "--lint", "F"),
                List.of("inspect", "--lint", "--cacert", "F", s(pki.resolve("svc.crt"))),
                List.of("inspect", "--password", "file:F", s(base.resolve("svc.p12"))),
                List.of("issue", "--dir", o, "--ca", "F", "--ca-key", key, "--key-type", "ec", "x.example.com"),
                List.of("issue", "--dir", o, "--ca", ca, "--ca-key", "F", "--key-type", "ec", "x.example.com"),
                List.of("issue", "--dir", o, "--ca", ca, "--ca-key", s(base.resolve("ca-enc.key")), "--ca-key-password", "file:F",
                        "--key-type", "ec", "x.example.com"),
                List.of("issue", "--dir", o, "--ca", ca, "--ca-key", key, "--key-type", "ec", "--key-password", "file:F", "x.example.com"),
                List.of("issue", "sign", "--dir", o, "--ca", ca, "--ca-key", key, "F"),
                List.of("issue", "--dir", o, "--ca", ca, "--ca-key", key, "--csr", "F"),
                List.of("ca", "revoke", "--dir", s(pki), "F"),
                List.of("ca", "revoke", "--dir", s(pki), "--ca", "F", s(pki.resolve("svc.crt"))),
                List.of("ca", "--dir", o, "--key-type", "ec", "--key-password", "file:F"),
                List.of("ca", "intermediate", "--dir", o, "--ca", "F", "--ca-key", key, "--key-type", "ec"),
                List.of("client", "--cacert", "F", url),
                List.of("client", "--cacert", ca, "--cert", "F", "--key", s(pki.resolve("svc.key")), url),
                List.of("client", "--cacert", ca, "--cert", s(pki.resolve("svc.crt")), "--key", "F", url),
                List.of("trust", "export", "--dir", s(pki), "--ca", "F", "--format", "truststore", "-o", o + "/t.p12"),
                List.of("trust", "export", "--dir", s(pki), "--ca-key", "F", "--format", "vault", "-o", o + "/v.json"),
                List.of("serve", "--dir", s(pki), "--name", "svc", "--port", "0", "--cert", "F"),
                List.of("serve", "--dir", s(pki), "--name", "svc", "--port", "0", "--key", "F"),
                List.of("serve", "--dir", s(pki), "--name", "svc", "--port", "0", "--cacert", "F"),
                List.of("serve", "--dir", s(pki), "--name", "svc", "--port", "0", "--crl", "F"));
    }

    /** A case from a place: F is the file, OUT the case's output folder. */
    static void place(Corpus c, String cls, String kind, Corpus.Expect e, List<String> place, Path file) {
        place(c, cls, kind, e, null, place, file);
    }

    static void place(Corpus c, String cls, String kind, Corpus.Expect e, Corpus.Check check, List<String> place, Path file) {
        List<String> args = new ArrayList<>();
        for (String a : place.subList(1, place.size())) {
            String v = a.replace("OUT", s(c.dir()));
            args.add(v.equals("F") ? s(file) : v.equals("file:F") ? "file:" + file : v);
        }
        c.add(cls, kind, e, check, place.get(0), args);
    }

    // 1. Inputs that are not regular files.
    static void specialFiles(Corpus c) {
        Map<String, Path> kinds = new LinkedHashMap<>();
        kinds.put("a FIFO", special.resolve("fifo"));
        kinds.put("a folder", special.resolve("folder"));
        kinds.put("a Unix socket", special.resolve("socket"));
        kinds.put("a link to a FIFO", special.resolve("link-to-fifo"));
        kinds.put("a link to /dev/zero", special.resolve("link-to-zero"));
        for (String dev : List.of("/dev/zero", "/dev/null", "/dev/urandom", "/dev/stdin", "/dev/tty")) kinds.put(dev, Path.of(dev));
        for (var k : kinds.entrySet())
            for (List<String> place : filePlaces(c)) place(c, "1 special files", k.getKey(), Corpus.Expect.REFUSE, place, k.getValue());
        // renew reads NAME.crt and NAME.key, and writes beside them: both special.
        for (String k : List.of("fifo", "socket", "link-to-zero")) {
            Path crt = special.resolve("renew-" + k + ".crt");
            if (!Files.exists(crt, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.createSymbolicLink(crt, special.resolve(k));
                    Files.createSymbolicLink(special.resolve("renew-" + k + ".key"), special.resolve(k));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
            c.add("1 special files", "renew of " + k, Corpus.Expect.REFUSE, "issue",
                    List.of("renew", "--ca", s(pki.resolve("ca.crt")), "--ca-key", s(pki.resolve("ca.key")), s(crt)));
        }
    }

    // 2. Deep nesting, in every reader.
    static final int[] DEPTHS = {8, 39, 41, 200, 5_000, 100_000};
    static final String[] SHAPES = {"SEQUENCE", "SEQUENCE, indefinite", "SET", "[0]", "OCTET STRING, constructed, indefinite"};

    static byte[] nested(int depth, int shape) {
        if (shape == 1 || shape == 4) { // indefinite lengths: tag 0x80 ... with end-of-contents for each
            byte tag = (byte) (shape == 1 ? 0x30 : 0x24);
            byte[] b = new byte[depth * 4];
            for (int i = 0; i < depth; i++) {
                b[2 * i] = tag;
                b[2 * i + 1] = (byte) 0x80;
            }
            return b; // the end-of-contents octets (00 00) are already there: the array's zeros
        }
        byte tag = (byte) (shape == 0 ? 0x30 : shape == 2 ? 0x31 : 0xA0);
        byte[] inner = new byte[0];
        for (int i = 0; i < depth; i++) inner = tlv(tag, inner);
        return inner;
    }

    static byte[] tlv(byte tag, byte[] content) {
        int n = content.length;
        byte[] len = n < 0x80 ? new byte[] {(byte) n}
                : n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
                : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
                : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
        byte[] r = new byte[1 + len.length + n];
        r[0] = tag;
        System.arraycopy(len, 0, r, 1, len.length);
        System.arraycopy(content, 0, r, 1 + len.length, n);
        return r;
    }

    static void nesting(Corpus c) throws Exception {
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        ASN1ObjectIdentifier custom = new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.1");
        for (int depth : DEPTHS) {
            for (int shape = 0; shape < SHAPES.length; shape++) {
                byte[] der = nested(depth, shape);
                String kind = SHAPES[shape] + " x" + depth;
                String cls = "2 nesting";
                // The nested bytes as a file of each kind, to each reader of that kind.
                Map<String, List<List<String>>> readers = new LinkedHashMap<>();
                readers.put("DER", List.of(List.of("inspect", "F"), List.of("issue", "--dir", "OUT", "--ca", "F", "--ca-key", key, "x.example.com"),
                        List.of("client", "--cacert", "F", "https://127.0.0.1:1/")));
                readers.put("CERTIFICATE", List.of(List.of("inspect", "F"), List.of("inspect", "--lint", "F"),
                        List.of("issue", "--dir", "OUT", "--ca", "F", "--ca-key", key, "x.example.com"), List.of("ca", "revoke", "--dir", s(pki), "F"),
                        List.of("trust", "export", "--dir", s(pki), "--ca", "F", "--format", "truststore", "-o", "OUT/t.p12"),
                        List.of("client", "--cacert", "F", "https://127.0.0.1:1/")));
                readers.put("CERTIFICATE REQUEST", List.of(List.of("inspect", "F"), List.of("issue", "sign", "--dir", "OUT", "--ca", ca, "--ca-key", key, "F")));
                readers.put("PRIVATE KEY", List.of(List.of("inspect", "F"), List.of("issue", "--dir", "OUT", "--ca", ca, "--ca-key", "F", "x.example.com")));
                readers.put("X509 CRL", List.of(List.of("inspect", "F"), List.of("serve", "--dir", s(pki), "--name", "svc", "--port", "0", "--crl", "F")));
                readers.put("PKCS12", List.of(List.of("inspect", "--password", "pass:x", "F")));
                for (var r : readers.entrySet()) {
                    for (List<String> place : r.getValue()) {
                        byte[] data = r.getKey().equals("DER") || r.getKey().equals("PKCS12") ? der : pem(r.getKey(), der);
                        Path f = c.file(r.getKey().equals("PKCS12") ? "n.p12" : r.getKey().equals("DER") ? "n.der" : "n.pem", data);
                        place(c, cls, kind + " as " + r.getKey(), place.get(0).equals("inspect") ? Corpus.Expect.EITHER : Corpus.Expect.REFUSE, place, f);
                    }
                }
                // The same bytes inside a well-formed, signed certificate and CSR, as an extension's value.
                List<Extension> exts = List.of(ext(custom, false, der), ext(Extension.subjectAlternativeName, false,
                        sans(new GeneralName(GeneralName.dNSName, HOST))));
                byte[] cert = cert(caCert, caKey, leafKey.getPublic(), new X500Name("CN=" + HOST), exts);
                for (List<String> place : List.of(List.of("inspect", "F"), List.of("inspect", "--lint", "--dir", s(pki), "F"),
                        List.of("issue", "--dir", "OUT", "--ca", "F", "--ca-key", key, "x.example.com")))
                    place(c, cls, kind + " in a certificate's extension", place.get(0).equals("inspect") ? Corpus.Expect.EITHER : Corpus.Expect.REFUSE,
                            place, c.file("n.crt", pem("CERTIFICATE", cert)));
                byte[] req = csr(leafKey, "SHA256withECDSA", new X500Name("CN=" + HOST), exts);
                for (List<String> place : List.of(List.of("inspect", "F"), List.of("issue", "sign", "--dir", "OUT", "--ca", ca, "--ca-key", key, "F")))
                    place(c, cls, kind + " in a CSR's extension", Corpus.Expect.EITHER, place, c.file("n.csr", pem("CERTIFICATE REQUEST", req)));
                // As an otherName in the SAN, which the signer must read.
                byte[] san = tlv((byte) 0x30, tlv((byte) 0xA0, concat(new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.2").getEncoded(), tlv((byte) 0xA0, der))));
                byte[] req2 = csr(leafKey, "SHA256withECDSA", new X500Name("CN=" + HOST), List.of(ext(Extension.subjectAlternativeName, false, san)));
                for (List<String> place : List.of(List.of("inspect", "F"), List.of("issue", "sign", "--dir", "OUT", "--ca", ca, "--ca-key", key, "F")))
                    place(c, cls, kind + " in a CSR's SAN", place.get(0).equals("inspect") ? Corpus.Expect.EITHER : Corpus.Expect.REFUSE,
                            place, c.file("s.csr", pem("CERTIFICATE REQUEST", req2)));
            }
        }
    }

    // 3. Malformed extensions in CSRs and certificates.
    static void extensions(Corpus c) throws Exception {
        byte[] san = sans(new GeneralName(GeneralName.dNSName, HOST), new GeneralName(GeneralName.dNSName, "alt.example.com"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
        Map<String, List<Extension>> m = new LinkedHashMap<>();
        for (int n = 0; n < san.length; n++)
            m.put("SAN cut to " + n + " bytes", List.of(ext(Extension.subjectAlternativeName, false, Arrays.copyOf(san, n))));
        for (int i = 0; i < san.length; i++) {
            byte[] b = san.clone();
            b[i] ^= (byte) 0xFF;
            m.put("SAN byte " + i + " flipped", List.of(ext(Extension.subjectAlternativeName, false, b)));
        }
        m.put("SAN with a trailing byte", List.of(ext(Extension.subjectAlternativeName, false, concat(san, new byte[] {0}))));
        m.put("SAN with a trailing SEQUENCE", List.of(ext(Extension.subjectAlternativeName, false, concat(san, new byte[] {0x30, 0}))));
        Extension sanOk = ext(Extension.subjectAlternativeName, false, sans(new GeneralName(GeneralName.dNSName, HOST)));
        Extension sanOther = ext(Extension.subjectAlternativeName, false, sans(new GeneralName(GeneralName.dNSName, "other.example.com")));
        Extension bc = ext(Extension.basicConstraints, true, der(new BasicConstraints(false)));
        Extension ku = ext(Extension.keyUsage, true, der(new KeyUsage(KeyUsage.digitalSignature)));
        Extension eku = ext(Extension.extendedKeyUsage, false, der(new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth)));
        Extension ski = ext(Extension.subjectKeyIdentifier, false, der(new DEROctetString(new byte[20])));
        Extension unknown = ext(new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.3"), false, der(DERNull.INSTANCE));
        m.put("SAN twice, the same", List.of(sanOk, sanOk));
        m.put("SAN twice, different", List.of(sanOk, sanOther));
        m.put("basicConstraints twice", List.of(sanOk, bc, bc));
        m.put("keyUsage twice", List.of(sanOk, ku, ku));
        m.put("extendedKeyUsage twice", List.of(sanOk, eku, eku));
        m.put("subjectKeyIdentifier twice", List.of(sanOk, ski, ski));
        m.put("an unknown extension twice", List.of(sanOk, unknown, unknown));
        m.put("SAN empty", List.of(ext(Extension.subjectAlternativeName, false, der(new DERSequence()))));
        m.put("SAN with an otherName", List.of(ext(Extension.subjectAlternativeName, false, der(new DERSequence(new DERTaggedObject(false, 0,
                new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"), new DERTaggedObject(true, 0, new DERUTF8String("u@x"))})))))));
        m.put("SAN with a registeredID", List.of(ext(Extension.subjectAlternativeName, false, sans(new GeneralName(GeneralName.registeredID, "1.2.3.4")))));
        m.put("SAN with a directoryName", List.of(ext(Extension.subjectAlternativeName, false, sans(new GeneralName(new X500Name("CN=dir"))))));
        m.put("SAN with an x400Address", List.of(ext(Extension.subjectAlternativeName, false, der(new DERSequence(new DERTaggedObject(false, 3, new DERSequence()))))));
        m.put("SAN with an ediPartyName", List.of(ext(Extension.subjectAlternativeName, false, der(new DERSequence(new DERTaggedObject(false, 5, new DERSequence()))))));
        m.put("SAN with a URI", List.of(sanOk, ext(new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.4"), false, der(DERNull.INSTANCE)),
                ext(Extension.issuerAlternativeName, false, sans(new GeneralName(GeneralName.uniformResourceIdentifier, "http://x/")))));
        m.put("SAN with an empty dNSName", List.of(ext(Extension.subjectAlternativeName, false, der(new DERSequence(new DERTaggedObject(false, 2, new DERIA5String("")))))));
        m.put("SAN with an empty iPAddress", List.of(ext(Extension.subjectAlternativeName, false, der(new DERSequence(new DERTaggedObject(false, 7, new DEROctetString(new byte[0])))))));
        m.put("SAN as an INTEGER", List.of(ext(Extension.subjectAlternativeName, false, der(new ASN1Integer(5)))));
        m.put("SAN value empty", List.of(ext(Extension.subjectAlternativeName, false, new byte[0])));
        m.put("keyUsage as an INTEGER", List.of(sanOk, ext(Extension.keyUsage, true, der(new ASN1Integer(5)))));
        m.put("keyUsage with no bits", List.of(sanOk, ext(Extension.keyUsage, true, new byte[] {3, 1, 0})));
        m.put("keyUsage with 8 unused bits", List.of(sanOk, ext(Extension.keyUsage, true, new byte[] {3, 2, 8, (byte) 0x80})));
        m.put("keyUsage with 9 bits", List.of(sanOk, ext(Extension.keyUsage, true, new byte[] {3, 3, 7, (byte) 0xFF, (byte) 0x80})));
        m.put("keyUsage value empty", List.of(sanOk, ext(Extension.keyUsage, true, new byte[0])));
        m.put("basicConstraints pathLen -1", List.of(sanOk, ext(Extension.basicConstraints, true, der(new DERSequence(new ASN1Encodable[] {
                org.bouncycastle.asn1.ASN1Boolean.TRUE, new ASN1Integer(-1)})))));
        m.put("basicConstraints pathLen 2^70", List.of(sanOk, ext(Extension.basicConstraints, true, der(new DERSequence(new ASN1Encodable[] {
                org.bouncycastle.asn1.ASN1Boolean.TRUE, new ASN1Integer(BigInteger.TWO.pow(70))})))));
        m.put("basicConstraints cA as an INTEGER", List.of(sanOk, ext(Extension.basicConstraints, true, der(new DERSequence(new ASN1Integer(1))))));
        m.put("basicConstraints with three fields", List.of(sanOk, ext(Extension.basicConstraints, true, der(new DERSequence(new ASN1Encodable[] {
                org.bouncycastle.asn1.ASN1Boolean.TRUE, new ASN1Integer(1), new ASN1Integer(2)})))));
        m.put("basicConstraints value empty", List.of(sanOk, ext(Extension.basicConstraints, true, new byte[0])));
        m.put("extendedKeyUsage empty", List.of(sanOk, ext(Extension.extendedKeyUsage, false, der(new DERSequence()))));
        m.put("extendedKeyUsage with an INTEGER", List.of(sanOk, ext(Extension.extendedKeyUsage, false, der(new DERSequence(new ASN1Integer(1))))));
        m.put("extendedKeyUsage value empty", List.of(sanOk, ext(Extension.extendedKeyUsage, false, new byte[0])));
        m.put("an unknown critical extension", List.of(sanOk, ext(new ASN1ObjectIdentifier("1.2.3.4"), true, der(DERNull.INSTANCE))));
        m.put("subjectKeyIdentifier as a SEQUENCE", List.of(sanOk, ext(Extension.subjectKeyIdentifier, false, der(new DERSequence()))));
        m.put("authorityKeyIdentifier garbage", List.of(sanOk, ext(Extension.authorityKeyIdentifier, false, new byte[] {0x30, 3, (byte) 0x80, 5, 1})));
        m.put("nameConstraints garbage", List.of(sanOk, ext(Extension.nameConstraints, true, new byte[] {0x30, 2, (byte) 0xA0, 9})));
        m.put("cRLDistributionPoints garbage", List.of(sanOk, ext(Extension.cRLDistributionPoints, false, new byte[] {0x30, 1})));
        m.put("authorityInfoAccess garbage", List.of(sanOk, ext(Extension.authorityInfoAccess, false, new byte[] {0x30, 5, 0x30, 3, 6, 1})));
        m.put("certificatePolicies garbage", List.of(sanOk, ext(Extension.certificatePolicies, false, new byte[] {0x30, 4, 0x30, 2, 5, 0})));
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        for (var e : m.entrySet()) {
            String cls = "3 extensions";
            boolean broken = e.getKey().contains("cut to") || e.getKey().contains("twice") || e.getKey().contains("trailing")
                    || e.getKey().contains("as an INTEGER") && e.getKey().startsWith("SAN") || e.getKey().equals("SAN value empty")
                    || e.getKey().equals("SAN empty") || e.getKey().contains("empty dNSName") || e.getKey().contains("empty iPAddress");
            byte[] req = csr(leafKey, "SHA256withECDSA", new X500Name("CN=" + HOST), e.getValue());
            place(c, cls, "CSR: " + e.getKey(), broken ? Corpus.Expect.REFUSE : Corpus.Expect.EITHER,
                    List.of("issue", "sign", "--dir", "OUT", "--ca", ca, "--ca-key", key, "F"), c.file("e.csr", pem("CERTIFICATE REQUEST", req)));
            place(c, cls, "CSR: " + e.getKey(), Corpus.Expect.EITHER, List.of("inspect", "F"), c.file("e.csr", pem("CERTIFICATE REQUEST", req)));
            byte[] leaf = cert(caCert, caKey, leafKey.getPublic(), new X500Name("CN=" + HOST), e.getValue());
            place(c, cls, "certificate: " + e.getKey(), Corpus.Expect.EITHER, List.of("inspect", "F"), c.file("e.crt", pem("CERTIFICATE", leaf)));
            place(c, cls, "certificate: " + e.getKey(), Corpus.Expect.EITHER, List.of("inspect", "--lint", "--dir", s(pki), "F"),
                    c.file("e.crt", pem("CERTIFICATE", leaf)));
            // A CA certificate (self-signed with the CA's key) carrying the same extensions, asked to sign.
            List<Extension> caExts = new ArrayList<>(e.getValue());
            if (caExts.stream().noneMatch(x -> x.getExtnId().equals(Extension.basicConstraints)))
                caExts.add(ext(Extension.basicConstraints, true, der(new BasicConstraints(true))));
            if (caExts.stream().noneMatch(x -> x.getExtnId().equals(Extension.keyUsage)))
                caExts.add(ext(Extension.keyUsage, true, der(new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))));
            byte[] caDer = cert(null, caKey, caCert.getPublicKey(), new X500Name("CN=corpus CA"), caExts);
            place(c, cls, "CA: " + e.getKey(), Corpus.Expect.EITHER, List.of("issue", "--dir", "OUT", "--ca", "F", "--ca-key", key, "--key-type", "ec", "x.example.com"),
                    c.file("e-ca.crt", pem("CERTIFICATE", caDer)));
        }
    }

    // 4. Control characters in everything printed.
    static final String[] CONTROLS = {"\u001b]0;pwned\u0007", "\u001b[2J", "a\nforged: line", "a\rb", "bell\u0007", "del\u007f",
            "c1\u009b31m", "rlo\u202eevil", "nul\u0000x", "\u001b[31mred\u001b[0m", "tab\tx"};

    static void controls(Corpus c) throws Exception {
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        String cls = "4 control characters";
        for (String bad : CONTROLS) {
            String shown = Corpus.visible(bad);
            Map<String, X500Name> subjects = new LinkedHashMap<>();
            subjects.put("CN", name(BCStyle.CN, "x" + bad + ".example.com"));
            subjects.put("O", new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(HOST)), new RDN(BCStyle.O, new DERUTF8String(bad))}));
            subjects.put("OU", new X500Name(new RDN[] {new RDN(BCStyle.OU, new DERUTF8String(bad)), new RDN(BCStyle.CN, new DERUTF8String(HOST))}));
            Map<String, GeneralName> sanNames = new LinkedHashMap<>();
            sanNames.put("SAN dNSName", new GeneralName(GeneralName.dNSName, new DERIA5String("x" + bad + ".example.com")));
            sanNames.put("SAN email", new GeneralName(GeneralName.rfc822Name, new DERIA5String("a" + bad + "@example.com")));
            sanNames.put("SAN URI", new GeneralName(GeneralName.uniformResourceIdentifier, new DERIA5String("https://x/" + bad)));
            List<Object[]> variants = new ArrayList<>();
            for (var s : subjects.entrySet())
                variants.add(new Object[] {s.getKey(), s.getValue(), List.of(ext(Extension.subjectAlternativeName, false, sans(new GeneralName(GeneralName.dNSName, HOST))))});
            for (var n : sanNames.entrySet())
                variants.add(new Object[] {n.getKey(), new X500Name("CN=" + HOST), List.of(ext(Extension.subjectAlternativeName, false, sans(n.getValue())))});
            for (Object[] v : variants) {
                String kind = v[0] + " holds " + shown;
                @SuppressWarnings("unchecked") List<Extension> exts = (List<Extension>) v[2];
                byte[] req = csr(leafKey, "SHA256withECDSA", (X500Name) v[1], exts);
                place(c, cls, "CSR " + kind, Corpus.Expect.ACCEPT, List.of("inspect", "F"), c.file("x.csr", pem("CERTIFICATE REQUEST", req)));
                place(c, cls, "CSR " + kind, Corpus.Expect.EITHER, List.of("issue", "sign", "--dir", "OUT", "--ca", ca, "--ca-key", key, "F"),
                        c.file("x.csr", pem("CERTIFICATE REQUEST", req)));
                byte[] leaf = cert(caCert, caKey, leafKey.getPublic(), (X500Name) v[1], exts);
                place(c, cls, "certificate " + kind, Corpus.Expect.ACCEPT, List.of("inspect", "F"), c.file("x.crt", pem("CERTIFICATE", leaf)));
                place(c, cls, "certificate " + kind, Corpus.Expect.EITHER, List.of("inspect", "--lint", "--dir", s(pki), "F"), c.file("x.crt", pem("CERTIFICATE", leaf)));
                // A CA whose name holds it: what signs with it, exports it, or revokes with it prints its name.
                List<Extension> caExts = new ArrayList<>(exts);
                caExts.add(ext(Extension.basicConstraints, true, der(new BasicConstraints(true))));
                caExts.add(ext(Extension.keyUsage, true, der(new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))));
                byte[] evilCa = cert(null, caKey, caCert.getPublicKey(), (X500Name) v[1], caExts);
                place(c, cls, "CA " + kind, Corpus.Expect.EITHER, List.of("issue", "--dir", "OUT", "--ca", "F", "--ca-key", key, "--key-type", "ec", "y.example.com"),
                        c.file("x-ca.crt", pem("CERTIFICATE", evilCa)));
                place(c, cls, "CA " + kind, Corpus.Expect.EITHER, List.of("trust", "export", "--ca", "F", "--ca-key", key, "--format", "vault", "-o", "OUT/v.json"),
                        c.file("x-ca.crt", pem("CERTIFICATE", evilCa)));
                place(c, cls, "CA " + kind, Corpus.Expect.EITHER, List.of("client", "--cacert", "F", "--connect-timeout", "1", "https://127.0.0.1:1/"),
                        c.file("x-ca.crt", pem("CERTIFICATE", evilCa)));
            }
            // Names and paths typed by the user.
            c.add(cls, "a NAME holding " + shown, Corpus.Expect.REFUSE, "issue", List.of("--dir", s(c.dir()), "--ca", ca, "--ca-key", key, "--key-type", "ec", "x" + bad + ".example.com"));
            c.add(cls, "--cn holding " + shown, Corpus.Expect.EITHER, "ca", List.of("--dir", s(c.dir()), "--key-type", "ec", "--cn", "root " + bad));
            c.add(cls, "--org holding " + shown, Corpus.Expect.EITHER, "issue", List.of("--dir", s(c.dir()), "--ca", ca, "--ca-key", key, "--key-type", "ec", "--org", bad, "z.example.com"));
            c.add(cls, "a missing file named with " + shown, Corpus.Expect.REFUSE, "inspect", List.of(s(in) + "/missing" + bad + ".crt"));
            Path named = c.file("named" + bad.replace('\u0000', '0') + ".crt", Files.readAllBytes(pki.resolve("svc.crt")));
            c.add(cls, "a certificate file named with " + shown, Corpus.Expect.ACCEPT, "inspect", List.of(s(named)));
            c.add(cls, "--dir named with " + shown, Corpus.Expect.EITHER, "issue", List.of("--dir", s(c.dir().resolve("d" + bad.replace('\u0000', '0'))), "--ca", ca,
                    "--ca-key", key, "--key-type", "ec", "w.example.com"));
            c.add(cls, "a URL holding " + shown, Corpus.Expect.REFUSE, "client", List.of("https://127.0.0.1:1/" + bad));
            c.add(cls, "a host holding " + shown, Corpus.Expect.REFUSE, "client", List.of("https://x" + bad + ".example.com/"));
            c.add(cls, "--resolve holding " + shown, Corpus.Expect.REFUSE, "client", List.of("--resolve", "x" + bad + ":1:127.0.0.1", "https://127.0.0.1:1/"));
            c.add(cls, "--name holding " + shown, Corpus.Expect.REFUSE, "serve", List.of("--dir", s(pki), "--port", "0", "--name", "s" + bad));
            c.add(cls, "--peer holding " + shown, Corpus.Expect.REFUSE, "serve", List.of("--dir", s(pki), "--port", "0", "--name", "svc", "--peer", "https://x/" + bad));
            c.add(cls, "--allow holding " + shown, Corpus.Expect.REFUSE, "serve", List.of("--dir", s(pki), "--port", "0", "--name", "svc", "--allow", "DNS:x" + bad));
            c.add(cls, "a password file named with " + shown, Corpus.Expect.REFUSE, "inspect", List.of("--password", "file:" + in + "/p" + bad, s(base.resolve("svc.p12"))));
        }
    }

    static X500Name name(ASN1ObjectIdentifier attr, String value) {
        return new X500Name(new RDN[] {new RDN(attr, new DERUTF8String(value))});
    }

    // 5. Weak material: refused with a reason, nothing written.
    static void weak(Corpus c) throws Exception {
        String cls = "5 weak material";
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        Instant now = Instant.now();
        record Weak(String kind, KeyPair kp, String sigAlg, Instant notAfter, List<Extension> exts) {}
        List<Extension> caExts = List.of(ext(Extension.basicConstraints, true, der(new BasicConstraints(true))),
                ext(Extension.keyUsage, true, der(new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))));
        Instant later = now.plus(365, ChronoUnit.DAYS);
        List<Weak> cas = List.of(
                new Weak("an RSA-512 CA key", rsa(512), "SHA256withRSA", later, caExts),
                new Weak("an RSA-1024 CA key", rsa(1024), "SHA256withRSA", later, caExts),
                new Weak("a CA signed with MD5", rsa(2048), "MD5withRSA", later, caExts),
                new Weak("a CA signed with SHA-1", rsa(2048), "SHA1withRSA", later, caExts),
                new Weak("a DSA CA", gen("DSA", 2048), "SHA256withDSA", later, caExts),
                new Weak("a secp256k1 CA", ec("secp256k1"), "SHA256withECDSA", later, caExts),
                new Weak("a CA without basicConstraints", leafKey, "SHA256withECDSA", later, List.of(caExts.get(1))),
                new Weak("a CA with CA:FALSE", leafKey, "SHA256withECDSA", later, List.of(ext(Extension.basicConstraints, true,
                        der(new BasicConstraints(false))), caExts.get(1))),
                new Weak("a CA without keyCertSign", leafKey, "SHA256withECDSA", later, List.of(caExts.get(0),
                        ext(Extension.keyUsage, true, der(new KeyUsage(KeyUsage.digitalSignature))))),
                new Weak("an expired CA", leafKey, "SHA256withECDSA", now.minus(1, ChronoUnit.DAYS), caExts));
        for (Weak w : cas) {
            Instant nb = w.notAfter().isBefore(now) ? now.minus(30, ChronoUnit.DAYS) : now.minus(1, ChronoUnit.HOURS);
            byte[] der = cert(null, w.kp().getPrivate(), w.kp().getPublic(), new X500Name("CN=weak corpus CA"), w.exts(), w.sigAlg(), nb, w.notAfter());
            for (String form : List.of("NAME", "CSR")) {
                Path caFile = c.file("w-ca.crt", pem("CERTIFICATE", der));
                Path keyFile = c.file("w-ca.key", Certs.pem(w.kp().getPrivate()).getBytes(StandardCharsets.US_ASCII));
                List<String> args = new ArrayList<>(List.of("--dir", s(c.dir()), "--ca", s(caFile), "--ca-key", s(keyFile), "--key-type", "ec"));
                if (form.equals("CSR")) args.addAll(0, List.of("sign"));
                args.add(form.equals("CSR") ? s(base.resolve("csr.pem")) : "x.example.com");
                c.add(cls, w.kind() + ", signing a " + form, Corpus.Expect.REFUSE, "issue", args);
            }
        }
        // CSRs with weak keys or signatures, to our good CA.
        Map<String, Object[]> csrs = new LinkedHashMap<>();
        csrs.put("a DSA-1024 key", new Object[] {gen("DSA", 1024), "SHA1withDSA"});
        csrs.put("a DSA-2048 key", new Object[] {gen("DSA", 2048), "SHA256withDSA"});
        csrs.put("an RSA-512 key", new Object[] {rsa(512), "SHA256withRSA"});
        csrs.put("an RSA-1024 key", new Object[] {rsa(1024), "SHA256withRSA"});
        csrs.put("an RSA-1536 key", new Object[] {rsa(1536), "SHA256withRSA"});
        csrs.put("an MD5 signature", new Object[] {rsa(2048), "MD5withRSA"});
        csrs.put("a SHA-1 RSA signature", new Object[] {rsa(2048), "SHA1withRSA"});
        csrs.put("a SHA-1 ECDSA signature", new Object[] {leafKey, "SHA1withECDSA"});
        csrs.put("a secp256k1 key", new Object[] {ec("secp256k1"), "SHA256withECDSA"});
        csrs.put("a P-192 key", new Object[] {ec("secp192r1"), "SHA256withECDSA"});
        csrs.put("an Ed448 key", new Object[] {gen("Ed448", 0), "Ed448"});
        for (var e : csrs.entrySet()) {
            KeyPair kp = (KeyPair) e.getValue()[0];
            byte[] req = csr(kp, (String) e.getValue()[1], new X500Name("CN=" + HOST), List.of());
            Path f = c.file("w.csr", pem("CERTIFICATE REQUEST", req));
            c.add(cls, "a CSR with " + e.getKey(), Corpus.Expect.REFUSE, "issue", List.of("sign", "--dir", s(c.dir()), "--ca", ca, "--ca-key", key, s(f), HOST));
        }
    }

    // 8. Malformed names in CSRs: refused by the signer, flagged by --lint.
    static void names(Corpus c) throws Exception {
        String cls = "8 malformed names";
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        Map<String, GeneralName> bad = new LinkedHashMap<>();
        for (int n : new int[] {0, 1, 3, 5, 8, 15, 17, 32})
            bad.put("an IP SAN of " + n + " bytes", new GeneralName(GeneralName.iPAddress, new DEROctetString(new byte[n])));
        for (String dns : List.of("caf\u00e9.example.com", "\u00fcber.example.com", "a\u00a0b.example.com", "x y.example.com",
                "a..b.example.com", ".a.example.com", "-a.example.com", "a_b.example.com", "*.*.example.com", "a*b.example.com", "*",
                "a".repeat(64) + ".example.com", ("a".repeat(60) + ".").repeat(5) + "com"))
            bad.put("dNSName " + Corpus.visible(dns).replaceAll("a{20,}", "a..."), new GeneralName(GeneralName.dNSName, new DERIA5String(dns)));
        bad.put("an email with non-ASCII", new GeneralName(GeneralName.rfc822Name, new DERIA5String("j\u00f6rg@example.com")));
        for (var e : bad.entrySet()) {
            List<Extension> exts = List.of(ext(Extension.subjectAlternativeName, false, sans(e.getValue())));
            byte[] req = csr(leafKey, "SHA256withECDSA", new X500Name("CN=ok.example.com"), exts);
            place(c, cls, "CSR with " + e.getKey(), Corpus.Expect.REFUSE, List.of("issue", "sign", "--dir", "OUT", "--ca", ca, "--ca-key", key, "F"),
                    c.file("n.csr", pem("CERTIFICATE REQUEST", req)));
            byte[] leaf = cert(caCert, caKey, leafKey.getPublic(), new X500Name("CN=ok.example.com"), exts);
            String what = e.getKey();
            place(c, cls, "--lint of a certificate with " + what, Corpus.Expect.REFUSE,
                    List.of("inspect", "--lint", "--dir", s(pki), "F"), c.file("n.crt", pem("CERTIFICATE", leaf)));
            place(c, cls, "inspect of a certificate with " + what, Corpus.Expect.ACCEPT, List.of("inspect", "F"), c.file("n.crt", pem("CERTIFICATE", leaf)));
        }
        // A name typed in Unicode is an IDN: it is signed in its xn-- form (RFC 5890), which is what a client looks up.
        c.add(cls, "the NAME caf\u00e9.example.com", Corpus.Expect.ACCEPT, r -> r.out().contains("xn--caf-dma.example.com") ? null
                : "not signed as xn--caf-dma.example.com", "issue", List.of("--dir", s(c.dir()), "--ca", ca, "--ca-key", key, "--key-type", "ec", "caf\u00e9.example.com"));
        for (String name : List.of("x y.example.com", "a..b.example.com", "1.2.3.4.5", "::g", "a".repeat(64) + ".com", ""))
            c.add(cls, "the NAME " + Corpus.visible(name).replaceAll("a{20,}", "a..."), Corpus.Expect.REFUSE, "issue",
                    List.of("--dir", s(c.dir()), "--ca", ca, "--ca-key", key, "--key-type", "ec", name));
    }

    // 7. Empty values: every option of every script, given "", is refused in words that name it.
    static void emptyValues(Corpus c) {
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        Map<String, List<String>> commands = new LinkedHashMap<>(); // script [subcommand] -> the arguments around the option
        commands.put("ca", List.of("--dir", "OUT", "--key-type", "ec"));
        commands.put("ca intermediate", List.of("--dir", "OUT", "--ca", ca, "--ca-key", key, "--key-type", "ec"));
        commands.put("ca revoke", List.of("--dir", s(pki), s(pki.resolve("svc.crt"))));
        commands.put("issue", List.of("--dir", "OUT", "--ca", ca, "--ca-key", key, "--key-type", "ec", "x.example.com"));
        commands.put("issue sign", List.of("--dir", "OUT", "--ca", ca, "--ca-key", key, s(base.resolve("csr.pem"))));
        commands.put("issue renew", List.of("--ca", ca, "--ca-key", key, s(pki.resolve("svc.crt"))));
        commands.put("inspect", List.of(s(pki.resolve("svc.crt"))));
        commands.put("client", List.of("--connect-timeout", "1", "https://127.0.0.1:1/"));
        commands.put("trust export", List.of("--dir", s(pki), "--format", "truststore", "-o", "OUT/t.p12"));
        commands.put("trust install", List.of("--dir", s(pki), "--truststore", "OUT/t.p12"));
        commands.put("trust uninstall", List.of("--dir", s(pki), "--truststore", "OUT/t.p12"));
        commands.put("serve", List.of("--dir", s(pki), "--name", "svc", "--port", "0"));
        for (var e : commands.entrySet()) {
            String[] words = e.getKey().split(" ");
            var spec = new picocli.CommandLine(Corpus.command(words[0])).getCommandSpec();
            if (words.length > 1) spec = spec.subcommands().get(words[1]).getCommandSpec();
            for (var o : spec.options()) {
                if (o.arity().max() == 0 || o.usageHelp() || o.versionHelp()) continue;
                String flag = o.longestName();
                List<String> args = new ArrayList<>();
                if (words.length > 1) args.add(words[1]);
                args.addAll(List.of(flag, ""));
                List<String> around = e.getValue();
                for (int i = 0; i < around.size(); i++) {
                    String a = around.get(i).replace("OUT", s(c.dir()));
                    // Another value for the same option, or a target beside --truststore, would hide the empty one.
                    if (a.startsWith("--") && Arrays.asList(o.names()).contains(a)) { i++; continue; }
                    args.add(a);
                }
                if (flag.equals("--truststore")) args.addAll(List.of("--root", s(c.dir().resolve("root"))));
                String[] names = o.names();
                c.add("7 empty values", e.getKey() + " " + flag + " \"\"", Corpus.Expect.REFUSE,
                        r -> Arrays.stream(names).anyMatch(n -> r.err().contains(n)) ? null : "the error does not name " + flag, words[0], args);
            }
        }
    }

    // 9. Long input: every clean-up of text is linear, so each case answers at once.
    static void longInput(Corpus c) {
        String cls = "9 long input";
        long saved = c.limitMs;
        c.limitMs = 5_000;
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        for (int n : new int[] {100_000, 1_000_000}) {
            String a = "a".repeat(n), pct = "%".repeat(n), ctl = "\u001b".repeat(n), sp = " ".repeat(n);
            String k = String.format("%,d", n);
            c.add(cls, "a URL of " + k + " characters", Corpus.Expect.REFUSE, "client", List.of("https://" + a + "/"));
            c.add(cls, "a URL path of " + k + " % signs", Corpus.Expect.REFUSE, "client", List.of("https://127.0.0.1:1/" + pct));
            c.add(cls, "a URL of " + k + " ESC characters", Corpus.Expect.REFUSE, "client", List.of("https://127.0.0.1:1/" + ctl));
            c.add(cls, "a URL of " + k + " spaces", Corpus.Expect.REFUSE, "client", List.of("https://127.0.0.1:1/" + sp));
            c.add(cls, "--resolve of " + k + " characters", Corpus.Expect.REFUSE, "client", List.of("--resolve", a, "https://127.0.0.1:1/"));
            c.add(cls, "a NAME of " + k + " characters", Corpus.Expect.REFUSE, "issue", List.of("--dir", s(c.dir()), "--ca", ca, "--ca-key", key, a));
            c.add(cls, "a NAME of " + k + " ESC characters", Corpus.Expect.REFUSE, "issue", List.of("--dir", s(c.dir()), "--ca", ca, "--ca-key", key, ctl));
            c.add(cls, "--cn of " + k + " characters", Corpus.Expect.REFUSE, "ca", List.of("--dir", s(c.dir()), "--key-type", "ec", "--cn", a));
            c.add(cls, "--subject of " + k + " characters", Corpus.Expect.REFUSE, "ca", List.of("--dir", s(c.dir()), "--key-type", "ec", "--subject", "CN=" + ctl));
            c.add(cls, "a path of " + k + " characters", Corpus.Expect.REFUSE, "inspect", List.of("/" + a));
            c.add(cls, "an unknown option of " + k + " characters", Corpus.Expect.REFUSE, "inspect", List.of("--" + a));
            c.add(cls, "--allow of " + k + " characters", Corpus.Expect.REFUSE, "serve", List.of("--dir", s(pki), "--name", "svc", "--port", "0", "--allow", "DNS:" + ctl));
            c.add(cls, "--password of " + k + " characters", Corpus.Expect.REFUSE, "inspect", List.of("--password", a, s(base.resolve("svc.p12"))));
            c.add(cls, "a file of one line of " + k + " characters", Corpus.Expect.EITHER, "inspect",
                    List.of(s(c.file("long.pem", ("-----BEGIN CERTIFICATE-----\n" + a.substring(0, Math.min(n, 900_000)) + "\n-----END CERTIFICATE-----\n")
                            .getBytes(StandardCharsets.US_ASCII)))));
        }
        c.limitMs = saved;
    }

    // 10 and 11. One failure, one set of words; and the loose ends of revocation.
    static void words(Corpus c) throws Exception {
        String cls = "10 words";
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        // A PKCS#12 without a MAC, given the wrong password: the same words as one with a MAC.
        Path noMac = base.resolve("no-mac.p12");
        if (!Files.exists(noMac))
            Support.openssl(base, "pkcs12", "-export", "-nomac", "-in", s(pki.resolve("svc.crt")), "-inkey", s(pki.resolve("svc.key")),
                    "-passout", "pass:right-pw", "-out", s(noMac)).expectOk();
        for (Path p12 : List.of(noMac, base.resolve("svc.p12")))
            c.add(cls, "a PKCS#12 " + (p12.equals(noMac) ? "without" : "with") + " a MAC, wrong password", Corpus.Expect.REFUSE,
                    r -> r.err().contains("wrong --password") ? null : "not the words 'wrong --password'", "inspect", List.of("--password", "pass:wrong", s(p12)));
        // An RSASSA-PSS CSR: signed, as openssl and Go do.
        byte[] pss = csr(rsa(2048), "SHA256withRSAandMGF1", new X500Name("CN=" + HOST), List.of());
        place(c, cls, "an RSASSA-PSS CSR", Corpus.Expect.ACCEPT, List.of("issue", "sign", "--dir", "OUT", "--ca", ca, "--ca-key", key, "F", HOST),
                c.file("pss.csr", pem("CERTIFICATE REQUEST", pss)));
        // A root whose self-signature fails: refused everywhere it would be trusted.
        byte[] good = caCert.getEncoded();
        byte[] bad = good.clone();
        bad[bad.length - 3] ^= 1;
        for (List<String> place : List.of(List.of("trust", "export", "--ca", "F", "--ca-key", key, "--format", "truststore", "-o", "OUT/t.p12"),
                List.of("trust", "export", "--ca", "F", "--ca-key", key, "--format", "vault", "-o", "OUT/v.json"),
                List.of("issue", "--dir", "OUT", "--ca", "F", "--ca-key", key, "--key-type", "ec", "x.example.com"),
                List.of("client", "--cacert", "F", "https://127.0.0.1:1/")))
            place(c, cls, "a root whose self-signature fails", Corpus.Expect.REFUSE, place, c.file("bad-sig.crt", pem("CERTIFICATE", bad)));
        // Ports out of range, and URLs that are not https.
        for (String url : List.of("https://127.0.0.1:99999/", "https://127.0.0.1:65536/", "https://127.0.0.1:0/", "https://127.0.0.1:-1/",
                "https://[::1/", "ftp://127.0.0.1/", "http://127.0.0.1:1/", "https:///", "https://a b/", "//127.0.0.1/"))
            c.add(cls, "the URL " + url, Corpus.Expect.REFUSE, r -> r.code() == 1 || r.code() == 2 ? null : "exit " + r.code() + ", not 1 or 2",
                    "client", List.of(url));
        for (String port : List.of("65536", "-1", "99999", "x", "1e3"))
            c.add(cls, "serve --port " + port, Corpus.Expect.REFUSE, "serve", List.of("--dir", s(pki), "--name", "svc", "--port", port));
        for (String peer : List.of("ftp://127.0.0.1/", "https://127.0.0.1:99999/", "http://127.0.0.1/", "not a url", "https://"))
            c.add(cls, "serve --peer " + peer, Corpus.Expect.REFUSE, "serve", List.of("--dir", s(pki), "--name", "svc", "--port", "0", "--peer", peer));
        for (String r : List.of("x:99999:127.0.0.1", "x:1:999.1.1.1", "x:1", "x:1:127.0.0.1:9"))
            c.add(cls, "--resolve " + r, Corpus.Expect.REFUSE, "client", List.of("--resolve", r, "https://127.0.0.1:1/"));
    }

    /** Byte sequences that are not UTF-8 (RFC 3629): a bad continuation, bytes never used, a surrogate, overlong forms, a cut sequence. */
    static final Map<String, byte[]> NOT_UTF8 = new LinkedHashMap<>();
    static {
        NOT_UTF8.put("C3 28", new byte[] {(byte) 0xC3, 0x28});
        NOT_UTF8.put("FF FE", new byte[] {(byte) 0xFF, (byte) 0xFE});
        NOT_UTF8.put("ED A0 80 (a surrogate)", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80});
        NOT_UTF8.put("C0 AF (overlong /)", new byte[] {(byte) 0xC0, (byte) 0xAF});
        NOT_UTF8.put("E2 82 (cut)", new byte[] {(byte) 0xE2, (byte) 0x82});
        NOT_UTF8.put("F8 88 80 80 80", new byte[] {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80});
        NOT_UTF8.put("80 (a lone continuation)", new byte[] {(byte) 0x80});
        NOT_UTF8.put("F4 90 80 80 (past U+10FFFF)", new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
    }

    static org.bouncycastle.asn1.ASN1Primitive raw(int tag, byte[] content) {
        try {
            return org.bouncycastle.asn1.ASN1Primitive.fromByteArray(tlv((byte) tag, content));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A name whose CN is a UTF8String holding these bytes as they are. */
    static X500Name rawCn(byte[] bytes) {
        return new X500Name(new RDN[] {new RDN(BCStyle.CN, raw(0x0C, bytes))});
    }

    // 12 and 13. Names that are not UTF-8, and IA5String names with bytes past ASCII: through every
    // reader of a certificate or CSR, shown as their bytes say (never "Ã", never an exception's words).
    static void utf8(Corpus c) throws Exception {
        String cls = "12 names not UTF-8";
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        Path leafKeyFile = base.resolve("leaf.key"), edKeyFile = base.resolve("ed.key");
        KeyPair ed = gen("Ed25519", 0);
        if (!Files.exists(leafKeyFile)) {
            Files.writeString(leafKeyFile, Certs.pem(leafKey.getPrivate()));
            Files.writeString(edKeyFile, Certs.pem(ed.getPrivate()));
        }
        Corpus.Check plain = r -> (r.out() + r.err()).contains("\u00c3") ? "a name decoded as Latin-1" : null;
        for (var e : NOT_UTF8.entrySet()) {
            byte[] bytes = concat(concat("x".getBytes(StandardCharsets.US_ASCII), e.getValue()), ".example.com".getBytes(StandardCharsets.US_ASCII));
            X500Name subject = rawCn(bytes);
            List<Extension> leafExts = List.of(ext(Extension.subjectAlternativeName, false, sans(new GeneralName(GeneralName.dNSName, HOST))),
                    ext(Extension.basicConstraints, true, der(new BasicConstraints(false))),
                    ext(Extension.extendedKeyUsage, false, der(new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))));
            List<Extension> caExts = List.of(ext(Extension.basicConstraints, true, der(new BasicConstraints(true))),
                    ext(Extension.keyUsage, true, der(new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))));
            byte[] leaf = pem("CERTIFICATE", cert(caCert, caKey, leafKey.getPublic(), subject, leafExts));
            String k = e.getKey();
            Corpus.Check shown = r -> r.out().contains("\\x") ? null : "the bytes are not shown escaped";
            place(c, cls, "inspect of a certificate whose CN holds " + k, Corpus.Expect.ACCEPT, shown, List.of("inspect", "F"), c.file("u.crt", leaf));
            place(c, cls, "--lint of a certificate whose CN holds " + k, Corpus.Expect.EITHER, List.of("inspect", "--lint", "--dir", s(pki), "F"), c.file("u.crt", leaf));
            place(c, cls, "client --cert with a CN holding " + k, Corpus.Expect.REFUSE,
                    List.of("client", "--cacert", ca, "--cert", "F", "--key", s(leafKeyFile), "-v", "https://127.0.0.1:1/"), c.file("u.crt", leaf));
            place(c, cls, "issue renew of a certificate whose CN holds " + k, Corpus.Expect.EITHER,
                    List.of("issue", "renew", "--ca", ca, "--ca-key", key, "F"), c.file("u.crt", leaf));
            for (boolean edKey : new boolean[] {false, true}) {
                KeyPair kp = edKey ? ed : leafKey;
                byte[] root = pem("CERTIFICATE", cert(null, kp.getPrivate(), kp.getPublic(), subject, caExts, edKey ? "Ed25519" : "SHA256withECDSA",
                        Instant.now().minus(1, ChronoUnit.HOURS), Instant.now().plus(90, ChronoUnit.DAYS)));
                String what = (edKey ? "an Ed25519" : "an EC") + " root whose CN holds " + k;
                Path rootKey = edKey ? edKeyFile : leafKeyFile;
                for (List<String> place : List.of(List.of("inspect", "F"), List.of("inspect", "--lint", "F"),
                        List.of("inspect", "--cacert", "F", s(pki.resolve("svc.crt"))),
                        List.of("trust", "export", "--ca", "F", "--ca-key", s(rootKey), "--format", "truststore", "-o", "OUT/t.p12"),
                        List.of("trust", "export", "--ca", "F", "--ca-key", s(rootKey), "--format", "vault", "-o", "OUT/v.json"),
                        List.of("issue", "--dir", "OUT", "--ca", "F", "--ca-key", s(rootKey), "--key-type", "ec", "x.example.com"),
                        List.of("ca", "intermediate", "--dir", "OUT", "--ca", "F", "--ca-key", s(rootKey), "--key-type", "ec"),
                        List.of("ca", "revoke", "--dir", "OUT", "--ca", "F", "--ca-key", s(rootKey), s(pki.resolve("svc.crt"))),
                        List.of("client", "--cacert", "F", "https://127.0.0.1:1/")))
                    place(c, cls, place.get(0) + " " + place.get(1) + " of " + what, Corpus.Expect.EITHER, plain, place, c.file("r.crt", root));
            }
            byte[] req = pem("CERTIFICATE REQUEST", csr(leafKey, "SHA256withECDSA", subject,
                    List.of(ext(Extension.subjectAlternativeName, false, sans(new GeneralName(GeneralName.dNSName, HOST))))));
            place(c, cls, "inspect of a CSR whose CN holds " + k, Corpus.Expect.ACCEPT, shown, List.of("inspect", "F"), c.file("u.csr", req));
            place(c, cls, "issue sign of a CSR whose CN holds " + k, Corpus.Expect.EITHER, plain,
                    List.of("issue", "sign", "--dir", "OUT", "--ca", ca, "--ca-key", key, "F"), c.file("u.csr", req));
            place(c, cls, "issue --csr of a CSR whose CN holds " + k, Corpus.Expect.EITHER, plain,
                    List.of("issue", "--dir", "OUT", "--ca", ca, "--ca-key", key, "--csr", "F"), c.file("u.csr", req));
        }
        // IA5String names (DNS, e-mail, URI) with bytes past ASCII: UTF-8 ones shown as UTF-8, others escaped.
        String cls6 = "13 names past ASCII";
        Map<String, byte[]> past = new LinkedHashMap<>();
        past.put("UTF-8 b\u00fccher", "b\u00fccher".getBytes(StandardCharsets.UTF_8));
        past.put("UTF-8 \ud55c\uae00", "\ud55c\uae00".getBytes(StandardCharsets.UTF_8));
        past.put("Latin-1 b\u00fccher", "b\u00fccher".getBytes(StandardCharsets.ISO_8859_1));
        for (var b : NOT_UTF8.entrySet()) past.put("not UTF-8 " + b.getKey(), b.getValue());
        for (var p : past.entrySet()) {
            boolean utf8 = p.getKey().startsWith("UTF-8");
            String expected = utf8 ? new String(p.getValue(), StandardCharsets.UTF_8) : "\\x";
            for (int tag : new int[] {GeneralName.dNSName, GeneralName.rfc822Name, GeneralName.uniformResourceIdentifier}) {
                String prefix = tag == GeneralName.dNSName ? "" : tag == GeneralName.rfc822Name ? "u@" : "https://";
                byte[] v = concat(concat(prefix.getBytes(StandardCharsets.US_ASCII), p.getValue()), ".example.com".getBytes(StandardCharsets.US_ASCII));
                GeneralName gn = new GeneralName(tag, raw(0x16, v));
                String what = (tag == GeneralName.dNSName ? "a dNSName" : tag == GeneralName.rfc822Name ? "an rfc822Name" : "a URI") + " " + p.getKey();
                Corpus.Check asBytes = r -> {
                    String all = r.out() + r.err();
                    if (all.contains("\u00c3") || (!utf8 && all.contains("\u00fc"))) return "decoded as Latin-1";
                    return all.contains(expected) ? null : "not shown as " + expected;
                };
                List<Extension> exts = List.of(ext(Extension.subjectAlternativeName, false, sans(new GeneralName(GeneralName.dNSName, HOST), gn)));
                byte[] req = pem("CERTIFICATE REQUEST", csr(leafKey, "SHA256withECDSA", new X500Name("CN=" + HOST), exts));
                place(c, cls6, "issue sign of a CSR with " + what, Corpus.Expect.REFUSE, asBytes,
                        List.of("issue", "sign", "--dir", "OUT", "--ca", ca, "--ca-key", key, "F"), c.file("p.csr", req));
                place(c, cls6, "inspect of a CSR with " + what, Corpus.Expect.ACCEPT, asBytes, List.of("inspect", "F"), c.file("p.csr", req));
                byte[] leaf = pem("CERTIFICATE", cert(caCert, caKey, leafKey.getPublic(), new X500Name("CN=" + HOST), exts));
                place(c, cls6, "inspect of a certificate with " + what, Corpus.Expect.ACCEPT, asBytes, List.of("inspect", "F"), c.file("p.crt", leaf));
                place(c, cls6, "--lint of a certificate with " + what, Corpus.Expect.REFUSE, asBytes,
                        List.of("inspect", "--lint", "--dir", s(pki), "F"), c.file("p.crt", leaf));
            }
        }
    }

    // 14. Damaged DER, made from good files by a fixed set of cuts and flips, through every reader.
    static void damagedDer(Corpus c) throws Exception {
        String cls = "14 damaged DER";
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        byte[] csrDer = java.util.Base64.getMimeDecoder().decode(Files.readString(base.resolve("csr.pem")).replaceAll("-----[A-Z ]+-----", ""));
        Map<String, byte[]> good = new LinkedHashMap<>();
        good.put("CA certificate", caCert.getEncoded());
        good.put("service certificate", Pem.certificate(pki.resolve("svc.crt"), "c").getEncoded());
        good.put("CSR", csrDer);
        Map<String, List<List<String>>> readers = Map.of(
                "CA certificate", List.of(List.of("inspect", "F"), List.of("inspect", "--lint", "F"), List.of("client", "--cacert", "F", "https://127.0.0.1:1/"),
                        List.of("trust", "export", "--ca", "F", "--ca-key", key, "--format", "truststore", "-o", "OUT/t.p12"),
                        List.of("issue", "--dir", "OUT", "--ca", "F", "--ca-key", key, "--key-type", "ec", "x.example.com"),
                        List.of("inspect", "--cacert", "F", s(pki.resolve("svc.crt")))),
                "service certificate", List.of(List.of("inspect", "F"), List.of("inspect", "--lint", "--dir", s(pki), "F"),
                        List.of("issue", "renew", "--ca", ca, "--ca-key", key, "F")),
                "CSR", List.of(List.of("inspect", "F"), List.of("issue", "sign", "--dir", "OUT", "--ca", ca, "--ca-key", key, "F", HOST)));
        Random rnd = new Random(22);
        for (var g : good.entrySet()) {
            byte[] d = g.getValue();
            Map<String, byte[]> damaged = new LinkedHashMap<>();
            for (int cut : new int[] {1, 2, 4, 10, d.length / 4, d.length / 2, d.length - 70, d.length - 2, d.length - 1})
                damaged.put("cut to " + cut + " bytes", Arrays.copyOf(d, cut));
            for (int i = 0; i < 24; i++) {
                int at = 4 + rnd.nextInt(d.length - 4);
                byte[] b = d.clone();
                b[at] ^= (byte) (1 << rnd.nextInt(8));
                damaged.put("bit flipped at byte " + at, b);
            }
            // Each SEQUENCE or OCTET STRING tag in the first 200 bytes made a context tag: what "DLTaggedObject" came from.
            for (int at = 4; at < Math.min(200, d.length); at++)
                if (d[at] == 0x30 || d[at] == 0x04 || d[at] == 0x31) {
                    byte[] b = d.clone();
                    b[at] = (byte) (d[at] == 0x04 ? 0x80 : 0xA0);
                    damaged.put("tag at byte " + at + " made [0]", b);
                }
            for (var m : damaged.entrySet())
                for (boolean asPem : new boolean[] {false, true}) {
                    String label = g.getKey().equals("CSR") ? "CERTIFICATE REQUEST" : "CERTIFICATE";
                    byte[] file = asPem ? pem(label, m.getValue()) : m.getValue();
                    for (List<String> place : readers.get(g.getKey()))
                        place(c, cls, g.getKey() + " " + m.getKey() + (asPem ? " (PEM)" : " (DER)") + ": " + place.get(0) + " " + place.get(1),
                                Corpus.Expect.EITHER, place, c.file("d.bin", file));
                }
        }
    }

    // ------------------------------------------------------------------ files for a role they cannot play

    /**
     * Every option that takes a CA, a key, our certificate or a truststore, given a file of another
     * kind made by openssl: a leaf (PEM and DER), a v3 certificate without basicConstraints, a root
     * whose signature was damaged, a CSR, a key, a PKCS#12 file, a CA certificate where a leaf goes.
     * Each is refused before anything starts or is written, in the same words for the same kind.
     */
    @Test
    void filesForARoleTheyCannotPlayAreRefusedInTheSameWords() throws Exception {
        Path o = Files.createDirectories(root.resolve("openssl-kinds"));
        String ec = "ec:" + s(o.resolve("p256.pem"));
        Support.openssl(o, "ecparam", "-name", "prime256v1", "-out", s(o.resolve("p256.pem"))).expectOk();
        Support.openssl(o, "req", "-x509", "-newkey", ec, "-nodes", "-keyout", "leaf.key", "-out", "leaf.crt", "-subj", "/CN=leaf.example.com",
                "-days", "30", "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "subjectAltName=DNS:leaf.example.com").expectOk();
        Support.openssl(o, "x509", "-in", "leaf.crt", "-outform", "DER", "-out", "leaf.der").expectOk();
        Support.openssl(o, "req", "-x509", "-newkey", ec, "-nodes", "-keyout", "nobc.key", "-out", "nobc.crt", "-subj", "/CN=no-bc",
                "-days", "30", "-addext", "subjectAltName=DNS:no-bc.example.com", "-addext", "basicConstraints=CA:FALSE").expectOk();
        Support.openssl(o, "req", "-x509", "-newkey", ec, "-nodes", "-keyout", "root.key", "-out", "root.crt", "-subj", "/CN=openssl root",
                "-days", "30").expectOk();
        Support.openssl(o, "req", "-new", "-key", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=leaf.example.com").expectOk();
        Support.openssl(o, "pkcs12", "-export", "-in", "leaf.crt", "-inkey", "leaf.key", "-passout", "pass:changeit", "-out", "leaf.p12").expectOk();
        byte[] root = Files.readAllBytes(o.resolve("root.crt"));
        X509Certificate r = Pem.certificate(o.resolve("root.crt"), "c");
        byte[] der = r.getEncoded();
        der[der.length - 5] ^= 1; // inside the signature: it still parses, and no longer verifies
        Files.write(o.resolve("bad-sig-root.crt"), pem("CERTIFICATE", der));
        Files.writeString(o.resolve("text.txt"), "not a keystore\n");
        String notCa = Pem.NOT_A_CA;
        Map<String, String> caKinds = new LinkedHashMap<>(); // file -> the words expected
        caKinds.put("leaf.crt", notCa);
        caKinds.put("leaf.der", notCa);
        caKinds.put("nobc.crt", notCa);
        caKinds.put("bad-sig-root.crt", "damaged");
        caKinds.put("leaf.csr", "holds no certificate");
        caKinds.put("leaf.key", "holds no certificate");
        caKinds.put("leaf.p12", "neither a PEM nor a DER certificate");
        String ca = s(pki.resolve("ca.crt")), key = s(pki.resolve("ca.key"));
        List<List<String>> caPlaces = List.of(
                List.of("serve", "--dir", s(pki), "--name", "svc", "--port", "0", "--cacert", "F"),
                List.of("client", "--cacert", "F", "https://127.0.0.1:1/"),
                List.of("inspect", "--cacert", "F", s(pki.resolve("svc.crt"))),
                List.of("inspect", "--lint", "--cacert", "F", s(pki.resolve("svc.crt"))),
                List.of("trust", "export", "--ca", "F", "--ca-key", key, "--format", "truststore", "-o", "OUT/t.p12"),
                List.of("issue", "--dir", "OUT", "--ca", "F", "--ca-key", key, "--key-type", "ec", "x.example.com"),
                List.of("issue", "sign", "--dir", "OUT", "--ca", "F", "--ca-key", key, s(base.resolve("csr.pem"))),
                List.of("ca", "intermediate", "--dir", "OUT", "--ca", "F", "--ca-key", key, "--key-type", "ec"),
                List.of("ca", "revoke", "--dir", "OUT", "--ca", "F", "--ca-key", key, s(pki.resolve("svc.crt"))));
        Map<String, String> keyKinds = new LinkedHashMap<>();
        keyKinds.put("leaf.crt", "holds no private key");
        keyKinds.put("leaf.csr", "holds no private key");
        keyKinds.put("leaf.der", "not a PEM private key");
        keyKinds.put("leaf.p12", "not a PEM private key");
        keyKinds.put("root.key", "does not belong");
        List<List<String>> keyPlaces = List.of(
                List.of("issue", "--dir", "OUT", "--ca", ca, "--ca-key", "F", "--key-type", "ec", "x.example.com"),
                List.of("serve", "--dir", s(pki), "--name", "svc", "--port", "0", "--key", "F"),
                List.of("client", "--cacert", ca, "--cert", s(pki.resolve("svc.crt")), "--key", "F", "https://127.0.0.1:1/"),
                List.of("trust", "export", "--ca", ca, "--ca-key", "F", "--format", "vault", "-o", "OUT/v.json"));
        Map<String, String> leafKinds = new LinkedHashMap<>();
        leafKinds.put(ca, "is a CA certificate, not one issued to a server or client");
        leafKinds.put("root.crt", "is a CA certificate, not one issued to a server or client");
        leafKinds.put("leaf.key", "holds no certificate");
        leafKinds.put("leaf.csr", "holds no certificate");
        List<List<String>> leafPlaces = List.of(
                List.of("serve", "--dir", s(pki), "--name", "svc", "--port", "0", "--cert", "F", "--key", key),
                List.of("client", "--cacert", ca, "--cert", "F", "--key", key, "https://127.0.0.1:1/"));
        Map<String, String> storeKinds = new LinkedHashMap<>();
        storeKinds.put("leaf.crt", "is not a Java keystore");
        storeKinds.put("leaf.key", "is not a Java keystore");
        storeKinds.put("text.txt", "is not a Java keystore");
        List<List<String>> storePlaces = List.of(List.of("trust", "install", "--dir", s(pki), "--truststore", "F"),
                List.of("trust", "uninstall", "--dir", s(pki), "--truststore", "F"));
        Corpus c = corpus();
        c.guarded.add(o);
        String cls = "15 files for a role they cannot play";
        for (var role : List.of(Map.entry(caKinds, caPlaces), Map.entry(keyKinds, keyPlaces), Map.entry(leafKinds, leafPlaces),
                Map.entry(storeKinds, storePlaces)))
            for (var k : role.getKey().entrySet())
                for (List<String> place : role.getValue()) {
                    Path file = k.getKey().startsWith("/") ? Path.of(k.getKey()) : o.resolve(k.getKey());
                    String words = k.getValue();
                    place(c, cls, Path.of(k.getKey()).getFileName() + " to " + place.get(0) + " " + place.get(place.indexOf("F") - 1), Corpus.Expect.REFUSE,
                            res -> res.err().contains(words) ? null : "not the words '" + words + "'", place, file);
                }
        Corpus.Report rep = c.run(1);
        finish(rep.table("Defect corpus (files for a role they cannot play)"), rep);
        assertEquals(Files.readAllBytes(o.resolve("root.crt")).length, root.length);
    }

    // ------------------------------------------------------------------ paths out of reach, as another user

    /**
     * Paths out of reach of an unprivileged user, of each kind, through every place a file is read:
     * run as nobody in a JVM of their own (root reads everything), each refusal names the true cause.
     */
    @Test
    void pathsOutOfReachNameTheirCauseForAnUnprivilegedUser() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to switch to nobody");
        Support.requireTool("setpriv", "util-linux");
        // Outside JUnit's 0700 temp folder, so that nobody can reach what it should.
        Path world = Files.createTempDirectory(Path.of("/tmp"), "unprivileged-");
        try {
            Files.setPosixFilePermissions(world, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Path cp = Files.createDirectories(world.resolve("cp"));
            List<String> classpath = new ArrayList<>();
            for (Class<?> k : List.of(Pem.class, DefectCorpusTest.class, BouncyCastleProvider.class, org.bouncycastle.openssl.PEMParser.class,
                    org.bouncycastle.asn1.cmc.CMCStatus.class, picocli.CommandLine.class)) {
                Path from = Path.of(k.getProtectionDomain().getCodeSource().getLocation().toURI());
                Path to = cp.resolve(from.getFileName().toString());
                if (!Files.exists(to)) {
                    if (Files.isDirectory(from)) Support.copyTree(from, to);
                    else Files.copy(from, to);
                }
                if (!classpath.contains(to.toString())) classpath.add(to.toString());
            }
            Path d = Files.createDirectories(world.resolve("d"));
            for (String f : List.of("ca.crt", "ca.key", "svc.crt", "svc.key")) Files.copy(pki.resolve(f), d.resolve(f));
            Path locked = Files.createDirectories(d.resolve("locked")), inLocked = locked.resolve("ca.crt");
            Files.copy(pki.resolve("ca.crt"), inLocked);
            Path unreadable = d.resolve("unreadable.crt");
            Files.copy(pki.resolve("ca.crt"), unreadable);
            Files.writeString(d.resolve("plain-file"), "x");
            Support.exec(world, "chmod", "-R", "a+rX", s(world)).expectOk();
            Support.exec(world, "chmod", "600", s(unreadable)).expectOk();
            Support.exec(world, "chmod", "744", s(locked)).expectOk(); // readable, not searchable by others
            Map<String, Path> kinds = new LinkedHashMap<>();
            kinds.put("in a folder that cannot be entered", inLocked);
            kinds.put("not readable", unreadable);
            kinds.put("missing", d.resolve("missing.crt"));
            kinds.put("under a file", d.resolve("plain-file").resolve("ca.crt"));
            kinds.put("in a missing folder", d.resolve("nope").resolve("ca.crt"));
            kinds.put("a folder", locked);
            Map<String, String> words = Map.of("in a folder that cannot be entered", "which this user cannot enter",
                    "not readable", "not readable by this user", "missing", ": no such file", "under a file", "is a file, not a folder",
                    "in a missing folder", "there is no folder", "a folder", "it is a folder");
            String ca = s(d.resolve("ca.crt")), key = s(d.resolve("ca.key")), out = s(world.resolve("out"));
            List<List<String>> places = List.of(
                    List.of("inspect", "F"), List.of("inspect", "--lint", "--cacert", "F", s(d.resolve("svc.crt"))),
                    List.of("issue", "--dir", out, "--ca", "F", "--ca-key", key, "--key-type", "ec", "x.example.com"),
                    List.of("issue", "--dir", out, "--ca", ca, "--ca-key", "F", "--key-type", "ec", "x.example.com"),
                    List.of("issue", "sign", "--dir", out, "--ca", ca, "--ca-key", key, "F"),
                    List.of("issue", "--dir", out, "--ca", ca, "--ca-key", key, "--key-password", "file:F", "x.example.com"),
                    List.of("ca", "revoke", "--dir", out, "--ca", "F", "--ca-key", key, s(d.resolve("svc.crt"))),
                    List.of("client", "--cacert", "F", "https://127.0.0.1:1/"),
                    List.of("client", "--cacert", ca, "--cert", "F", "--key", s(d.resolve("svc.key")), "https://127.0.0.1:1/"),
                    List.of("trust", "export", "--ca", "F", "--ca-key", key, "--format", "truststore", "-o", out + "/t.p12"),
                    List.of("serve", "--dir", s(d), "--name", "svc", "--port", "0", "--cacert", "F"),
                    List.of("serve", "--dir", s(d), "--name", "svc", "--port", "0", "--cert", "F"),
                    List.of("serve", "--dir", s(d), "--name", "svc", "--port", "0", "--crl", "F"));
            List<String> lines = new ArrayList<>(), labels = new ArrayList<>(), expected = new ArrayList<>();
            for (var k : kinds.entrySet())
                for (List<String> place : places) {
                    List<String> args = new ArrayList<>();
                    for (String a : place) args.add(a.equals("F") ? s(k.getValue()) : a.equals("file:F") ? "file:" + k.getValue() : a);
                    lines.add(String.join("\t", args));
                    labels.add(k.getKey() + ": " + String.join(" ", place));
                    expected.add(words.get(k.getKey()));
                }
            Path casesFile = world.resolve("cases.tsv");
            Files.write(casesFile, lines);
            Support.exec(world, "chmod", "644", s(casesFile)).expectOk();
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            long t0 = System.nanoTime();
            Support.Result run = Support.exec(world, Map.of(), java.time.Duration.ofMinutes(10), List.of("setpriv", "--reuid=65534", "--regid=65534",
                    "--clear-groups", "--", s(javaBin), "-cp", String.join(":", classpath), "Corpus", s(casesFile)));
            assertEquals(0, run.code(), run::all);
            List<String> results = run.out().lines().toList();
            assertEquals(lines.size(), results.size(), run::all);
            List<String> problems = new ArrayList<>();
            var dec = java.util.Base64.getDecoder();
            for (int i = 0; i < results.size(); i++) {
                String[] f = results.get(i).split("\t", -1);
                String err = new String(dec.decode(f[2]), StandardCharsets.UTF_8);
                List<String> errLines = err.lines().toList();
                if (!f[0].equals("1") || errLines.size() != 1 || !err.startsWith("error: ") || !err.contains(expected.get(i))
                        || (!labels.get(i).contains("missing") && !labels.get(i).contains("under a file") && err.contains("no such file")))
                    problems.add(labels.get(i) + ": exit " + f[0] + ", " + err.strip() + " (expected the words '" + expected.get(i) + "')");
            }
            Corpus.Report r = new Corpus.Report();
            r.byClass.put("16 paths out of reach (as nobody)", new long[] {lines.size(), lines.size(), 0, problems.size(), (System.nanoTime() - t0) / 1_000_000});
            r.defects.addAll(problems);
            r.ms = (System.nanoTime() - t0) / 1_000_000;
            finish(r.table("Defect corpus (paths out of reach, run as nobody)"), r);
        } finally {
            Support.exec(Path.of("/tmp"), "rm", "-rf", s(world));
        }
    }

    // ------------------------------------------------------------------ malformed SANs in openssl's certificates, for lint

    /**
     * Certificates made by openssl (x509 -req with the SAN given as raw DER) whose SAN holds one
     * malformed name of each type: --lint reports san-malformed as an error, naming the name as
     * inspect shows it; well-formed neighbours pass that rule.
     */
    @Test
    void lintFindsEveryMalformedSanInOpensslCertificates() throws Exception {
        Path o = Files.createDirectories(root.resolve("openssl-sans"));
        Support.openssl(o, "req", "-new", "-key", s(pki.resolve("svc.key")), "-subj", "/CN=" + HOST, "-out", "svc.csr").expectOk();
        Map<String, byte[]> bad = new LinkedHashMap<>(), good = new LinkedHashMap<>();
        for (int n : new int[] {0, 1, 3, 5, 8, 15, 17, 32}) bad.put("an IP address of " + n + " bytes", tlv((byte) 0x87, new byte[n]));
        for (var e : Map.of("UTF-8", "b\u00fccher.example.com".getBytes(StandardCharsets.UTF_8),
                "Latin-1", "b\u00fccher.example.com".getBytes(StandardCharsets.ISO_8859_1), "a space", "a b.example.com".getBytes(StandardCharsets.US_ASCII),
                "a control character", "a\u001b.example.com".getBytes(StandardCharsets.US_ASCII), "nothing", new byte[0],
                "bytes not UTF-8", new byte[] {'a', (byte) 0xC3, 0x28}).entrySet()) {
            bad.put("a dNSName with " + e.getKey(), tlv((byte) 0x82, e.getValue()));
            if (e.getValue().length == 0) continue; // "u@" and "https://" are ASCII: their form is another matter
            bad.put("an rfc822Name with " + e.getKey(), tlv((byte) 0x81, concat("u@".getBytes(StandardCharsets.US_ASCII), e.getValue())));
            bad.put("a URI with " + e.getKey(), tlv((byte) 0x86, concat("https://".getBytes(StandardCharsets.US_ASCII), e.getValue())));
        }
        good.put("an IPv4 address", tlv((byte) 0x87, new byte[] {127, 0, 0, 1}));
        good.put("an IPv6 address", tlv((byte) 0x87, new byte[16]));
        good.put("an rfc822Name", tlv((byte) 0x81, "u@example.com".getBytes(StandardCharsets.US_ASCII)));
        good.put("a URI", tlv((byte) 0x86, "spiffe://example.com/svc".getBytes(StandardCharsets.US_ASCII)));
        good.put("an IDN in its xn-- form", tlv((byte) 0x82, "xn--bcher-kva.example.com".getBytes(StandardCharsets.US_ASCII)));
        Corpus c = corpus();
        String cls = "17 malformed SANs (openssl, --lint)";
        int i = 0;
        for (boolean isBad : new boolean[] {true, false})
            for (var e : (isBad ? bad : good).entrySet()) {
                byte[] san = tlv((byte) 0x30, concat(tlv((byte) 0x82, HOST.getBytes(StandardCharsets.US_ASCII)), e.getValue()));
                Path cnf = o.resolve("ext" + i + ".cnf"), crt = o.resolve("san" + i++ + ".crt");
                Files.writeString(cnf, "[ext]\nsubjectAltName=DER:" + java.util.HexFormat.of().formatHex(san) + "\nbasicConstraints=critical,CA:FALSE\n"
                        + "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
                Support.openssl(o, "x509", "-req", "-in", "svc.csr", "-CA", s(pki.resolve("ca.crt")), "-CAkey", s(pki.resolve("ca.key")),
                        "-days", "200", "-extfile", s(cnf), "-extensions", "ext", "-out", s(crt)).expectOk();
                c.add(cls, e.getKey(), isBad ? Corpus.Expect.REFUSE : Corpus.Expect.ACCEPT, r -> {
                    boolean found = r.out().contains("[san-malformed]");
                    if (!isBad) return found ? "a well-formed SAN reported malformed" : null;
                    return found && r.code() == inspect.LINT_ERRORS ? null : "no san-malformed error";
                }, "inspect", List.of("--lint", "--dir", s(pki), s(crt)));
                c.add(cls, e.getKey() + " (inspect)", Corpus.Expect.ACCEPT, "inspect", List.of(s(crt)));
            }
        Corpus.Report r = c.run(1);
        finish(r.table("Defect corpus (malformed SANs in openssl's certificates)"), r);
    }

    // ------------------------------------------------------------------ hostile servers

    /** A server on 127.0.0.1 that misbehaves in one way, for every connection, until closed. */
    static final class Hostile implements AutoCloseable {
        final ServerSocket server;
        final List<Socket> open = new CopyOnWriteArrayList<>();

        Hostile(ServerSocket server, Function<Socket, Runnable> behaviour) {
            this.server = server;
            Tls.daemon("hostile-accept", () -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        open.add(s);
                        Tls.daemon("hostile", behaviour.apply(s)).start();
                    } catch (IOException closed) {
                        return;
                    }
                }
            }).start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : open) s.close();
        }
    }

    /**
     * A cause is named only when the evidence shows it. Servers that ask for a client certificate,
     * take the handshake, then break their answer off in each way: whatever we sent, a hang-up after
     * the answer began is not a certificate refusal (63, 64). errno cases against real sockets: a
     * refused port says refused; a network that cannot be reached (a namespace whose loopback is down)
     * never says refused; a reset is not blamed on the server's certificate or ours.
     */
    @Test
    void theCauseNamedIsOneTheEvidenceShows() throws Exception {
        X509Certificate leaf = Pem.certificate(pki.resolve("svc.crt"), "c");
        PrivateKey leafPriv = Cli.readKey(pki.resolve("svc.key"), "key", null, "x");
        Map<String, byte[]> broken = new LinkedHashMap<>();
        broken.put("a status line, then a hang-up", "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII));
        broken.put("half its headers, then a hang-up", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Half".getBytes(StandardCharsets.US_ASCII));
        broken.put("headers without their blank line", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n".getBytes(StandardCharsets.US_ASCII));
        broken.put("an answer that is not HTTP", "SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
        broken.put("a broken chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".getBytes(StandardCharsets.US_ASCII));
        List<Hostile> servers = new ArrayList<>();
        try {
            Corpus c = corpus();
            c.limitMs = 15_000;
            String cls = "17 causes the evidence shows (peers)";
            for (var e : broken.entrySet()) {
                SSLServerSocket ss = tls(new X509Certificate[] {leaf, caCert}, leafPriv, caCert);
                ss.setWantClientAuth(true); // so that the probe records a certificate request
                Hostile h = new Hostile(ss, sock -> answer(sock, e.getValue()));
                servers.add(h);
                String url = "https://" + HOST + ":" + h.port() + "/", resolve = HOST + ":" + h.port() + ":127.0.0.1";
                // Cut in the headers: a partial answer (18); a broken answer: a failed connection (56) that says the
                // handshake was taken. Never a certificate refusal (63, 64).
                boolean cutInHeaders = e.getKey().contains("hang-up") || e.getKey().contains("blank line");
                Corpus.Check notCertificates = cutInHeaders
                        ? r -> r.code() == 18 && r.err().contains("before the end of its headers") ? null : "exit " + r.code() + ", not 18 naming the headers"
                        : r -> r.code() == 56 && r.err().contains("not about certificates") ? null
                                : "exit " + r.code() + ", not 56 saying it is not about certificates";
                c.add(cls, e.getKey() + " (no --cert)", Corpus.Expect.REFUSE, notCertificates, "client",
                        List.of("--cacert", s(pki.resolve("ca.crt")), "--resolve", resolve, url));
                c.add(cls, e.getKey() + " (with --cert)", Corpus.Expect.REFUSE, notCertificates, "client",
                        List.of("--cacert", s(pki.resolve("ca.crt")), "--cert", s(pki.resolve("svc.crt")), "--key", s(pki.resolve("svc.key")),
                                "--resolve", resolve, url));
            }
            // A port that refuses: the address answered, nothing listens.
            int closed = Support.freePort();
            c.add(cls, "a closed port", Corpus.Expect.REFUSE, r -> r.code() == 7 && r.err().contains("refused") ? null : "exit " + r.code()
                    + ", not 7 saying refused", "client", List.of("--resolve", HOST + ":" + closed + ":127.0.0.1", "https://" + HOST + ":" + closed + "/"));
            // A reset before the handshake: the server sent nothing, so no certificate is blamed.
            Hostile reset = new Hostile(plain(), sock -> () -> {
                try {
                    sock.setSoLinger(true, 0);
                    sock.close();
                } catch (IOException ignored) {
                    // gone already
                }
            });
            servers.add(reset);
            c.add(cls, "a reset before the handshake", Corpus.Expect.REFUSE, r -> r.code() == 56 && !r.err().contains("client certificate") ? null
                    : "exit " + r.code() + ", not 56 without blaming a client certificate", "client",
                    List.of("--cacert", s(pki.resolve("ca.crt")), "--resolve", HOST + ":" + reset.port() + ":127.0.0.1", "https://" + HOST + ":" + reset.port() + "/"));
            Corpus.Report r = c.run(4);

            // A network that cannot be reached: client.java in a network namespace of its own, whose loopback is down
            // (connect() gives ENETUNREACH; no packet leaves this machine).
            Support.requireTool("unshare", "util-linux");
            long t0 = System.nanoTime();
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            Support.Result u = Support.exec(root, Map.of(), java.time.Duration.ofSeconds(60), List.of("unshare", "-n", s(javaBin), "-cp",
                    System.getProperty("java.class.path"), "client", "--connect-timeout", "5", "https://127.0.0.1:" + closed + "/"));
            org.junit.jupiter.api.Assumptions.assumeFalse(u.err().contains("unshare failed"), "no network namespace here: " + u.err());
            String defect = u.code() == 7 && !u.err().contains("refused") && u.err().contains("no route") ? null
                    : "an unreachable network: exit " + u.code() + ", " + u.err().strip();
            long[] row = r.byClass.get(cls);
            r.byClass.put(cls, new long[] {row[0] + 1, row[1] + 1, row[2], row[3] + (defect == null ? 0 : 1), row[4] + (System.nanoTime() - t0) / 1_000_000});
            if (defect != null) r.defects.add(defect);
            finish(r.table("Defect corpus (causes and their evidence)"), r);
        } finally {
            for (Hostile h : servers) h.close();
        }
    }

    static ServerSocket plain() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    }

    static SSLServerSocket tls(X509Certificate[] chain, PrivateKey key) throws Exception {
        return tls(chain, key, null);
    }

    /** A TLS server socket; with trusted, its context trusts that CA, so that a client certificate from it is taken. */
    static SSLServerSocket tls(X509Certificate[] chain, PrivateKey key, X509Certificate trusted) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("k", key, "pw".toCharArray(), chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(ks, "pw".toCharArray());
        javax.net.ssl.TrustManager[] tms = null;
        if (trusted != null) {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", trusted);
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            tmf.init(ts);
            tms = tmf.getTrustManagers();
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tms, null);
        return (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
    }

    /** Writes head at once, then the bytes of repeat one at a time, every half second, forever. */
    static Runnable drip(Socket s, byte[] head, byte[] repeat, boolean handshake, boolean readRequest) {
        return () -> {
            try {
                if (handshake) ((SSLSocket) s).startHandshake();
                if (readRequest) readHead(s.getInputStream());
                OutputStream o = s.getOutputStream();
                o.write(head);
                for (int i = 0; ; i++) {
                    o.write(repeat[i % repeat.length]);
                    o.flush();
                    Thread.sleep(500);
                }
            } catch (Exception closed) {
                // the client gave up, or the test closed us
            }
        };
    }

    static void readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            String s = b.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) return;
        }
    }

    static Runnable silent(Socket s, boolean handshake) {
        return () -> {
            try {
                if (handshake) ((SSLSocket) s).startHandshake();
                s.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException closed) {
                // done
            }
        };
    }

    static Runnable answer(Socket s, byte[] bytes) {
        return () -> {
            try {
                ((SSLSocket) s).startHandshake();
                readHead(s.getInputStream());
                s.getOutputStream().write(bytes);
                s.getOutputStream().flush();
                Thread.sleep(200);
                s.close();
            } catch (Exception closed) {
                // done
            }
        };
    }

    // 6 and 4 and 2 over the network: servers that stall, and servers whose certificates hold hostile names or nesting.
    @Test
    void hostileServersNeverHoldTheProbesAndTheirNamesAreEscaped() throws Exception {
        X509Certificate leaf = Pem.certificate(pki.resolve("svc.crt"), "c");
        PrivateKey leafPriv = Cli.readKey(pki.resolve("svc.key"), "key", null, "x");
        X509Certificate[] chain = {leaf, caCert};
        byte[] tlsHello = {0x16, 0x03, 0x03, 0x00, 0x7a, 0x02, 0x00, 0x00, 0x76, 0x03, 0x03};
        byte[] slowHead = "HTTP/1.1 200 OK\r\nX-Slow: yes\r\n".getBytes(StandardCharsets.US_ASCII);
        List<Hostile> servers = new ArrayList<>();
        try {
            Map<String, Hostile> stall = new LinkedHashMap<>();
            stall.put("accepts and sends nothing", new Hostile(plain(), sock -> silent(sock, false)));
            stall.put("drips a TLS record, a byte each half second", new Hostile(plain(), sock -> drip(sock, new byte[0], tlsHello, false, false)));
            stall.put("completes the handshake, then says nothing", new Hostile(tls(chain, leafPriv), sock -> silent(sock, true)));
            stall.put("drips its answer's headers", new Hostile(tls(chain, leafPriv), sock -> drip(sock, new byte[0], slowHead, true, true)));
            stall.put("sends headers without end", new Hostile(tls(chain, leafPriv), sock -> drip(sock,
                    "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII), "X: y\r\n".getBytes(StandardCharsets.US_ASCII), true, true)));
            stall.put("drips a body", new Hostile(tls(chain, leafPriv), sock -> drip(sock,
                    "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII), "abc".getBytes(StandardCharsets.US_ASCII), true, true)));
            servers.addAll(stall.values());
            Corpus c = corpus();
            c.limitMs = 15_000;
            String cls = "6 hostile slow servers";
            for (var e : stall.entrySet()) {
                String url = "https://" + HOST + ":" + e.getValue().port() + "/";
                String resolve = HOST + ":" + e.getValue().port() + ":127.0.0.1";
                for (List<String> limits : List.of(List.of("--connect-timeout", "2", "-m", "3"), List.of("-m", "2"), List.of("-m", "4", "-v")))
                    c.add(cls, e.getKey() + " (" + String.join(" ", limits) + ")", Corpus.Expect.REFUSE,
                            r -> r.code() == 28 && r.err().contains("it stalled during the ") ? null : "not exit 28 naming the stage",
                            "client", concat(List.of("--cacert", s(pki.resolve("ca.crt")), "--resolve", resolve), limits, List.of(url)));
                c.add(cls, e.getKey() + " (inspect, --connect-timeout 2)", Corpus.Expect.EITHER, "inspect",
                        List.of("--dir", s(pki), "--connect-timeout", "2", "--resolve", resolve, url));
            }
            // The defaults bound a call too (10 s to connect, 30 s in all).
            c.limitMs = 40_000;
            Hostile drips = stall.get("drips a TLS record, a byte each half second");
            c.add(cls, "drips a TLS record, with the default limits", Corpus.Expect.REFUSE,
                    r -> r.code() == 28 && r.err().contains("within 30 s") ? null : "not exit 28 after the 30 s default", "client",
                    List.of("--cacert", s(pki.resolve("ca.crt")), "--resolve", HOST + ":" + drips.port() + ":127.0.0.1", "https://" + HOST + ":" + drips.port() + "/"));
            c.limitMs = 15_000;

            // Servers whose certificates hold control characters or deep nesting.
            String cls4 = "4 control characters (peers)";
            for (String bad : CONTROLS) {
                X500Name subject = name(BCStyle.CN, "evil" + bad);
                byte[] der = cert(caCert, caKey, leafKey.getPublic(), subject, List.of(ext(Extension.subjectAlternativeName, false,
                        sans(new GeneralName(GeneralName.dNSName, new DERIA5String("x" + bad + ".example.com")))),
                        ext(Extension.extendedKeyUsage, false, der(new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth)))));
                X509Certificate evil = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(new java.io.ByteArrayInputStream(der));
                Hostile h = new Hostile(tls(new X509Certificate[] {evil, caCert}, leafKey.getPrivate()), sock -> answer(sock,
                        ("HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-Evil: " + bad.replace('\n', ' ').replace('\r', ' ') + "\r\n\r\nhi" + bad.charAt(0) + "evil\u001b[0m").getBytes(StandardCharsets.UTF_8)));
                servers.add(h);
                String url = "https://" + HOST + ":" + h.port() + "/";
                String resolve = HOST + ":" + h.port() + ":127.0.0.1";
                c.add(cls4, "a server certificate with " + Corpus.visible(bad) + " (host name not in it)", Corpus.Expect.REFUSE,
                        r -> r.code() == 61 ? null : "exit " + r.code() + ", not 61", "client",
                        List.of("--cacert", s(pki.resolve("ca.crt")), "--resolve", resolve, "-v", url));
                c.add(cls4, "a server certificate with " + Corpus.visible(bad) + " (untrusted)", Corpus.Expect.REFUSE,
                        r -> r.code() == 60 ? null : "exit " + r.code() + ", not 60", "client",
                        List.of("--cacert", s(other.resolve("ca.crt")), "--resolve", resolve, url));
                c.add(cls4, "a server certificate with " + Corpus.visible(bad) + " (--insecure, -v)", Corpus.Expect.EITHER, "client",
                        List.of("--insecure", "-v", "--resolve", resolve, url));
                c.add(cls4, "a server certificate with " + Corpus.visible(bad) + " (inspect)", Corpus.Expect.EITHER, "inspect",
                        List.of("--dir", s(pki), "--resolve", resolve, url));
            }
            for (int depth : new int[] {41, 5_000, 100_000}) {
                byte[] der = cert(caCert, caKey, leafKey.getPublic(), new X500Name("CN=" + HOST), List.of(ext(Extension.subjectAlternativeName, false,
                        sans(new GeneralName(GeneralName.dNSName, HOST))), ext(new ASN1ObjectIdentifier("1.3.6.1.4.1.55555.1"), false, nested(depth, 0))));
                X509Certificate deep = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(new java.io.ByteArrayInputStream(der));
                Hostile h = new Hostile(tls(new X509Certificate[] {deep, caCert}, leafKey.getPrivate()), sock -> answer(sock,
                        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII)));
                servers.add(h);
                String url = "https://" + HOST + ":" + h.port() + "/";
                String resolve = HOST + ":" + h.port() + ":127.0.0.1";
                c.add("2 nesting (peers)", "a server certificate nested " + depth + " deep (-v)", Corpus.Expect.EITHER, "client",
                        List.of("--cacert", s(pki.resolve("ca.crt")), "--resolve", resolve, "-v", url));
                c.add("2 nesting (peers)", "a server certificate nested " + depth + " deep (inspect)", Corpus.Expect.EITHER, "inspect",
                        List.of("--dir", s(pki), "--resolve", resolve, url));
            }
            Corpus.Report r = c.run(8);
            finish(r.table("Defect corpus (hostile servers)"), r);
        } finally {
            for (Hostile h : servers) h.close();
        }
    }

    /**
     * Answers that pass a limit of the probe (16 MiB of body however it is framed, 1000 header lines,
     * 64 KiB a line) or that the server cuts short: client.java prints what arrived, says on stderr
     * that it is partial and exits 18. Answers just within each limit still pass, whole.
     */
    @Test
    void cutAnswersSaySoAndExitNonZero() throws Exception {
        X509Certificate[] chain = {Pem.certificate(pki.resolve("svc.crt"), "c"), caCert};
        PrivateKey leafPriv = Cli.readKey(pki.resolve("svc.key"), "key", null, "x");
        int max = Fetch.MAX_BODY;
        byte[] ok = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII);
        Map<String, byte[]> cut = new LinkedHashMap<>(), whole = new LinkedHashMap<>();
        cut.put("a body of 16 MiB + 1 byte (Content-Length)", concat(head("Content-Length: " + (max + 1)), filler(max + 1)));
        cut.put("a body of 17 MiB (Content-Length)", concat(head("Content-Length: " + (max + (1 << 20))), filler(max + (1 << 20))));
        cut.put("a body that announces 1 TiB", concat(head("Content-Length: " + (1L << 40)), filler(max + 10)));
        cut.put("a body of 17 MiB (no framing, HTTP/1.0)", concat("HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII), filler(max + (1 << 20))));
        cut.put("a body of 17 MiB in 1 MiB chunks", concat(head("Transfer-Encoding: chunked"), chunks(17, 1 << 20, true)));
        cut.put("a body of 16 MiB + 1 in two chunks", concat(head("Transfer-Encoding: chunked"),
                concat(chunk(filler(max)), concat(chunk(filler(1)), "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII)))));
        cut.put("1001 header lines", concat(ok, "X: y\r\n".repeat(1001).getBytes(StandardCharsets.US_ASCII)));
        cut.put("100,000 header lines", concat(ok, "X: y\r\n".repeat(100_000).getBytes(StandardCharsets.US_ASCII)));
        cut.put("a header line of 64 KiB + 1", concat(ok, ("X: " + "y".repeat((64 << 10) - 2) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        cut.put("a header line of 1 MiB", concat(ok, ("X: " + "y".repeat(1 << 20) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
        cut.put("a status line of 1 MiB", ("HTTP/1.1 200 " + "y".repeat(1 << 20) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        cut.put("a chunk-size line of 1 MiB", concat(head("Transfer-Encoding: chunked"), ("1" + "0".repeat(1 << 20) + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        cut.put("half of the Content-Length, then closed", concat(head("Content-Length: 100"), filler(50)));
        cut.put("a Content-Length and no body, then closed", head("Content-Length: 100"));
        cut.put("a chunk cut in the middle, then closed", concat(head("Transfer-Encoding: chunked"), "64\r\nabc".getBytes(StandardCharsets.US_ASCII)));
        cut.put("chunks without the last one, then closed", concat(head("Transfer-Encoding: chunked"), chunks(3, 10, false)));
        cut.put("an HTTP 500 with a cut body", concat("HTTP/1.1 500 Oops\r\nContent-Length: 100\r\n\r\n".getBytes(StandardCharsets.US_ASCII), filler(10)));
        whole.put("a body of exactly 16 MiB (Content-Length)", concat(head("Content-Length: " + max), filler(max)));
        whole.put("a body of exactly 16 MiB (no framing, HTTP/1.0)", concat("HTTP/1.0 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII), filler(max)));
        whole.put("a body of exactly 16 MiB in 1 MiB chunks", concat(head("Transfer-Encoding: chunked"), chunks(16, 1 << 20, true)));
        whole.put("1000 header lines", concat(ok, ("X: y\r\n".repeat(999) + "Content-Length: 2\r\n\r\nok").getBytes(StandardCharsets.US_ASCII)));
        whole.put("a header line just under 64 KiB", concat(ok, ("X: " + "y".repeat((64 << 10) - 4) + "\r\nContent-Length: 2\r\n\r\nok").getBytes(StandardCharsets.US_ASCII)));
        List<Hostile> servers = new ArrayList<>();
        try {
            Corpus c = corpus();
            c.limitMs = 30_000;
            String cls = "11 cut answers";
            for (boolean isCut : new boolean[] {true, false})
                for (var e : (isCut ? cut : whole).entrySet()) {
                    Hostile h = new Hostile(tls(chain, leafPriv), sock -> answer(sock, e.getValue()));
                    servers.add(h);
                    String resolve = HOST + ":" + h.port() + ":127.0.0.1", url = "https://" + HOST + ":" + h.port() + "/";
                    byte[] sent = e.getValue();
                    c.add(cls, e.getKey(), isCut ? Corpus.Expect.REFUSE : Corpus.Expect.ACCEPT, r -> {
                        if (!isCut) return r.code() == 0 && r.out().length() >= 2 ? null : "a whole answer not shown whole";
                        if (r.code() != 18 || !r.err().contains("is incomplete")) return "exit " + r.code() + " without saying the answer is partial";
                        // What did arrive is printed, and never more than the limit.
                        return r.out().length() > max + 2 ? "printed more than 16 MiB" : null;
                    }, "client", List.of("--cacert", s(pki.resolve("ca.crt")), "--resolve", resolve, url));
                }
            // The JDK's HttpClient, as serve.java's peer routes call: the same body limit, the cut said as data.
            for (String k : List.of("a body of 17 MiB (Content-Length)", "a body of 17 MiB (no framing, HTTP/1.0)", "a body of 17 MiB in 1 MiB chunks",
                    "a body of exactly 16 MiB (Content-Length)")) {
                byte[] bytes = cut.containsKey(k) ? cut.get(k) : whole.get(k);
                Hostile h = new Hostile(tls(chain, leafPriv), sock -> answer(sock, bytes));
                servers.add(h);
                Fetch.Outcome o = Fetch.viaHttpClient(new Tls.Call(java.net.URI.create("https://" + HOST + ":" + h.port() + "/"), null,
                        pki.resolve("ca.crt"), false, Tls.parseResolve(List.of(HOST + ":" + h.port() + ":127.0.0.1")),
                        java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(20)));
                assertEquals(cut.containsKey(k), o.cut() != null, k + ": " + o);
                assertTrue(o.body().length() <= max, k + ": a body of " + o.body().length());
            }
            Corpus.Report r = c.run(2);
            finish(r.table("Defect corpus (cut answers)"), r);
            assertEquals(cut.size() + whole.size(), r.cases());
        } finally {
            for (Hostile h : servers) h.close();
        }
    }

    static byte[] head(String header) {
        return ("HTTP/1.1 200 OK\r\n" + header + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] filler(long n) {
        byte[] b = new byte[(int) n];
        Arrays.fill(b, (byte) 'a');
        return b;
    }

    static byte[] chunk(byte[] data) {
        return concat(concat((Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII), data), "\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] chunks(int count, int size, boolean last) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] one = chunk(filler(size));
        for (int i = 0; i < count; i++) b.writeBytes(one);
        if (last) b.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    /**
     * A client certificate whose names hold control characters, and requests whose path holds them,
     * against serve.java: curl's /whoami answer and every log line show them escaped, one line each.
     */
    @Test
    void serveLogsAndAnswersHostileNamesEscaped() throws Exception {
        Support.requireTool("curl", "curl");
        List<String> log = new CopyOnWriteArrayList<>();
        Path dir = Files.createDirectories(root.resolve("serve-hostile"));
        for (String f : List.of("ca.crt", "svc.crt", "svc.key")) Files.copy(pki.resolve(f), dir.resolve(f));
        List<String> problems = new ArrayList<>();
        int cases = 0;
        long t0 = System.nanoTime();
        try (Service b = Service.start(serve.config(HOST, dir, 0, TlsServer.ClientAuth.WANT).withLog(log::add))) {
            for (String bad : CONTROLS) {
                byte[] der = cert(caCert, caKey, leafKey.getPublic(), name(BCStyle.CN, "evil" + bad), List.of(
                        ext(Extension.subjectAlternativeName, false, sans(new GeneralName(GeneralName.dNSName, new DERIA5String("x" + bad + ".example.com")))),
                        ext(Extension.basicConstraints, true, der(new BasicConstraints(false))),
                        ext(Extension.keyUsage, true, der(new KeyUsage(KeyUsage.digitalSignature))),
                        ext(Extension.extendedKeyUsage, false, der(new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)))));
                Files.write(dir.resolve("evil.crt"), pem("CERTIFICATE", der));
                Files.writeString(dir.resolve("evil.key"), Certs.pem(leafKey.getPrivate()));
                int before = log.size();
                Support.Result r = TlsPeers.curl(dir, "ca.crt", HOST, b.port(), "/whoami", "--cert", "evil.crt", "--key", "evil.key");
                cases++;
                if (r.code() != 0 || !r.out().matches("(?s).*subject: CN=\"?evil.*")) problems.add("curl /whoami with " + Corpus.visible(bad) + ": " + r.all());
                int raw = Corpus.firstRawControl(r.out());
                if (raw >= 0) problems.add(String.format("/whoami answered U+%04X raw for %s", raw, Corpus.visible(bad)));
                // The request line itself: raw bytes a browser would never send, straight to the parser.
                try (SSLSocket sock = (SSLSocket) Tls.context(null, Tls.trustManager(pki.resolve("ca.crt"))).getSocketFactory()
                        .createSocket("127.0.0.1", b.port())) {
                    sock.setSoTimeout(10_000);
                    sock.getOutputStream().write(("GET /x" + bad + " HTTP/1.1\r\nHost: " + HOST + "\r\nUser-Agent: a" + bad
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                    String answer = new String(sock.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                    cases++;
                    int rawAnswer = Corpus.firstRawControl(answer.replace("\r\n", "\n"));
                    if (rawAnswer >= 0) problems.add(String.format("the answer to a request line with %s holds U+%04X raw", Corpus.visible(bad), rawAnswer));
                }
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (log.size() < before + 2 && System.nanoTime() < deadline) Thread.sleep(20);
                for (String line : log.subList(before, log.size())) {
                    if (line.contains("\n") || Corpus.firstRawControl(line) >= 0)
                        problems.add("a log line with a raw control character or a line break: " + Corpus.visible(line));
                }
            }
        }
        Corpus.Report r = new Corpus.Report();
        r.byClass.put("4 control characters (serve.java)", new long[] {cases, 0, cases, problems.size(), (System.nanoTime() - t0) / 1_000_000});
        r.defects.addAll(problems);
        r.ms = (System.nanoTime() - t0) / 1_000_000;
        finish(r.table("Defect corpus (serve.java's log and answers)"), r);
        // Quoted, as OpenSSL quotes a value with a ';' in it (lib/pki/Names.java): the escape sequence holds one.
        assertTrue(log.stream().anyMatch(l -> l.contains("client=\"CN=\"evil\\x1B]0;pwned\\x07\"\"")), String.join("\n", log));
    }

    // ------------------------------------------------------------------ building blocks

    @SafeVarargs
    static List<String> concat(List<String>... parts) {
        List<String> r = new ArrayList<>();
        for (List<String> p : parts) r.addAll(p);
        return r;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    static byte[] der(ASN1Encodable e) {
        try {
            return e.toASN1Primitive().getEncoded("DER");
        } catch (IOException x) {
            throw new AssertionError(x);
        }
    }

    static byte[] sans(GeneralName... names) {
        return der(new GeneralNames(names));
    }

    /** An extension whose value is exactly these bytes, well-formed or not. */
    static Extension ext(ASN1ObjectIdentifier oid, boolean critical, byte[] value) {
        return new Extension(oid, critical, new DEROctetString(value));
    }

    static byte[] pem(String label, byte[] der) {
        return Certs.pem(label, der).getBytes(StandardCharsets.US_ASCII);
    }

    static KeyPair rsa(int bits) {
        return gen("RSA", bits);
    }

    static KeyPair gen(String alg, int size) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(alg);
            if (size > 0) g.initialize(size);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BC);
            g.initialize(new ECGenParameterSpec(curve), new java.security.SecureRandom());
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A CSR with these extensions in its extensionRequest, in this order, duplicates kept. */
    static byte[] csr(KeyPair kp, String sigAlg, X500Name subject, List<Extension> exts) {
        try {
            var b = new PKCS10CertificationRequestBuilder(subject, SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded()));
            if (!exts.isEmpty()) b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new DERSequence(exts.toArray(new Extension[0])));
            return b.build(new JcaContentSignerBuilder(sigAlg).setProvider(BC).build(kp.getPrivate())).getEncoded();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] cert(X509Certificate issuer, PrivateKey signer, PublicKey key, X500Name subject, List<Extension> exts) {
        Instant now = Instant.now();
        return cert(issuer, signer, key, subject, exts, Certs.signatureAlgorithm(signer), now.minus(1, ChronoUnit.HOURS), now.plus(90, ChronoUnit.DAYS));
    }

    /**
     * A v3 certificate built field by field, so that it may carry what the builders refuse: the same
     * extension twice, or an extension whose value is not valid DER. Self-signed when issuer is null.
     */
    static byte[] cert(X509Certificate issuer, PrivateKey signer, PublicKey key, X500Name subject, List<Extension> exts,
                       String sigAlg, Instant notBefore, Instant notAfter) {
        try {
            ContentSigner cs = new JcaContentSignerBuilder(sigAlg).setProvider(BC).build(signer);
            AlgorithmIdentifier alg = cs.getAlgorithmIdentifier();
            ASN1EncodableVector tbs = new ASN1EncodableVector();
            tbs.add(new DERTaggedObject(true, 0, new ASN1Integer(2)));
            tbs.add(new ASN1Integer(new BigInteger(64, new Random()).setBit(62)));
            tbs.add(alg);
            tbs.add(issuer == null ? subject : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()));
            tbs.add(new DERSequence(new ASN1Encodable[] {new Time(Date.from(notBefore)), new Time(Date.from(notAfter))}));
            tbs.add(subject);
            tbs.add(SubjectPublicKeyInfo.getInstance(key.getEncoded()));
            if (!exts.isEmpty()) tbs.add(new DERTaggedObject(true, 3, new DERSequence(exts.toArray(new Extension[0]))));
            DERSequence t = new DERSequence(tbs);
            try (OutputStream o = cs.getOutputStream()) {
                o.write(t.getEncoded("DER"));
            }
            return new DERSequence(new ASN1Encodable[] {t, alg, new DERBitString(cs.getSignature())}).getEncoded("DER");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
