package org.medlake.ingest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.medlake.ingest.pacs.PacsGateway;
import org.medlake.ingest.pacs.StagedInstance;
import org.medlake.ingest.routing.RoutingRules;

/**
 * {@code gateway --lake DIR --ae-title T [--port 11112] [--project P] [--rules FILE] [--site S] [--batch N]
 * [--max-delay SECONDS]}: a scanner-facing C-STORE SCP that lands received instances in the lake in small batches.
 *
 * <p>Received files wait in {@code LAKE/gateway/<AE>/incoming} until their batch is ingested, and are deleted only
 * then; files left there by a crash are ingested when the gateway starts again, so nothing received is lost.
 */
public final class GatewayMain {
    static final String USAGE = String.join("\n",
            "usage: gateway --lake DIR --ae-title T [--port 11112] [--project P] [--rules FILE] [--site S]",
            "               [--batch 50] [--max-delay 5] [--deidentify]",
            "  A DICOM C-STORE SCP: scanners and PACS send to AE title T on this port; instances land in the lake",
            "  in batches of at most --batch, or after --max-delay seconds. Stop with Ctrl-C (the last batch is kept).",
            "  --rules FILE  routing rules; calling_ae conditions match the sender's AE title",
            "  --deidentify  de-identify every instance before storing it (as ingest --deidentify)");

    private GatewayMain() {}

    public static void main(String[] args) throws Exception {
        String lake = null, ae = null, project = "demo", rules = null, site = null;
        int port = 11112, batch = 50;
        double delay = 5;
        boolean deidentify = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "-h", "--help" -> {
                        System.out.println(USAGE);
                        return;
                    }
                    case "--lake" -> lake = Cli.value(args, i++, a);
                    case "--ae-title" -> ae = Cli.value(args, i++, a);
                    case "--port" -> port = Integer.parseInt(Cli.value(args, i++, a));
                    case "--project" -> project = Cli.value(args, i++, a);
                    case "--rules" -> rules = Cli.value(args, i++, a);
                    case "--site" -> site = Cli.value(args, i++, a);
                    case "--batch" -> batch = Integer.parseInt(Cli.value(args, i++, a));
                    case "--max-delay" -> delay = Double.parseDouble(Cli.value(args, i++, a));
                    case "--deidentify" -> deidentify = true;
                    default -> throw new Cli.UsageException("unknown argument '" + a + "'");
                }
            }
            if (lake == null || ae == null) {
                throw new Cli.UsageException("--lake DIR and --ae-title T are required");
            }
        } catch (NumberFormatException | Cli.UsageException e) {
            System.err.println("gateway: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
            return;
        }
        IngestRequest request = new IngestRequest(List.of("dimse-store://" + ae + ":" + port), Path.of(lake), project,
                site, null);
        if (rules != null) {
            request = request.withRules(RoutingRules.read(Path.of(rules), project));
        }
        if (deidentify) {
            request = request.withDeidentification(IngestDeidentifier.secretFor(Path.of(lake).toAbsolutePath()));
        }
        Path incoming = Path.of(lake).resolve("gateway").resolve(ae.replaceAll("[^A-Za-z0-9_.-]", "_")).resolve("incoming");
        SparkSession spark = LakeSpark.session("medlake-gateway");
        IngestRequest req = request;
        Object lock = new Object();
        recoverLeftovers(spark, req, incoming);
        PacsGateway gateway = PacsGateway.start(ae, port, incoming, batch, Duration.ofMillis((long) (delay * 1000)),
                received -> {
                    synchronized (lock) {
                        ingestBatch(spark, req, received);
                    }
                });
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("gateway: stopping; ingesting the last batch");
            gateway.close();
            synchronized (lock) {
                spark.stop();
            }
            stopped.countDown();
        }, "medlake-gateway-stop"));
        System.out.println("medlake gateway " + ae + " listening on port " + gateway.port() + " -> lake " + lake);
        System.out.flush();
        stopped.await();
    }

    private static void ingestBatch(SparkSession spark, IngestRequest request, List<StagedInstance> received) {
        try {
            IngestResult r = IngestJob.runStaged(spark, request, received);
            System.out.println(r.toJson());
            System.out.flush();
            for (StagedInstance s : received) {
                Files.deleteIfExists(s.file());
            }
        } catch (IngestException | IOException e) {
            // The files stay in the incoming folder and are ingested at the next start.
            System.err.println("gateway: a batch of " + received.size() + " instances could not be ingested and was "
                    + "kept for the next start: " + e.getMessage());
        }
    }

    /** Ingests files received before a crash; their sender is unknown, so the file is their recorded source. */
    private static void recoverLeftovers(SparkSession spark, IngestRequest request, Path incoming) throws IOException {
        if (!Files.isDirectory(incoming)) {
            return;
        }
        List<StagedInstance> left;
        try (Stream<Path> files = Files.list(incoming)) {
            left = files.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().endsWith(".dcm"))
                    .map(f -> new StagedInstance(f, f.toUri().toString())).toList();
        }
        if (!left.isEmpty()) {
            System.err.println("gateway: ingesting " + left.size() + " instances received before the last stop");
            ingestBatch(spark, request, left);
        }
    }
}
