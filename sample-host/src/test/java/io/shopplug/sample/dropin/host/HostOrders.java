package io.shopplug.sample.dropin.host;

import io.shopplug.api.OrderLookup;
import io.shopplug.api.OrderSnapshot;
import io.shopplug.api.OrderState;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The shop's orders, as its {@link OrderLookup}: three orders awaiting payment until paid. */
public final class HostOrders implements OrderLookup {
    /** Order number → amount in fen. */
    public static final Map<String, Long> AMOUNTS = Map.of("DROPIN-A", 2999L, "DROPIN-B", 1500L, "DROPIN-C", 800L);

    /** Orders marked paid by {@link HostPaymentListener} (same class loader, so one map per webapp). */
    static final Map<String, Boolean> PAID = new ConcurrentHashMap<>();

    /** Called by {@code ServiceLoader}. */
    public HostOrders() {}

    @Override
    public Optional<OrderSnapshot> find(String outTradeNo) {
        Long amount = AMOUNTS.get(outTradeNo);
        if (amount == null) {
            return Optional.empty();
        }
        OrderState state = PAID.containsKey(outTradeNo) ? OrderState.PAID : OrderState.AWAITING_PAYMENT;
        return Optional.of(new OrderSnapshot(outTradeNo, amount, "CNY", state));
    }
}
