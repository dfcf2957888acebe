package io.shopplug.wxpay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The APIv3 order query: {@code GET {base}/v3/pay/transactions/out-trade-no/{no}?mchid=...},
 * signed with the merchant's API key ({@link ApiV3RequestSigner}). Every answer acted on (200, or
 * 404 {@code ORDER_NOT_EXIST}) must carry a valid WeChat Pay signature, verified with the
 * merchant's platform keys like a notification ({@link ApiV3Verifier}). A 200 whose
 * {@code trade_state} is SUCCESS is mapped like a decrypted {@code TRANSACTION.SUCCESS} notification
 * ({@link ApiV3Notify}); any other state means not paid. Thread-safe.
 */
final class ApiV3OrderQuery implements OrderQuery {
    static final String PATH = "/v3/pay/transactions/out-trade-no/";
    private static final ObjectMapper JSON = JsonMappers.PLAIN;

    private final String base;
    private final String mchId;
    private final ApiV3RequestSigner signer;
    private final ApiV3Verifier verifier;
    private final HttpClient http;
    private final Duration timeout;

    ApiV3OrderQuery(String apiBaseUrl, String mchId, ApiV3RequestSigner signer, ApiV3Verifier verifier,
            HttpClient http, Duration timeout) {
        this.base = apiBaseUrl.replaceAll("/+$", "");
        this.mchId = Objects.requireNonNull(mchId, "mchId");
        this.signer = Objects.requireNonNull(signer, "signer");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
        this.http = Objects.requireNonNull(http, "http");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String api() {
        return "v3";
    }

    @Override
    public Optional<Notification> paymentOf(String outTradeNo) {
        String pathAndQuery = PATH + URLEncoder.encode(outTradeNo, StandardCharsets.UTF_8).replace("+", "%20")
                + "?mchid=" + URLEncoder.encode(mchId, StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", "shopplug-wxpay")
                .header("Authorization", signer.authorization("GET", pathAndQuery, ""))
                .GET().build();
        HttpResponse<byte[]> response = QueryHttp.send(http, request, "APIv3 order query");
        int status = response.statusCode();
        if (status != 200 && status != 404) {
            throw new OrderQuery.Failed("APIv3 order query answered HTTP " + status + errorCode(response.body()));
        }
        try {
            verifier.verify(ApiV3Headers.from(name -> response.headers().firstValue(name).orElse(null)),
                    response.body());
        } catch (NotifyRejected e) {
            throw new OrderQuery.Failed("APIv3 order query answer: " + e.getMessage());
        }
        if (status == 404) {
            if ("ORDER_NOT_EXIST".equals(code(response.body()))) {
                return Optional.empty();
            }
            throw new OrderQuery.Failed("APIv3 order query answered HTTP 404" + errorCode(response.body()));
        }
        List<Notification> payments;
        try {
            payments = ApiV3Notify.toNotifications(ApiV3Notify.TRANSACTION_SUCCESS, response.body());
        } catch (NotifyRejected e) {
            throw new OrderQuery.Failed("APIv3 order query answer: " + e.getMessage());
        }
        for (Notification n : payments) {
            if (n.outTradeNo().equals(outTradeNo)) {
                return Optional.of(n);
            }
        }
        if (!payments.isEmpty()) {
            throw new OrderQuery.Failed("APIv3 order query answered for another order");
        }
        return Optional.empty(); // NOTPAY, CLOSED, USERPAYING, PAYERROR, REVOKED, REFUND...
    }

    /** WeChat Pay's error {@code code}, or null. */
    private static String code(byte[] body) {
        try {
            JsonNode code = JSON.readTree(body).get("code");
            return code != null && code.isTextual() ? code.textValue() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static String errorCode(byte[] body) {
        String code = code(body);
        return code == null ? "" : " " + Logs.safe(code);
    }

    @Override
    public String toString() {
        return "ApiV3OrderQuery[" + mchId + ", " + base + "]";
    }
}
