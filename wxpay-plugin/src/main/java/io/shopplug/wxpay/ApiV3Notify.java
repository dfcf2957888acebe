package io.shopplug.wxpay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Parses the APIv3 notification envelope and maps its decrypted resource to {@link Notification}s.
 * Checks only what the notification itself says; the merchant and app ids against the
 * configuration and the order facts are the pipeline's checks.
 */
final class ApiV3Notify {
    static final String TRANSACTION_SUCCESS = "TRANSACTION.SUCCESS";
    static final String REFUND_SUCCESS = "REFUND.SUCCESS";

    /**
     * The one JSON mapper for APIv3 bodies: duplicate names and trailing content are errors, so
     * a body cannot mean two things.
     */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String SUCCESS = "SUCCESS";
    private static final String API = "v3";
    private static final String DEFAULT_CURRENCY = "CNY";
    /** Refunds carry no app id; see {@link #toNotifications}. */
    private static final String NO_APP_ID = "";
    /** Objects whose {@code openid}-like members are masked in the payload, and those members. */
    private static final String[][] MASKED = {
        {"payer", "openid"}, {"payer", "sp_openid"}, {"payer", "sub_openid"}, {"combine_payer_info", "openid"},
    };

    private ApiV3Notify() {}

    /**
     * @param body the raw, verified request body
     * @return the envelope's fields
     * @throws NotifyRejected {@link Reason#MALFORMED} if the body is not one JSON object;
     *     {@link Reason#MISSING_FIELD} if {@code id}, {@code event_type}, {@code resource},
     *     {@code resource.algorithm}, {@code resource.ciphertext} or {@code resource.nonce} is
     *     missing, empty or not a string (or an optional member is present but not a string)
     */
    static Envelope parseEnvelope(byte[] body) {
        JsonNode root = readObject(body);
        JsonNode resource = root.get("resource");
        if (resource == null || !resource.isObject()) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        return new Envelope(required(root, "id"), optional(root, "create_time"), optional(root, "resource_type"),
                required(root, "event_type"), optional(root, "summary"), optional(resource, "original_type"),
                required(resource, "algorithm"), required(resource, "ciphertext"),
                optional(resource, "associated_data"), required(resource, "nonce"));
    }

    /**
     * Maps a decrypted resource. Every notification gets api {@code v3} and, as payload, the
     * plaintext JSON with {@code payer.openid}, {@code payer.sp_openid}, {@code payer.sub_openid}
     * and {@code combine_payer_info.openid} masked (the plaintext holds no key).
     *
     * <ul>
     *   <li>{@code TRANSACTION.SUCCESS}: one {@link EventKind#PAYMENT} when {@code trade_state} is
     *       SUCCESS (merchant {@code mchid} and app {@code appid}; partner mode, told by
     *       {@code sp_mchid}: merchant {@code sub_mchid}, sp merchant {@code sp_mchid}, app
     *       {@code sub_appid} else {@code sp_appid}); a combine payment ({@code
     *       combine_out_trade_no}) gives one per sub-order whose {@code trade_state} is SUCCESS
     *       (merchant its {@code mchid}, amount {@code amount.total_amount}, app {@code
     *       combine_appid}; a partner sub-order with {@code sub_mchid}: merchant {@code
     *       sub_mchid}, sp merchant its {@code mchid}, app {@code sub_appid} else {@code
     *       combine_appid}).
     *   <li>{@code REFUND.SUCCESS}: one {@link EventKind#REFUND} when {@code refund_status} is
     *       SUCCESS; amount {@code amount.refund}, payment {@code amount.total}. Refunds carry
     *       no app id: {@link Notification#appId()} is the empty string.
     *   <li>Anything else (including {@code REFUND.ABNORMAL}, {@code REFUND.CLOSED}, a payment
     *       that is not SUCCESS, unknown event types): an empty list, recorded as IGNORED.
     * </ul>
     * Currency defaults to CNY; times are RFC 3339 with an offset.
     *
     * @throws NotifyRejected {@link Reason#MALFORMED} if the plaintext is not one JSON object;
     *     {@link Reason#MISSING_FIELD} if a field needed for the mapping is missing, empty or
     *     invalid (an amount that is not a non-negative integer, a time that is not RFC 3339)
     */
    static List<Notification> toNotifications(String eventType, byte[] plaintext) {
        if (TRANSACTION_SUCCESS.equals(eventType)) {
            JsonNode resource = readObject(plaintext);
            return resource.has("combine_out_trade_no")
                    ? combinePayments(resource, payload(resource))
                    : payment(resource);
        }
        if (REFUND_SUCCESS.equals(eventType)) {
            return refund(readObject(plaintext));
        }
        return Collections.emptyList();
    }

