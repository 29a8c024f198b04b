///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 17+
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7
//SOURCES lib/Pki.java
//SOURCES lib/Cli.java
//SOURCES lib/Tls.java
//DESCRIPTION Shows any certificate, key, CSR, PKCS#12 or server chain, and lints them against strict verifiers.

// inspect.java: `openssl x509 -text`, `openssl req -text`, `openssl pkcs12 -info` and
// `openssl s_client -showcerts` in one command that reads what it is given, plus --lint, which
// checks a certificate or chain against the rules of OpenSSL -x509_strict / Python 3.13, Chrome,
// Apple, Go and RFC 5280 at once (../shared/reference/cert-profile.md lists them). It never writes
// a file and never prints private key material.

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
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
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.ContentInfo;
import org.bouncycastle.asn1.pkcs.EncryptedData;
import org.bouncycastle.asn1.pkcs.EncryptionScheme;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.util.IPAddress;
import picocli.CommandLine.Command;
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
            description = "For a URL: time allowed to connect and to finish the handshake (default: ${DEFAULT-VALUE}).")
    long connectTimeout;

    @Option(names = "--debug", description = "Show stack traces on errors.")
    boolean debug;

    @Spec
    CommandSpec spec;

    public static void main(String... args) {
        System.exit(Cli.run(new inspect(), args));
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Purpose use = Purpose.parse(purpose);
        if (connectTimeout < 1) throw Cli.fail("--connect-timeout must be at least 1 second");
        List<X509Certificate> trusted = cacert == null ? List.of() : Pki.readCertificates(cacert, "CA certificate");
        // Every certificate named on the command line, so that a key can say which one it belongs to.
        List<Named> known = new ArrayList<>();
        for (String in : inputs)
            if (!lint && !isUrl(in)) known.addAll(certificatesIn(Path.of(in)));
        boolean errors = false;
        for (int i = 0; i < inputs.size(); i++) {
            if (i > 0) out.println();
            String in = inputs.get(i);
            if (lint) {
                List<X509Certificate> chain = isUrl(in) ? liveChain(in, out, false) : Pki.readCertificates(Path.of(in), "certificate");
                Report r = lint(chain, trusted, use);
                out.print(r.format(in));
                errors |= r.errors() > 0;
            } else if (isUrl(in)) {
                liveChain(in, out, true);
            } else {
                show(Path.of(in), known, out);
            }
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
        byte[] bytes = Pki.readInput(file, "file");
        Set<String> labels = pemLabels(bytes);
        if (labels.isEmpty()) {
            showDer(file, bytes, known, out);
            return;
        }
        boolean shown = false;
        if (labels.stream().anyMatch(l -> l.endsWith("CERTIFICATE") && !l.contains("REQUEST"))) {
            out.print(describeCertificates(file.toString(), Pki.readCertificates(file, "certificate")));
            shown = true;
        }
        if (labels.stream().anyMatch(l -> l.contains("CERTIFICATE REQUEST"))) {
            out.print(describeCsr(file.toString(), Pki.readCsr(file)));
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
        if (parses(() -> Pki.readCertificates(file, "certificate"))) {
            out.print(describeCertificates(file + " (DER)", Pki.readCertificates(file, "certificate")));
        } else if (parses(() -> new PKCS10CertificationRequest(bytes))) {
            out.print(describeCsr(file + " (DER)", Pki.readCsr(file)));
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
            for (X509Certificate c : Pki.readCertificates(file, "certificate")) named.add(new Named(c, file.toString()));
            return named;
        } catch (Cli.Failure f) {
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
        for (int i = 0; i < certs.size(); i++) {
            X509Certificate c = certs.get(i);
            s.append("Certificate ").append(i + 1).append(" (").append(role(c)).append("):\n");
            s.append(describe(c, Instant.now()));
            if (i + 1 < certs.size())
                s.append(String.format("  %-30s %s%n", "Signed by the next one:", signedBy(c, certs.get(i + 1))
                        ? "yes" : "NO: certificate " + (i + 2) + " did not sign it (wrong order or not its CA)"));
        }
        return s.toString();
    }

    /**
     * One certificate: Pki.describe's fields (subject, issuer, serial, validity, key, signature,
     * extensions, SHA-256), with the days left after the validity and the SHA-1 fingerprint that
     * older tools (Windows, Keychain Access) show.
     */
    public static String describe(X509Certificate c, Instant now) {
        String base = Pki.describe(c);
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
        return Duration.between(now, end).toDays() + " (expires " + Pki.utc(end) + ")";
    }

    static String role(X509Certificate c) {
        boolean ca = c.getBasicConstraints() >= 0;
        if (selfSigned(c)) return ca ? "root CA, self-signed" : "self-signed, not a CA";
        return ca ? "intermediate CA" : "leaf";
    }

    // ---------------------------------------------------------------- CSRs

    /** A CSR: subject, key, signature check, and the extensions it asks for (SANs first). */
    public static String describeCsr(String source, PKCS10CertificationRequest req) {
        StringBuilder s = new StringBuilder(source + ": certificate signing request\n");
        s.append(String.format("  %-30s %s%n", "Subject:", req.getSubject().toString().isEmpty() ? "(empty)" : req.getSubject()));
        PublicKey key = null;
        try {
            key = new JcaPEMKeyConverter().getPublicKey(req.getSubjectPublicKeyInfo());
            s.append(String.format("  %-30s %s%n", "Key:", Pki.describeKey(key)));
        } catch (Exception e) {
            s.append(String.format("  %-30s unreadable (%s)%n", "Key:", Pki.oneLine(e)));
        }
        s.append(String.format("  %-30s %s%n", "Signature:", csrSignature(req, key)));
        for (var attr : req.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            Extensions exts = Extensions.getInstance(attr.getAttrValues().getObjectAt(0));
            for (ASN1ObjectIdentifier oid : exts.getExtensionOIDs()) {
                Extension e = exts.getExtension(oid);
                String value = oid.equals(Extension.subjectAlternativeName)
                        ? Pki.describeNames(GeneralNames.getInstance(e.getParsedValue())) : oid.getId();
                s.append(String.format("  %-30s %s%n", "Requests " + (oid.equals(Extension.subjectAlternativeName)
                        ? "SANs" : "extension") + (e.isCritical() ? " (critical)" : "") + ":", value));
            }
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
            return alg + (req.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))
                    ? ", valid" : ", BAD: the CSR was altered or damaged after it was made");
        } catch (Exception e) {
            return alg + ", cannot be checked (" + Pki.oneLine(e) + ")";
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
        boolean encrypted = Pki.isEncryptedKey(bytes);
        s.append(String.format("  %-30s %s%n", "Form:", keyForm(labels, bytes)));
        if (encrypted && passwordSpec == null) {
            s.append(String.format("  %-30s %s%n", "Key:", "encrypted; give --password SPEC to see its type and size "
                    + "and which certificate it belongs to"));
            return s.toString();
        }
        PrivateKey key = Pki.readPrivateKey(file, "private key", passwordSpec, "--password");
        s.append(String.format("  %-30s %s%n", "Key:", describePrivateKey(key)));
        s.append(String.format("  %-30s %s%n", "Belongs to:", matching(key, certs)));
        return s.toString();
    }

    static String keyForm(Set<String> labels, byte[] bytes) {
        if (labels.contains("ENCRYPTED PRIVATE KEY")) return "PKCS#8, encrypted (ENCRYPTED PRIVATE KEY)";
        String legacy = Pki.isEncryptedKey(bytes) ? ", encrypted (legacy OpenSSL PEM encryption)" : "";
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
            if (Pki.keyMatches(key, n.cert().getPublicKey()))
                return n.source() + " (" + Tls.subject(n.cert()) + ")";
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
        List<char[]> tries = passwordSpec != null ? List.<char[]>of(Pki.password(passwordSpec, "--password"))
                : List.of("changeit".toCharArray(), new char[0]);
        for (char[] pw : tries) {
            KeyStore ks;
            try {
                ks = KeyStore.getInstance("PKCS12");
                ks.load(new ByteArrayInputStream(bytes), pw);
            } catch (Exception e) {
                continue;
            }
            if (passwordSpec == null)
                s.append(String.format("  %-30s %s%n", "Password:", pw.length == 0 ? "none" : "\"changeit\" (issue.java's default)"));
            s.append(pkcs12Entries(ks, pw));
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
                    boolean matches = !certs.isEmpty() && Pki.keyMatches(k, certs.get(0).getPublicKey());
                    s.append(String.format("Entry \"%s\": private key, %s, %s%n", alias, describePrivateKey(k),
                            certs.isEmpty() ? "with no certificate" : matches ? "belongs to certificate 1 below" : "does NOT belong to certificate 1 below"));
                    if (!certs.isEmpty()) s.append(describeCertificates("Its chain", certs));
                } else if (ks.isCertificateEntry(alias)) {
                    s.append(String.format("Entry \"%s\": trusted certificate%n", alias));
                    s.append(describe((X509Certificate) ks.getCertificate(alias), Instant.now()));
                }
            }
        } catch (Exception e) {
            throw Cli.fail(e, "cannot read the PKCS#12 entries: %s", Pki.oneLine(e));
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
            return "unreadable (" + Pki.oneLine(e) + ")";
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
     * explained by Tls.diagnose and the chain is still shown, as openssl s_client does.
     */
    List<X509Certificate> liveChain(String url, PrintWriter out, boolean show) {
        URI uri = URI.create(url);
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null)
            throw Cli.fail("'%s' is not an https:// URL with a host name: inspect reads the certificates of TLS servers", url);
        Duration timeout = Duration.ofSeconds(connectTimeout);
        var call = new Tls.Call(uri, null, cacert, false, Tls.parseResolve(resolve), timeout, timeout);
        Tls.Seen seen = new Tls.Seen();
        IOException failure = handshake(call, seen);
        if (seen.serverChain == null)
            throw Cli.fail("cannot read the certificates of %s: %s", Tls.hostPort(uri), Tls.diagnose(failure, call, seen).explanation());
        List<X509Certificate> chain = Arrays.asList(seen.serverChain);
        if (!show) return chain;
        out.printf("%s: %s, cipher %s%n", Tls.hostPort(uri) + (seen.mappedTo == null ? "" : " at "
                + seen.mappedTo.getAddress().getHostAddress()), seen.protocol, seen.cipher);
        out.print(describeCertificates("The chain it sent", chain));
        String trust = cacert == null ? "the JDK's public CAs" : cacert.toString();
        boolean untrusted = failure != null && seen.trustFailure != null;
        out.println(untrusted ? "Trust: UNTRUSTED. " + Tls.diagnose(failure, call, seen).explanation()
                : "Trust: trusted (chain verified against " + trust + ", and the host name is in the SAN).");
        if (failure != null && !untrusted) out.println("The handshake then failed: " + Tls.diagnose(failure, call, seen).explanation());
        if (seen.certRequested)
            out.println("The server asks for a client certificate (mutual TLS). It accepts ones issued by: "
                    + (seen.acceptedIssuers.isEmpty() ? "(it names no CA)" : String.join("; ", seen.acceptedIssuers)));
        else if (untrusted) // JSSE looks at a CertificateRequest only after it has trusted the server
            out.println("Whether the server asks for a client certificate is unknown: the handshake stopped at its certificate.");
        else out.println("The server does not ask for a client certificate.");
        return chain;
    }

    /** One handshake; the managers record into seen. Returns the failure, or null. */
    static IOException handshake(Tls.Call call, Tls.Seen seen) {
        SSLContext ctx = Tls.recordingContext(call, seen);
        String host = call.url().getHost().replaceAll("^\\[|]$", "");
        int port = Integer.parseInt(Tls.hostPort(call.url()).replaceAll(".*:", ""));
        seen.mappedTo = call.resolve().get(Tls.hostPort(call.url()));
        try (Socket plain = new Socket()) {
            InetSocketAddress addr = seen.mappedTo != null ? seen.mappedTo : new InetSocketAddress(host, port);
            if (addr.isUnresolved()) throw new UnknownHostException(host);
            try {
                plain.connect(addr, (int) call.connectTimeout().toMillis());
            } catch (IOException e) {
                seen.connectFailure = e;
                throw e;
            }
            plain.setSoTimeout((int) call.maxTime().toMillis());
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true)) {
                SSLParameters sp = Tls.parameters(ctx);
                sp.setEndpointIdentificationAlgorithm("HTTPS"); // the host name is part of trust (RFC 2818)
                if (!IPAddress.isValid(host)) sp.setServerNames(List.of(new SNIHostName(host)));
                s.setSSLParameters(sp);
                s.startHandshake();
                return null;
            }
        } catch (IOException e) {
            return e;
        }
    }

    // ================================================================ lint

    /** Which use --lint checks a leaf for. */
    public enum Purpose {
        SERVER, CLIENT, BOTH, ANY;

        static Purpose parse(String s) {
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw Cli.fail("--purpose %s is not one of server, client, both or any", s);
            }
        }
    }

    public enum Severity { ERROR, WARNING }

    /** Who enforces a check_extensions() rule: OpenSSL's strict mode, which Python 3.13 turns on by default. */
    static String strict(int error) {
        return "OpenSSL verify -x509_strict (error " + error + "); Python 3.13+ (its default context sets VERIFY_X509_STRICT)";
    }
    /** OpenSSL 3.0 does not handle a critical AKI or SKI at all; 3.x releases with check_extensions' error 90/91 say so in strict mode. */
    private static final String CRITICAL = "OpenSSL and all built on it (curl, Python, nginx), even without -x509_strict: "
            + "error 34, unhandled critical extension (error 90/91 under -x509_strict in later releases)";
    private static final String NEW_CA = "make a new CA with ./jbang ca.java, which sets it";
    private static final String REISSUE = "re-issue the certificate with ./jbang issue.java, which sets it";

    /**
     * Every rule --lint knows: its id, the OpenSSL verify error number it shows as (0: none), who
     * enforces it, and how to fix it. The sources are in ../shared/reference/cert-profile.md;
     * OpenSSL's numbers are those of check_extensions() and check_purpose() in crypto/x509/x509_vfy.c.
     */
    public enum Rule {
        NOT_V3("x509-v3", 93, strict(93) + "; RFC 5280 4.1.2.1", REISSUE + " (X.509 v3)"),
        SIG_ALG_MISMATCH("signature-algorithm-mismatch", 78, strict(78) + "; RFC 5280 4.1.1.2", REISSUE),
        BAD_SIGNATURE("signature", 7, "every verifier (OpenSSL error 7)", "the file was altered, or the CA named is not the one that signed it"),
        ISSUER_UNKNOWN("issuer-unknown", 20, "every verifier (OpenSSL error 20, Chrome ERR_CERT_AUTHORITY_INVALID)",
                "give the CA that signed it with --cacert, or append the missing intermediate to the file"),
        EXPIRED("expired", 10, "every verifier (OpenSSL error 10)", "renew it: ./jbang issue.java --force NAME"),
        NOT_YET_VALID("not-yet-valid", 9, "every verifier (OpenSSL error 9)", "check this machine's clock, or wait until it starts"),
        EXPIRES_SOON("expires-soon", 0, "every verifier, once it expires", "renew it before then: ./jbang issue.java --force NAME"),
        SERIAL_NOT_POSITIVE("serial-positive", 0, "Go 1.23+ (\"x509: negative serial number\"), RFC 5280 4.1.2.2",
                REISSUE + " (127 random bits, always positive)"),
        SERIAL_TOO_LONG("serial-length", 0, "Firefox (mozilla::pkix rejects serials over 20 octets), RFC 5280 4.1.2.2",
                REISSUE + " (16 octets)"),
        SAN_EMPTY("san-empty", 87, strict(87) + "; RFC 5280 4.2.1.6", REISSUE + " with at least one name"),
        SAN_MISSING("san-missing", 0, "Chrome 58+, Go 1.15+ and Apple: they ignore the CN and match the host name only against the SAN",
                "re-issue with the host names as SANs: ./jbang issue.java NAME... puts every NAME in the SAN"),
        SAN_NO_HOST("san-no-host", 0, "Chrome, Go and Apple: a server is matched against the DNS names and IP addresses of the SAN",
                "re-issue with the server's DNS names or IP addresses: ./jbang issue.java service-a.example.com"),
        CN_NOT_IN_SAN("cn-not-in-san", 0, "nobody checks the CN, so a host reached by that name fails in Chrome, Go and Apple",
                "re-issue with the CN also listed as a SAN (issue.java makes the CN the first SAN)"),
        RSA_TOO_SMALL("rsa-key-size", 66, "Apple (RSA under 2048 bits), OpenSSL at security level 2, the default of Debian, "
                + "Ubuntu and RHEL (errors 66/67: key too small)", "make a new key of 2048 bits or more (the default of ca.java and issue.java)"),
        EC_CURVE("ec-curve", 0, "Chrome and Apple: TLS certificates on curves other than P-256 and P-384 fail there",
                "use --key-type ec (P-256) or --key-type ec --key-size 384"),
        WEAK_HASH("weak-signature-hash", 68, "Go 1.18+, Chrome, Apple (SHA-2 required), OpenSSL at security level 2 (error 68)",
                "re-sign it with SHA-256 (ca.java and issue.java always do)"),
        CA_NOT_CA("ca-basic-constraints", 24, "every verifier: only a certificate with basicConstraints CA:TRUE may sign others "
                + "(OpenSSL error 24, invalid CA certificate)", "sign with a real CA: " + NEW_CA),
        CA_BC_NOT_CRITICAL("ca-basic-constraints-critical", 89, strict(89) + "; RFC 5280 4.2.1.9",
                "make the CA's basicConstraints critical,CA:TRUE: " + NEW_CA + " (the tutorial's ca.ext lacks 'critical')"),
        CA_KU_MISSING("ca-key-usage", 92, strict(92) + "; RFC 5280 4.2.1.3",
                "give the CA keyUsage=critical,keyCertSign,cRLSign: " + NEW_CA),
        CA_KU_NO_CERTSIGN("ca-key-cert-sign", 32, "every verifier (OpenSSL error 32: key usage does not include certificate signing)",
                "give the CA keyUsage keyCertSign: " + NEW_CA),
        CA_KU_NOT_CRITICAL("ca-key-usage-critical", 0, "RFC 5280 4.2.1.3 and the CA/Browser Forum want it critical; no verifier checks it",
                "mark the CA's keyUsage critical: " + NEW_CA),
        CA_SKI_MISSING("ca-subject-key-id", 86, strict(86) + "; RFC 5280 4.2.1.2", "give the CA a subjectKeyIdentifier: " + NEW_CA),
        CA_EKU("eku-chain", 26, "Go (checks the EKU along the whole chain), OpenSSL's purpose check (error 26), Chrome",
                "a CA should carry no EKU, or one that includes every use of the certificates below it: " + NEW_CA),
        PATHLEN_EXCEEDED("path-length", 25, "every verifier (OpenSSL error 25)", "raise the CA's pathLen, or sign with a CA higher up"),
        PATHLEN_NON_CA("pathlen-non-ca", 80, strict(80) + "; RFC 5280 4.2.1.9", "drop pathLen from a certificate that is not a CA"),
        PATHLEN_NO_CERTSIGN("pathlen-without-key-cert-sign", 81, strict(81) + "; RFC 5280 4.2.1.9", "give the CA keyUsage keyCertSign: " + NEW_CA),
        LEAF_CERTSIGN("leaf-key-cert-sign", 82, strict(82) + "; RFC 5280 4.2.1.3", REISSUE + " (keyUsage digitalSignature, keyEncipherment)"),
        LEAF_NO_DIGITAL_SIGNATURE("leaf-digital-signature", 0, "Chrome 124+ for RSA keys under local roots, and every TLS 1.3 peer: "
                + "the key signs the handshake; OpenSSL's client purpose (error 26)", REISSUE + " (keyUsage digitalSignature)"),
        NO_SERVER_AUTH("eku-server-auth", 26, "every verifier of a server: OpenSSL -purpose sslserver (error 26), Python, curl, Chrome, Apple, Go, Java",
                "issue it with serverAuth: ./jbang issue.java NAME (without --client-only)"),
        NO_EKU_FOR_APPLE("eku-required", 0, "Apple (support.apple.com/103769): a TLS server certificate needs an EKU with serverAuth",
                "re-issue with an EKU: ./jbang issue.java NAME"),
        NO_CLIENT_AUTH("eku-client-auth", 26, "every server that requires a client certificate: OpenSSL -purpose sslclient (error 26), "
                + "Python and nginx, Java, Go", "issue it with clientAuth: ./jbang issue.java NAME (without --server-only); mkcert needs -client"),
        VALIDITY_OVER_825("validity-825-days", 0, "Apple (support.apple.com/103769): a TLS server certificate may be valid for 825 days at most",
                "re-issue with --days 825 or less (issue.java's default is 365)"),
        LEAF_SKI_MISSING("leaf-subject-key-id", 0, "RFC 5280 4.2.1.2 says it SHOULD be present; no verifier requires it", REISSUE),
        AKI_MISSING("authority-key-id", 85, strict(85) + "; RFC 5280 4.2.1.1", REISSUE + " (an AKI holding the CA's key id)"),
        AKI_CRITICAL("authority-key-id-critical", 34, CRITICAL + "; RFC 5280 4.2.1.1 (MUST be non-critical)", REISSUE + " (a non-critical AKI)"),
        SKI_CRITICAL("subject-key-id-critical", 34, CRITICAL + "; RFC 5280 4.2.1.2 (MUST be non-critical)", REISSUE + " (a non-critical SKI)"),
        AKI_MISMATCH("authority-key-id-mismatch", 20, "OpenSSL looks the issuer up by this id and finds none (error 20, "
                + "unable to get local issuer certificate)", "re-issue it from this CA: issue.java copies the CA's SKI into the AKI"),
        SELF_SIGNED_LEAF("self-signed-leaf", 18, "every verifier, unless this very certificate is trusted (OpenSSL error 18)",
                "make a CA and issue from it: ./jbang ca.java, then ./jbang issue.java NAME"),
        UNUSED_CERTIFICATE("unused-certificate", 0, "servers send it anyway; clients must skip it",
                "list the leaf first, then each issuer in order, and nothing else");

        public final String id;
        public final int opensslError;
        public final String enforcedBy;
        public final String fix;

        Rule(String id, int opensslError, String enforcedBy, String fix) {
            this.id = id;
            this.opensslError = opensslError;
            this.enforcedBy = enforcedBy;
            this.fix = fix;
        }
    }

    /** One broken rule: which certificate (0 = the first of the chain), what is wrong, how bad. */
    public record Finding(Severity severity, Rule rule, int index, String subject, String problem, int opensslError) {}

    /** What --lint found for one chain: the chain it checked (leaf first), findings and notes. */
    public static final class Report {
        public final List<X509Certificate> chain = new ArrayList<>();
        public final List<Finding> findings = new ArrayList<>();
        public final List<String> notes = new ArrayList<>();
        public Purpose purpose;

        void add(Severity severity, Rule rule, int index, String problem) {
            add(severity, rule, index, problem, rule.opensslError);
        }

        void add(Severity severity, Rule rule, int index, String problem, int opensslError) {
            findings.add(new Finding(severity, rule, index, Tls.subject(chain.get(index)), problem, opensslError));
        }

        public long errors() { return findings.stream().filter(f -> f.severity() == Severity.ERROR).count(); }
        public long warnings() { return findings.size() - errors(); }
        public boolean has(Rule rule) { return findings.stream().anyMatch(f -> f.rule() == rule); }

        /** The report as printed: each finding with who enforces the rule and the fix, then a summary. */
        public String format(String source) {
            StringBuilder s = new StringBuilder();
            StringJoiner names = new StringJoiner(" <- ");
            for (X509Certificate c : chain) names.add("\"" + shortName(c) + "\"");
            s.append("Lint of ").append(source).append(": chain ").append(names)
                    .append(", purpose ").append(purpose.name().toLowerCase(Locale.ROOT)).append('\n');
            for (Finding f : findings) {
                s.append(String.format("  %-7s [%s] certificate %d \"%s\": %s%n", f.severity().name().toLowerCase(Locale.ROOT),
                        f.rule().id, f.index() + 1, shortName(chain.get(f.index())), f.problem()));
                s.append("          Enforced by: ").append(f.rule().enforcedBy).append('\n');
                s.append("          Fix: ").append(f.rule().fix).append('\n');
            }
            for (String n : notes) s.append("  Note: ").append(n).append('\n');
            String use = purpose == Purpose.ANY ? "" : " for " + purpose.name().toLowerCase(Locale.ROOT) + " use";
            boolean whole = selfSigned(chain.get(chain.size() - 1));
            if (findings.isEmpty() && whole)
                s.append("  No findings: it passes the rules of OpenSSL -x509_strict, Python 3.13, Chrome, Apple, Go and RFC 5280")
                        .append(use).append(".\n");
            else if (findings.isEmpty())
                s.append("  No findings in the certificates given").append(use).append("; the chain above them was not checked.\n");
            else s.append(String.format("  %d error%s, %d warning%s.%n", errors(), errors() == 1 ? "" : "s", warnings(), warnings() == 1 ? "" : "s"));
            return s.toString();
        }
    }

    static String shortName(X509Certificate c) {
        X500Name n = Pki.holder(c).getSubject();
        var cn = n.getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN);
        if (cn.length > 0) return cn[0].getFirst().getValue().toString();
        String all = n.toString();
        return all.isEmpty() ? "(empty subject)" : all;
    }

    /**
     * Lints a chain: given[0] is the certificate to check, the rest of given and the trusted CAs
     * complete its chain. Each certificate is checked for what it is (root, intermediate, leaf),
     * then each link (signature, key ids, EKU chaining, path length).
     */
    public static Report lint(List<X509Certificate> given, List<X509Certificate> trusted, Purpose purpose) {
        Report r = new Report();
        r.purpose = purpose;
        buildChain(given, trusted, r);
        Instant now = Instant.now();
        for (int i = 0; i < r.chain.size(); i++) {
            X509Certificate c = r.chain.get(i);
            checkStructure(c, i, r, now);
            checkKey(c, i, r);
            if (isCa(c) || i > 0) checkCa(c, i, r);
            else checkLeaf(c, r);
            if (i + 1 < r.chain.size()) checkLink(c, r.chain.get(i + 1), i, r);
        }
        checkEkuChain(r);
        return r;
    }

    /**
     * Orders the chain: from given[0], each issuer is looked for among the other given
     * certificates, then the trusted ones (same name, and its key verifies the signature).
     */
    static void buildChain(List<X509Certificate> given, List<X509Certificate> trusted, Report r) {
        List<X509Certificate> pool = new ArrayList<>(given.subList(1, given.size()));
        pool.addAll(trusted);
        r.chain.add(given.get(0));
        while (true) {
            X509Certificate cur = r.chain.get(r.chain.size() - 1);
            if (selfSigned(cur) || r.chain.size() > 10) break;
            X509Certificate issuer = null;
            for (X509Certificate cand : pool)
                if (!r.chain.contains(cand) && signedBy(cur, cand)) { issuer = cand; break; }
            if (issuer == null) {
                unknownIssuer(cur, pool, trusted, r);
                break;
            }
            r.chain.add(issuer);
        }
        X509Certificate top = r.chain.get(r.chain.size() - 1);
        if (!trusted.isEmpty() && selfSigned(top) && !trusted.contains(top) && r.chain.size() > 1)
            r.add(Severity.ERROR, Rule.ISSUER_UNKNOWN, r.chain.size() - 1, "the chain ends at this root, which is not in --cacert");
        for (int i = 1; i < given.size(); i++)
            if (!r.chain.contains(given.get(i)))
                r.add(Severity.WARNING, Rule.UNUSED_CERTIFICATE, 0, "the file's certificate " + (i + 1) + " (\""
                        + shortName(given.get(i)) + "\") is not part of this certificate's chain");
    }

    private static void unknownIssuer(X509Certificate cur, List<X509Certificate> pool, List<X509Certificate> trusted, Report r) {
        int i = r.chain.size() - 1;
        boolean sameName = pool.stream().anyMatch(c -> c.getSubjectX500Principal().equals(cur.getIssuerX500Principal()));
        if (sameName)
            r.add(Severity.ERROR, Rule.BAD_SIGNATURE, i, "a CA named \"" + Tls.issuer(cur) + "\" was given, but its key "
                    + "did not sign this certificate (another CA of the same name, or the file was altered)");
        else if (!trusted.isEmpty())
            r.add(Severity.ERROR, Rule.ISSUER_UNKNOWN, i, "its issuer \"" + Tls.issuer(cur) + "\" is not in --cacert");
        else if (i == 0 && !isCa(cur))
            r.notes.add("the issuer \"" + Tls.issuer(cur) + "\" was not given, so the rules between a certificate and its CA "
                    + "(key ids, EKU chaining, the CA's own profile) were not checked: add --cacert CA.crt");
        else
            r.notes.add("the chain ends at \"" + shortName(cur) + "\", whose issuer was not given: add --cacert to check the rest");
    }

    /** True when issuer's key made c's signature and the names chain up. */
    static boolean signedBy(X509Certificate c, X509Certificate issuer) {
        if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) return false;
        try {
            c.verify(issuer.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static boolean selfSigned(X509Certificate c) {
        return signedBy(c, c);
    }

    static boolean isCa(X509Certificate c) {
        return c.getBasicConstraints() >= 0;
    }

    static Extensions exts(X509Certificate c) {
        Extensions e = Pki.holder(c).getExtensions();
        return e == null ? Extensions.getInstance(new org.bouncycastle.asn1.DERSequence()) : e; // v1: none
    }

    // ---------------------------------------------------------------- every certificate

    static void checkStructure(X509Certificate c, int i, Report r, Instant now) {
        X509CertificateHolder h = Pki.holder(c);
        if (c.getVersion() != 3)
            r.add(Severity.ERROR, Rule.NOT_V3, i, "it is an X.509 v" + c.getVersion() + " certificate", h.getExtensions() == null ? 0 : 93);
        if (!h.toASN1Structure().getSignatureAlgorithm().equals(h.toASN1Structure().getTBSCertificate().getSignature()))
            r.add(Severity.ERROR, Rule.SIG_ALG_MISMATCH, i, "the signature algorithm inside the signed part differs from the outer one");
        BigInteger serial = c.getSerialNumber();
        if (serial.signum() <= 0)
            r.add(Severity.ERROR, Rule.SERIAL_NOT_POSITIVE, i, "its serial number is " + (serial.signum() == 0 ? "zero" : "negative (" + serial + ")"));
        if (serial.toByteArray().length > 20)
            r.add(Severity.ERROR, Rule.SERIAL_TOO_LONG, i, "its serial number is " + serial.toByteArray().length + " octets long; the limit is 20");
        checkValidity(c, i, r, now);
        checkKeyIds(c, i, r);
        String sig = c.getSigAlgName().toUpperCase(Locale.ROOT);
        if (sig.contains("SHA1") || sig.contains("MD5") || sig.contains("MD2")) {
            boolean root = selfSigned(c);
            // A root's own signature is not checked by Go, Chrome or OpenSSL: only a warning there.
            r.add(root ? Severity.WARNING : Severity.ERROR, Rule.WEAK_HASH, i, "it is signed with " + c.getSigAlgName()
                    + (root ? " (a root's self-signature is rarely checked, but Apple and policy tools flag it)" : ""), root ? 0 : 68);
        }
        checkNames(c, i, r);
    }

    static void checkValidity(X509Certificate c, int i, Report r, Instant now) {
        Instant end = c.getNotAfter().toInstant();
        if (now.isAfter(end)) r.add(Severity.ERROR, Rule.EXPIRED, i, "it expired on " + Pki.utc(end));
        else if (now.isBefore(c.getNotBefore().toInstant()))
            r.add(Severity.ERROR, Rule.NOT_YET_VALID, i, "it is not valid before " + Pki.utc(c.getNotBefore().toInstant()));
        else if (Duration.between(now, end).toDays() < 30)
            r.add(Severity.WARNING, Rule.EXPIRES_SOON, i, "it expires in " + Duration.between(now, end).toDays() + " days, on " + Pki.utc(end));
    }

    static void checkKeyIds(X509Certificate c, int i, Report r) {
        Extensions e = exts(c);
        Extension aki = e.getExtension(Extension.authorityKeyIdentifier), ski = e.getExtension(Extension.subjectKeyIdentifier);
        if (aki != null && aki.isCritical()) r.add(Severity.ERROR, Rule.AKI_CRITICAL, i, "its authorityKeyIdentifier is marked critical");
        if (ski != null && ski.isCritical()) r.add(Severity.ERROR, Rule.SKI_CRITICAL, i, "its subjectKeyIdentifier is marked critical");
        boolean akiKeyId = aki != null && AuthorityKeyIdentifier.getInstance(aki.getParsedValue()).getKeyIdentifierOctets() != null;
        // Key ids are X.509 v3 extensions: a v1 certificate is flagged for its version instead.
        if (!selfSigned(c) && !akiKeyId && c.getVersion() == 3)
            r.add(Severity.ERROR, Rule.AKI_MISSING, i, aki == null ? "it has no authorityKeyIdentifier"
                    : "its authorityKeyIdentifier has no key id (only issuer and serial)");
        if (selfSigned(c) && akiKeyId && ski != null && !Arrays.equals(keyId(aki), SubjectKeyIdentifier.getInstance(ski.getParsedValue()).getKeyIdentifier()))
            r.add(Severity.WARNING, Rule.AKI_MISMATCH, i, "this root's AKI key id differs from its own SKI", 0);
    }

    static byte[] keyId(Extension aki) {
        return AuthorityKeyIdentifier.getInstance(aki.getParsedValue()).getKeyIdentifierOctets();
    }

    /**
     * An empty subject or issuer never gets here: Java refuses to parse such a certificate unless
     * its SAN is critical (the rule of OpenSSL -x509_strict errors 83, 84 and 88), so reading fails.
     */
    static void checkNames(X509Certificate c, int i, Report r) {
        Extension sanExt = exts(c).getExtension(Extension.subjectAlternativeName);
        if (sanExt != null && GeneralNames.getInstance(sanExt.getParsedValue()).getNames().length == 0)
            r.add(Severity.ERROR, Rule.SAN_EMPTY, i, "its subjectAltName holds no name");
    }

    static void checkKey(X509Certificate c, int i, Report r) {
        PublicKey k = c.getPublicKey();
        if (k instanceof RSAPublicKey && ((RSAPublicKey) k).getModulus().bitLength() < 2048)
            r.add(Severity.ERROR, Rule.RSA_TOO_SMALL, i, "its RSA key has " + ((RSAPublicKey) k).getModulus().bitLength() + " bits; 2048 is the minimum",
                    isCa(c) ? 67 : 66);
        if (k instanceof ECKey) {
            int bits = ((ECKey) k).getParams().getCurve().getField().getFieldSize();
            if (bits != 256 && bits != 384)
                r.add(Severity.WARNING, Rule.EC_CURVE, i, "its EC key is on a " + bits + "-bit curve, not P-256 or P-384");
        }
        if (k.getAlgorithm().startsWith("Ed") && !r.notes.stream().anyMatch(n -> n.contains("Ed25519")))
            r.notes.add("Ed25519 keys pass every rule here, but Chrome and Safari do not offer Ed25519 in TLS: "
                    + "use EC P-256 (--key-type ec) for anything a browser or an Apple device talks to.");
    }

    // ---------------------------------------------------------------- CAs

    /** A CA (or a certificate used as one): the rules of check_extensions() for CAs and RFC 5280. */
    static void checkCa(X509Certificate c, int i, Report r) {
        Extensions e = exts(c);
        Extension bc = e.getExtension(Extension.basicConstraints), ku = e.getExtension(Extension.keyUsage);
        if (!isCa(c)) {
            r.add(Severity.ERROR, Rule.CA_NOT_CA, i, "it signed certificate " + i + " but it is not a CA (no basicConstraints CA:TRUE)");
            return;
        }
        if (!bc.isCritical()) r.add(Severity.ERROR, Rule.CA_BC_NOT_CRITICAL, i, "its basicConstraints CA:TRUE is not marked critical");
        if (ku == null) r.add(Severity.ERROR, Rule.CA_KU_MISSING, i, "this CA has no keyUsage extension");
        else {
            if (!KeyUsage.getInstance(ku.getParsedValue()).hasUsages(KeyUsage.keyCertSign))
                r.add(Severity.ERROR, Rule.CA_KU_NO_CERTSIGN, i, "its keyUsage lacks keyCertSign, so it may not sign certificates");
            if (!ku.isCritical()) r.add(Severity.WARNING, Rule.CA_KU_NOT_CRITICAL, i, "its keyUsage is not marked critical");
        }
        if (BasicConstraints.getInstance(bc.getParsedValue()).getPathLenConstraint() != null
                && (ku == null || !KeyUsage.getInstance(ku.getParsedValue()).hasUsages(KeyUsage.keyCertSign)))
            r.add(Severity.ERROR, Rule.PATHLEN_NO_CERTSIGN, i, "it has a pathLen but its keyUsage lacks keyCertSign");
        if (e.getExtension(Extension.subjectKeyIdentifier) == null)
            r.add(Severity.ERROR, Rule.CA_SKI_MISSING, i, "this CA has no subjectKeyIdentifier");
        // CAs below it in the chain (i - 1 of them are CAs when certificate 0 is a leaf).
        int below = 0;
        for (int j = 1; j < i; j++) if (!selfIssued(r.chain.get(j))) below++;
        Integer pathLen = BasicConstraints.getInstance(bc.getParsedValue()).getPathLenConstraint() == null ? null
                : BasicConstraints.getInstance(bc.getParsedValue()).getPathLenConstraint().intValue();
        if (pathLen != null && below > pathLen)
            r.add(Severity.ERROR, Rule.PATHLEN_EXCEEDED, i, "its pathLen is " + pathLen + " but " + below + " CA(s) sit below it");
    }

    static boolean selfIssued(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
    }

    // ---------------------------------------------------------------- the leaf

    /**
     * The leaf: key usage, and the rules of each use it is linted for. With --purpose any, a use
     * the EKU claims (no EKU claims both) is checked as an error, the other one as a warning.
     */
    static void checkLeaf(X509Certificate c, Report r) {
        Extensions e = exts(c);
        KeyUsage ku = KeyUsage.fromExtensions(e);
        if (e.getExtension(Extension.basicConstraints) != null
                && BasicConstraints.getInstance(e.getExtension(Extension.basicConstraints).getParsedValue()).getPathLenConstraint() != null)
            r.add(Severity.ERROR, Rule.PATHLEN_NON_CA, 0, "it is not a CA but its basicConstraints has a pathLen");
        if (ku != null && ku.hasUsages(KeyUsage.keyCertSign))
            r.add(Severity.ERROR, Rule.LEAF_CERTSIGN, 0, "it is not a CA but its keyUsage has keyCertSign");
        if (e.getExtension(Extension.subjectKeyIdentifier) == null && c.getVersion() == 3)
            r.add(Severity.WARNING, Rule.LEAF_SKI_MISSING, 0, "it has no subjectKeyIdentifier");
        if (r.chain.size() == 1 && selfSigned(c))
            r.add(Severity.WARNING, Rule.SELF_SIGNED_LEAF, 0, "it signed itself: no CA vouches for it");
        ExtendedKeyUsage eku = ExtendedKeyUsage.fromExtensions(e);
        Severity serverSeverity = severity(KeyPurposeId.id_kp_serverAuth, eku, r.purpose);
        Severity clientSeverity = severity(KeyPurposeId.id_kp_clientAuth, eku, r.purpose);
        if (serverSeverity != null) checkServerUse(c, eku, ku, serverSeverity, r);
        if (clientSeverity != null) checkClientUse(eku, ku, clientSeverity, r);
    }

    /**
     * How a broken rule of one use (serverAuth or clientAuth) counts: null when that use is not
     * linted. With --purpose any, the uses the leaf's EKU claims are errors and the others warnings;
     * a leaf without an EKU claims every use and is linted as a server (Apple's rules), a leaf that
     * claims neither use is linted as a server too.
     */
    static Severity severity(KeyPurposeId use, ExtendedKeyUsage leafEku, Purpose p) {
        boolean server = use.equals(KeyPurposeId.id_kp_serverAuth);
        switch (p) {
            case SERVER: return server ? Severity.ERROR : null;
            case CLIENT: return server ? null : Severity.ERROR;
            case BOTH: return Severity.ERROR;
            default:
                if (leafEku == null) return server ? Severity.ERROR : Severity.WARNING;
                boolean claimsServer = allows(leafEku, KeyPurposeId.id_kp_serverAuth);
                boolean claimsClient = allows(leafEku, KeyPurposeId.id_kp_clientAuth);
                if (server) return claimsServer || !claimsClient ? Severity.ERROR : Severity.WARNING;
                return claimsClient ? Severity.ERROR : Severity.WARNING;
        }
    }

    static boolean allows(ExtendedKeyUsage eku, KeyPurposeId id) {
        return eku.hasKeyPurposeId(id) || eku.hasKeyPurposeId(KeyPurposeId.anyExtendedKeyUsage);
    }

    /** As a TLS server: Chrome, Apple, Go and OpenSSL -purpose sslserver. */
    static void checkServerUse(X509Certificate c, ExtendedKeyUsage eku, KeyUsage ku, Severity sev, Report r) {
        String asServer = sev == Severity.WARNING ? " (so it cannot serve TLS; add --purpose client if it need not)" : "";
        if (eku == null) r.add(sev, Rule.NO_EKU_FOR_APPLE, 0, "it has no extendedKeyUsage, which Apple requires of a server" + asServer);
        else if (!allows(eku, KeyPurposeId.id_kp_serverAuth))
            r.add(sev, Rule.NO_SERVER_AUTH, 0, "its extendedKeyUsage lacks serverAuth: not usable as a server certificate" + asServer);
        if (ku != null && !ku.hasUsages(KeyUsage.digitalSignature))
            r.add(sev, Rule.LEAF_NO_DIGITAL_SIGNATURE, 0, "its keyUsage lacks digitalSignature, so a TLS 1.3 server cannot sign with it" + asServer,
                    ku.hasUsages(KeyUsage.keyEncipherment) || ku.hasUsages(KeyUsage.keyAgreement) ? 0 : 26);
        List<GeneralName> sans = sans(c);
        if (sans == null) r.add(sev, Rule.SAN_MISSING, 0, "it has no subjectAltName; the CN alone is ignored" + asServer);
        else if (sans.stream().noneMatch(n -> n.getTagNo() == GeneralName.dNSName || n.getTagNo() == GeneralName.iPAddress))
            r.add(sev, Rule.SAN_NO_HOST, 0, "its subjectAltName names no DNS name or IP address" + asServer);
        String cn = cn(c);
        if (cn != null && sans != null && sans.stream().noneMatch(n -> sanText(n).equalsIgnoreCase(cn)) && looksLikeHost(cn))
            r.add(Severity.WARNING, Rule.CN_NOT_IN_SAN, 0, "its CN \"" + cn + "\" is not among its SANs");
        long days = Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant()).toDays();
        if (days > 825) r.add(sev, Rule.VALIDITY_OVER_825, 0, "it is valid for " + days + " days" + asServer);
    }

    /** As a TLS client certificate: OpenSSL -purpose sslclient (Python, nginx), Java and Go servers. */
    static void checkClientUse(ExtendedKeyUsage eku, KeyUsage ku, Severity sev, Report r) {
        String hint = sev == Severity.WARNING ? " (add --purpose server if it is only meant to serve)" : "";
        if (eku != null && !allows(eku, KeyPurposeId.id_kp_clientAuth))
            r.add(sev, Rule.NO_CLIENT_AUTH, 0, "its extendedKeyUsage lacks clientAuth: not usable as a client certificate" + hint);
        if (ku != null && !ku.hasUsages(KeyUsage.digitalSignature)
                && !(sev == Severity.ERROR && r.findings.stream().anyMatch(f -> f.rule() == Rule.LEAF_NO_DIGITAL_SIGNATURE)))
            r.add(sev, Rule.LEAF_NO_DIGITAL_SIGNATURE, 0, "its keyUsage lacks digitalSignature, so a client cannot prove it owns the key" + hint,
                    ku.hasUsages(KeyUsage.keyAgreement) ? 0 : 26);
    }

    static List<GeneralName> sans(X509Certificate c) {
        Extension san = exts(c).getExtension(Extension.subjectAlternativeName);
        return san == null ? null : Arrays.asList(GeneralNames.getInstance(san.getParsedValue()).getNames());
    }

    static String sanText(GeneralName n) {
        String s = Pki.describeNames(new GeneralNames(n));
        return s.substring(s.indexOf(':') + 1);
    }

    static String cn(X509Certificate c) {
        var rdns = Pki.holder(c).getSubject().getRDNs(org.bouncycastle.asn1.x500.style.BCStyle.CN);
        return rdns.length == 0 ? null : rdns[0].getFirst().getValue().toString();
    }

    static boolean looksLikeHost(String cn) {
        return cn.matches("[A-Za-z0-9*]([A-Za-z0-9-]*\\.)+[A-Za-z0-9-]+") || IPAddress.isValid(cn);
    }

    // ---------------------------------------------------------------- links and the chain

    /** Between a certificate and its issuer: the AKI names the issuer's SKI. */
    static void checkLink(X509Certificate c, X509Certificate issuer, int i, Report r) {
        Extension aki = exts(c).getExtension(Extension.authorityKeyIdentifier);
        Extension ski = exts(issuer).getExtension(Extension.subjectKeyIdentifier);
        if (aki == null || ski == null || keyId(aki) == null) return;
        if (!Arrays.equals(keyId(aki), SubjectKeyIdentifier.getInstance(ski.getParsedValue()).getKeyIdentifier()))
            r.add(Severity.ERROR, Rule.AKI_MISMATCH, i, "its AKI key id " + Pki.hex(keyId(aki)) + " is not the SKI of its issuer \""
                    + shortName(issuer) + "\"");
    }

    /**
     * EKU chaining, as Go and OpenSSL check it: a CA with an EKU limits every certificate below it
     * to those uses. Checked for the uses the leaf is linted for.
     */
    static void checkEkuChain(Report r) {
        if (isCa(r.chain.get(0))) return;
        ExtendedKeyUsage leafEku = ExtendedKeyUsage.fromExtensions(exts(r.chain.get(0)));
        for (int i = 1; i < r.chain.size(); i++) {
            ExtendedKeyUsage eku = ExtendedKeyUsage.fromExtensions(exts(r.chain.get(i)));
            if (eku == null) continue;
            for (KeyPurposeId use : List.of(KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth)) {
                Severity sev = severity(use, leafEku, r.purpose);
                if (sev == null || allows(eku, use)) continue;
                String name = use.equals(KeyPurposeId.id_kp_serverAuth) ? "serverAuth" : "clientAuth";
                r.add(sev, Rule.CA_EKU, i, "this CA's extendedKeyUsage lacks " + name + ", so no certificate below it may be used for "
                        + name + (sev == Severity.WARNING ? " (the leaf does not claim it either)" : ""));
            }
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
            return Pki.hex(MessageDigest.getInstance(alg).digest(data));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
