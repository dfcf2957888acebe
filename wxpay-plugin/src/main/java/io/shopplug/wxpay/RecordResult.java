package io.shopplug.wxpay;

import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What {@link NotifyStore#record} did: either recorded the transaction (with its row id and the
 * ids of the outbox entries it created, in listener order) or found it already recorded. A
 * duplicate is a normal outcome. Immutable.
 */
final class RecordResult {
    private static final RecordResult DUPLICATE = new RecordResult(true, -1, Collections.emptyList());

    private final boolean duplicate;
    private final long transactionRowId;
    private final List<Long> outboxIds;

    private RecordResult(boolean duplicate, long transactionRowId, List<Long> outboxIds) {
        this.duplicate = duplicate;
        this.transactionRowId = transactionRowId;
        this.outboxIds = outboxIds;
    }

    static RecordResult recorded(long transactionRowId, List<Long> outboxIds) {
        return new RecordResult(false, transactionRowId,
                Collections.unmodifiableList(new java.util.ArrayList<>(
                        Objects.requireNonNull(outboxIds, "outboxIds"))));
    }

    static RecordResult duplicate() {
        return DUPLICATE;
    }

    /** True if the (business key, event kind) was already recorded; nothing was written. */
    boolean isDuplicate() {
        return duplicate;
    }

    /**
     * The {@code wxpay_transaction.id} of the new row.
     *
     * @throws IllegalStateException for a duplicate
     */
    long transactionRowId() {
        if (duplicate) {
            throw new IllegalStateException("a duplicate has no new transaction row");
        }
        return transactionRowId;
    }

    /** The new outbox entry ids in listener order; empty for a duplicate. Unmodifiable. */
    List<Long> outboxIds() {
        return outboxIds;
    }

    @Override
    public String toString() {
        return duplicate ? "RecordResult[duplicate]"
                : "RecordResult[recorded " + transactionRowId + ", outbox " + outboxIds + "]";
    }
}
