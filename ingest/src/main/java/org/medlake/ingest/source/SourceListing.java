package org.medlake.ingest.source;

import java.io.File;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;

/** Turns source arguments (plain paths or Hadoop file system URIs, files or folders) into the files under them. */
public final class SourceListing {
    private SourceListing() {}

    /**
     * Lists every file under the sources (recursively), as URIs, without duplicates, in a stable order.
     * A plain path (no scheme) means a local file or folder.
     */
    public static List<String> listFiles(Configuration conf, List<String> sources) {
        Set<String> files = new LinkedHashSet<>();
        for (String source : sources) {
            URI uri = toUri(source);
            if ("file".equals(uri.getScheme())) {
                files.addAll(listLocal(source, java.nio.file.Path.of(uri)));
                continue;
            }
            org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
            try {
                FileSystem fs = path.getFileSystem(conf);
                if (!fs.exists(path)) {
                    throw new IngestException(ErrorCode.INGEST_SOURCE_NOT_FOUND, "Source " + source
                            + " does not exist (looked for " + uri + "). Fix: check the path; plain paths are local.");
                }
                List<String> found = new ArrayList<>();
                RemoteIterator<LocatedFileStatus> it = fs.listFiles(path, true);
                while (it.hasNext()) {
                    LocatedFileStatus s = it.next();
                    if (s.isFile()) {
                        found.add(s.getPath().toUri().toString());
                    }
                }
                found.sort(null);
                files.addAll(found);
            } catch (FileNotFoundException e) {
                throw new IngestException(ErrorCode.INGEST_SOURCE_NOT_FOUND, "Source " + source + " does not exist: "
                        + e.getMessage() + ". Fix: check the path.", e);
            } catch (IOException e) {
                throw new IngestException(ErrorCode.INGEST_EXTERNAL, "Cannot list source " + source + ": " + e
                        + ". Fix: check permissions and that the file system is reachable.", e);
            }
        }
        return new ArrayList<>(files);
    }

    /**
     * Whether every source is a local file or folder (a plain path or a {@code file:} URI) that exists; PACS and
     * other file systems are listed with {@link #listFiles}.
     */
    public static boolean allLocal(List<String> sources) {
        for (String s : sources) {
            if (s.startsWith("dicomweb+") || s.startsWith("dimse:")) {
                return false;
            }
            URI u = toUri(s);
            if (!"file".equals(u.getScheme()) || !Files.exists(java.nio.file.Path.of(u))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Lists local sources (see {@link #allLocal}) in batches as they are found, each file once: walk order within a
     * folder, not sorted, so the consumer can start before the walk ends. The same walk as {@link #listFiles} makes
     * for local sources.
     */
    public static void streamLocal(List<String> sources, java.util.function.Consumer<List<String>> batches) {
        Set<String> seen = new java.util.HashSet<>();
        for (String source : sources) {
            java.nio.file.Path path = java.nio.file.Path.of(toUri(source));
            List<String> batch = new ArrayList<>();
            try {
                Files.walkFileTree(path.toRealPath(), new java.nio.file.SimpleFileVisitor<>() {
                    @Override
                    public java.nio.file.FileVisitResult visitFile(java.nio.file.Path f,
                                                                  java.nio.file.attribute.BasicFileAttributes attrs) {
                        if (attrs.isRegularFile() || (attrs.isSymbolicLink() && Files.isRegularFile(f))) {
                            String uri = fileUri(f);
                            if (seen.add(uri)) {
                                batch.add(uri);
                                if (batch.size() >= 256) {
                                    batches.accept(new ArrayList<>(batch));
                                    batch.clear();
                                }
                            }
                        }
                        return java.nio.file.FileVisitResult.CONTINUE;
                    }
                });
            } catch (IOException e) {
                throw new IngestException(ErrorCode.INGEST_EXTERNAL, "Cannot list source " + source + ": " + e
                        + ". Fix: check permissions.", e);
            }
            if (!batch.isEmpty()) {
                batches.accept(batch);
            }
        }
    }

    /**
     * A local file or folder, sorted. Walked with NIO: Hadoop's local listing stats every file through a shell
     * command for its permissions, two orders of magnitude slower for large folders, and its set-up alone costs a
     * second. A symlinked source folder is followed (as Hadoop does); links below it are not (no cycles).
     */
    private static List<String> listLocal(String source, java.nio.file.Path path) {
        if (!Files.exists(path)) {
            throw new IngestException(ErrorCode.INGEST_SOURCE_NOT_FOUND, "Source " + source
                    + " does not exist (looked for " + path.toUri() + "). Fix: check the path; plain paths are local.");
        }
        List<String> found = new ArrayList<>();
        streamLocal(List.of(source), found::addAll);
        found.sort(null);
        return found;
    }

    /**
     * {@code file.toUri().toString()} for a regular file, without the {@code stat} that {@code toUri} makes to learn
     * whether the path is a directory (a system call per file, most of the listing time of a large folder).
     */
    static String fileUri(java.nio.file.Path file) {
        try {
            return new URI("file", "", file.toAbsolutePath().toString(), null, null).toASCIIString();
        } catch (java.net.URISyntaxException e) {
            return file.toUri().toString();
        }
    }

    public static URI toUri(String source) {
        if (source.matches("^[A-Za-z][A-Za-z0-9+.-]+:.*")) {
            return URI.create(source);
        }
        return new File(source).getAbsoluteFile().toPath().normalize().toUri();
    }

    /**
     * Visits every entry of every file under {@code sources}: folders recursively, archives member by member,
     * gzip-wrapped files unwrapped, as ingest reads them.
     */
    public static void forEachEntry(Configuration conf, List<String> sources, EntryVisitor visitor) throws IOException {
        for (String file : listFiles(conf, sources)) {
            SourceReader.forEachEntry(file, conf, visitor);
        }
    }
}
