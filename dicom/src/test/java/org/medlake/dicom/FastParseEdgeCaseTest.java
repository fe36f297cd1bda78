package org.medlake.dicom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.medlake.dicom.DicomBytes.concat;
import static org.medlake.dicom.DicomBytes.element;
import static org.medlake.dicom.DicomBytes.sequence;
import static org.medlake.dicom.DicomBytes.string;
import static org.medlake.dicom.DicomBytes.us;

import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hand-made files for the shapes the fast path must get right (implicit VR, sequences and items of defined and
 * undefined length, private elements, UN, character sets, long headers) and for the ones it must leave to PixelMed
 * (truncation, missing UIDs, non-DICOM bytes, unsupported encodings), where {@link DicomReader} must still give the
 * old result or the old {@link DicomReadException.Reason}.
 */
class FastParseEdgeCaseTest {
    private static final String SOP = "1.2.826.0.1.3680043.10.1.1";
    private static final AttributeTag PRIVATE_CREATOR = new AttributeTag(0x0009, 0x0010);
    private static final AttributeTag PRIVATE_LO = new AttributeTag(0x0009, 0x1001);
    private static final AttributeTag PRIVATE_OB = new AttributeTag(0x0009, 0x1002);
    private static final AttributeTag PRIVATE_UN = new AttributeTag(0x0009, 0x1003);

    @TempDir
    Path dir;

    /** A small CT data set in ascending tag order, with {@code extra} elements merged in (a null value removes). */
    static byte[][] dataSet(boolean explicit, Map<AttributeTag, byte[]> extra) {
        TreeMap<AttributeTag, byte[]> e = new TreeMap<>();
        e.put(TagFromName.SOPClassUID, string(explicit, TagFromName.SOPClassUID, "UI", SOPClass.CTImageStorage));
        e.put(TagFromName.SOPInstanceUID, string(explicit, TagFromName.SOPInstanceUID, "UI", SOP));
        e.put(TagFromName.Modality, string(explicit, TagFromName.Modality, "CS", "CT"));
        e.put(TagFromName.PatientName, string(explicit, TagFromName.PatientName, "PN", "Doe^Jane"));
        e.put(TagFromName.PatientID, string(explicit, TagFromName.PatientID, "LO", "P-EDGE"));
        e.put(TagFromName.StudyInstanceUID, string(explicit, TagFromName.StudyInstanceUID, "UI", SOP + ".2"));
        e.put(TagFromName.SeriesInstanceUID, string(explicit, TagFromName.SeriesInstanceUID, "UI", SOP + ".3"));
        e.put(TagFromName.PixelSpacing, string(explicit, TagFromName.PixelSpacing, "DS", "0.7\\0.7"));
        e.put(TagFromName.Rows, us(explicit, TagFromName.Rows, 2));
        e.put(TagFromName.Columns, us(explicit, TagFromName.Columns, 2));
        e.put(TagFromName.PixelData, element(explicit, TagFromName.PixelData, "OW", new byte[8]));
        for (Map.Entry<AttributeTag, byte[]> x : extra.entrySet()) {
            if (x.getValue() == null) {
                e.remove(x.getKey());
            } else {
                e.put(x.getKey(), x.getValue());
            }
        }
        return e.values().toArray(new byte[0][]);
    }

    static byte[] file(boolean explicit, Map<AttributeTag, byte[]> extra) {
        String ts = explicit ? TransferSyntax.ExplicitVRLittleEndian : TransferSyntax.ImplicitVRLittleEndian;
        return DicomBytes.part10(ts, SOPClass.CTImageStorage, SOP, dataSet(explicit, extra));
    }

    /** What a read gives: the header, or the reason it failed. */
    static Object outcome(Supplier<InstanceHeader> read) {
        try {
            return read.get();
        } catch (DicomReadException e) {
            return e.reason();
        }
    }

    /** The fast path parses the file and equals the PixelMed path; returns the header. */
    static InstanceHeader assertFastAndEqual(byte[] bytes) {
        InstanceHeader fast = FastHeaderParser.parse(bytes, bytes.length);
        assertThat(fast).as("the fast path takes the file").isNotNull();
        InstanceHeader pixelMed = DicomReader.readWithPixelMed(bytes, "edge");
        assertThat(fast.headerJson()).isEqualTo(pixelMed.headerJson());
        assertThat(fast).isEqualTo(pixelMed);
        assertThat(DicomReader.read(bytes)).isEqualTo(pixelMed);
        return fast;
    }

