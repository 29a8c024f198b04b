import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * trust.java: the CA installed
 * into stores made in a temporary folder, never the machine's, and proved by the clients that read
 * them: headless Chromium through an NSS database, a plain Java HttpClient through a PKCS#12
 * truststore, openssl through the bundle the real update-ca-certificates builds from our file.
 * Uninstall leaves each store as it was. Exports parse, and hold the right PEM.
 */
class TrustTest {

    static final String A = Support.A;
    static final String PAGE = "Hello from \"service-a\"";

    /** Our CA and service-a (RSA), shared; each test makes its stores in a folder of its own. */
    @TempDir
    static Path dir;
    static String name;
    static List<String> realStore;

    private final List<Service> servers = new ArrayList<>();

    @BeforeAll
    static void pki() throws IOException {
        Support.pki(dir, List.of(), List.of(), A);
        name = TrustStores.defaultName(Pem.certificate(dir.resolve("ca.crt"), "CA"));
        realStore = listing(Path.of("/usr/local/share/ca-certificates"));
    }

    @AfterEach
    void stopServers() {
        servers.forEach(Service::stop);
        // Whatever a test did, the machine's own store is as it was.
        assertEquals(realStore, listing(Path.of("/usr/local/share/ca-certificates")));
    }

    // ------------------------------------------------------------------ NSS and Chromium

    /**
     * install --nss-db makes headless Chromium trust serve.java's page (no warning); uninstall takes
     * the nickname out again (certutil -L no longer lists it), and Chromium shows the CA error again.
     */
    @Tag("process")
    @Test
    void nssDatabaseMakesChromiumTrustServeAndUninstallUndoesIt(@TempDir Path tmp) {
        TlsPeers.requireChromium();
        Path home = tmp.resolve("home"), db = home.resolve(".pki/nssdb");
        String url = servePage();

        Support.Result installed = trust("install", "--nss-db", db.toString()).expectOk();
        assertTrue(installed.out().contains("NSS " + db + ": created a new database"), installed::out);
        assertTrue(installed.out().contains("added \"" + name + "\" trusted for TLS servers (C,,)"), installed::out);
        assertTrue(certutilList(db).contains(name) && certutilList(db).contains("C,,"), () -> certutilList(db));
        Support.Result page = TlsPeers.chromium(home, home, url, A);
        assertTrue(page.out().contains(PAGE), () -> "the page, in:\n" + page.out() + "\n" + page.err());

        Support.Result again = trust("install", "--nss-db", db.toString()).expectOk();
        assertTrue(again.out().contains("already trusted"), again::out);

        Support.Result removed = trust("uninstall", "--nss-db", db.toString()).expectOk();
        assertTrue(removed.out().contains("removed \"" + name + "\""), removed::out);
        assertFalse(certutilList(db).contains(name), () -> certutilList(db));
        Support.Result refused = TlsPeers.chromium(home, home, url, A);
        assertFalse(refused.out().contains(PAGE), refused::out);
        assertTrue(refused.err().contains("net::ERR_CERT_AUTHORITY_INVALID"), refused::err);
    }

    /**
     * --nss without --nss-db finds Chromium's ~/.pki/nssdb and every Firefox profile with a cert9.db
     * (classic and snap); a profile without one is left alone. HOME is a temporary folder here
     * (trust.java runs as its own JVM with -Duser.home), so no real profile is touched.
     */
    @Tag("process")
    @Test
    void nssFindsChromiumAndFirefoxDatabasesUnderHome(@TempDir Path home) throws IOException {
        Support.requireTool("certutil", "libnss3-tools");
        Path firefox = home.resolve(".mozilla/firefox/abcd.default-release");
        Path snap = home.resolve("snap/firefox/common/.mozilla/firefox/efgh.default");
        Path empty = Files.createDirectories(home.resolve(".mozilla/firefox/old.profile"));
        for (Path p : List.of(firefox, snap)) {
            Files.createDirectories(p);
            Support.exec(p, "certutil", "-N", "--empty-password", "-d", "sql:" + p).expectOk();
        }
        Support.Result r = trustProcess(home, "install", "--nss").expectOk();
        Path chromium = home.resolve(".pki/nssdb");
        for (Path db : List.of(chromium, firefox, snap)) {
            assertTrue(db.startsWith(home));
            assertTrue(certutilList(db).contains(name), () -> db + ":\n" + certutilList(db) + "\n" + r.all());
        }
        assertFalse(Files.exists(empty.resolve("cert9.db")), "a profile without an NSS database stays as it was");
        trustProcess(home, "uninstall", "--nss").expectOk();
        for (Path db : List.of(chromium, firefox, snap)) assertFalse(certutilList(db).contains(name), db::toString);
    }

