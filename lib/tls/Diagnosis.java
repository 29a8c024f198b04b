// Diagnosis.java: why an (m)TLS call failed, in words. The failure classes and their exit codes
// are declared once, in Problem: client.java's --help table and the reference's table come from it.
// Each explanation says what failed, which side refused, the likely cause and the fix, and is built
// from what the handshake recorded (Tls.Seen) before the exception's own words.

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/** A failure class and its one-paragraph explanation. */
public record Diagnosis(Diagnosis.Problem problem, String explanation) {

    /**
     * The failure classes, with client.java's exit codes (curl's where curl has the same class), a
     * title (the first line of a failed peer call in serve.java) and what each means. client.java's
     * --help prints this table; tests/docs/TablesTest.java keeps the reference's copy in step with it.
     */
    public enum Problem {
        UNKNOWN_HOST(6, "unknown host", "the host name could not be resolved (try --resolve)"),
        CONNECT_REFUSED(7, "connection refused", "nothing listens there"),
        HTTP_ERROR(22, "HTTP error status", "the server answered HTTP 400 or more"),
        TIMEOUT(28, "timeout", "connecting, the TLS handshake, or the answer took too long"),
        NO_COMMON_PROTOCOL(35, "no common TLS protocol or cipher", "the two sides share no TLS version or cipher suite"),
        CONNECTION_FAILED(56, "connection failed", "the connection failed for another reason (the message says what was seen)"),
        KEY_MISMATCH(58, "key does not match certificate", "--key does not belong to --cert (checked before connecting)"),
        SERVER_UNTRUSTED(60, "server certificate not trusted",
                "no CA we trust signed the server's certificate (the message names its issuer, and the --cacert that fixes it)"),
        HOSTNAME_MISMATCH(61, "host name not in the server certificate", "the URL's host is not in the certificate's SAN (the message lists them)"),
        SERVER_CERT_EXPIRED(62, "server certificate expired or not yet valid", "the server's certificate, or its CA, is outside its validity"),
        CLIENT_CERT_REQUIRED(63, "server requires a client certificate",
                "we sent none (a TLS alert, a closed connection, or nginx's HTTP 400 page)"),
        CLIENT_CERT_REJECTED(64, "server rejected our client certificate", "unknown CA, expired, revoked, wrong purpose, or not allowed in");

        public final int exitCode;
        public final String title;
        public final String meaning;

        Problem(int exitCode, String title, String meaning) {
            this.exitCode = exitCode;
            this.title = title;
            this.meaning = meaning;
        }
    }

    
    /** An HTTP answer that still means failure: nginx's page for a missing or bad client certificate, or >= 400. */
    public static Diagnosis ofResponse(int status, String body, Tls.Call c, Tls.Seen seen) {
        String where = c.url().getHost() + ":" + c.url().getPort();
        if (status == 400 && body.contains("No required SSL certificate was sent"))
            // nginx (ssl_verify_client on) completes the handshake, then answers 400 with this page.
            return clientCertRequired(c, seen, "HTTP 400 \"No required SSL certificate was sent\" (nginx)");
        if (status == 400 && body.contains("The SSL certificate error"))
            return clientCertRejected(c, seen, null, "HTTP 400 \"The SSL certificate error\" (nginx)");
        if (status >= 400)
            return new Diagnosis(Problem.HTTP_ERROR, String.format("The TLS connection to %s worked, but the server "
                    + "answered HTTP %d for %s. Likely cause: a wrong path, or the server refused this request. "
                    + "Fix: check the URL; the answer's body is printed above.", where, status, c.url().getPath()));
        return null;
    }