    /** The fast path declines the file, and every read gives what the PixelMed path gives. */
    static Object assertDeclinedAndSameOutcome(byte[] bytes) {
        assertThat(FastHeaderParser.parse(bytes, bytes.length)).as("the fast path declines").isNull();
        Object expected = outcome(() -> DicomReader.readWithPixelMed(bytes, "edge"));
        assertThat(outcome(() -> DicomReader.read(bytes))).isEqualTo(expected);
        assertThat(outcome(() -> DicomReader.read(new ByteArrayInputStream(bytes), bytes.length, "edge"))).isEqualTo(expected);
        assertThat(outcome(() -> DicomReader.read(new ByteArrayInputStream(bytes), "edge"))).isEqualTo(expected);
        return expected;
    }

    @Test
    void explicitAndImplicitVrFiles() {
        for (boolean explicit : new boolean[] {true, false}) {
            InstanceHeader h = assertFastAndEqual(file(explicit, Map.of()));
            assertThat(h.sopInstanceUid()).isEqualTo(SOP);
            assertThat(h.pixelSpacing()).containsExactly(0.7, 0.7);
            assertThat(h.transferSyntaxUid()).isEqualTo(explicit ? TransferSyntax.ExplicitVRLittleEndian
                    : TransferSyntax.ImplicitVRLittleEndian);
        }
    }

    @Test
    void sequencesOfDefinedAndUndefinedLengthAndNestedFunctionalGroups() {
        for (boolean explicit : new boolean[] {true, false}) {
            for (boolean definedSequences : new boolean[] {true, false}) {
                for (boolean definedItems : new boolean[] {true, false}) {
                    byte[] measures = sequence(explicit, TagFromName.PixelMeasuresSequence, definedSequences, definedItems,
                            concat(string(explicit, TagFromName.SliceThickness, "DS", "1.25"),
                                    string(explicit, TagFromName.PixelSpacing, "DS", "0.5\\0.25")));
                    byte[] shared = sequence(explicit, TagFromName.SharedFunctionalGroupsSequence, definedSequences,
                            definedItems, measures);
                    byte[] empty = sequence(explicit, TagFromName.ReferencedImageSequence, definedSequences, definedItems);
                    byte[] twoItems = sequence(explicit, TagFromName.SourceImageSequence, definedSequences, definedItems,
                            string(explicit, TagFromName.ReferencedSOPInstanceUID, "UI", SOP + ".7"),
                            string(explicit, TagFromName.ReferencedSOPInstanceUID, "UI", SOP + ".8"));
                    Map<AttributeTag, byte[]> extra = new TreeMap<>();
                    extra.put(TagFromName.PixelSpacing, null);
                    extra.put(TagFromName.SharedFunctionalGroupsSequence, shared);
                    extra.put(TagFromName.ReferencedImageSequence, empty);
                    extra.put(TagFromName.SourceImageSequence, twoItems);
                    InstanceHeader h = assertFastAndEqual(file(explicit, extra));
                    assertThat(h.pixelSpacing()).as("from the functional groups").containsExactly(0.5, 0.25);
                    assertThat(h.sliceThickness()).isEqualTo(1.25);
                    assertThat(h.headerJson()).contains(SOP + ".8");
                }
            }
        }
    }

    @Test
    void privateElements() {
        for (boolean explicit : new boolean[] {true, false}) {
            Map<AttributeTag, byte[]> extra = new TreeMap<>();
            extra.put(PRIVATE_CREATOR, string(explicit, PRIVATE_CREATOR, "LO", "ACME 1.0"));
            extra.put(PRIVATE_LO, string(explicit, PRIVATE_LO, "LO", "private text"));
            extra.put(PRIVATE_OB, element(explicit, PRIVATE_OB, "OB", new byte[] {1, 2, 3, 4}));
            extra.put(PRIVATE_UN, element(explicit, PRIVATE_UN, "UN", "AB".getBytes(StandardCharsets.US_ASCII)));
            InstanceHeader h = assertFastAndEqual(file(explicit, extra));
            assertThat(h.headerJson()).contains("\"00090010\":{\"vr\":\"LO\",\"Value\":[\"ACME 1.0\"]}");
        }
    }

