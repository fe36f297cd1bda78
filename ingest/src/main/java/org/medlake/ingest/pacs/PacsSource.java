package org.medlake.ingest.pacs;

import java.nio.file.Path;
import java.util.List;

/**
 * A PACS to pull DICOM instances from, created by {@link PacsSources#parse(String)}. The ingest job works on
 * files, so a source copies the matching instances into a local staging folder and says, per file, where it came
 * from.
 *
 * <p>Implementations are immutable and thread-safe; each {@link #stage} call queries the PACS afresh.
 */
public interface PacsSource {

    /**
     * Queries the PACS and copies every matching instance into {@code stagingDir} (created if missing). Files are
     * written under a temporary name and renamed when complete, so the folder never holds partial files under a
     * final name. File names never come from UIDs.
     *
     * @param stagingDir a local folder the caller owns and later deletes
     * @return the staged instances, one per file written
     * @throws org.medlake.ingest.IngestException {@code INGEST_EXTERNAL} when the PACS is unreachable, refuses the
     *     query or retrieval, or the staging folder cannot be written; {@code INGEST_BAD_ARGUMENT} when the PACS
     *     rejects the query as malformed
     */
    List<StagedInstance> stage(Path stagingDir);

    /** @return the source URI this source was parsed from, for logs and the run's {@code sources} */
    String uri();
}