    /** Explains a failed call: the recorded handshake first, then the exception's words. */
    public static Diagnosis of(Throwable e, Tls.Call c, Tls.Seen seen) {
        String seenAs = chainText(e);
        String host = c.url().getHost();
        String where = host + ":" + Tls.hostPort(c.url()).replaceAll(".*:", "")
                + (seen.mappedTo == null ? "" : " (at " + seen.mappedTo.getAddress().getHostAddress() + ", from --resolve)");
        Throwable connect = seen.connectFailure != null ? seen.connectFailure : Tls.find(e, ConnectException.class, UnknownHostException.class,
                UnresolvedAddressException.class, HttpConnectTimeoutException.class);
        if (connect instanceof UnknownHostException || connect instanceof UnresolvedAddressException)
            return new Diagnosis(Problem.UNKNOWN_HOST, String.format("Could not find the address of %s: the name lookup "
                    + "failed, so no connection was made. Likely cause: the name exists only in the tutorial's /etc/hosts. "
                    + "Fix: map it without root with --resolve %s:127.0.0.1 (or the service's address).", host, Tls.hostPort(c.url())));
        if (connect instanceof SocketTimeoutException || connect instanceof HttpConnectTimeoutException)
            return timeout(where, "the TCP connect", c.connectTimeout(), seenAs);
        if (connect != null)
            return new Diagnosis(Problem.CONNECT_REFUSED, String.format("Could not connect to %s: the connection was "
                    + "refused, so nothing listens there. Likely cause: the service is not running, or the port or "
                    + "--resolve address is wrong. Fix: start the service (%s) or correct the URL. (Seen as: %s)",
                    where, serveCommand(c), seenAs));
        if (seen.trustFailure != null) return serverCertProblem(c, seen, where, seenAs);
        if (Tls.find(e, HttpTimeoutException.class) != null || Tls.find(e, SocketTimeoutException.class) != null)
            return timeout(where, seen.stage, c.maxTime(), seenAs);

        String alert = alert(seenAs);
        boolean sentNone = seen.sent == null;
        if ("certificate_required".equals(alert)) return clientCertRequired(c, seen, seenAs);
        if (alert != null && Set.of("bad_certificate", "unsupported_certificate", "certificate_revoked",
                "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied", "decrypt_error").contains(alert))
            return sentNone && seen.certRequested ? clientCertRequired(c, seen, seenAs) : clientCertRejected(c, seen, alert, seenAs);
        if (alert != null && Set.of("handshake_failure", "protocol_version", "insufficient_security").contains(alert)) {
            // TLS 1.2 servers (OpenSSL) answer a missing client certificate with handshake_failure.
            if (seen.certRequested && sentNone) return clientCertRequired(c, seen, seenAs);
            return noCommonProtocol(where, "the server", seenAs);
        }
        if (seenAs.contains("No appropriate protocol") || seenAs.contains("no cipher suites in common"))
            return noCommonProtocol(where, "our side (the client)", seenAs);
        // The server hung up. Over TLS 1.3 a missing client certificate looks like this: HttpClient
        // reports "header parser received no bytes", TLS 1.2 "Remote host terminated the handshake".
        if (seen.certRequested && sentNone) return clientCertRequired(c, seen, seenAs);
        if (seen.certRequested) return clientCertRejected(c, seen, null, seenAs);
        return new Diagnosis(Problem.CONNECTION_FAILED, String.format("The connection to %s failed: %s. Which side "
                + "refused is not clear: the server %s. Likely cause: the server does not speak HTTPS on that port, or "
                + "it closed the connection. Fix: check the URL's scheme and port, and run with -v to see the handshake.",
                where, seenAs, seen.serverChain == null ? "sent no certificate" : "sent its certificate, then hung up"));
    }

    private static Diagnosis timeout(String where, String what, Duration limit, String seenAs) {
        return new Diagnosis(Problem.TIMEOUT, String.format("No answer from %s within %d s: it stalled during %s, and "
                + "the call timed out. Likely cause: a firewall dropping packets, a wrong address, or a server that accepts "
                + "connections but does not speak TLS there. Fix: check the address and port; raise --connect-timeout "
                + "or --max-time if the server is merely slow. (Seen as: %s)", where, limit.toSeconds(), what, seenAs));
    }

    private static Diagnosis noCommonProtocol(String where, String side, String seenAs) {
        return new Diagnosis(Problem.NO_COMMON_PROTOCOL, String.format("The TLS handshake with %s failed: %s refused "
                + "it because the two sides share no protocol version or cipher suite. We offer only TLS 1.3, and TLS 1.2 "
                + "with ECDHE key exchange and AES-GCM or ChaCha20-Poly1305 (no RSA key exchange, no CBC). Likely "
                + "cause: the server allows only TLS 1.1 or older, or only RSA key exchange or CBC suites. Fix: enable "
                + "TLS 1.3, or TLS 1.2 with ECDHE-*-AES128-GCM-SHA256 or similar, on the server. "
                + "(Seen as: %s)", where, side, seenAs));
    }

