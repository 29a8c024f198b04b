import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * serve.java under load and under attack, in CI: bench/attack.java for 25 s (longer than
 * the 20 s stall bound, so stalled connections must be seen cut) with 50 valid clients and every kind
 * of hostile client. It asserts outcomes only; the figures are printed, never judged. The long run
 * for docs/RELIABILITY.md is `./jbang bench/attack.java --duration 30`.
 */
@Tag("process")
@Isolated // it loads both cores for 25 s, which would stretch the bounded waits of classes beside it
class AttackTest {

    @Test
    void serveSurvivesLoadAndAttack(@TempDir Path dir) throws Exception {
        var plan = new attack.Plan(dir, Duration.ofSeconds(25), 50, 20, List.of());
        attack.Report r = attack.run(plan, System.out::println);
        System.out.println(r.text());

        assertTrue(r.validOk() > 0, "no valid request succeeded");
        assertEquals(Map.of(), r.validFailures(), "every valid request must succeed");
        assertEquals(0, r.hostile2xx(), "no hostile client may get a 2xx from a need server");
        for (attack.Hostile h : attack.Hostile.values()) {
            assertTrue(r.attempts(h) > 0, h.what + " never ran");
            for (String outcome : r.outcomes(h).keySet()) {
                assertFalse(outcome.startsWith("client error"), "the harness itself failed: " + h.what + ": " + outcome);
                switch (h) {
                    // Refused at the TLS layer: never an HTTP answer of any kind.
                    case NO_CERTIFICATE, OTHER_CA, EXPIRED, SERVER_ONLY, RANDOM_BYTES ->
                            assertTrue(outcome.startsWith("refused"), h.what + ": " + outcome);
                    // Plain HTTP is told, in plain HTTP, that this port speaks HTTPS (nginx answers it the same way).
                    case PLAIN_HTTP -> assertEquals("HTTP 400", outcome, h.what);
                    case OVERSIZED_HEADERS -> assertTrue(outcome.startsWith("refused") || outcome.matches("HTTP 4\\d\\d"), h.what + ": " + outcome);
                    case RESET_MID_REQUEST -> assertTrue(outcome.startsWith("reset sent"), h.what + ": " + outcome);
                    default -> assertTrue(outcome.equals("cut by the server") || outcome.equals("still open when the run ended"),
                            h.what + ": " + outcome);
                }
            }
            if (h.stalls()) assertFalse(r.cutSeconds(h).isEmpty(), h.what + ": none was cut in " + plan.duration().toSeconds() + " s");
        }
        assertTrue(r.stallBoundChecked());
        assertEquals(List.of(), r.stallViolations(), "stalled connections must be cut within " + plan.stallBound().toSeconds() + " s");
        assertTrue(r.resourcesSettled(), "threads and open files must come back down");
        assertTrue(r.serverKeptServing(), "the server must keep serving afterwards");
        assertTrue(r.passed(), String.join("\n", r.failures()));
    }
}
