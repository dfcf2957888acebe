package io.shopplug.wxpay;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.shopplug.api.OrderLookup;
import io.shopplug.api.OrderSnapshot;
import io.shopplug.api.OrderState;
import java.util.Optional;

/**
 * Steps 5 and 6 of a notification's path, shared by every API generation: check the business
 * facts (a payment against the host's order, a refund against the recorded payment), then record
 * the notification and its outbox entries in one transaction, and hand the entries to the
 * dispatcher after the commit.
 *
 * <p>Thread-safe. Returns {@link Outcome#ACCEPTED} or {@link Outcome#DUPLICATE}; every refusal is
 * a {@link NotifyRejected}. Genuine notifications that cannot be applied are recorded as anomalies
 * once before being refused. The business keys this node has seen recorded are remembered (up to
 * {@value #REMEMBERED} of them), so WeChat's retries of a notification are answered as duplicates
 * without a database round trip; a key forgotten, or recorded by another node, costs one read.
 */
final class NotifyProcessor {
    static final int REMEMBERED = 200_000;

    private final NotifyStore store;
    private final OrderLookup orders;
    private final Dispatcher dispatcher;
    /** "kind:businessKey" of notifications known to be committed; a recorded row is never removed. */
    private final Cache<String, Boolean> recorded = Caffeine.newBuilder().maximumSize(REMEMBERED).build();

    NotifyProcessor(NotifyStore store, OrderLookup orders, Dispatcher dispatcher) {
        this.store = store;
        this.orders = orders;
        this.dispatcher = dispatcher;
    }

    Outcome process(Notification n) {
        String key = n.kind() + ":" + n.businessKey();
        if (recorded.getIfPresent(key) != null) {
            return Outcome.DUPLICATE;
        }
        Outcome outcome = checkAndRecord(n);
        recorded.put(key, Boolean.TRUE);
        return outcome;
    }

    private Outcome checkAndRecord(Notification n) {
        if (store.isRecorded(n.kind(), n.businessKey())) {
            return Outcome.DUPLICATE;
        }
        if (n.kind() == EventKind.REFUND) {
            return processRefund(n);
        }
        OrderSnapshot order = findOrder(n.outTradeNo())
                .orElseThrow(() -> anomaly(n, Reason.UNKNOWN_ORDER));
        if (order.state() != OrderState.AWAITING_PAYMENT) {
            // Listeners run only after our commit, so an order paid by this very transaction
            // is always already recorded: check again before calling it an anomaly.
            if (store.isRecorded(n.kind(), n.businessKey())) {
                return Outcome.DUPLICATE;
            }
            throw anomaly(n, order.state() == OrderState.CLOSED ? Reason.ORDER_CLOSED : Reason.ORDER_PAID_BY_OTHER);
        }
        if (!order.currency().equals(n.currency())) {
            throw anomaly(n, Reason.CURRENCY_MISMATCH);
        }
        if (order.amountFen() != n.amountFen()) {
            throw anomaly(n, Reason.AMOUNT_MISMATCH);
        }
        RecordResult result = store.record(n, dispatcher.listenerIds());
        if (result.isDuplicate()) {
            return Outcome.DUPLICATE;
        }
        dispatcher.submit(result.deliveries());
        return Outcome.ACCEPTED;
    }

    /**
     * A refund is checked against the payment the plugin recorded, not against the host's order:
     * APIv2 refunds carry no signature, and the recorded payment is the one fact here that WeChat
     * Pay signed. The check and the insert are one transaction (see {@link NotifyStore#recordRefund}).
     */
    private Outcome processRefund(Notification n) {
        RecordResult result;
        try {
            result = store.recordRefund(n, dispatcher.listenerIds());
        } catch (NotifyRejected e) {
            if (e.reason().isAnomaly()) {
                throw anomaly(n, e.reason());
            }
            throw e;
        }
        if (result.isDuplicate()) {
            return Outcome.DUPLICATE;
        }
        dispatcher.submit(result.deliveries());
        return Outcome.ACCEPTED;
    }

    private Optional<OrderSnapshot> findOrder(String outTradeNo) {
        try {
            return orders.find(outTradeNo);
        } catch (RuntimeException e) {
            throw new NotifyRejected(Reason.ORDER_LOOKUP_FAILED, e);
        }
    }

    private NotifyRejected anomaly(Notification n, Reason reason) {
        store.recordAnomaly(n, reason);
        return new NotifyRejected(reason);
    }
}
