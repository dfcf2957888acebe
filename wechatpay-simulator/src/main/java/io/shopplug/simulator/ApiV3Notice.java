package io.shopplug.simulator;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one APIv3 notification should say, and how (if at all) it should be broken. Immutable: the
 * factories make a well-formed notice, the {@code with...} methods return changed copies.
 *
 * <pre>{@code
 * ApiV3Notice.payment("SO-1", 8888)
 * ApiV3Notice.partnerPayment("1900000109", "wx1234", "SO-2", 100)
 * ApiV3Notice.combinePayment("C-1", SubOrder.of("1900000109", "SO-3", 100), ...)
 * ApiV3Notice.refund(RefundStatus.SUCCESS, "SO-1", "4200...", "RF-1", 100, 8888)
 * ApiV3Notice.payment("SO-1", 8888).broken(Breakage.TAMPERED_CIPHERTEXT)
 * }</pre>
 */
public final class ApiV3Notice {

    /** What the notice reports. */
    public enum Kind {
        /** {@code TRANSACTION.SUCCESS} for the merchant's own order. */
        PAYMENT,
        /** {@code TRANSACTION.SUCCESS} in partner mode: sp_mchid/sp_appid and sub_mchid/sub_appid. */
        PARTNER_PAYMENT,
        /** {@code TRANSACTION.SUCCESS} of a combine payment with {@code sub_orders[]}. */
        COMBINE_PAYMENT,
        /** {@code REFUND.SUCCESS}, {@code REFUND.CLOSED} or {@code REFUND.ABNORMAL}. */
        REFUND,
        /** An event type the merchant does not know; it must be acknowledged without effect. */
        UNKNOWN_EVENT
    }

    /**
     * Deliberate breakages: each makes a notice that a correct receiver rejects, for its own
     * reason.
     */
    public enum Breakage {
        /** A genuine notice. */
        NONE,
        /** {@code Wechatpay-Signature} is WeChat's probe: {@code WECHATPAY/SIGNTEST/} and junk. */
        SIGNATURE_PROBE,
        /** Signed with another key of the same kind, under the genuine serial. */
        WRONG_SIGNING_KEY,
        /** A ciphertext byte changed before signing: the signature holds, the AEAD tag fails. */
        TAMPERED_CIPHERTEXT,
        /** A ciphertext byte changed after signing: the signature fails. */
        TAMPERED_AFTER_SIGNING,
        /** {@code resource} encrypted under another APIv3 key; the signature holds. */
        WRONG_APIV3_KEY,
        /** {@code Wechatpay-Timestamp} ten minutes in the past; the signature holds. */
        STALE_TIMESTAMP,
        /** {@code Wechatpay-Timestamp} ten minutes in the future; the signature holds. */
        FUTURE_TIMESTAMP,
        /** {@code Wechatpay-Serial} names no known certificate or key; the signature holds. */
        UNKNOWN_SERIAL
    }

    /**
     * One sub-order of a combine payment: a payment of its own.
     *
     * @param mchid the sub-order's merchant
     * @param outTradeNo the sub-order's order number
     * @param totalFen its amount in fen
     * @param transactionId its transaction id; {@code null} to generate one
     */
    public record SubOrder(String mchid, String outTradeNo, long totalFen, String transactionId) {
        public SubOrder {
            Objects.requireNonNull(mchid, "mchid");
            Objects.requireNonNull(outTradeNo, "outTradeNo");
            checkFen(totalFen, "totalFen");
        }

        /** A sub-order whose transaction id the simulator generates. */
        public static SubOrder of(String mchid, String outTradeNo, long totalFen) {
            return new SubOrder(mchid, outTradeNo, totalFen, null);
        }
    }

    private final Kind kind;
    private final String outTradeNo;
    private final long totalFen;
    private final String transactionId;
    private final String subMchid;
    private final String subAppid;
    private final List<SubOrder> subOrders;
    private final RefundStatus refundStatus;
    private final String outRefundNo;
    private final long refundFen;
    private final String refundId;
    private final String eventType;
    private final Breakage breakage;

    private ApiV3Notice(Kind kind, String outTradeNo, long totalFen, String transactionId,
            String subMchid, String subAppid, List<SubOrder> subOrders, RefundStatus refundStatus,
            String outRefundNo, long refundFen, String refundId, String eventType,
            Breakage breakage) {
        this.kind = kind;
        this.outTradeNo = outTradeNo;
        this.totalFen = totalFen;
        this.transactionId = transactionId;
        this.subMchid = subMchid;
        this.subAppid = subAppid;
        this.subOrders = List.copyOf(subOrders);
        this.refundStatus = refundStatus;
        this.outRefundNo = outRefundNo;
        this.refundFen = refundFen;
        this.refundId = refundId;
        this.eventType = eventType;
        this.breakage = breakage;
    }

    /** {@code TRANSACTION.SUCCESS}: order {@code outTradeNo} paid {@code totalFen} in full. */
    public static ApiV3Notice payment(String outTradeNo, long totalFen) {
        return new ApiV3Notice(Kind.PAYMENT, requireText(outTradeNo, "outTradeNo"),
                checkFen(totalFen, "totalFen"), null, null, null, List.of(), null, null, 0, null,
                "TRANSACTION.SUCCESS", Breakage.NONE);
    }

