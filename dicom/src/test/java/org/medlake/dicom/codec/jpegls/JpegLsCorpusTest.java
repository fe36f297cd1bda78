package org.medlake.dicom.codec.jpegls;

import org.medlake.dicom.testing.SharedCorpus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ByteFrameSource;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.display.SourceImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decodes the JPEG-LS files of the shared corpus through PixelMed's normal path ({@code new SourceImage(list)},
 * which looks the reader up by the format name {@code jpeg-ls}) and compares them with uncompressed encodings of
 * the same images. Skipped when the corpus is absent; files are read in place, never copied.
 */
class JpegLsCorpusTest {
    private static final String CT0012 = "cornerstonejs__dicomParser/testImages/encapsulated/multi-frame/CT0012.";
    private static final String CT1 = "cornerstonejs__dicomParser/testImages/";
    private static final String PYDICOM = "pydicom__pydicom/src/pydicom/data/test_files/";
    private static final String PYDATA = "pydicom__pydicom-data/data_store/data/";
    private static final String HIGHDICOM = "ImagingDataCommons__highdicom/data/test_files/";

    /**
     * {@code ${medlake.repo.root}/../shared/corpus}, then one level higher (git worktrees live in
     * {@code <root>/wt/<name>}), then {@code ../shared/corpus} relative to the working directory; the real path, or
     * {@code null} when none exists.
     */
    static Path corpus() {
        return SharedCorpus.orNull();
    }

    static Path file(String relative) {
        Path corpus = corpus();
        assumeThat(corpus).as("shared corpus (../shared/corpus)").isNotNull();
        Path f = corpus.resolve(relative);
        assumeThat(Files.isRegularFile(f)).as("corpus file %s", relative).isTrue();
        return f;
    }

    static Stream<Arguments> pairs() {
        return Stream.of(
                Arguments.of(CT0012 + "not_fragmented_bot_jpeg_ls.80.dcm", CT0012 + "explicit_little_endian.dcm"),
                Arguments.of(CT0012 + "not_fragmented_no_bot_jpeg_ls.80.dcm", CT0012 + "explicit_little_endian.dcm"),
                Arguments.of(CT0012 + "fragmented_no_bot_jpeg_ls.80.dcm", CT0012 + "explicit_little_endian.dcm"),
                Arguments.of(CT0012 + "fragmented_no_bot_jpeg_ls.81.dcm", CT0012 + "explicit_little_endian.dcm"),
                Arguments.of(CT1 + "encapsulated/single-frame/CT1_UNC.fragmented_bot_jpeg_ls.80.dcm",
                        CT1 + "CT1_UNC.implicit_little_endian.dcm"),
                Arguments.of(CT1 + "encapsulated/single-frame/CT1_UNC.not_fragmented_no_bot_jpeg_ls.80.dcm",
                        CT1 + "CT1_UNC.implicit_little_endian.dcm"),
                Arguments.of("neurolabusc__dcm_qa_ts/In/7.dcm", "neurolabusc__dcm_qa_ts/In/1.dcm"),
                Arguments.of("neurolabusc__dcm_qa_ts/In/8.dcm", "neurolabusc__dcm_qa_ts/In/1.dcm"),
                Arguments.of(PYDICOM + "MR_small_jpeg_ls_lossless.dcm", PYDICOM + "MR_small.dcm"),
                Arguments.of(PYDATA + "emri_small_jpeg_ls_lossless.dcm", PYDATA + "emri_small.dcm"),
                Arguments.of(HIGHDICOM + "sm_image_jpegls.dcm", HIGHDICOM + "sm_image.dcm"));
    }

