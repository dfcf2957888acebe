package io.shopplug.bench.storm;

import com.sun.tools.attach.VirtualMachine;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The sample shop in a JVM of its own ({@code java -Xms -Xmx -cp <this class path>
 * io.shopplug.sample.SampleShop}), on 127.0.0.1 and a free port, in APIv3 public-key mode with the
 * storm's key file, its log in {@code shop.log}. Its heap is read over JMX through the JDK's attach
 * API (a local management agent); its database directly, by JDBC. {@link #close()} stops it
 * (SIGTERM, then kill after 30 s).
 */
final class ShopProcess implements StormTarget, AutoCloseable {
    private static final Pattern RUNNING = Pattern.compile("Sample shop running at (http://127\\.0\\.0\\.1:[0-9]+/)");
    private static final Duration START_LIMIT = Duration.ofSeconds(120);

    private final Process process;
    private final URI baseUri;
    private final String dbUrl;
    private final String dbUser;
    private final Path keyFile;
    private final Path log;
    private JMXConnector jmx;
    private MemoryMXBean memory;
    private List<GarbageCollectorMXBean> collectors;
    private boolean heapUnavailable;

    private ShopProcess(Process process, URI baseUri, String dbUrl, String dbUser, Path keyFile, Path log) {
        this.process = process;
        this.baseUri = baseUri;
        this.dbUrl = dbUrl;
        this.dbUser = dbUser;
        this.keyFile = keyFile;
        this.log = log;
    }

    /**
     * Starts the shop and waits until it listens.
     *
     * @param dbUrl the shop's database ({@code shop.db.url}); for H2 a file URL with
     *     {@code AUTO_SERVER=TRUE}, so that the driver can open it while the shop has it open
     * @param dir its data directory and its log go here
     * @param jfr whether it records a Java Flight Recording into {@code dir/shop.jfr}
     * @throws IllegalStateException with the end of its log if it stops or does not listen in time
     */
    static ShopProcess start(String heap, String dbUrl, String dbUser, Path keyFile, Path dir, boolean jfr,
            Deadline deadline) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path log = dir.resolve("shop.log");
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-Xms" + heap, "-Xmx" + heap,
                // H2's AUTO_SERVER socket (H2 runs only) on loopback alone.
                "-Dh2.bindAddress=127.0.0.1",
                // A log line per notification would be the shop's main work: warnings and errors only.
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dshop.host=127.0.0.1", "-Dshop.port=0",
                "-Dshop.db.url=" + dbUrl, "-Dshop.db.user=" + dbUser, "-Dshop.db.password=",
                "-Dshop.wxpay.api=v3", "-Dshop.wxpay.key-mode=public-key",
                "-Dshop.wxpay.platform-key-file=" + keyFile.toAbsolutePath(),
                "-Dshop.data.dir=" + dir.resolve("shop-data").toAbsolutePath(),
                // The storm's orders are paid by its notifications; reconciliation stays out of it.
                "-Dshop.reconcile.delay-seconds=3600",
                "-cp", System.getProperty("java.class.path"),
                "io.shopplug.sample.SampleShop"));
        if (jfr) {
            command.add(1, "-XX:StartFlightRecording=filename=" + dir.resolve("shop.jfr").toAbsolutePath()
                    + ",settings=profile,dumponexit=true");
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
        // Only the settings above: none from the environment of whoever runs the storm.
        pb.environment().keySet().removeIf(k -> k.startsWith("SHOP_") || k.startsWith("WXPAY_"));
        Process process = pb.start();
        long limit = System.nanoTime() + Math.min(START_LIMIT.toMillis(), deadline.remainingMillis()) * 1_000_000;
        while (System.nanoTime() < limit) {
            Matcher m = RUNNING.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return new ShopProcess(process, URI.create(m.group(1)), dbUrl, dbUser, keyFile, log);
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("the shop stopped (exit " + process.exitValue() + "):\n" + tail(log));
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IllegalStateException("the shop did not listen within " + START_LIMIT.toSeconds() + " s:\n" + tail(log));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public URI baseUri() {
        return baseUri;
    }

    @Override
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(dbUrl, dbUser, "");
    }

    @Override
    public Path platformKeyFile() {
        return keyFile;
    }

    @Override
    public long pid() {
        return process.pid();
    }

    @Override
    public boolean sharesTheDriversJvm() {
        return false;
    }

    /** The shop's log file. */
    Path log() {
        return log;
    }

    @Override
    public synchronized Optional<Heap> heap() {
        if (heapUnavailable || !process.isAlive()) {
            return Optional.empty();
        }
        try {
            if (memory == null) {
                VirtualMachine vm = VirtualMachine.attach(Long.toString(process.pid()));
                String address;
                try {
                    address = vm.startLocalManagementAgent();
                } finally {
                    vm.detach();
                }
                jmx = JMXConnectorFactory.connect(new JMXServiceURL(address));
                MBeanServerConnection server = jmx.getMBeanServerConnection();
                memory = ManagementFactory.newPlatformMXBeanProxy(server, ManagementFactory.MEMORY_MXBEAN_NAME,
                        MemoryMXBean.class);
                collectors = ManagementFactory.getPlatformMXBeans(server, GarbageCollectorMXBean.class);
            }
            MemoryUsage heap = memory.getHeapMemoryUsage();
            long gc = 0;
            for (GarbageCollectorMXBean b : collectors) {
                gc += Math.max(0, b.getCollectionTime());
            }
            return Optional.of(new Heap(heap.getUsed(), heap.getCommitted(), gc));
        } catch (Exception | LinkageError e) {
            heapUnavailable = true;
            System.err.println("storm: cannot read the shop's heap (" + e + "); reported as n/a");
            return Optional.empty();
        }
    }

    /** Stops the shop: SIGTERM (its shutdown hook closes it), then kill after 30 s. */
    @Override
    public synchronized void close() {
        if (jmx != null) {
            try {
                jmx.close();
            } catch (IOException ignored) {
                // the shop is going anyway
            }
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
