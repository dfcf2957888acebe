package io.shopplug.sample;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.TransactionalPaymentListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The test's own listeners, registered in a sample shop besides the shop's (which stay as they
 * are): one that counts its calls per idempotency key, and a transactional one whose effect is a
 * row in {@code test_tx_effect} written through the plugin's transaction (no unique key, so a
 * second effect would show as a second row).
 */
final class TestListeners {
    static final String EFFECT_TABLE = "test_tx_effect";

    private TestListeners() {}

    /** Creates the effect table; run before the shops deliver anything. */
    static void createEffectTable(DataSource ds) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + EFFECT_TABLE
                    + " (idempotency_key VARCHAR(100) NOT NULL, node VARCHAR(32) NOT NULL)");
        }
    }

    static void writeEffect(Connection c, String key, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + EFFECT_TABLE + " (idempotency_key, node) VALUES (?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, node);
            ps.executeUpdate();
        }
    }

    /** Counts completed calls per idempotency key. */
    static final class Counting implements PaymentListener {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        @Override
        public void onPaid(PaymentEvent event) {
            calls.computeIfAbsent(event.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Writes one effect row per call through the plugin's transaction, tagged with its node. */
    static final class Effect implements TransactionalPaymentListener {
        final String node;
        final AtomicInteger calls = new AtomicInteger();

        Effect(String node) {
            this.node = node;
        }

        @Override
        public void onPaid(PaymentEvent event, Connection connection) throws SQLException {
            calls.incrementAndGet();
            writeEffect(connection, event.idempotencyKey(), node);
        }
    }

    /**
     * For a shop in a JVM of its own ({@link SampleShop#EXTRA_LISTENERS}): writes its effect, then,
     * when {@code shop.test.block-effect=true}, blocks for good before its transaction can commit,
     * so deliveries stay open until the process is killed.
     */
    public static final class Blocking implements TransactionalPaymentListener {
        /** Printed, with the event's key, once a blocking call has written its effect and waits. */
        static final String BLOCKED = "TestListeners.Blocking waits in its transaction: ";

        private final boolean block = Boolean.getBoolean("shop.test.block-effect");
        private final String node = System.getProperty("shop.test.node", "child");

        public Blocking() {}

        @Override
        public void onPaid(PaymentEvent event, Connection connection) throws SQLException {
            writeEffect(connection, event.idempotencyKey(), node);
            if (block) {
                System.out.println(BLOCKED + event.idempotencyKey());
                System.out.flush();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while blocked");
                }
            }
        }
    }
}
