package org.medlake.nifti;

import org.medlake.dicom.DicomValues;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.TagFromName;

/**
 * How a Siemens mosaic packs its slices: {@code count} tiles of {@code tileRows × tileColumns} laid out row by
 * row in a square grid of {@code perSide × perSide}, and where the tiles lie in space.
 *
 * <p>The slice count comes from the CSA image header (NumberOfImagesInMosaic), else from the "SIEMENS MR HEADER"
 * private element, else (like dcm2niix) from AcquisitionMatrix: the tile is the acquired matrix, the count every
 * tile of the grid. ImagePositionPatient of a mosaic describes the whole mosaic's corner, so the first tile's
 * position is moved by {@code (mosaicSize − tileSize)/2} pixels along rows and columns (dcm2niix's correction).
 */
record MosaicLayout(int count, int perSide, int tileRows, int tileColumns) {

    /**
     * @throws NiftiException NIFTI_UNSUPPORTED when neither the slice count nor the acquisition matrix explain the mosaic
     */
    static MosaicLayout of(Instance inst) {
        Double n = inst.csa().decimal("NumberOfImagesInMosaic");
        if (n == null) {
            Attribute a = Attrs.privateElement(inst.header, Tags.SIEMENS_MR_GROUP, "SIEMENS MR HEADER", 0x0A);
            if (a != null) {
                try {
                    n = (double) a.getSingleIntegerValueOrDefault(0);
                } catch (Exception e) {
                    n = null;
                }
                if (n != null && n <= 0) {
                    n = null;
                }
            }
        }
        if (n != null && n >= 1) {
            int count = (int) Math.round(n);
            int perSide = (int) Math.ceil(Math.sqrt(count));
            if (inst.rows % perSide == 0 && inst.columns % perSide == 0) {
                return new MosaicLayout(count, perSide, inst.rows / perSide, inst.columns / perSide);
            }
        }
        double[] am = DicomValues.doubles(inst.header, Tags.ACQUISITION_MATRIX, 4);
        if (am != null) {
            int freq = (int) Math.max(am[0], am[1]);
            int phase = (int) Math.max(am[2], am[3]);
            boolean rowPhase = "ROW".equalsIgnoreCase(DicomValues.string(inst.header, Tags.IN_PLANE_PHASE_ENCODING_DIRECTION));
            int tileCols = rowPhase ? phase : freq;
            int tileRows = rowPhase ? freq : phase;
            if (tileCols > 0 && tileRows > 0 && inst.columns % tileCols == 0 && inst.rows % tileRows == 0
                    && inst.columns / tileCols == inst.rows / tileRows) {
                int perSide = inst.columns / tileCols;
                return new MosaicLayout(perSide * perSide, perSide, tileRows, tileCols);
            }
        }
        throw new NiftiException(NiftiException.ErrorCode.NIFTI_UNSUPPORTED, "Mosaic " + inst.path + " ("
                + inst.rows + "x" + inst.columns + ") cannot be unpacked. Cause: no NumberOfImagesInMosaic in the CSA "
                + "header and an AcquisitionMatrix that does not divide the image. Fix: export the series without "
                + "mosaic (Siemens 'Save images as single slices') or with intact private tags.");
    }

    /** Top-left row of tile {@code k} in the mosaic. */
    int tileRowOffset(int k) {
        return (k / perSide) * tileRows;
    }

    /** Top-left column of tile {@code k} in the mosaic. */
    int tileColumnOffset(int k) {
        return (k % perSide) * tileColumns;
    }

    /**
     * Position (LPS) of the first pixel of tile 0, from the mosaic's ImagePositionPatient.
     *
     * @param iop ImageOrientationPatient
     * @param dx distance between columns, {@code dy} between rows (PixelSpacing)
     */
    double[] firstTilePosition(double[] ipp, double[] iop, double dx, double dy, int mosaicRows, int mosaicColumns) {
        double shiftX = (mosaicColumns - tileColumns) / 2.0;
        double shiftY = (mosaicRows - tileRows) / 2.0;
        return Vec.add(ipp, Vec.add(Vec.scale(Vec.row(iop), dx * shiftX), Vec.scale(Vec.col(iop), dy * shiftY)));
    }

    static boolean isMosaic(Instance inst) {
        return inst.isMosaic() && DicomValues.string(inst.header, TagFromName.ImageOrientationPatient) != null;
    }
}
