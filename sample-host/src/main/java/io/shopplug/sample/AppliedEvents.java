package io.shopplug.sample;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a listener's effect happen exactly once: the effect and a row in
 * {@code shop_applied_event(idempotency_key, listener)} commit in one transaction, so a repeated
 * delivery hits the primary key and is skipped. Concurrent deliveries of one event serialise on
 * that key: the loser waits for the winner's commit and then sees the duplicate.
 */
final class AppliedEvents {
    private static final Logger LOG = LoggerFactory.getLogger(AppliedEvents.class);

    /** The work done in the shop's transaction, after the event has been claimed. */
    @FunctionalInterface
    interface Effect {
        void apply(Connection connection) throws SQLException;
    }

    /** What became of one delivery. A duplicate is a normal result, not an error. */
    enum Outcome { APPLIED, DUPLICATE }

    private final DataSource dataSource;
    private final Clock clock;

    AppliedEvents(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Claims {@code (idempotencyKey, listener)} and applies the effect in the same transaction.
     *
     * @throws IllegalStateException if the database fails or the effect throws; nothing is then
     *     recorded, so a later delivery tries again
     */
    Outcome applyOnce(String idempotencyKey, String listener, Effect effect) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                return applyInTransaction(c, idempotencyKey, listener, effect);
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(listener + " could not apply " + idempotencyKey + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Claims {@code (idempotencyKey, listener)} and applies the effect on a connection whose
     * transaction someone else owns (the plugin's delivery transaction): no commit, no rollback
     * here; an exception undoes both when the owner rolls back.
     */
    Outcome applyWithin(Connection c, String idempotencyKey, String listener, Effect effect) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM shop_applied_event WHERE idempotency_key = ? AND listener = ?")) {
            ps.setString(1, idempotencyKey);
            ps.setString(2, listener);
            try (var rs = ps.executeQuery()) {
                if (rs.next()) {
                    return Outcome.DUPLICATE;
                }
            }
        }
        if (!claim(c, idempotencyKey, listener)) {
            return Outcome.DUPLICATE;
        }
        effect.apply(c);
        return Outcome.APPLIED;
    }

    private Outcome applyInTransaction(Connection c, String idempotencyKey, String listener,
            Effect effect) throws SQLException {
        try {
            if (!claim(c, idempotencyKey, listener)) {
                c.rollback();
                return Outcome.DUPLICATE;
            }
            effect.apply(c);
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        }
        try {
            c.commit();
            return Outcome.APPLIED;
        } catch (SQLException e) {
            rollbackQuietly(c);
            if (isDuplicateKey(e)) {
                // The claim lost a race that this database reports only at commit.
                return Outcome.DUPLICATE;
            }
            throw e;
        }
    }

    private boolean claim(Connection c, String key, String listener) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO shop_applied_event (idempotency_key, listener, applied_at) VALUES (?, ?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, listener);
            ps.setObject(3, ShopDatabase.utc(clock.instant()));
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }

    /** SQLState class 23 is an integrity violation; the claim table has no other constraint. */
    static boolean isDuplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.warn("Rollback failed", e);
        }
    }
}
