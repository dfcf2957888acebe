package io.shopplug.wxpay;

/**
 * Why a notification was not accepted. Each reason has a fixed, secret-free message that is sent
 * to WeChat Pay, logged and stored; {@link #retryable()} says whether the same notification may
 * succeed later (WeChat Pay re-sends on any failure answer either way).
 */
enum Reason {
    DISABLED("plugin switched off, retry later", true, 503),
    SOURCE_NOT_ALLOWED("source address not allowed", false, 403),
    METHOD_NOT_ALLOWED("only POST is accepted", false, 405),
    UNSUPPORTED_MEDIA_TYPE("content type not accepted", false, 415),
    BODY_TOO_LARGE("body too large", false, 413),
    MALFORMED("malformed body", false, 400),
    DTD_NOT_ALLOWED("DTD or entity declarations are not allowed", false, 400),
    MISSING_FIELD("a required field is missing or invalid", false, 400),
    TRANSPORT_FAIL("return_code is not SUCCESS", false, 400),
    MISSING_SIGN("sign is missing", false, 401),
    BAD_SIGN("sign does not verify", false, 401),
    MERCHANT_MISMATCH("mch_id does not match the configured merchant", false, 400),
    APP_MISMATCH("appid does not match the configured app", false, 400),
    PAYMENT_NOT_SUCCESS("result_code is not SUCCESS", false, 400),
    API_V3_NOT_CONFIGURED("APIv3 is not configured for this notify path", false, 400),
    MISSING_HEADER("a Wechatpay-* header is missing or invalid", false, 400),
    SIGNATURE_PROBE("signature probe: signature does not verify", false, 401),
    UNKNOWN_SERIAL("unknown Wechatpay-Serial", false, 401),
    BAD_SIGNATURE("signature does not verify", false, 401),
    TIMESTAMP_EXPIRED("timestamp older than 5 minutes", false, 401),
    TIMESTAMP_FUTURE("timestamp more than 5 minutes in the future", false, 401),
    REPLAY_IN_FLIGHT("the same notification is still being processed, retry later", true, 429),
    DECRYPT_FAILED("wrong APIv3 key or tampered resource", false, 400),
    REQ_INFO_DECRYPT_FAILED("req_info does not decrypt: wrong APIv2 key or tampered", false, 400),
    UNSUPPORTED_ALGORITHM("resource algorithm not supported", false, 400),
    UNKNOWN_PAYMENT("refund for an unknown payment", true, 404),
    REFUND_EXCEEDS_PAYMENT("refunds exceed the payment", true, 409),
    UNKNOWN_ORDER("unknown out_trade_no", true, 404),
    AMOUNT_MISMATCH("amount does not match the order", true, 409),
    CURRENCY_MISMATCH("currency does not match the order", true, 409),
    ORDER_CLOSED("order is closed or cancelled", true, 409),
    ORDER_PAID_BY_OTHER("order already paid by another transaction", true, 409),
    ORDER_LOOKUP_FAILED("order lookup failed, retry later", true, 503),
    DATABASE_UNAVAILABLE("database unavailable, retry later", true, 503),
    TOO_MANY_IN_FLIGHT("too many notifications in flight, retry later", true, 503),
    INTERNAL_ERROR("internal error, retry later", true, 500);

    private final String message;
    private final boolean retryable;
    private final int httpStatus;

    Reason(String message, boolean retryable, int httpStatus) {
        this.message = message;
        this.retryable = retryable;
        this.httpStatus = httpStatus;
    }

    /** Short, fixed, secret-free text for the wire, the log and the notify log. */
    String message() { return message; }

    /** True when the same notification may be accepted later without anyone changing it. */
    boolean retryable() { return retryable; }

    /** The HTTP status for APIv3 answers (APIv2 answers are always 200 with an XML body). */
    int httpStatus() { return httpStatus; }

    /** True for a genuine notification that cannot be applied and needs a human. */
    boolean isAnomaly() {
        return this == UNKNOWN_ORDER || this == AMOUNT_MISMATCH || this == CURRENCY_MISMATCH
                || this == ORDER_CLOSED || this == ORDER_PAID_BY_OTHER || this == UNKNOWN_PAYMENT
                || this == REFUND_EXCEEDS_PAYMENT;
    }
}
