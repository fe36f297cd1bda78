package org.medlake.curation.completeness;

import org.medlake.dicom.DicomValues;
import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.OtherByteAttributeMultipleCompressedFrames;
import com.pixelmed.dicom.TagFromName;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.medlake.curation.CurationException;
import org.medlake.curation.ErrorCode;

/**
 * What completeness checking needs to know about one instance: identity, numbering, plane geometry, matrix and the
 * keys that tell echoes, temporal positions and acquisitions apart.
 *
 * <p>Arrays are in DICOM patient coordinates (mm): {@code position} is ImagePositionPatient (3 values),
 * {@code orientation} is ImageOrientationPatient (row cosines then column cosines, 6 values), {@code pixelSpacing}
 * is PixelSpacing (row spacing, column spacing). Any of them is {@code null} when the header lacks it.
 *
 * <p>An enhanced multi-frame instance carries one {@link FrameGeometry} per frame in {@code perFrame}, taken from
 * PerFrameFunctionalGroupsSequence (falling back to SharedFunctionalGroupsSequence); the checker then treats every
 * frame as a slice. A classic instance has an empty {@code perFrame} and counts as one slice.
 *
 * @param contentHash SHA-256 (hex) of the PixelData bytes, or {@code null} when there is no pixel data; with the
 *     position, echo, temporal position and acquisition it identifies a content duplicate stored under another UID
 */