    private static List<Notification> payment(JsonNode r) {
        if (!SUCCESS.equals(required(r, "trade_state"))) {
            return Collections.emptyList();
        }
        Notification.Builder b = Notification.payment();
        if (r.has("sp_mchid")) {
            String subAppId = optional(r, "sub_appid");
            b.merchantId(required(r, "sub_mchid")).spMerchantId(required(r, "sp_mchid"))
                    .appId(subAppId != null && !subAppId.isEmpty() ? subAppId : required(r, "sp_appid"));
        } else {
            b.merchantId(required(r, "mchid")).appId(required(r, "appid"));
        }
        JsonNode amount = object(r, "amount");
        return Collections.singletonList(b.transactionId(required(r, "transaction_id"))
                .outTradeNo(required(r, "out_trade_no")).amountFen(fen(amount, "total"))
                .currency(currency(amount)).eventTime(time(r, "success_time")).api(API).payload(payload(r))
                .build());
    }

    private static List<Notification> combinePayments(JsonNode r, String payload) {
        JsonNode subOrders = r.get("sub_orders");
        if (subOrders == null || !subOrders.isArray() || subOrders.isEmpty()) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        String combineAppId = required(r, "combine_appid");
        List<Notification> payments = new ArrayList<>(subOrders.size());
        for (JsonNode sub : subOrders) {
            if (!sub.isObject()) {
                throw new NotifyRejected(Reason.MISSING_FIELD);
            }
            if (!SUCCESS.equals(required(sub, "trade_state"))) {
                continue;
            }
            Notification.Builder b = Notification.payment();
            String subMchId = optional(sub, "sub_mchid");
            if (subMchId != null && !subMchId.isEmpty()) {
                String subAppId = optional(sub, "sub_appid");
                b.merchantId(subMchId).spMerchantId(required(sub, "mchid"))
                        .appId(subAppId != null && !subAppId.isEmpty() ? subAppId : combineAppId);
            } else {
                b.merchantId(required(sub, "mchid")).appId(combineAppId);
            }
            JsonNode amount = object(sub, "amount");
            payments.add(b.transactionId(required(sub, "transaction_id")).outTradeNo(required(sub, "out_trade_no"))
                    .amountFen(fen(amount, "total_amount")).currency(currency(amount))
                    .eventTime(time(sub, "success_time")).api(API).payload(payload).build());
        }
        return Collections.unmodifiableList(payments);
    }

    private static List<Notification> refund(JsonNode r) {
        if (!SUCCESS.equals(required(r, "refund_status"))) {
            return Collections.emptyList();
        }
        Notification.Builder b = Notification.refund();
        if (r.has("sp_mchid")) {
            b.merchantId(required(r, "sub_mchid")).spMerchantId(required(r, "sp_mchid"));
        } else {
            b.merchantId(required(r, "mchid"));
        }
        JsonNode amount = object(r, "amount");
        return Collections.singletonList(b.refundId(required(r, "refund_id"))
                .outRefundNo(required(r, "out_refund_no")).transactionId(required(r, "transaction_id"))
                .outTradeNo(required(r, "out_trade_no")).amountFen(fen(amount, "refund"))
                .paymentFen(fen(amount, "total")).currency(currency(amount)).appId(NO_APP_ID)
                .eventTime(time(r, "success_time")).api(API).payload(payload(r)).build());
    }

