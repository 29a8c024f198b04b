// Failure.java: the one exception the core throws for input it refuses, a file it cannot use or a
// password it lacks. Its message is whole words for a person and names no command-line flag: the
// scripts add the flag or the action where that helps, and lib/cli/Cli.java prints it as one line,
// with a stack trace only when the user asks for one.

public class Failure extends RuntimeException {
    /** What went wrong, for a caller that words some kinds itself (a missing password names its flag). */
    public enum Kind { INPUT, PASSWORD_NEEDED, WRONG_PASSWORD, EXISTS, IO }

    public final Kind kind;

    public Failure(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** {@code throw Failure.of("cannot read %s: %s", file, why)} */
    public static Failure of(String format, Object... args) {
        return new Failure(Kind.INPUT, String.format(format, args), null);
    }

    /** The same, keeping the cause for a stack trace. */
    public static Failure of(Throwable cause, String format, Object... args) {
        return new Failure(Kind.INPUT, String.format(format, args), cause);
    }

    public static Failure of(Kind kind, String format, Object... args) {
        return new Failure(kind, String.format(format, args), null);
    }
}
