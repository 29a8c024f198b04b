// Certs.java: the certificates of jbang-mtls, read top to bottom: keys and signatures, validity,
// serial, then the three profiles (root CA, intermediate CA, service certificate), the checks on a
// signing CA, and the CRL (lib/pki/Csr.java checks a CSR made elsewhere). Each extension carries a one-line comment
// naming the verifier rule behind it; docs/PROFILE.md has the whole profile with its sources.
//
// This file stands alone: copy it into your project with org.bouncycastle:bcpkix-jdk18on and you
// make the same certificates as ca.java and issue.java. It uses nothing else of this project.
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

public final class Certs {
    private Certs() {}

    /** Input this profile refuses (a weak key, a CA that cannot sign, a damaged CSR), said in plain words. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) { super(message); }
        public Refused(String message, Throwable cause) { super(message, cause); }
    }

    static final SecureRandom RANDOM = new SecureRandom();

    // ---------------------------------------------------------------- 1. keys and signatures

    /** The signature a CA key makes: always SHA-2 (Apple, Go and Chrome refuse SHA-1). */
    public static String signatureAlgorithm(PrivateKey signer) {
        switch (signer.getAlgorithm()) {
            case "RSA": return "SHA256withRSA";
            case "EC": {
                int bits = ((ECKey) signer).getParams().getCurve().getField().getFieldSize();
                return bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
            }
            case "EdDSA": case "Ed25519": return "Ed25519";
            default: throw new Refused("cannot sign with a " + signer.getAlgorithm() + " key: use RSA, EC or Ed25519");
        }
    }

    /**
     * The floor for every key we sign or sign with: RSA of 2048 bits or more (Apple; OpenSSL's
     * security level 2, Debian's default), EC on P-256, P-384 or P-521, or Ed25519. DSA and
     * smaller keys are refused, as step and cfssl refuse them.
     */
    public static void checkKeyStrength(PublicKey key, String whose) {
        if (key instanceof RSAKey) {
            int bits = ((RSAKey) key).getModulus().bitLength();
            if (bits < 2048) throw new Refused(whose + " is an RSA key of " + bits + " bits; the floor is 2048 (Apple, OpenSSL security level 2)");
        } else if (key instanceof ECKey) {
            int bits = ((ECKey) key).getParams().getCurve().getField().getFieldSize();
            if (bits != 256 && bits != 384 && bits != 521)
                throw new Refused(whose + " is an EC key on a " + bits + "-bit curve; use P-256, P-384 or P-521");
        } else if (key instanceof java.security.interfaces.EdECKey ed ? !ed.getParams().getName().equals("Ed25519")
                : !key.getAlgorithm().equals("Ed25519")) {
            throw new Refused(whose + " is a " + key.getAlgorithm() + " key; only RSA (2048 bits or more), EC and Ed25519 are signed");
        }
    }

    /** MD2, MD5 and SHA-1 signatures, by the names and OIDs the JDK and Bouncy Castle use: forgeable, refused by Go, Chrome and Apple. */
    public static boolean weakSignature(String algorithm) {
        String a = algorithm.toUpperCase(Locale.ROOT).replace("-", "");
        return a.startsWith("MD2") || a.startsWith("MD5") || a.startsWith("SHA1") || a.contains("WITHSHA1")
                || WEAK_SIGNATURE_OIDS.contains(algorithm);
    }

    /** md2-, md5- and sha1WithRSAEncryption, ecdsa-with-SHA1, dsa-with-sha1. */
    private static final Set<String> WEAK_SIGNATURE_OIDS = Set.of("1.2.840.113549.1.1.2", "1.2.840.113549.1.1.4",
            "1.2.840.113549.1.1.5", "1.2.840.10045.4.1", "1.2.840.10040.4.3");

    // ---------------------------------------------------------------- 2. validity and serial

    /** Apple refuses TLS server certificates valid for more than 825 days (support.apple.com/103769). */
    public static final int APPLE_MAX_DAYS = 825;

    /** The last instant X.509 can express: GeneralizedTime has four year digits (RFC 5280 4.1.2.5). */
    public static final Instant MAX_NOT_AFTER = Instant.parse("9999-12-31T23:59:59Z");

    /** Validity starts five minutes back, so a peer whose clock lags a little accepts it at once. */
    public static Instant backdated(Instant now) {
        return now.truncatedTo(ChronoUnit.SECONDS).minus(5, ChronoUnit.MINUTES);
    }

    /** notBefore plus days; refused when that passes the year 9999. */
    public static Instant notAfter(Instant notBefore, int days) {
        Instant end = notBefore.plus(days, ChronoUnit.DAYS);
        if (end.isAfter(MAX_NOT_AFTER)) throw new Refused(days + " days ends after the year 9999, the last date a certificate can hold");
        return end;
    }