    /**
     * {@code TRANSACTION.SUCCESS} in partner mode: the simulator's merchant is the service
     * provider ({@code sp_mchid}, {@code sp_appid}), the order belongs to the sub-merchant.
     */
    public static ApiV3Notice partnerPayment(String subMchid, String subAppid, String outTradeNo,
            long totalFen) {
        return new ApiV3Notice(Kind.PARTNER_PAYMENT, requireText(outTradeNo, "outTradeNo"),
                checkFen(totalFen, "totalFen"), null, requireText(subMchid, "subMchid"),
                requireText(subAppid, "subAppid"), List.of(), null, null, 0, null,
                "TRANSACTION.SUCCESS", Breakage.NONE);
    }

    /** {@code TRANSACTION.SUCCESS} of a combine payment; each sub-order is its own payment. */
    public static ApiV3Notice combinePayment(String combineOutTradeNo, SubOrder... subOrders) {
        if (subOrders.length == 0) {
            throw new IllegalArgumentException("a combine payment needs sub-orders");
        }
        long total = 0;
        for (SubOrder s : subOrders) {
            total += s.totalFen();
        }
        return new ApiV3Notice(Kind.COMBINE_PAYMENT,
                requireText(combineOutTradeNo, "combineOutTradeNo"), total, null, null, null,
                List.of(subOrders), null, null, 0, null, "TRANSACTION.SUCCESS", Breakage.NONE);
    }

    /**
     * {@code REFUND.SUCCESS} / {@code REFUND.CLOSED} / {@code REFUND.ABNORMAL} of {@code refundFen}
     * out of the order's {@code totalFen}.
     */
    public static ApiV3Notice refund(RefundStatus status, String outTradeNo, String transactionId,
            String outRefundNo, long refundFen, long totalFen) {
        checkFen(refundFen, "refundFen");
        if (refundFen > checkFen(totalFen, "totalFen")) {
            throw new IllegalArgumentException("refund exceeds the order total");
        }
        return new ApiV3Notice(Kind.REFUND, requireText(outTradeNo, "outTradeNo"), totalFen,
                requireText(transactionId, "transactionId"), null, null, List.of(),
                Objects.requireNonNull(status, "status"), requireText(outRefundNo, "outRefundNo"),
                refundFen, null, status.eventType(), Breakage.NONE);
    }

    /**
     * An event of a type the merchant does not know (say {@code SECURITY_ECHO.SUCCESS}): the
     * resource is a small JSON object with empty {@code associated_data}.
     */
    public static ApiV3Notice unknownEvent(String eventType) {
        return new ApiV3Notice(Kind.UNKNOWN_EVENT, null, 0, null, null, null, List.of(), null,
                null, 0, null, requireText(eventType, "eventType"), Breakage.NONE);
    }

    /** A copy with this transaction id instead of a generated one (payments only). */
    public ApiV3Notice withTransactionId(String value) {
        if (kind != Kind.PAYMENT && kind != Kind.PARTNER_PAYMENT) {
            throw new IllegalStateException("only a single payment takes a transaction id");
        }
        return new ApiV3Notice(kind, outTradeNo, totalFen, requireText(value, "transactionId"),
                subMchid, subAppid, subOrders, refundStatus, outRefundNo, refundFen, refundId,
                eventType, breakage);
    }

    /** A copy with this refund id instead of a generated one (refunds only). */
    public ApiV3Notice withRefundId(String value) {
        if (kind != Kind.REFUND) {
            throw new IllegalStateException("only a refund takes a refund id");
        }
        return new ApiV3Notice(kind, outTradeNo, totalFen, transactionId, subMchid, subAppid,
                subOrders, refundStatus, outRefundNo, refundFen, requireText(value, "refundId"),
                eventType, breakage);
    }

    /** A copy broken as {@code how} says. */
    public ApiV3Notice broken(Breakage how) {
        return new ApiV3Notice(kind, outTradeNo, totalFen, transactionId, subMchid, subAppid,
                subOrders, refundStatus, outRefundNo, refundFen, refundId, eventType,
                Objects.requireNonNull(how, "how"));
    }

    public Kind kind() {
        return kind;
    }

    /** The {@code event_type} of the envelope. */
    public String eventType() {
        return eventType;
    }

    /** The order number (the combine order number for a combine payment); null for others. */
    public String outTradeNo() {
        return outTradeNo;
    }

    /** The amount paid in fen (the sum of the sub-orders; the order total for a refund). */
    public long totalFen() {
        return totalFen;
    }

    /** The given transaction id; empty means generated (or, for a refund, always present). */
    public Optional<String> transactionId() {
        return Optional.ofNullable(transactionId);
    }

    public String subMchid() {
        return subMchid;
    }

    public String subAppid() {
        return subAppid;
    }

    public List<SubOrder> subOrders() {
        return subOrders;
    }

    public RefundStatus refundStatus() {
        return refundStatus;
    }

    public String outRefundNo() {
        return outRefundNo;
    }

    public long refundFen() {
        return refundFen;
    }

    /** The given refund id; empty means generated. */
    public Optional<String> refundId() {
        return Optional.ofNullable(refundId);
    }

    public Breakage breakage() {
        return breakage;
    }

    /** Whether a correct receiver must reject it. */
    public boolean isBroken() {
        return breakage != Breakage.NONE;
    }

    private static long checkFen(long fen, String name) {
        if (fen <= 0) {
            throw new IllegalArgumentException(name + " must be positive (fen)");
        }
        return fen;
    }

    private static String requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " is blank");
        }
        return value;
    }

    @Override
    public String toString() {
        return "ApiV3Notice[" + eventType + ", kind=" + kind + ", outTradeNo=" + outTradeNo
                + ", totalFen=" + totalFen + (kind == Kind.REFUND ? ", outRefundNo=" + outRefundNo
                + ", refundFen=" + refundFen : "") + ", breakage=" + breakage + "]";
    }
}
