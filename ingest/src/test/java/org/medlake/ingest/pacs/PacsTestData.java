package org.medlake.ingest.pacs;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.TagFromName;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.medlake.dicom.SyntheticSeries;
import org.medlake.testkit.OrthancServer;

/** Synthetic studies for the PACS tests: a 2024 CT of P1 and a 2023 MR of P2. */
final class PacsTestData {

    final SyntheticSeries.Written ct2024;
    final SyntheticSeries.Written mr2023;

    private PacsTestData(SyntheticSeries.Written ct2024, SyntheticSeries.Written mr2023) {
        this.ct2024 = ct2024;
        this.mr2023 = mr2023;
    }

    static PacsTestData write(Path dir) {
        SyntheticSeries.Written ct = SyntheticSeries.ct(SyntheticSeries.patient("PACS-P1", "F", 54)).slices(3).size(64, 64)
                .studyDate(LocalDate.of(2024, 3, 1)).writeTo(dir.resolve("ct"));
        SyntheticSeries.Written mr = SyntheticSeries.mrT1(SyntheticSeries.patient("PACS-P2", "M", 61)).slices(2).size(64, 64)
                .studyDate(LocalDate.of(2023, 5, 1)).writeTo(dir.resolve("mr"));
        return new PacsTestData(ct, mr);
    }

    void uploadTo(OrthancServer orthanc) {
        orthanc.uploadAll(ct2024.files());
        orthanc.uploadAll(mr2023.files());
    }

    /** SOP Instance UID -> original file, for both studies. */
    Map<String, Path> originals() {
        Map<String, Path> m = new HashMap<>();
        for (SyntheticSeries.Written w : List.of(ct2024, mr2023)) {
            for (int i = 0; i < w.files().size(); i++) {
                m.put(w.sopInstanceUids().get(i), w.files().get(i));
            }
        }
        return m;
    }

    static AttributeList read(Path file) {
        try {
            AttributeList list = new AttributeList();
            list.read(file.toFile());
            return list;
        } catch (Exception e) {
            throw new AssertionError("Cannot read " + file + ": " + e, e);
        }
    }

    static String sop(Path file) {
        return Attribute.getSingleStringValueOrEmptyString(read(file), TagFromName.SOPInstanceUID);
    }

    static byte[] pixels(Path file) {
        try {
            return read(file).get(TagFromName.PixelData).getByteValues(true);
        } catch (Exception e) {
            throw new AssertionError("Cannot read pixel data of " + file + ": " + e, e);
        }
    }
}
