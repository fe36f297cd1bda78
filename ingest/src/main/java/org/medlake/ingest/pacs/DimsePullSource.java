package org.medlake.ingest.pacs;

import com.pixelmed.dicom.Attribute;
import com.pixelmed.dicom.AttributeFactory;
import com.pixelmed.dicom.AttributeList;
import com.pixelmed.dicom.AttributeTag;
import com.pixelmed.dicom.CodeStringAttribute;
import com.pixelmed.dicom.DicomOutputStream;
import com.pixelmed.dicom.SOPClass;
import com.pixelmed.dicom.TagFromName;
import com.pixelmed.dicom.UniqueIdentifierAttribute;
import com.pixelmed.network.Association;
import com.pixelmed.network.CMoveRequestCommandMessage;
import com.pixelmed.network.CompositeResponseHandler;
import com.pixelmed.network.FindSOPClassSCU;
import com.pixelmed.network.IdentifierHandler;
import com.pixelmed.network.MoveSOPClassSCU;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;

/**
 * A DIMSE PACS pulled with C-FIND and C-MOVE:
 * {@code dimse://CALLED_AE@host:port?StudyDate=20240101-20241231&PatientID=P1&calling=MEDLAKE&move-dest=MEDLAKE&scp-port=11113}.
 *
 * <p>Query parameters in lower case configure medlake: {@code calling} (our calling AE title, default
 * {@code MEDLAKE}), {@code move-dest} (the C-MOVE destination AE title, default the calling AE title),
 * {@code scp-port} (the port of the temporary C-STORE SCP, default 11113; the PACS must know
 * {@code move-dest} at this host and port) and {@code timeout} (seconds to wait for the stores after a move
 * reports completion, default 60). Every other parameter is a Study Root STUDY-level matching key given by its
 * DICOM keyword ({@code StudyDate}, {@code PatientID}, {@code StudyInstanceUID}, {@code AccessionNumber},
 * {@code ModalitiesInStudy}, ...), with the DICOM matching syntax (ranges {@code a-b}, wildcards {@code *}).
 *
 * <p>{@link #stage} starts the C-STORE SCP, runs a C-FIND for the matching Study Instance UIDs, then a C-MOVE per
 * study, and waits until the SCP has stored as many instances as the final C-MOVE response reports completed.
 * A move with failed sub-operations, or a refused one, raises {@code INGEST_EXTERNAL} naming the counts and
 * status. Source URI of each staged instance:
 * {@code dimse://CALLED_AE@host:port/studies/{study}/series/{series}/instances/{sop}} (UIDs read from the staged
 * file), else {@code dimse://CALLED_AE@host:port/studies/{study}}.
 */
public final class DimsePullSource implements PacsSource {

    static final String FORM = "dimse://CALLED_AE@HOST:PORT?StudyDate=...&PatientID=...&calling=MEDLAKE&move-dest=MEDLAKE&scp-port=11113";
    private static final Set<String> CONTROL = Set.of("calling", "move-dest", "scp-port", "timeout");
    private static final System.Logger LOG = System.getLogger(DimsePullSource.class.getName());
    private static final int PENDING = 0xFF00;
    private static final int PENDING_WARNING = 0xFF01;

    private final String uri;
    private final String calledAe;
    private final String host;
    private final int port;
    private final String callingAe;
    private final String moveDestination;
    private final int scpPort;
    private final Duration storeTimeout;
    private final Map<String, String> matchingKeys;

    private DimsePullSource(String uri, String calledAe, String host, int port, String callingAe, String moveDestination,
                            int scpPort, Duration storeTimeout, Map<String, String> matchingKeys) {
        this.uri = uri;
        this.calledAe = calledAe;
        this.host = host;
        this.port = port;
        this.callingAe = callingAe;
        this.moveDestination = moveDestination;
        this.scpPort = scpPort;
        this.storeTimeout = storeTimeout;
        this.matchingKeys = Collections.unmodifiableMap(new LinkedHashMap<>(matchingKeys));
    }

