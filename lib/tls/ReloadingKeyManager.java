// ReloadingKeyManager.java: a key manager whose certificate and key can be replaced while a server
// runs, so renewed files are used by new handshakes without a restart. Copy it as it is: it needs
// only the JDK. serve.java calls replace() when its files change; a client uses it too, and then
// sends its certificate whenever a server asks, as curl and openssl do.
//
// A client resuming an old TLS session still sees the old certificate until it makes a new one.

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

public class ReloadingKeyManager extends X509ExtendedKeyManager {

    /** A certificate chain (ours first) and its private key, under an alias of its own. */
    public record Pair(X509Certificate[] chain, PrivateKey key) {
        /** One alias per certificate, so a handshake never mixes a new chain with an old key. */
        String alias() { return "id-" + chain[0].getSerialNumber().toString(16); }
    }

    private final AtomicReference<Pair> current;
    private volatile Pair previous;

    /** pair may be null: a client with no certificate to send. */
    public ReloadingKeyManager(Pair pair) {
        current = new AtomicReference<>(pair);
    }

    public Pair current() { return current.get(); }

    /** New handshakes use next; one that chose the old pair just before this call still finishes with it. */
    public void replace(Pair next) { previous = current.getAndSet(next); }

    private Pair byAlias(String alias) {
        Pair c = current.get(), p = previous;
        if (c != null && c.alias().equals(alias)) return c;
        if (p != null && p.alias().equals(alias)) return p;
        return null;
    }

    /**
     * JSSE names key types as RSA, EC, EdDSA, or RSA_RSA / EC_EC in TLS 1.2: the first part is the key.
     * A client's certificate goes out whatever CA names the server lists: the JDK's own key manager
     * would send an empty certificate instead, and the server would then say "certificate required"
     * rather than "unknown CA", hiding the real cause.
     */
    protected static boolean fits(String keyType, PrivateKey key) {
        String want = keyType.split("_")[0], have = key.getAlgorithm();
        if (have.startsWith("Ed")) have = "EdDSA";
        return want.equalsIgnoreCase(have);
    }

    protected String clientAlias(String[] keyTypes) {
        Pair p = current.get();
        if (p == null || keyTypes == null) return null;
        for (String t : keyTypes) if (fits(t, p.key())) return p.alias();
        return null;
    }

    @Override public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) { return clientAlias(keyTypes); }
    @Override public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) { return clientAlias(keyTypes); }
    @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        Pair p = current.get();
        return p != null && fits(keyType, p.key()) ? p.alias() : null;
    }
    @Override public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return chooseServerAlias(keyType, issuers, null);
    }
    @Override public X509Certificate[] getCertificateChain(String alias) {
        Pair p = byAlias(alias);
        return p == null ? null : p.chain().clone();
    }
    @Override public PrivateKey getPrivateKey(String alias) {
        Pair p = byAlias(alias);
        return p == null ? null : p.key();
    }
    @Override public String[] getClientAliases(String keyType, Principal[] issuers) {
        Pair p = current.get();
        return p == null ? null : new String[] {p.alias()};
    }
    @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return getClientAliases(keyType, issuers); }
}
