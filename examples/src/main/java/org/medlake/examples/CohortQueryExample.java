package org.medlake.examples;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.medlake.sdk.InstanceRef;
import org.medlake.sdk.MedlakeClient;
import org.medlake.sdk.MedlakeException;
import org.medlake.sdk.Query;
import org.medlake.sdk.SeriesPage;
import org.medlake.sdk.SeriesSummary;

/**
 * Logs in, runs a cohort query through the SDK, and downloads one instance with its checksum verified. It is the
 * last step of {@code ./medlake demo} and a template for training code.
 *
 * <pre>
 * CohortQueryExample --api URL --issuer URL (--user U --password P | --client-id C --client-secret S)
 *                    [--modality MR] [--download-dir DIR] [--json]
 * </pre>
 */
public final class CohortQueryExample {
    private CohortQueryExample() {}

    /** Result of one run. */
    record Outcome(long cohortSize, String downloadedSopInstanceUid, Path downloadedFile) {}

    public static void main(String[] args) {
        ExampleLogin login = new ExampleLogin();
        String modality = "MR";
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "medlake-download");
        boolean asJson = false;
        for (int i = 0; i < args.length; i++) {
            int taken = login.accept(args, i);
            if (taken >= 0) {
                i = taken;
                continue;
            }
            switch (args[i]) {
                case "--modality" -> modality = args[++i];
                case "--download-dir" -> dir = Path.of(args[++i]);
                case "--json" -> asJson = true;
                case "--help", "-h" -> {
                    System.out.println("usage: CohortQueryExample " + ExampleLogin.USAGE
                            + " [--modality MR] [--download-dir DIR] [--json]");
                    return;
                }
                default -> ExampleLogin.usage("unknown argument '" + args[i] + "'");
            }
        }
        login.requireComplete();
        try (MedlakeClient client = login.connect()) {
            Outcome outcome = run(client, Query.eq("modality", modality), dir);
            if (asJson) {
                System.out.println("{\"cohort_size\":" + outcome.cohortSize() + ",\"downloaded_sop_instance_uid\":\""
                        + outcome.downloadedSopInstanceUid() + "\"}");
            } else {
                System.out.println("cohort (" + modality + "): " + outcome.cohortSize() + " series");
                System.out.println("downloaded " + outcome.downloadedSopInstanceUid() + " -> " + outcome.downloadedFile()
                        + " (SHA-256 verified)");
            }
        } catch (MedlakeException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Collects every series matching {@code query} page by page, then downloads the first instance of the first
     * series into {@code dir}.
     */
    static Outcome run(MedlakeClient client, Query query, Path dir) {
        List<SeriesSummary> cohort = new ArrayList<>();
        SeriesPage page = client.searchSeries(query, 100);
        cohort.addAll(page.series());
        while (page.hasNext()) {
            page = client.nextPage(query, page);
            cohort.addAll(page.series());
        }
        if (cohort.isEmpty()) {
            throw new MedlakeException(MedlakeException.Kind.USER_ERROR, 0,
                    "The query " + query + " matched no series this user may see; nothing to download.");
        }
        List<InstanceRef> instances = client.instances(cohort.get(0).seriesInstanceUid());
        InstanceRef first = instances.get(0);
        Path file = client.downloadInstance(first.sopInstanceUid(), dir);
        try {
            if (Files.size(file) != first.sizeBytes()) {
                throw new MedlakeException(MedlakeException.Kind.EXTERNAL, 0, "downloaded size differs from the index");
            }
        } catch (java.io.IOException e) {
            throw new MedlakeException(MedlakeException.Kind.EXTERNAL, 0, e.getMessage(), e);
        }
        return new Outcome(cohort.size(), first.sopInstanceUid(), file);
    }
}