    /**
     * Parses a {@code dimse://} URI.
     *
     * @param uri the source URI
     * @return the source
     * @throws IngestException {@code INGEST_BAD_ARGUMENT} when the URI is malformed
     */
    public static DimsePullSource fromUri(String uri) {
        Objects.requireNonNull(uri, "uri");
        URI u = PacsSources.toUri(uri, FORM);
        if (!"dimse".equalsIgnoreCase(u.getScheme())) {
            throw PacsSources.bad(uri, "the scheme must be dimse", FORM);
        }
        if (u.getRawUserInfo() == null || u.getRawUserInfo().isBlank()) {
            throw PacsSources.bad(uri, "the PACS's AE title (CALLED_AE@) is missing", FORM);
        }
        String called = aeTitle(URLDecoder.decode(u.getRawUserInfo(), StandardCharsets.UTF_8), uri, "called AE title");
        if (u.getPort() < 0) {
            throw PacsSources.bad(uri, "the PACS's DICOM port is missing", FORM);
        }
        if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/")) {
            throw PacsSources.bad(uri, "it has a path ('" + u.getRawPath() + "'); only the query selects studies", FORM);
        }
        Map<String, String> params = PacsSources.query(u, uri, FORM);
        String calling = aeTitle(params.getOrDefault("calling", "MEDLAKE"), uri, "calling AE title");
        String moveDest = aeTitle(params.getOrDefault("move-dest", calling), uri, "move destination AE title");
        int scpPort = intParam(params, "scp-port", 11113, 1, 65535, uri);
        int timeout = intParam(params, "timeout", 60, 1, 86400, uri);
        Map<String, String> keys = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (CONTROL.contains(e.getKey())) {
                continue;
            }
            AttributeTag tag = AttributeList.getDictionary().getTagFromName(e.getKey());
            if (tag == null) {
                throw PacsSources.bad(uri, "'" + e.getKey() + "' is neither a DICOM attribute keyword (e.g. StudyDate,"
                        + " PatientID, StudyInstanceUID) nor one of " + CONTROL, FORM);
            }
            if (tag.equals(TagFromName.QueryRetrieveLevel)) {
                throw PacsSources.bad(uri, "QueryRetrieveLevel is always STUDY", FORM);
            }
            keys.put(e.getKey(), e.getValue());
        }
        return new DimsePullSource(uri, called, u.getHost(), u.getPort(), calling, moveDest, scpPort,
                Duration.ofSeconds(timeout), keys);
    }

    private static String aeTitle(String ae, String uri, String what) {
        String t = ae.trim();
        if (t.isEmpty() || t.length() > 16 || !t.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '\\')) {
            throw PacsSources.bad(uri, "the " + what + " '" + ae + "' is not 1 to 16 printable ASCII characters", FORM);
        }
        return t;
    }

    private static int intParam(Map<String, String> params, String key, int def, int min, int max, String uri) {
        String v = params.get(key);
        if (v == null) {
            return def;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw PacsSources.bad(uri, key + "=" + v + " is not a number from " + min + " to " + max, FORM);
    }

    @Override
    public String uri() {
        return uri;
    }

    /** @return the matching keys by DICOM keyword, in URI order */
    public Map<String, String> matchingKeys() {
        return matchingKeys;
    }

    /** @return the C-MOVE destination AE title the PACS must know */
    public String moveDestination() {
        return moveDestination;
    }

    /** @return the port of the temporary C-STORE SCP */
    public int scpPort() {
        return scpPort;
    }

    private String recordedBase() {
        return "dimse://" + calledAe.replace(" ", "%20") + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public List<StagedInstance> stage(Path stagingDir) {
        Path dir = Staging.createDir(stagingDir);
        List<Path> received = Collections.synchronizedList(new ArrayList<>());
        try (StoreScp scp = new StoreScp(moveDestination, scpPort, dir, (file, calling, remote) -> received.add(file))) {
            List<String> studies = findStudies();
            List<StagedInstance> staged = new ArrayList<>();
            for (String study : studies) {
                MoveResult result = move(study);
                int expected = result.completed() + result.warning();
                awaitStores(received, expected, study, result);
                List<Path> files;
                synchronized (received) {
                    files = List.copyOf(received);
                    received.clear();
                }
                String studyUri = recordedBase() + "/studies/" + study;
                for (Path f : files) {
                    String path = Staging.instancePath(f);
                    staged.add(new StagedInstance(f, path.isEmpty() ? studyUri : recordedBase() + path));
                }
                if (result.warning() > 0 || result.status() != 0) {
                    LOG.log(System.Logger.Level.WARNING, "C-MOVE of study " + study + " from " + calledAe + "@" + host + ":"
                            + port + " ended with status 0x" + Integer.toHexString(result.status()) + " and "
                            + result.warning() + " warning(s); " + files.size() + " instance(s) staged.");
                }
            }
            return List.copyOf(staged);
        }
    }

    /** C-FIND at STUDY level: the matching Study Instance UIDs. */
    List<String> findStudies() {
        AttributeList identifier = new AttributeList();
        Set<String> uids = Collections.synchronizedSet(new LinkedHashSet<>());
        try {
            Attribute level = new CodeStringAttribute(TagFromName.QueryRetrieveLevel);
            level.addValue("STUDY");
            identifier.put(level);
            identifier.put(new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID));
            for (Map.Entry<String, String> e : matchingKeys.entrySet()) {
                AttributeTag tag = AttributeList.getDictionary().getTagFromName(e.getKey());
                Attribute a = AttributeFactory.newAttribute(tag);
                if (!e.getValue().isEmpty()) {
                    a.addValue(e.getValue());
                }
                identifier.put(a);
            }
        } catch (com.pixelmed.dicom.DicomException e) {
            throw new IngestException(ErrorCode.INGEST_BAD_ARGUMENT, "Cannot build the C-FIND query from " + matchingKeys
                    + ": " + e.getMessage() + ". Fix the matching keys in " + uri + ".", e);
        }
        IdentifierHandler handler = new IdentifierHandler() {
            @Override
            public void doSomethingWithIdentifier(AttributeList response) {
                String uid = Attribute.getSingleStringValueOrEmptyString(response, TagFromName.StudyInstanceUID).trim();
                if (PacsSources.isUid(uid)) {
                    uids.add(uid);
                } else {
                    LOG.log(System.Logger.Level.WARNING, "C-FIND response from " + calledAe + " without a valid Study"
                            + " Instance UID ('" + uid + "'); skipped.");
                }
            }
        };
        try {
            new FindSOPClassSCU(host, port, calledAe, callingAe, SOPClass.StudyRootQueryRetrieveInformationModelFind,
                    identifier, handler);
        } catch (Exception e) {
            throw unreachable("C-FIND", e);
        }
        synchronized (uids) {
            return List.copyOf(uids);
        }
    }

    record MoveResult(int status, int completed, int failed, int warning, String errorComment) {
    }

    /** C-MOVE of one study to {@link #moveDestination}; returns the final response's counts. */
    MoveResult move(String study) {
        Association association;
        try {
            association = MoveSOPClassSCU.getSuitableAssociation(host, port, calledAe, callingAe,
                    SOPClass.StudyRootQueryRetrieveInformationModelMove);
        } catch (Exception e) {
            throw unreachable("C-MOVE", e);
        }
        MoveResponses responses = new MoveResponses();
        try {
            AttributeList identifier = new AttributeList();
            Attribute level = new CodeStringAttribute(TagFromName.QueryRetrieveLevel);
            level.addValue("STUDY");
            identifier.put(level);
            Attribute uid = new UniqueIdentifierAttribute(TagFromName.StudyInstanceUID);
            uid.addValue(study);
            identifier.put(uid);
            byte pc = association.getSuitablePresentationContextID(SOPClass.StudyRootQueryRetrieveInformationModelMove);
            byte[] command = new CMoveRequestCommandMessage(SOPClass.StudyRootQueryRetrieveInformationModelMove,
                    moveDestination).getBytes();
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            DicomOutputStream out = new DicomOutputStream(data, null, association.getTransferSyntaxForPresentationContextID(pc));
            identifier.write(out);
            out.flush();
            association.setReceivedDataHandler(responses);
            association.send(pc, command, null);
            association.send(pc, null, data.toByteArray());
            association.waitForPDataPDUsUntilHandlerReportsDone();
        } catch (Exception e) {
            abortQuietly(association);
            throw new IngestException(ErrorCode.INGEST_EXTERNAL, "C-MOVE of study " + study + " from " + calledAe + "@"
                    + host + ":" + port + " to " + moveDestination + " failed: " + e + ". Check the PACS's log and retry.", e);
        }
        try {
            association.release();
        } catch (Exception e) {
            abortQuietly(association);
        }
        MoveResult r = responses.result();
        if (r.status() == 0xA801) {
            throw new IngestException(ErrorCode.INGEST_EXTERNAL, "The PACS " + calledAe + "@" + host + ":" + port
                    + " does not know the move destination " + moveDestination + " (C-MOVE status 0xA801"
                    + comment(r) + "). Register " + moveDestination + " with this machine's address and port " + scpPort
                    + " in the PACS, or set move-dest= to an AE title it knows.");
        }
        boolean statusOk = r.status() == 0 || r.status() == 0xB000;
        if (!statusOk || r.failed() > 0) {
            throw new IngestException(ErrorCode.INGEST_EXTERNAL, "C-MOVE of study " + study + " from " + calledAe + "@"
                    + host + ":" + port + " to " + moveDestination + " failed: status 0x" + Integer.toHexString(r.status())
                    + ", " + r.completed() + " completed, " + r.failed() + " failed, " + r.warning() + " warning(s)"
                    + comment(r) + ". Check that the PACS can connect to " + moveDestination + " at this machine's port "
                    + scpPort + " (firewall, registered address) and its log; then retry (re-ingesting adds nothing twice).");
        }
        return r;
    }

    private void awaitStores(List<Path> received, int expected, String study, MoveResult result) {
        long deadline = System.nanoTime() + storeTimeout.toNanos();
        while (received.size() < expected) {
            if (System.nanoTime() > deadline) {
                throw new IngestException(ErrorCode.INGEST_EXTERNAL, "C-MOVE of study " + study + " from " + calledAe
                        + " reported " + expected + " instance(s) sent, but only " + received.size() + " arrived at "
                        + moveDestination + " (port " + scpPort + ") within " + storeTimeout.toSeconds() + " s"
                        + comment(result) + ". Check that the PACS's entry for " + moveDestination + " points at this"
                        + " machine and port, or raise timeout=.");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IngestException(ErrorCode.INGEST_EXTERNAL, "Interrupted while waiting for C-STORE from "
                        + calledAe + ". The ingest was cancelled; run it again.", e);
            }
        }
    }

    private static String comment(MoveResult r) {
        return r.errorComment().isEmpty() ? "" : ", error comment '" + r.errorComment() + "'";
    }

    private IngestException unreachable(String what, Exception e) {
        return new IngestException(ErrorCode.INGEST_EXTERNAL, what + " to the PACS " + calledAe + "@" + host + ":" + port
                + " as " + callingAe + " failed: " + e + ". Check that the PACS is running and reachable at that host and"
                + " port, that its AE title is " + calledAe + ", and that it accepts queries from " + callingAe + ".", e);
    }

    private static void abortQuietly(Association association) {
        try {
            association.abort();
        } catch (Exception ignored) {
            // already gone
        }
    }

    /** Collects C-MOVE responses; done at the first non-pending one. */
    private static final class MoveResponses extends CompositeResponseHandler {
        private volatile MoveResult last = new MoveResult(0xFFFF, 0, 0, 0, "");

        @Override
        protected void evaluateStatusAndSetSuccess(AttributeList list) {
            int s = Attribute.getSingleIntegerValueOrDefault(list, TagFromName.Status, 0xFFFF);
            last = new MoveResult(s,
                    Math.max(0, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfCompletedSuboperations, 0)),
                    Math.max(0, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfFailedSuboperations, 0)),
                    Math.max(0, Attribute.getSingleIntegerValueOrDefault(list, TagFromName.NumberOfWarningSuboperations, 0)),
                    Attribute.getSingleStringValueOrEmptyString(list, TagFromName.ErrorComment).trim());
            success = s == 0;
            if (s != PENDING && s != PENDING_WARNING) {
                setDone(true);
            }
        }

        @Override
        protected void makeUseOfDataSet(AttributeList list) {
            // Failed SOP Instance UID List: the counts in the command already say enough.
        }

        MoveResult result() {
            return last;
        }
    }

    @Override
    public String toString() {
        return "DimsePullSource[" + uri + "]";
    }
}
