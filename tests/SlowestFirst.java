import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.Tag;

/**
 * The order the test classes start in, when they run side by side (pom.xml): the slowest first, so
 * that the run does not end waiting on one long class that started last. A class's time is the sum of
 * its tests' times in the last runs' Surefire reports (tests.reports, set by pom.xml; each <testcase>
 * names its class, even where a parallel run files it under another class's report). A class without
 * one (a new class, or a fresh clone) counts as slow if it starts processes (@Tag("process")), as
 * most of the slow ones do. The order changes only how long the suite takes, never what it checks.
 */
public class SlowestFirst implements ClassOrderer {
    static final Pattern TESTCASE = Pattern.compile("<testcase name=\"([^\"]*)\" classname=\"([^\"]+)\" time=\"([0-9.,]+)\"");

    /**
     * JUnit's pool takes the classes from both ends of this order: its first thread from the end, the
     * others from the start. So the slowest go to both ends, in turn, and the quickest to the middle.
     */
    @Override
    public void orderClasses(ClassOrdererContext context) {
        Map<String, Double> last = lastRun();
        List<? extends ClassDescriptor> classes = context.getClassDescriptors();
        List<ClassDescriptor> slowest = new ArrayList<>(classes);
        slowest.sort(Comparator.comparingDouble(d -> -seconds(d.getTestClass(), last)));
        Map<ClassDescriptor, Integer> place = new HashMap<>();
        for (int i = 0, start = 0, end = slowest.size() - 1; i < slowest.size(); i++)
            place.put(slowest.get(i), i % 2 == 0 ? start++ : end--);
        classes.sort(Comparator.comparingInt(place::get));
    }

    /** The class's time in the last run, or a guess: 60 s for one that starts processes, 1 s for another. */
    static double seconds(Class<?> test, Map<String, Double> last) {
        Double t = last.get(test.getName());
        if (t != null) return t;
        Tag tag = test.getAnnotation(Tag.class);
        return tag != null && tag.value().equals("process") ? 60 : 1;
    }

    /** Seconds per test class in the last run's reports; empty when there are none. */
    static Map<String, Double> lastRun() {
        Map<String, Double> tests = new HashMap<>(), times = new HashMap<>();
        String reports = System.getProperty("tests.reports");
        if (reports == null || !Files.isDirectory(Path.of(reports))) return times;
        try (Stream<Path> files = Files.list(Path.of(reports))) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("TEST-.*\\.xml")).toList()) {
                Matcher m = TESTCASE.matcher(Files.readString(f));
                // A test filed twice (in the reports of two runs) counts once.
                while (m.find()) tests.merge(m.group(2) + "#" + m.group(1), Double.parseDouble(m.group(3).replace(",", "")), Math::max);
            }
            tests.forEach((test, t) -> times.merge(test.substring(0, test.indexOf('#')), t, Double::sum));
        } catch (IOException | RuntimeException e) {
            // unreadable reports: every class is guessed, as in a fresh clone
        }
        return times;
    }
}
