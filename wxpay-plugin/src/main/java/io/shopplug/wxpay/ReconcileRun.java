package io.shopplug.wxpay;

import java.time.Instant;

/**
 * One reconciliation run as recorded in {@code wxpay_reconcile_run}: who ran it, when, and what it
 * found. Immutable snapshot; {@link #finishedAt()} is null while the run is going on (or if its
 * node stopped during it). Holds no secret: {@link #lastError()} is a fixed, secret-free text.
 */
final class ReconcileRun {
    private final long id;
    private final String node;
    private final Instant startedAt;
    private final Instant finishedAt;
    private final int ordersQueried;
    private final int paymentsFound;
    private final int paymentsApplied;
    private final int errors;
    private final String lastError;

    // The argument order is the <constructor> order in ReconcileMapper.xml.
    ReconcileRun(long id, String node, Instant startedAt, Instant finishedAt, int ordersQueried,
            int paymentsFound, int paymentsApplied, int errors, String lastError) {
        this.id = id;
        this.node = node;
        this.startedAt = startedAt;
        this.finishedAt = finishedAt;
        this.ordersQueried = ordersQueried;
        this.paymentsFound = paymentsFound;
        this.paymentsApplied = paymentsApplied;
        this.errors = errors;
        this.lastError = lastError;
    }

    long id() { return id; }
    /** The node that ran it (see {@link Reconciler#node()}). */
    String node() { return node; }
    Instant startedAt() { return startedAt; }
    /** Null while running, or when the node stopped during the run. */
    Instant finishedAt() { return finishedAt; }
    /** Orders asked about at WeChat Pay. */
    int ordersQueried() { return ordersQueried; }
    /** Of those, the ones WeChat Pay says are paid. */
    int paymentsFound() { return paymentsFound; }
    /** Of those, the ones this run recorded (ACCEPTED): their notification had not arrived. */
    int paymentsApplied() { return paymentsApplied; }
    /** Queries that failed (network, HTTP status, bad answer signature...) and other failures. */
    int errors() { return errors; }
    /** The last error's text, or null. */
    String lastError() { return lastError; }

    @Override
    public String toString() {
        return "ReconcileRun[" + id + " on " + node + ", started " + startedAt + ", finished " + finishedAt
                + ", queried " + ordersQueried + ", found " + paymentsFound + ", applied " + paymentsApplied
                + ", errors " + errors + (lastError == null ? "" : ", last error: " + lastError) + "]";
    }

    /**
     * A paid order a run found, and what became of it: {@code ACCEPTED} (recorded by this run),
     * {@code DUPLICATE} (its notification was first) or {@code REJECTED} with the {@link Reason}
     * name (an anomaly, such as an amount that does not match the order).
     */
    static final class Finding {
        private final long runId;
        private final Instant foundAt;
        private final String api;
        private final String outTradeNo;
        private final String transactionId;
        private final long amountFen;
        private final String outcome;
        private final String reason;

        // The argument order is the <constructor> order in ReconcileMapper.xml.
        Finding(long runId, Instant foundAt, String api, String outTradeNo, String transactionId, long amountFen,
                String outcome, String reason) {
            this.runId = runId;
            this.foundAt = foundAt;
            this.api = api;
            this.outTradeNo = outTradeNo;
            this.transactionId = transactionId;
            this.amountFen = amountFen;
            this.outcome = outcome;
            this.reason = reason;
        }

        long runId() { return runId; }
        Instant foundAt() { return foundAt; }
        /** {@code v2} or {@code v3}: the API that was asked. */
        String api() { return api; }
        String outTradeNo() { return outTradeNo; }
        String transactionId() { return transactionId; }
        long amountFen() { return amountFen; }
        /** {@code ACCEPTED}, {@code DUPLICATE} or {@code REJECTED}. */
        String outcome() { return outcome; }
        /** The {@link Reason} name of a rejection, else null. */
        String reason() { return reason; }

        @Override
        public String toString() {
            return "Finding[" + outTradeNo + " " + transactionId + ", " + amountFen + " fen, " + api + ", " + outcome
                    + (reason == null ? "" : " " + reason) + "]";
        }
    }
}
