///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/pki/Failure.java
//SOURCES lib/pki/Text.java
//SOURCES lib/pki/Der.java
//SOURCES lib/pki/Keys.java
//SOURCES lib/pki/Certs.java
//SOURCES lib/pki/Names.java
//SOURCES lib/pki/Pem.java
//SOURCES lib/pki/Csr.java
//SOURCES lib/pki/Describe.java
//SOURCES lib/tls/ReloadingKeyManager.java
//SOURCES lib/tls/Tls.java
//SOURCES lib/tls/Diagnosis.java
//SOURCES lib/pki/Lint.java
//SOURCES lib/pki/StackLint.java
//SOURCES lib/cli/Cli.java
//DESCRIPTION Shows any certificate, key, CSR, PKCS#12 or server chain, and lints them against strict verifiers.

// inspect.java: `openssl x509 -text`, `openssl req -text`, `openssl pkcs12 -info` and
// `openssl s_client -showcerts` in one command that reads what it is given, plus --lint, which
// checks a certificate or chain against the rules of OpenSSL -x509_strict / Python 3.13, Chrome,
// Apple, Go and RFC 5280 at once (lib/pki/Lint.java; docs/PROFILE.md gives the sources). It never
// writes a file and never prints private key material.

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.ContentInfo;
import org.bouncycastle.asn1.pkcs.EncryptedData;
import org.bouncycastle.asn1.pkcs.EncryptionScheme;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect.java", mixinStandardHelpOptions = true, version = "jbang-mtls inspect 0.1",
        description = {"Shows a certificate, chain, CSR, private key or PKCS#12 file, or the chain a live HTTPS "
                + "server sends (https://host:port), in readable form.",
                "With --lint it checks certificates against the rules of every strict verifier at once "
                        + "(OpenSSL -x509_strict / Python 3.13, Chrome, Apple, Go, RFC 5280)."},
        footer = {"", "Exit codes: 0 shown, or lint found no errors (warnings allowed); 1 unreadable input; "
                + "2 bad usage; 3 lint found errors."},
        sortOptions = false)
public class inspect implements Callable<Integer> {

    /** --lint found at least one error: distinct from 1 (unreadable input) and 2 (bad usage). */
    static final int LINT_ERRORS = 3;

    @Parameters(paramLabel = "FILE|URL", arity = "1..*",
            description = "PEM or DER certificate(s), CSR, private key, .p12/.pfx, or https://host[:port].")
    List<String> inputs = new ArrayList<>();

    @Option(names = "--lint", description = "Check each certificate or chain against the strict verifiers' rules.")
    boolean lint;

    @Option(names = "--cacert", paramLabel = "FILE",
            description = "CA certificate(s): the end of the chain for --lint, the trust for a URL (default: the JDK's public CAs).")
    Path cacert;

    @Option(names = "--purpose", defaultValue = "any", paramLabel = "USE",
            description = "With --lint: server, client, both (mTLS), or any (default): each use the certificate's EKU "
                    + "claims is an error to break, the other use only a warning.")
    String purpose;

    @Option(names = "--password", paramLabel = "SPEC",
            description = "Password of a .p12 or an encrypted key: env:VAR, file:PATH, prompt or the password "
                    + "(a .p12 is tried with 'changeit' and no password first).")
    String password;

    @Option(names = "--resolve", paramLabel = "HOST:PORT:ADDR",
            description = "For a URL: connect to ADDR for HOST:PORT, as curl --resolve. Repeatable.")
    List<String> resolve = new ArrayList<>();

    @Option(names = "--connect-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "For a URL: time allowed for the whole connection, the handshake included (default: ${DEFAULT-VALUE}).")
    long connectTimeout;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "The PKI folder: with --lint, DIR/ca.crt is the CA to check against; for a URL, the CA trusted "
                    + "(default: none; a CA certificate among the FILEs is used as the others' issuer).")
    Path dir;

