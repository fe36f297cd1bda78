package org.medlake.ingest;

import java.time.Instant;
import java.util.Locale;

/**
 * Accounting of one ingest run. Every entry seen (a file, or a member of an archive) has exactly one outcome, so
 * {@code filesSeen == instancesAdded + instancesExisting + quarantined + notDicom}. {@code quarantined} counts
 * DICOM that was refused (TRUNCATED, MISSING_UID, UNREADABLE, CONFLICT; {@code conflicts} is its CONFLICT part);
 * {@code notDicom} counts what is not DICOM at all. Both kinds have a row in the {@code quarantine} table.
 * {@code series} and {@code studies} count the distinct series and studies of this run's accepted instances.
 */
public record IngestResult(
        String runId,
        String project,
        long filesSeen,
        long instancesAdded,
        long instancesExisting,
        long quarantined,
        long notDicom,
        long conflicts,
        long series,
        long studies,
        Instant startedAt,
        Instant finishedAt) {

    /** The single-line JSON object printed by {@code ingest --json}. */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"run_id\":\"%s\",\"files_seen\":%d,\"instances_added\":%d,\"instances_existing\":%d,"
                        + "\"quarantined\":%d,\"not_dicom\":%d,\"series\":%d,\"studies\":%d}",
                runId, filesSeen, instancesAdded, instancesExisting, quarantined, notDicom, series, studies);
    }

    /** Human summary. */
    public String summary() {
        return String.format(Locale.ROOT,
                "ingest run %s: %d files seen in %.1f s%n"
                        + "  %d instances added, %d already in the lake, %d quarantined (%d conflicts), %d not DICOM%n"
                        + "  %d series in %d studies",
                runId, filesSeen, (finishedAt.toEpochMilli() - startedAt.toEpochMilli()) / 1000.0,
                instancesAdded, instancesExisting, quarantined, conflicts, notDicom, series, studies);
    }
}
