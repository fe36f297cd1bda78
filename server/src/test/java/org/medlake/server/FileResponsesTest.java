package org.medlake.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.medlake.server.FileResponses.ByteRange;

/** Range header parsing per RFC 9110 section 14. */
class FileResponsesTest {
    private static Optional<List<ByteRange>> parse(String header) {
        return FileResponses.parse(header, 100);
    }

    @Test
    void satisfiableRanges() {
        assertThat(parse("bytes=0-9")).hasValue(List.of(new ByteRange(0, 9)));
        assertThat(parse("bytes=95-")).hasValue(List.of(new ByteRange(95, 99)));
        assertThat(parse("bytes=-5")).hasValue(List.of(new ByteRange(95, 99)));
        assertThat(parse("bytes=-500")).hasValue(List.of(new ByteRange(0, 99)));
        assertThat(parse("bytes=90-99999999999999999999999")).hasValue(List.of(new ByteRange(90, 99)));
        assertThat(parse("Bytes = 1-2 , ,4-5")).hasValue(List.of(new ByteRange(1, 2), new ByteRange(4, 5)));
    }

    @Test
    void rangesAreSortedAndCoalesced() {
        assertThat(parse("bytes=50-60,0-10,5-20,21-22")).hasValue(List.of(new ByteRange(0, 22), new ByteRange(50, 60)));
        assertThat(parse("bytes=-10,0-1")).hasValue(List.of(new ByteRange(0, 1), new ByteRange(90, 99)));
    }

    @Test
    void unsatisfiableIsAnEmptyList() {
        assertThat(parse("bytes=100-")).hasValue(List.of());
        assertThat(parse("bytes=-0")).hasValue(List.of());
        assertThat(parse("bytes=100-200,300-")).hasValue(List.of());
        assertThat(FileResponses.parse("bytes=-5", 0)).hasValue(List.of());
        assertThat(FileResponses.parse("bytes=0-", 0)).hasValue(List.of());
        assertThat(parse("bytes=200-300,5-6")).hasValue(List.of(new ByteRange(5, 6)));
    }

    @Test
    void invalidOrForeignHeadersAreIgnored() {
        for (String h : List.of("bytes=abc", "bytes=9-3", "bytes=1-2,x", "bytes=", "bytes=--5", "bytes=-", "items=0-3",
                "0-3", "bytes=+1-2", "bytes=1-+2", "bytes=0x1-2")) {
            assertThat(parse(h)).as(h).isEmpty();
        }
    }

    @Test
    void ifNoneMatchComparesEntityTagsWeakly() {
        String etag = "\"abc\"";
        assertThat(FileResponses.matches(null, etag)).isFalse();
        assertThat(FileResponses.matches("\"abc\"", etag)).isTrue();
        assertThat(FileResponses.matches("\"x\", W/\"abc\"", etag)).isTrue();
        assertThat(FileResponses.matches("*", etag)).isTrue();
        assertThat(FileResponses.matches("\"abcd\", abc", etag)).isFalse();
    }
}
