package org.medlake.cohort.cohorts;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One member instance of a frozen cohort version, as read from the lake's {@code instances} table when it was frozen.
 *
 * @param project           the instance's project
 * @param seriesInstanceUid its series
 * @param studyInstanceUid  its study (may be null)
 * @param sopInstanceUid    the instance
 * @param sha256            lower-case hex SHA-256 of the file's bytes
 * @param sizeBytes         file size
 * @param location          lake-relative object key (or the file URI for in-place registrations)
 * @param codeVersion       {@code series_curation.code_version} of its series when frozen (may be null)
 */
public record Member(String project, String seriesInstanceUid, String studyInstanceUid, String sopInstanceUid,
                     String sha256, long sizeBytes, String location, String codeVersion) {
    /** Manifest and storage order: by series UID, then SOP Instance UID. */
    public static final Comparator<Member> ORDER = Comparator.comparing(Member::seriesInstanceUid)
            .thenComparing(Member::sopInstanceUid);

    public Member {
        Objects.requireNonNull(project, "project");
        Objects.requireNonNull(seriesInstanceUid, "seriesInstanceUid");
        Objects.requireNonNull(sopInstanceUid, "sopInstanceUid");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(location, "location");
    }

    /**
     * SHA-256 (lower-case hex) over the lines {@code series_uid TAB sop_uid TAB sha256 LF} of {@code members} in
     * {@link #ORDER}: equal fingerprints mean the same instances with the same bytes.
     */
    public static String fingerprint(List<Member> members) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
        members.stream().sorted(ORDER).forEach(m -> md.update((m.seriesInstanceUid() + "\t" + m.sopInstanceUid() + "\t"
                + m.sha256() + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(md.digest());
    }
}
