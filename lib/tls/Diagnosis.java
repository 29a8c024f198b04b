// Diagnosis.java: why an (m)TLS call failed, as a finding: the failure class, where the call went,
// what was seen, and the facts that select the class. The classes and their exit codes are declared
// once, in Problem. The words, and the fixes as commands, come from the command line's layer
// (lib/cli), which knows the options the user gave: this file names none.
// Needs: Tls (the call and what its handshake recorded), and lib/pki (Names, Pem, Certs, Describe).

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
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;

/**
 * A failed call: its class, the call (url, identity, CA file), where it went (host, port, and the
 * address a host map sent it to, or null), what the exception and the handshake showed, and the
 * class's own finding.
 */
public record Diagnosis(Problem problem, Tls.Call call, String host, String port, String mappedTo, String seenAs, Finding finding) {

    /**
     * The failure classes, with client.java's exit codes (curl's where curl has the same class) and a
     * title (the first line of a failed peer call in serve.java). What each means, in the options'
     * words, is the command line's to say.
     */
    public enum Problem {
        UNKNOWN_HOST(6, "unknown host"),
        CANNOT_CONNECT(7, "could not connect"),
        PARTIAL_ANSWER(18, "partial answer"),
        HTTP_ERROR(22, "HTTP error status"),
        TIMEOUT(28, "timeout"),
        NO_COMMON_PROTOCOL(35, "no common TLS protocol or cipher"),
        CONNECTION_FAILED(56, "connection failed"),
        KEY_MISMATCH(58, "key does not match certificate"),
        SERVER_UNTRUSTED(60, "server certificate not trusted"),
        HOSTNAME_MISMATCH(61, "host name not in the server certificate"),
        SERVER_CERT_EXPIRED(62, "server certificate expired or not yet valid"),
        CLIENT_CERT_REQUIRED(63, "server requires a client certificate"),
        CLIENT_CERT_REJECTED(64, "server rejected our client certificate");

        public final int exitCode;
        public final String title;

        Problem(int exitCode, String title) {
            this.exitCode = exitCode;
            this.title = title;
        }
    }

    /** What a class found, beyond where and what was seen. */
    public sealed interface Finding {}
    /** The name lookup failed. */
    public record NoAddress() implements Finding {}
    /** The connection was refused: the address answered, and nothing listens on that port. */
    public record NothingListens() implements Finding {}
    /** No connection was made, and nothing answered: this machine has no route to the address (the errno says which). */
    public record NotReached() implements Finding {}
    /** The handshake worked and the server began its answer, then the connection ended or the answer broke HTTP's framing. */
    public record AnswerBrokeOff() implements Finding {}
    /** Nothing came within limit, while the call was at stage. */
    public record Stalled(String stage, Duration limit) implements Finding {}
    /** The sides share no protocol or cipher; ourSide: our client refused, not the server. */
    public record NoCommonProtocol(boolean ourSide) implements Finding {}
    /** The connection worked, and the answer's status is 400 or more. */
    public record HttpStatus(int status, String path) implements Finding {}
    /** The connection failed otherwise; whether the server had sent its certificate. */
    public record Unclear(boolean serverSentCertificate) implements Finding {}
    /** The URL's host is not among the names of the server's certificate leaf. */
    public record NameNotInCertificate(X509Certificate leaf) implements Finding {}
    /** cert (the leaf or a CA of its chain) is outside its validity: expired, or not yet valid. */
    public record OutOfValidity(X509Certificate leaf, X509Certificate cert, boolean expired) implements Finding {}
    /** No CA we trust signed the chain whose leaf and top these are. */
    public record UntrustedIssuer(X509Certificate leaf, X509Certificate top) implements Finding {}
    /** The server wants a client certificate and we sent none; the CA names it listed. */
    public record NoClientCertificate(List<String> acceptedIssuers) implements Finding {}
    /** The server refused ours: its alert (or null), the facts our own checks found, the CA names it listed. */
    public record ClientCertificateRefused(X509Certificate ours, String alert, List<Fact> facts, List<String> acceptedIssuers)
            implements Finding {}

    /** What our own checks find wrong with the client certificate we sent. */
    public enum Fact { EXPIRED, NOT_YET_VALID, NOT_FOR_CLIENTS, ISSUER_NOT_ACCEPTED }