    /** Our side refused the server's certificate: name mismatch, expired, or no trusted CA signed it. */
    private static Diagnosis serverCertProblem(Tls.Call c, Tls.Seen seen, String where, String seenAs) {
        X509Certificate[] chain = seen.serverChain;
        X509Certificate leaf = chain[0];
        String why = chainText(seen.trustFailure);
        if (why.contains("No subject alternative") || why.contains("No name matching"))
            return new Diagnosis(Problem.HOSTNAME_MISMATCH, String.format("The TLS handshake with %s failed: our side "
                    + "(the client) refused the server's certificate because it is not valid for the name \"%s\". The "
                    + "certificate's names (SAN) are: %s. Likely cause: the URL uses a name or address the certificate "
                    + "was not issued for (an IP address in the URL must itself be in the SAN). Fix: use one of those "
                    + "names in the URL (with --resolve NAME:PORT:ADDR to reach it without DNS), or re-issue the "
                    + "certificate with this name added, where the server's files are: %s. (Seen as: %s)",
                    where, Text.escape(c.url().getHost()), Names.sans(leaf), reissueWithHost(c, leaf), why));
        for (X509Certificate cert : chain) {
            Instant now = Instant.now();
            if (now.isAfter(cert.getNotAfter().toInstant()) || now.isBefore(cert.getNotBefore().toInstant())) {
                boolean expired = now.isAfter(cert.getNotAfter().toInstant());
                return new Diagnosis(Problem.SERVER_CERT_EXPIRED, String.format("The TLS handshake with %s failed: our "
                        + "side (the client) refused the server's certificate because \"%s\" %s. Likely cause: %s. "
                        + "Fix: renew it where the server's files are (%s; serve.java picks it up without a restart)%s. "
                        + "(Seen as: %s)", where, Names.subject(cert),
                        expired ? "expired on " + Describe.utc(cert.getNotAfter().toInstant())
                                : "is not valid before " + Describe.utc(cert.getNotBefore().toInstant()),
                        expired ? "the certificate was not renewed in time" : "it was issued with a future start date, or a clock is wrong",
                        renewCommand(c, leaf),
                        expired ? "" : ", or correct the clock of this machine or the CA's", why));
            }
        }
        X509Certificate top = chain[chain.length - 1];
        String issuer = Names.issuer(top);
        String fix = matchingCaFile(top, c)
                .map(p -> "pass it with --cacert " + Text.arg(p) + " (that file holds \"" + issuer + "\", so this fixes it)")
                .orElse("pass the certificate of \"" + issuer + "\" with --cacert FILE (with ca.java that file is " + Text.arg(pki(c).resolve("ca.crt")) + ")");
        String trusted = c.caFile() == null ? "no --cacert was given, so only the JDK's default public CAs were trusted, "
                + "and they do not include it" : "the --cacert file " + c.caFile() + " does not hold that CA";
        return new Diagnosis(Problem.SERVER_UNTRUSTED, String.format("The TLS handshake with %s failed: our side (the "
                + "client) refused the server's certificate \"%s\" because no CA we trust signed it. It was issued by "
                + "\"%s\"; %s. Likely cause: the server uses a private CA. Fix: %s. Do not use --insecure beyond a quick "
                + "test. (Seen as: %s)", where, Names.subject(leaf), issuer, trusted, fix, why));
    }

    /** A local file that holds the CA which signed the top of the chain: certs/ca.crt, or next to --cert. */
    static Optional<Path> matchingCaFile(X509Certificate top, Tls.Call c) {
        List<Path> candidates = new ArrayList<>(List.of(pki(c).resolve("ca.crt")));
        if (c.identity() != null && c.identity().certFile().toAbsolutePath().getParent() != null)
            candidates.add(0, c.identity().certFile().toAbsolutePath().getParent().resolve("ca.crt"));
        for (Path p : candidates) {
            if (!Files.isRegularFile(p) || (c.caFile() != null && p.toAbsolutePath().equals(c.caFile().toAbsolutePath()))) continue;
            try {
                for (X509Certificate ca : Pem.certificates(p, "CA certificate")) {
                    if (!ca.getSubjectX500Principal().equals(top.getIssuerX500Principal())) continue;
                    top.verify(ca.getPublicKey());
                    return Optional.of(p);
                }
            } catch (Exception ignored) {
                // not this one
            }
        }
        return Optional.empty();
    }

