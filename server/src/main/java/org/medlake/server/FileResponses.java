package org.medlake.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.eclipse.jetty.io.EofException;
import org.medlake.lake.LakeObjects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a lake file, or a region of one (an object in a pack), as the response body, honouring HTTP range requests
 * (RFC 9110 section 14). A region is the whole representation: positions and lengths below are within it.
 *
 * <ul>
 *   <li>Every response carries {@code Accept-Ranges: bytes} and {@code ETag: "<sha256>"} (a strong validator: the
 *       bytes are content-addressed).</li>
 *   <li>An {@code If-None-Match} that lists the ETag (or {@code *}): 304 without a body.</li>
 *   <li>No {@code Range}, a {@code Range} with another unit or an invalid syntax, or an {@code If-Range} that does not
 *       match the ETag (a date never matches): 200 with the whole file.</li>
 *   <li>Satisfiable ranges ({@code a-b}, {@code a-}, suffix {@code -n}; ranges past the end are clipped, unsatisfiable
 *       ones dropped) are sorted and coalesced when they overlap or touch. One range: 206 with {@code Content-Range}.
 *       Several: 206 {@code multipart/byteranges}, one part per range with its own {@code Content-Type} and
 *       {@code Content-Range}. More than {@value #MAX_RANGES} ranges after coalescing: 200 with the whole file
 *       (RFC 9110 allows ignoring such requests).</li>
 *   <li>None satisfiable (every first byte at or past the end, a zero suffix, or an empty file): 416 problem with
 *       {@code Content-Range: bytes *}{@code /<length>}.</li>
 * </ul>
 */
final class FileResponses {
    private FileResponses() {}

    /** Whether an If-None-Match header lists {@code etag} (or is {@code *}); weak comparison, as RFC 9110 asks. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** Most ranges served as multipart/byteranges. */
    static final int MAX_RANGES = 32;
    static final String BOUNDARY = "medlake-byteranges-7d1f0c2a";
    private static final Logger LOG = LoggerFactory.getLogger(FileResponses.class);

    /** An inclusive byte range. */
    record ByteRange(long first, long last) {
        long length() {
            return last - first + 1;
        }
    }

    /**
     * Streams {@code file} (which must exist) with status 200 or 206, or throws a 416 {@link ApiException}.
     *
     * @param sha256 the file's SHA-256, used as its ETag (null: no ETag, and {@code If-Range} never matches)
     */
    static void send(Context ctx, Path file, String contentType, String sha256) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            send(ctx, ch, 0, ch.size(), file, contentType, sha256);
        }
    }

    /**
     * Streams the region {@code object} (e.g. one object of a pack) as if it were a file of its own: status, ranges,
     * {@code Content-Range} and 416 all refer to positions within the region, never to the rest of the file.
     *
     * @param sha256 the region's SHA-256, used as its ETag (null: no ETag, and {@code If-Range} never matches)
     * @throws IOException also if the file no longer holds the whole region
     */
    static void send(Context ctx, LakeObjects.ObjectRef object, String contentType, String sha256) throws IOException {
        try (FileChannel ch = FileChannel.open(object.file(), StandardOpenOption.READ)) {
            if (ch.size() < object.offset() + object.length()) {
                throw new IOException(object.file() + " holds " + ch.size() + " bytes, fewer than the region "
                        + object.offset() + "+" + object.length() + " it is to send");
            }
            send(ctx, ch, object.offset(), object.length(), object.file(), contentType, sha256);
        }
    }

    /** Sends {@code size} bytes of {@code ch} from {@code base} as the representation. */
    private static void send(Context ctx, FileChannel ch, long base, long size, Path file, String contentType,
                             String sha256) throws IOException {
        String etag = sha256 == null ? null : "\"" + sha256 + "\"";
        ctx.header("Accept-Ranges", "bytes");
        if (etag != null) {
            ctx.header("ETag", etag);
        }
        if (etag != null && matches(ctx.header("If-None-Match"), etag)) {
            // The client's copy is current (RFC 9110 section 13.1.2): no body.
            ctx.status(304);
            return;
        }
        Optional<List<ByteRange>> ranges = Optional.empty();
        String range = ctx.header("Range");
        String ifRange = ctx.header("If-Range");
        if (range != null && (ifRange == null || (etag != null && ifRange.strip().equals(etag)))) {
            ranges = parse(range, size);
        }
        if (ranges.isPresent() && ranges.get().isEmpty()) {
            ctx.header("Content-Range", "bytes */" + size);
            throw new ApiException(ApiException.ErrorCode.USER_ERROR, 416, "The Range '" + range + "' cannot be "
                    + "satisfied: the file has " + size + " bytes (valid byte positions 0.." + (size - 1) + "). Ask for "
                    + "bytes within the file, e.g. 'Range: bytes=0-1023', or omit Range for the whole file.");
        }
        OutputStream out = ctx.res().getOutputStream();
        try {
            if (ranges.isEmpty() || ranges.get().size() > MAX_RANGES) {
                ctx.status(200);
                ctx.contentType(contentType);
                ctx.res().setContentLengthLong(size);
                copy(ch, base, size, out);
            } else if (ranges.get().size() == 1) {
                ByteRange r = ranges.get().get(0);
                ctx.status(206);
                ctx.contentType(contentType);
                ctx.header("Content-Range", "bytes " + r.first() + "-" + r.last() + "/" + size);
                ctx.res().setContentLengthLong(r.length());
                copy(ch, base + r.first(), r.length(), out);
            } else {
                ctx.status(206);
                ctx.contentType("multipart/byteranges; boundary=" + BOUNDARY);
                List<byte[]> heads = new ArrayList<>();
                long length = 0;
                for (ByteRange r : ranges.get()) {
                    byte[] head = ("\r\n--" + BOUNDARY + "\r\nContent-Type: " + contentType + "\r\nContent-Range: bytes "
                            + r.first() + "-" + r.last() + "/" + size + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                    heads.add(head);
                    length += head.length + r.length();
                }
                byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
                ctx.res().setContentLengthLong(length + tail.length);
                for (int i = 0; i < heads.size(); i++) {
                    out.write(heads.get(i));
                    copy(ch, base + ranges.get().get(i).first(), ranges.get().get(i).length(), out);
                }
                out.write(tail);
            }
            out.flush();
        } catch (EofException e) {
            LOG.debug("client went away while downloading {}", file.getFileName());
        }
    }

    private static void copy(FileChannel ch, long from, long count, OutputStream out) throws IOException {
        var target = Channels.newChannel(out);
        long done = 0;
        while (done < count) {
            long n = ch.transferTo(from + done, count - done, target);
            if (n <= 0) {
                throw new IOException("file shrank while being sent");
            }
            done += n;
        }
    }

    /**
     * Parses a {@code Range} header for a representation of {@code size} bytes.
     *
     * @return empty when the header is to be ignored (other unit, invalid syntax); else the satisfiable ranges,
     *         sorted and coalesced (an empty list = unsatisfiable, answer 416)
     */
    static Optional<List<ByteRange>> parse(String header, long size) {
        String h = header.strip();
        int eq = h.indexOf('=');
        if (eq < 0 || !h.substring(0, eq).strip().toLowerCase(Locale.ROOT).equals("bytes")) {
            return Optional.empty();
        }
        List<ByteRange> ranges = new ArrayList<>();
        boolean any = false;
        for (String spec : h.substring(eq + 1).split(",", -1)) {
            String s = spec.strip();
            if (s.isEmpty()) {
                continue; // RFC 9110 allows empty list elements
            }
            any = true;
            int dash = s.indexOf('-');
            if (dash < 0) {
                return Optional.empty();
            }
            String a = s.substring(0, dash).strip();
            String b = s.substring(dash + 1).strip();
            try {
                if (a.isEmpty()) {
                    if (!digits(b)) {
                        return Optional.empty();
                    }
                    long suffix = parseClamped(b);
                    if (suffix > 0 && size > 0) {
                        ranges.add(new ByteRange(Math.max(0, size - suffix), size - 1));
                    }
                } else {
                    if (!digits(a) || !(b.isEmpty() || digits(b))) {
                        return Optional.empty();
                    }
                    long first = parseClamped(a);
                    long last = b.isEmpty() ? Long.MAX_VALUE : parseClamped(b);
                    if (last < first) {
                        return Optional.empty(); // invalid range-spec: the whole header is ignored
                    }
                    if (first < size) {
                        ranges.add(new ByteRange(first, Math.min(last, size - 1)));
                    }
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        if (!any) {
            return Optional.empty();
        }
        ranges.sort(Comparator.comparingLong(ByteRange::first));
        List<ByteRange> merged = new ArrayList<>();
        for (ByteRange r : ranges) {
            ByteRange last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && r.first() <= last.last() + 1) {
                merged.set(merged.size() - 1, new ByteRange(last.first(), Math.max(last.last(), r.last())));
            } else {
                merged.add(r);
            }
        }
        return Optional.of(merged);
    }

    private static boolean digits(String s) {
        return !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** A non-negative decimal; values beyond a long are clamped (they are past any file's end anyway). */
    private static long parseClamped(String s) {
        return s.length() > 18 ? Long.MAX_VALUE : Long.parseLong(s);
    }
}
