package org.medlake.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.medlake.lake.LakeObjects.ObjectRef;
import org.medlake.lake.LakeObjects.PackEntry;

/** Packs: {@link PackWriter} writes them, {@link LakeObjects} reads them and the older one-file objects. */
class PackWriterTest {
    @TempDir
    Path dir;

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(Random random, int length) {
        byte[] b = new byte[length];
        random.nextBytes(b);
        return b;
    }

    @Test
    void manyObjectsRoundTripThroughTwoWriters() throws IOException {
        LakeLayout lake = LakeLayout.at(dir);
        LakeObjects objects = new LakeObjects(lake);
        Random random = new Random(7);
        Map<String, byte[]> stored = new LinkedHashMap<>();
        try (PackWriter a = PackWriter.create(lake, "run1-0"); PackWriter b = PackWriter.create(lake, "run1-1")) {
            for (int i = 0; i < 500; i++) {
                // mostly small objects, some larger than the buffer, one empty
                int length = i == 3 ? 0 : i % 97 == 0 ? PackWriter.BUFFER_BYTES + 17 : random.nextInt(5000);
                byte[] content = bytes(random, length + 2);
                PackWriter w = i % 2 == 0 ? a : b;
                String location = w.append(content, 1, length, sha256(java.util.Arrays.copyOfRange(content, 1, length + 1)));
                stored.put(location, java.util.Arrays.copyOfRange(content, 1, length + 1));
            }
            a.flush();
            assertThat(a.size()).isEqualTo(Files.size(lake.pack("run1-0")));
        }
        assertThat(stored).hasSize(500);
        for (Map.Entry<String, byte[]> e : stored.entrySet()) {
            assertThat(e.getKey()).matches("objects/packs/run1-[01]\\.pack@(0|[1-9][0-9]*)\\+(0|[1-9][0-9]*)");
            assertThat(e.getKey()).doesNotContain(":");
            assertThat(LakeObjects.isPacked(e.getKey())).isTrue();
            assertThat(objects.readAllBytes(e.getKey())).isEqualTo(e.getValue());
            try (InputStream in = objects.open(e.getKey())) {
                assertThat(in.readAllBytes()).isEqualTo(e.getValue());
            }
        }
        assertThat(lake.packs()).isEqualTo(dir.resolve("objects/packs"));
        assertThat(Files.size(lake.pack("run1-0")) + Files.size(lake.pack("run1-1")))
                .isEqualTo(stored.values().stream().mapToLong(v -> v.length).sum());
    }

