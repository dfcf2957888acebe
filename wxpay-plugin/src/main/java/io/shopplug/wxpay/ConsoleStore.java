package io.shopplug.wxpay;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;

/**
 * The admin console's reads and writes: the notify log, anomalies, the outbox, the cluster-wide
 * settings and the audit trail. Every change an admin makes is written together with its audit
 * row, in one transaction. Thread-safe.
 *
 * <p>A database failure surfaces as {@link ConsoleStore.Unavailable} (its message holds no SQL,
 * value or secret); a bug surfaces as it is.
 */
final class ConsoleStore {
    /** The most rows one page of any list shows. */
    static final int MAX_PAGE = 100;
    static final int MAX_ACTOR = 200;

    /** The database could not be read or written. */
    static final class Unavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unavailable(RuntimeException cause) {
            super("database unavailable (" + SqlErrors.describe(cause) + ")", cause);
        }
    }

    private final SqlSessionFactory sessions;
    private final Clock clock;

    ConsoleStore(SqlSessionFactory sessions, Clock clock) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (!sessions.getConfiguration().hasMapper(ConsoleMapper.class)) {
            throw new IllegalArgumentException("the session factory lacks ConsoleMapper; build it with Database");
        }
    }

    /** True when a trivial query answers. Never throws. */
    boolean ping() {
        try {
            return read(m -> m.ping()) == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** One page of the notify log, newest first; {@code q.limit} is capped at {@link #MAX_PAGE}. */
    List<ConsoleRows.LogEntry> searchLog(ConsoleRows.LogQuery q) {
        q.limit = Math.max(1, Math.min(q.limit, MAX_PAGE));
        return read(m -> m.searchLog(q));
    }

    Optional<ConsoleRows.LogEntry> logEntry(long id) {
        return Optional.ofNullable(read(m -> m.logEntry(id)));
    }

    /** The recorded payment and refund with this business key (usually one, at most one of each kind). */
    List<ConsoleRows.TransactionRow> transactions(String businessKey) {
        return read(m -> m.transactionsByKey(businessKey));
    }

    List<ConsoleRows.AnomalyRow> anomalies(Boolean handled, Long beforeId, int limit) {
        int bounded = Math.max(1, Math.min(limit, MAX_PAGE));
        return read(m -> m.anomalies(handled, beforeId, bounded));
    }

    Optional<ConsoleRows.AnomalyRow> anomaly(long id) {
        return Optional.ofNullable(read(m -> m.anomaly(id)));
    }

    long openAnomalies() {
        return read(ConsoleMapper::countOpenAnomalies);
    }

    /**
     * Marks an open anomaly handled by {@code actor}, with an audit row, in one transaction.
     *
     * @return false when there is no such anomaly or it was already handled (nothing written)
     */
    boolean markHandled(long id, String actor) {
        Instant now = now();
        return write(m -> {
            if (m.markHandled(id, cut(actor), now) == 0) {
                return false;
            }
            m.insertAudit(now, cut(actor), "anomaly-handled", "anomaly " + id, null);
            return true;
        });
    }

    ConsoleRows.OutboxStats outboxStats() {
        ConsoleRows.OutboxStats stats = read(ConsoleMapper::outboxStats);
        return stats != null ? stats : new ConsoleRows.OutboxStats();
    }

    Optional<ConsoleRows.Setting> setting(String name) {
        return Optional.ofNullable(read(m -> m.setting(name)));
    }

    /** Sets a cluster-wide setting and writes who did it, in one transaction. */
    void putSetting(String name, String value, String actor) {
        Instant now = now();
        write(m -> {
            if (m.updateSetting(name, value, cut(actor), now) == 0) {
                // First change ever: there is no row yet (a concurrent first change fails here
                // on the primary key and is answered "database unavailable, try again").
                m.insertSetting(name, value, cut(actor), now);
            }
            m.insertAudit(now, cut(actor), "setting", name, value);
            return null;
        });
    }

    /** Records an admin action that changed state elsewhere (a replay through the dispatcher). */
    void audit(String actor, String action, String target, String detail) {
        Instant now = now();
        write(m -> {
            m.insertAudit(now, cut(actor), action, NotifyStore.cut(target, 200), NotifyStore.cut(detail, 200));
            return null;
        });
    }

    List<ConsoleRows.AuditRow> recentAudit(int limit) {
        int bounded = Math.max(1, Math.min(limit, MAX_PAGE));
        return read(m -> m.recentAudit(bounded));
    }

    private interface Work<T> {
        T apply(ConsoleMapper mapper);
    }

    private <T> T read(Work<T> work) {
        try (SqlSession s = sessions.openSession(true)) {
            return work.apply(s.getMapper(ConsoleMapper.class));
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private <T> T write(Work<T> work) {
        try (SqlSession s = sessions.openSession(false)) {
            T result = work.apply(s.getMapper(ConsoleMapper.class));
            s.commit(true);
            return result;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    /** The admin's name as the audit keeps it: trimmed, printable, at most 200 characters. */
    static String cut(String actor) {
        String a = actor == null || actor.trim().isEmpty() ? "(unnamed admin)" : actor.trim();
        StringBuilder sb = new StringBuilder(a.length());
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return NotifyStore.cut(sb.toString(), MAX_ACTOR);
    }

    private static RuntimeException translate(RuntimeException e) {
        return SqlErrors.hasSqlException(e) ? new Unavailable(e) : e;
    }
}
