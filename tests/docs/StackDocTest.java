import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/java-stacks.md cannot drift from stacks/: each file block is the file it names, byte for byte,
 * every file of the module is shown, the versions table is the pom's (-Dstacks.rewrite=true writes it),
 * the Spring Boot YAML files are what trust.java export prints, and the front pages link the page.
 */
class StackDocTest {
    @TempDir Path work;

    @Test
    void everyBlockIsTheFileItNamesAndEveryFileIsShown() throws Exception {
        Map<String, String> blocks = Stacks.blocks(Files.readString(Stacks.DOC));
        for (var e : blocks.entrySet())
            assertEquals(Files.readString(Support.ROOT.resolve(e.getKey())), e.getValue(),
                    "docs/java-stacks.md shows " + e.getKey() + " other than it is: copy the file into the page again");
        try (Stream<Path> files = Files.walk(Stacks.MODULE.resolve("src"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = Support.ROOT.relativize(f).toString();
                assertTrue(blocks.containsKey(rel), "docs/java-stacks.md does not show " + rel);
            }
        }
        assertTrue(blocks.containsKey("stacks/pom.xml"), "docs/java-stacks.md does not show stacks/pom.xml");
        long fenced = Pattern.compile("(?m)^```(java|yaml|xml)$").matcher(Files.readString(Stacks.DOC)).results().count();
        assertEquals(blocks.size(), fenced, "every ```java, ```yaml and ```xml block of the page must follow a <!-- file: PATH --> marker");
    }

    /** The versions the module pins, as the page's table shows them. */
    static String versionsTable() throws Exception {
        String pom = Files.readString(Stacks.MODULE.resolve("pom.xml"));
        Matcher parent = Pattern.compile("<artifactId>spring-boot-starter-parent</artifactId>\\s*<version>([^<]+)<").matcher(pom);
        assertTrue(parent.find(), "stacks/pom.xml has no Spring Boot parent");
        StringBuilder t = new StringBuilder("| stack | version |\n|---|---|\n");
        t.append("| Spring Boot (Tomcat, RestClient) | ").append(parent.group(1)).append(" |\n");
        for (String[] row : List.of(new String[] {"gRPC-Java (grpc-netty-shaded, grpc-services)", "grpc.version"},
                new String[] {"Jetty", "jetty.version"}, new String[] {"OkHttp (okhttp-jvm, okhttp-tls)", "okhttp.version"},
                new String[] {"Apache HttpClient 5", "httpclient5.version"}, new String[] {"Apache HttpCore 5", "httpcore5.version"},
                new String[] {"Kotlin standard library (for OkHttp)", "kotlin.version"}, new String[] {"Java (release)", "java.version"})) {
            Matcher m = Pattern.compile("<" + Pattern.quote(row[1]) + ">([^<]+)<").matcher(pom);
            assertTrue(m.find(), "stacks/pom.xml has no " + row[1]);
            t.append("| ").append(row[0]).append(" | ").append(m.group(1)).append(" |\n");
        }
        return t.toString();
    }

    @Test
    void theVersionsAreThePoms() throws Exception {
        String page = Files.readString(Stacks.DOC), table = versionsTable();
        if (Boolean.getBoolean("stacks.rewrite")) Files.writeString(Stacks.DOC, page = Stacks.withGenerated(page, "versions", table));
        assertEquals(table, Stacks.generated(page, "versions"), "docs/java-stacks.md's versions are not stacks/pom.xml's");
    }

    /** The module's YAML files are trust.java export's output for the tutorial's folder, certs. */
    @Test
    void theSpringBootYamlIsWhatTrustExportPrints() throws Exception {
        Path certs = Support.pki(Files.createDirectories(work.resolve("certs")), List.of("--key-type", "ec"), List.of("--key-type", "ec"),
                Support.A, Support.B);
        for (String[] f : List.of(new String[] {"application.yaml", "service-b"}, new String[] {"restclient.yaml", "service-a"})) {
            String printed = Stacks.springBootYaml(certs, f[1]).replace(certs + "/", "certs/");
            assertEquals(Files.readString(Stacks.MODULE.resolve("src/main/resources/" + f[0])), printed,
                    "stacks/src/main/resources/" + f[0] + " is not what trust.java export --format spring-boot " + f[1] + " prints");
        }
        // --out writes the same bundle, and leaves an existing file alone without --force.
        Path out = work.resolve("application.yaml");
        Support.cli(new trust(), "export", "--format", "spring-boot", "--dir", certs.toString(), "--out", out.toString(), "service-b").expectOk();
        assertEquals(Stacks.springBootYaml(certs, "service-b"), Files.readString(out));
        Files.writeString(out, "mine\n");
        Support.Result kept = Support.cli(new trust(), "export", "--format", "spring-boot", "--dir", certs.toString(), "--out", out.toString(), "service-b");
        assertTrue(kept.code() != 0, kept::all);
        assertEquals("mine\n", Files.readString(out), "an existing file must not be replaced without --force");
        Support.Result bad = Support.cli(new trust(), "export", "--format", "spring-boot", "--dir", certs.toString(), "--client-auth", "maybe", "service-b");
        assertTrue(bad.code() != 0, bad::all);
        assertTrue(bad.err().contains("--client-auth must be need, want or none"), bad::all);
        Support.Result missing = Support.cli(new trust(), "export", "--format", "spring-boot", "--dir", certs.toString(), "nothing");
        assertTrue(missing.code() != 0 && missing.err().contains("nothing.key"), missing::all);
        // A key that is not the certificate's: Spring Boot would start and fail at the first handshake.
        Files.copy(certs.resolve("service-a.key"), certs.resolve("service-b.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Support.Result mismatch = Support.cli(new trust(), "export", "--format", "spring-boot", "--dir", certs.toString(), "service-b");
        assertTrue(mismatch.code() != 0 && mismatch.err().contains("does not belong to"), mismatch::all);
        assertEquals("", mismatch.out(), "nothing is printed for a mismatched key");
    }

    @Test
    void theFrontPagesLinkThePage() throws Exception {
        for (String front : List.of("README.md", "README.ko.md"))
            assertTrue(Files.readString(Support.ROOT.resolve(front)).contains("(docs/java-stacks.md)"), front + " does not link docs/java-stacks.md");
        String use = Files.readString(Support.ROOT.resolve("docs/use-in-your-code.md"));
        assertTrue(use.contains("(java-stacks.md#spring-boot-on-tomcat)"), "docs/use-in-your-code.md should link the tested Spring Boot files");
        assertTrue(!use.contains("```yaml"), "docs/use-in-your-code.md should not keep an untested Spring Boot block");
    }
}
