// Pem.java: reading and writing the files of a PKI: certificates (PEM or DER), CSRs, private keys
// in every form openssl writes (PKCS#8 plain and encrypted, PKCS#1/SEC1, legacy encrypted PEM),
// PKCS#12 bundles and CRLs. Every read is bounded: at most 1 MiB, regular files only, and a cap on
// the password-hashing rounds an encrypted key may ask for.

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Supplier;
import org.bouncycastle.asn1.pkcs.PBEParameter;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemWriter;

public final class Pem {
    private Pem() {}

    /** Anything larger than this is not a certificate, key or CSR; refusing it keeps bad input cheap. */
    public static final long MAX_INPUT_BYTES = 1 << 20;
    /** The most PBKDF2 rounds run for an encrypted key: 20 times our own 100,000, 3 times OWASP's 600,000. */
    public static final int MAX_KDF_ROUNDS = 2_000_000;
    /** Our own rounds: well above OpenSSL's 2048, still quick to load. */
    static final int KDF_ROUNDS = 100_000;

    // ---------------------------------------------------------------- reading

    /**
     * A small input file, read whole. Only a regular file is read: a FIFO, a socket or a device would
     * block or never end, so it is refused before anything reads it. Every failure is one line naming
     * the file and what it was meant to be.
     */
    public static byte[] read(Path file, String what) {
        String shown = Text.escape(file.toString());
        try {
            if (Files.isDirectory(file)) throw Failure.of("cannot read %s %s: it is a folder", what, shown);
            if (!Files.exists(file)) throw Failure.of("cannot read %s %s: %s", what, shown, whyMissing(file));
            if (!Files.isRegularFile(file))
                throw Failure.of("cannot read %s %s: it is not a regular file (a pipe, socket or device), so it is not read", what, shown);
            if (!Files.isReadable(file)) throw Failure.of("cannot read %s %s: %s", what, shown, NOT_READABLE);
            if (Files.size(file) > MAX_INPUT_BYTES)
                throw Failure.of("cannot read %s %s: %d bytes is far too large for a %s", what, shown, Files.size(file), what);
            byte[] bytes;
            // At most one byte past the limit: a file that grows while we read it cannot exhaust memory.
            try (var in = Files.newInputStream(file)) {
                bytes = in.readNBytes((int) MAX_INPUT_BYTES + 1);
            }
            if (bytes.length > MAX_INPUT_BYTES)
                throw Failure.of("cannot read %s %s: it holds more than %d bytes, far too much for a %s", what, shown, MAX_INPUT_BYTES, what);
            if (bytes.length == 0) throw Failure.of("cannot read %s %s: the file is empty", what, shown);
            String deep = tooDeep(bytes);
            if (deep != null) throw Failure.of("cannot read %s %s: %s", what, shown, deep);
            return bytes;
        } catch (NoSuchFileException e) {
            throw Failure.of("cannot read %s %s: %s", what, shown, whyMissing(file));
        } catch (AccessDeniedException e) {
            throw Failure.of("cannot read %s %s: %s", what, shown, NOT_READABLE);
        } catch (IOException e) {
            throw Failure.of(e, "cannot read %s %s: %s", what, shown, Text.of(e));
        }
    }

    /** Why a file that exists cannot be opened: its own permissions (its folders were entered to find it). */
    public static final String NOT_READABLE = "it is not readable by this user (permission denied)";

    /**
     * Why a path cannot be reached, as the clause after "cannot read FILE: ": a folder on the way
     * that this user cannot enter (no search permission, so the file cannot even be seen), a part of
     * the path that is a file and not a folder, or else: no such file. The folders are checked from
     * the top down, so the first one in the way is named.
     */
    public static String whyMissing(Path file) {
        Path abs = file.toAbsolutePath();
        Path at = abs.getRoot();
        for (int i = 0; at != null && i < abs.getNameCount() - 1; i++) {
            at = at.resolve(abs.getName(i));
            if (!Files.exists(at)) return "no such file (there is no folder " + Text.escape(at.toString()) + ")";
            if (!Files.isDirectory(at)) return "no such file: " + Text.escape(at.toString()) + " is a file, not a folder";
            if (!Files.isExecutable(at))
                return "it is in the folder " + Text.escape(at.toString()) + ", which this user cannot enter (no search "
                        + "permission on it), so whether the file exists cannot be seen";
        }
        return "no such file";
    }

