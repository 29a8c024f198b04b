import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * inspect.java --lint: it flags the tutorial's OpenSSL certificates
 * as OpenSSL -x509_strict does (errors 89 and 92), mkcert's leaf made without -client as unusable
 * by a client, and finds nothing in what ca.java and issue.java make, for every key type. Each rule
 * with an OpenSSL error number is also checked against a real `openssl verify` on a certificate
 * made to break exactly that rule: lint must predict OpenSSL's errors, no more and no fewer.
 */
@Tag("process")
class LintTest {

    static final String A = Support.A;

    // ------------------------------------------------------------------ the tutorial's certificates

    /**
     * Section 1 and 2.3 of the tutorial, command for command: a root with only basicConstraints=CA:TRUE
     * (not critical, no keyUsage), and service A's certificate signed with only a subjectAltName.
     */
    @Test
    void flagsTheTutorialsOpensslCertificatesAsOpensslStrictDoes(@TempDir Path dir) throws IOException {
        Support.requireTool("openssl", "openssl");
        Support.tutorialRoot(dir, null);
        Support.openssl(dir, "genrsa", "-out", "service-a.key", "2048");
        Support.openssl(dir, "req", "-new", "-key", "service-a.key", "-subj", "/C=KR/O=DDIM/CN=" + A, "-out", "service-a.csr");
        Files.writeString(dir.resolve("service-a.ext"), "subjectAltName = DNS:" + A + "\n");
        Support.openssl(dir, "x509", "-req", "-days", "365", "-in", "service-a.csr", "-CA", "ca.crt", "-CAkey", "root.key",
                "-CAcreateserial", "-extfile", "service-a.ext", "-out", "service-a.crt");

        Support.Result r = lintCli(dir, "--cacert", "ca.crt", "service-a.crt");
        assertEquals(inspect.LINT_ERRORS, r.code(), r::all);
        assertTrue(r.out().contains("[ca-basic-constraints-critical] certificate 2 \"example root\"")
                && r.out().contains("[ca-key-usage] certificate 2 \"example root\""), r::out);
        assertTrue(r.out().contains("OpenSSL verify -x509_strict (error 89)") && r.out().contains("Fix: "), r::out);
        // Apple's rule is broken too (no EKU), which OpenSSL does not check: named, with its source.
        assertTrue(r.out().contains("[eku-required]") && r.out().contains("support.apple.com/103769"), r::out);

        Lint.Report report = lint(dir, "ca.crt", "service-a.crt", Lint.Purpose.SERVER);
        Set<String> real = opensslErrors(dir, "ca.crt", "service-a.crt", "sslserver");
        assertEquals(Set.of("89@1", "92@1"), real, "what OpenSSL -x509_strict says of the tutorial's files");
        assertEquals(real, predicted(report));

        // The root alone, as a user would lint it before trusting it.
        Support.Result root = lintCli(dir, "ca.crt");
        assertEquals(inspect.LINT_ERRORS, root.code(), root::all);
        assertTrue(root.out().contains("[ca-basic-constraints-critical] certificate 1") && root.out().contains("[ca-key-usage] certificate 1"), root::out);
    }

    // ------------------------------------------------------------------ mkcert

    /**
     * mkcert without -client issues serverAuth only: lint says it is unusable as a
     * client certificate, as a warning by default and as an error for --purpose client or both,
     * matching OpenSSL -purpose sslclient's error 26. Its -client leaf passes for both uses.
     */
    @Test
    void flagsMkcertsLeafWithoutClientAsUnusableForClients(@TempDir Path dir) {
        Support.requireTool("mkcert", "mkcert");
        Support.requireTool("openssl", "openssl");
        Support.mkcert(dir, "-cert-file", "server.crt", "-key-file", "server.key", "mkcert.example.com");
        Support.mkcert(dir, "-client", "-cert-file", "both.crt", "-key-file", "both.key", "mkcert.example.com");

        Support.Result any = lintCli(dir, "--cacert", "rootCA.pem", "server.crt");
        assertEquals(0, any.code(), any::all); // warnings only
        assertTrue(any.out().contains("warning [eku-client-auth]") && any.out().contains("not usable as a client certificate"), any::out);
        assertFalse(any.out().contains("error   ["), any::out);

        for (String purpose : List.of("client", "both")) {
            Support.Result r = lintCli(dir, "--purpose", purpose, "--cacert", "rootCA.pem", "server.crt");
            assertEquals(inspect.LINT_ERRORS, r.code(), r::all);
            assertTrue(r.out().contains("error   [eku-client-auth]") && r.out().contains("mkcert needs -client"), r::out);
        }
        Set<String> real = opensslErrors(dir, "rootCA.pem", "server.crt", "sslclient");
        assertEquals(Set.of("26@0"), real);
        assertEquals(real, predicted(lint(dir, "rootCA.pem", "server.crt", Lint.Purpose.CLIENT)));

        Support.Result server = lintCli(dir, "--purpose", "server", "--cacert", "rootCA.pem", "server.crt");
        assertEquals(0, server.code(), server::all);
        assertFalse(server.out().contains("eku-client-auth"), server::out);
        assertEquals(Set.of(), opensslErrors(dir, "rootCA.pem", "server.crt", "sslserver"));

        Lint.Report both = lint(dir, "rootCA.pem", "both.crt", Lint.Purpose.BOTH);
        assertEquals(0, both.errors(), () -> LintText.format(both, "both.crt"));
        assertEquals(Set.of(), opensslErrors(dir, "rootCA.pem", "both.crt", "sslclient"));
    }

