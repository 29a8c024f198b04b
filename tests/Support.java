import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Assumptions;

/**
 * What every test shares: running a script in-process (client.java's probe, and a PKI made with
 * ca.java and issue.java), running a tool (openssl, mkcert, python3, certtool...) as a process with
 * a bounded wait, free ports on 127.0.0.1, log lines awaited, files, certificates read back, checked
 * with openssl verify or forged with one defect, the tutorial's OpenSSL root, Markdown read as a
 * test needs it (sections, code blocks, bash commands), and tool checks that skip on a developer's
 * machine but fail under CI=true (no silent skips in CI). The peers a test talks TLS to (s_server,
 * s_client, nginx, a Python server, curl, Chromium) are in TlsPeers.
 */
final class Support {
    private Support() {}

    static final Duration WAIT = Duration.ofSeconds(60);
    static final Path ROOT = Path.of(System.getProperty("user.dir")).toAbsolutePath();

    /** The tutorial's two services, and the page serve.java answers as service-b. */
    static final String A = "service-a.example.com", B = "service-b.example.com";
    static final String HELLO_B = "Hello from \"service-b\"";

    /** What a command printed and how it exited. */
    record Result(int code, String out, String err) {
        String all() { return out + err; }
        Result expectOk() {
            assertEquals(0, code, () -> "expected success, got exit " + code + "\nstdout:\n" + out + "\nstderr:\n" + err);
            return this;
        }
    }