    /**
     * Null, or how the file's ASN.1 nests too deeply for the parsers (the JDK's and Bouncy Castle's
     * recurse once per level): checked on DER as it is and on each PEM block's contents, before any
     * parser sees them. Text that is neither (a password file) passes.
     */
    static String tooDeep(byte[] bytes) {
        if (!looksLikePem(bytes)) {
            String d = Der.tooDeep(bytes);
            return d == null ? null : "its DER data " + d;
        }
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int block = 0;
        for (int at = text.indexOf("-----BEGIN "); at >= 0; at = text.indexOf("-----BEGIN ", at + 1)) {
            block++;
            int bodyStart = text.indexOf('\n', at);
            int end = text.indexOf("-----END", at);
            if (bodyStart < 0 || end < bodyStart) break;
            String body = text.substring(bodyStart + 1, end);
            if (body.contains(":")) continue; // Proc-Type/DEK-Info headers: an encrypted key, not DER to look at
            byte[] der;
            try {
                der = java.util.Base64.getMimeDecoder().decode(body);
            } catch (IllegalArgumentException notBase64) {
                continue; // the parser says what is wrong with it
            }
            String d = Der.tooDeep(der);
            if (d != null) return "its PEM block " + block + " holds DER data that " + d;
        }
        return null;
    }

    /** Every certificate in a PEM (or DER) file, in order. Fails with one line when there is none. */
    public static List<X509Certificate> certificates(Path file, String what) {
        byte[] bytes = read(file, what);
        String shown = Text.escape(file.toString());
        List<X509Certificate> certs = new ArrayList<>();
        if (!looksLikePem(bytes)) {
            try {
                Der.checkNesting(bytes);
                certs.add((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(bytes)));
            } catch (Exception | StackOverflowError e) {
                throw Failure.of("cannot read %s %s: it is neither a PEM nor a DER certificate", what, shown);
            }
            return checked(certs, shown, what);
        }
        for (Object o : parse(bytes, file, what)) {
            if (o instanceof X509CertificateHolder) {
                try {
                    certs.add(new JcaX509CertificateConverter().getCertificate((X509CertificateHolder) o));
                } catch (GeneralSecurityException e) {
                    throw Failure.of(e, "cannot read %s %s: %s", what, shown, Text.of(e));
                }
            }
        }
        if (certs.isEmpty()) throw Failure.of("cannot read %s %s: it holds no certificate (%s)", what, shown, kinds(bytes));
        return checked(certs, shown, what);
    }

    /** The certificates, once each reads as a whole (Der.certificateProblem): a damaged one is refused in words. */
    private static List<X509Certificate> checked(List<X509Certificate> certs, String shown, String what) {
        for (int i = 0; i < certs.size(); i++) {
            String problem = Der.certificateProblem(certs.get(i));
            if (problem != null)
                throw Failure.of("cannot read %s %s: %s is damaged: %s", what, shown, certs.size() == 1 ? "the certificate" : "certificate " + (i + 1), problem);
        }
        return certs;
    }

    /** The words for a certificate given as a CA that cannot act as one, the same in every script. */
    public static final String NOT_A_CA = "is not a CA certificate (its basicConstraints lacks CA:TRUE)";

    /**
     * The certificates of a file given as CA certificates, to trust or to sign with. Each must be
     * able to act as a CA: basicConstraints CA:TRUE (RFC 5280 4.2.1.9), or a self-signed X.509 v1
     * root, as some old roots are; and a self-signed one must verify its own signature. Accepted as
     * they are, a leaf or a damaged root would make every later handshake fail for a reason that
     * points elsewhere. Fails with one line naming the certificate and what it is instead.
     */
    public static List<X509Certificate> caCertificates(Path file, String what) {
        List<X509Certificate> certs = certificates(file, what);
        for (int i = 0; i < certs.size(); i++) checkCa(certs.get(i), file, what, certs.size() == 1 ? "it" : "its certificate " + (i + 1));
        return certs;
    }

