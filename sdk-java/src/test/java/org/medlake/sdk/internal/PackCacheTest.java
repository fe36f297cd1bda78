package org.medlake.sdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackCacheTest {
    @TempDir
    Path dir;

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private List<Path> files(String glob) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches(glob)).toList();
        }
    }

    @Test
    void entriesAreReadBackVerifiedAndSeenByTheNextInstance() throws Exception {
        byte[] a = bytes("first file");
        byte[] b = bytes("second file, longer");
        try (PackCache c = new PackCache(dir)) {
            assertThat(c.get(sha(a))).isNull();
            c.put(sha(a), a);
            c.put(sha(b), b);
            assertThat(c.get(sha(a))).isEqualTo(a);
            assertThat(c.get(sha(b))).isEqualTo(b);
        }
        assertThat(files("pack-.*\\.dat")).hasSize(1);
        assertThat(Files.size(files("pack-.*\\.dat").get(0))).isEqualTo(a.length + b.length);
        try (PackCache again = new PackCache(dir)) {
            assertThat(again.get(sha(b))).isEqualTo(b);
            byte[] c3 = bytes("third");
            again.put(sha(c3), c3); // a second writer gets its own pack
        }
        assertThat(files("pack-.*\\.dat")).hasSize(2);
        try (PackCache third = new PackCache(dir)) {
            assertThat(third.get(sha(bytes("third")))).isEqualTo(bytes("third"));
            assertThat(third.get(sha(a))).isEqualTo(a);
        }
    }

    @Test
    void aDamagedEntryIsAbsentAndAFreshCopyReplacesIt() throws Exception {
        byte[] a = bytes("precious bytes");
        try (PackCache c = new PackCache(dir)) {
            c.put(sha(a), a);
        }
        Path pack = files("pack-.*\\.dat").get(0);
        Files.write(pack, bytes("garbage!garbage"), StandardOpenOption.TRUNCATE_EXISTING);
        try (PackCache c = new PackCache(dir)) {
            assertThat(c.contains(sha(a))).isTrue();
            assertThat(c.get(sha(a))).isNull();
            assertThat(c.contains(sha(a))).isFalse();
            c.put(sha(a), a);
            assertThat(c.get(sha(a))).isEqualTo(a);
        }
        try (PackCache c = new PackCache(dir)) {
            assertThat(c.get(sha(a))).as("the later line of the index wins").isEqualTo(a);
        }
    }

    @Test
    void aTornIndexLineOrAShortPackIsIgnored() throws Exception {
        byte[] a = bytes("kept");
        byte[] b = bytes("lost in the crash");
        try (PackCache c = new PackCache(dir)) {
            c.put(sha(a), a);
            c.put(sha(b), b);
        }
        Path idx = files("pack-.*\\.idx").get(0);
        String lines = Files.readString(idx);
        Files.writeString(idx, lines.substring(0, lines.length() - 5)); // the writer died inside its last line
        try (PackCache c = new PackCache(dir)) {
            assertThat(c.get(sha(a))).isEqualTo(a);
            assertThat(c.contains(sha(b))).isFalse();
        }
        Path pack = files("pack-.*\\.dat").get(0);
        Files.writeString(idx, lines);
        byte[] all = Files.readAllBytes(pack);
        Files.write(pack, java.util.Arrays.copyOf(all, a.length + 3)); // the data of the last entry never reached disk
        try (PackCache c = new PackCache(dir)) {
            assertThat(c.get(sha(a))).isEqualTo(a);
            assertThat(c.contains(sha(b))).isFalse();
        }
    }

    @Test
    void aMissingFolderIsAnEmptyCacheCreatedOnFirstPut() throws Exception {
        Path sub = dir.resolve("not/yet");
        try (PackCache c = new PackCache(sub)) {
            assertThat(c.get(sha(bytes("x")))).isNull();
            c.put(sha(bytes("x")), bytes("x"));
            assertThat(c.get(sha(bytes("x")))).isEqualTo(bytes("x"));
        }
        assertThat(sub).isDirectory();
    }
}
