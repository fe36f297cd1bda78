package org.medlake.nifti;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.TagFromName;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * medlake's own decoding of encapsulated pixel data (fragments read from the file; RLE and JPEG Lossless decoded
 * here, JPEG 2000 through ImageIO) must give exactly PixelMed's values. Uses dcm_qa_ts, where one mosaic is stored
 * in every transfer syntax; skipped without the shared corpus.
 */
class EncapsulatedPixelsTest {
    @Test
    void decodesLikePixelMed() throws Exception {
        Path corpus = NiftiCorpusParityTest.corpus();
        Assumptions.assumeTrue(corpus != null, "shared corpus absent");
        int checked = 0;
        for (String name : List.of("4.dcm", "5.dcm", "6.dcm", "9.dcm")) {
            Path f = corpus.resolve("neurolabusc__dcm_qa_ts/In").resolve(name);
            Instance inst = Instance.read(f);
            Object own = EncapsulatedPixels.decode(inst, 16);
            assertThat(own).as(name + " (" + inst.transferSyntax + ") decoded without PixelMed").isInstanceOf(short[].class);
            AttributeList l = new AttributeList();
            try (InputStream in = new BufferedInputStream(Files.newInputStream(f))) {
                l.read(new DicomInputStream(in));
            }
            assertThat((short[]) own).as(name).isEqualTo(l.get(TagFromName.PixelData).getShortValues());
            checked++;
        }
        assertThat(checked).isEqualTo(4);
    }

    @Test
    void ownJpegLosslessDecoderAcceptsTheCorpusStreams() throws Exception {
        Path corpus = NiftiCorpusParityTest.corpus();
        Assumptions.assumeTrue(corpus != null, "shared corpus absent");
        for (String name : List.of("5.dcm", "6.dcm")) {
            Instance inst = Instance.read(corpus.resolve("neurolabusc__dcm_qa_ts/In").resolve(name));
            byte[] file = Files.readAllBytes(inst.path);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(file).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int pos = (int) inst.itemsOffset;
            pos += 8 + b.getInt(pos + 4); // Basic Offset Table
            byte[] frame = java.util.Arrays.copyOfRange(file, pos + 8, pos + 8 + b.getInt(pos + 4));
            short[] out = new short[inst.rows * inst.columns];
            assertThat(JpegLossless.decode(frame, inst.rows, inst.columns, out, null, 0)).as(name).isTrue();
        }
    }
}
