import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/BENCHMARKS.md is the report of the run saved in bench/last-run.txt, word for word, with
 * bench/analysis.md after it: `BENCH_FROM=bench/last-run.txt bench/run` (the page's own command, which
 * measures nothing) writes the same page again. The benchmark itself is never run by the tests.
 */
@Tag("process")
class BenchReportTest {
    @TempDir Path work;

    @Test
    void theBenchmarkPageIsTheSavedRunsReport() throws Exception {
        Path out = work.resolve("BENCHMARKS.md");
        Support.Result r = Support.exec(Support.ROOT, Map.of("BENCH_FROM", "bench/last-run.txt", "BENCH_DOC", out.toString()),
                Support.WAIT, List.of("bench/run"));
        assertEquals(0, r.code(), r.all());
        assertTrue(r.out().contains("== Summary (ratios from this run)"), r.out());
        assertEquals(Files.readString(Support.ROOT.resolve("docs/BENCHMARKS.md")), Files.readString(out),
                "docs/BENCHMARKS.md is not the report of bench/last-run.txt: run BENCH_FROM=bench/last-run.txt bench/run");
        assertTrue(Files.readString(out).contains("| target | JDK 17 |"), "the targets table has a JDK 17 column");
    }
}
