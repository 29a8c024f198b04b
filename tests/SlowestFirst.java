import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.Tag;

/**
 * The order the test classes start in, when they run side by side (pom.xml): the slowest first, so
 * that the run does not end waiting on one long class that started last. A class's time is the one
 * the last run wrote in its Surefire report (tests.reports, set by pom.xml); a class without one (a
 * new class, or a fresh clone) counts as slow if it starts processes (@Tag("process")), as most of
 * the slow ones do. The order changes only how long the suite takes, never what it checks.
 */
public class SlowestFirst implements ClassOrderer {
    static final Pattern TIME = Pattern.compile("<testsuite [^>]*?\\btime=\"([0-9.,]+)\"");

    @Override
    public void orderClasses(ClassOrdererContext context) {
        context.getClassDescriptors().sort(Comparator.comparingDouble(d -> -seconds(d.getTestClass())));
    }

    /** The class's time in the last run, or a guess: 60 s for one that starts processes, 1 s for another. */
    static double seconds(Class<?> test) {
        String reports = System.getProperty("tests.reports");
        if (reports != null) {
            try {
                Path report = Path.of(reports, "TEST-" + test.getName() + ".xml");
                if (Files.isRegularFile(report)) {
                    Matcher m = TIME.matcher(Files.readString(report));
                    if (m.find()) return Double.parseDouble(m.group(1).replace(",", ""));
                }
            } catch (Exception e) {
                // an unreadable report: guess, as for a class that has none
            }
        }
        Tag tag = test.getAnnotation(Tag.class);
        return tag != null && tag.value().equals("process") ? 60 : 1;
    }
}
