// Cli.java: the thin command-line layer every script shares, and the only file of lib/ that knows
// picocli. It runs a command with one-line errors (a stack trace only under --debug), and declares
// the options several scripts take, once each: one name, one default and one help text everywhere.
//DEPS info.picocli:picocli:4.7.7

import java.io.Console;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.StringJoiner;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import picocli.CommandLine;
import picocli.CommandLine.Option;

public final class Cli {
    private Cli() {}

    // ---------------------------------------------------------------- running a command

    /** A command whose help is derived from a table (client.java's exit codes, serve.java's routes) sets it here. */
    public interface Setup {
        void setup(CommandLine cl);
    }

    /**
     * A command that keeps an older flag form of a subcommand (issue.java --renew FILE for issue.java
     * renew FILE) rewrites its arguments here, before picocli reads them.
     */
    public interface Aliases {
        String[] rewrite(String[] args);
    }

    /**
     * The arguments with flag VALUE (or flag=VALUE) taken out and put first as subcommand VALUE, so
     * that "--renew certs/a.crt --days 30" reads as "renew certs/a.crt --days 30". Only before "--".
     */
    public static String[] flagToSubcommand(String[] args, String flag, String subcommand) {
        return flagToSubcommand(args, flag, subcommand, true);
    }

    /** The same for a flag that takes no value: "--intermediate --name x" reads as "intermediate --name x". */
    public static String[] flagToSubcommand(String[] args, String flag, String subcommand, boolean takesValue) {
        java.util.List<String> rest = new java.util.ArrayList<>();
        String value = null;
        boolean found = false, ended = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!ended && !found && a.equals(flag) && (!takesValue || i + 1 < args.length)) {
                found = true;
                if (takesValue) value = args[++i];
            } else if (!ended && !found && takesValue && a.startsWith(flag + "=")) {
                found = true;
                value = a.substring(flag.length() + 1);
            } else {
                if (a.equals("--")) ended = true;
                rest.add(a);
            }
        }
        if (!found) return args;
        if (takesValue) rest.add(0, value);
        rest.add(0, subcommand);
        return rest.toArray(new String[0]);
    }

    /** Runs a picocli command on System.out/err; scripts call it from main and exit with its code. */
    public static int run(Object command, String... args) {
        return run(command, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /**
     * Runs a picocli command with the given writers and returns its exit code: 0 success, 1 failure
     * (one line on err), 2 bad usage; client.java returns its own codes. Tests call this in-process.
     */
    public static int run(Object command, PrintWriter out, PrintWriter err, String... args) {
        if (command instanceof Aliases a) args = a.rewrite(args);
        // The safety net under every Text.escape: whatever a script prints, no control character
        // reaches the terminal raw (a name that holds ESC [ 2 J cannot clear it). Newlines pass.
        PrintWriter rawErr = err;
        out = new PrintWriter(new Escaping(out, false), true);
        err = new PrintWriter(new Escaping(err, false), true);
        CommandLine cl = new CommandLine(command).setOut(out).setErr(err);
        // picocli colours help with escape codes on a terminal; the net above would show them as text.
        cl.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        // picocli would read an argument "@FILE" as FILE's lines: a NAME such as @certs/ca.key would
        // then print lines of the key in an error message. Our arguments never need that.
        cl.setExpandAtFiles(false);
        // Path.of("") is the current folder: --dir "" would quietly write into it (and tighten its mode).
        cl.registerConverter(Path.class, v -> {
            if (v.isEmpty()) throw new CommandLine.TypeConversionException("the value is empty (for the current folder, give .)");
            return Path.of(v);
        });
        if (command instanceof Setup s) s.setup(cl);
        PrintWriter errWriter = err;
        cl.setParameterExceptionHandler((ex, a) -> {
            // picocli prints the whole usage by default; one line with a pointer to --help reads better.
            errWriter.println("error: " + Text.oneLine(usageMessage(ex)) + ". Try '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            boolean debug = false; // --debug may follow a subcommand: ca.java revoke --debug FILE
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) debug |= p.hasMatchedOption("--debug");
            boolean expected = ex instanceof Failure || ex instanceof Certs.Refused;
            String hint = debug || expected ? "" : " (run again with --debug to see the stack trace)";
            errWriter.println("error: " + Text.oneLine(describe(ex)) + hint);
            if (debug) { // a stack trace indents with tabs: those pass, nothing else does
                errWriter.flush();
                PrintWriter trace = new PrintWriter(new Escaping(rawErr, true), true);
                ex.printStackTrace(trace);
                trace.flush();
            }
            errWriter.flush();
            return 1;
        });
        cl.setExecutionStrategy(parsed -> {
            refuseEmptyValues(parsed);
            return new CommandLine.RunLast().execute(handOptionsDown(parsed));
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** A Writer that shows control characters as escapes (Text.escape's rules), newlines excepted. */
    static final class Escaping extends java.io.FilterWriter {
        private final boolean tabs;

        Escaping(java.io.Writer to, boolean tabs) {
            super(to);
            this.tabs = tabs;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            if (c == '\n' || (tabs && c == '\t') || !(c < 0x20 || (c >= 0x7f && c < 0xa0) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)
                    || c == 0x2028 || c == 0x2029 || c == 0x200e || c == 0x200f || c == 0x061c)) out.write(c);
            else out.write(Text.escape(String.valueOf((char) c)));
        }

        @Override
        public void write(char[] buf, int off, int len) throws java.io.IOException {
            for (int i = off; i < off + len; i++) write(buf[i]);
        }

        @Override
        public void write(String str, int off, int len) throws java.io.IOException {
            for (int i = off; i < off + len; i++) write(str.charAt(i));
        }
    }

    /**
     * An empty value is refused for every option, whatever it is for: JBang drops an empty argument,
     * so a user who typed one may have meant something else, and "" is no file, name or password.
     */
    static void refuseEmptyValues(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand())
            for (CommandLine.Model.OptionSpec o : p.matchedOptions())
                for (String v : o.originalStringValues())
                    if (v.isEmpty())
                        throw new CommandLine.ParameterException(p.commandSpec().commandLine(), o.longestName() + " is empty"
                                + (o.longestName().contains("password") ? "; an empty password is pass: (nothing after the colon)" : ""));
    }

    /**
     * "issue.java --dir d sign x.csr": picocli gives --dir to issue.java, and sign would run on certs/.
     * Each option given before a subcommand is handed down to the subcommand that runs, which has
     * the same option (Dir, Ca, ... are shared mixins); one it lacks, or gives again, is refused.
     */
    static CommandLine.ParseResult handOptionsDown(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p.subcommand() != null; p = p.subcommand()) {
            CommandLine.ParseResult sub = p.subcommand();
            for (CommandLine.Model.OptionSpec o : p.matchedOptions()) {
                if (o.usageHelp() || o.versionHelp()) continue;
                String subName = sub.commandSpec().name();
                CommandLine.Model.OptionSpec target = sub.commandSpec().findOption(o.longestName());
                if (target == null)
                    throw new CommandLine.ParameterException(sub.commandSpec().commandLine(), String.format(
                            "%s does not apply to %s: give it without %s", o.longestName(), subName, subName));
                if (sub.hasMatchedOption(target))
                    throw new CommandLine.ParameterException(sub.commandSpec().commandLine(), String.format(
                            "%s is given both before and after %s: give it once", o.longestName(), subName));
                target.setValue(o.getValue());
            }
        }
        return parsed;
    }

    /**
     * picocli's message, except that for a mistyped option it names only the option: "Unknown options:
     * '--key-pasword', 's3cret'" would print the password that followed it.
     */
    static String usageMessage(CommandLine.ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && u.getUnmatched().get(0).startsWith("-"))
            return "Unknown option: '" + u.getUnmatched().get(0) + "'";
        // "cannot convert 'x' to interface java.nio.file.Path (java.nio.file.InvalidPathException: ...)":
        // the user needs the words, not the class names.
        return Text.withoutClassNames(ex.getMessage());
    }

    /** One line for any exception: our own messages as they are, anything else with its cause. */
    static String describe(Throwable ex) {
        // A library's words may carry Java class names ("InvalidKeyException: ..."): the user needs the words.
        if (ex instanceof Failure f && f.kind == Failure.Kind.EXISTS)
            return Text.withoutClassNames(f.getMessage()) + " (add --force to replace it: the old file is kept as a timestamped .bak)";
        if (ex instanceof Failure || ex instanceof Certs.Refused) return Text.withoutClassNames(ex.getMessage());
        // A file name no file can have (a NUL in it): the words, with the name escaped.
        if (ex instanceof java.nio.file.InvalidPathException p) return "'" + Text.escape(p.getInput()) + "' is not a possible file name: " + p.getReason();
        String msg = ex.getMessage();
        return "unexpected " + ex.getClass().getSimpleName() + (msg == null ? "" : ": " + msg.replace('\n', ' '));
    }

    /** {@code throw Cli.fail("cannot read %s", p)}: a Failure, printed as one line. */
    public static Failure fail(String format, Object... args) {
        return Failure.of(format, args);
    }

    /** The same, keeping the cause for --debug. */
    public static Failure fail(Throwable cause, String format, Object... args) {
        return Failure.of(cause, format, args);
    }

    /** A core failure worded with the flag that gave the value: "--key-size 1024 bits is not a valid RSA size". */
    static Failure withFlag(String flag, RuntimeException e) {
        return Failure.of(e, "%s %s", flag, e.getMessage());
    }

    // ---------------------------------------------------------------- passwords

    /**
     * A password from a spec in openssl's -passin style: env:VAR, file:PATH (first line), pass:TEXT,
     * or prompt (asked on the terminal without echo). Any other text is the password itself, which
     * other users can see in the process list: the reference recommends env: or prompt.
     */
    public static char[] password(String spec, String flag) {
        if (spec.startsWith("env:")) {
            String v = System.getenv(spec.substring(4));
            if (v == null) throw fail("%s %s: the environment variable %s is not set", flag, spec, spec.substring(4));
            return v.toCharArray();
        }
        if (spec.startsWith("file:")) {
            String text = new String(Pem.read(Path.of(spec.substring(5)), "password file"), StandardCharsets.UTF_8);
            String first = text.lines().findFirst().orElse("");
            if (first.isEmpty()) throw fail("%s %s: the file's first line is empty", flag, spec);
            return first.toCharArray();
        }
        if (spec.startsWith("pass:")) return spec.substring(5).toCharArray();
        if (spec.equals("prompt")) {
            Console console = System.console();
            if (console == null) throw fail("%s prompt needs a terminal; use env:VAR or file:PATH", flag);
            char[] pw = console.readPassword("%s: ", flag);
            if (pw == null || pw.length == 0) throw fail("%s: no password given", flag);
            return pw;
        }
        if (spec.isEmpty()) throw fail("%s is empty; an empty password is pass: (nothing after the colon)", flag);
        return spec.toCharArray();
    }

    /**
     * The password of an existing encrypted key, asked only when the key turns out to be encrypted,
     * and then once: from spec, else on the terminal with a prompt that names the file, else a
     * one-line error that names the flag to use. spec "prompt" asks in the same words.
     */
    public static Supplier<char[]> passwordFor(Path file, String what, String spec, String flag) {
        return once(() -> {
            if (spec != null && !spec.equals("prompt")) return password(spec, flag);
            Console console = System.console();
            if (console == null)
                throw spec != null ? fail("%s prompt needs a terminal; use env:VAR or file:PATH", flag)
                        : fail("%s %s is encrypted: give its password with %s env:VAR (or file:PATH)", what, Text.escape(file.toString()), flag);
            char[] pw = console.readPassword("Password for %s %s: ", what, Text.escape(file.toString()));
            if (pw == null || (spec != null && pw.length == 0)) throw fail("no password given for %s %s", what, file);
            return pw;
        });
    }

    /** A supplier that asks its source at most once and then gives the same answer (or failure). */
    public static <T> Supplier<T> once(Supplier<T> source) {
        return new Supplier<>() {
            private T value;
            private RuntimeException failed;
            private boolean done;

            @Override public synchronized T get() {
                if (!done) {
                    try {
                        value = source.get();
                    } catch (RuntimeException e) {
                        failed = e;
                    }
                    done = true;
                }
                if (failed != null) throw failed;
                return value;
            }
        };
    }

    /** " OPTION SPEC" for a printed command when a spec was given (see Text.passwordSpec), else "". */
    public static String passwordFlag(String option, String spec) {
        return spec == null ? "" : " " + option + " " + Text.arg(Text.passwordSpec(spec));
    }

    /**
     * The arguments a command was run with, as a printed command repeats them: each shell-quoted, and
     * the value of every password option through Text.passwordSpec, so no password is ever printed.
     */
    public static String retyped(List<String> args) {
        StringJoiner j = new StringJoiner(" ");
        boolean secretNext = false;
        for (String a : args) {
            if (secretNext) {
                j.add(Text.arg(Text.passwordSpec(a)));
                secretNext = false;
            } else if (a.startsWith("--") && a.contains("password") && a.contains("=")) {
                j.add(Text.arg(a.substring(0, a.indexOf('=') + 1) + Text.passwordSpec(a.substring(a.indexOf('=') + 1))));
            } else {
                j.add(Text.arg(a));
                secretNext = a.startsWith("--") && a.contains("password");
            }
        }
        return j.toString();
    }

    /** An existing private key, its password from spec or asked for (see passwordFor). */
    public static java.security.PrivateKey readKey(Path file, String what, String spec, String flag) {
        return Pem.privateKey(file, what, passwordFor(file, what, spec, flag));
    }

    // ---------------------------------------------------------------- shared options

    /** --dir: the PKI folder, which every script reads the same way. */
    public static final class Dir {
        @Option(names = "--dir", defaultValue = Pki.DEFAULT_NAME, paramLabel = "DIR",
                description = "The PKI folder: DIR/ca.crt and DIR/ca.key are the CA, DIR/NAME.crt and DIR/NAME.key "
                        + "a service (default: ${DEFAULT-VALUE}).")
        public Path dir;

        public Pki pki() {
            return Pki.of(dir);
        }

        /** " --dir DIR" when not the default, so that a printed command works as typed. */
        public String flag() {
            return flag(dir);
        }

        /** The same for any folder: what a printed command adds so that it runs on that folder. */
        public static String flag(Path dir) {
            return dir == null || Pki.of(dir).isDefault() ? "" : " --dir " + Text.arg(dir);
        }
    }

    /** --ca, --ca-key, --ca-key-password: the CA that signs, DIR/ca.crt and DIR/ca.key unless named. */
    public static final class Ca {
        @Option(names = "--ca", paramLabel = "FILE",
                description = "The CA certificate (default: DIR/ca.crt). An intermediate may be followed by its chain.")
        public Path cert;

        @Option(names = "--ca-key", paramLabel = "FILE",
                description = "The CA's private key (default: the .key beside --ca, so DIR/ca.key).")
        public Path key;

        @Option(names = "--ca-key-password", paramLabel = "SPEC",
                description = "Password of an encrypted CA key: env:VAR, file:PATH, pass:TEXT or prompt (default: ask on a terminal).")
        public String password;

        public Path cert(Path dir) {
            return cert != null ? cert : Pki.of(dir).caCert();
        }

        /** --ca-key, else NAME.key beside --ca (sub-ca.crt gives sub-ca.key), else DIR/ca.key. */
        public Path key(Path dir) {
            if (key != null) return key;
            return cert == null ? Pki.of(dir).caKey() : Pki.keyBeside(cert);
        }

        public boolean given() {
            return cert != null || key != null || password != null;
        }

        /** " --ca FILE --ca-key FILE --ca-key-password SPEC" as given, for commands printed for the user. */
        public String flags() {
            return (cert == null ? "" : " --ca " + Text.arg(cert)) + (key == null ? "" : " --ca-key " + Text.arg(key))
                    + passwordFlag("--ca-key-password", password);
        }

        private Path keyPasswordFile;
        private Supplier<char[]> keyPassword;

        /** The CA key's password, asked at most once (see Cli.passwordFor). */
        public Supplier<char[]> passwordFor(Path keyFile) {
            if (!keyFile.equals(keyPasswordFile)) keyPassword = Cli.passwordFor(keyPasswordFile = keyFile, "CA key", password, "--ca-key-password");
            return keyPassword;
        }
    }

    /**
     * --key-password: one option for the password of a private key, whether the key is made or read.
     * Each script says what it does with it in its own help (Cli.help), since ca.java only
     * makes keys, client.java and serve.java only read them, and issue.java does both.
     */
    public static final class KeyPassword {
        @Option(names = "--key-password", paramLabel = "SPEC",
                description = "Password of the private key: encrypts a key that is made (PKCS#8, AES-256, PBKDF2-SHA256) "
                        + "and opens one that is read. " + SPEC_FORMS)
        public String spec;

        private char[] newKeyPassword;
        private final java.util.Map<Path, Supplier<char[]>> existing = new java.util.HashMap<>();

        /**
         * The password to encrypt new keys with, or null for none: resolved once, so every key a run
         * makes gets the same one. A prompt names the key files it is for.
         */
        public char[] forNewKey(Path... keyFiles) {
            if (spec == null) return null;
            if (newKeyPassword != null) return newKeyPassword;
            char[] pw;
            if (spec.equals("prompt") && keyFiles.length > 0) {
                Console console = System.console();
                if (console == null) throw fail("--key-password prompt needs a terminal; use env:VAR or file:PATH");
                pw = console.readPassword("Password for new key %s: ", Text.escape(String.join(", ",
                        java.util.Arrays.stream(keyFiles).map(Path::toString).toList())));
                if (pw == null) throw fail("--key-password: no password given");
            } else {
                pw = password(spec, "--key-password");
            }
            // An empty password reads as protection and gives none (and Bouncy Castle will not encrypt with one).
            if (pw.length == 0) throw fail("--key-password %s is an empty password; leave --key-password out for a key without one", Text.escape(spec));
            return newKeyPassword = pw;
        }

        /** The password of an existing key, asked at most once for each file (see Cli.passwordFor). */
        public Supplier<char[]> forExisting(Path keyFile) {
            return existing.computeIfAbsent(keyFile, f -> passwordFor(f, "key", spec, "--key-password"));
        }
    }

    /** The forms of a password SPEC, for help texts. */
    public static final String SPEC_FORMS = "SPEC: env:VAR, file:PATH, pass:TEXT, prompt or the password itself.";

    /**
     * Gives option (named without its dashes, as key-password) its own help text in cl and its
     * subcommands: a shared mixin says what is common, a script what the option does for it.
     * picocli reads a description from the command's resource bundle before the annotation's.
     */
    public static void help(CommandLine cl, String option, String text) {
        cl.setResourceBundle(new java.util.ListResourceBundle() {
            @Override protected Object[][] getContents() {
                return new Object[][] {{option, text}};
            }
        });
    }

    /** --key-type and --key-size: the key that is made. */
    public static final class NewKey {
        @Option(names = "--key-type", paramLabel = "TYPE", description = "rsa (default), ec or ed25519.")
        public String type;

        @Option(names = "--key-size", paramLabel = "BITS", description = "RSA: 2048 (default), 3072 or 4096. EC: 256 (default) or 384.")
        public Integer size;

        public boolean given() {
            return type != null || size != null;
        }

        public Keys.KeyType keyType() {
            try {
                return type == null ? Keys.KeyType.RSA : Keys.KeyType.parse(type);
            } catch (Failure f) {
                throw withFlag("--key-type", f);
            }
        }

        /** Refuses, before any CA is read or key made, a --key-size that does not fit the type. */
        public void checkSize(Keys.KeyType type) {
            checkSize(type, size);
        }

        public static void checkSize(Keys.KeyType type, Integer size) {
            try {
                Keys.checkSize(type, size);
            } catch (Failure f) {
                throw withFlag("--key-size", f);
            }
        }

        /** A new key pair; a size that does not fit the type is refused, naming --key-size. */
        public KeyPair generate() {
            return generate(keyType(), size);
        }

        public static KeyPair generate(Keys.KeyType type, Integer size) {
            try {
                return Keys.generate(type, size);
            } catch (Failure f) {
                throw f.kind == Failure.Kind.INPUT && f.getCause() == null ? withFlag("--key-size", f) : f;
            }
        }
    }

    /** --force: replace what exists, keeping the old files. */
    public static final class Force {
        @Option(names = "--force", description = "Replace existing files; the old ones are kept as timestamped .bak files.")
        public boolean force;
    }

    /** --debug: a stack trace with any error. */
    public static final class Debug {
        @Option(names = "--debug", description = "Show the stack trace of an error.")
        public boolean debug;
    }

    /**
     * The subject flags of ca.java and issue.java: the tutorial's fields (its section 1.2), or a
     * whole subject in openssl's -subj form (/C=KR/O=DDIM/CN=x) or RFC 4514 form (C=KR,O=DDIM,CN=x).
     */
    public static final class Subject {
        @Option(names = "--subject", paramLabel = "DN",
                description = "Whole subject, as /C=KR/O=DDIM/CN=name (openssl -subj) or C=KR,O=DDIM,CN=name.")
        String subject;
        @Option(names = "--country", paramLabel = "C", description = "Country code (C), such as KR.")
        String country;
        @Option(names = "--state", paramLabel = "ST", description = "State or province (ST).")
        String state;
        @Option(names = "--locality", paramLabel = "L", description = "Locality or city (L).")
        String locality;
        @Option(names = "--org", paramLabel = "O", description = "Organization (O).")
        String org;
        @Option(names = "--org-unit", paramLabel = "OU", description = "Organizational unit (OU).")
        String orgUnit;
        @Option(names = "--email", paramLabel = "ADDR", description = "emailAddress attribute of the subject.")
        String email;
        @Option(names = "--cn", paramLabel = "CN", description = "Common name (CN).")
        String cn;

        public boolean given() {
            return subject != null || fieldGiven() || cn != null;
        }

        private boolean fieldGiven() {
            return country != null || state != null || locality != null || org != null || orgUnit != null || email != null;
        }

        /** The subject these flags describe; defaultCn is used when no CN is given (null: no CN). */
        public X500Name build(String defaultCn) {
            if (subject != null) {
                if (fieldGiven() || cn != null)
                    throw fail("--subject gives the whole subject; do not combine it with --cn, --org and the like");
                try {
                    return Names.parseSubject(subject);
                } catch (Failure f) {
                    throw withFlag("--subject", f);
                }
            }
            check("--country", BCStyle.C, country);
            check("--state", BCStyle.ST, state);
            check("--locality", BCStyle.L, locality);
            check("--org", BCStyle.O, org);
            check("--org-unit", BCStyle.OU, orgUnit);
            check("--email", BCStyle.EmailAddress, email);
            check("--cn", BCStyle.CN, cn);
            return new Names.Fields(country, state, locality, org, orgUnit, email, cn != null ? cn : defaultCn).build();
        }

        /** Each value is checked here first, so that an error names the flag that gave it. */
        private static void check(String flag, ASN1ObjectIdentifier oid, String value) {
            if (value == null) return;
            try {
                Names.checkAttribute(oid, value);
            } catch (Failure f) {
                throw withFlag(flag, f);
            }
        }
    }
}
