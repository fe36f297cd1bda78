package org.medlake.ingest;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link IngestJobIT}'s acceptance case (mixed folder, identical re-run, conflict, SQL over the result) with the
 * local engine doing every ingest, and Spark only reading the tables it wrote with Delta Kernel.
 */
class LocalEngineIngestIT extends IngestJobIT {
    @BeforeAll
    static void useTheLocalEngine() {
        engine = r -> LocalIngestJob.run(r, IngestJob.Progress.NONE);
    }
}
