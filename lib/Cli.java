// Cli.java: the thin command-line layer every script shares (pulled in with //SOURCES lib/Cli.java).
//
// Why it exists: users get one-line errors that name the action and the cause, a non-zero exit,
// and a stack trace only under --debug (see the style guide: "one-line errors").
//DEPS info.picocli:picocli:4.7.7

import java.io.PrintWriter;
import picocli.CommandLine;

public final class Cli {
    private Cli() {}

    /** An expected failure, such as bad input: its message is the whole story, so no stack trace. */
    public static final class Failure extends RuntimeException {
        public Failure(String message) { super(message); }
        public Failure(String message, Throwable cause) { super(message, cause); }
    }

    /** Throws a Failure with a formatted message: {@code throw Cli.fail("cannot read %s", p)}. */
    public static Failure fail(String format, Object... args) {
        return new Failure(String.format(format, args));
    }

    /** The same, keeping the cause for --debug: {@code throw Cli.fail(e, "cannot read %s: %s", p, why)}. */
    public static Failure fail(Throwable cause, String format, Object... args) {
        return new Failure(String.format(format, args), cause);
    }

    /** Runs a picocli command on System.out/err; scripts call it from main and exit with its code. */
    public static int run(Object command, String... args) {
        return run(command, new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /**
     * Runs a picocli command with the given writers and returns its exit code:
     * 0 success, 1 failure (one line on err), 2 bad usage. Tests call this in-process.
     */
    public static int run(Object command, PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(command).setOut(out).setErr(err);
        // picocli would read an argument "@FILE" as FILE's lines: a NAME such as @certs/ca.key would
        // then print lines of the key in an error message. Our arguments never need that.
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler((ex, a) -> {
            // picocli prints the whole usage by default; one line with a pointer to --help reads better.
            err.println("error: " + oneLine(usageMessage(ex)) + ". Try '"
                    + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help' for the options.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            boolean debug = false; // --debug may follow a subcommand: ca.java revoke --debug FILE
            for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) debug |= p.hasMatchedOption("--debug");
            String hint = debug || ex instanceof Failure ? "" : " (run again with --debug to see the stack trace)";
            err.println("error: " + oneLine(describe(ex)) + hint);
            if (debug) ex.printStackTrace(err);
            err.flush();
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
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
        return ex.getMessage().replaceAll("([a-z][a-z0-9_]*\\.)+[A-Z]\\w*(Exception|Error):\\s*", "");
    }

    /**
     * The message on one line, whatever the user typed: a newline or an escape code (U+001B) from a
     * file name or a NAME is shown escaped, so it can neither split the error nor drive the terminal.
     */
    static String oneLine(String message) {
        StringBuilder s = new StringBuilder(message.length());
        message.codePoints().forEach(c -> {
            if (c == '\n') s.append("\\n");
            else if (Character.isISOControl(c) || c == 0x2028 || c == 0x2029) s.append(String.format("\\u%04X", c));
            else s.appendCodePoint(c);
        });
        // A megabyte argument echoed in full buries the message; keep its start and its end (the cause).
        if (s.length() > 1000) s.replace(600, s.length() - 300, " [...] ");
        return s.toString();
    }

    /** One line for any exception: our own messages as they are, anything else with its cause. */
    static String describe(Throwable ex) {
        if (ex instanceof Failure) return ex.getMessage();
        String msg = ex.getMessage();
        String kind = ex.getClass().getSimpleName();
        return "unexpected " + kind + (msg == null ? "" : ": " + msg.replace('\n', ' '));
    }
}
