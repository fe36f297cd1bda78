package org.medlake.ingest;

import java.time.Instant;
import java.util.Locale;

/**
 * Accounting of one ingest run. Every file seen has exactly one outcome:
 * {@code filesSeen == instancesAdded + duplicates + quarantined}; {@code notDicom} is the part of
 * {@code quarantined} with reason NOT_DICOM. {@code instancesTotal}/{@code seriesTotal} are the lake's totals
 * for the project after the run.
 */
public record IngestResult(
        String runId,
        String project,
        long filesSeen,
        long instancesAdded,
        long duplicates,
        long quarantined,
        long notDicom,
        long conflicts,
        long instancesTotal,
        long seriesTotal,
        Instant startedAt,
        Instant finishedAt) {

    /** The single-line JSON object printed by {@code ingest --json}. */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"run_id\":\"%s\",\"files\":%d,\"instances_added\":%d,\"duplicates\":%d,\"quarantined\":%d,"
                        + "\"not_dicom\":%d,\"instances\":%d,\"series\":%d}",
                runId, filesSeen, instancesAdded, duplicates, quarantined, notDicom, instancesTotal, seriesTotal);
    }

    /** Human summary (two lines). */
    public String summary() {
        return String.format(Locale.ROOT,
                "ingest run %s: %d files, %d instances added, %d duplicates, %d quarantined (%d not DICOM, %d conflicts) in %.1f s%n"
                        + "project %s now has %d instances in %d series",
                runId, filesSeen, instancesAdded, duplicates, quarantined, notDicom, conflicts,
                (finishedAt.toEpochMilli() - startedAt.toEpochMilli()) / 1000.0, project, instancesTotal, seriesTotal);
    }
}
