package io.shopplug.simulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The APIv2 signature, written from the protocol notes (section 1), not from any SDK. */
final class ApiV2Signer {

    private static final HexFormat UPPER_HEX = HexFormat.of().withUpperCase();

    private ApiV2Signer() {
    }

    /**
     * The string that is hashed: every field but {@code sign} whose value is non-empty, sorted by
     * name (String order, which is byte order for the ASCII names WeChat uses), joined as
     * {@code name=value} with {@code &}, then {@code &key=<key>}.
     */
    static String stringToSign(Map<String, String> fields, String key) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(fields).entrySet()) {
            String value = e.getValue();
            if ("sign".equals(e.getKey()) || value == null || value.isEmpty()) {
                continue;
            }
            sb.append(e.getKey()).append('=').append(value).append('&');
        }
        return sb.append("key=").append(key).toString();
    }

    static String sign(Map<String, String> fields, String key, String signType) {
        Merchant.checkSignType(signType);
        byte[] message = stringToSign(fields, key).getBytes(StandardCharsets.UTF_8);
        try {
            if (Merchant.MD5.equals(signType)) {
                return UPPER_HEX.formatHex(MessageDigest.getInstance("MD5").digest(message));
            }
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return UPPER_HEX.formatHex(mac.doFinal(message));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks " + signType, e);
        }
    }
}