    @Mixin Cli.Debug debug;

    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.run(new inspect(), args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Lint.Purpose use;
        try {
            use = Lint.Purpose.parse(purpose);
        } catch (Failure f) {
            throw Cli.fail("--purpose %s", f.getMessage());
        }
        if (connectTimeout < 1 || connectTimeout > 86_400) throw Cli.fail("--connect-timeout must be 1 to 86400 seconds");
        if (cacert == null && dir != null) cacert = dir.resolve("ca.crt");
        List<X509Certificate> trusted = new ArrayList<>(cacert == null ? List.of() : Pem.certificates(cacert, "CA certificate"));
        // Every certificate named on the command line: a key says which one it belongs to, and with
        // --lint a CA among them is the issuer of the others, as a reader of "--lint ca.crt leaf.crt" expects.
        List<Named> known = new ArrayList<>();
        for (String in : inputs) if (!isUrl(in)) known.addAll(certificatesIn(Path.of(in)));
        List<X509Certificate> issuers = new ArrayList<>(trusted);
        if (lint)
            for (Named n : known)
                if (n.cert().getBasicConstraints() >= 0 && !issuers.contains(n.cert())) issuers.add(n.cert());
        boolean errors = false;
        for (int i = 0; i < inputs.size(); i++) {
            if (i > 0) out.println();
            String in = inputs.get(i);
            if (lint) {
                List<X509Certificate> chain = isUrl(in) ? liveChain(in, out, false) : Pem.certificates(Path.of(in), "certificate");
                Lint.Report r = Lint.lint(chain, issuers, use, !trusted.isEmpty());
                out.print(r.format(Text.escape(in)));
                errors |= r.errors() > 0;
            } else if (isUrl(in)) {
                liveChain(in, out, true);
            } else {
                show(Path.of(in), known, out);
            }
            // What a Java stack (Netty, okhttp-tls, Spring Boot, the JDK) will refuse in this file: named, not counted as a lint error.
            if (!isUrl(in)) out.print(StackLint.report(Path.of(in), "changeit".toCharArray()));
        }
        return errors ? LINT_ERRORS : 0;
    }

    static boolean isUrl(String s) {
        return s.matches("(?i)[a-z][a-z0-9+.-]*://.*");
    }

    // ================================================================ showing files

    /** A certificate and where it came from, for "matches certs/service-a.crt". */
    record Named(X509Certificate cert, String source) {}

    /** What kind of file this is, by its PEM labels (or, for DER, by what parses), then shows it. */
    void show(Path file, List<Named> known, PrintWriter out) {
        byte[] bytes = Pem.read(file, "file");
        Set<String> labels = pemLabels(bytes);
        if (labels.isEmpty()) {
            showDer(file, bytes, known, out);
            return;
        }
        boolean shown = false;
        if (labels.stream().anyMatch(l -> l.endsWith("CERTIFICATE") && !l.contains("REQUEST"))) {
            out.print(describeCertificates(file.toString(), Pem.certificates(file, "certificate")));
            shown = true;
        }
        if (labels.stream().anyMatch(l -> l.contains("CERTIFICATE REQUEST"))) {
            out.print(describeCsr(file.toString(), Pem.csr(file)));
            shown = true;
        }
        if (labels.stream().anyMatch(l -> l.endsWith("PRIVATE KEY"))) {
            if (shown) out.println();
            out.print(describeKeyFile(file, bytes, labels, password, withSibling(file, known)));
            shown = true;
        }
        if (!shown)
            throw Cli.fail("cannot show %s: it holds %s, not a certificate, CSR or private key", file, String.join(", ", labels));
    }

    /** DER has no label: a certificate, a CSR or a PKCS#12 file, tried in that order. */
    void showDer(Path file, byte[] bytes, List<Named> known, PrintWriter out) {
        if (parses(() -> Pem.certificates(file, "certificate"))) {
            out.print(describeCertificates(file + " (DER)", Pem.certificates(file, "certificate")));
        } else if (parses(() -> new PKCS10CertificationRequest(bytes))) {
            out.print(describeCsr(file + " (DER)", Pem.csr(file)));
        } else if (parses(() -> new PKCS12PfxPdu(bytes))) {
            out.print(describePkcs12(file, bytes, password));
        } else {
            throw Cli.fail("cannot show %s: it is not a certificate, CSR, private key or PKCS#12 file (PEM or DER)", file);
        }
    }

