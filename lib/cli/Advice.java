// Advice.java: the findings of lib/tls, put into words and commands with the options the user gave.
// lib/tls says what failed (Diagnosis: which class, which host, which certificate, what was seen);
// this file says it in the scripts' flags, with the folder (--dir) the user named and the form of
// --key-password the user gave for a key that is encrypted, so that every command it prints works
// as typed in the folder the user is in. It never prints a password: only its SPEC (env:, file:, prompt).
// Needs: lib/tls (Diagnosis, Tls), lib/pki (Pki, Names, Text, Describe), Cli.

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;

/** dir: the PKI folder (--dir, else Pki.DEFAULT_DIR); keyPassword: the --key-password SPEC as given, or null. */
public record Advice(Path dir, String keyPassword) {

    public Advice {
        dir = Pki.of(dir).dir();
    }

    /** What each failure class means, in client.java's --help and the reference's table of exit codes. */
    public static String meaning(Diagnosis.Problem p) {
        return switch (p) {
            case UNKNOWN_HOST -> "the host name could not be resolved (try --resolve)";
            case CANNOT_CONNECT -> "the connection was refused (nothing listens there), or the address cannot be reached from here";
            case PARTIAL_ANSWER -> "the answer was cut: the server closed early, or it passed a limit of the probe (16 MiB of body, 1000 header lines, 64 KiB a line); what arrived is printed";
            case HTTP_ERROR -> "the server answered HTTP 400 or more";
            case TIMEOUT -> "connecting, the TLS handshake, or the answer took too long";
            case NO_COMMON_PROTOCOL -> "the two sides share no TLS version or cipher suite";
            case CONNECTION_FAILED -> "the connection failed for another reason (the message says what was seen)";
            case KEY_MISMATCH -> "--key does not belong to --cert (checked before connecting)";
            case SERVER_UNTRUSTED -> "no CA we trust signed the server's certificate (the message names its issuer, and the --cacert that fixes it)";
            case HOSTNAME_MISMATCH -> "the URL's host is not in the certificate's SAN (the message lists them)";
            case SERVER_CERT_EXPIRED -> "the server's certificate, or its CA, is outside its validity";
            case CLIENT_CERT_REQUIRED -> "we sent none (a TLS alert, a closed connection, or nginx's HTTP 400 page)";
            case CLIENT_CERT_REJECTED -> "unknown CA, expired, revoked, wrong purpose, or not allowed in";
        };
    }

    // ---------------------------------------------------------------- a failed call

