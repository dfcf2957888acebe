package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Test-only builder of APIv2 notify bodies for the test merchant of {@code notify/v2/README.md}:
 * validly signed ones (signed here with {@link ApiV2Signer}) and the fixture files (signed with
 * Python, independently of the plugin).
 */
final class V2Bodies {
    static final String KEY = "8934e7d15453e97507ef794cf7b0519d";
    static final String MCH_ID = "1900000109";
    static final String APP_ID = "wx2421b1c4370ec43b";
    /** {@code transaction_id} and {@code out_trade_no} of the fixtures. */
    static final String FIXTURE_TRANSACTION = "4200000001202611240000000001";
    static final String FIXTURE_ORDER = "ORDER-1001";

    /**
     * The AES key of {@link #KEY}'s refund notices: the lowercase hex MD5 of {@link #KEY}, computed
     * outside Java ({@code echo -n 8934e7d15453e97507ef794cf7b0519d | md5sum}).
     */
    static final String REFUND_AES_KEY = "bbc07019c659b91fc7f1ca230aea21ec";
    /** {@code refund_id} and {@code out_refund_no} of {@code refund.xml}. */
    static final String FIXTURE_REFUND = "50000000382019052709732678859";
    static final String FIXTURE_OUT_REFUND = "REFUND-1001-1";

    private static final ApiV2Signer SIGNER = new ApiV2Signer(KEY, ApiV2Signer.SignType.MD5);
    private static final Pattern SIGN = Pattern.compile("<sign>(?:<!\\[CDATA\\[)?([0-9A-Za-z]+)");

    private V2Bodies() {}

    /** The fields of a successful payment, unsigned, in the order WeChat Pay tends to send them. */
    static Map<String, String> paid(String transactionId, String outTradeNo, long totalFen) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("appid", APP_ID);
        f.put("bank_type", "CMC");
        f.put("cash_fee", Long.toString(totalFen));
        f.put("fee_type", "CNY");
        f.put("is_subscribe", "Y");
        f.put("mch_id", MCH_ID);
        f.put("nonce_str", "n" + Long.toHexString(transactionId.hashCode() & 0xffffffffL));
        f.put("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        f.put("out_trade_no", outTradeNo);
        f.put("result_code", "SUCCESS");
        f.put("return_code", "SUCCESS");
        f.put("time_end", "20261124103000");
        f.put("total_fee", Long.toString(totalFen));
        f.put("trade_type", "JSAPI");
        f.put("transaction_id", transactionId);
        return f;
    }

    /** The decrypted {@code req_info} fields of a successful refund, as WeChat Pay sends them. */
    static Map<String, String> refunded(String refundId, String transactionId, String outTradeNo,
            long refundFen, long totalFen) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("out_refund_no", "R-" + refundId);
        f.put("out_trade_no", outTradeNo);
        f.put("refund_account", "REFUND_SOURCE_RECHARGE_FUNDS");
        f.put("refund_fee", Long.toString(refundFen));
        f.put("refund_id", refundId);
        f.put("refund_recv_accout", "招商银行信用卡0403");
        f.put("refund_request_source", "API");
        f.put("refund_status", "SUCCESS");
        f.put("settlement_refund_fee", Long.toString(refundFen));
        f.put("settlement_total_fee", Long.toString(totalFen));
        f.put("success_time", "2026-11-25 09:15:30");
        f.put("total_fee", Long.toString(totalFen));
        f.put("transaction_id", transactionId);
        return f;
    }

    /** The outer fields of a refund notice of the test merchant, {@code req_info} not yet set. */
    static Map<String, String> refundOuter() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("appid", APP_ID);
        f.put("mch_id", MCH_ID);
        f.put("nonce_str", "0b9f35f484df17a732e537c37708d1d0");
        return f;
    }

    /** A refund notice body: {@code plain} as a {@code <root>} document encrypted in {@code req_info}. */
    static byte[] refund(Map<String, String> plain) {
        return refund(refundOuter(), plain, REFUND_AES_KEY);
    }

    /** A refund notice body with these outer fields and {@code plain} encrypted under {@code aesKey}. */
    static byte[] refund(Map<String, String> outer, Map<String, String> plain, String aesKey) {
        Map<String, String> f = new LinkedHashMap<>(outer);
        f.put("req_info", encrypt(aesKey, root(plain)));
        return xml(f);
    }

    /** {@code fields} as a flat {@code <root>} document in CDATA, UTF-8. */
    static byte[] root(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("<root>");
        fields.forEach((name, value) -> sb.append('<').append(name).append("><![CDATA[").append(value)
                .append("]]></").append(name).append('>'));
        return sb.append("</root>").toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The test's own encryptor: base64 of AES-256-ECB/PKCS#7 of {@code plaintext} under the 32
     * ASCII characters {@code aesKey}, with the JDK directly (not the plugin's cipher).
     */
    static String encrypt(String aesKey, byte[] plaintext) {
        try {
            javax.crypto.Cipher c = javax.crypto.Cipher.getInstance("AES/ECB/PKCS5Padding");
            c.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(
                    aesKey.getBytes(StandardCharsets.US_ASCII), "AES"));
            return java.util.Base64.getEncoder().encodeToString(c.doFinal(plaintext));
        } catch (java.security.GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code fields} with a valid MD5 {@code sign} added, as an {@code <xml>} body in CDATA. */
    static byte[] signed(Map<String, String> fields) {
        Map<String, String> withSign = new LinkedHashMap<>(fields);
        withSign.put("sign", SIGNER.sign(fields));
        return xml(withSign);
    }

    /** {@code fields} as a flat {@code <xml>} body, exactly as given (no sign added). */
    static byte[] xml(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("<xml>");
        fields.forEach((name, value) -> sb.append('<').append(name).append("><![CDATA[").append(value)
                .append("]]></").append(name).append('>'));
        return sb.append("</xml>").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A file of {@code notify/v2/}. */
    static byte[] fixture(String name) {
        try (InputStream in = V2Bodies.class.getResourceAsStream("notify/v2/" + name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(name, e);
        }
    }

    /** The {@code sign} value in a body, or null. */
    static String signOf(byte[] body) {
        Matcher m = SIGN.matcher(new String(body, StandardCharsets.UTF_8));
        return m.find() ? m.group(1) : null;
    }

    /** The exact APIv2 SUCCESS answer. */
    static String successXml() {
        return "<xml><return_code><![CDATA[SUCCESS]]></return_code>"
                + "<return_msg><![CDATA[OK]]></return_msg></xml>";
    }

    /** The exact APIv2 FAIL answer with {@code message}. */
    static String failXml(String message) {
        return "<xml><return_code><![CDATA[FAIL]]></return_code>"
                + "<return_msg><![CDATA[" + message + "]]></return_msg></xml>";
    }
}