    @Test
    void unVrIsReadByTheDictionaryLikePixelMedDoes() {
        Map<AttributeTag, byte[]> extra = new TreeMap<>();
        // a standard element sent as UN: PixelMed reads it with its dictionary VR (DS)
        extra.put(TagFromName.SliceThickness, element(true, TagFromName.SliceThickness, "UN", "2.5 ".getBytes(StandardCharsets.US_ASCII)));
        extra.put(PRIVATE_UN, element(true, PRIVATE_UN, "UN", new byte[] {9, 8, 7, 6}));
        InstanceHeader h = assertFastAndEqual(file(true, extra));
        assertThat(h.sliceThickness()).isEqualTo(2.5);
        assertThat(h.headerJson()).contains("\"00180050\":{\"vr\":\"DS\"");
        // UN of undefined length (a sequence in implicit VR inside) is left to PixelMed
        byte[] item = string(false, TagFromName.ReferencedSOPInstanceUID, "UI", SOP);
        byte[] unSequence = sequence(false, PRIVATE_UN, false, false, item);
        // the same bytes under an explicit UN header of undefined length: tag, "UN", reserved, 0xFFFFFFFF
        byte[] unHeader = {(byte) PRIVATE_UN.getGroup(), 0, (byte) PRIVATE_UN.getElement(),
                (byte) (PRIVATE_UN.getElement() >> 8), 'U', 'N', 0, 0, -1, -1, -1, -1};
        byte[] asUn = concat(unHeader, Arrays.copyOfRange(unSequence, 8, unSequence.length));
        extra.put(PRIVATE_UN, asUn);
        assertDeclinedAndSameOutcome(file(true, extra));
    }

    @Test
    void characterSets() {
        assertFastAndEqual(withName("ISO_IR 100", "Müller^Jürgen", StandardCharsets.ISO_8859_1));
        assertFastAndEqual(withName("ISO_IR 192", "Řehoř^Žofie 山田", StandardCharsets.UTF_8));
        assertThat(assertFastAndEqual(withName("ISO_IR 192", "Řehoř^Žofie", StandardCharsets.UTF_8)).headerJson())
                .contains("Řehoř^Žofie");
        // others (and non-ASCII bytes without a character set) are PixelMed's to decode
        assertDeclinedAndSameOutcome(withName("ISO_IR 144", "Иванов", Charset.forName("ISO-8859-5")));
        assertDeclinedAndSameOutcome(withName(null, "Müller", StandardCharsets.ISO_8859_1));
    }

    private static byte[] withName(String charsetName, String name, Charset charset) {
        Map<AttributeTag, byte[]> extra = new TreeMap<>();
        if (charsetName != null) {
            extra.put(TagFromName.SpecificCharacterSet, string(true, TagFromName.SpecificCharacterSet, "CS", charsetName));
        }
        extra.put(TagFromName.PatientName, string(true, TagFromName.PatientName, "PN", name, charset));
        return file(true, extra);
    }

    @Test
    void aHeaderLongerThanTheFirstReadIsStillReadFast() throws Exception {
        byte[] big = new byte[300_000];
        Arrays.fill(big, (byte) 7);
        Map<AttributeTag, byte[]> extra = new TreeMap<>();
        extra.put(PRIVATE_CREATOR, string(true, PRIVATE_CREATOR, "LO", "ACME 1.0"));
        extra.put(PRIVATE_OB, element(true, PRIVATE_OB, "OB", big));
        byte[] bytes = file(true, extra);
        Path f = dir.resolve("long-header.dcm");
        Files.write(f, bytes);
        InstanceHeader expected = DicomReader.readWithPixelMed(bytes, "long");
        long before = DicomReader.FAST_PATH_READS.sum();
        assertThat(DicomReader.read(f)).isEqualTo(expected);
        assertThat(DicomReader.read(new ByteArrayInputStream(bytes), bytes.length, "long")).isEqualTo(expected);
        assertThat(DicomReader.FAST_PATH_READS.sum()).isEqualTo(before + 2);
    }