    /** caCertificates' check of one certificate of file; which is "it" or "its certificate 2". */
    public static void checkCa(X509Certificate c, Path file, String what, String which) {
        String shown = Text.escape(file.toString());
        boolean root = c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
        if (c.getBasicConstraints() < 0 && !(c.getVersion() == 1 && root && Certs.selfSigned(c)))
            throw Failure.of("cannot use %s as a %s: %s (\"%s\") %s; give the certificate of %s", shown, what, which, Names.subject(c),
                    NOT_A_CA, root ? "a CA instead" : "the CA that issued it (\"" + Names.issuer(c) + "\")");
        if (root && !Certs.selfSigned(c))
            throw Failure.of("cannot use %s as a %s: %s (\"%s\") is damaged: its own signature does not verify", shown, what, which,
                    Names.subject(c));
    }

    /**
     * The certificates of a file given as our own certificate and its chain (a server's or a
     * client's): the first must not be a CA, since peers refuse a CA certificate as the end of a
     * chain (and a CA's key in a service would let the service sign certificates).
     */
    public static List<X509Certificate> leafChain(Path file, String what) {
        List<X509Certificate> certs = certificates(file, what);
        X509Certificate first = certs.get(0);
        if (first.getBasicConstraints() >= 0)
            throw Failure.of("cannot use %s as a %s: %s (\"%s\") is a CA certificate, not one issued to a server or client; "
                    + "give the certificate issued to the service, and the CA certificate where CAs are trusted",
                    Text.escape(file.toString()), what, certs.size() == 1 ? "it" : "its first certificate", Names.subject(first));
        return certs;
    }

    /**
     * Checks that a file given as a Java truststore is one: a PKCS#12 file (DER, RFC 7292), a JKS
     * or a JCEKS store. A missing file passes (it is created). Any other file, a PEM certificate
     * most often, is refused before anything writes to it.
     */
    public static void checkKeyStore(Path file, String what) {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isSymbolicLink(file)) return;
        byte[] bytes = read(file, what);
        int magic = bytes.length < 4 ? 0 : ((bytes[0] & 0xff) << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        if (magic == 0xFEEDFEED || magic == 0xCECECECE) return;
        if (!looksLikePem(bytes)) {
            try {
                new org.bouncycastle.pkcs.PKCS12PfxPdu(bytes);
                return;
            } catch (Exception | StackOverflowError e) {
                // not PKCS#12 either: refused below
            }
        }
        throw Failure.of("cannot use %s as a %s: it is not a Java keystore (PKCS#12, JKS or JCEKS); it holds %s", Text.escape(file.toString()),
                what, looksLikePem(bytes) ? "PEM (" + kinds(bytes) + ")" : "other data");
    }

    /** The first certificate of a file. */
    public static X509Certificate certificate(Path file, String what) {
        return certificates(file, what).get(0);
    }

    /** A certificate signing request, PEM or DER; Csr.check checks it. */
    public static PKCS10CertificationRequest csr(Path file) {
        byte[] bytes = read(file, "CSR");
        String shown = Text.escape(file.toString());
        if (!looksLikePem(bytes)) {
            PKCS10CertificationRequest req;
            try {
                Der.checkNesting(bytes);
                req = new PKCS10CertificationRequest(bytes);
            } catch (Exception | StackOverflowError e) {
                throw Failure.of("cannot read CSR %s: it is neither a PEM nor a DER certificate request", shown);
            }
            return checked(req, shown);
        }
        for (Object o : parse(bytes, file, "CSR"))
            if (o instanceof PKCS10CertificationRequest req) return checked(req, shown);
        throw Failure.of("cannot read CSR %s: it holds no certificate request (%s)", shown, kinds(bytes));
    }

    private static PKCS10CertificationRequest checked(PKCS10CertificationRequest req, String shown) {
        String problem = Der.csrProblem(req);
        if (problem != null) throw Failure.of("cannot read CSR %s: it is damaged: %s", shown, problem);
        return req;
    }

