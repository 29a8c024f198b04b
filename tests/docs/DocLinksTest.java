import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the front pages (README.md, README.ko.md) and of docs/*.md points at a file
 * that exists, and a link with an anchor (page.md#part, or #part alone) at a heading of that page, named
 * as GitHub names headings. Links in code blocks and inline code are not links; http(s) links are not
 * checked (no test goes online).
 */
class DocLinksTest {
    static final Pattern LINK = Pattern.compile("\\[[^\\]\\n]*\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    @Test
    void everyRelativeLinkPointsAtAFileAndAHeadingThatExist() throws Exception {
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : TablesTest.docs()) {
            String from = Support.ROOT.relativize(page).toString();
            for (String target : links(Files.readString(page))) {
                if (target.matches("[a-z]+:.*")) continue; // https:, mailto:
                checked++;
                int hash = target.indexOf('#');
                String file = hash < 0 ? target : target.substring(0, hash), anchor = hash < 0 ? null : target.substring(hash + 1);
                Path to = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
                if (!to.startsWith(Support.ROOT) || !Files.exists(to)) broken.add(from + ": " + target + " (no file " + Support.ROOT.relativize(to) + ")");
                else if (anchor != null && to.toString().endsWith(".md") && !anchors(Files.readString(to)).contains(anchor))
                    broken.add(from + ": " + target + " (no heading #" + anchor + " in " + Support.ROOT.relativize(to) + ")");
            }
        }
        assertTrue(checked >= 40, "found only " + checked + " relative links: is the extraction broken?");
        assertEquals("", String.join("\n", broken), "broken links");
    }

    /** A test or a file of tests/ that a page, a script, lib/ or pom.xml names by its path, such as tests/docs/TutorialTest.java. */
    static final Pattern TEST_PATH = Pattern.compile("tests/[\\w./-]*\\w");

    @Test
    void everyPathIntoTestsThatAPageOrTheCodeNamesExists() throws Exception {
        List<Path> files = new ArrayList<>(TablesTest.docs());
        files.add(Support.ROOT.resolve("pom.xml"));
        files.add(Support.ROOT.resolve("bench/analysis.md"));
        try (var s = java.nio.file.Files.walk(Support.ROOT)) {
            s.filter(p -> p.toString().endsWith(".java") && !Support.ROOT.relativize(p).startsWith("target")).forEach(files::add);
        }
        List<String> missing = new ArrayList<>();
        int named = 0;
        for (Path f : files) {
            Matcher m = TEST_PATH.matcher(Files.readString(f));
            while (m.find()) {
                String path = m.group();
                if (path.equals("tests/run")) continue;
                named++;
                // A class may be named without .java (tests/core/ScriptDepsTest).
                if (!Files.exists(Support.ROOT.resolve(path)) && !Files.exists(Support.ROOT.resolve(path + ".java")))
                    missing.add(Support.ROOT.relativize(f) + ": " + path);
            }
        }
        assertTrue(named >= 20, "found only " + named + " paths into tests/: is the extraction broken?");
        assertEquals("", String.join("\n", missing), "paths into tests/ that do not exist (a test moved?)");
    }

    @Test
    void linksAndAnchorsAreReadAsGitHubReadsThem() {
        String md = """
                # Title: `a.java` and more
                ## Set-up: two commands
                ### ca.java intermediate
                ## 준비: 명령 두 개
                ## Set-up: two commands
                See [x](docs/a.md#part) and [y](#set-up-two-commands "title"), not `[z](no.md)`:
                ```text
                [w](not-a-link.md)
                ```
                """;
        assertEquals(List.of("docs/a.md#part", "#set-up-two-commands"), links(md));
        assertEquals(Set.of("title-ajava-and-more", "set-up-two-commands", "cajava-intermediate", "준비-명령-두-개",
                "set-up-two-commands-1"), anchors(md));
    }

    /** The link targets of a Markdown page, outside code blocks and inline code, in order. */
    static List<String> links(String markdown) {
        List<String> targets = new ArrayList<>();
        String prose = markdown.replaceAll("(?ms)^```.*?^```$", "").replaceAll("`[^`\\n]*`", "");
        Matcher m = LINK.matcher(prose);
        while (m.find()) targets.add(m.group(1));
        return targets;
    }

    /**
     * The anchors GitHub gives a page's headings: lower case, every character that is not a letter,
     * a digit, a space, '-' or '_' dropped, spaces made '-'; a repeated one gets -1, -2...
     */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        String prose = markdown.replaceAll("(?ms)^```.*?^```$", "");
        for (String line : prose.lines().toList()) {
            Matcher h = Pattern.compile("^#{1,6} (.*)$").matcher(line);
            if (!h.matches()) continue;
            String a = h.group(1).strip().toLowerCase().replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "").replace(' ', '-');
            String unique = a;
            for (int n = 1; !anchors.add(unique); n++) unique = a + "-" + n;
        }
        return anchors;
    }
}
