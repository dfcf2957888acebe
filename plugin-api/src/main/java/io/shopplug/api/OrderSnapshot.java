package io.shopplug.api;

import java.util.Objects;

/**
 * An immutable view of one of the shop's orders, as an {@link OrderLookup} sees it.
 *
 * @since 0.1
 */
public final class OrderSnapshot {
    private final String outTradeNo;
    private final long amountFen;
    private final String currency;
    private final OrderState state;

    /**
     * @param outTradeNo the shop's order number, as sent to WeChat Pay
     * @param amountFen the amount to be paid, in fen (1/100 yuan); never negative
     * @param currency ISO 4217 code, such as {@code CNY}
     * @param state the order's payment state
     * @throws IllegalArgumentException if the amount is negative
     */
    public OrderSnapshot(String outTradeNo, long amountFen, String currency, OrderState state) {
        this.outTradeNo = Objects.requireNonNull(outTradeNo, "outTradeNo");
        if (amountFen < 0) {
            throw new IllegalArgumentException("amountFen must not be negative");
        }
        this.amountFen = amountFen;
        this.currency = Objects.requireNonNull(currency, "currency");
        this.state = Objects.requireNonNull(state, "state");
    }

    /** The shop's order number ({@code out_trade_no}). */
    public String outTradeNo() { return outTradeNo; }

    /** The amount to be paid, in fen. */
    public long amountFen() { return amountFen; }

    /** The ISO 4217 currency code. */
    public String currency() { return currency; }

    /** The order's payment state. */
    public OrderState state() { return state; }

    @Override
    public String toString() {
        return "OrderSnapshot[" + outTradeNo + ", " + amountFen + " fen " + currency + ", " + state + "]";
    }
}
