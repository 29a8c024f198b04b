// Issuer.java: issuing a set of names, the engine behind issue.java and its modes (names, a CSR,
// a renewal). A Request says what one certificate is (names, subject, usage, and whose key); issue()
// makes them all, keys in parallel, checks nothing is in the way, writes every file or none, and
// returns what it made for the caller to print. resume() is what an interrupted run left, renewal()
// what an existing certificate asks for. Plain code: no command-line words.
// Needs the JDK, Bouncy Castle, and Certs, Policy, Keys, Pem, Names, SafeFiles, Describe, SigningCa.

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;

public final class Issuer {
    private Issuer() {}

    /**
     * One certificate to make: where, its file name, subject and SANs, and its key: made (keyType),
     * a CSR's (givenKey, no key file), or kept (keptKey: its file stays as it is). keptCert is a
     * complete pair an interrupted run left and that is kept; renewing is the certificate a renewal
     * replaces. password encrypts a key that is made, and is the default of a .p12's; chain also
     * writes NAME-chain.crt.
     */
    public record Request(Path dir, String name, X500Name subject, List<GeneralName> sans, Certs.Usage usage,
                          Keys.KeyType keyType, Integer keySize, PublicKey givenKey, PrivateKey keptKey, X509Certificate keptCert,
                          X509Certificate renewing, Path renewedFile, char[] password, boolean chain) {
        /** A certificate with a new key of type (size null: its default), encrypted with password unless null. */
        public static Request made(Path dir, String name, X500Name subject, List<GeneralName> sans, Certs.Usage usage,
                                   Keys.KeyType type, Integer size, char[] password) {
            return new Request(dir, name, subject, sans, usage, type, size, null, null, null, null, null, password, false);
        }

        /** A certificate for a key made elsewhere (a CSR's): no key file is written. */
        public static Request given(Path dir, String name, X500Name subject, List<GeneralName> sans, Certs.Usage usage, PublicKey key) {
            return new Request(dir, name, subject, sans, usage, null, null, key, null, null, null, null, null, false);
        }

        public Request keeping(PrivateKey key, X509Certificate cert) {
            return new Request(dir, name, subject, sans, usage, null, null, Keys.publicKeyOf(key), key, cert, renewing, renewedFile, password, chain);
        }

        public Request renewing(X509Certificate old, Path file) {
            return new Request(dir, name, subject, sans, usage, keyType, keySize, givenKey, keptKey, keptCert, old, file, password, chain);
        }

        public Request withChain(boolean chain) {
            return new Request(dir, name, subject, sans, usage, keyType, keySize, givenKey, keptKey, keptCert, renewing, renewedFile, password, chain);
        }

        /** The same written as NAME.crt and NAME.key for another NAME. */
        public Request named(String name) {
            return new Request(dir, name, subject, sans, usage, keyType, keySize, givenKey, keptKey, keptCert, renewing, renewedFile, password, chain);
        }

        public Request withPassword(char[] password) {
            return new Request(dir, name, subject, sans, usage, keyType, keySize, givenKey, keptKey, keptCert, renewing, renewedFile, password, chain);
        }

        public Path file(String ext) { return dir.resolve(name + ext); }

        boolean writesKey() { return givenKey == null; }
    }

    /**
     * How the set is issued: its validity, the extra files (p12: NAME.p12 with p12Password, else
     * the key's password, else "changeit"), and replace, which lets existing files go (kept as .bak).
     */
    public record Options(Instant notBefore, Instant notAfter, boolean p12, char[] p12Password, boolean replace) {}

    /** One certificate made (description null when a complete pair was kept as it was). */
    public record Issued(Request request, String description) {}

    /** What issue() did: each certificate, the files written (a new CA's first), and the backups kept. */
    public record Result(List<Issued> issued, List<SafeFiles.OutFile> files, List<Path> backups, boolean withIntermediates) {}