    /**
     * Lossless files reproduce the reference's stored values exactly; near-lossless ones stay within the NEAR of
     * their codestream. Checked on both of PixelMed's paths: {@link AttributeList#read} decompressing Pixel Data
     * while reading (the default), and {@link SourceImage} decompressing frames of a still-compressed list.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("pairs")
    void matchesUncompressedReference(String compressed, String reference) throws Exception {
        Path cf = file(compressed), rf = file(reference);
        AttributeList rl = read(rf, true);
        int rows = Attribute.getSingleIntegerValueOrDefault(rl, TagFromName.Rows, 0);
        int cols = Attribute.getSingleIntegerValueOrDefault(rl, TagFromName.Columns, 0);
        int spp = Attribute.getSingleIntegerValueOrDefault(rl, TagFromName.SamplesPerPixel, 1);
        int frames = Attribute.getSingleIntegerValueOrDefault(rl, TagFromName.NumberOfFrames, 1);
        int bitsAllocated = Attribute.getSingleIntegerValueOrDefault(rl, TagFromName.BitsAllocated, 16);
        int[] ref = storedValues(rl, bitsAllocated);
        assertThat(ref.length).isEqualTo(frames * rows * cols * spp);

        AttributeList compressedList = read(cf, false);
        int near = nearOf(firstFrame(compressedList));
        if (!compressed.endsWith(".81.dcm")) {
            assertThat(near).as("NEAR of a lossless file").isZero();
        }

        // path 1: AttributeList decompresses while reading; Pixel Data then holds stored values
        AttributeList decompressedList = read(cf, true);
        assertThat(maxError(storedValues(decompressedList, bitsAllocated), ref)).as("AttributeList path, %s", compressed)
                .isLessThanOrEqualTo(near);

        // path 2: SourceImage over the still-compressed list (CompressedFrameDecoder, frame by frame)
        SourceImage decoded = new SourceImage(compressedList);
        assertThat(decoded.getNumberOfFrames()).isEqualTo(frames);
        int mask = bitsAllocated == 8 ? 0xFF : 0xFFFF;
        int[] viaSourceImage = new int[ref.length];
        int i = 0;
        for (int f = 0; f < frames; f++) {
            Raster r = decoded.getBufferedImage(f).getRaster();
            assertThat(r.getWidth()).isEqualTo(cols);
            assertThat(r.getHeight()).isEqualTo(rows);
            for (int v : r.getPixels(0, 0, cols, rows, (int[]) null)) {
                viaSourceImage[i++] = v & mask;
            }
        }
        assertThat(maxError(viaSourceImage, ref)).as("SourceImage path, %s", compressed).isLessThanOrEqualTo(near);

        // PixelMed applies Pixel Representation to what the reader returned, as it does to uncompressed data
        SourceImage referenceImage = new SourceImage(rl);
        assertThat(decoded.isSigned()).isEqualTo(referenceImage.isSigned());
    }

    private static int maxError(int[] decoded, int[] ref) {
        assertThat(decoded).hasSameSizeAs(ref);
        int max = 0;
        for (int i = 0; i < ref.length; i++) {
            max = Math.max(max, Math.abs(decoded[i] - ref[i]));
        }
        return max;
    }

    /** Files without an uncompressed twin: they decode through PixelMed to the declared geometry. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("singles")
    void decodesThroughPixelMed(String relative) throws Exception {
        AttributeList list = read(file(relative), false);
        SourceImage img = new SourceImage(list);
        int rows = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Rows, 0);
        int cols = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Columns, 0);
        for (int f = 0; f < img.getNumberOfFrames(); f++) {
            Raster r = img.getBufferedImage(f).getRaster();
            assertThat(r.getWidth()).isEqualTo(cols);
            assertThat(r.getHeight()).isEqualTo(rows);
        }
        int[] px = img.getBufferedImage(0).getRaster().getPixels(0, 0, cols, rows, (int[]) null);
        assertThat(java.util.Arrays.stream(px).distinct().count()).as("distinct values").isGreaterThan(1);
    }

    static Stream<String> singles() {
        return Stream.of(PYDATA + "JLSL_08_07_0_1F.dcm", PYDICOM + "JPEGLSNearLossless_08.dcm",
                "fo-dicom__fo-dicom/Tests/FO-DICOM.Tests/Test Data/GH364.dcm");
    }

    /**
     * JLSN_RGB_ILV0.dcm's File Meta lacks its group length, which PixelMed misreads; its codestream (one fragment)
     * is decoded directly: a near-lossless RGB image coded as three scans.
     */
    @Test
    void nearLosslessRgbInThreeScans() throws Exception {
        byte[] bytes = Files.readAllBytes(file(PYDATA + "JLSN_RGB_ILV0.dcm"));
        int start = indexOf(bytes, new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}, 0);
        assertThat(start).isPositive();
        JpegLsImage img = new JpegLsDecoder().decode(bytes, start, bytes.length - start);
        assertThat(img.width()).isEqualTo(256);
        assertThat(img.height()).isEqualTo(256);
        assertThat(img.components()).isEqualTo(3);
        // the three planes differ (a colour image) and use most of the 8-bit range
        int[] min = {255, 255, 255}, max = new int[3];
        long diff = 0;
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 256; x++) {
                for (int c = 0; c < 3; c++) {
                    int v = img.sample(x, y, c);
                    min[c] = Math.min(min[c], v);
                    max[c] = Math.max(max[c], v);
                }
                diff += Math.abs(img.sample(x, y, 0) - img.sample(x, y, 2));
            }
        }
        assertThat(diff).isPositive();
        for (int c = 0; c < 3; c++) {
            assertThat(max[c] - min[c]).as("range of component %d", c).isGreaterThan(100);
        }
    }

    static AttributeList read(Path f, boolean decompress) throws Exception {
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(decompress);
        list.read(f.toFile());
        return list;
    }

    /** Stored values of an uncompressed file's Pixel Data, all frames, as unsigned values. */
    static int[] storedValues(AttributeList list, int bitsAllocated) throws Exception {
        Attribute pd = list.getPixelData();
        if (bitsAllocated == 8) {
            byte[] b = pd.getByteValues();
            int[] v = new int[b.length];
            for (int i = 0; i < b.length; i++) {
                v[i] = b[i] & 0xFF;
            }
            return v;
        }
        short[] s = pd.getShortValues();
        int[] v = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            v[i] = s[i] & 0xFFFF;
        }
        return v;
    }

    static byte[] firstFrame(AttributeList list) throws Exception {
        Attribute pd = list.getPixelData();
        assertThat(pd).isInstanceOf(ByteFrameSource.class);
        return ((ByteFrameSource) pd).getByteValuesForSelectedFrame(0);
    }

    /** NEAR of the first scan of a codestream. */
    static int nearOf(byte[] codestream) {
        int sos = indexOf(codestream, new byte[] {(byte) 0xFF, (byte) 0xDA}, 0);
        int ns = codestream[sos + 4] & 0xFF;
        return codestream[sos + 5 + 2 * ns] & 0xFF;
    }

    static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i + pattern.length <= data.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (data[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
