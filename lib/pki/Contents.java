// Contents.java: what a PKI file holds, in words, as inspect.java shows it: certificates (with the
// days they have left and whether each signed the one before), CSRs (with their signature checked),
// private keys (their form, type and size, and the certificate they belong to; never a byte of the
// key) and PKCS#12 bundles (their ciphers and entries). Names are escaped through Names and Text.
// Needs: Describe, Csr, Keys, Names, Pem, Certs, Der, Text, Failure; the JDK and Bouncy Castle.

import java.io.ByteArrayInputStream;
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
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import java.util.function.Supplier;
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

public final class Contents {
    private Contents() {}

    /** A certificate and where it came from, for "belongs to certs/service-a.crt". */
    public record Named(X509Certificate cert, String source) {}

    // ---------------------------------------------------------------- certificates

    /** Every certificate of a file or chain, numbered, each with whether the next one signed it. */
    public static String certificates(String source, List<X509Certificate> certs) {
        StringBuilder s = new StringBuilder();
        s.append(source).append(": ").append(certs.size() == 1 ? "1 certificate" : certs.size() + " certificates (a chain)").append('\n');
        for (int i = 0; i < certs.size(); i++) Der.checkNesting(certs.get(i), Text.escape(source) + ": certificate " + (i + 1));
        for (int i = 0; i < certs.size(); i++) {
            X509Certificate c = certs.get(i);
            s.append("Certificate ").append(i + 1).append(" (").append(role(c)).append("):\n");
            s.append(certificate(c, Instant.now()));
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
    public static String certificate(X509Certificate c, Instant now) {
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
    public static String csr(String source, PKCS10CertificationRequest req) {
        StringBuilder s = new StringBuilder(source + ": certificate signing request\n");
        s.append(String.format("  %-30s %s%n", "Subject:", req.getSubject().getRDNs().length == 0 ? "(empty)" : Names.dn(req.getSubject())));
        PublicKey key = null;
        try {
            key = new JcaPEMKeyConverter().getPublicKey(req.getSubjectPublicKeyInfo());
            s.append(String.format("  %-30s %s%n", "Key:", Keys.describe(key)));
        } catch (Exception e) {
            s.append(String.format("  %-30s unreadable (%s)%n", "Key:", Der.plain(e)));
        }
        s.append(String.format("  %-30s %s%n", "Signature:", csrSignature(req, key)));
        List<Extension> requested;
        try {
            requested = Csr.requestedExtensions(req);
        } catch (Certs.Refused r) { // the words issue.java gives when asked to sign it
            throw Failure.of("cannot show the CSR %s: %s", Text.escape(source), r.getMessage());
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
            return alg + ", cannot be checked (" + Der.plain(e) + ")";
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
     * to. Never a single byte of the key itself. An encrypted key without a password is described
     * as far as that goes, without failing.
     */
    public static String keyFile(Path file, byte[] bytes, Set<String> labels, Supplier<char[]> password, List<Named> certs,
                                 String howToGiveThePassword) {
        StringBuilder s = new StringBuilder(file + ": private key\n");
        boolean encrypted = Pem.isEncryptedKey(bytes);
        s.append(String.format("  %-30s %s%n", "Form:", keyForm(labels, bytes)));
        if (encrypted && password == null) {
            s.append(String.format("  %-30s %s%n", "Key:", "encrypted; " + howToGiveThePassword + " to see its type and size "
                    + "and which certificate it belongs to"));
            return s.toString();
        }
        PrivateKey key = Pem.privateKey(file, "private key", password);
        s.append(String.format("  %-30s %s%n", "Key:", privateKey(key)));
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
    public static String privateKey(PrivateKey k) {
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
     * trusted certificate. Tries the password given, else issue.java's default "changeit", else none;
     * fails with WRONG_PASSWORD (one given) or PASSWORD_NEEDED (none given) when none opens it.
     */
    public static String pkcs12(Path file, byte[] bytes, char[] password) {
        StringBuilder s = new StringBuilder(file + ": PKCS#12 file\n");
        s.append(String.format("  %-30s %s%n", "Encryption:", pkcs12Algorithms(bytes)));
        List<char[]> tries = password != null ? List.<char[]>of(password) : List.of("changeit".toCharArray(), new char[0]);
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
            if (password == null)
                s.append(String.format("  %-30s %s%n", "Password:", pw.length == 0 ? "none" : "\"changeit\" (issue.java's default)"));
            s.append(entries);
            return s.toString();
        }
        throw Failure.of(password != null ? Failure.Kind.WRONG_PASSWORD : Failure.Kind.PASSWORD_NEEDED, "cannot open PKCS#12 file %s: %s",
                Text.escape(file.toString()), password != null ? "wrong password" : "it has a password");
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
                    s.append(String.format("Entry \"%s\": private key, %s, %s%n", alias, privateKey(k),
                            certs.isEmpty() ? "with no certificate" : matches ? "belongs to certificate 1 below" : "does NOT belong to certificate 1 below"));
                    if (!certs.isEmpty()) s.append(certificates("Its chain", certs));
                } else if (ks.isCertificateEntry(alias)) {
                    s.append(String.format("Entry \"%s\": trusted certificate%n", alias));
                    s.append(certificate((X509Certificate) ks.getCertificate(alias), Instant.now()));
                }
            }
        } catch (java.security.UnrecoverableKeyException e) {
            throw new Failure(Failure.Kind.WRONG_PASSWORD, "wrong password for the PKCS#12 key", e);
        } catch (Exception e) {
            throw Failure.of(e, "cannot read the PKCS#12 entries: %s", Der.plain(e));
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
            return "unreadable (" + Der.plain(e) + ")";
        }
        String text = String.join(", ", names);
        return text.contains("legacy") ? text + ". Warning: OpenSSL 3 and Node 17+ read this only with -legacy; "
                + "re-export it with AES-256, as issue.java writes its PKCS#12 files" : text;
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
