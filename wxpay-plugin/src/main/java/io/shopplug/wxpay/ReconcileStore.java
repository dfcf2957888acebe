package io.shopplug.wxpay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.ibatis.session.SqlSession;
import org.apache.ibatis.session.SqlSessionFactory;

/**
 * Reconciliation's tables: a named lease that one node at a time holds (the database is the only
 * coordination between nodes), the record of each run, and the payments each run found. Every
 * statement runs in a transaction of its own. Database failures surface as the runtime exceptions
 * MyBatis throws; the {@link Reconciler} counts them without their messages. Thread-safe.
 */
final class ReconcileStore {
    /** The lease's name in {@code wxpay_lease}. */
    static final String LEASE = "reconcile";

    private final SqlSessionFactory sessions;
    private final Clock clock;

    /** @param sessions a factory whose configuration has {@link ReconcileMapper} (see {@link Database}) */
    ReconcileStore(SqlSessionFactory sessions, Clock clock) {
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (!sessions.getConfiguration().hasMapper(ReconcileMapper.class)) {
            throw new IllegalArgumentException("the session factory lacks ReconcileMapper; build it with Database");
        }
    }

    /**
     * Claims or extends the lease for {@code owner} until now + {@code duration}: succeeds when
     * nobody holds it, {@code owner} holds it, or the holder's lease has run out. Of several nodes
     * racing for it, one wins; one the database rolls back (a deadlock's victim) loses.
     *
     * @return whether {@code owner} holds the lease now
     * @throws RuntimeException if the database fails otherwise
     */
    boolean claimLease(String owner, Duration duration) {
        Instant now = now();
        Instant until = now.plus(duration);
        try (SqlSession s = sessions.openSession(true)) {
            ReconcileMapper mapper = s.getMapper(ReconcileMapper.class);
            if (mapper.extendLease(LEASE, owner, until, now) > 0) {
                return true;
            }
            try {
                mapper.insertLease(LEASE, owner, until);
                return true;
            } catch (RuntimeException e) {
                // The row exists (someone else holds an unexpired lease), or the database rolled
                // this insert back as a deadlock's victim among racing claims (InnoDB does): either
                // way this node does not hold the lease.
                if (SqlErrors.isConstraintViolation(e) || SqlErrors.isTransactionRollback(e)) {
                    return false;
                }
                throw e;
            }
        }
    }

    /** Gives the lease up at once if {@code owner} holds it, so another node may take over. */
    void releaseLease(String owner) {
        try (SqlSession s = sessions.openSession(true)) {
            // Ran out a moment ago: any claim from now on succeeds.
            s.getMapper(ReconcileMapper.class).releaseLease(LEASE, owner, now().minusMillis(1));
        }
    }

    /** Whether a payment for the order is already recorded (by a notification or a run). */
    boolean hasPayment(String outTradeNo) {
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(ReconcileMapper.class).countPayments(outTradeNo) > 0;
        }
    }

    /** Records the start of a run; returns its id. */
    long startRun(String node, Instant startedAt) {
        Map<String, Object> row = new HashMap<>();
        row.put("node", NotifyStore.cut(node, 200));
        row.put("startedAt", startedAt);
        try (SqlSession s = sessions.openSession(true)) {
            s.getMapper(ReconcileMapper.class).insertRun(row);
        }
        Object id = row.get("id");
        if (!(id instanceof Number)) {
            throw new IllegalStateException("the database returned no generated id");
        }
        return ((Number) id).longValue();
    }

    /** Records the end of a run with its counts; {@code lastError} is cut to 1000 characters. */
    void finishRun(long id, Instant finishedAt, int ordersQueried, int paymentsFound, int paymentsApplied,
            int errors, String lastError) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("finishedAt", finishedAt);
        row.put("ordersQueried", ordersQueried);
        row.put("paymentsFound", paymentsFound);
        row.put("paymentsApplied", paymentsApplied);
        row.put("errors", errors);
        row.put("lastError", NotifyStore.cut(lastError, NotifyStore.MAX_ERROR));
        try (SqlSession s = sessions.openSession(true)) {
            s.getMapper(ReconcileMapper.class).finishRun(row);
        }
    }

    /** Records a paid order a run found and what became of it ({@code reason} may be null). */
    void recordFinding(long runId, Notification n, Outcome outcome, Reason reason) {
        Map<String, Object> row = new HashMap<>();
        row.put("runId", runId);
        row.put("foundAt", now());
        row.put("api", NotifyStore.cut(n.api(), 8));
        row.put("outTradeNo", NotifyStore.cut(n.outTradeNo(), 64));
        row.put("transactionId", NotifyStore.cut(n.transactionId(), 64));
        row.put("amountFen", n.amountFen());
        row.put("outcome", outcome.name());
        row.put("reason", reason == null ? null : reason.name());
        try (SqlSession s = sessions.openSession(true)) {
            s.getMapper(ReconcileMapper.class).insertFinding(row);
        }
    }

    /** The latest runs, newest first (for the console's "last reconciliation runs"). */
    List<ReconcileRun> recentRuns(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(ReconcileMapper.class).selectRecentRuns(limit);
        }
    }

    /** The paid orders one run found, in the order found. */
    List<ReconcileRun.Finding> findings(long runId) {
        try (SqlSession s = sessions.openSession(true)) {
            return s.getMapper(ReconcileMapper.class).selectFindings(runId);
        }
    }

    /** Forgets runs (and their findings) started before {@code before}; returns the runs deleted. */
    int deleteRunsBefore(Instant before) {
        try (SqlSession s = sessions.openSession(false)) {
            ReconcileMapper mapper = s.getMapper(ReconcileMapper.class);
            mapper.deleteFindingsOfRunsBefore(before);
            int runs = mapper.deleteRunsBefore(before);
            s.commit(true);
            return runs;
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