    // ------------------------------------------------------------------ Java

    /**
     * install --truststore makes a PKCS#12 truststore; a plain Java HttpClient in its own JVM, given
     * only -Djavax.net.ssl.trustStore, then trusts serve.java. Without it, or after uninstall (keytool
     * -list no longer lists the alias), the same client refuses.
     */
    @Tag("process")
    @Test
    void truststoreMakesAPlainJavaHttpClientTrustServe(@TempDir Path tmp) {
        String url = servePage();
        Path ts = tmp.resolve("truststore.p12");
        Support.Result r = trust("install", "--truststore", ts.toString()).expectOk();
        assertTrue(r.out().contains("created it with the trusted certificate \"" + name + "\""), r::out);
        assertTrue(r.out().contains("-Djavax.net.ssl.trustStore=" + ts), r::out);
        assertTrue(keytoolList(ts).contains(name + ", ") && keytoolList(ts).contains("trustedCertEntry"), () -> keytoolList(ts));

        Support.Result ok = javaGet(tmp, ts, url);
        assertEquals(0, ok.code(), ok::all);
        assertTrue(ok.out().contains("200 " + PAGE), ok::all);
        Support.Result plain = javaGet(tmp, null, url);
        assertTrue(plain.out().contains("FAILED") && plain.out().contains("PKIX path building failed"), plain::all);

        trust("uninstall", "--truststore", ts.toString()).expectOk();
        assertFalse(keytoolList(ts).contains(name), () -> keytoolList(ts));
        Support.Result after = javaGet(tmp, ts, url);
        assertTrue(after.out().contains("FAILED"), after::all);
    }

    /**
     * --truststore on a copy of the JDK's cacerts (what --java changes in place): our CA is added
     * beside the public CAs, and uninstall leaves exactly the public CAs. The JDK's own file is
     * untouched.
     */
    @Test
    void aCopyOfTheJdksCacertsGainsAndLosesOnlyOurCa(@TempDir Path tmp) throws Exception {
        Path real = TrustStores.jdkCacerts().toRealPath();
        String realDigest = sha256(real);
        Path copy = tmp.resolve("cacerts");
        Files.copy(real, copy);
        List<String> before = aliases(copy, "changeit");
        assertTrue(before.size() > 50, "the JDK ships the public CAs: " + before.size());

        trust("install", "--truststore", copy.toString(), "--truststore-password", "pass:changeit").expectOk();
        List<String> with = aliases(copy, "changeit");
        assertEquals(before.size() + 1, with.size());
        assertTrue(with.contains(name));
        trust("uninstall", "--truststore", copy.toString(), "--truststore-password", "pass:changeit").expectOk();
        assertEquals(before, aliases(copy, "changeit"));
        assertEquals(realDigest, sha256(real));

        Support.Result wrong = trust("install", "--truststore", copy.toString(), "--truststore-password", "pass:wrong");
        assertEquals(1, wrong.code(), wrong::all);
        assertTrue(wrong.err().contains("wrong password; give the right one with --truststore-password"), wrong::err);
    }

    // ------------------------------------------------------------------ the Linux system store