    /** Runs a script's picocli command in-process (ca, issue, ...), as its main would. */
    static Result cli(Object command, String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Cli.run(command, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * client.java in-process to https://HOST:PORT/ with HOST resolved to 127.0.0.1, trusting dir/ca.crt,
     * sending dir/CERT.crt and .key (cert may name a subfolder, e.g. "other/stranger"), or no certificate when cert is null.
     */
    static client.Result probe(Path dir, String host, int port, String cert) {
        var o = client.Options.of("https://" + host + ":" + port + "/").withCacert(dir.resolve("ca.crt"))
                .withResolve(TlsPeers.resolve(host, port));
        return client.probe(cert == null ? o : o.withCert(dir.resolve(cert + ".crt"), dir.resolve(cert + ".key")));
    }

    // ------------------------------------------------------------------ a PKI, made in-process

    /** Makes a CA and the given leaf names (one certificate each) in dir, in-process. */
    static Path pki(Path dir, List<String> caArgs, List<String> issueArgs, String... names) {
        List<String> a = new ArrayList<>(List.of("--dir", dir.toString()));
        a.addAll(caArgs);
        cli(new ca(), a.toArray(String[]::new)).expectOk();
        if (names.length > 0) {
            List<String> b = new ArrayList<>(List.of("--each"));
            b.addAll(issueArgs);
            b.addAll(List.of(names));
            issueInto(dir, b.toArray(String[]::new)).expectOk();
        }
        return dir;
    }

    /**
     * The interop tests' PKI: our CA (RSA, the default) with service-a and service-b in dir, and in
     * dir/other a stranger.example.com from another CA ("Stranger CA"), whose certificate must be refused.
     * EC keys keep the stranger quick.
     */
    static Path pkiWithStranger(Path dir) {
        pki(dir, List.of(), List.of(), A, B);
        pki(dir.resolve("other"), List.of("--key-type", "ec", "--cn", "Stranger CA"), List.of("--key-type", "ec"),
                "stranger.example.com");
        return dir;
    }

    /** issue.java in-process: --dir dir, signed by dir/ca.crt and dir/ca.key, with args after those. */
    static Result issueInto(Path dir, String... args) {
        List<String> a = new ArrayList<>(List.of("--dir", dir.toString(), "--ca", dir.resolve("ca.crt").toString(),
                "--ca-key", dir.resolve("ca.key").toString()));
        a.addAll(List.of(args));
        return cli(new issue(), a.toArray(String[]::new));
    }

    /**
     * A copy of the repository as a user would clone it: the files git tracks or would track (not
     * ignored), as they are in the working tree now (a clone would miss uncommitted changes), with their modes. Nothing ignored
     * (certs/, target/) comes along.
     */
    static Path freshCopy(Path into) throws IOException {
        Result files = exec(ROOT, Map.of(), WAIT, List.of("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")).expectOk();
        for (String f : files.out().split("\0")) {
            if (f.isEmpty() || !Files.exists(ROOT.resolve(f))) continue;
            Path to = into.resolve(f);
            Files.createDirectories(to.getParent());
            Files.copy(ROOT.resolve(f), to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
        return into;
    }

    /** A copy of a folder of the repository and everything under it (lib/ with its layers). */
    static void copyTree(Path from, Path into) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path to = into.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(to);
                else Files.copy(f, to, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    // ------------------------------------------------------------------ processes and files

    /**
     * Fails a test that starts a process in the in-process tier. A test that starts one (./jbang, java,
     * mvn, openssl, curl, a browser...) carries @Tag("process"), on its class or its method, and
     * `tests/run --fast` (which sets -Dtests.tier=in-process) leaves it out; one that lacks the tag
     * fails here rather than slow the tier down unseen.
     */
    static void mayStart(List<String> cmd) {
        if ("in-process".equals(System.getProperty("tests.tier"))) {
            String c = String.join(" ", cmd);
            fail("this test starts a process (" + (c.length() > 120 ? c.substring(0, 120) + "..." : c)
                    + ") in the in-process tier: tag it @Tag(\"process\")");
        }
    }

    /** Runs a process to completion within the timeout; output is read from files, so it never blocks. */
    static Result exec(Path cwd, Map<String, String> env, Duration timeout, List<String> cmd) {
        mayStart(cmd);
        try {
            Path out = Files.createTempFile("out", ".txt"), err = Files.createTempFile("err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stop(p);
                fail("timed out after " + timeout + ": " + String.join(" ", cmd) + "\n" + Files.readString(out)
                        + Files.readString(err));
            }
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("cannot run " + cmd + ": " + e, e);
        }
    }

    static Result exec(Path cwd, String... cmd) {
        return exec(cwd, Map.of(), WAIT, List.of(cmd));
    }

    /** Starts a long-running peer (openssl s_server, a Python server...) with output to logFile. */
    static Process start(Path cwd, Path logFile, List<String> cmd) {
        return start(cwd, Map.of(), logFile, cmd);
    }

    /** The same, with env added to the environment. */
    static Process start(Path cwd, Map<String, String> env, Path logFile, List<String> cmd) {
        mayStart(cmd);
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            pb.environment().putAll(env);
            return pb.start();
        } catch (IOException e) {
            throw new AssertionError("cannot start " + cmd + ": " + e, e);
        }
    }

    /** Stops a process and its children, politely first, then by force; bounded. */
    static void stop(Process p) {
        if (p == null) return;
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A port that is free on 127.0.0.1 right now. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until something accepts connections on 127.0.0.1:port, or fails after the timeout. */
    static void awaitPort(int port, Duration timeout, Process p, Path log) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (p != null && !p.isAlive()) fail("the process exited before listening on " + port + ":\n" + read(log));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException e) {
                sleep(50);
            }
        }
        fail("nothing listened on port " + port + " within " + timeout + (log == null ? "" : ":\n" + read(log)));
    }

    /**
     * Waits until a line of log (a thread-safe list that a server in-process appends to, such as
     * serve.java's withLog(log::add)) contains text; fails after 20 s, showing the log.
     */
    static void awaitLog(List<String> log, String text) {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < end) {
            synchronized (log) {
                if (log.stream().anyMatch(l -> l.contains(text))) return;
            }
            sleep(100);
        }
        throw new AssertionError("no log line with '" + text + "' within 20 s:\n" + String.join("\n", log));
    }

    /** A file's text; "" when there is none, so that a failure message can always show it. */
    static String read(Path p) {
        try {
            return p == null || !Files.exists(p) ? "" : Files.readString(p);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** Writes text to p; an I/O error fails the test. */
    static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A peer the test needs. Missing: the test skips with the reason on a developer's machine, but
     * fails under CI=true, where .ci/run must have installed it.
     */
    static void requireTool(String tool, String debianPackage) {
        boolean found = exec(ROOT, "sh", "-c", "command -v " + tool).code() == 0;
        if (found) return;
        String why = tool + " is not installed (Debian package " + debianPackage + ")";
        if ("true".equals(System.getenv("CI"))) fail(why + ": .ci/run must install it");
        Assumptions.assumeTrue(false, why);
    }

    // ------------------------------------------------------------------ openssl and mkcert

    /** openssl with args in dir; it must succeed. */
    static Result openssl(Path dir, String... args) {
        return openssl(dir, List.of(args));
    }

    static Result openssl(Path dir, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(args);
        return exec(dir, Map.of(), WAIT, cmd).expectOk();
    }

    /** openssl verify [-x509_strict] -purpose PURPOSE -CAfile CA LEAF in dir (file names relative to it). */
    static Result verify(Path dir, String ca, String leaf, String purpose, boolean strict) {
        List<String> cmd = new ArrayList<>(List.of("openssl", "verify"));
        if (strict) cmd.add("-x509_strict");
        cmd.addAll(List.of("-purpose", purpose, "-CAfile", ca, leaf));
        return exec(dir, Map.of(), WAIT, cmd);
    }

    /** The same, which must succeed and say "LEAF: OK". */
    static void assertVerifyOk(Path dir, String ca, String leaf, String purpose, boolean strict) {
        Result r = verify(dir, ca, leaf, purpose, strict).expectOk();
        assertTrue(r.out().contains(leaf + ": OK"), () -> leaf + " " + purpose + ": " + r.all());
    }

    /** mkcert with its CA in dir and HOME there too, so it reads and writes no real trust store; it must succeed. */
    static Result mkcert(Path dir, String... args) {
        List<String> cmd = new ArrayList<>(List.of("mkcert"));
        cmd.addAll(List.of(args));
        Map<String, String> env = Map.of("CAROOT", dir.toString(), "HOME", dir.toString(), "TRUST_STORES", "none");
        return exec(dir, env, WAIT, cmd).expectOk();
    }

    // ------------------------------------------------------------------ the tutorial's OpenSSL root

    /** Section 1.2's subject fields, as a config that does not prompt (the tutorial typed them in). */
    static final String TUTORIAL_CA_CONF = """
            [ req ]
            prompt             = no
            distinguished_name = dn
            # OpenSSL 3 puts -extensions into a CSR only with -x509; this keeps the tutorial's
            # "Requested Extensions: CA:TRUE" (which x509 -req ignores anyway).
            req_extensions     = usr_cert
            [ dn ]
            C            = KR
            ST           = Seongnam-si
            L            = Bundang-gu
            O            = DDIM
            OU           = Engineer
            emailAddress = example@example.com
            CN           = example root
            [ usr_cert ]
            basicConstraints = CA:TRUE
            """;

    /**
     * The OpenSSL tutorial's ("mTLS with OpenSSL") section 1, command for command, in dir: root.key,
     * ca.csr from ca.conf, ca.crt self-signed for 3650 days with ca.ext (basicConstraints=CA:TRUE,
     * not critical, no keyUsage). With a password (not null), the root key is made with genrsa
     * -aes256, as section 2.1 does for service A's key.
     */
    static void tutorialRoot(Path dir, String password) {
        write(dir.resolve("ca.conf"), TUTORIAL_CA_CONF);
        write(dir.resolve("ca.ext"), "basicConstraints=CA:TRUE\n");
        List<String> pass = password != null ? List.of("-passin", "pass:" + password) : List.of();
        if (password != null) openssl(dir, "genrsa", "-aes256", "-passout", "pass:" + password, "-out", "root.key", "2048");
        else openssl(dir, "genrsa", "-out", "root.key", "2048");
        List<String> req = new ArrayList<>(List.of("req", "-config", "ca.conf", "-extensions", "usr_cert", "-new", "-key", "root.key",
                "-out", "ca.csr"));
        req.addAll(pass);
        openssl(dir, req);
        List<String> x509 = new ArrayList<>(List.of("x509", "-req", "-days", "3650", "-in", "ca.csr", "-extfile", "ca.ext",
                "-signkey", "root.key", "-out", "ca.crt"));
        x509.addAll(pass);
        openssl(dir, x509);
    }

    // ------------------------------------------------------------------ certificates, read back

    static final String OID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1", OID_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    /** The first certificate of a PEM or DER file. */
    static X509Certificate cert(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (Exception e) {
            throw new AssertionError("cannot read " + pem + ": " + e, e);
        }
    }

    /** The keyUsage bits that are set (0 digitalSignature, 2 keyEncipherment, 5 keyCertSign, 6 cRLSign...). */
    static Set<Integer> keyUsageBits(X509Certificate c) {
        boolean[] ku = c.getKeyUsage();
        assertNotNull(ku, "keyUsage present");
        return IntStream.range(0, ku.length).filter(i -> ku[i]).boxed().collect(Collectors.toSet());
    }

    /** The dNSName entries of the SAN, in order. */
    static List<String> dnsNames(X509Certificate c) throws Exception {
        List<String> names = new ArrayList<>();
        for (List<?> san : c.getSubjectAlternativeNames())
            if ((Integer) san.get(0) == 2) names.add((String) san.get(1)); // 2: dNSName
        return names;
    }

    /** The subject's CN, or null. */
    static String commonName(X509Certificate c) throws Exception {
        var rdns = new JcaX509CertificateHolder(c).getSubject().getRDNs(BCStyle.CN);
        return rdns.length == 0 ? null : IETFUtils.valueToString(rdns[0].getFirst().getValue());
    }

    /** The Subject Key Identifier, which must be present. */
    static byte[] ski(X509Certificate c) throws Exception {
        byte[] v = c.getExtensionValue("2.5.29.14");
        assertNotNull(v, "SKI present");
        return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(JcaX509ExtensionUtils.parseExtensionValue(v)))
                .getKeyIdentifier();
    }

    /** The keyIdentifier of the Authority Key Identifier, or null without one. */
    static byte[] akiKeyId(X509Certificate c) throws Exception {
        byte[] v = c.getExtensionValue("2.5.29.35");
        if (v == null) return null;
        return AuthorityKeyIdentifier.getInstance(JcaX509ExtensionUtils.parseExtensionValue(v)).getKeyIdentifier();
    }

    /** The serial of the certificate a TLS server on 127.0.0.1:port presents for host, trusting dir/ca.crt. */
    static BigInteger servedSerial(int port, String host, Path dir) throws Exception {
        return Tls.peerCertificate("127.0.0.1", port, host, dir.resolve("ca.crt")).getSerialNumber();
    }

    // ------------------------------------------------------------------ certificates issue.java will not make

    /** A certificate (EC key: fast) signed by dir/ca.crt with the validity given, e.g. one that expired. */
    static void certificate(Path dir, String name, String dnsName, Certs.Usage usage, Instant notBefore, Instant notAfter)
            throws IOException {
        X509Certificate ca = Pem.certificate(dir.resolve("ca.crt"), "CA certificate");
        PrivateKey caKey = Cli.readKey(dir.resolve("ca.key"), "CA key", null, "--ca-key-password");
        KeyPair kp = ec();
        X509Certificate c = Certs.leaf(kp.getPublic(), new X500Name("CN=" + dnsName),
                List.of(new GeneralName(GeneralName.dNSName, dnsName)), usage, ca, caKey, notBefore, notAfter);
        Files.writeString(dir.resolve(name + ".crt"), Certs.pem(c));
        Files.writeString(dir.resolve(name + ".key"), Pem.key(kp.getPrivate(), null));
    }

    /** An EC P-256 key pair: quick to make. */
    static KeyPair ec() {
        return Keys.generate(Keys.KeyType.EC, 256);
    }

    /**
     * A certificate with the project's profile (docs/PROFILE.md) that a test may break in one place:
     * replace or drop an extension, change the subject, serial, validity, key or signature algorithm.
     */
    static final class Forge {
        KeyPair key;
        X500Name subject;
        BigInteger serial = Certs.randomSerial();
        Instant notBefore = Instant.now().minus(5, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = notBefore.plus(365, ChronoUnit.DAYS);
        String signatureAlgorithm;
        boolean v1; // an X.509 v1 certificate: no extensions at all
        private final Map<ASN1ObjectIdentifier, Object[]> exts = new LinkedHashMap<>();
        private X509Certificate issuer;

        static Forge root(KeyPair kp) {
            Forge f = new Forge();
            f.key = kp;
            f.subject = new X500Name("CN=lint root");
            f.ext(Extension.basicConstraints, true, new BasicConstraints(true));
            f.ext(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            f.ext(Extension.subjectKeyIdentifier, false, null); // from the key when built
            return f;
        }

        static Forge leaf(KeyPair kp, String dns) {
            Forge f = new Forge();
            f.key = kp;
            f.subject = new X500Name("CN=" + dns);
            f.ext(Extension.basicConstraints, true, new BasicConstraints(false));
            f.ext(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            f.ext(Extension.extendedKeyUsage, false,
                    new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            f.ext(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, dns)));
            f.ext(Extension.subjectKeyIdentifier, false, null);
            f.ext(Extension.authorityKeyIdentifier, false, null); // the issuer's key id when built
            return f;
        }

        Forge ext(ASN1ObjectIdentifier oid, boolean critical, ASN1Encodable value) {
            exts.put(oid, new Object[] {critical, value});
            return this;
        }

        Forge without(ASN1ObjectIdentifier oid) {
            exts.remove(oid);
            return this;
        }

        /** Marks an extension critical, keeping its value (SKI and AKI are still computed when built). */
        Forge critical(ASN1ObjectIdentifier oid) {
            exts.get(oid)[0] = true;
            return this;
        }

        Forge issuer(X509Certificate ca) {
            this.issuer = ca;
            return this;
        }

        private ASN1Encodable value(ASN1ObjectIdentifier oid, Object given) {
            try {
                var u = new JcaX509ExtensionUtils();
                if (given != null) return (ASN1Encodable) given;
                if (oid.equals(Extension.subjectKeyIdentifier)) return u.createSubjectKeyIdentifier(key.getPublic());
                if (oid.equals(Extension.authorityKeyIdentifier))
                    return issuer == null ? u.createAuthorityKeyIdentifier(key.getPublic())
                            : u.createAuthorityKeyIdentifier(issuer.getPublicKey());
                throw new IllegalStateException("no value for " + oid);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        X509Certificate signedBy(X509Certificate ca, PrivateKey caKey) {
            try {
                return new JcaX509CertificateConverter().getCertificate(new org.bouncycastle.cert.X509CertificateHolder(der(ca, caKey)));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        /** The certificate's DER bytes, even for one that Java refuses to parse. */
        byte[] der(X509Certificate ca, PrivateKey caKey) {
            try {
                X500Name issuerName = ca == null ? subject : Certs.holder(ca).getSubject();
                String alg = signatureAlgorithm != null ? signatureAlgorithm : Certs.signatureAlgorithm(caKey);
                if (v1)
                    return new org.bouncycastle.cert.jcajce.JcaX509v1CertificateBuilder(issuerName, serial, Date.from(notBefore),
                            Date.from(notAfter), subject, key.getPublic()).build(new JcaContentSignerBuilder(alg).build(caKey)).getEncoded();
                var b = new JcaX509v3CertificateBuilder(issuerName, serial, Date.from(notBefore), Date.from(notAfter), subject, key.getPublic());
                for (var e : exts.entrySet()) {
                    if (e.getKey().equals(Extension.authorityKeyIdentifier) && issuer == null && ca != null) issuer = ca;
                    b.addExtension(e.getKey(), (Boolean) e.getValue()[0], value(e.getKey(), e.getValue()[1]));
                }
                return b.build(new JcaContentSignerBuilder(alg).build(caKey)).getEncoded();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    // ------------------------------------------------------------------ JBang sources

    /**
     * A script and every file its //SOURCES lines name, and theirs, as JBang follows them (relative to
     * the file that names them); each must exist.
     */
    static List<Path> withSources(Path script) throws IOException {
        java.util.Set<Path> all = new java.util.LinkedHashSet<>(List.of(script.normalize()));
        for (java.util.Deque<Path> todo = new java.util.ArrayDeque<>(all); !todo.isEmpty(); ) {
            Path f = todo.pop();
            Matcher m = Pattern.compile("^//SOURCES (\\S+)$", Pattern.MULTILINE).matcher(Files.readString(f));
            while (m.find()) {
                Path src = f.getParent().resolve(m.group(1)).normalize();
                assertTrue(Files.isRegularFile(src), script + ": " + f + " names " + m.group(1) + ", which does not exist");
                if (all.add(src)) todo.add(src);
            }
        }
        return new ArrayList<>(all);
    }

    // ------------------------------------------------------------------ Java source, read as a test needs it

    /**
     * A Java source file in two layers, each as long as the source and with its line breaks where they
     * were (so an offset gives the line): code, with comments and the insides of string, text block and
     * char literals blanked, and literals, with only those insides kept.
     */
    record JavaText(String code, String literals) {
        /** The 1-based line of an offset into either layer. */
        int line(int offset) {
            int line = 1;
            for (int i = 0; i < offset; i++) if (code.charAt(i) == '\n') line++;
            return line;
        }
    }

    static JavaText javaText(String src) {
        StringBuilder code = new StringBuilder(src.length()), lit = new StringBuilder(src.length());
        int i = 0, n = src.length();
        while (i < n) {
            char c = src.charAt(i);
            if (src.startsWith("//", i) || src.startsWith("/*", i)) { // a comment: blank in both layers
                int end = src.startsWith("//", i) ? src.indexOf('\n', i) : src.indexOf("*/", i + 2) + 2;
                for (end = end < i ? n : end; i < end; i++) {
                    code.append(src.charAt(i) == '\n' ? '\n' : ' ');
                    lit.append(src.charAt(i) == '\n' ? '\n' : ' ');
                }
            } else if (c == '"' || c == '\'') { // a literal: its quotes stay in code, its inside goes to literals
                String quote = src.startsWith("\"\"\"", i) ? "\"\"\"" : String.valueOf(c);
                code.append(quote);
                lit.append(" ".repeat(quote.length()));
                i += quote.length();
                while (i < n && !src.startsWith(quote, i) && (quote.length() == 3 || src.charAt(i) != '\n')) {
                    int len = src.charAt(i) == '\\' && i + 1 < n ? 2 : 1; // an escape: \" does not end it
                    for (int k = 0; k < len; k++, i++) {
                        code.append(src.charAt(i) == '\n' ? '\n' : ' ');
                        lit.append(src.charAt(i));
                    }
                }
                if (src.startsWith(quote, i)) {
                    code.append(quote);
                    lit.append(" ".repeat(quote.length()));
                    i += quote.length();
                }
            } else {
                code.append(c);
                lit.append(c == '\n' ? '\n' : ' ');
                i++;
            }
        }
        return new JavaText(code.toString(), lit.toString());
    }

    /** Java source without comments and string literals, so that only code counts. */
    static String codeOnly(String java) {
        return javaText(java).code();
    }

    // ------------------------------------------------------------------ Markdown

    /** The text from a line starting with heading up to the next "## " heading; the heading must be there. */
    static String section(String markdown, String heading) {
        int start = markdown.startsWith(heading) ? 0 : markdown.indexOf("\n" + heading);
        assertTrue(start >= 0, "no section \"" + heading + "\"");
        int end = markdown.indexOf("\n## ", start + 1);
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    /** The body of every ```LANG block (a fence of exactly that language), in order. */
    static List<String> codeBlocks(String markdown, String lang) {
        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^```" + Pattern.quote(lang) + "\\n(.*?)^```$", Pattern.DOTALL).matcher(markdown);
        while (m.find()) blocks.add(m.group(1));
        return blocks;
    }

    /**
     * Fails unless actual shows what a page shows (a transcript's output). The page may leave out lines
     * ("..." on a line of its own) and parts of a line ("[...]"); the pieces between must appear in
     * actual, in this order. Runs of white space count as one space (output is wrapped to a width),
     * and what differs from run to run is masked on both sides (see mask).
     */
    static void assertShown(String what, String shown, String actual) {
        String out = mask(actual);
        int at = 0;
        for (String piece : shown.split("(?m)^[ \\t]*\\.\\.\\.[ \\t]*$|\\[\\.\\.\\.\\]")) {
            String p = mask(piece);
            if (p.isEmpty()) continue;
            int found = out.indexOf(p, at);
            if (found < 0)
                fail(what + ": the output does not show, here,\n" + piece.strip() + "\n(masked: " + p + ")\nafter: "
                        + out.substring(Math.max(0, at - 300), at) + "\nThe output:\n" + actual);
            at = found + p.length();
        }
    }

    /**
     * Text with runs of white space made one space, and what differs between runs masked: the tag of
     * a default CA name "(USER DATE TAG)" and of a trust store name (USER-DATE-FINGERPRINT), hex
     * fingerprints, key ids and serials, the stamp of a .bak file, dates and times.
     */
    static String mask(String text) {
        return text.replaceAll("\\s+", " ").strip()
                .replaceAll("\\([^()\\s]+ \\d{4}-\\d{2}-\\d{2} [0-9a-f]{6}\\)", "(USER DATE TAG)")
                .replaceAll("[a-z0-9_.]+-\\d{4}-\\d{2}-\\d{2}-[0-9a-f]{8}\\b", "USER-DATE-FINGERPRINT")
                .replaceAll("\\b[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){3,}\\b", "HEX")
                .replaceAll("\\b[0-9a-f]{16,}\\b", "HEX")
                .replaceAll("\\b\\d{8}-\\d{6}\\b", "STAMP")
                .replaceAll("\\d{4}-\\d{2}-\\d{2}", "DATE")
                .replaceAll("\\d{2}:\\d{2}:\\d{2}", "TIME");
    }

    /** The commands of a bash block: "\" continuations joined, comments and blank lines left out. */
    static List<String> bashCommands(String block) {
        List<String> commands = new ArrayList<>();
        StringBuilder cmd = new StringBuilder();
        for (String line : block.split("\n")) {
            if (line.endsWith("\\")) {
                cmd.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            String c = cmd.append(line).toString().strip();
            cmd.setLength(0);
            if (!c.isEmpty() && !c.startsWith("#")) commands.add(c);
        }
        return commands;
    }
}
