// Keys.java: the key types we make and accept, key generation, and whether a key pair belongs together.
// Keys come from the JDK's own providers: constructing Bouncy Castle's provider costs ~0.5 s of
// start-up, and the JDK generates RSA, EC and Ed25519 keys itself.

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Locale;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.params.RSAPrivateCrtKeyParameters;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

public final class Keys {
    private Keys() {}

    static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The key types: RSA (2048 by default; Apple and the CA/Browser Forum refuse fewer bits), EC on
     * the NIST curves every TLS stack offers (P-256 by default), and Ed25519 (no size).
     */
    public enum KeyType {
        RSA(2048), EC(256), ED25519(0);

        public final int defaultSize;

        KeyType(int defaultSize) { this.defaultSize = defaultSize; }

        /** rsa, ec or ed25519, in any case. */
        public static KeyType parse(String name) {
            for (KeyType t : values()) if (t.name().equalsIgnoreCase(name)) return t;
            throw Failure.of("'%s' is not a key type we make: use rsa, ec or ed25519", name);
        }

        /** The type of a JDK key; null for anything else (DSA, X25519, ...). */
        public static KeyType of(Key key) {
            String alg = key.getAlgorithm();
            if (alg.equals("RSA")) return RSA;
            if (alg.equals("EC")) return EC;
            if (alg.equals("EdDSA") || alg.equals("Ed25519")) return ED25519;
            return null;
        }

        @Override public String toString() { return name().toLowerCase(Locale.ROOT); }
    }

    /** Refuses a size that does not fit the type: RSA 2048 to 8192 bits, EC 256 (P-256) or 384 (P-384), none for Ed25519. */
    public static void checkSize(KeyType type, Integer size) {
        if (size == null) return;
        if (type == KeyType.RSA && (size < 2048 || size > 8192 || size % 8 != 0))
            throw Failure.of("%d bits is not a valid RSA size: use 2048, 3072 or 4096", size);
        // No P-521: Chrome and BoringSSL dropped it from TLS, so a P-521 certificate fails there.
        if (type == KeyType.EC && size != 256 && size != 384)
            throw Failure.of("%d is not a supported EC curve: use 256 (P-256) or 384 (P-384)", size);
        if (type == KeyType.ED25519) throw Failure.of("an Ed25519 key has no size to choose");
    }

    /** A new key pair; size is bits for RSA (2048 to 8192) or the curve for EC (256 or 384), null for the default. */
    public static KeyPair generate(KeyType type, Integer size) {
        checkSize(type, size);
        int bits = size == null ? type.defaultSize : size;
        try {
            switch (type) {
                case RSA: {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(bits, RANDOM);
                    return g.generateKeyPair();
                }
                case EC: {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec("secp" + bits + "r1"), RANDOM);
                    return g.generateKeyPair();
                }
                default:
                    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            }
        } catch (GeneralSecurityException e) {
            throw Failure.of(e, "cannot generate a %s key: %s", type, Text.of(e));
        }
    }

    /** Bits of an RSA key, the curve size of an EC key, 256 for Ed25519, 0 for other kinds. */
    public static int size(Key k) {
        if (k instanceof RSAKey) return ((RSAKey) k).getModulus().bitLength();
        if (k instanceof ECKey) return ((ECKey) k).getParams().getCurve().getField().getFieldSize();
        return KeyType.of(k) == KeyType.ED25519 ? 256 : 0;
    }

    /** RSA 2048 bits, EC P-256, Ed25519: the kind and size, never the key. */
    public static String describe(Key k) {
        KeyType t = KeyType.of(k);
        if (t == KeyType.RSA) return "RSA " + size(k) + " bits";
        if (t == KeyType.EC) return "EC P-" + size(k);
        if (t == KeyType.ED25519) return "Ed25519";
        return k.getAlgorithm();
    }

    /** True when the private key belongs to the public key: sign a random challenge and verify it. */
    public static boolean matches(PrivateKey priv, PublicKey pub) {
        if (KeyType.of(priv) == null || KeyType.of(priv) != KeyType.of(pub)) return false;
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            String alg = Certs.signatureAlgorithm(priv);
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

    /**
     * The public half of a private key, for a key whose certificate was lost (an interrupted run
     * that is resumed). PKCS#8 files written by the JDK hold no public key, so it is computed.
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
                throw Failure.of("cannot use a %s key: use RSA, EC or Ed25519", key.getAlgorithm());
            byte[] spki = SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub).getEncoded();
            return KeyFactory.getInstance(key.getAlgorithm()).generatePublic(new X509EncodedKeySpec(spki));
        } catch (Failure f) {
            throw f;
        } catch (Exception e) {
            throw Failure.of(e, "cannot compute the public key of a %s key: %s", key.getAlgorithm(), Text.of(e));
        }
    }
}