    private static Diagnosis clientCertRequired(Tls.Call c, Tls.Seen seen, String seenAs) {
        String where = c.url().getHost() + ":" + Tls.hostPort(c.url()).replaceAll(".*:", "");
        String accepts = seen.acceptedIssuers.isEmpty() ? "" : " It accepts certificates issued by: "
                + String.join("; ", seen.acceptedIssuers) + ".";
        String cause = c.identity() == null ? "no --cert and --key were given"
                : "the certificate given has a key type the server did not ask for";
        return new Diagnosis(Problem.CLIENT_CERT_REQUIRED, String.format("The request to %s failed: the server refused "
                + "the connection because it requires a client certificate (mutual TLS) and we sent none.%s Likely "
                + "cause: %s. Fix: pass a certificate and key signed by a CA the server trusts, e.g. --cert "
                + "%s --key %s. (Seen as: %s)", where, accepts, cause, Text.arg(pki(c).resolve("service-a.crt")),
                Text.arg(pki(c).resolve("service-a.key")), seenAs));
    }

    /** The server refused the certificate we sent; the alert says why, and our own checks add detail. */
    private static Diagnosis clientCertRejected(Tls.Call c, Tls.Seen seen, String alert, String seenAs) {
        String where = c.url().getHost() + ":" + Tls.hostPort(c.url()).replaceAll(".*:", "");
        X509Certificate ours = seen.sent != null ? seen.sent[0] : c.identity() != null ? c.identity().cert() : null;
        List<String> facts = new ArrayList<>();
        String fix = "use a certificate issued by a CA the server trusts, valid now, with the clientAuth purpose "
                + "(./jbang issue.java" + dirFlag(c) + " NAME issues one)";
        if (ours != null) {
            Instant now = Instant.now();
            if (now.isAfter(ours.getNotAfter().toInstant())) {
                facts.add("our certificate \"" + Names.subject(ours) + "\" expired on " + Describe.utc(ours.getNotAfter().toInstant()));
                fix = "renew it: " + renewCommand(c, ours);
            } else if (now.isBefore(ours.getNotBefore().toInstant())) {
                facts.add("our certificate is not valid before " + Describe.utc(ours.getNotBefore().toInstant()));
            }
            if (!hasClientAuth(ours)) {
                facts.add("our certificate's extended key usage lacks clientAuth, so it may only identify a server");
                fix = "issue one for clients (./jbang issue.java" + dirFlag(c) + " NAME, without --server-only)";
            }
            String revoked = revokedLocally(ours, c);
            if (revoked != null) {
                facts.add("our certificate is listed as revoked in " + revoked + ", and a server given that CRL refuses it");
                fix = "issue a new certificate (" + renewCommand(c, ours) + " --new-key) and use it";
            }
            if (!seen.acceptedIssuers.isEmpty() && !seen.acceptedIssuers.contains(Names.issuer(ours))) {
                facts.add("it was issued by \"" + Names.issuer(ours) + "\" but the server accepts only: " + String.join("; ", seen.acceptedIssuers));
                fix = "use a certificate issued by one of those CAs, or add our CA to the server's trusted CAs";
            }
            // Some servers (Python's ssl) list no CA names and send no alert: name the issuer to check.
            if (facts.isEmpty())
                facts.add("it was issued by \"" + Names.issuer(ours) + "\"; check that the server trusts that CA");
        }
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
        return new Diagnosis(Problem.CLIENT_CERT_REJECTED, String.format("The request to %s failed: the server refused "
                + "our client certificate%s: %s.%s Fix: %s. (Seen as: %s)", where,
                ours == null ? "" : " \"" + Names.subject(ours) + "\"", alertText,
                facts.isEmpty() ? "" : " Likely cause: " + String.join("; ", facts) + ".", fix, seenAs));
    }

    /**
     * Where a local CRL (ca.crl beside --cacert or --cert, or certs/ca.crl) lists our certificate:
     * "certs/ca.crl (revoked on ...)", or null. A server that refuses a revoked certificate mostly
     * just hangs up (the JDK's HttpsServer sends no alert), so this is how the client can tell.
     */
    static String revokedLocally(X509Certificate ours, Tls.Call c) {
        List<Path> candidates = new ArrayList<>();
        if (c.caFile() != null && c.caFile().toAbsolutePath().getParent() != null)
            candidates.add(c.caFile().toAbsolutePath().getParent().resolve("ca.crl"));
        if (c.identity() != null && c.identity().certFile().toAbsolutePath().getParent() != null)
            candidates.add(c.identity().certFile().toAbsolutePath().getParent().resolve("ca.crl"));
        candidates.add(pki(c).resolve("ca.crl").toAbsolutePath());
        for (Path p : candidates.stream().distinct().toList()) {
            if (!Files.isRegularFile(p)) continue;
            try {
                for (X509CRL x : Pem.crls(p)) {
                    if (!x.getIssuerX500Principal().equals(ours.getIssuerX500Principal())) continue;
                    var entry = x.getRevokedCertificate(ours.getSerialNumber());
                    if (entry != null) return p + " (revoked on " + Describe.utc(entry.getRevocationDate().toInstant()) + ")";
                }
            } catch (Exception e) {
                // not a readable CRL: no hint from it
            }
        }
        return null;
    }

