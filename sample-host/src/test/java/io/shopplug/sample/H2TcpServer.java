package io.shopplug.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.sql.SQLException;
import java.util.UUID;
import org.h2.tools.Server;

/**
 * An H2 TCP server in the test's JVM on 127.0.0.1 (local connections only), serving in-memory
 * databases that outlive every client: several shop pools, in this JVM or another, share one.
 */
final class H2TcpServer implements AutoCloseable {
    static {
        // Listen on loopback only (read by H2 when it first opens a server socket).
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
    }

    private final Server server;
    private final int port;

    private H2TcpServer(Server server, int port) {
        this.server = server;
        this.port = port;
    }

    static H2TcpServer start() {
        try {
            int port;
            try (ServerSocket probe = new ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            return new H2TcpServer(Server.createTcpServer("-tcpPort", Integer.toString(port),
                    "-ifNotExists").start(), port);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return port;
    }

    /** A new in-memory database on this server, alive until the server stops. */
    String newDatabaseUrl(String prefix) {
        return "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:" + prefix + "-" + UUID.randomUUID()
                + ";DB_CLOSE_DELAY=-1";
    }

    @Override
    public void close() {
        server.stop();
    }
}
