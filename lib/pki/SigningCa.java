// SigningCa.java: the CA that signs, loaded one way for every command that signs (issuing, an
// intermediate, a CRL): read its certificate and the chain above it, check that it may sign, read
// its key and check that the two belong together, with one set of messages. Also the CA a folder
// gets on first use, the certificates a CA signed (what replacing it orphans), and its CRL.
// Needs the JDK, Bouncy Castle, and Certs, Policy, Keys, Pem, Names, SafeFiles, Pki of lib/pki.

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.NameConstraintValidatorException;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PKIXNameConstraintValidator;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;

/**
 * The CA that signs, with the chain above it, all checked before any key is made or file written;
 * made, with its files still to write, when the folder had none.
 */
public record SigningCa(Path file, List<X509Certificate> chain, PrivateKey key, List<SafeFiles.OutFile> made) {

    /** A CA that may not sign (not a CA, expired, weak...): the caller adds what to do about it. */
    public static final class Unusable extends Failure {
        public final Path certFile;

        Unusable(Path certFile, Certs.Refused why) {
            super(Kind.INPUT, String.format("cannot sign with the CA %s: %s", certFile, why.getMessage()), why);
            this.certFile = certFile;
        }
    }

    public X509Certificate cert() {
        return chain.get(0);
    }

    /** Whether the chain reaches a root, which a chain file (leaf, intermediates, root) needs. */
    public boolean reachesRoot() {
        return Certs.selfSigned(chain.get(chain.size() - 1));
    }

    /** The folder a CA made on first use was written to. */
    public Path folder() {
        return file.getParent() == null ? Path.of(".") : file.getParent();
    }

    /**
     * The CA of certFile and keyFile: read, checked that it may sign now, its key read (password
     * asked only when the key is encrypted) and checked to be its own.
     */
    public static SigningCa load(Path certFile, Path keyFile, Supplier<char[]> password) {
        if (!Files.exists(certFile, LinkOption.NOFOLLOW_LINKS) && certFile.getParent() != null)
            new Pki(certFile.getParent()).refuseNearMiss(false);
        List<X509Certificate> chain = chain(Pem.certificates(certFile, "CA certificate"), certFile);
        try {
            Policy.checkSigningCa(chain.get(0), Instant.now());
        } catch (Certs.Refused r) {
            throw new Unusable(certFile, r);
        }
        PrivateKey key = Pem.privateKey(keyFile, "CA key", password);
        if (!Keys.matches(key, chain.get(0).getPublicKey()))
            throw Failure.of("CA key %s does not belong to CA certificate %s (their public keys differ)", keyFile, certFile);
        return new SigningCa(certFile, chain, key, List.of());
    }

    /**
     * The folder's CA, or, when the folder holds none, a new root CA as mkcert and minica make theirs
     * on first use (what ca.java makes with no options). Its files are written with the certificates
     * it signs, so a run that fails writes neither. A folder that does not exist while one of a near
     * name holds a CA is refused (Pki.nearMiss): a typo must not start a second PKI.
     */
    public static SigningCa loadOrMake(Pki pki, Supplier<char[]> password) {
        if (Files.exists(pki.caCert(), LinkOption.NOFOLLOW_LINKS) || Files.exists(pki.caKey(), LinkOption.NOFOLLOW_LINKS))
            return load(pki.caCert(), pki.caKey(), password);
        pki.refuseNearMiss(true);
        Instant notBefore = Policy.backdated(Instant.now());
        return newRoot(pki, Names.withCn(new X500Name(new RDN[0]), Names.defaultCaName("root CA")),
                Keys.generate(Keys.KeyType.RSA, null), notBefore, Policy.notAfter(notBefore, 3650), null, null);
    }

    /**
     * A new root CA for the folder, its files (DIR/ca.key, encrypted with password unless null, then
     * DIR/ca.crt) still to write with write() or with the certificates it signs.
     */
    public static SigningCa newRoot(Pki pki, X500Name subject, KeyPair kp, Instant notBefore, Instant notAfter, Integer pathLen,
                                    char[] password) {
        X509Certificate root = Certs.root(kp, subject, notBefore, notAfter, pathLen);
        return new SigningCa(pki.caCert(), List.of(root), kp.getPrivate(), List.of( // the key first: see SafeFiles.writeAll
                SafeFiles.OutFile.key(pki.caKey(), Pem.key(kp.getPrivate(), password)), SafeFiles.OutFile.cert(pki.caCert(), Certs.pem(root))));
    }

