package io.shopplug.bench.storm;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The shop a storm runs against: where it listens, its database, and the process to watch. The
 * shop must run the sample shop's APIv3 public-key mode with {@link #platformKeyFile()} as
 * {@code shop.wxpay.platform-key-file}, so that the storm's notifications are trusted.
 */
public interface StormTarget {

    /** The shop's base URI, on 127.0.0.1. */
    URI baseUri();

    /** A new connection to the shop's database; the caller closes it. */
    Connection connect() throws SQLException;

    /** The file with WeChat Pay's simulated private key that the shop trusts. */
    Path platformKeyFile();

    /** The process id of the shop's JVM, for its CPU time and resident memory. */
    long pid();

    /** Whether the driver runs in the shop's JVM (its CPU and heap then include the driver's). */
    boolean sharesTheDriversJvm();

    /** The shop JVM's heap now, if it can be read. */
    Optional<Heap> heap();

    /**
     * One reading of a JVM's heap.
     *
     * @param usedBytes heap in use
     * @param committedBytes heap committed
     * @param gcMillis garbage collection time since the JVM started, all collectors
     */
    record Heap(long usedBytes, long committedBytes, long gcMillis) {}

    /**
     * A shop running in this JVM (the test profile): its base URI, its database and its key file.
     */
    static StormTarget inThisJvm(URI baseUri, DataSource dataSource, Path platformKeyFile) {
        Objects.requireNonNull(baseUri, "baseUri");
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(platformKeyFile, "platformKeyFile");
        return new StormTarget() {
            @Override
            public URI baseUri() {
                return baseUri;
            }

            @Override
            public Connection connect() throws SQLException {
                return dataSource.getConnection();
            }

            @Override
            public Path platformKeyFile() {
                return platformKeyFile;
            }

            @Override
            public long pid() {
                return ProcessHandle.current().pid();
            }

            @Override
            public boolean sharesTheDriversJvm() {
                return true;
            }

            @Override
            public Optional<Heap> heap() {
                return Optional.of(localHeap());
            }
        };
    }

    /** This JVM's heap. */
    static Heap localHeap() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        long gc = 0;
        for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            gc += Math.max(0, b.getCollectionTime());
        }
        return new Heap(heap.getUsed(), heap.getCommitted(), gc);
    }
}
