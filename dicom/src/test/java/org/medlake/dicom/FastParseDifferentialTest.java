package org.medlake.dicom;

import static org.assertj.core.api.Assertions.assertThat;

import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fast path against the PixelMed path on every kind of series {@link SyntheticSeries} writes, each in three
 * encodings: as written (explicit VR little endian), rewritten by PixelMed in implicit VR little endian, and with
 * its pixels replaced by encapsulated fragments under an encapsulated transfer syntax (RLE). Every file must take the
 * fast path and give an equal header, typed columns and header JSON alike.
 */
class FastParseDifferentialTest {
    @TempDir
    static Path dir;
    static final List<Variant> variants = new ArrayList<>();

    record Variant(String name, byte[] bytes) {}

    @BeforeAll
    static void writeSeries() throws Exception {
        SyntheticSeries.Patient patient = SyntheticSeries.patient("P-DIFF", "M", 61);
        for (SyntheticSeries.Kind kind : SyntheticSeries.Kind.values()) {
            SyntheticSeries.Written w = SyntheticSeries.of(kind, patient).slices(2).writeTo(dir.resolve(kind.name()));
            for (Path f : w.files()) {
                String name = kind + "/" + f.getFileName();
                variants.add(new Variant(name + " explicit", Files.readAllBytes(f)));
                variants.add(new Variant(name + " implicit", implicit(f)));
                variants.add(new Variant(name + " encapsulated", encapsulated(f)));
            }
        }
    }

    /** PixelMed's own rewrite of the file in implicit VR little endian. */
    static byte[] implicit(Path f) throws Exception {
        AttributeList l = new AttributeList();
        l.read(f.toFile());
        FileMetaInformation.addFileMetaInformation(l, TransferSyntax.ImplicitVRLittleEndian, "MEDLAKE");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        l.write(out, TransferSyntax.ImplicitVRLittleEndian, true, true);
        return out.toByteArray();
    }

    /** The header under an RLE transfer syntax (explicit VR LE) followed by encapsulated Pixel Data fragments. */
    static byte[] encapsulated(Path f) throws Exception {
        AttributeList l = new AttributeList();
        l.read(f.toFile());
        l.remove(TagFromName.PixelData);
        FileMetaInformation.addFileMetaInformation(l, TransferSyntax.RLE, "MEDLAKE");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        l.write(out, TransferSyntax.ExplicitVRLittleEndian, true, true);
        return DicomBytes.concat(out.toByteArray(), DicomBytes.encapsulatedPixelData(new byte[64], new byte[1000]));
    }

    @Test
    void everySyntheticFileTakesTheFastPathAndMatchesPixelMed() {
        assertThat(variants).hasSize(3 * (2 + 2 + 2 * 2));
        SoftAssertions soft = new SoftAssertions();
        for (Variant v : variants) {
            InstanceHeader fast = FastHeaderParser.parse(v.bytes(), v.bytes().length);
            InstanceHeader pixelMed = DicomReader.readWithPixelMed(v.bytes(), v.name());
            soft.assertThat(fast).as("%s takes the fast path", v.name()).isNotNull();
            if (fast != null) {
                soft.assertThat(fast.toColumns()).as("%s columns", v.name()).isEqualTo(pixelMed.toColumns());
                soft.assertThat(fast.headerJson()).as("%s header JSON", v.name()).isEqualTo(pixelMed.headerJson());
                soft.assertThat(fast).as(v.name()).isEqualTo(pixelMed);
            }
        }
        soft.assertAll();
    }

    /**
     * Random byte changes in the header (fixed seed): whatever the damage, the fast path either declines or agrees with
     * PixelMed, and DicomReader gives PixelMed's outcome.
     */
    @Test
    void damagedFilesAreDeclinedOrReadAlike() {
        java.util.Random random = new java.util.Random(20261125);
        int fast = 0;
        SoftAssertions soft = new SoftAssertions();
        for (int i = 0; i < 800; i++) {
            Variant v = variants.get(random.nextInt(variants.size()));
            byte[] b = v.bytes().clone();
            int headerEnd = Math.min(b.length, 1600);
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                int pos = 132 + random.nextInt(headerEnd - 132);
                b[pos] = random.nextBoolean() ? (byte) random.nextInt(256) : (byte) (b[pos] ^ 1 << random.nextInt(8));
            }
            Object pixelMed = FastParseEdgeCaseTest.outcome(() -> DicomReader.readWithPixelMed(b, v.name()));
            InstanceHeader header = FastHeaderParser.parse(b, b.length);
            if (header != null) {
                fast++;
                soft.assertThat((Object) header).as("damaged %s (%d)", v.name(), i).isEqualTo(pixelMed);
            }
            soft.assertThat(FastParseEdgeCaseTest.outcome(() -> DicomReader.read(b))).as("damaged %s (%d)", v.name(), i)
                    .isEqualTo(pixelMed);
        }
        soft.assertAll();
        assertThat(fast).as("damaged files still on the fast path (changed values)").isGreaterThan(50);
    }

    @Test
    void everyPublicOverloadTakesTheFastPath() throws Exception {
        Variant v = variants.get(0);
        Path f = dir.resolve("one.dcm");
        Files.write(f, v.bytes());
        InstanceHeader expected = DicomReader.readWithPixelMed(v.bytes(), v.name());
        List<java.util.function.Supplier<InstanceHeader>> reads = List.of(
                () -> DicomReader.read(f),
                () -> DicomReader.read(v.bytes()),
                () -> DicomReader.read(v.bytes(), v.bytes().length, "uri"),
                () -> DicomReader.read(new ByteArrayInputStream(v.bytes()), v.bytes().length, "uri"),
                () -> DicomReader.read(new ByteArrayInputStream(v.bytes()), "uri"));
        for (int i = 0; i < reads.size(); i++) {
            long before = DicomReader.FAST_PATH_READS.sum();
            assertThat(reads.get(i).get()).as("overload %d", i).isEqualTo(expected);
            assertThat(DicomReader.FAST_PATH_READS.sum()).as("overload %d took the fast path", i).isEqualTo(before + 1);
        }
    }
}
