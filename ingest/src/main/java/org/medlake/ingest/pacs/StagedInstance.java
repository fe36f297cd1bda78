package org.medlake.ingest.pacs;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One DICOM instance a {@link PacsSource} or {@link PacsGateway} has written to the local staging folder.
 *
 * @param file the staged file (a complete DICOM Part 10 file, already renamed to its final name)
 * @param sourceUri where it came from, recorded as the instance's {@code source_uri}, e.g.
 *     {@code dicomweb+http://pacs:8042/dicom-web/studies/1.2/series/1.3/instances/1.4},
 *     {@code dimse://ORTHANC@pacs:4242/studies/1.2/series/1.3/instances/1.4} or
 *     {@code dimse-store://SCANNER1@10.0.0.7/studies/1.2/series/1.3/instances/1.4}
 */
public record StagedInstance(Path file, String sourceUri) {
    public StagedInstance {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sourceUri, "sourceUri");
    }
}