    /**
     * A random positive serial of 127 bits: RFC 5280 4.1.2.2 wants it positive and at most 20
     * octets, the CA/Browser Forum at least 64 random bits. Never a counter file (openssl -CAcreateserial).
     */
    public static BigInteger randomSerial() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        bytes[0] &= 0x7f; // top bit cleared: the DER integer stays positive and at most 16 octets long
        BigInteger serial = new BigInteger(1, bytes);
        return serial.signum() == 0 ? BigInteger.ONE : serial;
    }

    // ---------------------------------------------------------------- 3. a root CA

    /** A self-signed root CA; pathLen null puts no limit on the CAs below it. */
    public static X509Certificate root(KeyPair kp, X500Name subject, Instant notBefore, Instant notAfter, Integer pathLen) {
        return ca(kp.getPublic(), subject, null, kp.getPrivate(), notBefore, notAfter, pathLen, List.of());
    }

    // ---------------------------------------------------------------- 4. an intermediate CA

    /**
     * A CA signed by parent, so that the root's key can stay offline. permitted, when not empty,
     * limits the names it may sign (RFC 5280 4.2.1.10).
     */
    public static X509Certificate intermediate(PublicKey key, X500Name subject, X509Certificate parent, PrivateKey parentKey,
                                               Instant notBefore, Instant notAfter, Integer pathLen, List<GeneralSubtree> permitted) {
        return ca(key, subject, parent, parentKey, notBefore, notAfter, pathLen, permitted);
    }

    private static X509Certificate ca(PublicKey key, X500Name subject, X509Certificate parent, PrivateKey signerKey,
                                      Instant notBefore, Instant notAfter, Integer pathLen, List<GeneralSubtree> permitted) {
        X500Name issuer = parent == null ? subject : holder(parent).getSubject();
        var b = new JcaX509v3CertificateBuilder(issuer, randomSerial(), Date.from(notBefore), Date.from(notAfter), subject, key);
        try {
            var ext = new JcaX509ExtensionUtils();
            // Critical CA:TRUE: -x509_strict error 89 when not critical (RFC 5280 4.2.1.9).
            b.addExtension(Extension.basicConstraints, true, pathLen == null ? new BasicConstraints(true) : new BasicConstraints(pathLen));
            // keyCertSign and cRLSign, critical: -x509_strict error 92 for a CA without keyUsage (RFC 5280 4.2.1.3).
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            // SKI, not critical: -x509_strict error 86 without it; each certificate it signs carries it as its AKI.
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            // AKI on all but a root: -x509_strict error 85 without it (RFC 5280 4.2.1.1).
            if (parent != null) b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId(parent));
            // Name constraints are critical (RFC 5280 4.2.1.10), so a verifier that cannot read them refuses.
            if (!permitted.isEmpty())
                b.addExtension(Extension.nameConstraints, true, new NameConstraints(permitted.toArray(new GeneralSubtree[0]), null));
            return sign(b, signerKey);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new Refused("cannot create the CA certificate: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- 5. a service certificate

    /** Which extended key usages a service certificate gets. In mTLS a service both serves and calls. */
    public enum Usage { SERVER_AND_CLIENT, SERVER, CLIENT }

    /**
     * A service certificate signed by ca. sans become the subjectAltName, which is what clients
     * match a host name against (Chrome 58+, Go, Apple); sanCritical when the subject has no CN.
     */
    public static X509Certificate leaf(PublicKey key, X500Name subject, List<GeneralName> sans, boolean sanCritical, Usage usage,
                                       X509Certificate ca, PrivateKey caKey, Instant notBefore, Instant notAfter) {
        var b = new JcaX509v3CertificateBuilder(holder(ca).getSubject(), randomSerial(), Date.from(notBefore), Date.from(notAfter),
                subject, key);
        try {
            var ext = new JcaX509ExtensionUtils();
            // CA:FALSE: this certificate signs nothing (a leaf with keyCertSign is -x509_strict error 82).
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            // digitalSignature signs the TLS handshake; keyEncipherment for RSA's TLS 1.2 key transport.
            // Critical, and enforced by Chrome 124+ for RSA keys under local roots (RFC 5280 4.2.1.3).
            int ku = KeyUsage.digitalSignature | (key.getAlgorithm().equals("RSA") ? KeyUsage.keyEncipherment : 0);
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ku));
            // serverAuth and/or clientAuth: Apple requires an EKU, OpenSSL -purpose checks it, Go checks the chain.
            b.addExtension(Extension.extendedKeyUsage, false, extendedKeyUsage(usage));
            // The names; critical when there is no CN (RFC 5280 4.2.1.6; -x509_strict error 88).
            b.addExtension(Extension.subjectAlternativeName, sanCritical, new GeneralNames(sans.toArray(new GeneralName[0])));
            // SKI (RFC 5280 4.2.1.2), and the AKI holding the CA's key id (-x509_strict error 85 without it).
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId(ca));
            return sign(b, caKey);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new Refused("cannot create the certificate: " + e.getMessage(), e);
        }
    }

    private static ExtendedKeyUsage extendedKeyUsage(Usage usage) {
        switch (usage) {
            case SERVER: return new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth);
            case CLIENT: return new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth);
            default: return new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth});
        }
    }

    private static X509Certificate sign(JcaX509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            var contentSigner = new JcaContentSignerBuilder(signatureAlgorithm(signer)).build(signer);
            return new JcaX509CertificateConverter().getCertificate(b.build(contentSigner));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- 6. the CA that signs

    /**
     * The AKI of a certificate this CA signs: the CA's own SKI when it has one (a CA made by openssl
     * or mkcert), as RFC 5280 4.2.1.1 wants, else the key id computed from its key.
     */
    public static AuthorityKeyIdentifier authorityKeyId(X509Certificate ca) {
        byte[] ski = ca.getExtensionValue(Extension.subjectKeyIdentifier.getId());
        try {
            if (ski == null) return new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(ca.getPublicKey());
            return new AuthorityKeyIdentifier(SubjectKeyIdentifier.getInstance(
                    ASN1OctetString.getInstance(ski).getOctets()).getKeyIdentifier());
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new Refused("cannot read the CA's key id: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a CA certificate whose certificates would never verify, or would be weak: not a CA,
     * no keyCertSign, outside its validity, a key under the floor, a MD5 or SHA-1 signature, or a
     * root whose own signature fails (a byte of it changed).
     */
    public static void checkSigningCa(X509Certificate ca, Instant now) {
        if (ca.getBasicConstraints() < 0) throw new Refused("it is not a CA certificate (its basicConstraints lacks CA:TRUE)");
        boolean[] ku = ca.getKeyUsage();
        if (ku != null && (ku.length < 6 || !ku[5])) throw new Refused("it may not sign certificates: its keyUsage lacks keyCertSign");
        if (now.isAfter(ca.getNotAfter().toInstant())) throw new Refused("it expired on " + utc(ca.getNotAfter().toInstant()));
        if (now.isBefore(ca.getNotBefore().toInstant()))
            throw new Refused("it is not valid before " + utc(ca.getNotBefore().toInstant()) + "; check this machine's clock");
        checkKeyStrength(ca.getPublicKey(), "its key");
        if (weakSignature(ca.getSigAlgName()))
            throw new Refused("it is signed with " + ca.getSigAlgName() + ", which Go, Chrome and Apple refuse in a chain");
        if (claimsToBeRoot(ca) && !selfSigned(ca))
            throw new Refused("it is damaged: its own signature does not verify");
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
        return signedBy(c, c);
    }

    /** True when issuer's key made c's signature and the names chain up. */
    public static boolean signedBy(X509Certificate c, X509Certificate issuer) {
        if (!c.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) return false;
        try {
            c.verify(issuer.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    // ---------------------------------------------------------------- 7. the CRL

    /**
     * A CRL signed by the CA (RFC 5280 section 5): the previous entries, plus serials revoked now
     * (with a reason code, unless 0), the CRL number after the previous one, and an AKI holding the
     * CA's key id, all of which openssl crl and the JDK's PKIX checker read.
     */
    public static X509CRL crl(X509Certificate ca, PrivateKey caKey, X509CRLHolder previous, List<BigInteger> serials,
                              int reason, Instant thisUpdate, Instant nextUpdate) {
        try {
            var b = new X509v2CRLBuilder(holder(ca).getSubject(), Date.from(thisUpdate));
            b.setNextUpdate(Date.from(nextUpdate));
            if (previous != null) b.addCRL(previous);
            for (BigInteger serial : serials) b.addCRLEntry(serial, Date.from(thisUpdate), reason);
            BigInteger number = BigInteger.ONE;
            if (previous != null && previous.getExtension(Extension.cRLNumber) != null)
                number = CRLNumber.getInstance(previous.getExtension(Extension.cRLNumber).getParsedValue()).getCRLNumber().add(BigInteger.ONE);
            b.addExtension(Extension.cRLNumber, false, new CRLNumber(number));
            b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId(ca));
            var signer = new JcaContentSignerBuilder(signatureAlgorithm(caKey)).build(caKey);
            return new JcaX509CRLConverter().getCRL(b.build(signer));
        } catch (Refused r) {
            throw r;
        } catch (Exception e) {
            throw new Refused("cannot sign the CRL: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- 9. PEM text

    /** PEM text: the label, then base64 in 64-column lines, as RFC 7468 and openssl write it. */
    public static String pem(String label, byte[] der) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + b64 + "\n-----END " + label + "-----\n";
    }

    public static String pem(X509Certificate cert) {
        try {
            return pem("CERTIFICATE", cert.getEncoded());
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unencrypted PKCS#8 key ("PRIVATE KEY"), which OpenSSL, curl, nginx and Spring Boot read. */
    public static String pem(PrivateKey key) {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    /** 2026-11-30 18:11:00 UTC */
    public static String utc(Instant t) {
        return java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(java.time.ZoneOffset.UTC).format(t);
    }

    public static X509CertificateHolder holder(X509Certificate c) {
        try {
            return new X509CertificateHolder(c.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
