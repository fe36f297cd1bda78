package org.medlake.deid;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Recall and false-FAIL rate of the de-id check on the planted-identifier set, read back from Part-10 files. Prints
 * the confusion table (the figure quoted in the closing note).
 */
class PlantedIdentifierSetTest {

    @Test
    void everyPlantedIdentifierFailsAndNoCleanControlFails(@TempDir File dir) {
        List<PlantedIdentifierSet.Case> cases = PlantedIdentifierSet.generate(dir);
        DeidChecker checker = new DeidChecker();
        Map<DeidReport.Status, Integer> planted = new EnumMap<>(DeidReport.Status.class);
        Map<DeidReport.Status, Integer> clean = new EnumMap<>(DeidReport.Status.class);
        StringBuilder misses = new StringBuilder();
        for (PlantedIdentifierSet.Case c : cases) {
            DeidReport r = checker.check(DeidTestData.read(c.file()));
            (c.planted() ? planted : clean).merge(r.status(), 1, Integer::sum);
            if (c.planted()) {
                if (r.status() != DeidReport.Status.FAIL || r.findingsWithRule(c.expectedRule()).isEmpty()) {
                    misses.append("missed ").append(c.name()).append(": ").append(r.findings()).append('\n');
                }
                if (c.secret() != null) {
                    assertThat(DeidTestData.printed(r)).as(c.name()).doesNotContain(c.secret());
                }
            } else if (r.status() != DeidReport.Status.PASS) {
                misses.append("control ").append(c.name()).append(" not PASS: ").append(r.findings()).append('\n');
            }
        }
        int p = cases.stream().filter(PlantedIdentifierSet.Case::planted).mapToInt(c -> 1).sum();
        int n = cases.size() - p;
        int tp = planted.getOrDefault(DeidReport.Status.FAIL, 0);
        int fp = clean.getOrDefault(DeidReport.Status.FAIL, 0);
        System.out.println("de-id check on the planted-identifier set (" + p + " planted, " + n + " clean controls)");
        System.out.printf("%-10s %6s %7s %6s%n", "", "FAIL", "REVIEW", "PASS");
        for (var row : List.of(Map.entry("planted", planted), Map.entry("clean", clean))) {
            System.out.printf("%-10s %6d %7d %6d%n", row.getKey(), row.getValue().getOrDefault(DeidReport.Status.FAIL, 0),
                    row.getValue().getOrDefault(DeidReport.Status.REVIEW, 0),
                    row.getValue().getOrDefault(DeidReport.Status.PASS, 0));
        }
        System.out.printf("recall %.1f%% (%d/%d), false FAIL on clean %d/%d%n", 100.0 * tp / p, tp, p, fp, n);
        assertThat(misses.toString()).isEmpty();
        assertThat(tp).isEqualTo(p);
        assertThat(fp).isZero();
        assertThat(p).isGreaterThanOrEqualTo(40);
        assertThat(n).isGreaterThanOrEqualTo(15);
    }
}
