// Csr.java: a certificate signing request made elsewhere (openssl req, a Kubernetes CSR, another
// team's tool), checked before anything is signed: its signature, its key and hash against the
// floor of lib/pki/Policy.java, and the extensions it requests, each once and each well-formed, with
// words for what is wrong and where. issue.java sign uses it; inspect.java shows a CSR with it.

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

public final class Csr {
    private Csr() {}

    /** What a CSR asks for, once checked: its key, its subject, and the names of its SAN request (not yet vetted). */
    public record Request(PublicKey key, X500Name subject, List<GeneralName> names) {}

    /**
     * Checks a CSR before anything is signed: its signature (it proves the key's owner made it), its
     * key and signature hash against the floor, and the extensions it requests, which must each
     * appear once and parse. Only the SAN request is read; the CA decides every other extension.
     */
    public static Request check(PKCS10CertificationRequest req) {
        PublicKey key;
        try {
            key = new JcaPEMKeyConverter().getPublicKey(req.getSubjectPublicKeyInfo());
        } catch (Exception e) {
            throw new Certs.Refused("its public key cannot be read (" + e.getMessage() + ")", e);
        }
        Policy.checkKeyStrength(key, "its key");
        String sigAlg = req.getSignatureAlgorithm().getAlgorithm().getId();
        if (Policy.weakSignature(sigAlg))
            throw new Certs.Refused("it is signed with MD5 or SHA-1 (" + sigAlg + "); make it again with SHA-256 (openssl req -sha256)");
        try {
            // The JDK key, already converted: BC looks key factories up by OID, and the JDK's EC
            // provider does not register the EC OID, so every EC CSR would fail the other way.
            if (!signatureValid(req, key))
                throw new Certs.Refused("its signature is bad: it was altered or damaged after it was made");
        } catch (Certs.Refused r) {
            throw r;
        } catch (Exception e) {
            throw new Certs.Refused("its signature cannot be checked (" + e.getMessage() + ")", e);
        }
        return new Request(key, req.getSubject(), requestedNames(req));
    }

    /**
     * Whether the CSR's signature verifies with its key: with the JDK's providers first (BC looks key
     * factories up by OID, and the JDK's EC provider does not register the EC OID), then with
     * Bouncy Castle, which has what the JDK 17 lacks for a CSR (RSASSA-PSS with parameters).
     */
    public static boolean signatureValid(PKCS10CertificationRequest req, PublicKey key) throws Exception {
        try {
            return req.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key));
        } catch (org.bouncycastle.pkcs.PKCSException | org.bouncycastle.operator.OperatorCreationException jdkLacksIt) {
            return req.isSignatureValid(new JcaContentVerifierProviderBuilder().setProvider(Pem.bc()).build(key));
        }
    }

    /** The extensions a CSR asks for, in order; each appears once and is well-formed, or Refused says which is not. */
    public static List<Extension> requestedExtensions(PKCS10CertificationRequest req) {
        List<Extension> all = new ArrayList<>();
        requestedNames(req, all);
        for (Extension e : all) {
            String problem = Der.extensionProblem(e);
            if (problem != null) throw new Certs.Refused("its " + problem);
        }
        return all;
    }

    /** The SAN the CSR asks for, refusing a repeated or unreadable extension in the request. */
    private static List<GeneralName> requestedNames(PKCS10CertificationRequest req) {
        return requestedNames(req, new ArrayList<>());
    }

    private static List<GeneralName> requestedNames(PKCS10CertificationRequest req, List<Extension> all) {
        List<GeneralName> names = new ArrayList<>();
        Set<ASN1ObjectIdentifier> seen = new HashSet<>();
        for (Attribute attr : req.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            ASN1Set values = attr.getAttrValues();
            for (ASN1Encodable value : values) {
                ASN1Sequence exts;
                try {
                    exts = ASN1Sequence.getInstance(value);
                } catch (RuntimeException e) {
                    throw new Certs.Refused("its extension request is not a list of extensions", e);
                }
                for (ASN1Encodable one : exts) {
                    Extension e;
                    try {
                        e = Extension.getInstance(one);
                    } catch (RuntimeException ex) {
                        throw new Certs.Refused("its extension request holds an entry that is not an extension", ex);
                    }
                    if (!seen.add(e.getExtnId()))
                        throw new Certs.Refused("it carries " + Der.extensionName(e.getExtnId()) + " twice (RFC 5280 4.2: an extension appears once)");
                    all.add(e);
                    if (!e.getExtnId().equals(Extension.subjectAlternativeName)) continue;
                    String problem = Der.extensionProblem(e);
                    if (problem != null) throw new Certs.Refused("its " + problem);
                    GeneralName[] requested = GeneralNames.getInstance(e.getExtnValue().getOctets()).getNames();
                    if (requested.length == 0) throw new Certs.Refused("its subjectAltName holds no names (RFC 5280 4.2.1.6: at least one)");
                    names.addAll(List.of(requested));
                }
            }
        }
        return names;
    }

    /**
     * A SAN a CSR asks for, checked as a name given on the command line is; kinds we never issue are
     * refused by name. The Failure's words follow "CSR FILE".
     */
    public static GeneralName vetted(GeneralName gn) {
        switch (gn.getTagNo()) {
            case GeneralName.iPAddress: {
                String ip = Names.ipText(gn);
                if (ip.startsWith("(invalid")) throw Failure.of("asks for an IP address SAN that is %s", ip);
                return gn;
            }
            case GeneralName.dNSName: case GeneralName.rfc822Name: case GeneralName.uniformResourceIdentifier:
                // An IA5String holds ASCII (RFC 5280 4.2.1.6): an internationalized name comes as its
                // xn-- form. Anything else would be read as Latin-1 and signed as another name.
                if (!gn.getName().toString().matches("[!-~]+"))
                    throw Failure.of("asks for %s, which is not printable ASCII (RFC 5280 4.2.1.6: an international name "
                            + "comes in its xn-- form)", Names.san(gn));
                try {
                    return Names.parse(gn.getName().toString());
                } catch (Failure f) {
                    throw Failure.of("asks for a name we will not sign: %s", f.getMessage());
                }
            default:
                throw Failure.of("asks for a %s SAN, which is never signed here; give NAMEs instead", Names.san(gn));
        }
    }
}
