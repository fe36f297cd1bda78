package org.medlake.dicom;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.Objects;

/**
 * The header fields of one DICOM instance that the lake's {@code instances} table stores. Immutable.
 * String fields are trimmed and {@code null} when absent or empty; numbers are {@code null} when absent or invalid.
 *
 * @param patientAgeYears PatientAge (e.g. {@code 054Y}) in whole years; months/weeks/days are rounded down
 */
public record InstanceHeader(
        String sopInstanceUid,
        String seriesInstanceUid,
        String studyInstanceUid,
        String sopClassUid,
        String transferSyntaxUid,
        String patientId,
        String patientSex,
        Integer patientAgeYears,
        LocalDate studyDate,
        String studyDescription,
        String seriesDescription,
        Integer seriesNumber,
        Integer instanceNumber,
        String modality,
        String bodyPartExamined,
        String manufacturer,
        Integer rows,
        Integer columns) implements Serializable {

    public InstanceHeader {
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
        Objects.requireNonNull(studyInstanceUid, "studyInstanceUid");
    }
}