    private static JsonNode readObject(byte[] json) {
        if (json == null) {
            throw new NotifyRejected(Reason.MALFORMED);
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            // Jackson's message quotes the input: drop it.
            throw new NotifyRejected(Reason.MALFORMED);
        }
        if (root == null || !root.isObject()) {
            throw new NotifyRejected(Reason.MALFORMED);
        }
        return root;
    }

    /** A non-empty string member. */
    private static String required(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        return value.textValue();
    }

    /** A string member, or null when absent or JSON null. */
    private static String optional(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        return value.textValue();
    }

    private static JsonNode object(JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isObject()) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        return value;
    }

    /** A non-negative JSON integer that fits a {@code long}. */
    private static long fen(JsonNode amount, String name) {
        JsonNode value = amount.get(name);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        return value.longValue();
    }

    private static String currency(JsonNode amount) {
        String currency = optional(amount, "currency");
        return currency == null || currency.isEmpty() ? DEFAULT_CURRENCY : currency;
    }

    /** RFC 3339 with an offset, fractional seconds allowed. */
    private static Instant time(JsonNode node, String name) {
        try {
            return OffsetDateTime.parse(required(node, name), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException e) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
    }

    private static String payload(JsonNode resource) {
        ObjectNode copy = (ObjectNode) resource.deepCopy();
        for (String[] path : MASKED) {
            JsonNode holder = copy.get(path[0]);
            if (holder instanceof ObjectNode) {
                JsonNode value = holder.get(path[1]);
                if (value != null && value.isTextual()) {
                    ((ObjectNode) holder).put(path[1], ApiV2PaymentNotify.mask(value.textValue()));
                }
            }
        }
        try {
            return JSON.writeValueAsString(copy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the payload");
        }
    }

    /** The envelope of one APIv3 notification; strings as received, null when absent. */
    static final class Envelope {
        private final String id;
        private final String createTime;
        private final String resourceType;
        private final String eventType;
        private final String summary;
        private final String originalType;
        private final String algorithm;
        private final String ciphertext;
        private final String associatedData;
        private final String nonce;

        Envelope(String id, String createTime, String resourceType, String eventType, String summary,
                String originalType, String algorithm, String ciphertext, String associatedData, String nonce) {
            this.id = id;
            this.createTime = createTime;
            this.resourceType = resourceType;
            this.eventType = eventType;
            this.summary = summary;
            this.originalType = originalType;
            this.algorithm = algorithm;
            this.ciphertext = ciphertext;
            this.associatedData = associatedData;
            this.nonce = nonce;
        }

        /** The event id (not the business key: retries of one event may differ in it). */
        String id() { return id; }
        /** RFC 3339, as received; may be null. */
        String createTime() { return createTime; }
        /** {@code encrypt-resource} in practice; may be null. */
        String resourceType() { return resourceType; }
        String eventType() { return eventType; }
        /** Human text such as 支付成功; may be null. */
        String summary() { return summary; }
        /** {@code resource.original_type}: {@code transaction}, {@code refund}, ...; may be null. */
        String originalType() { return originalType; }
        /** {@code resource.algorithm}. */
        String algorithm() { return algorithm; }
        /** {@code resource.ciphertext}, base64. */
        String ciphertext() { return ciphertext; }
        /** {@code resource.associated_data}; may be null or empty. */
        String associatedData() { return associatedData; }
        /** {@code resource.nonce}. */
        String nonce() { return nonce; }

        /** Decrypts {@code resource} with the merchant's cipher. */
        byte[] decrypt(ResourceCipher cipher) {
            return cipher.decrypt(algorithm, nonce, associatedData, ciphertext);
        }

        @Override
        public String toString() {
            return "Envelope[" + Logs.safe(id) + ", " + Logs.safe(eventType) + ", " + Logs.safe(algorithm) + "]";
        }
    }
}