    static boolean hasClientAuth(X509Certificate c) {
        var ext = Certs.holder(c).getExtensions();
        ExtendedKeyUsage eku = ext == null ? null : ExtendedKeyUsage.fromExtensions(ext);
        return eku == null || eku.hasKeyPurposeId(KeyPurposeId.id_kp_clientAuth) || eku.hasKeyPurposeId(KeyPurposeId.anyExtendedKeyUsage);
    }

    /** The PKI folder the user named with --dir, else certs: where the fixes look and point. */
    static Path pki(Tls.Call c) {
        return c.dir() != null ? c.dir() : Path.of("certs");
    }

    /** " --dir D" when the user named a folder, so a suggested command works as typed. */
    static String dirFlag(Tls.Call c) {
        return c.dir() == null ? "" : " --dir " + Text.arg(c.dir());
    }

    /** The server's certificate issued anew with the URL's host added to its names, under its own file name. */
    static String reissueWithHost(Tls.Call c, X509Certificate leaf) {
        List<org.bouncycastle.asn1.x509.GeneralName> sans = Names.sanList(leaf);
        StringBuilder cmd = new StringBuilder("./jbang issue.java").append(dirFlag(c)).append(" --force");
        try {
            if (!sans.isEmpty()) cmd.append(" --name ").append(Text.arg(Names.fileName(sans.get(0))));
        } catch (Failure f) {
            // no file name from it: issue.java derives one from the names below
        }
        for (var n : sans)
            cmd.append(' ').append(Text.arg(n.getTagNo() == org.bouncycastle.asn1.x509.GeneralName.iPAddress ? Names.ipText(n) : n.getName()));
        return cmd.append(' ').append(Text.arg(c.url().getHost())).toString();
    }

    /** serve.java for the URL's port, named after its host's first label (service-b.example.com: service-b). */
    static String serveCommand(Tls.Call c) {
        String host = c.url().getHost();
        boolean dns = host.matches("[A-Za-z][A-Za-z0-9-]*(\\.[A-Za-z0-9-]+)*") && !host.equalsIgnoreCase("localhost");
        return "./jbang serve.java" + dirFlag(c) + " --name " + (dns ? Text.arg(host.split("\\.")[0]) : "NAME")
                + " --port " + Tls.hostPort(c.url()).replaceAll(".*:", "");
    }

    /** " --key-password SPEC" for a command that reads our key again, when it is encrypted (see Text.passwordSpec). */
    static String keyPasswordFlag(Tls.Call c) {
        if (c.identity() == null) return "";
        try {
            if (!Pem.isEncryptedKey(Files.readAllBytes(c.identity().keyFile()))) return "";
        } catch (IOException e) {
            return "";
        }
        return " --key-password " + Text.arg(c.keyPassword() == null ? "prompt" : Text.passwordSpec(c.keyPassword()));
    }

    /**
     * The command that renews a certificate with the same names: our own by its file (--cert), a
     * server's by the file issue.java would have given it (NAME.crt from its first SAN) in the PKI folder.
     */
    static String renewCommand(Tls.Call c, X509Certificate cert) {
        if (c.identity() != null && c.identity().cert().equals(cert))
            return "./jbang issue.java renew" + keyPasswordFlag(c) + " " + Text.arg(c.identity().certFile());
        return "./jbang issue.java renew " + Text.arg(pki(c).resolve(Names.fileName(cert) + ".crt"));
    }

    /** The TLS alert name in "Received fatal alert: unknown_ca", or null. */
    static String alert(String text) {
        var m = java.util.regex.Pattern.compile("Received fatal alert: (\\w+)").matcher(text);
        return m.find() ? m.group(1) : null;
    }


    /** Every message in a cause chain, joined: the JDK wraps the telling one several levels down. */
    static String chainText(Throwable e) {
        StringJoiner j = new StringJoiner(": ");
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? t.getClass().getSimpleName() : Text.of(t);
            if (!j.toString().contains(m)) j.add(m);
        }
        return j.toString();
    }
}
