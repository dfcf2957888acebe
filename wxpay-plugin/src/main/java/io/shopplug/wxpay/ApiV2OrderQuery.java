package io.shopplug.wxpay;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The APIv2 order query: {@code POST {base}/pay/orderquery} with {@code appid, mch_id,
 * out_trade_no, nonce_str, sign_type, sign} signed with the merchant's APIv2 key. The answer's
 * sign is verified with the same key before anything else in it is read; the order is paid only
 * when {@code return_code}, {@code result_code} and {@code trade_state} are all SUCCESS, and is
 * then mapped like a payment notification ({@link ApiV2PaymentNotify}). Thread-safe.
 */
final class ApiV2OrderQuery implements OrderQuery {
    static final String PATH = "/pay/orderquery";
    private static final String SUCCESS = "SUCCESS";
    private static final String ORDER_NOT_EXIST = "ORDERNOTEXIST";
    private static final char[] NONCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();

    private final URI uri;
    private final String appId;
    private final String mchId;
    private final ApiV2Signer signer;
    private final HttpClient http;
    private final Duration timeout;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param appId the app id sent with the query (WeChat Pay checks that it belongs to the merchant)
     * @param signer the merchant's APIv2 signer; its configured sign type signs the query
     * @param timeout the longest one query may take, answer included
     */
    ApiV2OrderQuery(String apiBaseUrl, String appId, String mchId, ApiV2Signer signer, HttpClient http,
            Duration timeout) {
        this.uri = URI.create(apiBaseUrl.replaceAll("/+$", "") + PATH);
        this.appId = Objects.requireNonNull(appId, "appId");
        this.mchId = Objects.requireNonNull(mchId, "mchId");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.http = Objects.requireNonNull(http, "http");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String api() {
        return "v2";
    }

    @Override
    public Optional<Notification> paymentOf(String outTradeNo) {
        byte[] body = post(request(outTradeNo));
        Map<String, String> answer;
        try {
            answer = XmlFields.parse(body, XmlFields.APIV2_ROOT);
        } catch (NotifyRejected e) {
            throw new OrderQuery.Failed("APIv2 order query answer: " + e.getMessage());
        }
        if (!SUCCESS.equals(answer.get("return_code"))) {
            // Unsigned by design (a transport-level refusal); says why, e.g. a wrong sign.
            throw new OrderQuery.Failed("APIv2 order query refused: " + Logs.safe(answer.get("return_msg")));
        }
        try {
            signer.verify(answer);
        } catch (NotifyRejected e) {
            throw new OrderQuery.Failed("APIv2 order query answer: " + e.getMessage());
        }
        if (!SUCCESS.equals(answer.get("result_code"))) {
            if (ORDER_NOT_EXIST.equals(answer.get("err_code"))) {
                return Optional.empty();
            }
            throw new OrderQuery.Failed("APIv2 order query failed: " + Logs.safe(answer.get("err_code")));
        }
        if (!SUCCESS.equals(answer.get("trade_state"))) {
            return Optional.empty(); // NOTPAY, CLOSED, USERPAYING, PAYERROR, REVOKED, REFUND...
        }
        Notification n;
        try {
            n = ApiV2PaymentNotify.toNotification(answer);
        } catch (NotifyRejected e) {
            throw new OrderQuery.Failed("APIv2 order query answer: " + e.getMessage());
        }
        if (!n.outTradeNo().equals(outTradeNo)) {
            throw new OrderQuery.Failed("APIv2 order query answered for another order");
        }
        return Optional.of(n);
    }

    private byte[] request(String outTradeNo) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("appid", appId);
        fields.put("mch_id", mchId);
        fields.put("out_trade_no", outTradeNo);
        fields.put("nonce_str", nonce());
        fields.put("sign_type", signer.defaultType() == ApiV2Signer.SignType.MD5 ? "MD5" : "HMAC-SHA256");
        fields.put("sign", signer.sign(fields));
        StringBuilder xml = new StringBuilder("<xml>");
        for (Map.Entry<String, String> e : fields.entrySet()) {
            xml.append('<').append(e.getKey()).append('>').append(escape(e.getValue()))
                    .append("</").append(e.getKey()).append('>');
        }
        return xml.append("</xml>").toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] post(byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "text/xml; charset=utf-8")
                .header("User-Agent", "shopplug-wxpay")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<byte[]> response = QueryHttp.send(http, request, "APIv2 order query");
        if (response.statusCode() != 200) {
            throw new OrderQuery.Failed("APIv2 order query answered HTTP " + response.statusCode());
        }
        return response.body();
    }

    private String nonce() {
        char[] c = new char[32];
        for (int i = 0; i < c.length; i++) {
            c[i] = NONCE_CHARS[random.nextInt(NONCE_CHARS.length)];
        }
        return new String(c);
    }

    /** XML text escaping; the values are ids, but the order number comes from the host. */
    private static String escape(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '&': sb.append("&amp;"); break;
                default: sb.append(c);
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "ApiV2OrderQuery[" + mchId + ", " + uri + "]";
    }
}
