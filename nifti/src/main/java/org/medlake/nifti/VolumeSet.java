package org.medlake.nifti;

import java.util.List;

/**
 * A planned output: {@code slices.get(t).get(z)} is slice {@code z} of volume {@code t}, slices in the order they are
 * written (along {@link #sliceVector}), all of one size and orientation.
 *
 * @param suffix appended to the output name when a series splits into several outputs ("" for the first/only)
 */
record VolumeSet(List<List<Slice>> slices, double[] sliceVector, String suffix) {
    int nx() {
        return first().columns;
    }

    int ny() {
        return first().rows;
    }

    int nz() {
        return slices.get(0).size();
    }

    int nt() {
        return slices.size();
    }

    Slice first() {
        return slices.get(0).get(0);
    }
}