    /** One paragraph: what failed, which side refused, the likely cause and the fix, then what was seen. */
    public String explain(Diagnosis d) {
        Tls.Call c = d.call();
        String where = d.host() + ":" + d.port() + (d.mappedTo() == null ? "" : " (at " + d.mappedTo() + ", from --resolve)");
        String direct = d.host() + ":" + d.port();
        String seenAs = d.seenAs();
        Diagnosis.Finding f = d.finding();
        if (f instanceof Diagnosis.NoAddress n) return String.format("Could not find the address of %s: the name lookup failed, so no connection "
                    + "was made. Likely cause: the name exists only in the tutorial's /etc/hosts. Fix: map it without root with "
                    + "--resolve %s:%s:127.0.0.1 (or the service's address).", d.host(), d.host(), d.port());
        if (f instanceof Diagnosis.NothingListens n) return String.format("Could not connect to %s: the connection was refused, so nothing "
                    + "listens there. Likely cause: the service is not running, or the port or --resolve address is wrong. "
                    + "Fix: start the service (%s) or correct the URL. (Seen as: %s)", where, serveCommand(d), seenAs);
        if (f instanceof Diagnosis.NotReached n) return String.format("Could not connect to %s: no connection was made, because this "
                    + "machine has no route to that address (the network or host is unreachable), so nothing answered. Likely cause: "
                    + "a wrong address in the URL or in --resolve, a network interface that is down, or a VPN or route missing. Fix: "
                    + "check the address, and that this machine can reach it (ip route get ADDRESS). (Seen as: %s)", where, seenAs);
        if (f instanceof Diagnosis.AnswerBrokeOff b) return String.format("The TLS handshake with %s worked and the server began to "
                    + "answer, then the answer broke off: %s. The handshake was accepted, so this is not about certificates. Likely "
                    + "cause: the server failed or closed the connection while answering, or it does not speak HTTP/1.1 there. Fix: "
                    + "look at the server's log, and run with -v to see what arrived.", where, seenAs);
        if (f instanceof Diagnosis.Stalled s) return String.format("No answer from %s within %d s: it stalled during %s, and the call timed "
                    + "out. Likely cause: a firewall dropping packets, a wrong address, or a server that accepts connections but "
                    + "does not speak TLS there. Fix: check the address and port; raise --connect-timeout or --max-time if the "
                    + "server is merely slow. (Seen as: %s)", where, s.limit().toSeconds(), s.stage(), seenAs);
        if (f instanceof Diagnosis.NoCommonProtocol p) return String.format("The TLS handshake with %s failed: %s refused it because the two "
                    + "sides share no protocol version or cipher suite. We offer only TLS 1.3, and TLS 1.2 with ECDHE key "
                    + "exchange and AES-GCM or ChaCha20-Poly1305 (no RSA key exchange, no CBC). Likely cause: the server allows "
                    + "only TLS 1.1 or older, or only RSA key exchange or CBC suites. Fix: enable TLS 1.3, or TLS 1.2 with "
                    + "ECDHE-*-AES128-GCM-SHA256 or similar, on the server. (Seen as: %s)",
                    where, p.ourSide() ? "our side (the client)" : "the server", seenAs);
        if (f instanceof Diagnosis.HttpStatus h) return String.format("The TLS connection to %s worked, but the server answered HTTP %d for "
                    + "%s. Likely cause: a wrong path, or the server refused this request. Fix: check the URL; the answer's body "
                    + "is printed above.", direct, h.status(), h.path());
        if (f instanceof Diagnosis.Unclear u) return String.format("The connection to %s failed: %s. Which side refused is not clear: the "
                    + "server %s. Likely cause: the server does not speak HTTPS on that port, or it closed the connection. Fix: "
                    + "check the URL's scheme and port, and run with -v to see the handshake.", where, seenAs,
                    u.serverSentCertificate() ? "sent its certificate, then hung up" : "sent no certificate");
        if (f instanceof Diagnosis.NameNotInCertificate m) return String.format("The TLS handshake with %s failed: our side (the client) "
                    + "refused the server's certificate because it is not valid for the name \"%s\". The certificate's names "
                    + "(SAN) are: %s. Likely cause: the URL uses a name or address the certificate was not issued for (an IP "
                    + "address in the URL must itself be in the SAN). Fix: use one of those names in the URL (with --resolve "
                    + "NAME:PORT:ADDR to reach it without DNS), or re-issue the certificate with this name added, where the "
                    + "server's files are: %s. (Seen as: %s)", where, Text.escape(d.host()), Names.sans(m.leaf()),
                    reissueWithHost(d.host(), m.leaf()), seenAs);
        if (f instanceof Diagnosis.OutOfValidity v) return String.format("The TLS handshake with %s failed: our side (the client) refused the "
                    + "server's certificate because \"%s\" %s. Likely cause: %s. Fix: renew it where the server's files are (%s; "
                    + "serve.java picks it up without a restart)%s. (Seen as: %s)", where, Names.subject(v.cert()),
                    v.expired() ? "expired on " + Describe.utc(v.cert().getNotAfter().toInstant())
                            : "is not valid before " + Describe.utc(v.cert().getNotBefore().toInstant()),
                    v.expired() ? "the certificate was not renewed in time" : "it was issued with a future start date, or a clock is wrong",
                    renewCommand(c, v.leaf()), v.expired() ? "" : ", or correct the clock of this machine or the CA's", seenAs);
        if (f instanceof Diagnosis.UntrustedIssuer u) return untrusted(d, u, where);
        if (f instanceof Diagnosis.NoClientCertificate n) return String.format("The request to %s failed: the server refused the connection "
                    + "because it requires a client certificate (mutual TLS) and we sent none.%s Likely cause: %s. Fix: pass a "
                    + "certificate and key signed by a CA the server trusts, e.g. %s. (Seen as: %s)", direct,
                    n.acceptedIssuers().isEmpty() ? "" : " It accepts certificates issued by: " + String.join("; ", n.acceptedIssuers()) + ".",
                    c.identity() == null ? "no --cert and --key were given" : "the certificate given has a key type the server did not ask for",
                    certFlags(), seenAs);
        if (f instanceof Diagnosis.ClientCertificateRefused r) return refused(d, r, direct);
        throw new IllegalArgumentException("no words for " + f);
    }