public record InstanceGeometry(String sopInstanceUid, Integer instanceNumber, String modality, double[] position,
                               double[] orientation, Integer rows, Integer columns, double[] pixelSpacing, int frames,
                               Integer echoNumber, Integer temporalPosition, Integer acquisitionNumber,
                               Integer imagesInAcquisition, Integer numberOfTemporalPositions,
                               List<FrameGeometry> perFrame, String contentHash) {

    /**
     * Geometry of one frame of an enhanced multi-frame instance.
     *
     * @param temporalPositionIndex FrameContentSequence TemporalPositionIndex, or {@code null}
     * @param effectiveEchoTime MREchoSequence EffectiveEchoTime (ms), or {@code null}
     * @param stackId FrameContentSequence StackID, or {@code null}
     */
    public record FrameGeometry(double[] position, double[] orientation, double[] pixelSpacing,
                                Integer temporalPositionIndex, Double effectiveEchoTime, String stackId) {}

    public InstanceGeometry {
        perFrame = perFrame == null ? List.of() : List.copyOf(perFrame);
    }

    /** Builder-style constructor for the common classic single-frame case (tests and callers without headers). */
    public static InstanceGeometry classic(String sopInstanceUid, Integer instanceNumber, String modality,
                                           double[] position, double[] orientation, int rows, int columns,
                                           double[] pixelSpacing, Integer echoNumber, Integer temporalPosition,
                                           Integer acquisitionNumber) {
        return new InstanceGeometry(sopInstanceUid, instanceNumber, modality, position, orientation, rows, columns,
                pixelSpacing, 1, echoNumber, temporalPosition, acquisitionNumber, null, null, List.of(), null);
    }

    /** The same instance with another content hash. */
    public InstanceGeometry withContentHash(String hash) {
        return new InstanceGeometry(sopInstanceUid, instanceNumber, modality, position, orientation, rows, columns,
                pixelSpacing, frames, echoNumber, temporalPosition, acquisitionNumber, imagesInAcquisition,
                numberOfTemporalPositions, perFrame, hash);
    }

    /** Key of an exact copy: the SOP Instance UID. Two instances with the same key are the same object twice. */
    public String duplicateKey() {
        return sopInstanceUid;
    }

    /**
     * Key of a content duplicate under a different UID: position, echo, temporal position, acquisition and the pixel
     * hash; {@code null} when the hash is unknown (without pixels we cannot tell a duplicate from another volume).
     */
    public String contentKey() {
        if (contentHash == null) {
            return null;
        }
        return String.format(Locale.ROOT, "%s|%s|%s|%s|%s", position == null ? "-" : Arrays.toString(round(position)),
                echoNumber, temporalPosition, acquisitionNumber, contentHash);
    }

    private static double[] round(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = Math.round(v[i] * 1000) / 1000.0;
        }
        return r;
    }

    /**
     * Reads the geometry of one instance from its header (and hashes its PixelData when present).
     *
     * @throws CurationException CURATION_BAD_ARGUMENT when {@code list} is null
     */
    public static InstanceGeometry from(AttributeList list) {
        if (list == null) {
            throw new CurationException(ErrorCode.CURATION_BAD_ARGUMENT, "InstanceGeometry.from got no attribute list. "
                    + "Cause: the caller passed null. Fix: read the file with AttributeList.read first.");
        }
        Integer frames = DicomAttrs.integer(list, TagFromName.NumberOfFrames);
        AttributeList shared = DicomValues.item(list, TagFromName.SharedFunctionalGroupsSequence, 0);
        double[] position = DicomValues.doubles(list, TagFromName.ImagePositionPatient, 3);
        double[] orientation = DicomValues.doubles(list, TagFromName.ImageOrientationPatient, 6);
        double[] spacing = DicomValues.doubles(list, TagFromName.PixelSpacing, 2);
        Integer echo = DicomAttrs.integer(list, TagFromName.EchoNumbers);
        List<FrameGeometry> perFrame = new ArrayList<>();
        int items = DicomValues.items(list, TagFromName.PerFrameFunctionalGroupsSequence);
        if (items > 0) {
            double[] sharedOrientation = fromMacro(shared, TagFromName.PlaneOrientationSequence, TagFromName.ImageOrientationPatient, 6);
            double[] sharedSpacing = fromMacro(shared, TagFromName.PixelMeasuresSequence, TagFromName.PixelSpacing, 2);
            double[] sharedPosition = fromMacro(shared, TagFromName.PlanePositionSequence, TagFromName.ImagePositionPatient, 3);
            for (int i = 0; i < items; i++) {
                AttributeList f = DicomValues.item(list, TagFromName.PerFrameFunctionalGroupsSequence, i);
                double[] p = orElse(fromMacro(f, TagFromName.PlanePositionSequence, TagFromName.ImagePositionPatient, 3), sharedPosition);
                double[] o = orElse(fromMacro(f, TagFromName.PlaneOrientationSequence, TagFromName.ImageOrientationPatient, 6), sharedOrientation);
                double[] s = orElse(fromMacro(f, TagFromName.PixelMeasuresSequence, TagFromName.PixelSpacing, 2), sharedSpacing);
                AttributeList content = DicomValues.item(f, TagFromName.FrameContentSequence, 0);
                AttributeList echoItem = DicomValues.item(f, TagFromName.MREchoSequence, 0);
                if (echoItem == null) {
                    echoItem = DicomValues.item(shared, TagFromName.MREchoSequence, 0);
                }
                perFrame.add(new FrameGeometry(p, o, s, DicomAttrs.integer(content, TagFromName.TemporalPositionIndex),
                        DicomValues.decimal(echoItem, DicomAttrs.EFFECTIVE_ECHO_TIME),
                        DicomValues.string(content, TagFromName.StackID)));
            }
            // The instance-level geometry of an enhanced object is that of its first frame.
            FrameGeometry first = perFrame.get(0);
            position = orElse(position, first.position());
            orientation = orElse(orientation, first.orientation());
            spacing = orElse(spacing, first.pixelSpacing());
        }
        return new InstanceGeometry(DicomValues.string(list, TagFromName.SOPInstanceUID),
                DicomAttrs.integer(list, TagFromName.InstanceNumber), DicomValues.string(list, TagFromName.Modality),
                position, orientation, DicomAttrs.integer(list, TagFromName.Rows),
                DicomAttrs.integer(list, TagFromName.Columns), spacing, frames == null ? 1 : Math.max(1, frames), echo,
                DicomAttrs.integer(list, DicomAttrs.TEMPORAL_POSITION_IDENTIFIER),
                DicomAttrs.integer(list, TagFromName.AcquisitionNumber),
                DicomAttrs.integer(list, DicomAttrs.IMAGES_IN_ACQUISITION),
                DicomAttrs.integer(list, DicomAttrs.NUMBER_OF_TEMPORAL_POSITIONS), perFrame, pixelHash(list));
    }

    private static double[] fromMacro(AttributeList group, AttributeTag sequence, AttributeTag tag, int n) {
        return DicomValues.doubles(DicomValues.item(group, sequence, 0), tag, n);
    }

    private static double[] orElse(double[] a, double[] b) {
        return a != null ? a : b;
    }

    /** SHA-256 of the PixelData value (decompressed or not, as PixelMed holds it), or null. */
    static String pixelHash(AttributeList list) {
        Attribute pixels = list.get(TagFromName.PixelData);
        if (pixels == null) {
            return null;
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            if (pixels instanceof OtherByteAttributeMultipleCompressedFrames compressed) {
                for (byte[] frame : compressed.getFrames()) {
                    sha.update(frame);
                }
            } else if (pixels.getVR() != null && pixels.getVR()[0] == 'O' && pixels.getVR()[1] == 'W') {
                short[] s = pixels.getShortValues();
                ByteBuffer b = ByteBuffer.allocate(s.length * 2).order(ByteOrder.LITTLE_ENDIAN);
                b.asShortBuffer().put(s);
                sha.update(b.array());
            } else {
                sha.update(pixels.getByteValues());
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new CurationException(ErrorCode.CURATION_INTERNAL, "SHA-256 is unavailable. Cause: a JVM without "
                    + "the standard digests. Fix: run on a standard Java 17 runtime.", e);
        } catch (Exception e) {
            // Pixel data PixelMed cannot hand out (e.g. left on disk): no hash, so no content-duplicate check.
            return null;
        }
    }
}
