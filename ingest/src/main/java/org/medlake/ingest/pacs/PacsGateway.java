package org.medlake.ingest.pacs;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;

/**
 * A DICOM gateway for PACS/modality push: a C-STORE SCP that stores every received instance into a staging
 * folder and hands the instances to a consumer in batches, whenever {@code batchSize} instances are waiting or
 * the oldest waiting one has waited {@code maxDelay}, whichever comes first.
 *
 * <p>The consumer is called on a single delivery thread, one batch at a time, in arrival order; while it runs,
 * the SCP keeps receiving. Each batch holds at most {@code batchSize} instances. If the consumer throws, the
 * failure is logged and counted ({@link #failedBatches()}); the batch's files stay in the staging folder.
 *
 * <p>Source URI of each instance: {@code dimse-store://CALLING_AE@REMOTE_HOST/studies/S/series/R/instances/I}
 * (calling AE title percent-encoded where needed, remote host as an IP address; the UID path is left out when the
 * file's header cannot be read), so routing rules can use the sender's AE title.
 *
 * <p>{@link #close()} stops accepting associations, waits up to 30 s for running ones, delivers the last batch
 * and returns once the consumer has finished with it.
 */
public final class PacsGateway implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PacsGateway.class.getName());

    private final String aeTitle;
    private final int batchSize;
    private final Duration maxDelay;
    private final Consumer<List<StagedInstance>> consumer;
    private final ScheduledExecutorService delivery;
    private final StoreScp scp;
    private final List<StagedInstance> pending = new ArrayList<>();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failedBatches = new AtomicLong();
    private ScheduledFuture<?> timer;
    private boolean closed;

    private PacsGateway(String aeTitle, int port, Path stagingDir, int batchSize, Duration maxDelay,
                        Consumer<List<StagedInstance>> consumer) {
        this.aeTitle = aeTitle;
        this.batchSize = batchSize;
        this.maxDelay = maxDelay;
        this.consumer = consumer;
        this.delivery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "medlake-gateway-" + aeTitle + "-delivery");
            t.setDaemon(true);
            return t;
        });
        try {
            this.scp = new StoreScp(aeTitle, port, stagingDir, this::onReceived);
        } catch (RuntimeException e) {
            delivery.shutdownNow();
            throw e;
        }
    }

    /**
     * Starts a gateway listening on all interfaces.
     *
     * @param aeTitle the AE title senders call (1 to 16 printable ASCII characters)
     * @param port the DICOM port, or 0 for any free port (see {@link #port()})
     * @param stagingDir where received files are stored (created if missing)
     * @param batchSize the largest batch, at least 1
     * @param maxDelay how long an instance may wait for its batch to fill, positive
     * @param consumer receives the batches (ingest them, then delete or keep the files)
     * @return the running gateway
     * @throws IngestException {@code INGEST_BAD_ARGUMENT} for bad arguments, {@code INGEST_EXTERNAL} when the port
     *     cannot be bound or the folder cannot be created
     */
    public static PacsGateway start(String aeTitle, int port, Path stagingDir, int batchSize, Duration maxDelay,
                                    Consumer<List<StagedInstance>> consumer) {
        Objects.requireNonNull(stagingDir, "stagingDir");
        Objects.requireNonNull(consumer, "consumer");
        String ae = aeTitle == null ? "" : aeTitle.trim();
        if (ae.isEmpty() || ae.length() > 16 || !ae.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '\\')) {
            throw bad("the AE title '" + aeTitle + "' is not 1 to 16 printable ASCII characters", "Choose e.g. MEDLAKE.");
        }
        if (port < 0 || port > 65535) {
            throw bad("the port " + port + " is not from 0 to 65535", "Choose e.g. 11112.");
        }
        if (batchSize < 1) {
            throw bad("the batch size " + batchSize + " is below 1", "Choose e.g. 100.");
        }
        if (maxDelay == null || maxDelay.isZero() || maxDelay.isNegative()) {
            throw bad("the maximum delay " + maxDelay + " is not positive", "Choose e.g. 30 seconds.");
        }
        return new PacsGateway(ae, port, stagingDir, batchSize, maxDelay, consumer);
    }

    private static IngestException bad(String problem, String fix) {
        return new IngestException(ErrorCode.INGEST_BAD_ARGUMENT, "Cannot start the DICOM gateway: " + problem + ". " + fix);
    }

    /** @return the AE title */
    public String aeTitle() {
        return aeTitle;
    }

    /** @return the port actually bound */
    public int port() {
        return scp.port();
    }

    /** @return instances received so far */
    public long receivedCount() {
        return received.get();
    }

    /** @return instances handed to the consumer so far (including failed batches) */
    public long deliveredCount() {
        return delivered.get();
    }

    /** @return batches whose consumer call threw */
    public long failedBatches() {
        return failedBatches.get();
    }

    private void onReceived(Path file, String callingAe, String remoteHost) {
        String path = Staging.instancePath(file);
        StagedInstance instance = new StagedInstance(file, "dimse-store://" + encodeAe(callingAe) + "@"
                + (remoteHost.contains(":") ? "[" + remoteHost + "]" : remoteHost) + path);
        received.incrementAndGet();
        synchronized (this) {
            if (closed) {
                LOG.log(System.Logger.Level.WARNING, "DICOM gateway " + aeTitle + " is closed; " + file
                        + " stays in the staging folder undelivered.");
                return;
            }
            pending.add(instance);
            if (pending.size() >= batchSize) {
                cancelTimer();
                delivery.execute(this::deliverFullBatches);
            } else if (timer == null && !closed) {
                timer = delivery.schedule(this::deliverAll, maxDelay.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Percent-encodes everything but letters, digits and {@code -._~} (AE titles may hold spaces). */
    static String encodeAe(String ae) {
        StringBuilder sb = new StringBuilder();
        for (byte b : ae.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** On the delivery thread: hand over full batches; restart the timer for a remainder. */
    private void deliverFullBatches() {
        while (true) {
            List<StagedInstance> batch;
            synchronized (this) {
                if (pending.size() < batchSize) {
                    if (!pending.isEmpty() && timer == null && !closed) {
                        timer = delivery.schedule(this::deliverAll, maxDelay.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    return;
                }
                batch = take(batchSize);
            }
            hand(batch);
        }
    }

    /** On the delivery thread: hand over everything pending, in batches of at most batchSize. */
    private void deliverAll() {
        while (true) {
            List<StagedInstance> batch;
            synchronized (this) {
                timer = null;
                if (pending.isEmpty()) {
                    return;
                }
                batch = take(Math.min(batchSize, pending.size()));
            }
            hand(batch);
        }
    }

    private List<StagedInstance> take(int n) {
        List<StagedInstance> batch = List.copyOf(pending.subList(0, n));
        pending.subList(0, n).clear();
        return batch;
    }

    private void hand(List<StagedInstance> batch) {
        delivered.addAndGet(batch.size());
        try {
            consumer.accept(batch);
        } catch (RuntimeException e) {
            failedBatches.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "DICOM gateway " + aeTitle + ": the consumer failed on a batch of "
                    + batch.size() + " instance(s) (first " + batch.get(0).file() + "); their files stay in the staging"
                    + " folder.", e);
        }
    }

    /**
     * Stops receiving (waiting up to 30 s for running associations), delivers the last batch and waits for the
     * consumer to finish it. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        boolean idle = scp.close(Duration.ofSeconds(30));
        if (!idle) {
            LOG.log(System.Logger.Level.WARNING, "DICOM gateway " + aeTitle + ": associations still running after 30 s;"
                    + " instances they store from now on are not delivered.");
        }
        synchronized (this) {
            closed = true;
            cancelTimer();
        }
        delivery.execute(this::deliverAll);
        delivery.shutdown();
        try {
            if (!delivery.awaitTermination(10, TimeUnit.MINUTES)) {
                LOG.log(System.Logger.Level.WARNING, "DICOM gateway " + aeTitle + ": the consumer did not finish the last"
                        + " batch within 10 minutes.");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "PacsGateway[" + aeTitle + " on port " + port() + ", batch " + batchSize + ", max delay " + maxDelay + "]";
    }
}