    /**
     * A certificate for names with a new key of type, as issue.java NAME... makes it: the first name
     * gives the file name (service-a.example.com: service-a) and the CN, all of them are SANs.
     */
    public static Request forNames(Pki pki, Certs.Usage usage, Keys.KeyType type, String... names) {
        List<GeneralName> sans = java.util.Arrays.stream(names).map(Names::parse).toList();
        return Request.made(pki.dir(), Names.fileName(sans.get(0)), Names.withCn(new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
                Names.commonName(sans.get(0))), sans, usage, type, null, null);
    }

    /** Valid from now (backdated, see Policy) for days, no .p12, nothing replaced. */
    public static Options forDays(int days) {
        Instant from = Policy.backdated(Instant.now());
        return new Options(from, Policy.notAfter(from, days), false, null, false);
    }

    /** The password a .p12 gets when none is given: Java's usual default. */
    public static final char[] DEFAULT_P12_PASSWORD = "changeit".toCharArray();

    /**
     * Makes every certificate (keys in parallel, the slow part for RSA), then writes all files, each
     * atomically and keys first. Refuses, before any key is made, a name the CA may not sign and a
     * file in the way (unless replace).
     */
    public static Result issue(List<Request> requests, SigningCa ca, Options o) {
        for (Request r : requests) ca.checkNameConstraints(r.sans());
        if (requests.stream().anyMatch(Request::chain) && !ca.reachesRoot())
            throw Failure.of("cannot find the root CA above %s for a chain file", ca.file());
        List<SafeFiles.OutFile> planned = new ArrayList<>(ca.made());
        for (Request r : requests) planned.addAll(outFiles(r, o, "", null, null, null));
        SafeFiles.checkOverwrite(planned, o.replace());

        // A server sends its certificate and the intermediates; the root is what clients already trust.
        String intermediates = ca.chain().stream().filter(c -> !Certs.selfSigned(c)).map(Certs::pem).collect(Collectors.joining());
        String wholeChain = Pem.certificates(ca.chain());
        // Everything per certificate happens in the parallel step, the encoding too: an encrypted
        // key's PBKDF2 (100,000 rounds) and a PKCS#12 cost as much as an EC key (docs/BENCHMARKS.md).
        record Built(Issued issued, List<SafeFiles.OutFile> files) {}
        List<Built> built = requests.parallelStream().map(r -> {
            KeyPair kp = null;
            X509Certificate cert = r.keptCert(); // complete already
            if (cert == null) {
                kp = r.givenKey() == null ? Keys.generate(r.keyType(), r.keySize()) : null;
                PublicKey pub = kp != null ? kp.getPublic() : r.givenKey();
                cert = Certs.leaf(pub, r.subject(), r.sans(), r.usage(), ca.cert(), ca.key(), o.notBefore(), o.notAfter());
            }
            PrivateKey priv = kp != null ? kp.getPrivate() : r.keptKey();
            char[] p12Pw = o.p12Password() != null ? o.p12Password() : r.password() != null ? r.password() : DEFAULT_P12_PASSWORD;
            return new Built(new Issued(r, r.keptCert() == null ? Describe.certificate(cert) : null),
                    outFiles(r, o, Certs.pem(cert) + intermediates, kp == null ? null : Pem.key(kp.getPrivate(), r.password()),
                            r.chain() ? Certs.pem(cert) + wholeChain : null,
                            o.p12() && priv != null ? Pem.pkcs12(r.name(), priv, cert, ca.chain(), p12Pw) : null));
        }).toList();
        List<SafeFiles.OutFile> files = new ArrayList<>(ca.made()); // a new CA's key and certificate first
        for (Built b : built) files.addAll(b.files());
        List<Path> backups = SafeFiles.writeAll(files, o.replace());
        return new Result(built.stream().map(Built::issued).toList(), files, backups, !intermediates.isEmpty());
    }

