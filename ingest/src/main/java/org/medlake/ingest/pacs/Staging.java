package org.medlake.ingest.pacs;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;

/** Staging-folder helpers shared by the PACS sources and the gateway. */
final class Staging {

    /** Suffix of staged files; temporary files start with a dot and end in {@code .part}. */
    static final String SUFFIX = ".dcm";

    private Staging() {
    }

    static Path createDir(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IngestException(ErrorCode.INGEST_EXTERNAL, "Cannot create the PACS staging folder " + dir + ": " + e
                    + ". Check that the parent folder exists, is writable and the disk has space.", e);
        }
    }

    /** A new temporary file name in {@code dir} that no final name can collide with. */
    static Path tempFile(Path dir) {
        return dir.resolve("." + UUID.randomUUID() + ".part");
    }

    /** Renames {@code temp} to {@code dir/<name>.dcm} atomically (same folder) and returns the final path. */
    static Path publish(Path temp, Path dir, String name) throws IOException {
        Path target = dir.resolve(name + SUFFIX);
        try {
            return Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            return Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Returns {@code /studies/S/series/R/instances/I} for a staged file, read cheaply (the header only, stopping
     * before pixel data), or an empty string when the file is unreadable or a UID is missing or malformed (the
     * ingest job then quarantines the file itself).
     */
    static String instancePath(Path file) {
        try {
            AttributeList list = new AttributeList();
            list.read(file.toString(), TagFromName.PixelData);
            String study = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.StudyInstanceUID).trim();
            String series = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SeriesInstanceUID).trim();
            String sop = Attribute.getSingleStringValueOrEmptyString(list, TagFromName.SOPInstanceUID).trim();
            if (PacsSources.isUid(study) && PacsSources.isUid(series) && PacsSources.isUid(sop)) {
                return "/studies/" + study + "/series/" + series + "/instances/" + sop;
            }
            return "";
        } catch (IOException | com.pixelmed.dicom.DicomException | RuntimeException e) {
            return "";
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
