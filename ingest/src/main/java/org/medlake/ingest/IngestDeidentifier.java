package org.medlake.ingest;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.DicomInputStream;
import com.pixelmed.dicom.FileMetaInformation;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.TransferSyntax;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.medlake.deid.DeidProfile;
import org.medlake.deid.DeidReport;
import org.medlake.deid.Deidentifier;

/**
 * De-identification applied to each instance before it is stored ({@code ingest --deidentify}, the gateway's
 * {@code --deidentify}): the built-in PS3.15 Annex E profile with consistent pseudonyms, date shifts and UIDs per
 * secret, so re-ingesting the same source yields the same bytes. The check runs on the output; an instance that
 * still FAILs is stored anyway and marked by curation, where it is never released.
 */
final class IngestDeidentifier {
    /** Environment variable holding the secret; when unset, the lake keeps one in {@code LAKE/.deid-secret}. */
    static final String SECRET_ENV = "MEDLAKE_DEID_SECRET";

    private final Deidentifier deidentifier;

    IngestDeidentifier(String secret) {
        this.deidentifier = new Deidentifier(DeidProfile.builtIn(), secret.getBytes(StandardCharsets.UTF_8));
    }

    /** The de-identified Part 10 bytes of {@code bytes}, in the same transfer syntax. */
    byte[] apply(byte[] bytes) throws IOException, com.pixelmed.dicom.DicomException {
        AttributeList list = new AttributeList();
        try (DicomInputStream in = new DicomInputStream(new ByteArrayInputStream(bytes))) {
            list.read(in);
        }
        String ts = Attribute.getSingleStringValueOrDefault(list, TagFromName.TransferSyntaxUID,
                TransferSyntax.ExplicitVRLittleEndian);
        String sourceAe = Attribute.getSingleStringValueOrNull(list, TagFromName.SourceApplicationEntityTitle);
        Deidentifier.Result r = deidentifier.apply(list);
        if (r.report().status() == DeidReport.Status.FAIL) {
            // Kept on purpose: curation records the FAIL and nothing is served until an admin decides.
            list.remove(TagFromName.PatientIdentityRemoved);
            list.putNewAttribute(TagFromName.PatientIdentityRemoved).addValue("NO");
        }
        // The file meta information names the (now remapped) SOP instance: rebuild it.
        list.removeGroupLengthAttributes();
        list.removeMetaInformationHeaderAttributes();
        FileMetaInformation.addFileMetaInformation(list, ts, sourceAe == null ? "MEDLAKE" : sourceAe);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 1024);
        list.write(out, ts, true, true);
        return out.toByteArray();
    }

    /** The secret: {@value #SECRET_ENV} if set, else the lake's own, created on first use (owner-readable only). */
    static String secretFor(Path lakeRoot) {
        String env = System.getenv(SECRET_ENV);
        if (env != null && !env.isBlank()) {
            return env.trim();
        }
        Path file = lakeRoot.resolve(".deid-secret");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(lakeRoot);
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                Path tmp = Files.createTempFile(lakeRoot, ".deid-secret", ".part");
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system: the lake folder's own permissions apply
                }
                Files.writeString(tmp, HexFormat.of().formatHex(random));
                try {
                    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    Files.deleteIfExists(tmp);
                }
            }
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new IngestException(ErrorCode.INGEST_LAKE_UNUSABLE, "Cannot read or create the lake's "
                    + "de-identification secret " + file + ": " + e + ". Fix: make the lake folder writable, or set "
                    + SECRET_ENV + ".", e);
        }
    }
}
