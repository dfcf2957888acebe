package io.shopplug.wxpay;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.OffsetDateTime;
import java.time.Year;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    private static final ObjectMapper JSON = new ObjectMapper(JsonMappers.factory()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final String SUCCESS = "SUCCESS";
    private static final String API = "v3";
    private static final String DEFAULT_CURRENCY = "CNY";
    /** Refunds carry no app id; see {@link #toNotifications}. */
    private static final String NO_APP_ID = "";
    /** An envelope member that is JSON null. */
    private static final Object JSON_NULL = new Object();
    /** An envelope member that is neither a string nor null (nor {@code resource} as an object). */
    private static final Object OTHER = new Object();
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
        Map<String, Object> root = envelopeMembers(body);
        Object resource = root.get("resource");
        if (!(resource instanceof Map)) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> r = (Map<String, Object>) resource;
        return new Envelope(required(root, "id"), optional(root, "create_time"), optional(root, "resource_type"),
                required(root, "event_type"), optional(root, "summary"), optional(r, "original_type"),
                required(r, "algorithm"), required(r, "ciphertext"), optional(r, "associated_data"),
                required(r, "nonce"));
    }

    /**
     * The envelope's members, read in one streaming pass (the same strict parser as the tree:
     * duplicate names and trailing content are {@link Reason#MALFORMED}): each string as a
     * {@code String}, JSON null as {@link #JSON_NULL}, {@code resource} (if an object) as a map
     * of its own members, anything else as {@link #OTHER}.
     */
    private static Map<String, Object> envelopeMembers(byte[] body) {
        if (body == null) {
            throw new NotifyRejected(Reason.MALFORMED);
        }
        try (JsonParser p = JSON.getFactory().createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new NotifyRejected(Reason.MALFORMED);
            }
            Map<String, Object> root = members(p, true);
            if (p.nextToken() != null) {
                throw new NotifyRejected(Reason.MALFORMED);
            }
            return root;
        } catch (IOException e) {
            // Jackson's message quotes the input: drop it.
            throw new NotifyRejected(Reason.MALFORMED);
        }
    }

    /** The members of the object just opened, up to its end; see {@link #envelopeMembers}. */
    private static Map<String, Object> members(JsonParser p, boolean withResource) throws IOException {
        Map<String, Object> members = new HashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken value = p.nextToken();
            if (value == JsonToken.VALUE_STRING) {
                members.put(name, p.getText());
            } else if (value == JsonToken.START_OBJECT && withResource && name.equals("resource")) {
                members.put(name, members(p, false));
            } else {
                p.skipChildren();
                members.put(name, value == JsonToken.VALUE_NULL ? JSON_NULL : OTHER);
            }
        }
        return members;
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

    /** A non-empty string member of an envelope object. */
    private static String required(Map<String, Object> members, String name) {
        Object value = members.get(name);
        if (!(value instanceof String) || ((String) value).isEmpty()) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        return (String) value;
    }

    /** A string member of an envelope object, or null when absent or JSON null. */
    private static String optional(Map<String, Object> members, String name) {
        Object value = members.get(name);
        if (value == null || value == JSON_NULL) {
            return null;
        }
        if (!(value instanceof String)) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        return (String) value;
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
            return instant(required(node, name));
        } catch (DateTimeException e) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
    }

    /**
     * Reads a time exactly as {@code OffsetDateTime.parse(text, ISO_OFFSET_DATE_TIME).toInstant()}
     * does, and throws the same {@link DateTimeException} for what it refuses. The usual form is
     * read by {@link #usualInstant}; anything else goes to the JDK's parser, which decides.
     */
    static Instant instant(String text) {
        Instant usual = usualInstant(text);
        return usual != null ? usual
                : OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss}, then 1 to 9 digits of fraction after a dot or none, then
     * {@code Z} or {@code +hh:mm} / {@code -hh:mm}, all in range (a real date, hours 0–23, offset
     * at most 18:00); null for anything else, valid or not. Every text it reads, the JDK's
     * parser reads to the same instant.
     */
    static Instant usualInstant(String s) {
        int n = s.length();
        if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
                || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nano = 0;
        if (s.charAt(i) == '.') {
            int start = ++i;
            while (i < n && i - start < 9 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                nano = nano * 10 + (s.charAt(i++) - '0');
            }
            if (i == start) {
                return null;
            }
            for (int k = i - start; k < 9; k++) {
                nano *= 10;
            }
        }
        int offsetSeconds;
        if (i == n - 1 && s.charAt(i) == 'Z') {
            offsetSeconds = 0;
        } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
            int offsetHours = digits(s, i + 1, 2);
            int offsetMinutes = digits(s, i + 4, 2);
            if (offsetHours < 0 || offsetMinutes < 0 || offsetMinutes > 59 || offsetHours * 60 + offsetMinutes > 18 * 60) {
                return null;
            }
            offsetSeconds = (s.charAt(i) == '-' ? -60 : 60) * (offsetHours * 60 + offsetMinutes);
        } else {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600 + minute * 60 + second - offsetSeconds, nano);
    }

    /** The value of {@code count} ASCII digits at {@code from}, or -1 if one is not a digit. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * The resource as payload JSON, its openids masked. Masks {@code resource} in place (it is
     * this call's own tree, and no mapped field is an openid): call it once per tree.
     */
    private static String payload(JsonNode resource) {
        for (String[] path : MASKED) {
            JsonNode holder = resource.get(path[0]);
            if (holder instanceof ObjectNode) {
                JsonNode value = holder.get(path[1]);
                if (value != null && value.isTextual()) {
                    ((ObjectNode) holder).put(path[1], ApiV2PaymentNotify.mask(value.textValue()));
                }
            }
        }
        try {
            return JSON.writeValueAsString(resource);
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
