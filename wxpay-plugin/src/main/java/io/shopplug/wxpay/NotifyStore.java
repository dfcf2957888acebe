package io.shopplug.wxpay;

import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ibatis.session.ExecutorType;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.TransactionIsolationLevel;
import org.apache.ibatis.session.SqlSessionFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin's durable record of notifications: the exactly-once transaction record with its
 * outbox (refunds checked against their recorded payment), anomalies, the notify log. The database is the only coordination between nodes:
 * unique keys make concurrent duplicates harmless, on one node or many. Thread-safe.
 *
 * <p>Every method except {@link #logNotify} throws {@link NotifyRejected} with
 * {@link Reason#DATABASE_UNAVAILABLE} when the database cannot be reached or fails (a retryable
 * answer); no exception text written here holds a secret.
 */
final class NotifyStore {
    private static final Logger log = LoggerFactory.getLogger(NotifyStore.class);

    static final int MAX_LISTENER_ID = 200;
    static final int MAX_ERROR = 1000;

    private final SqlSessionFactory sessions;
    private final Clock clock;
    private final AtomicLong deliveryMarks = new AtomicLong();

    /**
     * @param sessions a factory whose configuration has {@link NotifyMapper} (see {@link Database})
     * @param clock the time written to {@code recorded_at}, outbox, anomaly and log rows
     */
    NotifyStore(SqlSessionFactory sessions, Clock clock) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (!sessions.getConfiguration().hasMapper(NotifyMapper.class)) {
            throw new IllegalArgumentException("the session factory lacks NotifyMapper; build it with Database");
        }
    }

    /** True if a transaction with this (kind, business key) is committed. */
    boolean isRecorded(EventKind kind, String businessKey) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(businessKey, "businessKey");
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(NotifyMapper.class).countTransactions(kind, businessKey) > 0;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Records {@code n} and one PENDING outbox entry per distinct listener id (due now) in one
     * database transaction. If (business key, kind) is already recorded — also by a concurrent
     * call on this or another node — writes nothing and returns {@link RecordResult#duplicate()}.
     * Checks nothing against other records: the pipeline records refunds with
     * {@link #recordRefund}, which checks them against their payment.
     *
     * @param listenerIds ids of the listeners to deliver to, at most 200 characters each;
     *     repeats are delivered once; may be empty
     * @throws NotifyRejected {@link Reason#MISSING_FIELD} if a field is longer than its column
     *     (never silently truncated), {@link Reason#DATABASE_UNAVAILABLE} on a database failure
     */
    RecordResult record(Notification n, List<String> listenerIds) {
        Objects.requireNonNull(n, "notification");
        List<String> listeners = distinctListeners(listenerIds);
        checkFits(n);
        Instant now = now();
        Map<String, Object> row = transactionRow(n);
        row.put("now", now);
        try (SqlSession s = sessions.openSession(false)) {
            return insertWithOutbox(s, n, row, listeners, now);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Records the refund {@code n} like {@link #record}, but only if it fits the payment it
     * refunds, checked and inserted in one database transaction that holds the payment's row
     * locked ({@code SELECT ... FOR UPDATE}): refunds of one payment serialise there, on every
     * node, so two different refunds racing can never together exceed it. In that transaction:
     * <ol>
     *   <li>the payment with {@code n}'s transaction id must be recorded, for the same
     *       {@code out_trade_no} and merchant, else {@link Reason#UNKNOWN_PAYMENT};</li>
     *   <li>a refund with {@code n}'s refund id already recorded is a duplicate;</li>
     *   <li>the currency must be the payment's ({@link Reason#CURRENCY_MISMATCH}) and
     *       {@link Notification#paymentFen()} its amount ({@link Reason#AMOUNT_MISMATCH});</li>
     *   <li>{@code n}'s amount plus every refund already recorded for the transaction must not
     *       exceed the payment ({@link Reason#REFUND_EXCEEDS_PAYMENT}).</li>
     * </ol>
     * A refusal writes nothing (recording it as an anomaly is the caller's part).
     *
     * @throws IllegalArgumentException if {@code n} is not a refund
     * @throws NotifyRejected with one of the reasons above; otherwise as for {@link #record}
     */
    RecordResult recordRefund(Notification n, List<String> listenerIds) {
        Objects.requireNonNull(n, "notification");
        if (n.kind() != EventKind.REFUND) {
            throw new IllegalArgumentException("not a refund: " + n);
        }
        List<String> listeners = distinctListeners(listenerIds);
        checkFits(n);
        Instant now = now();
        Map<String, Object> row = transactionRow(n);
        row.put("now", now);
        try (SqlSession s = sessions.openSession(false)) {
            NotifyMapper mapper = s.getMapper(NotifyMapper.class);
            Long paymentId = mapper.findPaymentId(n.transactionId());
            Map<String, Object> payment = paymentId == null ? null : mapper.lockPayment(paymentId);
            if (payment == null) {
                s.rollback(true);
                throw new NotifyRejected(Reason.UNKNOWN_PAYMENT);
            }
            List<Map<String, Object>> refunds = mapper.lockRefunds(n.transactionId());
            long refundedFen = 0;
            for (Map<String, Object> refund : refunds) {
                if (n.businessKey().equals(refund.get("businessKey"))) {
                    s.rollback(true);
                    return RecordResult.duplicate();
                }
                refundedFen += ((Number) refund.get("amountFen")).longValue();
            }
            Reason refusal = refusal(n, payment, refundedFen);
            if (refusal != null) {
                s.rollback(true);
                throw new NotifyRejected(refusal);
            }
            return insertWithOutbox(s, n, row, listeners, now);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** Why refund {@code n} does not fit its recorded payment, or null if it does. */
    private static Reason refusal(Notification n, Map<String, Object> payment, long refundedFen) {
        if (!n.outTradeNo().equals(payment.get("outTradeNo"))
                || !n.merchantId().equals(payment.get("merchantId"))) {
            return Reason.UNKNOWN_PAYMENT;
        }
        if (!n.currency().equals(payment.get("currency"))) {
            return Reason.CURRENCY_MISMATCH;
        }
        long paymentFen = ((Number) payment.get("amountFen")).longValue();
        if (n.paymentFen() != paymentFen) {
            return Reason.AMOUNT_MISMATCH;
        }
        if (n.amountFen() > paymentFen - refundedFen) {
            return Reason.REFUND_EXCEEDS_PAYMENT;
        }
        return null;
    }

    /**
     * Inserts the transaction row and its outbox entries in {@code s}'s transaction and commits;
     * a duplicate key rolls back and is a duplicate.
     */
    private RecordResult insertWithOutbox(SqlSession s, Notification n, Map<String, Object> row,
            List<String> listeners, Instant now) {
        NotifyMapper mapper = s.getMapper(NotifyMapper.class);
        try {
            mapper.insertTransaction(row);
        } catch (RuntimeException e) {
            if (!SqlErrors.isConstraintViolation(e)) {
                throw e;
            }
            s.rollback(true);
            return RecordResult.duplicate();
        }
        long transactionRowId = generatedId(row);
        List<Delivery> deliveries = new ArrayList<>(listeners.size());
        for (String listener : listeners) {
            Map<String, Object> entry = new HashMap<>();
            entry.put("transactionRef", transactionRowId);
            entry.put("listener", listener);
            entry.put("now", now);
            mapper.insertOutbox(entry);
            deliveries.add(Delivery.pending(generatedId(entry), listener, n));
        }
        s.commit(true);
        return RecordResult.recorded(transactionRowId, deliveries);
    }

    /**
     * Records that {@code n} is genuine but cannot be applied, once per (business key, kind,
     * reason): the first call inserts it (occurrences 1) and returns true; every later call, also
     * a concurrent one, counts one more occurrence and returns false.
     *
     * @throws NotifyRejected as for {@link #record}
     */
    boolean recordAnomaly(Notification n, Reason reason) {
        Objects.requireNonNull(n, "notification");
        Objects.requireNonNull(reason, "reason");
        checkFits(n);
        Instant now = now();
        try (SqlSession s = sessions.openSession(true)) {
            NotifyMapper mapper = s.getMapper(NotifyMapper.class);
            // Retries are the common case: try to count first, insert only when nothing is there.
            if (mapper.bumpAnomaly(n.kind(), n.businessKey(), reason, now) > 0) {
                return false;
            }
            try {
                mapper.insertAnomaly(transactionRow(n), reason, now);
                return true;
            } catch (RuntimeException e) {
                if (!SqlErrors.isConstraintViolation(e)) {
                    throw e;
                }
            }
            // A concurrent copy inserted it between our update and insert: count this one.
            mapper.bumpAnomaly(n.kind(), n.businessKey(), reason, now);
            return false;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Inserts notify log rows in one transaction, with JDBC batching ({@link NotifyLog} calls it
     * from its writer thread).
     *
     * @throws RuntimeException if the database refuses them; nothing is written then
     */
    void logNotify(List<NotifyLog.Row> rows) {
        try (SqlSession s = sessions.openSession(ExecutorType.BATCH, false)) {
            NotifyMapper mapper = s.getMapper(NotifyMapper.class);
            for (NotifyLog.Row row : rows) {
                mapper.insertNotifyLog(row);
            }
            s.flushStatements();
            s.commit(true);
        }
    }

    /**
     * Deletes the oldest notify log rows received after {@code after} (null: from the first) and
     * before {@code before}: at most {@code batch}, or a few more when several share the last
     * one's time.
     *
     * @return how many rows went, and up to which time when a whole batch did (the next batch
     *     starts after it, so it does not walk over the index entries this one left behind)
     * @throws RuntimeException if the database refuses; nothing is deleted then
     */
    Purged purgeNotifyLog(Instant after, Instant before, int batch) {
        try (SqlSession s = sessions.openSession(true)) {
            NotifyMapper mapper = s.getMapper(NotifyMapper.class);
            Instant last = mapper.selectNotifyLogTime(after, before, batch - 1);
            return last == null ? new Purged(mapper.deleteNotifyLog(after, before, false), null)
                    : new Purged(mapper.deleteNotifyLog(after, last, true), last);
        }
    }

    /** What one {@link #purgeNotifyLog} batch deleted. */
    static final class Purged {
        final int rows;
        /** Null when no row older than the cut-off was left. */
        final Instant upTo;

        Purged(int rows, Instant upTo) {
            this.rows = rows;
            this.upTo = upTo;
        }
    }

    /** The outbox entry {@code outboxId} with its transaction's fields, or null if there is none. */
    Delivery loadDelivery(long outboxId) {
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(NotifyMapper.class).selectDelivery(outboxId);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Up to {@code limit} ids of entries to deliver now: every PENDING entry and every FAILED one
     * whose {@code next_attempt_at} is not after now, whose lease is free or expired; the longest
     * due first. This only reads: two nodes may get the same ids, and {@link #claim} decides.
     */
    List<Long> dueOutbox(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(NotifyMapper.class).selectDue(now(), limit);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Takes the lease of an entry for {@code owner} until {@code leaseUntil}, if the entry is due
     * (PENDING, or FAILED and due) and nobody holds an unexpired lease on it. One conditional
     * UPDATE: of any number of nodes racing for the entry, exactly one gets true.
     */
    boolean claim(long outboxId, String owner, Instant leaseUntil) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(NotifyMapper.class).claim(outboxId, owner, now(), leaseUntil) == 1;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** Extends {@code owner}'s leases on these entries (those it still holds) to {@code leaseUntil}. */
    int renewLeases(String owner, List<Long> outboxIds, Instant leaseUntil) {
        Objects.requireNonNull(owner, "owner");
        if (outboxIds.isEmpty()) {
            return 0;
        }
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(NotifyMapper.class).renewLeases(owner, new ArrayList<>(outboxIds), leaseUntil);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** Gives up {@code owner}'s lease on the entry, so any node may take it at once. */
    void releaseLease(long outboxId, String owner) {
        try (SqlSession s = sessions.openSession(true)) {
            s.getMapper(NotifyMapper.class).releaseLease(outboxId, owner);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Marks the entry DELIVERED now, counts the attempt and frees the lease, if {@code owner}
     * holds the lease and the entry is PENDING or FAILED.
     *
     * @return false if the lease was lost (expired and taken by another node), was never taken,
     *     or the entry is already final; nothing was changed
     */
    boolean markDelivered(long outboxId, String owner) {
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(NotifyMapper.class).markDelivered(outboxId, owner, null, now(), false) == 1;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Counts a failed attempt of the entry whose lease {@code owner} holds and frees the lease:
     * FAILED and due again at {@code nextAttemptAt}, or DEAD when this was attempt
     * {@code maxAttempts}. Keeps {@code error} (cut to 1000 characters; it must hold no secret).
     *
     * @return false if the lease was lost or the entry is already final; nothing was changed
     */
    boolean markFailed(long outboxId, String owner, String error, Instant nextAttemptAt, int maxAttempts) {
        return markFailed(outboxId, owner, false, error, nextAttemptAt, maxAttempts);
    }

    /**
     * Counts a failed attempt of a transactional delivery, as {@link #markFailed} does, of an
     * entry {@code owner} holds as {@link #deliverInTransaction} takes it: by its lease, or PENDING
     * with no unexpired lease on it.
     */
    boolean markTransactionalFailed(long outboxId, String owner, String error, Instant nextAttemptAt,
            int maxAttempts) {
        return markFailed(outboxId, owner, true, error, nextAttemptAt, maxAttempts);
    }

    private boolean markFailed(long outboxId, String owner, boolean orUnheldPending, String error,
            Instant nextAttemptAt, int maxAttempts) {
        Objects.requireNonNull(nextAttemptAt, "nextAttemptAt");
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(NotifyMapper.class).markFailed(outboxId, owner, now(), orUnheldPending,
                    cut(error, MAX_ERROR), nextAttemptAt, maxAttempts) == 1;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** Work done inside a delivery's transaction, on its connection. */
    interface InTransaction {
        void run(Connection connection) throws Exception;
    }

    /** Thrown by {@link #deliverInTransaction} when its work failed; the transaction was rolled back. */
    static final class WorkFailed extends RuntimeException {
        WorkFailed(Throwable cause) {
            super(cause);
        }
    }

    /**
     * In one transaction: marks the entry DELIVERED as {@link #markDelivered} does, where a
     * PENDING entry with no unexpired lease needs no claim first (the mark locks its row until the
     * end, so another node that reaches for it waits, then finds it delivered), runs {@code work}
     * on the transaction's connection, and commits. The work's effect and the delivery record
     * commit together or not at all.
     *
     * @return false if another node holds the entry's lease, or it is FAILED and not leased to
     *     {@code owner}, or final: nothing ran
     * @throws WorkFailed wrapping what {@code work} threw, or saying that the transaction was
     *     rolled back under it (by a database error it caught); everything was rolled back
     * @throws NotifyRejected {@link Reason#DATABASE_UNAVAILABLE} if the database failed; when the
     *     commit itself failed, the outcome is unknown (the entry is then either delivered or due
     *     again: never both)
     */
    boolean deliverInTransaction(long outboxId, String owner, InTransaction work) {
        Objects.requireNonNull(work, "work");
        // READ COMMITTED on every database (MariaDB's default is REPEATABLE READ): a listener that
        // waits for a lock then reads sees what committed meanwhile, not a snapshot from before.
        try (SqlSession s = sessions.openSession(TransactionIsolationLevel.READ_COMMITTED)) {
            NotifyMapper mapper = s.getMapper(NotifyMapper.class);
            String mark = owner + "/" + deliveryMarks.incrementAndGet();
            if (mapper.markDelivered(outboxId, owner, mark, now(), true) != 1) {
                s.rollback(true);
                return false;
            }
            try {
                work.run(s.getConnection());
            } catch (Exception | LinkageError e) {
                throw rolledBack(s, e);
            }
            // A database error the work caught may have rolled the whole transaction back (a
            // deadlock's victim on MariaDB), the mark with it; what it wrote afterwards would then
            // commit alone and the entry be delivered again. The mark must still be there.
            if (mapper.clearDeliveryMark(outboxId, mark) != 1) {
                throw rolledBack(s, new IllegalStateException("the delivery transaction was rolled back"
                        + " while the work ran (a database error it caught, such as a deadlock, does that);"
                        + " nothing it wrote is committed"));
            }
            s.commit(true);
            return true;
        } catch (WorkFailed e) {
            throw e;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private static WorkFailed rolledBack(SqlSession s, Throwable cause) {
        try {
            s.rollback(true);
        } catch (RuntimeException rollbackFailed) {
            // Closing the session (and the pool, on return) rolls back; nothing committed.
            cause.addSuppressed(rollbackFailed);
        }
        return new WorkFailed(cause);
    }

    /** Up to {@code limit} dead letters, oldest first. */
    List<DeadLetter> deadLetters(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(NotifyMapper.class).selectDeadLetters(limit);
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * Puts a DEAD entry back: PENDING, no attempts, due now, so any node's sweeper delivers it.
     *
     * @return false if the entry is not DEAD (or does not exist)
     */
    boolean replay(long outboxId) {
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(NotifyMapper.class).replayDead(outboxId, now()) == 1;
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    /** Replays every DEAD entry as {@link #replay} does; returns how many. */
    int replayAll() {
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(NotifyMapper.class).replayDead(null, now());
        } catch (RuntimeException e) {
            throw translate(e);
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private static Map<String, Object> transactionRow(Notification n) {
        Map<String, Object> row = new HashMap<>();
        row.put("kind", n.kind());
        row.put("businessKey", n.businessKey());
        row.put("api", n.api());
        row.put("transactionId", n.transactionId());
        row.put("outTradeNo", n.outTradeNo());
        row.put("merchantId", n.merchantId());
        row.put("appId", n.appId());
        row.put("amountFen", n.amountFen());
        row.put("currency", n.currency());
        row.put("eventTime", n.eventTime());
        row.put("payload", n.payload());
        row.put("outRefundNo", n.outRefundNo());
        row.put("paymentFen", n.kind() == EventKind.REFUND ? Long.valueOf(n.paymentFen()) : null);
        row.put("spMerchantId", n.spMerchantId());
        return row;
    }

    private static long generatedId(Map<String, Object> row) {
        Object id = row.get("id");
        if (!(id instanceof Number)) {
            throw new IllegalStateException("the database returned no generated id");
        }
        return ((Number) id).longValue();
    }

    private static List<String> distinctListeners(List<String> listenerIds) {
        Objects.requireNonNull(listenerIds, "listenerIds");
        Set<String> distinct = new LinkedHashSet<>();
        for (String id : listenerIds) {
            if (id == null || id.trim().isEmpty() || id.length() > MAX_LISTENER_ID) {
                throw new IllegalArgumentException("a listener id must be 1 to 200 characters, not blank");
            }
            distinct.add(id);
        }
        return Collections.unmodifiableList(new ArrayList<>(distinct));
    }

    /**
     * A value longer than its column would fail (or, on a lax MySQL, be cut and so merge two
     * keys): refuse it as invalid input rather than as a retryable database failure.
     */
    private static void checkFits(Notification n) {
        if (n.businessKey().length() > 64 || n.transactionId().length() > 64
                || n.outTradeNo().length() > 64 || n.merchantId().length() > 32
                || n.appId().length() > 64 || n.currency().length() > 8 || n.api().length() > 8
                || (n.outRefundNo() != null && n.outRefundNo().length() > 64)
                || (n.spMerchantId() != null && n.spMerchantId().length() > 32)) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
    }

    /** {@code s} cut to {@code max} characters, without splitting a surrogate pair. */
    static String cut(String s, int max) {
        if (s == null || s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }

    /**
     * A database failure (an SQLException on the chain that is not an unexpected constraint
     * violation) becomes {@link Reason#DATABASE_UNAVAILABLE}, and a broken connection retires the
     * plugin's own pool's connections so the next call reconnects; anything else is a bug and is
     * rethrown as it is.
     */
    private RuntimeException translate(RuntimeException e) {
        if (e instanceof NotifyRejected || SqlErrors.isConstraintViolation(e)
                || !SqlErrors.hasSqlException(e)) {
            return e;
        }
        if (SqlErrors.isBrokenConnection(e)) {
            DataSources.retireConnections(sessions.getConfiguration().getEnvironment().getDataSource());
        }
        return new NotifyRejected(Reason.DATABASE_UNAVAILABLE, e);
    }
}
