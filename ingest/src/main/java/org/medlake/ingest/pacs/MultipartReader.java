package org.medlake.ingest.pacs;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Streaming reader of a {@code multipart/related} body (RFC 2046 / PS3.18): parts are copied to an output
 * stream as they arrive, never held in memory. Delimiters are found with a streaming KMP matcher, so part
 * bodies may contain any bytes.
 */
final class MultipartReader {

    private final InputStream in;
    private final byte[] delimiter;
    private final int[] fail;
    private boolean started;
    private boolean finished;

    /**
     * @param body the response body (buffered by this reader)
     * @param boundary the boundary from the Content-Type header, without quotes
     */
    MultipartReader(InputStream body, String boundary) {
        // A CRLF is prepended so that a delimiter at the very start matches "\r\n--boundary" like every other.
        this.in = new java.io.BufferedInputStream(new SequenceInputStream(
                new ByteArrayInputStream(new byte[] {'\r', '\n'}), body), 65536);
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.fail = new int[delimiter.length];
        for (int i = 1, k = 0; i < delimiter.length; i++) {
            while (k > 0 && delimiter[i] != delimiter[k]) {
                k = fail[k - 1];
            }
            if (delimiter[i] == delimiter[k]) {
                k++;
            }
            fail[i] = k;
        }
    }

    /**
     * Returns the boundary parameter of a {@code multipart/...} Content-Type, if any.
     *
     * @param contentType e.g. {@code multipart/related; type="application/dicom"; boundary=abc}
     */
    static Optional<String> boundary(String contentType) {
        if (contentType == null || !contentType.trim().toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            return Optional.empty();
        }
        for (String param : contentType.split(";")) {
            String p = param.trim();
            int eq = p.indexOf('=');
            if (eq > 0 && p.substring(0, eq).trim().equalsIgnoreCase("boundary")) {
                String v = p.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = v.substring(1, v.length() - 1);
                }
                return v.isEmpty() ? Optional.empty() : Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /**
     * Copies the next part's body to {@code out}.
     *
     * @return the part's headers (names lower-cased), or empty when there are no more parts
     * @throws IOException on read/write failure, or when the body ends before the closing delimiter
     */
    Optional<Map<String, String>> nextPart(OutputStream out) throws IOException {
        if (finished) {
            return Optional.empty();
        }
        if (!started) {
            started = true;
            if (!copyUntilDelimiter(OutputStream.nullOutputStream())) {
                throw new IOException("the multipart body has no delimiter --" + boundaryText());
            }
            if (afterDelimiterIsEnd()) {
                finished = true;
                return Optional.empty();
            }
        }
        Map<String, String> headers = readHeaders();
        if (!copyUntilDelimiter(out)) {
            throw new IOException("the multipart body ended inside a part, before the delimiter --" + boundaryText()
                    + " (connection closed early?)");
        }
        if (afterDelimiterIsEnd()) {
            finished = true;
        }
        return Optional.of(headers);
    }

    private String boundaryText() {
        return new String(delimiter, 4, delimiter.length - 4, StandardCharsets.ISO_8859_1);
    }

    /** After a delimiter: "--" closes the body; otherwise skip transport padding up to CRLF. */
    private boolean afterDelimiterIsEnd() throws IOException {
        int a = in.read();
        if (a == '-') {
            int b = in.read();
            if (b == '-') {
                return true;
            }
            throw new IOException("malformed multipart delimiter line");
        }
        int c = a;
        while (c == ' ' || c == '\t') {
            c = in.read();
        }
        if (c == '\r') {
            c = in.read();
        }
        if (c != '\n') {
            throw new IOException(c < 0 ? "the multipart body ended after a delimiter" : "malformed multipart delimiter line");
        }
        return false;
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                throw new IOException("the multipart body ended inside part headers");
            }
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] b = line.toByteArray();
                int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return new String(b, 0, n, StandardCharsets.ISO_8859_1);
            }
            if (line.size() > 16384) {
                throw new IOException("a multipart header line is longer than 16 KiB");
            }
            line.write(c);
        }
        return null;
    }

    /** Copies bytes to {@code out} until the delimiter (consumed, not copied); false at end of stream. */
    private boolean copyUntilDelimiter(OutputStream out) throws IOException {
        int j = 0;
        int b;
        while ((b = in.read()) >= 0) {
            while (j > 0 && b != (delimiter[j] & 0xff)) {
                int k = fail[j - 1];
                out.write(delimiter, 0, j - k);
                j = k;
            }
            if (b == (delimiter[j] & 0xff)) {
                j++;
                if (j == delimiter.length) {
                    return true;
                }
            } else {
                out.write(b);
            }
        }
        out.write(delimiter, 0, j);
        return false;
    }
}