    // ------------------------------------------------------------------ ours

    /** What ca.java and issue.java make is clean for every key type, as a chain and each part alone. */
    @ParameterizedTest
    @CsvSource({"rsa,", "rsa,3072", "ec,", "ec,384", "ed25519,"})
    void ourCertificatesHaveNoFindings(String keyType, Integer keySize, @TempDir Path dir) {
        List<String> key = new ArrayList<>(List.of("--key-type", keyType));
        if (keySize != null) key.addAll(List.of("--key-size", keySize.toString()));
        Support.pki(dir, key, concat(key, "--chain"), A);
        Support.cli(new issue(), concat(concat(List.of("--dir", dir.toString(), "--ca", dir.resolve("ca.crt").toString(),
                "--ca-key", dir.resolve("ca.key").toString()), key.toArray(String[]::new)),
                "--server-only", "--name", "server-only", "server-only.example.com").toArray(String[]::new)).expectOk();

        for (String purpose : List.of("any", "server", "client", "both")) {
            Support.Result r = lintCli(dir, "--purpose", purpose, "--cacert", "ca.crt", "service-a.crt");
            assertEquals(0, r.code(), r::all);
            assertTrue(r.out().contains("No findings: it passes the rules of OpenSSL -x509_strict, Python 3.13, Chrome, Apple, Go"), r::out);
        }
        for (String file : List.of("ca.crt", "service-a-chain.crt")) {
            Support.Result r = lintCli(dir, file);
            assertEquals(0, r.code(), r::all);
            assertTrue(r.out().contains("No findings"), r::out);
        }
        assertEquals(0, lint(dir, "ca.crt", "service-a.crt", Lint.Purpose.BOTH).findings.size());
        assertEquals(0, lint(dir, "ca.crt", "server-only.crt", Lint.Purpose.SERVER).findings.size());
        // The one it may not be: a server-only certificate checked for mTLS is an error, not silence.
        Support.Result mtls = lintCli(dir, "--purpose", "both", "--cacert", "ca.crt", "server-only.crt");
        assertEquals(inspect.LINT_ERRORS, mtls.code(), mtls::all);
        assertTrue(mtls.out().contains("[eku-client-auth]"), mtls::out);
        if (keyType.equals("ed25519"))
            assertTrue(lintCli(dir, "--cacert", "ca.crt", "service-a.crt").out().contains("Note: Ed25519 keys pass every rule here"));

        // The strict verifiers agree with "no findings".
        Support.requireTool("openssl", "openssl");
        for (String purpose : List.of("sslserver", "sslclient"))
            assertEquals(Set.of(), opensslErrors(dir, "ca.crt", "service-a.crt", purpose), purpose);
    }

    // ------------------------------------------------------------------ each rule against OpenSSL

