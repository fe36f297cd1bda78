package org.medlake.sdk;

/**
 * One SOP instance of a series, enough to download and verify it.
 *
 * @param sopInstanceUid SOP Instance UID
 * @param sha256 lower-case hex SHA-256 of the DICOM file
 * @param sizeBytes file size in bytes
 * @param instanceNumber Instance Number, or {@code null} when the file has none
 */
public record InstanceRef(String sopInstanceUid, String sha256, long sizeBytes, Integer instanceNumber) {}
