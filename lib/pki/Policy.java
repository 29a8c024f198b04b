// Policy.java: the rules around the profile of lib/pki/Certs.java, kept out of it so that Certs reads
// as the profile alone: which signatures are weak, when a CA may sign, and the dates a certificate
// gets (backdated start, the year-9999 end, Apple's 825 days). Needs the JDK, Bouncy Castle, Certs
// and Describe.

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Set;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

public final class Policy {
    private Policy() {}

    // ---------------------------------------------------------------- keys and signatures

    /**
     * The floor for every key we sign or sign with: RSA of 2048 bits or more (Apple; OpenSSL's
     * security level 2, Debian's default), EC on P-256, P-384 or P-521, or Ed25519. DSA and
     * smaller keys are refused, as step and cfssl refuse them.
     */
    public static void checkKeyStrength(PublicKey key, String whose) {
        if (key instanceof RSAKey) {
            int bits = ((RSAKey) key).getModulus().bitLength();
            if (bits < 2048) throw new Certs.Refused(whose + " is an RSA key of " + bits + " bits; the floor is 2048 (Apple, OpenSSL security level 2)");
        } else if (key instanceof ECKey) {
            int bits = ((ECKey) key).getParams().getCurve().getField().getFieldSize();
            if (bits != 256 && bits != 384 && bits != 521)
                throw new Certs.Refused(whose + " is an EC key on a " + bits + "-bit curve; use P-256, P-384 or P-521");
        } else if (key instanceof java.security.interfaces.EdECKey ed ? !ed.getParams().getName().equals("Ed25519")
                : !key.getAlgorithm().equals("Ed25519")) {
            throw new Certs.Refused(whose + " is a " + key.getAlgorithm() + " key; only RSA (2048 bits or more), EC and Ed25519 are signed");
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

    // ---------------------------------------------------------------- dates

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
        if (end.isAfter(MAX_NOT_AFTER)) throw new Certs.Refused(days + " days ends after the year 9999, the last date a certificate can hold");
        return end;
    }

    // ---------------------------------------------------------------- the CA that signs

    /**
     * Refuses a CA certificate whose certificates would never verify, or would be weak: not a CA,
     * no keyCertSign, outside its validity, a key under the floor, a MD5 or SHA-1 signature, or a
     * root whose own signature fails (a byte of it changed).
     */
    public static void checkSigningCa(X509Certificate ca, Instant now) {
        if (ca.getBasicConstraints() < 0) throw new Certs.Refused("it is not a CA certificate (its basicConstraints lacks CA:TRUE)");
        boolean[] ku = ca.getKeyUsage();
        if (ku != null && (ku.length < 6 || !ku[5])) throw new Certs.Refused("it may not sign certificates: its keyUsage lacks keyCertSign");
        if (now.isAfter(ca.getNotAfter().toInstant())) throw new Certs.Refused("it expired on " + Describe.utc(ca.getNotAfter().toInstant()));
        if (now.isBefore(ca.getNotBefore().toInstant()))
            throw new Certs.Refused("it is not valid before " + Describe.utc(ca.getNotBefore().toInstant()) + "; check this machine's clock");
        checkKeyStrength(ca.getPublicKey(), "its key");
        if (weakSignature(ca.getSigAlgName()))
            throw new Certs.Refused("it is signed with " + ca.getSigAlgName() + ", which Go, Chrome and Apple refuse in a chain");
        if (claimsToBeRoot(ca) && !Certs.selfSigned(ca))
            throw new Certs.Refused("it is damaged: its own signature does not verify");
    }

    /**
     * A root names itself as issuer, or has no AKI, or an AKI equal to its SKI (what ca.java, openssl
     * and mkcert write). A damaged byte in the names leaves the key ids, so this still holds.
     */
    static boolean claimsToBeRoot(X509Certificate ca) {
        if (ca.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) return true;
        var ext = Certs.holder(ca).getExtensions();
        var aki = ext == null ? null : AuthorityKeyIdentifier.fromExtensions(ext);
        var ski = ext == null ? null : SubjectKeyIdentifier.fromExtensions(ext);
        return aki == null || aki.getKeyIdentifierOctets() == null
                || (ski != null && java.util.Arrays.equals(aki.getKeyIdentifierOctets(), ski.getKeyIdentifier()));
    }
}