    private String untrusted(Diagnosis d, Diagnosis.UntrustedIssuer u, String where) {
        Tls.Call c = d.call();
        String issuer = Names.issuer(u.top());
        List<Path> candidates = new ArrayList<>();
        if (c.identity() != null && c.identity().certFile().toAbsolutePath().getParent() != null)
            candidates.add(Pki.of(c.identity().certFile().toAbsolutePath().getParent()).caCert());
        candidates.add(Pki.of(dir).caCert());
        String fix = Diagnosis.caFileFor(u.top(), candidates, c.caFile())
                .map(p -> "pass it with --cacert " + Text.arg(p) + " (that file holds \"" + issuer + "\", so this fixes it)")
                .orElse("pass the certificate of \"" + issuer + "\" with --cacert FILE (with ca.java that file is "
                        + Text.arg(Pki.of(dir).caCert()) + ")");
        String trusted = c.caFile() == null ? "no --cacert was given, so only the JDK's default public CAs were trusted, "
                + "and they do not include it" : "the --cacert file " + c.caFile() + " does not hold that CA";
        return String.format("The TLS handshake with %s failed: our side (the client) refused the server's certificate \"%s\" "
                + "because no CA we trust signed it. It was issued by \"%s\"; %s. Likely cause: the server uses a private CA. "
                + "Fix: %s. Do not use --insecure beyond a quick test. (Seen as: %s)", where, Names.subject(u.leaf()), issuer,
                trusted, fix, d.seenAs());
    }

    /** The server refused the certificate we sent: the alert, our own checks' facts, and the fix they point to. */
    private String refused(Diagnosis d, Diagnosis.ClientCertificateRefused r, String where) {
        Tls.Call c = d.call();
        X509Certificate ours = r.ours();
        List<String> facts = new ArrayList<>();
        String fix = "use a certificate issued by a CA the server trusts, valid now, with the clientAuth purpose (" + issueCommand() + " issues one)";
        if (ours != null) {
            if (r.facts().contains(Diagnosis.Fact.EXPIRED)) {
                facts.add("our certificate \"" + Names.subject(ours) + "\" expired on " + Describe.utc(ours.getNotAfter().toInstant()));
                fix = "renew it: " + renewCommand(c, ours);
            } else if (r.facts().contains(Diagnosis.Fact.NOT_YET_VALID)) {
                facts.add("our certificate is not valid before " + Describe.utc(ours.getNotBefore().toInstant()));
            }
            if (r.facts().contains(Diagnosis.Fact.NOT_FOR_CLIENTS)) {
                facts.add("our certificate's extended key usage lacks clientAuth, so it may only identify a server");
                fix = "issue one for clients (" + issueCommand() + ", without --server-only)";
            }
            String revoked = Diagnosis.revokedIn(ours, crlFiles(c));
            if (revoked != null) {
                facts.add("our certificate is listed as revoked in " + revoked + ", and a server given that CRL refuses it");
                fix = "issue a new certificate (" + renewCommand(c, ours) + " --new-key) and use it";
            }
            if (r.facts().contains(Diagnosis.Fact.ISSUER_NOT_ACCEPTED)) {
                facts.add("it was issued by \"" + Names.issuer(ours) + "\" but the server accepts only: " + String.join("; ", r.acceptedIssuers()));
                fix = "use a certificate issued by one of those CAs, or add our CA to the server's trusted CAs";
            }
            // Some servers (Python's ssl) list no CA names and send no alert: name the issuer to check.
            // With no alert either, the hang-up is all there is: say so, and name the other cause that looks the same.
            if (facts.isEmpty()) facts.add("it was issued by \"" + Names.issuer(ours) + "\"; check that the server trusts that CA"
                    + (r.alert() == null ? "; or the server does not speak HTTP/1.1 on this port (an HTTP/2-only server, such as gRPC, "
                    + "hangs up the same way), since nothing we can check is wrong with our certificate" : ""));
        }
        String alert = r.alert();
        String alertText = alert == null ? "the server hung up after seeing it"
                : switch (alert) {
                    case "unknown_ca" -> "the server does not trust the CA that signed it (alert unknown_ca)";
                    case "certificate_expired" -> "the server says it expired or is not yet valid (alert certificate_expired)";
                    case "unsupported_certificate" -> "the server says it is not meant for this use, i.e. it lacks the clientAuth purpose (alert unsupported_certificate)";
                    case "certificate_revoked" -> "the server says it was revoked (alert certificate_revoked)";
                    case "access_denied" -> "the server verified it but this identity is not allowed in (alert access_denied)";
                    case "decrypt_error" -> "its signature did not verify: the key may not belong to the certificate (alert decrypt_error)";
                    default -> "the server could not verify it (alert " + alert + "): expired, from a CA it does not trust, or without the clientAuth purpose";
                };
        return String.format("The request to %s failed: the server refused our client certificate%s: %s.%s Fix: %s. (Seen as: %s)", where,
                ours == null ? "" : " \"" + Names.subject(ours) + "\"", alertText,
                facts.isEmpty() ? "" : " Likely cause: " + String.join("; ", facts) + ".", fix, d.seenAs());
    }