    /**
     * The files for one certificate; content may be null when only the paths matter (the overwrite check).
     * The key comes first: files are renamed into place in this order, so a crash in between leaves a
     * key without its certificate (which resume() completes), never a certificate without its key.
     * What stays as it is is left out: a kept key, and for a kept pair every file that exists.
     */
    static List<SafeFiles.OutFile> outFiles(Request r, Options o, String certPem, String keyPem, String chainPem, byte[] p12Bytes) {
        List<SafeFiles.OutFile> files = new ArrayList<>();
        if (r.writesKey()) files.add(SafeFiles.OutFile.key(r.file(".key"), keyPem == null ? "" : keyPem));
        files.add(SafeFiles.OutFile.cert(r.file(".crt"), certPem));
        if (r.chain()) files.add(SafeFiles.OutFile.cert(r.file("-chain.crt"), chainPem == null ? "" : chainPem));
        if (o.p12()) files.add(new SafeFiles.OutFile(r.file(".p12"), p12Bytes == null ? new byte[0] : p12Bytes, true, "PKCS#12 bundle"));
        if (r.keptCert() != null) files.removeIf(f -> Files.exists(f.path(), LinkOption.NOFOLLOW_LINKS));
        return files;
    }

    // ---------------------------------------------------------------- an interrupted run

    /**
     * What an interrupted run left for this request. A kill between two renames leaves a key without
     * its certificate (keys are renamed first), so a key alone is kept and gets a certificate. A
     * complete pair is kept when it checks out; a certificate alone, or nothing, is issued anew
     * (issue() keeps a .bak). Anything that cannot be checked is a Failure saying why.
     */
    public static Request resume(Request r, SigningCa ca, Supplier<char[]> keyPassword) {
        Path crt = r.file(".crt"), key = r.file(".key");
        if (!Files.exists(key, LinkOption.NOFOLLOW_LINKS)) return r;
        PrivateKey k = Pem.privateKey(key, "existing key", keyPassword);
        if (!Files.exists(crt, LinkOption.NOFOLLOW_LINKS)) return r.keeping(k, null);
        X509Certificate c = Pem.certificate(crt, "existing certificate");
        String why = !ca.issued(c) ? "is not signed by this CA"
                : !Keys.matches(k, c.getPublicKey()) ? "does not match " + key
                : !c.getNotAfter().toInstant().isAfter(Instant.now()) ? "has expired"
                : !Names.sanList(c).equals(r.sans()) ? "is for other names than " + Names.sans(new GeneralNames(r.sans().toArray(new GeneralName[0])))
                : null;
        if (why != null) throw Failure.of("existing certificate %s %s", crt, why);
        return r.keeping(k, c);
    }

    /** The hidden NAME.key.123.tmp files (and the same for the other files) a killed run left; how many were removed. */
    public static int removeStaleTemps(List<Request> requests) {
        int stale = 0;
        for (Request r : requests)
            for (String ext : List.of(".key", ".crt", "-chain.crt", ".p12")) stale += SafeFiles.removeStaleTemps(r.file(ext));
        return stale;
    }

    // ---------------------------------------------------------------- a CSR

    /**
     * The SANs of a certificate for a CSR: names when given, else the CSR's own (each vetted, see
     * Csr.vetted), else its CN, as the tutorial's CSR (section 2.2) has no SAN and its -extfile made
     * the CN the SAN. Empty when the CSR names no host.
     */
    public static List<GeneralName> csrNames(Csr.Request req, List<GeneralName> names) {
        List<GeneralName> sans = new ArrayList<>(names);
        if (sans.isEmpty()) for (GeneralName gn : req.names()) sans.add(Csr.vetted(gn));
        String cn = Names.cn(req.subject());
        if (sans.isEmpty() && cn != null) sans.add(Names.parse(cn));
        return sans;
    }

    /** The subject of a certificate for a CSR: the CSR's, with the first SAN as CN unless its CN is that name already. */
    public static X500Name csrSubject(Csr.Request req, List<GeneralName> sans) {
        String cn = Names.cn(req.subject());
        return cn != null && Names.sameName(cn, sans.get(0)) ? req.subject() : Names.withCn(req.subject(), Names.commonName(sans.get(0)));
    }