    @Test
    void theIndexHasOneLinePerObjectWrittenOnFlush() throws IOException {
        LakeLayout lake = LakeLayout.at(dir);
        byte[] one = "first object".getBytes(StandardCharsets.US_ASCII);
        byte[] two = "second".getBytes(StandardCharsets.US_ASCII);
        try (PackWriter w = PackWriter.create(lake, "r-0")) {
            assertThat(w.append(one, 0, one.length, sha256(one))).isEqualTo("objects/packs/r-0.pack@0+12");
            assertThat(w.append(two, 0, two.length, sha256(two))).isEqualTo("objects/packs/r-0.pack@12+6");
            // buffered: neither the bytes nor the index lines are written yet
            assertThat(lake.pack("r-0")).isEmptyFile();
            assertThat(lake.packIndex("r-0")).isEmptyFile();
            w.flush();
            assertThat(Files.readString(lake.packIndex("r-0"))).isEqualTo(sha256(one) + " 0 12\n" + sha256(two) + " 12 6\n");
            w.flush(); // nothing new: nothing written
        }
        assertThat(new LakeObjects(lake).packIndex("r-0")).containsExactly(
                new PackEntry(sha256(one), 0, 12), new PackEntry(sha256(two), 12, 6));
        assertThat(Files.readAllBytes(lake.pack("r-0"))).isEqualTo("first objectsecond".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aTornLastIndexLineIsIgnoredAndADamagedOneIsNot() throws IOException {
        LakeLayout lake = LakeLayout.at(dir);
        byte[] one = "x".getBytes(StandardCharsets.US_ASCII);
        try (PackWriter w = PackWriter.create(lake, "r-0")) {
            w.append(one, 0, 1, sha256(one));
        }
        // a writer killed while writing its next line
        Files.writeString(lake.packIndex("r-0"), sha256(one).substring(0, 20), StandardOpenOption.APPEND);
        LakeObjects objects = new LakeObjects(lake);
        assertThat(objects.packIndex("r-0")).containsExactly(new PackEntry(sha256(one), 0, 1));
        Files.writeString(lake.packIndex("r-0"), " 1 2\n", StandardOpenOption.APPEND);
        assertThatThrownBy(() -> objects.packIndex("r-0")).isInstanceOf(IOException.class)
                .hasMessageContaining("damaged").hasMessageContaining("line 2");
        assertThatThrownBy(() -> objects.packIndex("absent")).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void regionsBeyondThePacksEndAreDamage() throws IOException {
        LakeLayout lake = LakeLayout.at(dir);
        byte[] ten = "0123456789".getBytes(StandardCharsets.US_ASCII);
        String location;
        try (PackWriter w = PackWriter.create(lake, "p")) {
            location = w.append(ten, 0, 10, sha256(ten));
        }
        LakeObjects objects = new LakeObjects(lake);
        assertThat(objects.locate(location)).isEqualTo(new ObjectRef(lake.pack("p"), 0, 10));
        assertThat(objects.readAllBytes("objects/packs/p.pack@3+7")).isEqualTo("3456789".getBytes(StandardCharsets.US_ASCII));
        assertThat(objects.readAllBytes("objects/packs/p.pack@10+0")).isEmpty();
        for (String beyond : List.of("objects/packs/p.pack@3+8", "objects/packs/p.pack@11+0",
                "objects/packs/p.pack@999999999999999999+999999999999999999")) {
            assertThatThrownBy(() -> objects.locate(beyond)).as(beyond).isInstanceOf(IOException.class)
                    .hasMessageContaining("object store is damaged").hasMessageContaining("holds only 10 bytes")
                    .hasMessageContaining("Restore the pack");
        }
        try (RandomAccessFile f = new RandomAccessFile(lake.pack("p").toFile(), "rw")) {
            f.setLength(5); // truncated outside medlake
        }
        assertThatThrownBy(() -> objects.readAllBytes(location)).hasMessageContaining("damaged");
        assertThatThrownBy(() -> objects.locate("objects/packs/other.pack@0+1")).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("missing");
    }

    @Test
    void malformedPackedLocationsAreRejected() {
        LakeObjects objects = new LakeObjects(LakeLayout.at(dir));
        for (String bad : List.of("objects/packs/p.pack", "objects/packs/p.pack@1", "objects/packs/p.pack@1+",
                "objects/packs/p.pack@+1", "objects/packs/p.pack@-1+2", "objects/packs/p.pack@1+-2",
                "objects/packs/p.pack@01+2", "objects/packs/p.pack@1+02", "objects/packs/p.pack@1 +2",
                "objects/packs/p.idx@0+1", "objects/packs/.pack@0+1", "objects/packs/a/b.pack@0+1",
                "objects/packs/../x.pack@0+1", "objects/packs/p q.pack@0+1", "objects/packs/p.pack@1e3+2",
                "objects/packs/p.pack@1234567890123456789+1", "objects/packs/p.pack@0+1/",
                "objects/packs/" + "n".repeat(201) + ".pack@0+1")) {
            assertThat(LakeObjects.isPacked(bad)).as(bad).isTrue();
            assertThatThrownBy(() -> objects.locate(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("malformed packed location");
        }
    }

    @Test
    void escapesAndForeignUrisAreRejected() {
        LakeObjects objects = new LakeObjects(LakeLayout.at(dir.resolve("lake")));
        assertThatThrownBy(() -> objects.locate("../secret")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("escapes");
        assertThatThrownBy(() -> objects.locate("objects/sha256/../../../secret")).hasMessageContaining("escapes");
        // a path that leads into the packs by a detour is still no whole file
        assertThatThrownBy(() -> objects.locate("objects/sha256/../packs/p.pack@0+1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("region of a pack");
        assertThatThrownBy(() -> objects.locate("s3a://bucket/x.dcm")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a local file");
        assertThat(LakeObjects.isPacked("s3a://bucket/objects/packs/p.pack@0+1")).isFalse();
    }

    @Test
    void oneFileObjectsOfOlderLakesAndInPlaceFilesAreWholeFiles() throws IOException {
        LakeLayout lake = LakeLayout.at(dir.resolve("lake"));
        LakeObjects objects = new LakeObjects(lake);
        byte[] content = "DICM old object".getBytes(StandardCharsets.US_ASCII);
        String key = LakeLayout.objectKey(sha256(content));
        Path file = lake.resolve(key);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        assertThat(LakeObjects.isPacked(key)).isFalse();
        assertThat(objects.locate(key)).isEqualTo(new ObjectRef(file, 0, content.length));
        assertThat(objects.readAllBytes(key)).isEqualTo(content);
        try (InputStream in = objects.open(key)) {
            assertThat(in.read()).isEqualTo('D');
            assertThat(in.skip(4)).isEqualTo(4);
            assertThat(in.readAllBytes()).isEqualTo("old object".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.read()).isEqualTo(-1);
        }
        Path inPlace = Files.write(dir.resolve("pacs.dcm"), content);
        assertThat(objects.readAllBytes(inPlace.toUri().toString())).isEqualTo(content);
        assertThatThrownBy(() -> objects.locate(LakeLayout.objectKey(sha256(new byte[1]))))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("missing from the lake");
    }

    @Test
    void writerValidatesItsInputAndRefusesExistingPacks() throws IOException {
        LakeLayout lake = LakeLayout.at(dir);
        byte[] b = new byte[4];
        List<String> names = new ArrayList<>(List.of("a/b", "", "x:y", "a@b", "a b"));
        for (String name : names) {
            assertThatThrownBy(() -> PackWriter.create(lake, name)).as(name).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("not a pack name");
        }
        try (PackWriter w = PackWriter.create(lake, "w")) {
            assertThat(w.name()).isEqualTo("w");
            assertThatThrownBy(() -> w.append(b, 0, 4, "ABCD".repeat(16))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.append(b, 0, 4, "ab")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.append(b, 0, 4, null)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.append(b, 2, 3, sha256(b))).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(w.size()).isZero();
            assertThatThrownBy(() -> PackWriter.create(lake, "w")).isInstanceOf(FileAlreadyExistsException.class);
            w.close();
            w.close();
            assertThatThrownBy(() -> w.append(b, 0, 4, sha256(b))).isInstanceOf(IllegalStateException.class);
        }
        assertThat(LakeObjects.packedLocation("w", 5, 7)).isEqualTo("objects/packs/w.pack@5+7");
    }
}
