package io.shopplug.simulator;

import java.util.Objects;
import java.util.Optional;

/**
 * What one APIv2 refund notice should say. Immutable: {@link #of} makes a successful refund, the
 * {@code with...} methods return changed copies.
 */
public final class RefundNotice {

    private final String transactionId;
    private final String outTradeNo;
    private final String outRefundNo;
    private final long totalFee;
    private final long refundFee;
    private final RefundStatus status;
    private final String refundId;
    private final String encryptionKey;

    private RefundNotice(String transactionId, String outTradeNo, String outRefundNo,
            long totalFee, long refundFee, RefundStatus status, String refundId,
            String encryptionKey) {
        this.transactionId = requireText(transactionId, "transactionId");
        this.outTradeNo = requireText(outTradeNo, "outTradeNo");
        this.outRefundNo = requireText(outRefundNo, "outRefundNo");
        if (totalFee <= 0 || refundFee <= 0 || refundFee > totalFee) {
            throw new IllegalArgumentException("need 0 < refundFee <= totalFee (fen)");
        }
        this.totalFee = totalFee;
        this.refundFee = refundFee;
        this.status = Objects.requireNonNull(status, "status");
        this.refundId = refundId;
        this.encryptionKey = encryptionKey;
    }

    /** A successful refund of {@code refundFee} fen of the payment {@code transactionId}. */
    public static RefundNotice of(String transactionId, String outTradeNo, String outRefundNo,
            long totalFee, long refundFee) {
        return new RefundNotice(transactionId, outTradeNo, outRefundNo, totalFee, refundFee,
                RefundStatus.SUCCESS, null, null);
    }

    /** A copy with another status (APIv2 SUCCESS / CHANGE / REFUNDCLOSE). */
    public RefundNotice withStatus(RefundStatus value) {
        return new RefundNotice(transactionId, outTradeNo, outRefundNo, totalFee, refundFee,
                value, refundId, encryptionKey);
    }

    /** A copy with this refund id instead of a generated one. */
    public RefundNotice withRefundId(String value) {
        return new RefundNotice(transactionId, outTradeNo, outRefundNo, totalFee, refundFee,
                status, requireText(value, "refundId"), encryptionKey);
    }

    /**
     * A copy whose {@code req_info} is encrypted as if {@code wrongApiV2Key} were the merchant's
     * key: a receiver must fail to decrypt it.
     */
    public RefundNotice encryptedWithKey(String wrongApiV2Key) {
        return new RefundNotice(transactionId, outTradeNo, outRefundNo, totalFee, refundFee,
                status, refundId, requireText(wrongApiV2Key, "wrongApiV2Key"));
    }

    public String transactionId() {
        return transactionId;
    }

    public String outTradeNo() {
        return outTradeNo;
    }

    public String outRefundNo() {
        return outRefundNo;
    }

    public long totalFee() {
        return totalFee;
    }

    public long refundFee() {
        return refundFee;
    }

    public RefundStatus status() {
        return status;
    }

    public Optional<String> refundId() {
        return Optional.ofNullable(refundId);
    }

    Optional<String> encryptionKey() {
        return Optional.ofNullable(encryptionKey);
    }

    /** Whether a receiver must reject it. */
    public boolean isBroken() {
        return encryptionKey != null;
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
        return "RefundNotice[outTradeNo=" + outTradeNo + ", outRefundNo=" + outRefundNo
                + ", refundFee=" + refundFee + "/" + totalFee + ", status=" + status
                + ", wrongKey=" + (encryptionKey != null) + "]";
    }
}
