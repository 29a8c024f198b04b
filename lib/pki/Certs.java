// Certs.java: the certificate profile of jbang-mtls, read top to bottom: keys and signatures, the
// serial, then a root CA, an intermediate CA, a service certificate, the CRL and PEM text. Each
// extension carries a one-line comment naming the verifier rule behind it; docs/PROFILE.md has the
// whole profile with its sources. The rules around it (weak signatures, when a CA may sign, dates)
// are in lib/pki/Policy.java, the checks on a CSR made elsewhere in lib/pki/Csr.java.
//
// This file stands alone: copy it into your project with org.bouncycastle:bcpkix-jdk18on and you
// make the same certificates as ca.java and issue.java. It uses nothing else of this project.
//DEPS org.bouncycastle:bcpkix-jdk18on:1.82

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.*; // the extensions of RFC 5280 4.2
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

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

    /** The keys a copier may ask for by name; lib/pki/Keys.java offers the same with sizes checked. */
    public enum KeyType { RSA_2048, RSA_3072, RSA_4096, EC_P256, EC_P384, ED25519 }

    /** A new key pair from the JDK's own providers: RSA, EC on a NIST curve, or Ed25519. */
    public static KeyPair newKeyPair(KeyType type) {
        try {
            String name = type.name();
            if (type == KeyType.ED25519) return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            if (name.startsWith("EC_")) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp" + name.substring(4) + "r1"), RANDOM);
                return g.generateKeyPair();
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(Integer.parseInt(name.substring(4)), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new Refused("cannot make a " + type + " key: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- 2. serial

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
     * match a host name against (Chrome 58+, Go, Apple).
     */
    public static X509Certificate leaf(PublicKey key, X500Name subject, List<GeneralName> sans, Usage usage,
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
            // The names; critical when the subject is empty (RFC 5280 4.2.1.6; -x509_strict error 88).
            b.addExtension(Extension.subjectAlternativeName, subject.getRDNs().length == 0, new GeneralNames(sans.toArray(new GeneralName[0])));
            // SKI (RFC 5280 4.2.1.2), and the AKI holding the CA's key id (-x509_strict error 85 without it).
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
            b.addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId(ca));
            return sign(b, caKey);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new Refused("cannot create the certificate: " + e.getMessage(), e);
        }
    }

    /** The same for names as text, "service-a.example.com" or "127.0.0.1", with the first one as CN. */
    public static X509Certificate leaf(PublicKey key, List<String> names, Usage usage, X509Certificate ca, PrivateKey caKey,
                                       Instant notBefore, Instant notAfter) {
        X500Name subject = names.get(0).length() <= 64 ? new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String(names.get(0)))})
                : new X500Name(new RDN[0]); // a CN holds at most 64 characters (RFC 5280 appendix A)
        return leaf(key, subject, sans(names), usage, ca, caKey, notBefore, notAfter);
    }

    /** Names as SANs: an IP address as iPAddress, a@b as rfc822Name, x://y as a URI, else a DNS name. */
    public static List<GeneralName> sans(List<String> names) {
        return names.stream().map(n -> new GeneralName(IPAddress.isValid(n) ? GeneralName.iPAddress
                : n.contains("://") ? GeneralName.uniformResourceIdentifier : n.contains("@") ? GeneralName.rfc822Name
                : GeneralName.dNSName, n)).toList();
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

    // ---------------------------------------------------------------- 8. PEM text

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

    public static X509CertificateHolder holder(X509Certificate c) {
        try {
            return new X509CertificateHolder(c.getEncoded());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
