package io.shopplug.wxpay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;

/**
 * Signs requests to WeChat Pay's APIv3 with the merchant's API private key: the
 * {@code Authorization: WECHATPAY2-SHA256-RSA2048 ...} header over
 * {@code METHOD\nPATH_AND_QUERY\ntimestamp\nnonce\nbody\n}. Thread-safe; the key never leaves it.
 */
final class ApiV3RequestSigner {
    private static final char[] NONCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".toCharArray();
    private final String mchId;
    private final String certSerial;
    private final PrivateKey privateKey;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ApiV3RequestSigner(String mchId, String certSerial, PrivateKey privateKey, Clock clock) {
        this.mchId = Objects.requireNonNull(mchId, "mchId");
        this.certSerial = Objects.requireNonNull(certSerial, "certSerial");
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The value of the {@code Authorization} header for one request. */
    String authorization(String method, String pathAndQuery, String body) {
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        String nonce = nonce();
        String message = method + "\n" + pathAndQuery + "\n" + timestamp + "\n" + nonce + "\n" + body + "\n";
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(privateKey);
            rsa.update(message.getBytes(StandardCharsets.UTF_8));
            String signature = Base64.getEncoder().encodeToString(rsa.sign());
            return "WECHATPAY2-SHA256-RSA2048 mchid=\"" + mchId + "\",nonce_str=\"" + nonce + "\",timestamp=\""
                    + timestamp + "\",serial_no=\"" + certSerial + "\",signature=\"" + signature + "\"";
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a WeChat Pay request with the merchant key ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private String nonce() {
        char[] c = new char[32];
        for (int i = 0; i < c.length; i++) {
            c[i] = NONCE_CHARS[random.nextInt(NONCE_CHARS.length)];
        }
        return new String(c);
    }

    @Override
    public String toString() {
        return "ApiV3RequestSigner[" + mchId + ", serial " + certSerial + ", key hidden]";
    }
}
