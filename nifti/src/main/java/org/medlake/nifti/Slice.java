package org.medlake.nifti;

/**
 * One 2D image of a series (a classic instance, one frame of a multi-frame instance, or one tile of a Siemens
 * mosaic): where it lies in patient space (LPS, as DICOM states it) and where its pixels come from.
 */
final class Slice {
    final Instance source;
    /** Frame of {@link #source}, 0-based. */
    final int frame;
    /** Mosaic tile index, or -1 when the frame is the whole image. */
    final int tile;
    final int rows;
    final int columns;
    /** ImagePositionPatient of the first transmitted pixel (mm, LPS). */
    final double[] position;
    /** ImageOrientationPatient: row direction (0..2) then column direction (3..5). */
    final double[] orientation;
    /** Distance between columns (along the row direction), mm. */
    final double dx;
    /** Distance between rows (along the column direction), mm. */
    final double dy;
    final double slope;
    final double intercept;
    final int echo;
    final boolean phase;
    /** Sorts the volumes at one position (time, diffusion direction, ...). */
    final double[] volumeKey;
    /** Order the scanner gave the slice (in-stack position, mosaic tile; 0 for classic images): keeps that direction. */
    final int orderHint;
    /** Acquisition time within its volume in seconds (for SliceTiming), or NaN. */
    final double time;
    /** b-value (s/mm²), or NaN. */
    final double bValue;
    /** Diffusion gradient in patient space (LPS), or null. */
    final double[] gradient;
    /** The mosaic this slice is a tile of, or null. */
    final MosaicLayout mosaic;

    Slice(Instance source, int frame, int tile, int rows, int columns, double[] position, double[] orientation,
          double dx, double dy, double slope, double intercept, int echo, boolean phase, double[] volumeKey,
          int orderHint, double time, double bValue, double[] gradient, MosaicLayout mosaic) {
        this.source = source;
        this.frame = frame;
        this.tile = tile;
        this.rows = rows;
        this.columns = columns;
        this.position = position;
        this.orientation = orientation;
        this.dx = dx;
        this.dy = dy;
        this.slope = slope;
        this.intercept = intercept;
        this.echo = echo;
        this.phase = phase;
        this.volumeKey = volumeKey;
        this.orderHint = orderHint;
        this.time = time;
        this.bValue = bValue;
        this.gradient = gradient;
        this.mosaic = mosaic;
    }

    /** Unit normal of the slice plane: row direction × column direction. */
    double[] normal() {
        return Vec.normalize(Vec.cross(Vec.row(orientation), Vec.col(orientation)));
    }
}