    /** Where a CRL that lists our certificate may be: beside --cacert, beside --cert, and in the PKI folder. */
    private List<Path> crlFiles(Tls.Call c) {
        List<Path> files = new ArrayList<>();
        if (c.caFile() != null && c.caFile().toAbsolutePath().getParent() != null)
            files.add(Pki.of(c.caFile().toAbsolutePath().getParent()).crl());
        if (c.identity() != null && c.identity().certFile().toAbsolutePath().getParent() != null)
            files.add(Pki.of(c.identity().certFile().toAbsolutePath().getParent()).crl());
        files.add(Pki.of(dir).crl().toAbsolutePath());
        return files;
    }

    // ---------------------------------------------------------------- the commands, as typed

    /** " --dir D" unless folder is the default one. */
    public static String dirFlag(Path folder) {
        return Pki.of(folder).isDefault() ? "" : " --dir " + Text.arg(folder);
    }

    /**
     * The client flags that send service-a's certificate from the PKI folder, with --key-password
     * when that key is encrypted: the SPEC the user gave (env:, file:), else prompt.
     */
    String certFlags() {
        Pki pki = Pki.of(dir);
        return "--cert " + Text.arg(pki.cert("service-a")) + " --key " + Text.arg(pki.key("service-a")) + passwordFlag(pki.key("service-a"));
    }

    /** " --key-password SPEC" when keyFile is encrypted (never a password: Text.passwordSpec), else "". */
    String passwordFlag(Path keyFile) {
        if (!Diagnosis.encryptedKey(keyFile)) return "";
        return " --key-password " + Text.arg(keyPassword == null ? "prompt" : Text.passwordSpec(keyPassword));
    }

    /** issue.java in the PKI folder; NAME is for the user to choose. */
    String issueCommand() {
        return "./jbang issue.java" + dirFlag(dir) + " NAME";
    }

    /** The server's certificate issued anew with the URL's host added to its names, under its own file name. */
    String reissueWithHost(String host, X509Certificate leaf) {
        List<GeneralName> sans = Names.sanList(leaf);
        StringBuilder cmd = new StringBuilder("./jbang issue.java").append(dirFlag(dir)).append(" --force");
        try {
            if (!sans.isEmpty()) cmd.append(" --name ").append(Text.arg(Names.fileName(sans.get(0))));
        } catch (Failure f) {
            // no file name from it: issue.java derives one from the names below
        }
        for (var n : sans) cmd.append(' ').append(Text.arg(sanText(n)));
        return cmd.append(' ').append(Text.arg(host)).toString();
    }

    private static String sanText(GeneralName n) {
        return n.getTagNo() == GeneralName.iPAddress ? Names.ipText(n) : n.getName().toString();
    }

    /** serve.java for the URL's port, named after its host's first label (service-b.example.com: service-b). */
    String serveCommand(Diagnosis d) {
        String host = d.host();
        boolean dns = host.matches("[A-Za-z][A-Za-z0-9-]*(\\.[A-Za-z0-9-]+)*") && !host.equalsIgnoreCase("localhost");
        return "./jbang serve.java" + dirFlag(dir) + " --name " + (dns ? Text.arg(Names.fileName(new GeneralName(GeneralName.dNSName, host))) : "NAME") + " --port " + d.port();
    }

    /**
     * The command that renews a certificate with the same names: our own by its file (--cert, with the
     * password form for its key), a server's by the file issue.java would have given it in the PKI folder.
     */
    String renewCommand(Tls.Call c, X509Certificate cert) {
        if (c.identity() != null && c.identity().cert().equals(cert))
            return "./jbang issue.java renew" + passwordFlag(c.identity().keyFile()) + " " + Text.arg(c.identity().certFile());
        return "./jbang issue.java renew " + Text.arg(Pki.of(dir).cert(Names.fileName(cert)));
    }
}
