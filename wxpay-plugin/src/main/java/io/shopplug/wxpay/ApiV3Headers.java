package io.shopplug.wxpay;

import java.util.function.Function;

/**
 * The {@code Wechatpay-*} headers of one APIv3 notification, as received: any value may be null
 * (absent). {@link ApiV3Verifier} decides what is required. Its {@link #toString()} leaves the
 * signature out.
 */
final class ApiV3Headers {
    static final String TIMESTAMP = "Wechatpay-Timestamp";
    static final String NONCE = "Wechatpay-Nonce";
    static final String SIGNATURE = "Wechatpay-Signature";
    static final String SERIAL = "Wechatpay-Serial";
    static final String SIGNATURE_TYPE = "Wechatpay-Signature-Type";

    private final String timestamp;
    private final String nonce;
    private final String signature;
    private final String serial;
    private final String signatureType;

    ApiV3Headers(String timestamp, String nonce, String signature, String serial, String signatureType) {
        this.timestamp = timestamp;
        this.nonce = nonce;
        this.signature = signature;
        this.serial = serial;
        this.signatureType = signatureType;
    }

    /**
     * @param header a case-insensitive lookup by header name returning null when absent, such as
     *     {@code request::getHeader}
     */
    static ApiV3Headers from(Function<String, String> header) {
        return new ApiV3Headers(header.apply(TIMESTAMP), header.apply(NONCE), header.apply(SIGNATURE),
                header.apply(SERIAL), header.apply(SIGNATURE_TYPE));
    }

    /** {@code Wechatpay-Timestamp}: Unix seconds. */
    String timestamp() { return timestamp; }
    /** {@code Wechatpay-Nonce}. */
    String nonce() { return nonce; }
    /** {@code Wechatpay-Signature}: base64; never log it. */
    String signature() { return signature; }
    /** {@code Wechatpay-Serial}: a certificate serial or a {@code PUB_KEY_ID_...} id. */
    String serial() { return serial; }
    /** {@code Wechatpay-Signature-Type}; null (absent) means RSA. */
    String signatureType() { return signatureType; }

    @Override
    public String toString() {
        return "ApiV3Headers[timestamp=" + Logs.safe(timestamp) + ", nonce=" + Logs.safe(nonce)
                + ", serial=" + Logs.safe(serial) + ", type=" + Logs.safe(signatureType) + "]";
    }
}
