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
        cl.setParameterExceptionHandler((ex, a) -> {
            // picocli prints the whole usage by default; one line and a pointer to --help reads better.
            err.println("error: " + ex.getMessage());
            err.println("Try '" + ex.getCommandLine().getCommandName() + " --help' for the options.");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            boolean debug = parsed.hasMatchedOption("--debug");
            err.println("error: " + describe(ex));
            if (debug) ex.printStackTrace(err);
            else if (!(ex instanceof Failure)) err.println("(run again with --debug to see the stack trace)");
            err.flush();
            return 1;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /** One line for any exception: our own messages as they are, anything else with its cause. */
    static String describe(Throwable ex) {
        if (ex instanceof Failure) return ex.getMessage();
        String msg = ex.getMessage();
        String kind = ex.getClass().getSimpleName();
        return "unexpected " + kind + (msg == null ? "" : ": " + msg.replace('\n', ' '));
    }
}