    /**
     * A certificate that breaks one rule, made here, then linted and verified by OpenSSL with
     * -x509_strict and -auth_level 2 (the security level Debian, Ubuntu and RHEL use): the rule is
     * reported as an error, and lint's predicted OpenSSL errors equal OpenSSL's, by number and depth.
     * A rule OpenSSL does not check (Apple's, Go's, Chrome's) predicts no OpenSSL error, and OpenSSL
     * indeed passes the certificate, which is why lint exists.
     */
    enum Defect {
        // OpenSSL -x509_strict's own rules (check_extensions)
        LEAF_KEY_CERT_SIGN(Lint.Rule.LEAF_CERTSIGN, "server", (root, leaf) ->
                leaf.ext(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign))),
        LEAF_WITHOUT_AKI(Lint.Rule.AKI_MISSING, "server", (root, leaf) -> leaf.without(Extension.authorityKeyIdentifier)),
        CA_WITHOUT_SKI(Lint.Rule.CA_SKI_MISSING, "server", (root, leaf) -> root.without(Extension.subjectKeyIdentifier)),
        EMPTY_SAN(Lint.Rule.SAN_EMPTY, "server", (root, leaf) ->
                leaf.ext(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[0]))),
        CA_BASIC_CONSTRAINTS_NOT_CRITICAL(Lint.Rule.CA_BC_NOT_CRITICAL, "server", (root, leaf) ->
                root.ext(Extension.basicConstraints, false, new BasicConstraints(true))),
        AKI_CRITICAL(Lint.Rule.AKI_CRITICAL, "server", (root, leaf) ->
                leaf.critical(Extension.authorityKeyIdentifier)),
        SKI_CRITICAL(Lint.Rule.SKI_CRITICAL, "server", (root, leaf) ->
                leaf.critical(Extension.subjectKeyIdentifier)),
        CA_WITHOUT_KEY_USAGE(Lint.Rule.CA_KU_MISSING, "server", (root, leaf) -> root.without(Extension.keyUsage)),
        // Purpose, chain and security-level rules OpenSSL checks too
        CLIENT_ONLY_AS_SERVER(Lint.Rule.NO_SERVER_AUTH, "server", (root, leaf) ->
                leaf.ext(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))),
        SERVER_ONLY_AS_CLIENT(Lint.Rule.NO_CLIENT_AUTH, "client", (root, leaf) ->
                leaf.ext(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))),
        CA_EKU_LIMITS_THE_LEAF(Lint.Rule.CA_EKU, "server", (root, leaf) ->
                root.ext(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))),
        AKI_OF_ANOTHER_CA(Lint.Rule.AKI_MISMATCH, "server", (root, leaf) ->
                leaf.ext(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(new byte[20]))),
        EXPIRED(Lint.Rule.EXPIRED, "server", (root, leaf) -> {
            leaf.notBefore = Instant.now().minus(30, ChronoUnit.DAYS);
            leaf.notAfter = Instant.now().minus(1, ChronoUnit.DAYS);
        }),
        SHA1_SIGNATURE(Lint.Rule.WEAK_HASH, "server", (root, leaf) -> leaf.signatureAlgorithm = "SHA1withECDSA"),
        RSA_1024(Lint.Rule.RSA_TOO_SMALL, "server", (root, leaf) -> leaf.key = rsa(1024)),
        // Rules of Apple, Chrome, Go and RFC 5280 that OpenSSL does not check
        NO_SAN(Lint.Rule.SAN_MISSING, "server", (root, leaf) -> leaf.without(Extension.subjectAlternativeName)),
        NO_EKU(Lint.Rule.NO_EKU_FOR_APPLE, "server", (root, leaf) -> leaf.without(Extension.extendedKeyUsage)),
        VALID_900_DAYS(Lint.Rule.VALIDITY_OVER_825, "server", (root, leaf) -> leaf.notAfter = leaf.notBefore.plus(900, ChronoUnit.DAYS)),
        NEGATIVE_SERIAL(Lint.Rule.SERIAL_NOT_POSITIVE, "server", (root, leaf) -> leaf.serial = BigInteger.valueOf(-4242)),
        SERIAL_OF_21_OCTETS(Lint.Rule.SERIAL_TOO_LONG, "server", (root, leaf) -> leaf.serial = BigInteger.ONE.shiftLeft(164)),
        X509_V1_LEAF(Lint.Rule.NOT_V3, "server", (root, leaf) -> leaf.v1 = true),
        RSA_LEAF_WITHOUT_DIGITAL_SIGNATURE(Lint.Rule.LEAF_NO_DIGITAL_SIGNATURE, "server", (root, leaf) -> {
            leaf.key = rsa(2048);
            leaf.ext(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment));
        });

        final Lint.Rule rule;
        final String purpose;
        final BiConsumer<Support.Forge, Support.Forge> breakIt;

        Defect(Lint.Rule rule, String purpose, BiConsumer<Support.Forge, Support.Forge> breakIt) {
            this.rule = rule;
            this.purpose = purpose;
            this.breakIt = breakIt;
        }
    }

    @ParameterizedTest
    @EnumSource(Defect.class)
    void eachRuleIsFlaggedAndPredictsOpensslsErrors(Defect d, @TempDir Path dir) throws IOException {
        Support.requireTool("openssl", "openssl");
        Support.Forge root = Support.Forge.root(Support.ec());
        Support.Forge leaf = Support.Forge.leaf(Support.ec(), "lint.example.com");
        d.breakIt.accept(root, leaf);
        X509Certificate rootCert = root.signedBy(null, root.key.getPrivate());
        leaf.issuer(rootCert);
        write(dir, "ca.crt", rootCert);
        write(dir, "leaf.crt", leaf.signedBy(rootCert, root.key.getPrivate()));

        Support.Result r = lintCli(dir, "--purpose", d.purpose, "--cacert", "ca.crt", "leaf.crt");
        assertEquals(inspect.LINT_ERRORS, r.code(), r::all);
        assertTrue(r.out().contains("error   [" + d.rule.id + "]"), () -> d + " should break " + d.rule.id + ":\n" + r.out());
        assertTrue(r.out().contains("Enforced by: " + d.rule.enforcedBy) && r.out().contains("Fix: " + LintText.fix(d.rule, LintText.fileOf(dir.resolve("leaf.crt").toString()), Pem.certificate(dir.resolve("leaf.crt"), "leaf"), true).replace(dir + "/", "")), r::out);

        Lint.Report report = lint(dir, "ca.crt", "leaf.crt", Lint.Purpose.valueOf(d.purpose.toUpperCase()));
        Set<String> real = opensslErrors(dir, "ca.crt", "leaf.crt", "ssl" + d.purpose);
        assertEquals(real, predicted(report), () -> d + ": lint predicted other OpenSSL errors than OpenSSL's:\n" + LintText.format(report, "leaf.crt"));
        if (d.rule.opensslError == 0) assertEquals(Set.of(), real, "OpenSSL does not check " + d.rule.id);
    }

    /** The same forge with nothing broken is clean and verifies, so each defect above is the only one. */
    @Test
    void theUnbrokenForgeIsClean(@TempDir Path dir) throws IOException {
        Support.requireTool("openssl", "openssl");
        Support.Forge root = Support.Forge.root(Support.ec());
        X509Certificate rootCert = root.signedBy(null, root.key.getPrivate());
        write(dir, "ca.crt", rootCert);
        write(dir, "leaf.crt",
                Support.Forge.leaf(Support.ec(), "lint.example.com").issuer(rootCert).signedBy(rootCert, root.key.getPrivate()));
        Support.Result r = lintCli(dir, "--purpose", "both", "--cacert", "ca.crt", "leaf.crt");
        assertEquals(0, r.code(), r::all);
        assertTrue(r.out().contains("No findings"), r::out);
        assertEquals(Set.of(), opensslErrors(dir, "ca.crt", "leaf.crt", "sslserver"));
    }

    /**
     * An empty subject with a SAN that is not critical: OpenSSL -x509_strict's error 88. Java will
     * not even read such a certificate, so neither can lint: it says so in one line, naming the rule.
     */
    @Test
    void anEmptySubjectWithoutCriticalSanIsRefusedAsOpensslRefusesIt(@TempDir Path dir) throws IOException {
        Support.requireTool("openssl", "openssl");
        Support.Forge root = Support.Forge.root(Support.ec());
        X509Certificate rootCert = root.signedBy(null, root.key.getPrivate());
        write(dir, "ca.crt", rootCert);
        Support.Forge leaf = Support.Forge.leaf(Support.ec(), "lint.example.com").issuer(rootCert);
        leaf.subject = new X500Name("");
        Files.writeString(dir.resolve("leaf.crt"), Certs.pem("CERTIFICATE", leaf.der(rootCert, root.key.getPrivate())));
        assertEquals(Set.of("88@0"), opensslErrors(dir, "ca.crt", "leaf.crt", "sslserver"));
        Support.Result r = lintCli(dir, "--cacert", "ca.crt", "leaf.crt");
        assertEquals(1, r.code(), r::all);
        assertEquals(1, r.err().strip().lines().count(), r::err);
        assertTrue(r.err().contains("SubjectAlternativeName extension MUST be marked critical when subject field is empty"), r::err);
    }

    /** A CA whose pathLen 0 forbids the intermediate below it: OpenSSL's error 25 at the root. */
    @Test
    void pathLengthIsCheckedAlongTheChain(@TempDir Path dir) throws IOException {
        Support.requireTool("openssl", "openssl");
        Support.Forge root = Support.Forge.root(Support.ec());
        root.ext(Extension.basicConstraints, true, new BasicConstraints(0));
        X509Certificate rootCert = root.signedBy(null, root.key.getPrivate());
        Support.Forge sub = Support.Forge.root(Support.ec());
        sub.subject = new X500Name("CN=lint intermediate");
        sub.ext(Extension.authorityKeyIdentifier, false, null);
        sub.issuer(rootCert);
        X509Certificate subCert = sub.signedBy(rootCert, root.key.getPrivate());
        X509Certificate leaf = Support.Forge.leaf(Support.ec(), "lint.example.com").issuer(subCert).signedBy(subCert, sub.key.getPrivate());
        write(dir, "ca.crt", rootCert);
        Files.writeString(dir.resolve("chain.crt"), Certs.pem(leaf) + Certs.pem(subCert));

        Support.Result r = lintCli(dir, "--cacert", "ca.crt", "chain.crt");
        assertEquals(inspect.LINT_ERRORS, r.code(), r::all);
        assertTrue(r.out().contains("[path-length] certificate 3"), r::out);
        Lint.Report report = Lint.lint(List.of(leaf, subCert), List.of(rootCert), Lint.Purpose.SERVER);
        assertEquals(3, report.chain.size());
        Support.Result v = Support.exec(dir, "openssl", "verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "ca.crt",
                "-untrusted", "chain.crt", "chain.crt");
        assertEquals(parseErrors(v.all()), predicted(report), v::all);
        assertEquals(Set.of("25@2"), parseErrors(v.all()));
    }

    // ------------------------------------------------------------------ inputs and exit codes

    /** Several files: each gets its own report; one error anywhere makes the exit code 3. */
    @Test
    void lintsEachFileAndExitsNonZeroOnAnyError(@TempDir Path dir) throws IOException {
        Support.pki(dir, List.of("--key-type", "ec"), List.of("--key-type", "ec"), A);
        Support.Forge root = Support.Forge.root(Support.ec());
        X509Certificate rootCert = root.signedBy(null, root.key.getPrivate());
        write(dir, "bad.crt", Support.Forge.leaf(Support.ec(), "bad.example.com").issuer(rootCert).without(Extension.subjectAlternativeName)
                .signedBy(rootCert, root.key.getPrivate()));
        Support.Result r = lintCli(dir, "--cacert", "ca.crt", "service-a.crt", "bad.crt");
        assertEquals(inspect.LINT_ERRORS, r.code(), r::all);
        assertTrue(r.out().contains("Lint of service-a.crt") && r.out().contains("Lint of bad.crt"), r::out);
        // bad.crt's issuer is not the --cacert given, and it has no SAN: both are said.
        assertTrue(r.out().contains("[issuer-unknown]") && r.out().contains("[san-missing]"), r::out);

        Support.Result none = lintCli(dir, "missing.crt");
        assertEquals(1, none.code(), none::all);
        assertEquals(1, none.err().strip().lines().count(), none::err);
        assertTrue(none.err().contains("missing.crt") && none.err().contains("no such file"), none::err);
        Support.Result usage = lintCli(dir, "--purpose", "sever", "service-a.crt");
        assertEquals(1, usage.code(), usage::all);
        assertTrue(usage.err().contains("--purpose sever is not one of server, client, both or any"), usage::err);
        Support.Result key = lintCli(dir, "service-a.key");
        assertEquals(1, key.code(), key::all);
        assertTrue(key.err().contains("holds no certificate"), key::err);
    }

    /**
     * "inspect.java --lint ca.crt leaf.crt": the CA named beside the leaf is its issuer, so the checks
     * between a certificate and its CA run (here an AKI that names another key is found), and a leaf
     * of another CA is reported as not signed by the CA given.
     */
    @Test
    void aCaGivenBesideTheLeafIsItsIssuer(@TempDir Path dir) throws Exception {
        Support.pki(dir, List.of("--key-type", "ec", "--cn", "Lint CA"), List.of("--key-type", "ec"), A);
        Support.pki(dir.resolve("other"), List.of("--key-type", "ec", "--cn", "Other CA"), List.of("--key-type", "ec"), "other.example.com");

        Support.Result pair = lintCli(dir, "ca.crt", "service-a.crt");
        assertEquals(0, pair.code(), pair::all);
        assertTrue(pair.out().contains("Lint of service-a.crt: chain \"" + A + "\" <- \"Lint CA\", purpose any\n"
                + "  No findings: it passes the rules of"), pair::out);
        assertFalse(pair.out().contains("was not given"), pair::out);

        X509Certificate ca = Pem.certificate(dir.resolve("ca.crt"), "CA");
        var caKey = Cli.readKey(dir.resolve("ca.key"), "CA key", null, "--ca-key-password");
        write(dir, "wrong-aki.crt", Support.Forge.leaf(Support.ec(), A).issuer(ca).ext(Extension.authorityKeyIdentifier, false,
                new org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils().createAuthorityKeyIdentifier(Support.ec().getPublic()))
                .signedBy(ca, caKey));
        Support.Result link = lintCli(dir, "ca.crt", "wrong-aki.crt");
        assertEquals(inspect.LINT_ERRORS, link.code(), link::all);
        assertTrue(link.out().contains("[authority-key-id-mismatch] certificate 1"), link::out);

        Support.Result foreign = lintCli(dir, "other/ca.crt", "service-a.crt");
        assertEquals(inspect.LINT_ERRORS, foreign.code(), foreign::all);
        assertTrue(foreign.out().contains("error   [issuer-unknown] certificate 1 \"" + A + "\": it was not signed by the CA given "
                + "with it (\"CN=Other CA\"): its issuer is \"CN=Lint CA\""), foreign::out);
        assertFalse(foreign.out().contains("was not given"), foreign::out);
    }

    // ------------------------------------------------------------------ helpers

    static Support.Result lintCli(Path dir, String... args) {
        List<String> a = new ArrayList<>(List.of("--lint"));
        for (int i = 0; i < args.length; i++) {
            // File arguments are relative to dir, as a user in that folder types them.
            boolean file = args[i].endsWith(".crt") || args[i].endsWith(".pem") || args[i].endsWith(".key");
            a.add(file ? dir.resolve(args[i]).toString() : args[i]);
        }
        Support.Result r = Support.cli(new inspect(), a.toArray(String[]::new));
        return new Support.Result(r.code(), r.out().replace(dir + "/", ""), r.err().replace(dir + "/", ""));
    }

    static Lint.Report lint(Path dir, String ca, String leaf, Lint.Purpose purpose) {
        return Lint.lint(Pem.certificates(dir.resolve(leaf), "leaf"), Pem.certificates(dir.resolve(ca), "CA"), purpose);
    }

    /** The OpenSSL errors lint expects: each error finding that has an OpenSSL number, as "NUMBER@DEPTH". */
    static Set<String> predicted(Lint.Report r) {
        return r.findings.stream().filter(f -> f.severity() == Lint.Severity.ERROR && f.opensslError() != 0)
                .map(f -> f.opensslError() + "@" + f.index()).collect(Collectors.toCollection(TreeSet::new));
    }

    /** What `openssl verify -x509_strict -auth_level 2 -purpose P` reports, as "NUMBER@DEPTH". */
    static Set<String> opensslErrors(Path dir, String ca, String leaf, String purpose) {
        Support.Result v = Support.exec(dir, "openssl", "verify", "-x509_strict", "-auth_level", "2", "-purpose", purpose,
                "-CAfile", ca, leaf);
        Set<String> errors = parseErrors(v.all());
        assertEquals(errors.isEmpty(), v.code() == 0, v::all);
        return errors;
    }

    static Set<String> parseErrors(String text) {
        Matcher m = Pattern.compile("error (\\d+) at (\\d+) depth lookup").matcher(text);
        Set<String> errors = new TreeSet<>();
        while (m.find()) errors.add(m.group(1) + "@" + m.group(2));
        return errors;
    }

    static void write(Path dir, String name, X509Certificate c) throws IOException {
        Files.writeString(dir.resolve(name), Certs.pem(c));
    }

    static List<String> concat(List<String> a, String... more) {
        List<String> all = new ArrayList<>(a);
        all.addAll(List.of(more));
        return all;
    }

    /** Any RSA size, even one Keys.generate refuses (1024). */
    static KeyPair rsa(int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