    /**
     * A new intermediate CA, DIR/NAME.crt and DIR/NAME.key (encrypted with password unless null),
     * signed by this CA, its files still to write. It ends no later than this CA: a certificate is no
     * longer valid than its chain (RFC 5280 6.1.3). permitted, when not empty, limits the names it signs.
     */
    public SigningCa newIntermediate(Pki pki, String name, X500Name subject, KeyPair kp, Instant notBefore, Instant notAfter,
                                     int pathLen, List<org.bouncycastle.asn1.x509.GeneralSubtree> permitted, char[] password) {
        Instant end = notAfter.isAfter(cert().getNotAfter().toInstant()) ? cert().getNotAfter().toInstant() : notAfter;
        X509Certificate c = Certs.intermediate(kp.getPublic(), subject, cert(), key, notBefore, end, pathLen, permitted);
        List<X509Certificate> withChain = new ArrayList<>(List.of(c));
        withChain.addAll(chain);
        return new SigningCa(pki.cert(name), withChain, kp.getPrivate(), List.of( // the key first: see SafeFiles.writeAll
                SafeFiles.OutFile.key(pki.key(name), Pem.key(kp.getPrivate(), password)), SafeFiles.OutFile.cert(pki.cert(name), Certs.pem(c))));
    }

    /** Writes the files of a CA just made; replace keeps what was there as .bak. Returns those backups. */
    public List<Path> write(boolean replace) {
        return SafeFiles.writeAll(made, replace);
    }

    /**
     * The signing CA followed by its issuers, up to the root as far as they are found: the certificates
     * after it in its file, then ca.crt beside it (where ca.java intermediate leaves its root).
     */
    static List<X509Certificate> chain(List<X509Certificate> caFileCerts, Path caFile) {
        List<X509Certificate> chain = new ArrayList<>(List.of(caFileCerts.get(0)));
        if (Certs.selfSigned(chain.get(0))) return chain;
        List<X509Certificate> candidates = new ArrayList<>(caFileCerts.subList(1, caFileCerts.size()));
        Path root = caFile.resolveSibling("ca.crt");
        try {
            if (!root.equals(caFile) && Files.isRegularFile(root)) candidates.addAll(Pem.certificates(root, "root CA certificate"));
        } catch (Failure unreadable) {
            // only a chain file needs the root, and reachesRoot() says when it is missing
        }
        for (X509Certificate top = chain.get(0); !Certs.selfSigned(top) && chain.size() < 8; ) {
            X509Certificate up = null;
            for (X509Certificate c : candidates) if (!chain.contains(c) && Certs.signedBy(top, c)) up = c;
            if (up == null) break;
            chain.add(up);
            top = up;
        }
        return chain;
    }

    /**
     * Refuses, before any key is made, a name that a CA in the chain may not sign: every verifier would
     * refuse the certificate (OpenSSL: "permitted subtree violation", error 47; RFC 5280 4.2.1.10).
     */
    public void checkNameConstraints(List<GeneralName> sans) {
        for (X509Certificate ca : chain) {
            Extension e = Certs.holder(ca).getExtension(Extension.nameConstraints);
            if (e == null) continue;
            NameConstraints nc = NameConstraints.getInstance(e.getParsedValue());
            var validator = new PKIXNameConstraintValidator();
            if (nc.getPermittedSubtrees() != null) validator.intersectPermittedSubtree(nc.getPermittedSubtrees());
            if (nc.getExcludedSubtrees() != null) for (var t : nc.getExcludedSubtrees()) validator.addExcludedSubtree(t);
            for (GeneralName n : sans) {
                try {
                    validator.checkPermitted(n);
                    validator.checkExcluded(n);
                } catch (NameConstraintValidatorException ex) {
                    String which = ca == cert() ? "the CA " + file : "\"" + Names.subject(ca) + "\" above " + file;
                    throw Failure.of("%s is outside the names %s may sign: its name constraints are %s", Names.san(n), which,
                            Names.nameConstraints(nc));
                }
            }
        }
    }

    // ---------------------------------------------------------------- what a CA signed

