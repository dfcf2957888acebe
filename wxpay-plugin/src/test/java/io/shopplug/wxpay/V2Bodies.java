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