    // ---------------------------------------------------------------- a renewal

    /** What an existing certificate asks for when it is renewed: its folder, name, subject, SANs and usage. */
    public record Renewal(Path file, X509Certificate old, Path dir, String name, X500Name subject, List<GeneralName> sans,
                          Certs.Usage usage) {
        public Path keyFile() { return dir.resolve(name + ".key"); }

        /**
         * Renewed with a new key, encrypted with password unless null: of type and size, or (type null)
         * of the old key's type, and its size unless size is given.
         */
        public Request withNewKey(Keys.KeyType type, Integer size, char[] password) {
            Keys.KeyType t = type != null ? type : Keys.KeyType.of(old.getPublicKey());
            Integer bits = type != null || size != null ? size : t == Keys.KeyType.ED25519 ? null : Keys.size(old.getPublicKey());
            Keys.checkSize(t, bits);
            return Request.made(dir, name, subject, sans, usage, t, bits, password).renewing(old, file).withChain(hasChainFile());
        }

        /** Renewed for the key it has. */
        public Request withKey(PrivateKey key, char[] password) {
            return Request.made(dir, name, subject, sans, usage, null, null, password).keeping(key, null).renewing(old, file)
                    .withChain(hasChainFile());
        }

        /** A chain file is renewed too, or it would keep serving the old certificate. */
        boolean hasChainFile() { return Files.exists(dir.resolve(name + "-chain.crt")); }

        public boolean hasP12() { return Files.exists(dir.resolve(name + ".p12")); }

        /** The old certificate's validity in days, at most Apple's 825 (support.apple.com/103769). */
        public int days() {
            long d = Duration.between(old.getNotBefore().toInstant(), old.getNotAfter().toInstant()).toDays();
            return (int) Math.max(1, Math.min(d, Policy.APPLE_MAX_DAYS));
        }
    }

    /**
     * Reads a certificate to renew: a service certificate (a CA's is refused) whose SANs, or CN for
     * the tutorial's CN-only certificate, name at least one host.
     */
    public static Renewal renewal(Path file) {
        String base = file.getFileName().toString();
        if (!base.endsWith(".crt") || base.length() == 4)
            throw Failure.of("renew takes NAME.crt files with NAME.key beside each, such as %s, not %s",
                    Pki.standard().cert("service-a"), Text.escape(file.toString()));
        X509Certificate old = Pem.certificate(file, "certificate to renew");
        if (old.getBasicConstraints() >= 0) throw Failure.of("%s is a CA certificate; renew re-issues service certificates", file);
        X500Name subj = Certs.holder(old).getSubject();
        List<GeneralName> sans = new ArrayList<>(Names.sanList(old));
        if (Certs.holder(old).getExtension(Extension.subjectAlternativeName) == null && Names.cn(subj) != null)
            sans.add(Names.parse(Names.cn(subj))); // the tutorial's CN-only certificate
        if (sans.isEmpty()) throw Failure.of("%s names no host (no SAN, no CN); issue a new one with NAMEs", file);
        return new Renewal(file, old, Pki.holding(file).dir(), Pki.name(file), subj, sans, usageOf(old));
    }

    /** The usage an existing certificate's EKU gives; none at all (the tutorial's openssl certificates) allows both. */
    public static Certs.Usage usageOf(X509Certificate c) {
        Extension e = Certs.holder(c).getExtension(Extension.extendedKeyUsage);
        if (e == null) return Certs.Usage.SERVER_AND_CLIENT;
        ExtendedKeyUsage eku = ExtendedKeyUsage.getInstance(e.getParsedValue());
        boolean server = eku.hasKeyPurposeId(KeyPurposeId.id_kp_serverAuth), client = eku.hasKeyPurposeId(KeyPurposeId.id_kp_clientAuth);
        return server == client ? Certs.Usage.SERVER_AND_CLIENT : server ? Certs.Usage.SERVER : Certs.Usage.CLIENT;
    }
}