    @Test
    void aFileCutInItsHeaderIsTruncated() {
        byte[] bytes = file(true, Map.of());
        int pixelTag = bytes.length - 8 - 12;
        for (int cut = 133; cut < pixelTag + 12; cut += 7) {
            byte[] cutBytes = Arrays.copyOf(bytes, cut);
            assertThat(assertDeclinedAndSameOutcome(cutBytes)).as("cut at %d", cut)
                    .isIn(DicomReadException.Reason.TRUNCATED, DicomReadException.Reason.NOT_DICOM);
        }
        assertThat(assertDeclinedAndSameOutcome(Arrays.copyOf(bytes, pixelTag - 3)))
                .isEqualTo(DicomReadException.Reason.TRUNCATED);
    }

    @Test
    void aFileCutInItsPixelDataIsTruncated() throws Exception {
        byte[] nativePixels = file(true, Map.of());
        byte[] fragments = DicomBytes.part10(TransferSyntax.RLE, SOPClass.CTImageStorage, SOP,
                concat(concat(dataSet(true, Map.of(TagFromName.PixelData, new byte[0]))),
                        DicomBytes.encapsulatedPixelData(new byte[100], new byte[200])));
        assertFastAndEqual(fragments);
        for (byte[] whole : List.of(nativePixels, fragments)) {
            for (int cut : new int[] {1, 2, 8, 50, 150}) {
                byte[] cutBytes = Arrays.copyOf(whole, whole.length - cut);
                Path f = dir.resolve("cut.dcm");
                Files.write(f, cutBytes);
                assertThat(assertDeclinedAndSameOutcome(cutBytes)).as("cut %d", cut)
                        .isEqualTo(DicomReadException.Reason.TRUNCATED);
                assertThat(outcome(() -> DicomReader.read(f))).isEqualTo(DicomReadException.Reason.TRUNCATED);
            }
        }
    }

    @Test
    void aDicomdirWithoutInstanceUidsIsMissingUid() {
        byte[] bytes = DicomBytes.part10(TransferSyntax.ExplicitVRLittleEndian, SOPClass.MediaStorageDirectoryStorage,
                SOP, string(true, TagFromName.FileSetID, "CS", "MEDLAKE"),
                sequence(true, TagFromName.DirectoryRecordSequence, false, false,
                        string(true, TagFromName.DirectoryRecordType, "CS", "PATIENT")));
        assertThat(assertDeclinedAndSameOutcome(bytes)).isEqualTo(DicomReadException.Reason.MISSING_UID);
    }

    @Test
    void nonDicomBytesAreNotDicom() {
        byte[] random = new byte[600];
        new java.util.Random(7).nextBytes(random);
        for (byte[] bytes : List.of(new byte[0], "not a DICOM file at all\n".repeat(20).getBytes(StandardCharsets.UTF_8), random)) {
            assertThat(assertDeclinedAndSameOutcome(bytes)).isEqualTo(DicomReadException.Reason.NOT_DICOM);
        }
    }

    @Test
    void unusualEncodingsAreLeftToPixelMed() {
        // odd value length
        Map<AttributeTag, byte[]> odd = new TreeMap<>();
        odd.put(TagFromName.Modality, element(true, TagFromName.Modality, "CS", "CTX".getBytes(StandardCharsets.US_ASCII)));
        assertDeclinedAndSameOutcome(file(true, odd));
        // elements out of order
        byte[][] ds = dataSet(true, Map.of());
        byte[] t = ds[1];
        ds[1] = ds[2];
        ds[2] = t;
        assertDeclinedAndSameOutcome(DicomBytes.part10(TransferSyntax.ExplicitVRLittleEndian, SOPClass.CTImageStorage, SOP, ds));
        // big endian and deflate transfer syntaxes
        assertDeclinedAndSameOutcome(DicomBytes.part10(TransferSyntax.ExplicitVRBigEndian, SOPClass.CTImageStorage, SOP,
                dataSet(true, Map.of())));
        assertDeclinedAndSameOutcome(DicomBytes.part10(TransferSyntax.DeflatedExplicitVRLittleEndian,
                SOPClass.CTImageStorage, SOP, dataSet(true, Map.of())));
        // a data set without preamble
        byte[] whole = file(true, Map.of());
        assertDeclinedAndSameOutcome(Arrays.copyOfRange(whole, 132, whole.length));
    }
}
