package org.medlake.dicom.codec.jpegls;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.ByteFrameSource;
import com.pixelmed.display.SourceImage;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Decode speed benchmark (not a test; run by hand):
 * {@code java -cp dicom/target/test-classes:dicom/target/classes:$(cat dicom/target/classpath.txt)
 * org.medlake.dicom.codec.jpegls.JpegLsDecodeBench [FILE] [seconds]}. Defaults to the dcm_qa_ts JPEG-LS mosaic of the
 * shared corpus. Reports MB/s of decoded samples (2 bytes per sample above 8 bits) for {@link JpegLsDecoder} alone
 * and for PixelMed's {@code SourceImage} path (DICOM parse plus decode).
 */
public final class JpegLsDecodeBench {
    public static void main(String[] args) throws Exception {
        Path file = args.length > 0 ? Path.of(args[0])
                : JpegLsCorpusTest.corpus().resolve("neurolabusc__dcm_qa_ts/In/7.dcm");
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
        AttributeList list = new AttributeList();
        list.setDecompressPixelData(false);
        list.read(file.toFile());
        byte[] frame = ((ByteFrameSource) list.getPixelData()).getByteValuesForSelectedFrame(0);
        JpegLsImage probe = new JpegLsDecoder().decode(frame);
        long decodedBytes = (long) probe.width() * probe.height() * probe.components()
                * (probe.bitsPerSample() > 8 ? 2 : 1);
        System.out.printf(Locale.ROOT, "%s: %d x %d x %d, %d bit, %d bytes coded, %d bytes decoded (ratio %.2f)%n",
                file.getFileName(), probe.width(), probe.height(), probe.components(), probe.bitsPerSample(),
                frame.length, decodedBytes, (double) decodedBytes / frame.length);
        for (int pass = 0; pass < 3; pass++) {
            long n = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
            while (System.nanoTime() < end) {
                new JpegLsDecoder().decode(frame);
                n++;
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "decoder pass %d: %d decodes, %.2f ms each, %.1f MB/s%n", pass, n,
                    1e3 * s / n, n * decodedBytes / s / 1e6);
        }
        long n = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
        while (System.nanoTime() < end) {
            AttributeList l = new AttributeList();
            l.setDecompressPixelData(false);
            l.read(file.toFile());
            new SourceImage(l).getBufferedImage(0);
            n++;
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "PixelMed SourceImage (read + decode): %.2f ms each, %.1f MB/s%n", 1e3 * s / n,
                n * decodedBytes / s / 1e6);
    }
}
