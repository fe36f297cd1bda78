package org.medlake.ingest.pacs;

import com.pixelmed.dicom.StoredFilePathStrategy;
import com.pixelmed.network.AnyExplicitStorePresentationContextSelectionPolicy;
import com.pixelmed.network.ApplicationEntityMap;
import com.pixelmed.network.Association;
import com.pixelmed.network.AssociationFactory;
import com.pixelmed.network.AssociationStatusHandler;
import com.pixelmed.network.ReceivedObjectHandler;
import com.pixelmed.network.StorageSOPClassSCP;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.medlake.ingest.ErrorCode;
import org.medlake.ingest.IngestException;

/**
 * A C-STORE SCP on PixelMed: one thread accepts connections, each association runs PixelMed's
 * {@link StorageSOPClassSCP} on its own thread. Unlike {@code StorageSOPClassSCPDispatcher} it knows each
 * association's remote address, names received files itself (random, never from UIDs) and can wait for running
 * associations when closed.
 */
final class StoreScp implements AutoCloseable {

    /** Called on the association's thread for every stored instance, after the file got its final name. */
    interface Listener {
        void received(Path file, String callingAeTitle, String remoteHost);
    }

    private static final System.Logger LOG = System.getLogger(StoreScp.class.getName());

    private final String aeTitle;
    private final Path dir;
    private final Path incoming;
    private final Listener listener;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Map<Thread, Socket> associations = new ConcurrentHashMap<>();
    private volatile boolean closing;

    /**
     * Binds the port and starts accepting.
     *
     * @param aeTitle the AE title to answer to (any called AE title is accepted; PixelMed does not check it)
     * @param port the port, 0 for any free port
     * @param dir the staging folder (received files end up directly in it as {@code <random>.dcm})
     * @param listener told of every stored instance
     * @throws IngestException {@code INGEST_EXTERNAL} when the port cannot be bound or the folder not created
     */
    StoreScp(String aeTitle, int port, Path dir, Listener listener) {
        this.aeTitle = aeTitle;
        this.dir = Staging.createDir(dir);
        this.incoming = Staging.createDir(dir.resolve(".incoming"));
        this.listener = listener;
        try {
            this.server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port), 50);
        } catch (IOException e) {
            throw new IngestException(ErrorCode.INGEST_EXTERNAL, "Cannot listen for DICOM C-STORE as " + aeTitle
                    + " on port " + port + ": " + e.getMessage() + ". Another program probably uses the port; stop it or"
                    + " choose another port (and register that port for " + aeTitle + " at the PACS).", e);
        }
        this.acceptor = new Thread(this::acceptLoop, "medlake-storescp-" + aeTitle + "-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String aeTitle() {
        return aeTitle;
    }

    /** @return the number of associations still running */
    int activeAssociations() {
        return associations.size();
    }

    private void acceptLoop() {
        while (!closing) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                if (closing) {
                    return;
                }
                LOG.log(System.Logger.Level.WARNING, "C-STORE SCP " + aeTitle + ": accept failed: " + e);
                continue;
            }
            String remoteHost = socket.getInetAddress().getHostAddress();
            Thread t = new Thread(() -> serve(socket, remoteHost), "medlake-storescp-" + aeTitle + "-" + remoteHost);
            t.setDaemon(true);
            associations.put(t, socket);
            t.start();
        }
    }

    private void serve(Socket socket, String remoteHost) {
        try {
            ReceivedObjectHandler handler = new ReceivedObjectHandler() {
                @Override
                public void sendReceivedObjectIndication(String fileName, String transferSyntax, String callingAeTitle) {
                    if (fileName == null) {
                        return;
                    }
                    Path received = Path.of(fileName);
                    try {
                        Path file = Staging.publish(received, dir, UUID.randomUUID().toString());
                        listener.received(file, callingAeTitle == null ? "" : callingAeTitle.trim(), remoteHost);
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.ERROR, "C-STORE SCP " + aeTitle + ": cannot move " + received
                                + " into " + dir + ": " + e);
                    }
                }
            };
            AssociationStatusHandler status = new AssociationStatusHandler() {
                @Override
                public void sendAssociationReleaseIndication(Association association) {
                    // nothing: the thread ends right after
                }
            };
            new StorageSOPClassSCP(socket, aeTitle, AssociationFactory.getDefaultMaximumLengthReceived(),
                    AssociationFactory.getDefaultReceiveBufferSize(), AssociationFactory.getDefaultSendBufferSize(),
                    incoming.toFile(), new RandomNames(), handler, status, null, null, new ApplicationEntityMap(),
                    new AnyExplicitStorePresentationContextSelectionPolicy(), 0).run();
        } catch (Exception e) {
            if (!closing) { // when closing, the release wait was interrupted on purpose
                LOG.log(System.Logger.Level.WARNING, "C-STORE SCP " + aeTitle + ": association from " + remoteHost
                        + " failed: " + e);
            }
        } finally {
            try {
                socket.close();
            } catch (IOException ignored) {
                // already closed
            }
            associations.remove(Thread.currentThread());
        }
    }

    /**
     * Stops accepting, then waits up to {@code wait} for running associations to be released; associations still
     * open after that are aborted (their socket closed).
     *
     * <p>PixelMed quirk: after answering A-RELEASE-RQ, PixelMed's acceptor waits 5 s (its ARTIM timer, not
     * configurable) before closing the connection, although everything was received. Threads in that wait count as
     * finished and are interrupted, which ends the wait at once.
     *
     * @return true when no association was still open at the end of {@code wait}
     */
    boolean close(Duration wait) {
        closing = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        long deadline = System.nanoTime() + wait.toNanos();
        boolean idle = false;
        try {
            acceptor.join(Math.max(1, wait.toMillis()));
            while (true) {
                boolean open = false;
                for (Thread t : Set.copyOf(associations.keySet())) {
                    if (inReleaseWait(t)) {
                        t.interrupt();
                    } else if (t.isAlive()) {
                        open = true;
                    }
                }
                if (!open) {
                    idle = true;
                    break;
                }
                if (System.nanoTime() > deadline) {
                    break;
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Map.Entry<Thread, Socket> e : Map.copyOf(associations).entrySet()) {
            if (!inReleaseWait(e.getKey())) {
                LOG.log(System.Logger.Level.WARNING, "C-STORE SCP " + aeTitle + ": aborting an association still open"
                        + " after " + wait.toSeconds() + " s");
            }
            try {
                e.getValue().close();
            } catch (IOException ignored) {
                // already closed
            }
        }
        try {
            Files.deleteIfExists(incoming);
        } catch (IOException ignored) {
            // not empty (an association still running) or gone
        }
        return idle;
    }

    private static boolean inReleaseWait(Thread t) {
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getMethodName().equals("waitForARTIMBeforeTransportConnectionClose")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /** Names PixelMed's files randomly: never trust a UID from the network as a file name. */
    private static final class RandomNames extends StoredFilePathStrategy {
        @Override
        public String makeStoredFilePath(String sopInstanceUid) {
            return UUID.randomUUID() + ".part";
        }

        @Override
        public File makeStoredFilePath(File folder, String sopInstanceUid) {
            return new File(folder, makeStoredFilePath(sopInstanceUid));
        }

        @Override
        public String toString() {
            return "random names";
        }
    }
}
