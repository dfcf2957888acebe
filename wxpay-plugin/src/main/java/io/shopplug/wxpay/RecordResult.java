package io.shopplug.wxpay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What {@link NotifyStore#record} did: either recorded the transaction (with its row id and the
 * outbox entries it created, in listener order, as the deliveries they are) or found it already
 * recorded. A duplicate is a normal outcome. Immutable.
 */
final class RecordResult {
    private static final RecordResult DUPLICATE = new RecordResult(true, -1, Collections.emptyList());

    private final boolean duplicate;
    private final long transactionRowId;
    private final List<Delivery> deliveries;

    private RecordResult(boolean duplicate, long transactionRowId, List<Delivery> deliveries) {
        this.duplicate = duplicate;
        this.transactionRowId = transactionRowId;
        this.deliveries = deliveries;
    }

    static RecordResult recorded(long transactionRowId, List<Delivery> deliveries) {
        return new RecordResult(false, transactionRowId,
                Collections.unmodifiableList(new ArrayList<>(Objects.requireNonNull(deliveries, "deliveries"))));
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

    /** The new outbox entries, PENDING and unclaimed, in listener order; empty for a duplicate. */
    List<Delivery> deliveries() {
        return deliveries;
    }

    /** The ids of {@link #deliveries()}. */
    List<Long> outboxIds() {
        List<Long> ids = new ArrayList<>(deliveries.size());
        for (Delivery d : deliveries) {
            ids.add(d.id());
        }
        return ids;
    }

    @Override
    public String toString() {
        return duplicate ? "RecordResult[duplicate]"
                : "RecordResult[recorded " + transactionRowId + ", outbox " + outboxIds() + "]";
    }
}
