package org.medlake.ingest.source;

import java.io.IOException;
import java.io.InputStream;

/** Receives the entries of a source file one at a time. */
@FunctionalInterface
public interface EntryVisitor {
    /**
     * Called once per entry.
     *
     * @param entryUri the entry's source URI: the file's URI, or {@code <archive URI>!/<member path>} for a member
     *     of a zip or tar archive
     * @param in the entry's bytes; valid only during the call, and not to be closed by the visitor
     * @param size the entry's size in bytes, or -1 when the container does not say
     * @param inPlaceUri the URI under which the entry can be registered without copying, or {@code null} when it
     *     lives inside an archive or a gzip wrapper and so must be copied into the lake
     */
    void visit(String entryUri, InputStream in, long size, String inPlaceUri) throws IOException;
}
