// Floor.java: what the JDK alone needs for the work the scripts do, so that bench/run can say what
// bounds each figure. No dependencies; bench/run compiles it with javac and runs it with plain java.
//
//   java Floor keygen rsa|ec N   makes N key pairs (RSA-2048 or EC P-256) on all cores; prints ms
//   java Floor crypto SECONDS    one core: RSA-2048 signatures/s (RSASSA-PSS, what a TLS 1.3 server
//                                signs with), RSA-2048 verifications/s, X25519 key agreements/s
//                                (a fresh key pair + agreement: the server's share of the key exchange),
//                                and the same for P-256 ECDH (secp256r1), the other group TLS offers
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.KeyAgreement;

public class Floor {
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "keygen" -> keygen(args[1], Integer.parseInt(args[2]));
            case "crypto" -> crypto(Double.parseDouble(args[1]));
            default -> throw new IllegalArgumentException("keygen rsa|ec N, or crypto SECONDS");
        }
    }

    /** N key pairs on as many threads as there are cores, as issue.java --each does. */
    static void keygen(String type, int n) throws Exception {
        long t0 = System.nanoTime();
        int threads = Runtime.getRuntime().availableProcessors();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<KeyPair>> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) keys.add(pool.submit(() -> newKeyPair(type)));
        for (Future<KeyPair> k : keys) k.get();
        pool.shutdown();
        System.out.printf("keygen %s %d keys on %d threads: %d ms%n", type, n, threads, (System.nanoTime() - t0) / 1_000_000);
    }

    static KeyPair newKeyPair(String type) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(type.equals("rsa") ? "RSA" : "EC");
        if (type.equals("rsa")) g.initialize(2048);
        else g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /** Operations per second on one thread, after a warm-up of the same length. */
    static void crypto(double seconds) throws Exception {
        KeyPair rsa = newKeyPair("rsa");
        byte[] data = new byte[32];
        PSSParameterSpec pss = new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1);
        Signature signer = Signature.getInstance("RSASSA-PSS");
        signer.setParameter(pss);
        signer.initSign(rsa.getPrivate());
        signer.update(data);
        byte[] sig = signer.sign();
        Signature verifier = Signature.getInstance("RSASSA-PSS");
        verifier.setParameter(pss);
        KeyPairGenerator xdh = KeyPairGenerator.getInstance("X25519");
        KeyPair peer = xdh.generateKeyPair();
        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ecPeer = ec.generateKeyPair();

        Op sign = () -> { signer.initSign(rsa.getPrivate()); signer.update(data); signer.sign(); };
        Op verify = () -> { verifier.initVerify(rsa.getPublic()); verifier.update(data); verifier.verify(sig); };
        Op x25519 = () -> {
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(xdh.generateKeyPair().getPrivate());
            ka.doPhase(peer.getPublic(), true);
            ka.generateSecret();
        };
        Op p256 = () -> {
            KeyAgreement ka = KeyAgreement.getInstance("ECDH");
            ka.init(ec.generateKeyPair().getPrivate());
            ka.doPhase(ecPeer.getPublic(), true);
            ka.generateSecret();
        };
        System.out.printf("rsa2048 sign/s %.0f%n", rate(sign, seconds));
        System.out.printf("rsa2048 verify/s %.0f%n", rate(verify, seconds));
        System.out.printf("x25519 keygen+agree/s %.0f%n", rate(x25519, seconds));
        System.out.printf("secp256r1 keygen+agree/s %.0f%n", rate(p256, seconds));
    }

    interface Op { void run() throws Exception; }

    static double rate(Op op, double seconds) throws Exception {
        for (int pass = 0; pass < 2; pass++) { // pass 0 warms the JIT up
            long end = System.nanoTime() + (long) (seconds * 1e9), t0 = System.nanoTime();
            int n = 0;
            while (System.nanoTime() < end) { op.run(); n++; }
            if (pass == 1) return n / ((System.nanoTime() - t0) / 1e9);
        }
        throw new AssertionError();
    }
}