    /**
     * --system --root DIR on a Debian layout writes DIR/usr/local/share/ca-certificates/NAME.crt
     * (0644, the CA's PEM), and says how to refresh that tree. The real update-ca-certificates,
     * pointed at the same tree, then puts it in the bundle openssl verifies with. Uninstall removes
     * that file and nothing else, refuses a file of that name holding another certificate, and the
     * refreshed bundle no longer trusts the CA.
     */
    @Tag("process")
    @Test
    void systemStoreLayoutUnderARoot(@TempDir Path root) throws IOException {
        Path local = Files.createDirectories(root.resolve("usr/local/share/ca-certificates"));
        Path neighbour = local.resolve("someone-else.crt");
        Files.writeString(neighbour, Files.readString(dir.resolve("service-a.crt")));
        Support.Result r = trust("install", "--system", "--root", root.toString()).expectOk();
        Path file = local.resolve(name + ".crt");
        assertTrue(file.startsWith(root));
        assertEquals(Files.readString(dir.resolve("ca.crt")), Files.readString(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(r.out().contains("system store (Debian/Ubuntu): wrote " + file), r::out);
        assertTrue(r.out().contains("Not refreshed (its root is not /). Refresh that tree with: chroot " + root + " update-ca-certificates"), r::out);

        if (updateCaCertificatesTakesFolders()) {
            Path bundle = refresh(root, false);
            Support.exec(dir, "openssl", "verify", "-CAfile", bundle.toString(), "service-a.crt").expectOk();
        }

        Support.Result removed = trust("uninstall", "--system", "--root", root.toString()).expectOk();
        assertTrue(removed.out().contains("removed " + file) && removed.out().contains("update-ca-certificates --fresh"), removed::out);
        assertFalse(Files.exists(file));
        assertTrue(Files.exists(neighbour), "uninstall removes only our file");
        if (updateCaCertificatesTakesFolders()) {
            Path bundle = refresh(root, true);
            assertFalse(Files.readString(bundle).contains(Files.readString(dir.resolve("ca.crt")).strip()));
        }

        // A file of our name that holds another certificate is never ours to remove, nor to replace.
        Files.copy(neighbour, file);
        for (String action : List.of("uninstall", "install")) {
            Support.Result refused = trust(action, "--system", "--root", root.toString());
            assertEquals(1, refused.code(), refused::all);
            assertTrue(refused.err().contains("holds another certificate") && refused.err().contains("left alone"), refused::err);
            assertEquals(Files.readString(neighbour), Files.readString(file));
        }
    }

    /** Fedora/RHEL: ROOT/etc/pki/ca-trust/source/anchors/NAME.pem and update-ca-trust; an unknown tree is refused. */
    @Test
    void fedoraLayoutAndAnUnknownTree(@TempDir Path tmp) throws IOException {
        Path root = tmp.resolve("fedora");
        Path anchors = Files.createDirectories(root.resolve("etc/pki/ca-trust/source/anchors"));
        Support.Result r = trust("install", "--system", "--root", root.toString()).expectOk();
        Path file = anchors.resolve(name + ".pem");
        assertEquals(Files.readString(dir.resolve("ca.crt")), Files.readString(file));
        assertTrue(r.out().contains("Fedora/RHEL") && r.out().contains("chroot " + root + " update-ca-trust extract"), r::out);
        trust("uninstall", "--system", "--root", root.toString()).expectOk();
        assertEquals(List.of(), listing(anchors));

        Path debian = tmp.resolve("debian-by-flag");
        trust("install", "--system", "--root", debian.toString(), "--system-layout", "debian").expectOk();
        assertTrue(Files.exists(debian.resolve("usr/local/share/ca-certificates/" + name + ".crt")));

        Support.Result unknown = trust("install", "--system", "--root", tmp.resolve("bare").toString());
        assertEquals(1, unknown.code(), unknown::all);
        assertEquals(1, unknown.err().strip().lines().count(), unknown::err);
        assertTrue(unknown.err().contains("cannot tell the system store") && unknown.err().contains("--system-layout"), unknown::err);
    }

    /** The macOS and Windows commands, and the per-runtime ones, name this CA's file and fingerprint. */
    @Test
    void printsTheCommandsForMacosWindowsAndOtherRuntimes() {
        X509Certificate ca = Pem.certificate(dir.resolve("ca.crt"), "CA");
        String abs = dir.resolve("ca.crt").toString();
        Support.Result r = trust("install", "--macos", "--windows").expectOk();
        assertTrue(r.out().contains("sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain " + abs), r::out);
        assertTrue(r.out().contains("certutil -addstore -f Root ca.crt"), r::out);
        for (String runtime : List.of("curl --cacert " + abs, "export SSL_CERT_FILE=" + abs, "export REQUESTS_CA_BUNDLE=" + abs,
                "export NODE_EXTRA_CA_CERTS=" + abs, "-Djavax.net.ssl.trustStore=", "docker run -v " + abs,
                "kubectl create configmap " + name + " --from-file=ca.crt=" + abs))
            assertTrue(r.out().contains(runtime), () -> runtime + " in:\n" + r.out());
        Support.Result u = trust("uninstall", "--macos", "--windows").expectOk();
        assertTrue(u.out().contains("delete-certificate -Z " + TrustStores.sha1Hex(ca)) && u.out().contains("certutil -delstore Root " + TrustStores.sha1Hex(ca)), u::out);
    }

    @Test
    void refusesWhatIsNotACa() {
        Support.Result r = trust("install", "--ca", dir.resolve("service-a.crt").toString(), "--nss-db", dir.resolve("never").toString());
        assertEquals(1, r.code(), r::all);
        assertTrue(r.err().contains("is not a CA certificate"), r::err);
        assertFalse(Files.exists(dir.resolve("never")));
        Support.Result bad = trust("remove");
        assertEquals(2, bad.code(), "an unknown action is bad usage: " + bad.all());
        assertTrue(bad.err().contains("'remove'") && bad.err().contains("trust.java --help"), bad::err);
    }

    // ------------------------------------------------------------------ export

    /**
     * Vault's pem_bundle: the CA certificate, then its key (unencrypted, as Vault needs), 0600.
     * OpenSSL reads both from the one file and finds the same public key in each. An encrypted CA
     * key needs --ca-key-password; a key that is not the CA's is refused.
     */
    @Tag("process")
    @Test
    void vaultBundleHoldsTheCaAndItsKey(@TempDir Path tmp) throws IOException {
        Support.pki(tmp, List.of("--key-password", "pass:pw"), List.of());
        Path out = tmp.resolve("bundle.pem");
        Support.Result locked = trust("export", "--format", "vault", "--ca", tmp.resolve("ca.crt").toString(),
                "--ca-key", tmp.resolve("ca.key").toString(), "--out", out.toString());
        assertEquals(1, locked.code(), locked::all);
        assertTrue(locked.err().contains("--ca-key-password"), locked::err);
        assertFalse(Files.exists(out));

        Support.Result r = trust("export", "--format", "vault", "--ca", tmp.resolve("ca.crt").toString(), "--ca-key",
                tmp.resolve("ca.key").toString(), "--ca-key-password", "pass:pw", "--out", out.toString()).expectOk();
        assertTrue(r.out().contains("vault write pki/config/ca pem_bundle=@" + out), r::out);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        String pem = Files.readString(out);
        assertTrue(pem.startsWith(Files.readString(tmp.resolve("ca.crt"))) && pem.contains("-----BEGIN PRIVATE KEY-----"), pem);
        X509Certificate ca = Pem.certificate(out, "bundle");
        assertEquals(Describe.fingerprint(Pem.certificate(tmp.resolve("ca.crt"), "CA")), Describe.fingerprint(ca));
        assertTrue(Keys.matches(Cli.readKey(out, "bundle key", null, "-"), ca.getPublicKey()));
        if (Support.exec(tmp, "sh", "-c", "command -v openssl").code() == 0) {
            String fromCert = Support.exec(tmp, "openssl", "x509", "-in", out.toString(), "-noout", "-pubkey").expectOk().out();
            String fromKey = Support.exec(tmp, "openssl", "pkey", "-in", out.toString(), "-pubout").expectOk().out();
            assertEquals(fromCert, fromKey);
        }

        Support.Result exists = trust("export", "--format", "vault", "--ca", tmp.resolve("ca.crt").toString(), "--ca-key",
                tmp.resolve("ca.key").toString(), "--ca-key-password", "pass:pw", "--out", out.toString());
        assertEquals(1, exists.code(), exists::all);
        assertTrue(exists.err().contains("already exists"), exists::err);
        Support.Result wrongKey = trust("export", "--format", "vault", "--ca-key", dir.resolve("service-a.key").toString(),
                "--out", tmp.resolve("other.pem").toString());
        assertEquals(1, wrongKey.code(), wrongKey::all);
        assertTrue(wrongKey.err().contains("does not belong to CA certificate"), wrongKey::err);
    }

    /**
     * The Kubernetes Secret: type kubernetes.io/tls, 0600, with tls.crt, tls.key and ca.crt whose
     * base64 decodes to the CA's PEM and a key that is the CA's. Parsed twice: by a strict reader of
     * this fixed shape here, and by PyYAML (Debian's python3-yaml) as kubectl's YAML would read it.
     */
    @Tag("process")
    @Test
    void kubernetesSecretParsesAndDecodesToTheCa(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("secret.yaml");
        trust("export", "--format", "k8s-secret", "--namespace", "cert-manager", "--out", out.toString()).expectOk();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        Map<String, String> y = flatYaml(Files.readString(out));
        assertEquals("v1", y.get("apiVersion"));
        assertEquals("Secret", y.get("kind"));
        assertEquals("kubernetes.io/tls", y.get("type"));
        assertEquals(name, y.get("metadata.name"));
        assertEquals("cert-manager", y.get("metadata.namespace"));
        assertEquals(Files.readString(dir.resolve("ca.crt")), decode(y.get("data.tls.crt")));
        assertEquals(Files.readString(dir.resolve("ca.crt")), decode(y.get("data.ca.crt")));
        Path key = tmp.resolve("tls.key");
        Files.writeString(key, decode(y.get("data.tls.key")));
        PrivateKey k = Cli.readKey(key, "tls.key", null, "-");
        assertTrue(Keys.matches(k, Pem.certificate(dir.resolve("ca.crt"), "CA").getPublicKey()));

        if (requirePyYaml()) {
            Support.Result py = Support.exec(tmp, Map.of(), Support.WAIT, List.of("/usr/bin/python3", "-c",
                    "import yaml, base64, sys\n"
                            + "d = yaml.safe_load(open(sys.argv[1]))\n"
                            + "print(d['kind'], d['type'], d['metadata']['name'], sorted(d['data']))\n"
                            + "print(base64.b64decode(d['data']['ca.crt']).decode(), end='')\n", out.toString())).expectOk();
            assertTrue(py.out().startsWith("Secret kubernetes.io/tls " + name + " ['ca.crt', 'tls.crt', 'tls.key']\n"), py::all);
            assertTrue(py.out().endsWith(Files.readString(dir.resolve("ca.crt"))), py::all);
        }
        // The strict reader is no pushover: a manifest without a data field fails it.
        assertThrowsAssertion(() -> flatYaml("apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\n"));
    }

    /** export --format truststore: keytool lists the CA as a trusted entry, and a plain HttpClient trusts serve.java with it. */
    @Tag("process")
    @Test
    void exportedTruststoreLoadsInKeytoolAndJava(@TempDir Path tmp) throws Exception {
        Path ts = tmp.resolve("exported.p12");
        Support.Result r = trust("export", "--format", "truststore", "--out", ts.toString()).expectOk();
        assertTrue(r.out().contains("PKCS#12 truststore, mode 0644"), r::out);
        String list = keytoolList(ts);
        assertTrue(list.contains("Your keystore contains 1 entry") && list.contains(name + ", ") && list.contains("trustedCertEntry"), list);
        assertTrue(list.contains(Describe.fingerprint(Pem.certificate(dir.resolve("ca.crt"), "CA"))), list);
        assertEquals(List.of(name), aliases(ts, "changeit"));
        Support.Result ok = javaGet(tmp, ts, servePage());
        assertTrue(ok.out().contains("200 " + PAGE), ok::all);
    }

    // ------------------------------------------------------------------ helpers

    /** trust.java in-process, with --ca the shared CA unless given. */
    static Support.Result trust(String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        if (!a.contains("--ca")) a.addAll(List.of("--ca", dir.resolve("ca.crt").toString()));
        if (a.get(0).equals("export") && !a.contains("--ca-key")) a.addAll(List.of("--ca-key", dir.resolve("ca.key").toString()));
        return Support.cli(new trust(), a.toArray(String[]::new));
    }

    /** trust.java as its own JVM whose user.home is the given folder, for the defaults that read HOME. */
    static Support.Result trustProcess(Path home, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + home, "-cp", System.getProperty("java.class.path"), "trust"));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("--ca", dir.resolve("ca.crt").toString()));
        return Support.exec(home, Map.of("HOME", home.toString()), Support.WAIT, cmd);
    }

    /** serve.java as service-a on a free port of 127.0.0.1 (no client certificate asked); stopped after the test. */
    private String servePage() {
        Service running = Service.start(serve.config("service-a", dir, 0, TlsServer.ClientAuth.NONE).withLog(l -> {}));
        servers.add(running);
        return "https://" + A + ":" + running.port() + "/";
    }

    static String certutilList(Path db) {
        return Support.exec(db, "certutil", "-L", "-d", "sql:" + db).expectOk().out();
    }

    static String keytoolList(Path store) {
        return Support.exec(store.getParent(), keytool(), "-list", "-keystore", store.toString(), "-storepass", "changeit").expectOk().out();
    }

    static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    static List<String> aliases(Path store, String password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password.toCharArray());
        }
        List<String> all = Collections.list(ks.aliases());
        Collections.sort(all);
        return all;
    }

    /** The compiled client of javaGet, made once (compiling it per run would cost a second each time). */
    static Path getClient;

    /**
     * GETs url with a plain java.net.http.HttpClient in a JVM of its own: trust only from
     * -Djavax.net.ssl.trustStore (none: the JDK's cacerts), and A mapped to 127.0.0.1 by a hosts file.
     * Prints "STATUS BODY", or "FAILED: exception".
     */
    static Support.Result javaGet(Path tmp, Path truststore, String url) {
        try {
            Path hosts = tmp.resolve("hosts");
            Files.writeString(hosts, "127.0.0.1 " + A + "\n");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djdk.net.hosts.file=" + hosts));
            if (truststore != null) cmd.addAll(List.of("-Djavax.net.ssl.trustStore=" + truststore, "-Djavax.net.ssl.trustStorePassword=changeit"));
            cmd.addAll(List.of("-cp", getClient().toString(), "Get", url));
            return Support.exec(tmp, Map.of(), Support.WAIT, cmd);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static synchronized Path getClient() throws IOException {
        if (getClient != null) return getClient;
        Path out = Files.createDirectories(dir.resolve("get-client"));
        Path src = out.resolve("Get.java");
        Files.writeString(src, """
                import java.net.URI;
                import java.net.http.*;
                import java.time.Duration;
                public class Get {
                    public static void main(String[] a) throws Exception {
                        HttpClient c = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                        try {
                            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create(a[0])).timeout(Duration.ofSeconds(20)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            System.out.println(r.statusCode() + " " + r.body());
                        } catch (Exception e) {
                            StringBuilder s = new StringBuilder("FAILED:");
                            for (Throwable t = e; t != null; t = t.getCause()) s.append(' ').append(t);
                            System.out.println(s);
                            System.exit(3);
                        }
                    }
                }
                """);
        int rc = javax.tools.ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", out.toString(), src.toString());
        assertEquals(0, rc, "Get.java compiles");
        getClient = out;
        return out;
    }

    /** True when this update-ca-certificates accepts its folders as flags (ca-certificates 20230311+, Debian 12). */
    static boolean updateCaCertificatesTakesFolders() {
        Path script = Path.of("/usr/sbin/update-ca-certificates");
        try {
            return Files.isRegularFile(script) && Files.readString(script).contains("--localcertsdir");
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs the real update-ca-certificates on the tree under root only (every folder given as a flag). */
    static Path refresh(Path root, boolean fresh) throws IOException {
        Path certs = Files.createDirectories(root.resolve("etc/ssl/certs"));
        Path conf = root.resolve("etc/ca-certificates.conf");
        if (!Files.exists(conf)) Files.writeString(conf, "");
        Files.createDirectories(root.resolve("usr/share/ca-certificates"));
        Files.createDirectories(root.resolve("etc/ca-certificates/update.d"));
        Path tmp = Files.createDirectories(root.resolve("tmp"));
        List<String> cmd = new ArrayList<>(List.of("/usr/sbin/update-ca-certificates",
                "--certsconf", conf.toString(), "--certsdir", root.resolve("usr/share/ca-certificates").toString(),
                "--localcertsdir", root.resolve("usr/local/share/ca-certificates").toString(),
                "--etccertsdir", certs.toString(), "--hooksdir", root.resolve("etc/ca-certificates/update.d").toString()));
        if (fresh) cmd.add("--fresh");
        for (String arg : cmd.subList(1, cmd.size()))
            if (arg.startsWith("/")) assertTrue(Path.of(arg).startsWith(root), arg + " is outside the temporary root");
        Support.exec(root, Map.of("TMPDIR", tmp.toString()), Support.WAIT, cmd).expectOk();
        return certs.resolve("ca-certificates.crt");
    }

    /**
     * Reads the fixed shape of trust.java's Secret: top-level "key: value" lines and one level of
     * "  key: value" under a parent, as "parent.key". Comments and blank lines are skipped; anything
     * else fails the test, and so does a missing data field.
     */
    static Map<String, String> flatYaml(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        String parent = null;
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            var top = java.util.regex.Pattern.compile("([A-Za-z][\\w.-]*):(?: (\\S.*))?").matcher(line);
            var child = java.util.regex.Pattern.compile("  ([A-Za-z][\\w.-]*): (\\S+)").matcher(line);
            if (top.matches()) {
                parent = top.group(2) == null ? top.group(1) : null;
                if (top.group(2) != null) m.put(top.group(1), top.group(2));
            } else if (child.matches() && parent != null) {
                m.put(parent + "." + child.group(1), child.group(2));
            } else {
                fail("not the Secret's shape: " + line);
            }
        }
        for (String k : List.of("data.tls.crt", "data.tls.key", "data.ca.crt"))
            assertTrue(m.containsKey(k), "no " + k + " in " + m.keySet());
        return m;
    }

    static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
    }

    static void assertThrowsAssertion(Runnable r) {
        try {
            r.run();
        } catch (AssertionError expected) {
            return;
        }
        fail("expected the strict reader to refuse it");
    }

    /**
     * Debian's PyYAML for the second reading. Missing: that reading is left out on a developer's
     * machine, but it is a failure under CI=true, where .ci/run installs python3-yaml.
     */
    static boolean requirePyYaml() {
        boolean ok = Support.exec(dir, "/usr/bin/python3", "-c", "import yaml").code() == 0;
        if (!ok && "true".equals(System.getenv("CI"))) fail("python3-yaml is not installed: .ci/run must install it");
        return ok;
    }

    static String sha256(Path p) throws Exception {
        return Describe.hex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }

    /** File names in a folder, sorted; empty when it does not exist. */
    static List<String> listing(Path folder) {
        if (!Files.isDirectory(folder)) return List.of();
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