    /**
     * The certificates in dir that the CA of caFile signed (its key verifies their signature), sorted:
     * what replacing that CA orphans. Intermediates are listed with the others; chain files are not.
     */
    public static List<Path> signedBy(Path dir, Path caFile) {
        if (!Files.isRegularFile(caFile) || !Files.isDirectory(dir)) return List.of();
        X509Certificate ca;
        try {
            ca = Pem.certificate(caFile, "CA certificate");
        } catch (Failure unreadable) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted(Comparator.comparing(Path::toString)).toList()) {
                String n = p.getFileName().toString();
                if (!n.endsWith(".crt") || n.endsWith("-chain.crt") || p.equals(caFile) || !Files.isRegularFile(p)) continue;
                try {
                    X509Certificate c = Pem.certificate(p, "certificate");
                    if (Certs.signedBy(c, ca) && !Certs.selfSigned(c)) found.add(p);
                } catch (Failure notOne) {
                    // not a certificate of ours: not an orphan either
                }
            }
        } catch (java.io.IOException e) {
            return found;
        }
        return found;
    }

    /** Whether the certificate file holds a CA (an intermediate) rather than a service certificate. */
    public static boolean isCa(Path certFile) {
        try {
            return Pem.certificate(certFile, "certificate").getBasicConstraints() >= 0;
        } catch (Failure f) {
            return false;
        }
    }

    /** Whether the key beside a certificate is encrypted, so that re-issuing it needs its password. */
    public static boolean encryptedKeyBeside(Path certFile) {
        Path key = Pki.keyBeside(certFile);
        try {
            return Files.isRegularFile(key) && Pem.isEncryptedKey(Pem.read(key, "key"));
        } catch (Failure unreadable) {
            return false; // renew will say what is wrong with it
        }
    }

    // ---------------------------------------------------------------- its CRL

    /** The CRL beside the CA: DIR/ca.crl for DIR/ca.crt, DIR/sub-ca.crl for DIR/sub-ca.crt. */
    public Path crlFile() {
        return file.resolveSibling(Pki.name(file) + ".crl");
    }

    /** The existing CRL, which must be this CA's: signed by its key and naming it as issuer. */
    public X509CRLHolder readCrl(Path crlFile) {
        X509CRLHolder crl;
        try {
            crl = new X509CRLHolder(encoded(Pem.crls(crlFile).get(0)));
        } catch (Failure f) {
            throw Failure.of(f, "%s; move it aside to start a new one", f.getMessage());
        } catch (Exception e) {
            throw Failure.of(e, "cannot read the CRL %s: %s; move it aside to start a new one", crlFile, Text.of(e));
        }
        try {
            if (!crl.getIssuer().equals(Certs.holder(cert()).getSubject())
                    || !crl.isSignatureValid(new JcaContentVerifierProviderBuilder().build(cert().getPublicKey())))
                throw new IllegalArgumentException();
        } catch (Exception e) {
            throw Failure.of("the CRL %s was not signed by the CA %s (was the CA replaced?); move it aside to start a new one", crlFile, file);
        }
        return crl;
    }

    /** A certificate this CA signed; any other would be listed in vain, since no server would look for it here. */
    public boolean issued(X509Certificate c) {
        return Certs.signedBy(c, cert());
    }

    /** The CRL with the previous entries and serials revoked now, next update at nextUpdate. */
    public X509CRL crl(X509CRLHolder previous, List<BigInteger> serials, int reason, Instant now, Instant nextUpdate) {
        return Certs.crl(cert(), key, previous, serials, reason, now, nextUpdate);
    }

    /**
     * A service in dir that this CA signed, may serve TLS and is not in crl, by name (NAME of NAME.crt,
     * its key beside it), for a command to show with the CRL: one that also calls other services
     * (clientAuth too) and whose key needs no password, when there is one.
     */
    public java.util.Optional<String> service(Path dir, X509CRL crl) {
        Path best = null;
        int bestRank = Integer.MAX_VALUE;
        for (Path p : signedBy(dir, file)) {
            try {
                X509Certificate c = Pem.certificate(p, "certificate");
                List<String> eku = c.getExtendedKeyUsage(); // none: any use; .1 is serverAuth, .2 clientAuth
                boolean server = eku == null || eku.contains("1.3.6.1.5.5.7.3.1"), client = eku == null || eku.contains("1.3.6.1.5.5.7.3.2");
                if (c.getBasicConstraints() >= 0 || crl.isRevoked(c) || !server || !Files.isRegularFile(Pki.keyBeside(p))) continue;
                int rank = (client ? 0 : 2) + (encryptedKeyBeside(p) ? 1 : 0);
                if (rank < bestRank) { best = p; bestRank = rank; }
            } catch (Failure | java.security.cert.CertificateParsingException unreadable) {
                // not one to show
            }
        }
        return java.util.Optional.ofNullable(best).map(Pki::name);
    }

    public static byte[] encoded(X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (Exception e) {
            throw Failure.of(e, "cannot encode the CRL: %s", Text.of(e));
        }
    }
}
