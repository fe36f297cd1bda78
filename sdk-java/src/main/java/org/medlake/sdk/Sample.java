package org.medlake.sdk;

import java.nio.ByteBuffer;

/**
 * One instance delivered by a {@link DatasetIterator}: its manifest entry and its verified DICOM bytes.
 *
 * @param entry the manifest entry
 * @param data the file's bytes (read-only; SHA-256 verified against the manifest)
 * @param next the position right after this sample: resuming from it continues with the following sample
 */
public record Sample(ManifestEntry entry, ByteBuffer data, DatasetPosition next) {

    /** Keeps a read-only view so the value stays immutable. */
    public Sample {
        data = data.asReadOnlyBuffer();
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        byte[] b = new byte[data.remaining()];
        data.duplicate().get(b);
        return b;
    }
}