    private static boolean parses(Callable<?> parse) {
        try {
            parse.call();
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** The BEGIN labels in a PEM file, in order: CERTIFICATE, PRIVATE KEY, ... */
    static Set<String> pemLabels(byte[] bytes) {
        Matcher m = Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----").matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        Set<String> labels = new LinkedHashSet<>();
        while (m.find()) labels.add(m.group(1));
        return labels;
    }

    /** The certificates in a file, or none when it holds none (keys, CSRs): used to match keys. */
    static List<Named> certificatesIn(Path file) {
        try {
            List<Named> named = new ArrayList<>();
            for (X509Certificate c : Pem.certificates(file, "certificate")) named.add(new Named(c, file.toString()));
            return named;
        } catch (Failure f) {
            return List.of();
        }
    }

    /** The certificates given, plus NAME.crt beside NAME.key: what issue.java writes together. */
    static List<Named> withSibling(Path keyFile, List<Named> known) {
        List<Named> all = new ArrayList<>(known);
        String name = keyFile.getFileName().toString();
        if (name.endsWith(".key")) {
            Path crt = keyFile.resolveSibling(name.substring(0, name.length() - 4) + ".crt");
            if (Files.isRegularFile(crt) && all.stream().noneMatch(n -> n.source().equals(crt.toString())))
                all.addAll(certificatesIn(crt));
        }
        return all;
    }

    // ---------------------------------------------------------------- certificates

    /** Every certificate of a file or chain, numbered, each with whether the next one signed it. */
    public static String describeCertificates(String source, List<X509Certificate> certs) {
        StringBuilder s = new StringBuilder();
        s.append(source).append(": ").append(certs.size() == 1 ? "1 certificate" : certs.size() + " certificates (a chain)").append('\n');
        for (int i = 0; i < certs.size(); i++) Der.checkNesting(certs.get(i), Text.escape(source) + ": certificate " + (i + 1));
        for (int i = 0; i < certs.size(); i++) {
            X509Certificate c = certs.get(i);
            s.append("Certificate ").append(i + 1).append(" (").append(role(c)).append("):\n");
            s.append(describe(c, Instant.now()));
            if (i + 1 < certs.size())
                s.append(String.format("  %-30s %s%n", "Signed by the next one:", Certs.signedBy(c, certs.get(i + 1))
                        ? "yes" : "NO: certificate " + (i + 2) + " did not sign it (wrong order or not its CA)"));
        }
        return s.toString();
    }

    /**
     * One certificate: Describe.certificate's fields (subject, issuer, serial, validity, key, signature,
     * extensions, SHA-256), with the days left after the validity and the SHA-1 fingerprint that
     * older tools (Windows, Keychain Access) show.
     */
    public static String describe(X509Certificate c, Instant now) {
        String base = Describe.certificate(c);
        String days = String.format("  %-30s %s%n", "Days left:", daysLeft(c, now));
        StringBuilder s = new StringBuilder();
        for (String line : base.split("(?<=\n)")) {
            s.append(line);
            if (line.startsWith("  Valid:")) s.append(days);
        }
        s.append(String.format("  %-30s %s%n", "SHA-1:", digest("SHA-1", encoded(c))));
        return s.toString();
    }

    static String daysLeft(X509Certificate c, Instant now) {
        Instant start = c.getNotBefore().toInstant(), end = c.getNotAfter().toInstant();
        if (now.isBefore(start))
            return "NOT YET VALID: it starts in " + Duration.between(now, start).toDays() + " days";
        if (now.isAfter(end)) return "EXPIRED " + Duration.between(end, now).toDays() + " days ago";
        return Duration.between(now, end).toDays() + " (expires " + Describe.utc(end) + ")";
    }

    static String role(X509Certificate c) {
        boolean ca = c.getBasicConstraints() >= 0;
        if (Certs.selfSigned(c)) return ca ? "root CA, self-signed" : "self-signed, not a CA";
        return ca ? "intermediate CA" : "leaf";
    }

    // ---------------------------------------------------------------- CSRs

    /** A CSR: subject, key, signature check, and the extensions it asks for (SANs first). */
    public static String describeCsr(String source, PKCS10CertificationRequest req) {
        StringBuilder s = new StringBuilder(source + ": certificate signing request\n");
        s.append(String.format("  %-30s %s%n", "Subject:", req.getSubject().getRDNs().length == 0 ? "(empty)" : Names.dn(req.getSubject())));
        PublicKey key = null;
        try {
            key = new JcaPEMKeyConverter().getPublicKey(req.getSubjectPublicKeyInfo());
            s.append(String.format("  %-30s %s%n", "Key:", Keys.describe(key)));
        } catch (Exception e) {
            s.append(String.format("  %-30s unreadable (%s)%n", "Key:", Text.of(e)));
        }
        s.append(String.format("  %-30s %s%n", "Signature:", csrSignature(req, key)));
        List<Extension> requested;
        try {
            requested = Csr.requestedExtensions(req);
        } catch (Certs.Refused r) { // the words issue.java gives when asked to sign it
            throw Cli.fail("cannot show the CSR %s: %s", Text.escape(source), r.getMessage());
        }
        for (Extension e : requested) {
            ASN1ObjectIdentifier oid = e.getExtnId();
            String value = oid.equals(Extension.subjectAlternativeName)
                    ? Names.sans(GeneralNames.getInstance(e.getExtnValue().getOctets())) : oid.getId();
            s.append(String.format("  %-30s %s%n", "Requests " + (oid.equals(Extension.subjectAlternativeName)
                    ? "SANs" : "extension") + (e.isCritical() ? " (critical)" : "") + ":", value));
        }
        if (req.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest).length == 0)
            s.append(String.format("  %-30s %s%n", "Requests SANs:", "none (issue.java uses the CN, as the tutorial's -extfile did)"));
        return s.toString();
    }

    private static String csrSignature(PKCS10CertificationRequest req, PublicKey key) {
        String alg = algorithmName(req.getSignatureAlgorithm());
        if (key == null) return alg + ", not checked";
        try {
            // The JDK key already converted: BC's own lookup by OID misses the JDK's EC key factory.
            return alg + (Csr.signatureValid(req, key)
                    ? ", valid" : ", BAD: the CSR was altered or damaged after it was made");
        } catch (Exception e) {
            return alg + ", cannot be checked (" + Text.of(e) + ")";
        }
    }

    static String algorithmName(AlgorithmIdentifier alg) {
        String oid = alg.getAlgorithm().getId();
        switch (oid) {
            case "1.2.840.113549.1.1.11": return "SHA256withRSA";
            case "1.2.840.113549.1.1.12": return "SHA384withRSA";
            case "1.2.840.113549.1.1.13": return "SHA512withRSA";
            case "1.2.840.113549.1.1.5": return "SHA1withRSA";
            case "1.2.840.113549.1.1.10": return "RSASSA-PSS";
            case "1.2.840.10045.4.3.2": return "SHA256withECDSA";
            case "1.2.840.10045.4.3.3": return "SHA384withECDSA";
            case "1.2.840.10045.4.3.4": return "SHA512withECDSA";
            case "1.3.101.112": return "Ed25519";
            default: return oid;
        }
    }

    // ---------------------------------------------------------------- private keys

    /**
     * A private key file: its form, type and size, and which of the given certificates it belongs
     * to. Never a single byte of the key itself. An encrypted key without --password is described
     * as far as that goes, without failing.
     */
    public static String describeKeyFile(Path file, byte[] bytes, Set<String> labels, String passwordSpec, List<Named> certs) {
        StringBuilder s = new StringBuilder(file + ": private key\n");
        boolean encrypted = Pem.isEncryptedKey(bytes);
        s.append(String.format("  %-30s %s%n", "Form:", keyForm(labels, bytes)));
        if (encrypted && passwordSpec == null) {
            s.append(String.format("  %-30s %s%n", "Key:", "encrypted; give --password SPEC to see its type and size "
                    + "and which certificate it belongs to"));
            return s.toString();
        }
        PrivateKey key = Pem.privateKey(file, "private key", Cli.passwordFor(file, "private key", passwordSpec, "--password"));
        s.append(String.format("  %-30s %s%n", "Key:", describePrivateKey(key)));
        s.append(String.format("  %-30s %s%n", "Belongs to:", matching(key, certs)));
        return s.toString();
    }

    static String keyForm(Set<String> labels, byte[] bytes) {
        if (labels.contains("ENCRYPTED PRIVATE KEY")) return "PKCS#8, encrypted (ENCRYPTED PRIVATE KEY)";
        String legacy = Pem.isEncryptedKey(bytes) ? ", encrypted (legacy OpenSSL PEM encryption)" : "";
        if (labels.contains("RSA PRIVATE KEY")) return "PKCS#1 (RSA PRIVATE KEY, OpenSSL's traditional form)" + legacy;
        if (labels.contains("EC PRIVATE KEY")) return "SEC 1 (EC PRIVATE KEY, OpenSSL's traditional form)" + legacy;
        return "PKCS#8 (PRIVATE KEY), not encrypted";
    }

    /** RSA 2048 bits, EC P-256, Ed25519: the size only, never the key. */
    public static String describePrivateKey(PrivateKey k) {
        if (k instanceof RSAKey) return "RSA " + ((RSAKey) k).getModulus().bitLength() + " bits";
        if (k instanceof ECKey) return "EC P-" + ((ECKey) k).getParams().getCurve().getField().getFieldSize();
        if (k.getAlgorithm().startsWith("Ed")) return "Ed25519";
        return k.getAlgorithm();
    }

    static String matching(PrivateKey key, List<Named> certs) {
        if (certs.isEmpty()) return "no certificate given to compare with (name one too: inspect.java KEY CERT)";
        for (Named n : certs)
            if (Keys.matches(key, n.cert().getPublicKey()))
                return n.source() + " (" + Names.subject(n.cert()) + ")";
        StringJoiner j = new StringJoiner(", ");
        for (Named n : certs) j.add(n.source());
        return "NONE of the certificates given: " + j;
    }

    // ---------------------------------------------------------------- PKCS#12

    /**
     * A PKCS#12 file: its encryption (legacy RC2/3DES files are unreadable by OpenSSL 3 and Node 17+
     * without -legacy, as mkcert's are), then every entry: key type and size with its chain, or a
     * trusted certificate. Tries --password, else issue.java's default "changeit", else none.
     */
    public static String describePkcs12(Path file, byte[] bytes, String passwordSpec) {
        StringBuilder s = new StringBuilder(file + ": PKCS#12 file\n");
        s.append(String.format("  %-30s %s%n", "Encryption:", pkcs12Algorithms(bytes)));
        List<char[]> tries = passwordSpec != null ? List.<char[]>of(Cli.password(passwordSpec, "--password"))
                : List.of("changeit".toCharArray(), new char[0]);
        for (char[] pw : tries) {
            KeyStore ks;
            try {
                ks = KeyStore.getInstance("PKCS12");
                ks.load(new ByteArrayInputStream(bytes), pw);
            } catch (Exception e) {
                continue;
            }
            String entries;
            try {
                entries = pkcs12Entries(ks, pw);
            } catch (Failure f) {
                // A file without a MAC loads with any password; the wrong one shows only at the key.
                if (f.kind == Failure.Kind.WRONG_PASSWORD) continue;
                throw f;
            }
            if (passwordSpec == null)
                s.append(String.format("  %-30s %s%n", "Password:", pw.length == 0 ? "none" : "\"changeit\" (issue.java's default)"));
            s.append(entries);
            return s.toString();
        }
        throw Cli.fail(passwordSpec != null ? "cannot open PKCS#12 file %s: wrong --password"
                : "cannot open PKCS#12 file %s: it has a password; give it with --password env:VAR (or file:PATH)", file);
    }

    private static String pkcs12Entries(KeyStore ks, char[] pw) {
        StringBuilder s = new StringBuilder();
        try {
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    PrivateKey k = (PrivateKey) ks.getKey(alias, pw);
                    var chain = ks.getCertificateChain(alias);
                    List<X509Certificate> certs = new ArrayList<>();
                    if (chain != null) for (var c : chain) certs.add((X509Certificate) c);
                    boolean matches = !certs.isEmpty() && Keys.matches(k, certs.get(0).getPublicKey());
                    s.append(String.format("Entry \"%s\": private key, %s, %s%n", alias, describePrivateKey(k),
                            certs.isEmpty() ? "with no certificate" : matches ? "belongs to certificate 1 below" : "does NOT belong to certificate 1 below"));
                    if (!certs.isEmpty()) s.append(describeCertificates("Its chain", certs));
                } else if (ks.isCertificateEntry(alias)) {
                    s.append(String.format("Entry \"%s\": trusted certificate%n", alias));
                    s.append(describe((X509Certificate) ks.getCertificate(alias), Instant.now()));
                }
            }
        } catch (java.security.UnrecoverableKeyException e) {
            throw new Failure(Failure.Kind.WRONG_PASSWORD, "wrong password for the PKCS#12 key", e);
        } catch (Exception e) {
            throw Cli.fail(e, "cannot read the PKCS#12 entries: %s", Text.of(e));
        }
        return s.toString();
    }

    /** The ciphers protecting the file, read from its structure (no password needed). */
    static String pkcs12Algorithms(byte[] bytes) {
        Set<String> names = new LinkedHashSet<>();
        try {
            PKCS12PfxPdu pfx = new PKCS12PfxPdu(bytes);
            for (ContentInfo ci : pfx.getContentInfos()) {
                if (ci.getContentType().equals(PKCSObjectIdentifiers.encryptedData))
                    names.add("certificates " + pbeName(EncryptedData.getInstance(ci.getContent()).getEncryptionAlgorithm()));
                else if (ci.getContentType().equals(PKCSObjectIdentifiers.data))
                    for (PKCS12SafeBag bag : new org.bouncycastle.pkcs.PKCS12SafeBagFactory(ci).getSafeBags())
                        if (bag.getType().equals(PKCSObjectIdentifiers.pkcs8ShroudedKeyBag))
                            names.add("key " + pbeName(((org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo) bag.getBagValue())
                                    .getEncryptionAlgorithm()));
            }
            names.add(pfx.hasMac() ? "MAC " + macName(pfx.getMacAlgorithmID()) : "no MAC");
        } catch (Exception e) {
            return "unreadable (" + Text.of(e) + ")";
        }
        String text = String.join(", ", names);
        return text.contains("legacy") ? text + ". Warning: OpenSSL 3 and Node 17+ read this only with -legacy; "
                + "re-export it with ./jbang issue.java --p12 (AES-256)" : text;
    }

    private static String pbeName(AlgorithmIdentifier alg) {
        ASN1ObjectIdentifier oid = alg.getAlgorithm();
        if (oid.equals(PKCSObjectIdentifiers.id_PBES2)) {
            PBES2Parameters p = PBES2Parameters.getInstance(alg.getParameters());
            EncryptionScheme scheme = p.getEncryptionScheme();
            String cipher = scheme.getAlgorithm().getId().equals("2.16.840.1.101.3.4.1.42") ? "AES-256-CBC"
                    : scheme.getAlgorithm().getId().equals("2.16.840.1.101.3.4.1.2") ? "AES-128-CBC" : scheme.getAlgorithm().getId();
            PBKDF2Params kdf = PBKDF2Params.getInstance(p.getKeyDerivationFunc().getParameters());
            String prf = kdf.getPrf().getAlgorithm().getId().equals("1.2.840.113549.2.9") ? "HMAC-SHA256"
                    : kdf.getPrf().getAlgorithm().getId().equals("1.2.840.113549.2.7") ? "HMAC-SHA1" : kdf.getPrf().getAlgorithm().getId();
            return cipher + " (PBKDF2 " + prf + ", " + kdf.getIterationCount() + " rounds)";
        }
        if (oid.equals(PKCSObjectIdentifiers.pbeWithSHAAnd40BitRC2_CBC)) return "RC2-40 (legacy)";
        if (oid.equals(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC)) return "3DES (legacy)";
        return oid.getId();
    }

    private static String macName(AlgorithmIdentifier alg) {
        String oid = alg.getAlgorithm().getId();
        return oid.equals("1.3.14.3.2.26") ? "HMAC-SHA1" : oid.equals("2.16.840.1.101.3.4.2.1") ? "HMAC-SHA256" : oid;
    }

    // ================================================================ a live server

    /**
     * Connects to an https:// URL and returns the chain the server sent, trusted or not. Trust is
     * --cacert (or the JDK's public CAs) plus the host name, as client.java checks it; a failure is
     * explained by Diagnosis and the chain is still shown, as openssl s_client does.
     */
    List<X509Certificate> liveChain(String url, PrintWriter out, boolean show) {
        URI uri;
        try {
            uri = Tls.url(url);
        } catch (Failure f) {
            throw Cli.fail("%s: inspect reads the certificates of TLS servers", f.getMessage());
        }
        Duration timeout = Duration.ofSeconds(connectTimeout);
        java.util.Map<String, java.net.InetSocketAddress> resolved;
        try {
            resolved = Tls.parseResolve(resolve);
        } catch (Failure f) {
            throw Cli.fail("--resolve %s", f.getMessage());
        }
        var call = new Tls.Call(uri, null, cacert, false, resolved, timeout, timeout, dir, null);
        Tls.Seen seen = new Tls.Seen();
        IOException failure = handshake(call, seen);
        if (seen.serverChain == null)
            throw Cli.fail("cannot read the certificates of %s: %s", Text.escape(Tls.hostPort(uri)), Diagnosis.of(failure, call, seen).explanation());
        List<X509Certificate> chain = Arrays.asList(seen.serverChain);
        if (!show) return chain;
        out.printf("%s: %s, cipher %s%n", Text.escape(Tls.hostPort(uri)) + (seen.mappedTo == null ? "" : " at "
                + seen.mappedTo.getAddress().getHostAddress()), seen.protocol, seen.cipher);
        out.print(describeCertificates("The chain it sent", chain));
        String trust = cacert == null ? "the JDK's public CAs" : cacert.toString();
        boolean untrusted = failure != null && seen.trustFailure != null;
        out.println(untrusted ? "Trust: UNTRUSTED. " + Diagnosis.of(failure, call, seen).explanation()
                : "Trust: trusted (chain verified against " + trust + ", and the host name is in the SAN).");
        if (failure != null && !untrusted) out.println("The handshake then failed: " + Diagnosis.of(failure, call, seen).explanation());
        if (seen.certRequested)
            out.println("The server asks for a client certificate (mutual TLS). It accepts ones issued by: "
                    + (seen.acceptedIssuers.isEmpty() ? "(it names no CA)" : String.join("; ", seen.acceptedIssuers)));
        else if (untrusted) // JSSE looks at a CertificateRequest only after it has trusted the server
            out.println("Whether the server asks for a client certificate is unknown: the handshake stopped at its certificate.");
        else out.println("The server does not ask for a client certificate.");
        return chain;
    }

    /** One handshake, bounded as a whole by --connect-timeout; the managers record into seen. Returns the failure, or null. */
    static IOException handshake(Tls.Call call, Tls.Seen seen) {
        try (var s = Tls.connect(call, seen, System.nanoTime() + call.maxTime().toNanos())) {
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    // ---------------------------------------------------------------- small helpers

    static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String digest(String alg, byte[] data) {
        try {
            return Describe.hex(MessageDigest.getInstance(alg).digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