    /**
     * A private key in any of the forms openssl writes: PKCS#8 ("PRIVATE KEY"), encrypted PKCS#8
     * ("ENCRYPTED PRIVATE KEY", what openssl 3 genrsa -aes256 writes), traditional PKCS#1/SEC1
     * ("RSA PRIVATE KEY", "EC PRIVATE KEY") and its legacy encrypted form (Proc-Type: 4,ENCRYPTED).
     * password is asked only for an encrypted key; it may throw a Failure of its own (none given).
     */
    public static PrivateKey privateKey(Path file, String what, Supplier<char[]> password) {
        byte[] bytes = read(file, what);
        String shown = Text.escape(file.toString());
        if (!looksLikePem(bytes)) throw Failure.of("cannot read %s %s: it is not a PEM private key", what, shown);
        for (Object o : parse(bytes, file, what)) {
            boolean encrypted = o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair;
            char[] pw = null;
            try {
                JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
                if (o instanceof PrivateKeyInfo) return conv.getPrivateKey((PrivateKeyInfo) o);
                // The private half only: a SEC1 "EC PRIVATE KEY" may omit its public key (RFC 5915).
                if (o instanceof PEMKeyPair) return conv.getPrivateKey(((PEMKeyPair) o).getPrivateKeyInfo());
                if (o instanceof PKCS8EncryptedPrivateKeyInfo info) {
                    checkKdfRounds(info, shown, what);
                    pw = password.get();
                    if (pw.length == 0) return conv.getPrivateKey(PrivateKeyInfo.getInstance(decryptWithEmptyPassword(info)));
                    var dec = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bc()).build(pw);
                    return conv.getPrivateKey(info.decryptPrivateKeyInfo(dec));
                }
                if (o instanceof PEMEncryptedKeyPair pair) {
                    pw = password.get();
                    var dec = new JcePEMDecryptorProviderBuilder().setProvider(bc()).build(pw);
                    return conv.getPrivateKey(pair.decryptKeyPair(dec).getPrivateKeyInfo());
                }
            } catch (Failure f) {
                throw f;
            } catch (Exception e) {
                // BC reports a wrong password as a padding or decoding error deep inside; say it plainly.
                if (encrypted && pw != null)
                    throw new Failure(Failure.Kind.WRONG_PASSWORD, String.format("cannot decrypt %s %s: wrong password", what, shown), e);
                throw Failure.of(e, "cannot read %s %s: the key is damaged (%s)", what, shown, Text.of(e));
            }
        }
        throw Failure.of("cannot read %s %s: it holds no private key (%s)", what, shown, kinds(bytes));
    }

    /**
     * Refuses an encrypted key whose password hashing would run for minutes: the round count comes
     * from the file itself, so one damaged byte can ask for 2^31 rounds (about 20 minutes of CPU).
     */
    private static void checkKdfRounds(PKCS8EncryptedPrivateKeyInfo info, String shown, String what) {
        AlgorithmIdentifier alg = info.getEncryptionAlgorithm();
        BigInteger rounds;
        try {
            if (alg.getAlgorithm().equals(PKCSObjectIdentifiers.id_PBES2)) {
                var kdf = PBES2Parameters.getInstance(alg.getParameters()).getKeyDerivationFunc();
                if (!kdf.getAlgorithm().equals(PKCSObjectIdentifiers.id_PBKDF2))
                    throw Failure.of("cannot read %s %s: its key derivation %s is not supported; re-encrypt it with "
                            + "openssl pkcs8 -topk8 -v2 aes-256-cbc", what, shown, kdf.getAlgorithm());
                rounds = PBKDF2Params.getInstance(kdf.getParameters()).getIterationCount();
            } else {
                // PKCS#5 v1 and PKCS#12 schemes (openssl pkcs8 -v1) share this SEQUENCE {salt, rounds}.
                rounds = PBEParameter.getInstance(alg.getParameters()).getIterationCount();
            }
        } catch (Failure f) {
            throw f;
        } catch (RuntimeException e) {
            throw Failure.of(e, "cannot read %s %s: its encryption parameters are damaged (%s)", what, shown, Text.of(e));
        }
        if (rounds.signum() <= 0 || rounds.compareTo(BigInteger.valueOf(MAX_KDF_ROUNDS)) > 0)
            throw Failure.of("cannot read %s %s: it asks for %s rounds of password hashing, outside 1 to %,d "
                    + "(the file is damaged, or re-encrypt it with openssl pkcs8 -topk8 -iter 600000)", what, shown, rounds, MAX_KDF_ROUNDS);
    }

    /**
     * PBES2 (PBKDF2 + AES-CBC) with an empty password, which openssl writes for -passout pass: and
     * Bouncy Castle's JCE refuses ("password empty"). RFC 8018 allows a password of zero octets, so the
     * key is derived with the PBKDF2 of BC's lightweight API, which takes one, and decrypted with the JDK.
     */
    /** aes128-CBC, aes192-CBC and aes256-CBC (NIST's OIDs), with their key sizes. */
    private static final java.util.Map<String, Integer> AES_CBC_BITS = java.util.Map.of(
            "2.16.840.1.101.3.4.1.2", 128, "2.16.840.1.101.3.4.1.22", 192, "2.16.840.1.101.3.4.1.42", 256);

    static byte[] decryptWithEmptyPassword(PKCS8EncryptedPrivateKeyInfo info) throws GeneralSecurityException {
        AlgorithmIdentifier alg = info.getEncryptionAlgorithm();
        if (!alg.getAlgorithm().equals(PKCSObjectIdentifiers.id_PBES2))
            throw new GeneralSecurityException("an empty password is read only for PBES2 (openssl pkcs8 -v2)");
        var pbes2 = PBES2Parameters.getInstance(alg.getParameters());
        var kdf = PBKDF2Params.getInstance(pbes2.getKeyDerivationFunc().getParameters());
        var scheme = pbes2.getEncryptionScheme();
        String oid = scheme.getAlgorithm().getId();
        Integer keyBits = AES_CBC_BITS.get(oid);
        if (keyBits == null) throw new GeneralSecurityException("an empty password is read only with AES-CBC, not " + oid);
        String prfOid = kdf.getPrf().getAlgorithm().getId();
        org.bouncycastle.crypto.Digest prf = prfOid.equals("1.2.840.113549.2.7") ? new org.bouncycastle.crypto.digests.SHA1Digest()
                : prfOid.equals("1.2.840.113549.2.9") ? new org.bouncycastle.crypto.digests.SHA256Digest()
                : prfOid.equals("1.2.840.113549.2.10") ? new org.bouncycastle.crypto.digests.SHA384Digest()
                : prfOid.equals("1.2.840.113549.2.11") ? new org.bouncycastle.crypto.digests.SHA512Digest() : null;
        if (prf == null) throw new GeneralSecurityException("an empty password is read only with PBKDF2-HMAC-SHA1/256/384/512");
        var gen = new org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator(prf);
        gen.init(new byte[0], kdf.getSalt(), kdf.getIterationCount().intValueExact());
        byte[] key = ((org.bouncycastle.crypto.params.KeyParameter) gen.generateDerivedParameters(keyBits)).getKey();
        byte[] iv = org.bouncycastle.asn1.ASN1OctetString.getInstance(scheme.getParameters()).getOctets();
        var cipher = javax.crypto.Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(javax.crypto.Cipher.DECRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, "AES"), new javax.crypto.spec.IvParameterSpec(iv));
        return cipher.doFinal(info.getEncryptedData());
    }

    /** True when the bytes hold an encrypted private key, so a caller can ask for a password first. */
    public static boolean isEncryptedKey(byte[] pem) {
        String s = new String(pem, StandardCharsets.ISO_8859_1);
        return s.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || s.contains("Proc-Type: 4,ENCRYPTED");
    }

    /** The CRLs in a file: PEM "X509 CRL" blocks or DER. Whether a CA signed them is the caller's check. */
    public static List<X509CRL> crls(Path file) {
        byte[] bytes = read(file, "CRL");
        String shown = Text.escape(file.toString());
        List<X509CRL> crls = new ArrayList<>();
        try {
            if (!looksLikePem(bytes)) Der.checkNesting(bytes);
            for (var crl : CertificateFactory.getInstance("X.509").generateCRLs(new ByteArrayInputStream(bytes))) crls.add((X509CRL) crl);
        } catch (Exception | StackOverflowError e) {
            throw Failure.of(e, "cannot read the CRL %s: %s", shown, e instanceof StackOverflowError ? "it is nested too deeply" : Text.of(e));
        }
        if (crls.isEmpty()) throw Failure.of("cannot read the CRL %s: it holds no CRL (expected a PEM \"X509 CRL\" block)", shown);
        return crls;
    }

    static boolean looksLikePem(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).contains("-----BEGIN ");
    }

    /** Every PEM object in the bytes, parsed by Bouncy Castle; damaged data fails with one line. */
    private static List<Object> parse(byte[] bytes, Path file, String what) {
        List<Object> objects = new ArrayList<>();
        Reader r = new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.US_ASCII);
        try (PEMParser parser = new PEMParser(r)) {
            for (Object o; (o = parser.readObject()) != null; ) objects.add(o);
        } catch (Exception | StackOverflowError e) {
            throw Failure.of(e, "cannot read %s %s: the PEM data is damaged or truncated (%s)", what, Text.escape(file.toString()),
                    e instanceof StackOverflowError ? "nested too deeply" : Text.of(e));
        }
        return objects;
    }

    /** The PEM block types in a file, to say what was found instead of what was expected. */
    static String kinds(byte[] bytes) {
        var m = java.util.regex.Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----").matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        StringJoiner kinds = new StringJoiner(", ");
        while (m.find()) kinds.add(m.group(1));
        return kinds.length() == 0 ? "no PEM block found" : "found: " + kinds;
    }

    // ---------------------------------------------------------------- writing

    /**
     * A private key as PKCS#8 PEM; with a password, encrypted with AES-256-CBC and PBKDF2-HMAC-SHA256,
     * which OpenSSL 3 reads. BC's defaults (SHA-1, 2048 rounds) are too weak.
     */
    public static String key(PrivateKey key, char[] password) {
        if (password == null) return Certs.pem(key);
        try {
            var enc = new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                    .setProvider(bc())
                    .setPRF(JcaPKCS8Generator.PRF_HMACSHA256)
                    .setIterationCount(KDF_ROUNDS)
                    .setRandom(Keys.RANDOM)
                    .setPassword(password)
                    .build();
            StringWriter sw = new StringWriter();
            try (PemWriter w = new PemWriter(sw)) {
                w.writeObject(new JcaPKCS8Generator(key, enc).generate());
            }
            return sw.toString();
        } catch (Exception e) {
            throw Failure.of(e, "cannot encrypt the private key: %s", Text.of(e));
        }
    }

    /** Certificates as PEM, one after the other (a leaf first, then its chain). */
    public static String certificates(List<X509Certificate> certs) {
        StringBuilder s = new StringBuilder();
        for (X509Certificate c : certs) s.append(Certs.pem(c));
        return s.toString();
    }

    /**
     * A PKCS#12 bundle with the JDK's modern defaults (PBES2, AES-256, HMAC-SHA256): openssl 3 and
     * keytool read it with no -legacy flag, unlike mkcert's RC2 bundles.
     */
    public static byte[] pkcs12(String alias, PrivateKey key, X509Certificate cert, List<X509Certificate> caChain, char[] password) {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            List<Certificate> entry = new ArrayList<>(List.of(cert));
            entry.addAll(caChain);
            ks.setKeyEntry(alias, key, password, entry.toArray(new Certificate[0]));
            var bytes = new ByteArrayOutputStream();
            ks.store(bytes, password);
            return bytes.toByteArray();
        } catch (Exception e) {
            throw Failure.of(e, "cannot write the PKCS#12 bundle: %s", Text.of(e));
        }
    }

    private static BouncyCastleProvider bcProvider;

    /** The BC provider, made only when a key is encrypted or decrypted: constructing it costs ~0.5 s. */
    static synchronized BouncyCastleProvider bc() {
        if (bcProvider == null) bcProvider = new BouncyCastleProvider();
        return bcProvider;
    }
}
