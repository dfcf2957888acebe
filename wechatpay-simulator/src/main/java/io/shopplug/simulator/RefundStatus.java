package io.shopplug.simulator;

/**
 * How a refund ended, with its name in each API generation: APIv2 {@code refund_status}
 * SUCCESS / CHANGE / REFUNDCLOSE, APIv3 {@code refund_status} SUCCESS / ABNORMAL / CLOSED and the
 * event types {@code REFUND.SUCCESS} / {@code REFUND.ABNORMAL} / {@code REFUND.CLOSED}.
 */
public enum RefundStatus {
    /** The money reached the payer. */
    SUCCESS("SUCCESS", "SUCCESS"),
    /** The refund failed and needs a human (APIv2 CHANGE). */
    ABNORMAL("CHANGE", "ABNORMAL"),
    /** The refund was closed (APIv2 REFUNDCLOSE). */
    CLOSED("REFUNDCLOSE", "CLOSED");

    private final String apiV2;
    private final String apiV3;

    RefundStatus(String apiV2, String apiV3) {
        this.apiV2 = apiV2;
        this.apiV3 = apiV3;
    }

    /** The APIv2 {@code refund_status} inside {@code req_info}. */
    public String apiV2Name() {
        return apiV2;
    }

    /** The APIv3 {@code refund_status} in the decrypted resource. */
    public String apiV3Name() {
        return apiV3;
    }

    /** The APIv3 {@code event_type}: {@code REFUND.} and the APIv3 name. */
    public String eventType() {
        return "REFUND." + apiV3;
    }
}
