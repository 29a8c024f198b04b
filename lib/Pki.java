// Pki.java: what ca.java and issue.java share, pulled in with //SOURCES lib/Pki.java.
//
// Keys, serials, subjects, PEM in and out, passwords, and writing files so that nothing is ever
// half-written or lost. Every method is static and short, so JShell and tests can call each one.
// The certificate profile itself (which extensions, critical or not) lives in ca.java and issue.java,
// next to the command that uses it, and follows ../shared/reference/cert-profile.md.
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82
//DEPS info.picocli:picocli:4.7.7

import java.io.ByteArrayInputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.asn1.pkcs.PBEParameter;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemWriter;
import picocli.CommandLine.Option;

public final class Pki {
    private Pki() {}

    static final SecureRandom RANDOM = new SecureRandom();
    /** Anything larger than this is not a certificate, key or CSR; refusing it keeps bad input cheap. */
    static final long MAX_INPUT_BYTES = 1 << 20;
    /** The most PBKDF2 rounds run for an encrypted key: 20 times our own 100,000, 3 times OWASP's 600,000. */
    static final int MAX_KDF_ROUNDS = 2_000_000;

    // ---------------------------------------------------------------- keys, serials, algorithms

    /**
     * A new key pair from the JDK's own providers (no Bouncy Castle provider needed, which saves
     * start-up time). type is rsa, ec or ed25519; size is bits for rsa (default 2048) or the curve
     * for ec (256 or 384, default 256); ed25519 takes no size.
     */
    public static KeyPair newKeyPair(String type, Integer size) {
        try {
            switch (type.toLowerCase()) {
                case "rsa": {
                    int bits = size == null ? 2048 : size;
                    // Apple and the CA/B Forum refuse RSA keys under 2048 bits (cert-profile.md).
                    if (bits < 2048 || bits > 8192 || bits % 8 != 0)
                        throw Cli.fail("--key-size %d is not a valid RSA size: use 2048, 3072 or 4096", bits);
                    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(bits, RANDOM);
                    return g.generateKeyPair();
                }
                case "ec": {
                    int bits = size == null ? 256 : size;
                    if (bits != 256 && bits != 384)
                        throw Cli.fail("--key-size %d is not a supported EC curve: use 256 (P-256) or 384 (P-384)", bits);
                    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec(bits == 256 ? "secp256r1" : "secp384r1"), RANDOM);
                    return g.generateKeyPair();
                }
                case "ed25519":
                    if (size != null) throw Cli.fail("--key-size does not apply to ed25519 keys");
                    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                default:
                    throw Cli.fail("--key-type %s is not supported: use rsa, ec or ed25519", type);
            }
        } catch (GeneralSecurityException e) {
            throw Cli.fail(e, "cannot generate a %s key: %s", type, oneLine(e));
        }
    }

    /** The signature algorithm a CA key signs with: always SHA-2 (Apple, Go and Chrome refuse SHA-1). */
    public static String signatureAlgorithm(PrivateKey signer) {
        switch (signer.getAlgorithm()) {
            case "RSA": return "SHA256withRSA";
            case "EC": return ecBits(signer) > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
            case "EdDSA": case "Ed25519": return "Ed25519";
            default: throw Cli.fail("cannot sign with a %s key: use RSA, EC or Ed25519", signer.getAlgorithm());
        }
    }

    private static int ecBits(PrivateKey k) {
        return ((java.security.interfaces.ECKey) k).getParams().getCurve().getField().getFieldSize();
    }

    /**
     * A random positive serial of 127 bits. RFC 5280 wants at most 20 octets and positive; the CA/B
     * Forum wants at least 64 random bits. Never a counter file, unlike the tutorial's -CAcreateserial.
     */
    public static BigInteger randomSerial() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        bytes[0] &= 0x7f; // top bit cleared: the DER integer stays positive and at most 16 octets long
        BigInteger serial = new BigInteger(1, bytes);
        return serial.signum() == 0 ? BigInteger.ONE : serial;
    }

    /** True when the private key belongs to the public key: sign a random challenge and verify it. */
    public static boolean keyMatches(PrivateKey priv, PublicKey pub) {
        if (!sameFamily(priv.getAlgorithm(), pub.getAlgorithm())) return false;
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            String alg = signatureAlgorithm(priv);
            Signature s = Signature.getInstance(alg);
            s.initSign(priv);
            s.update(challenge);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(challenge);
            return v.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    private static boolean sameFamily(String a, String b) {
        return a.equals(b) || (a.startsWith("Ed") && b.startsWith("Ed"));
    }

    /** The last instant X.509 can express: GeneralizedTime has four year digits (RFC 5280 4.1.2.5). */
    static final Instant MAX_NOT_AFTER = Instant.parse("9999-12-31T23:59:59Z");

    /** notBefore plus days, refused with one line when it passes the year 9999. */
    public static Instant notAfter(Instant notBefore, int days) {
        Instant end = notBefore.plus(days, java.time.temporal.ChronoUnit.DAYS);
        if (end.isAfter(MAX_NOT_AFTER))
            throw Cli.fail("--days %d ends after the year 9999, the last date a certificate can hold", days);
        return end;
    }

    /**
     * The public half of a private key, for a key whose certificate was lost (issue.java
     * --skip-existing). PKCS#8 files written by the JDK hold no public key, so it is computed.
     */
    public static PublicKey publicKeyOf(PrivateKey key) {
        try {
            AsymmetricKeyParameter priv = PrivateKeyFactory.createKey(key.getEncoded());
            AsymmetricKeyParameter pub;
            if (priv instanceof RSAPrivateCrtKeyParameters r)
                pub = new RSAKeyParameters(false, r.getModulus(), r.getPublicExponent());
            else if (priv instanceof ECPrivateKeyParameters e)
                pub = new ECPublicKeyParameters(e.getParameters().getG().multiply(e.getD()).normalize(), e.getParameters());
            else if (priv instanceof Ed25519PrivateKeyParameters ed)
                pub = ed.generatePublicKey();
            else
                throw Cli.fail("cannot use a %s key: use RSA, EC or Ed25519", key.getAlgorithm());
            byte[] spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub).getEncoded();
            return KeyFactory.getInstance(key.getAlgorithm()).generatePublic(new X509EncodedKeySpec(spki));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (e instanceof Cli.Failure f) throw f;
            throw Cli.fail(e, "cannot compute the public key of a %s key: %s", key.getAlgorithm(), oneLine(e));
        }
    }

    /** Starts validity five minutes back, so a peer whose clock lags a little accepts it at once. */
    public static Instant backdated(Instant now) {
        return now.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).minus(5, java.time.temporal.ChronoUnit.MINUTES);
    }

    // ---------------------------------------------------------------- signing CAs

    /**
     * Refuses a CA that cannot sign: not a CA, no keyCertSign, expired, or a key that is not its own.
     * issue.java checks its --ca with it, and ca.java --intermediate the root that signs the intermediate.
     */
    public static void checkCa(X509Certificate ca, PrivateKey key, Path caPath, Path keyPath) {
        if (ca.getBasicConstraints() < 0)
            throw Cli.fail("%s is not a CA certificate (its basicConstraints lacks CA:TRUE); "
                    + "make a CA with ./jbang ca.java, or point --ca at yours", caPath);
        boolean[] ku = ca.getKeyUsage();
        if (ku != null && !ku[5])
            throw Cli.fail("%s may not sign certificates: its keyUsage lacks keyCertSign", caPath);
        try {
            ca.checkValidity();
        } catch (CertificateExpiredException e) {
            throw Cli.fail("CA certificate %s expired on %s; make a new CA with ./jbang ca.java",
                    caPath, utc(ca.getNotAfter().toInstant()));
        } catch (CertificateNotYetValidException e) {
            throw Cli.fail("CA certificate %s is not valid before %s; check this machine's clock",
                    caPath, utc(ca.getNotBefore().toInstant()));
        }
        if (!keyMatches(key, ca.getPublicKey()))
            throw Cli.fail("CA key %s does not belong to CA certificate %s (their public keys differ)", keyPath, caPath);
        // A root signs itself: if that signature fails, a byte of ca.crt changed (its name, dates or
        // key id), and every certificate issued now would name an issuer that no trust store holds.
        if (claimsToBeRoot(ca) && !selfSigned(ca))
            throw Cli.fail("CA certificate %s is damaged: its own signature does not verify", caPath);
    }

    /**
     * A root names itself as issuer, or has no AKI, or an AKI equal to its SKI (what ca.java, openssl
     * and mkcert write). A damaged byte in the names leaves the key ids, so this still holds.
     */
    private static boolean claimsToBeRoot(X509Certificate ca) {
        if (ca.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) return true;
        var ext = holder(ca).getExtensions();
        var aki = ext == null ? null : AuthorityKeyIdentifier.fromExtensions(ext);
        var ski = ext == null ? null : SubjectKeyIdentifier.fromExtensions(ext);
        return aki == null || aki.getKeyIdentifierOctets() == null
                || (ski != null && java.util.Arrays.equals(aki.getKeyIdentifierOctets(), ski.getKeyIdentifier()));
    }

    /** True for a root: its own key verifies its signature. */
    public static boolean selfSigned(X509Certificate c) {
        try {
            c.verify(c.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /**
     * The AKI of a certificate this CA signs: the CA's own SKI when it has one (a CA made by openssl
     * or mkcert), as RFC 5280 4.2.1.1 wants; -x509_strict fails a chain without it (error 85).
     */
    public static AuthorityKeyIdentifier authorityKeyId(X509Certificate ca) {
        byte[] ski = ca.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        if (ski == null) {
            try {
                return new org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.getPublicKey());
            } catch (GeneralSecurityException e) {
                throw Cli.fail(e, "cannot compute the CA's key id: %s", oneLine(e));
            }
        }
        return new AuthorityKeyIdentifier(ASN1OctetString.getInstance(ASN1OctetString.getInstance(ski).getOctets()).getOctets());
    }

    // ---------------------------------------------------------------- subjects

    /**
     * The subject flags of ca.java and issue.java: the tutorial's fields (section 1.2), or a whole
     * subject in openssl's -subj form (/C=KR/O=DDIM/CN=x) or RFC 4514 form (C=KR,O=DDIM,CN=x).
     */
    public static class SubjectOptions {
        @Option(names = "--subject", paramLabel = "DN",
                description = "Whole subject, as /C=KR/O=DDIM/CN=name (openssl -subj) or C=KR,O=DDIM,CN=name.")
        String subject;
        @Option(names = "--country", paramLabel = "C", description = "Country code (C), such as KR.")
        String country;
        @Option(names = "--state", paramLabel = "ST", description = "State or province (ST).")
        String state;
        @Option(names = "--locality", paramLabel = "L", description = "Locality or city (L).")
        String locality;
        @Option(names = "--org", paramLabel = "O", description = "Organization (O).")
        String org;
        @Option(names = "--org-unit", paramLabel = "OU", description = "Organizational unit (OU).")
        String orgUnit;
        @Option(names = "--email", paramLabel = "ADDR", description = "emailAddress attribute of the subject.")
        String email;
        @Option(names = "--cn", paramLabel = "CN", description = "Common name (CN).")
        String cn;

        boolean given() {
            return subject != null || country != null || state != null || locality != null || org != null
                    || orgUnit != null || email != null || cn != null;
        }

        /** The subject these flags describe; defaultCn is used when no CN is given (null: no CN). */
        public X500Name build(String defaultCn) {
            if (subject != null) {
                if (country != null || state != null || locality != null || org != null || orgUnit != null
                        || email != null || cn != null)
                    throw Cli.fail("--subject gives the whole subject; do not combine it with --cn, --org and the like");
                return parseSubject(subject);
            }
            X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
            // The tutorial's order (section 1.2): C, ST, L, O, OU, emailAddress, CN.
            add(b, BCStyle.C, country, "--country");
            add(b, BCStyle.ST, state, "--state");
            add(b, BCStyle.L, locality, "--locality");
            add(b, BCStyle.O, org, "--org");
            add(b, BCStyle.OU, orgUnit, "--org-unit");
            add(b, BCStyle.EmailAddress, email, "--email");
            add(b, BCStyle.CN, cn != null ? cn : defaultCn, "--cn");
            return b.build();
        }

        private static void add(X500NameBuilder b, ASN1ObjectIdentifier oid, String value, String flag) {
            if (value == null) return;
            checkAttribute(oid, value, flag);
            b.addRDN(oid, literal(value));
        }
    }

    /** Parses openssl's /A=x/B=y form (with \/ for a literal slash) or RFC 4514's A=x,B=y form. */
    public static X500Name parseSubject(String dn) {
        String s = dn.trim();
        if (s.isEmpty()) throw Cli.fail("--subject is empty");
        try {
            if (!s.startsWith("/")) {
                X500Name name = new X500Name(BCStyle.INSTANCE, s);
                for (var rdn : name.getRDNs())
                    checkAttribute(rdn.getFirst().getType(), rdn.getFirst().getValue().toString(), "--subject");
                return name;
            }
            X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
            for (String part : s.substring(1).split("(?<!\\\\)/")) {
                if (part.isEmpty()) continue;
                int eq = part.indexOf('=');
                if (eq <= 0) throw Cli.fail("--subject part '%s' is not of the form NAME=value", part);
                ASN1ObjectIdentifier oid = BCStyle.INSTANCE.attrNameToOID(part.substring(0, eq).trim());
                String value = part.substring(eq + 1).replace("\\/", "/");
                checkAttribute(oid, value, "--subject");
                b.addRDN(oid, literal(value));
            }
            return b.build();
        } catch (Cli.Failure f) {
            throw f;
        } catch (RuntimeException e) { // BC throws IllegalArgument- and IllegalStateExceptions (CN=#zz)
            throw Cli.fail(e, "--subject '%s' is not a valid subject: %s", dn, oneLine(e));
        }
    }

    /**
     * A value for X500NameBuilder.addRDN taken as typed. Bouncy Castle reads a value that starts with
     * '#' as hex-encoded DER (RFC 4514), so the email "#ops@example.com" as a CN would fail; openssl's
     * -subj and our flags mean the text itself. A leading backslash is BC's escape for that.
     */
    public static String literal(String value) {
        return value.startsWith("#") || value.startsWith("\\") ? "\\" + value : value;
    }

    private static void checkAttribute(ASN1ObjectIdentifier oid, String value, String flag) {
        if (value.isBlank()) throw Cli.fail("%s must not be empty", flag);
        // A newline or escape code in a name would garble every terminal and log that prints it;
        // half a surrogate pair (only possible in-process) cannot be encoded at all.
        if (value.chars().anyMatch(Character::isISOControl))
            throw Cli.fail("%s '%s' contains a control character", flag, value);
        if (value.codePoints().anyMatch(c -> Character.getType(c) == Character.SURROGATE))
            throw Cli.fail("%s contains half of a UTF-16 surrogate pair, which is not a character", flag);
        // X.520 upper bounds: a longer value makes a certificate that strict parsers reject.
        int max = oid.equals(BCStyle.C) ? 2 : oid.equals(BCStyle.EmailAddress) ? 255 : 64;
        if (oid.equals(BCStyle.C) && !value.matches("[A-Za-z]{2}"))
            throw Cli.fail("%s '%s' is not a two-letter country code such as KR", flag, value);
        if (value.length() > max)
            throw Cli.fail("%s '%s' is longer than the %d characters X.509 allows", flag, value, max);
    }

    // ---------------------------------------------------------------- reading PEM

    /** Every certificate in a PEM (or DER) file, in order. Fails with one line when there is none. */
    public static List<X509Certificate> readCertificates(Path file, String what) {
        byte[] bytes = readInput(file, what);
        List<X509Certificate> certs = new ArrayList<>();
        if (!looksLikePem(bytes)) {
            try {
                var cf = CertificateFactory.getInstance("X.509");
                certs.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(bytes)));
                return certs;
            } catch (Exception | StackOverflowError e) { // the JDK's DER reader recurses once per nesting level
                throw Cli.fail("cannot read %s %s: it is neither a PEM nor a DER certificate", what, file);
            }
        }
        for (Object o : parsePem(bytes, file, what)) {
            if (o instanceof X509CertificateHolder) {
                try {
                    certs.add(new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o));
                } catch (GeneralSecurityException e) {
                    throw Cli.fail(e, "cannot read %s %s: %s", what, file, oneLine(e));
                }
            }
        }
        if (certs.isEmpty())
            throw Cli.fail("cannot read %s %s: it holds no certificate (%s)", what, file, pemKinds(bytes));
        return certs;
    }

    /** The first certificate of a file. */
    public static X509Certificate readCertificate(Path file, String what) {
        return readCertificates(file, what).get(0);
    }

    /** A certificate signing request, PEM or DER. Its signature is checked by the caller. */
    public static PKCS10CertificationRequest readCsr(Path file) {
        byte[] bytes = readInput(file, "CSR");
        if (!looksLikePem(bytes)) {
            try {
                return new PKCS10CertificationRequest(bytes);
            } catch (Exception | StackOverflowError e) { // deeply nested DER
                throw Cli.fail("cannot read CSR %s: it is neither a PEM nor a DER certificate request", file);
            }
        }
        for (Object o : parsePem(bytes, file, "CSR"))
            if (o instanceof PKCS10CertificationRequest) return (PKCS10CertificationRequest) o;
        throw Cli.fail("cannot read CSR %s: it holds no certificate request (%s)", file, pemKinds(bytes));
    }

    /**
     * A private key in any of the forms openssl writes: PKCS#8 ("PRIVATE KEY"), encrypted PKCS#8
     * ("ENCRYPTED PRIVATE KEY", what openssl 3 genrsa -aes256 writes), traditional PKCS#1/SEC1
     * ("RSA PRIVATE KEY", "EC PRIVATE KEY") and its legacy encrypted form (Proc-Type: 4,ENCRYPTED).
     * passwordSpec is as for {@link #password}; flag names the option, for messages.
     */
    public static PrivateKey readPrivateKey(Path file, String what, String passwordSpec, String flag) {
        return readPrivateKey(file, what, () -> passwordFor(file, what, passwordSpec, flag));
    }

    /** The same with a password already known (null: none given), so a batch asks only once. */
    public static PrivateKey readPrivateKeyWith(Path file, String what, char[] password, String flag) {
        return readPrivateKey(file, what, () -> {
            if (password == null) throw Cli.fail("%s %s is encrypted: give its password with %s", what, file, flag);
            return password;
        });
    }

    private static PrivateKey readPrivateKey(Path file, String what, Supplier<char[]> password) {
        byte[] bytes = readInput(file, what);
        if (!looksLikePem(bytes)) throw Cli.fail("cannot read %s %s: it is not a PEM private key", what, file);
        for (Object o : parsePem(bytes, file, what)) {
            try {
                JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
                if (o instanceof PrivateKeyInfo) return conv.getPrivateKey((PrivateKeyInfo) o);
                // The private half only: a SEC1 "EC PRIVATE KEY" may omit its public key (RFC 5915).
                if (o instanceof PEMKeyPair) return conv.getPrivateKey(((PEMKeyPair) o).getPrivateKeyInfo());
                if (o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    checkKdfRounds((PKCS8EncryptedPrivateKeyInfo) o, file, what);
                    char[] pw = password.get();
                    var dec = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bc()).build(pw);
                    return conv.getPrivateKey(((PKCS8EncryptedPrivateKeyInfo) o).decryptPrivateKeyInfo(dec));
                }
                if (o instanceof PEMEncryptedKeyPair) {
                    char[] pw = password.get();
                    var dec = new JcePEMDecryptorProviderBuilder().setProvider(bc()).build(pw);
                    return conv.getPrivateKey(((PEMEncryptedKeyPair) o).decryptKeyPair(dec).getPrivateKeyInfo());
                }
            } catch (Cli.Failure f) {
                throw f;
            } catch (Exception e) {
                // BC reports a wrong password as a padding or decoding error deep inside; say it plainly.
                boolean encrypted = o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair;
                if (encrypted) throw Cli.fail("cannot decrypt %s %s: wrong password", what, file);
                throw Cli.fail(e, "cannot read %s %s: the key is damaged (%s)", what, file, oneLine(e));
            }
        }
        throw Cli.fail("cannot read %s %s: it holds no private key (%s)", what, file, pemKinds(bytes));
    }

    /**
     * Refuses an encrypted key whose password hashing would run for minutes: the round count comes
     * from the file itself, so one damaged byte can ask for 2^31 rounds (about 20 minutes of CPU).
     */
    private static void checkKdfRounds(PKCS8EncryptedPrivateKeyInfo info, Path file, String what) {
        AlgorithmIdentifier alg = info.getEncryptionAlgorithm();
        BigInteger rounds;
        try {
            if (alg.getAlgorithm().equals(PKCSObjectIdentifiers.id_PBES2)) {
                var kdf = PBES2Parameters.getInstance(alg.getParameters()).getKeyDerivationFunc();
                if (!kdf.getAlgorithm().equals(PKCSObjectIdentifiers.id_PBKDF2))
                    throw Cli.fail("cannot read %s %s: its key derivation %s is not supported; re-encrypt it with "
                            + "openssl pkcs8 -topk8 -v2 aes-256-cbc", what, file, kdf.getAlgorithm());
                rounds = PBKDF2Params.getInstance(kdf.getParameters()).getIterationCount();
            } else {
                // PKCS#5 v1 and PKCS#12 schemes (openssl pkcs8 -v1) share this SEQUENCE {salt, rounds}.
                rounds = PBEParameter.getInstance(alg.getParameters()).getIterationCount();
            }
        } catch (Cli.Failure f) {
            throw f;
        } catch (RuntimeException e) {
            throw Cli.fail(e, "cannot read %s %s: its encryption parameters are damaged (%s)", what, file, oneLine(e));
        }
        if (rounds.signum() <= 0 || rounds.compareTo(BigInteger.valueOf(MAX_KDF_ROUNDS)) > 0)
            throw Cli.fail("cannot read %s %s: it asks for %s rounds of password hashing, outside 1 to %,d "
                    + "(the file is damaged, or re-encrypt it with openssl pkcs8 -topk8 -iter 600000)",
                    what, file, rounds, MAX_KDF_ROUNDS);
    }

    /** True when the file is an encrypted private key, so a caller can ask for a password first. */
    static boolean isEncryptedKey(byte[] pem) {
        String s = new String(pem, StandardCharsets.ISO_8859_1);
        return s.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || s.contains("Proc-Type: 4,ENCRYPTED");
    }

    private static char[] passwordFor(Path file, String what, String spec, String flag) {
        if (spec != null) return password(spec, flag);
        Console console = System.console();
        if (console == null)
            throw Cli.fail("%s %s is encrypted: give its password with %s env:VAR (or file:PATH)", what, file, flag);
        char[] pw = console.readPassword("Password for %s %s: ", what, file);
        if (pw == null) throw Cli.fail("no password given for %s %s", what, file);
        return pw;
    }

    /**
     * A password from a spec in openssl's -passin style: env:VAR, file:PATH (first line), pass:TEXT,
     * or prompt (asked on the terminal without echo). Any other text is the password itself, which
     * other users can see in the process list: the README recommends env: or prompt.
     */
    public static char[] password(String spec, String flag) {
        if (spec.startsWith("env:")) {
            String v = System.getenv(spec.substring(4));
            if (v == null) throw Cli.fail("%s %s: the environment variable %s is not set", flag, spec, spec.substring(4));
            return v.toCharArray();
        }
        if (spec.startsWith("file:")) {
            Path p = Path.of(spec.substring(5));
            String text = new String(readInput(p, "password file"), StandardCharsets.UTF_8);
            String first = text.lines().findFirst().orElse("");
            if (first.isEmpty()) throw Cli.fail("%s %s: the file's first line is empty", flag, spec);
            return first.toCharArray();
        }
        if (spec.startsWith("pass:")) return spec.substring(5).toCharArray();
        if (spec.equals("prompt")) {
            Console console = System.console();
            if (console == null) throw Cli.fail("%s prompt needs a terminal; use env:VAR or file:PATH", flag);
            char[] pw = console.readPassword("%s: ", flag);
            if (pw == null || pw.length == 0) throw Cli.fail("%s: no password given", flag);
            return pw;
        }
        if (spec.isEmpty()) throw Cli.fail("%s is empty", flag);
        return spec.toCharArray();
    }

    /** Reads a small input file, turning every I/O failure into one line that names the file. */
    static byte[] readInput(Path file, String what) {
        try {
            if (Files.isDirectory(file)) throw Cli.fail("cannot read %s %s: it is a directory", what, file);
            if (Files.size(file) > MAX_INPUT_BYTES)
                throw Cli.fail("cannot read %s %s: %d bytes is far too large for a %s", what, file, Files.size(file), what);
            // Read at most one byte past the limit: /dev/zero, a pipe or a growing file reports size 0,
            // and readAllBytes on it would run out of memory.
            byte[] bytes;
            try (var in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) MAX_INPUT_BYTES + 1);
            }
            if (bytes.length > MAX_INPUT_BYTES)
                throw Cli.fail("cannot read %s %s: it holds more than %d bytes, far too much for a %s",
                        what, file, MAX_INPUT_BYTES, what);
            if (bytes.length == 0) throw Cli.fail("cannot read %s %s: the file is empty", what, file);
            return bytes;
        } catch (NoSuchFileException e) {
            throw Cli.fail("cannot read %s %s: no such file", what, file);
        } catch (AccessDeniedException e) {
            throw Cli.fail("cannot read %s %s: permission denied", what, file);
        } catch (IOException e) {
            throw Cli.fail(e, "cannot read %s %s: %s", what, file, oneLine(e));
        }
    }

    private static boolean looksLikePem(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).contains("-----BEGIN ");
    }

    /** Every PEM object in the bytes, parsed by Bouncy Castle; damaged data fails with one line. */
    private static List<Object> parsePem(byte[] bytes, Path file, String what) {
        List<Object> objects = new ArrayList<>();
        Reader r = new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.US_ASCII);
        try (PEMParser parser = new PEMParser(r)) {
            for (Object o; (o = parser.readObject()) != null; ) objects.add(o);
        } catch (Exception | StackOverflowError e) {
            throw Cli.fail(e, "cannot read %s %s: the PEM data is damaged or truncated (%s)", what, file, oneLine(e));
        }
        return objects;
    }

    /** The PEM block types in a file, to say what was found instead of what was expected. */
    private static String pemKinds(byte[] bytes) {
        var m = java.util.regex.Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----")
                .matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        StringJoiner kinds = new StringJoiner(", ");
        while (m.find()) kinds.add(m.group(1));
        return kinds.length() == 0 ? "no PEM block found" : "found: " + kinds;
    }

    public static String oneLine(Throwable e) {
        String m = e.getMessage() != null ? e.getMessage() : words(e.getClass().getSimpleName());
        // Library messages often embed "java.lang.SomeException: "; the user needs only the words.
        m = m.replaceAll("([a-z][a-z0-9_]*\\.)*[A-Z]\\w*(Exception|Error)\\s*:\\s*", "");
        var bare = java.util.regex.Pattern.compile("([a-z][a-z0-9_]*\\.)*\\b([A-Z]\\w*(Exception|Error))\\b").matcher(m);
        return bare.replaceAll(r -> words(r.group(2))).replaceAll("\\s+", " ").trim();
    }

    /** NullPointerException gives "null pointer": a cause in words, with no class name to look like a stack trace. */
    private static String words(String exceptionName) {
        return exceptionName.replaceAll("(Exception|Error)$", "").replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(java.util.Locale.ROOT);
    }

    private static BouncyCastleProvider bcProvider;

    /** The BC provider, made only when a key is encrypted or decrypted: constructing it costs ~0.5 s. */
    static synchronized BouncyCastleProvider bc() {
        if (bcProvider == null) bcProvider = new BouncyCastleProvider();
        return bcProvider;
    }

    // ---------------------------------------------------------------- writing PEM

    /** PEM text: the label, base64 in 64-column lines, as RFC 7468 and openssl write it. */
    public static String pem(String label, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }

    public static String pem(X509Certificate cert) {
        try {
            return pem("CERTIFICATE", cert.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A private key as PKCS#8 PEM. With a password it is encrypted with AES-256-CBC and
     * PBKDF2-HMAC-SHA256, which OpenSSL 3 reads; BC's defaults (SHA-1, 2048 rounds) are too weak.
     */
    public static String pem(PrivateKey key, char[] password) {
        if (password == null) return pem("PRIVATE KEY", key.getEncoded());
        try {
            var enc = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                    .setProvider(bc())
                    .setPRF(JcaPKCS8Generator.PRF_HMACSHA256)
                    .setIterationCount(100_000) // well above OpenSSL's 2048, still quick to load
                    .setRandom(RANDOM)
                    .setPassword(password)
                    .build();
            StringWriter sw = new StringWriter();
            try (PemWriter w = new PemWriter(sw)) {
                w.writeObject(new JcaPKCS8Generator(key, enc).generate());
            }
            return sw.toString();
        } catch (Exception e) {
            throw Cli.fail(e, "cannot encrypt the private key: %s", oneLine(e));
        }
    }

    // ---------------------------------------------------------------- writing files safely

    /** One file to write: its bytes, whether it is secret (mode 0600) and what it is, for messages. */
    public record OutFile(Path path, byte[] data, boolean secret, String what) {
        public static OutFile cert(Path p, String pem) {
            return new OutFile(p, pem.getBytes(StandardCharsets.US_ASCII), false, "certificate");
        }
        public static OutFile key(Path p, String pem) {
            return new OutFile(p, pem.getBytes(StandardCharsets.US_ASCII), true, "private key");
        }
    }

    /** Refuses, before anything is written, to replace an existing file unless force is set. */
    public static void checkOverwrite(List<OutFile> files, boolean force) {
        if (force) return;
        for (OutFile f : files)
            if (Files.exists(f.path()))
                throw Cli.fail("%s already exists; refusing to overwrite it (use --force to replace it: "
                        + "the old file is kept as a timestamped .bak)", f.path());
    }

    /**
     * Writes every file or none of the new contents. Each is written to a temporary file in the same
     * folder, flushed to disk, then renamed into place in the order given, so a crash never leaves a
     * half-written key; callers list a key before its certificate, so a certificate never exists
     * without its key.
     * Secrets get 0600 from the moment they exist; certificates get 0644. A file being replaced
     * (only with force) is first renamed to NAME.yyyyMMdd-HHmmss.bak, so no key is ever lost.
     * Returns the backups made.
     */
    public static List<Path> writeAll(List<OutFile> files, boolean force) {
        checkOverwrite(files, force);
        for (OutFile f : files) createDirectory(f.path().toAbsolutePath().getParent());
        List<Path> temps = new ArrayList<>();
        List<Path> backups = new ArrayList<>();
        try {
            for (OutFile f : files) temps.add(writeTemp(f));
            for (int i = 0; i < files.size(); i++) {
                Path target = files.get(i).path();
                if (Files.exists(target)) backups.add(backup(target));
                // One rename over the old file: a server reloading it never finds it missing.
                Files.move(temps.get(i), target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            return backups;
        } catch (IOException e) {
            throw Cli.fail("cannot write %s: %s", files.get(Math.min(temps.size(), files.size() - 1)).path(), describeIo(e));
        } finally {
            for (Path t : temps) {
                try { Files.deleteIfExists(t); } catch (IOException ignored) { /* best effort */ }
            }
        }
    }

    private static Path writeTemp(OutFile f) throws IOException {
        Path dir = f.path().toAbsolutePath().getParent();
        String mode = f.secret() ? "rw-------" : "rw-r--r--";
        Path tmp;
        if (posix(dir)) {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
            tmp = Files.createTempFile(dir, "." + f.path().getFileName() + ".", ".tmp",
                    PosixFilePermissions.asFileAttribute(perms));
            Files.setPosixFilePermissions(tmp, perms); // the umask may have narrowed a certificate's mode
        } else {
            tmp = Files.createTempFile(dir, "." + f.path().getFileName() + ".", ".tmp");
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(f.data()));
            ch.force(true); // on disk before the rename makes it visible
        }
        return tmp;
    }

    /**
     * Deletes the temporary files that writeTemp made for target in a run that was killed before
     * renaming them (.NAME.<digits>.tmp, mode 0600 for a key). Only a run that resumes an interrupted
     * one calls this: a run still writing the same file would lose its temporary file and fail.
     */
    public static int removeStaleTemps(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = "." + target.getFileName() + ".";
        int removed = 0;
        try (var s = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp") && n.substring(prefix.length(), n.length() - 4).matches("\\d+");
        })) {
            for (Path p : s) if (Files.deleteIfExists(p)) removed++;
        } catch (NoSuchFileException e) {
            return 0; // no folder yet, so no leftovers
        } catch (IOException e) {
            throw Cli.fail("cannot clean up temporary files in %s: %s", dir, describeIo(e));
        }
        return removed;
    }

    private static Path backup(Path target) throws IOException {
        String stamp = LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path bak = target.resolveSibling(target.getFileName() + "." + stamp + ".bak");
        for (int n = 1; Files.exists(bak); n++)
            bak = target.resolveSibling(target.getFileName() + "." + stamp + "-" + n + ".bak");
        // A hard link keeps the old bytes under the .bak name while the target stays in place.
        try {
            Files.createLink(bak, target);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(target, bak, StandardCopyOption.COPY_ATTRIBUTES);
        }
        return bak;
    }

    /** Creates the output folder with mode 0700 (it will hold private keys); fails with one line. */
    public static void createDirectory(Path dir) {
        if (Files.isDirectory(dir)) return;
        try {
            Path parent = dir.getParent();
            if (parent != null && !Files.isDirectory(parent)) createDirectory(parent);
            if (posix(parent == null ? dir.getRoot() : parent))
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            else
                Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw Cli.fail("cannot create folder %s: a file of that name is in the way", dir);
        } catch (IOException e) {
            throw Cli.fail("cannot create folder %s: %s", dir, describeIo(e));
        }
    }

    private static boolean posix(Path p) {
        return p != null && p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static String describeIo(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or folder";
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null)
            return ((FileSystemException) e).getReason();
        return oneLine(e);
    }

    // ---------------------------------------------------------------- describing what was made

    /** A certificate in the spirit of openssl x509 -text, trimmed to what a person reads. */
    public static String describe(X509Certificate c) {
        StringBuilder s = new StringBuilder();
        X509CertificateHolder h = holder(c);
        line(s, "Subject", h.getSubject().toString());
        line(s, "Issuer", h.getIssuer().toString());
        line(s, "Serial", hex(c.getSerialNumber().toByteArray()));
        long days = Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant()).toDays();
        line(s, "Valid", utc(c.getNotBefore().toInstant()) + " to " + utc(c.getNotAfter().toInstant())
                + " (" + days + " days)");
        line(s, "Key", describeKey(c.getPublicKey()));
        line(s, "Signature", c.getSigAlgName());
        // X.509 v1 certificates (old openssl x509 -req without -extfile) have no extensions at all.
        if (h.getExtensions() == null) line(s, "Extensions", "none: an X.509 v" + c.getVersion() + " certificate");
        for (var oid : h.getExtensions() == null ? new ASN1ObjectIdentifier[0] : h.getExtensions().getExtensionOIDs()) {
            Extension e = h.getExtension(oid);
            line(s, extensionName(oid) + (e.isCritical() ? " (critical)" : ""), extensionValue(e));
        }
        line(s, "SHA-256", fingerprint(c));
        return s.toString();
    }

    private static void line(StringBuilder s, String label, String value) {
        s.append(String.format("  %-30s %s%n", label + ":", value));
    }

    /** RSA 2048 bits, EC P-256, Ed25519. */
    public static String describeKey(PublicKey k) {
        if (k instanceof RSAPublicKey) return "RSA " + ((RSAPublicKey) k).getModulus().bitLength() + " bits";
        if (k instanceof ECPublicKey)
            return "EC P-" + ((ECPublicKey) k).getParams().getCurve().getField().getFieldSize();
        if (k.getAlgorithm().startsWith("Ed")) return "Ed25519";
        return k.getAlgorithm();
    }

    public static String fingerprint(X509Certificate c) {
        try {
            return hex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509CertificateHolder holder(X509Certificate c) {
        try {
            return new X509CertificateHolder(c.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String hex(byte[] bytes) {
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(bytes);
    }

    public static String utc(Instant t) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC).format(t);
    }

    private static String extensionName(ASN1ObjectIdentifier oid) {
        if (oid.equals(Extension.basicConstraints)) return "Basic constraints";
        if (oid.equals(Extension.keyUsage)) return "Key usage";
        if (oid.equals(Extension.extendedKeyUsage)) return "Extended key usage";
        if (oid.equals(Extension.subjectAlternativeName)) return "Subject alt names";
        if (oid.equals(Extension.subjectKeyIdentifier)) return "Subject key id";
        if (oid.equals(Extension.authorityKeyIdentifier)) return "Authority key id";
        if (oid.equals(Extension.nameConstraints)) return "Name constraints";
        return "Extension " + oid.getId();
    }

    private static String extensionValue(Extension e) {
        ASN1Encodable v = e.getParsedValue();
        var oid = e.getExtnId();
        if (oid.equals(Extension.basicConstraints)) {
            BasicConstraints bc = BasicConstraints.getInstance(v);
            return bc.isCA() ? "CA:TRUE" + (bc.getPathLenConstraint() != null ? ", pathlen:" + bc.getPathLenConstraint() : "")
                    : "CA:FALSE";
        }
        if (oid.equals(Extension.keyUsage)) return keyUsageNames(KeyUsage.getInstance(v));
        if (oid.equals(Extension.extendedKeyUsage)) {
            StringJoiner j = new StringJoiner(", ");
            for (KeyPurposeId p : ExtendedKeyUsage.getInstance(v).getUsages())
                j.add(p.equals(KeyPurposeId.id_kp_serverAuth) ? "serverAuth"
                        : p.equals(KeyPurposeId.id_kp_clientAuth) ? "clientAuth" : p.getId());
            return j.toString();
        }
        if (oid.equals(Extension.subjectAlternativeName)) return describeNames(GeneralNames.getInstance(v));
        if (oid.equals(Extension.subjectKeyIdentifier))
            return hex(SubjectKeyIdentifier.getInstance(v).getKeyIdentifier());
        if (oid.equals(Extension.authorityKeyIdentifier)) {
            byte[] id = AuthorityKeyIdentifier.getInstance(v).getKeyIdentifierOctets();
            return id == null ? "(no key id)" : hex(id);
        }
        if (oid.equals(Extension.nameConstraints)) return describeNameConstraints(NameConstraints.getInstance(v));
        return "(present)";
    }

    private static String keyUsageNames(KeyUsage ku) {
        String[] names = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
                "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};
        int[] bits = {KeyUsage.digitalSignature, KeyUsage.nonRepudiation, KeyUsage.keyEncipherment,
                KeyUsage.dataEncipherment, KeyUsage.keyAgreement, KeyUsage.keyCertSign, KeyUsage.cRLSign,
                KeyUsage.encipherOnly, KeyUsage.decipherOnly};
        StringJoiner j = new StringJoiner(", ");
        for (int i = 0; i < bits.length; i++) if (ku.hasUsages(bits[i])) j.add(names[i]);
        return j.toString();
    }

    /** Name constraints as openssl prints them: permitted DNS:.example.com, IP:10.0.0.0/8. */
    public static String describeNameConstraints(NameConstraints nc) {
        StringJoiner j = new StringJoiner("; ");
        if (nc.getPermittedSubtrees() != null) j.add("permitted " + describeSubtrees(nc.getPermittedSubtrees()));
        if (nc.getExcludedSubtrees() != null) j.add("excluded " + describeSubtrees(nc.getExcludedSubtrees()));
        return j.toString();
    }

    private static String describeSubtrees(org.bouncycastle.asn1.x509.GeneralSubtree[] trees) {
        StringJoiner j = new StringJoiner(", ");
        for (var t : trees) {
            GeneralName n = t.getBase();
            if (n.getTagNo() != GeneralName.iPAddress) j.add(describeNames(new GeneralNames(n)));
            else j.add("IP:" + ipRange(ASN1OctetString.getInstance(n.getName()).getOctets()));
        }
        return j.toString();
    }

    /** An IP name constraint (address and mask, RFC 5280 4.2.1.10) as 10.0.0.0/8. */
    static String ipRange(byte[] addressAndMask) {
        int half = addressAndMask.length / 2;
        int prefix = 0;
        for (int i = half; i < addressAndMask.length; i++) prefix += Integer.bitCount(addressAndMask[i] & 0xff);
        try {
            return java.net.InetAddress.getByAddress(java.util.Arrays.copyOf(addressAndMask, half)).getHostAddress() + "/" + prefix;
        } catch (IOException e) {
            return hex(addressAndMask);
        }
    }

    /** SANs the way openssl prints them: DNS:a, IP Address:1.2.3.4, email:x@y, URI:spiffe://... */
    public static String describeNames(GeneralNames names) {
        StringJoiner j = new StringJoiner(", ");
        for (GeneralName n : names.getNames()) {
            switch (n.getTagNo()) {
                case GeneralName.dNSName: j.add("DNS:" + n.getName()); break;
                case GeneralName.rfc822Name: j.add("email:" + n.getName()); break;
                case GeneralName.uniformResourceIdentifier: j.add("URI:" + n.getName()); break;
                case GeneralName.iPAddress: j.add("IP Address:" + ipText(n)); break;
                default: j.add(n.toString());
            }
        }
        return j.toString();
    }

    private static String ipText(GeneralName n) {
        byte[] raw = org.bouncycastle.asn1.DEROctetString.getInstance(n.getName()).getOctets();
        try {
            return java.net.InetAddress.getByAddress(raw).getHostAddress();
        } catch (IOException e) {
            return hex(raw);
        }
    }

    /** Printed after writing, so the user knows every path and its mode, as mkcert does. */
    public static void printWritten(PrintWriter out, List<OutFile> files, List<Path> backups) {
        for (Path b : backups) out.println("Kept the old file as " + b);
        for (OutFile f : files)
            out.printf("Wrote %s (%s, %s)%n", f.path(), f.what(), f.secret() ? "mode 0600" : "mode 0644");
    }
}