    private static Diagnosis of(Problem p, Tls.Call c, Tls.Seen seen, String seenAs, Finding f) {
        return new Diagnosis(p, c, c.url().getHost(), Tls.hostPort(c.url()).replaceAll(".*:", ""),
                seen.mappedTo == null ? null : seen.mappedTo.getAddress().getHostAddress(), seenAs, f);
    }
    /** An HTTP answer that still means failure: nginx's page for a missing or bad client certificate, or >= 400. */
    public static Diagnosis ofResponse(int status, String body, Tls.Call c, Tls.Seen seen) {
        if (status == 400 && body.contains("No required SSL certificate was sent"))
            // nginx (ssl_verify_client on) completes the handshake, then answers 400 with this page.
            return clientCertRequired(c, seen, "HTTP 400 \"No required SSL certificate was sent\" (nginx)");
        if (status == 400 && body.contains("The SSL certificate error"))
            return clientCertRejected(c, seen, null, "HTTP 400 \"The SSL certificate error\" (nginx)");
        if (status >= 400) return of(Problem.HTTP_ERROR, c, seen, "HTTP " + status, new HttpStatus(status, c.url().getPath()));
        return null;
    }

    /** Classifies a failed call: the recorded handshake first, then the exception's words. */
    public static Diagnosis of(Throwable e, Tls.Call c, Tls.Seen seen) {
        String seenAs = chainText(e);
        Throwable connect = seen.connectFailure != null ? seen.connectFailure : Tls.find(e, ConnectException.class, UnknownHostException.class,
                UnresolvedAddressException.class, HttpConnectTimeoutException.class, java.net.NoRouteToHostException.class);
        if (connect instanceof UnknownHostException || connect instanceof UnresolvedAddressException)
            return of(Problem.UNKNOWN_HOST, c, seen, seenAs, new NoAddress());
        if (connect instanceof SocketTimeoutException || connect instanceof HttpConnectTimeoutException)
            return of(Problem.TIMEOUT, c, seen, seenAs, new Stalled("the TCP connect", c.connectTimeout()));
        // Only ECONNREFUSED says that the address answered and nothing listens; "Network is unreachable" and
        // "No route to host" (ENETUNREACH, EHOSTUNREACH) say that no packet got there, which is another fix.
        String why = connect == null ? "" : String.valueOf(connect.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (why.contains("refused")) return of(Problem.CANNOT_CONNECT, c, seen, seenAs, new NothingListens());
        if (connect instanceof java.net.NoRouteToHostException || why.contains("unreachable") || why.contains("no route"))
            return of(Problem.CANNOT_CONNECT, c, seen, seenAs, new NotReached());
        // Any other end of the connect (a reset, say): the address answered, so neither of the above.
        if (connect != null) return of(Problem.CONNECTION_FAILED, c, seen, seenAs, new Unclear(false));
        if (seen.trustFailure != null) return serverCertProblem(c, seen);
        if (Tls.find(e, HttpTimeoutException.class) != null || Tls.find(e, SocketTimeoutException.class) != null)
            return of(Problem.TIMEOUT, c, seen, seenAs, new Stalled(seen.stage, c.maxTime()));

        String alert = alert(seenAs);
        boolean sentNone = seen.sent == null;
        if ("certificate_required".equals(alert)) return clientCertRequired(c, seen, seenAs);
        if (alert != null && Set.of("bad_certificate", "unsupported_certificate", "certificate_revoked",
                "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied", "decrypt_error").contains(alert))
            return sentNone && seen.certRequested ? clientCertRequired(c, seen, seenAs) : clientCertRejected(c, seen, alert, seenAs);
        if (alert != null && Set.of("handshake_failure", "protocol_version", "insufficient_security").contains(alert)) {
            // TLS 1.2 servers (OpenSSL) answer a missing client certificate with handshake_failure.
            if (seen.certRequested && sentNone) return clientCertRequired(c, seen, seenAs);
            return of(Problem.NO_COMMON_PROTOCOL, c, seen, seenAs, new NoCommonProtocol(false));
        }
        if (seenAs.contains("No appropriate protocol") || seenAs.contains("no cipher suites in common"))
            return of(Problem.NO_COMMON_PROTOCOL, c, seen, seenAs, new NoCommonProtocol(true));
        // Bytes of the answer arrived, so the server took our handshake, with or without a certificate: a
        // hang-up now is no evidence about the client certificate.
        if (seen.answered) return of(Problem.CONNECTION_FAILED, c, seen, seenAs, new AnswerBrokeOff());
        // The server hung up. Over TLS 1.3 a missing client certificate looks like this: HttpClient
        // reports "header parser received no bytes", TLS 1.2 "Remote host terminated the handshake".
        if (seen.certRequested && sentNone) return clientCertRequired(c, seen, seenAs);
        if (seen.certRequested) return clientCertRejected(c, seen, null, seenAs);
        return of(Problem.CONNECTION_FAILED, c, seen, seenAs, new Unclear(seen.serverChain != null));
    }

    /** Our side refused the server's certificate: name mismatch, expired, or no trusted CA signed it. */
    private static Diagnosis serverCertProblem(Tls.Call c, Tls.Seen seen) {
        X509Certificate[] chain = seen.serverChain;
        String why = chainText(seen.trustFailure);
        if (why.contains("No subject alternative") || why.contains("No name matching"))
            return of(Problem.HOSTNAME_MISMATCH, c, seen, why, new NameNotInCertificate(chain[0]));
        Instant now = Instant.now();
        for (X509Certificate cert : chain) {
            boolean expired = now.isAfter(cert.getNotAfter().toInstant());
            if (expired || now.isBefore(cert.getNotBefore().toInstant()))
                return of(Problem.SERVER_CERT_EXPIRED, c, seen, why, new OutOfValidity(chain[0], cert, expired));
        }
        return of(Problem.SERVER_UNTRUSTED, c, seen, why, new UntrustedIssuer(chain[0], chain[chain.length - 1]));
    }

    private static Diagnosis clientCertRequired(Tls.Call c, Tls.Seen seen, String seenAs) {
        return of(Problem.CLIENT_CERT_REQUIRED, c, seen, seenAs, new NoClientCertificate(seen.acceptedIssuers));
    }

    /** The server refused the certificate we sent; the alert says why, and our own checks add the facts. */
    private static Diagnosis clientCertRejected(Tls.Call c, Tls.Seen seen, String alert, String seenAs) {
        X509Certificate ours = seen.sent != null ? seen.sent[0] : c.identity() != null ? c.identity().cert() : null;
        List<Fact> facts = new ArrayList<>();
        if (ours != null) {
            Instant now = Instant.now();
            if (now.isAfter(ours.getNotAfter().toInstant())) facts.add(Fact.EXPIRED);
            else if (now.isBefore(ours.getNotBefore().toInstant())) facts.add(Fact.NOT_YET_VALID);
            if (!hasClientAuth(ours)) facts.add(Fact.NOT_FOR_CLIENTS);
            if (!seen.acceptedIssuers.isEmpty() && !seen.acceptedIssuers.contains(Names.issuer(ours))) facts.add(Fact.ISSUER_NOT_ACCEPTED);
        }
        return of(Problem.CLIENT_CERT_REJECTED, c, seen, seenAs, new ClientCertificateRefused(ours, alert, facts, seen.acceptedIssuers));
    }

    /** The first of these files that holds the CA which signed top, leaving out the one already trusted (exclude). */
    public static Optional<Path> caFileFor(X509Certificate top, List<Path> candidates, Path exclude) {
        for (Path p : candidates.stream().distinct().toList()) {
            if (!Files.isRegularFile(p) || (exclude != null && p.toAbsolutePath().equals(exclude.toAbsolutePath()))) continue;
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

    /**
     * Where one of these CRL files lists cert: "DIR/ca.crl (revoked on ...)", or null. A server
     * that refuses a revoked certificate mostly just hangs up, so this is how the client can tell.
     */
    public static String revokedIn(X509Certificate cert, List<Path> crlFiles) {
        for (Path p : crlFiles.stream().distinct().toList()) {
            if (!Files.isRegularFile(p)) continue;
            try {
                for (X509CRL x : Pem.crls(p)) {
                    if (!x.getIssuerX500Principal().equals(cert.getIssuerX500Principal())) continue;
                    var entry = x.getRevokedCertificate(cert.getSerialNumber());
                    if (entry != null) return p + " (revoked on " + Describe.utc(entry.getRevocationDate().toInstant()) + ")";
                }
            } catch (Exception e) {
                // not a readable CRL: no hint from it
            }
        }
        return null;
    }

    /** Whether the key in keyFile is encrypted (a command that reads it again then needs its password). */
    public static boolean encryptedKey(Path keyFile) {
        try {
            return Pem.isEncryptedKey(Files.readAllBytes(keyFile));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static boolean hasClientAuth(X509Certificate c) {
        var ext = Certs.holder(c).getExtensions();
        ExtendedKeyUsage eku = ext == null ? null : ExtendedKeyUsage.fromExtensions(ext);
        return eku == null || eku.hasKeyPurposeId(KeyPurposeId.id_kp_clientAuth) || eku.hasKeyPurposeId(KeyPurposeId.anyExtendedKeyUsage);
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
