package io.shopplug.wxpay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies APIv2 field sets with one merchant's APIv2 key.
 *
 * <p>String to sign: every field except {@code sign} and except empty values, sorted by name in
 * byte order, {@code name=value} joined by {@code &}, then {@code &key=<APIv2 key>}, UTF-8.
 * {@link SignType#MD5} is the uppercase hex MD5 of it, {@link SignType#HMAC_SHA256} the uppercase
 * hex HMAC-SHA256 keyed with the same key. The key is turned into a {@link Mac} and a suffix once,
 * here; the key and the string to sign never go into an exception or {@link #toString()}.
 * Thread-safe.
 */
final class ApiV2Signer {

    /** The APIv2 hash. */
    enum SignType {
        MD5,
        HMAC_SHA256;

        /**
         * Reads a configured or received sign type: {@code MD5}, {@code HMAC-SHA256} or
         * {@code HMAC_SHA256}, any case.
         *
         * @throws IllegalArgumentException for anything else (the value is not echoed)
         */
        static SignType parse(String value) {
            if (value != null) {
                String v = value.trim().toUpperCase(Locale.ROOT);
                if (v.equals("MD5")) {
                    return MD5;
                }
                if (v.equals("HMAC-SHA256") || v.equals("HMAC_SHA256")) {
                    return HMAC_SHA256;
                }
            }
            throw new IllegalArgumentException("sign type must be MD5 or HMAC-SHA256");
        }
    }

    private static final String SIGN = "sign";
    private static final String SIGN_TYPE = "sign_type";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private final SignType defaultType;
    /** {@code "&key=" + key}, UTF-8: the tail of every string to sign. */
    private final byte[] keySuffix;
    /** Initialised once with the key; cloned per call. */
    private final Mac hmacPrototype;
    private final MessageDigest md5Prototype;

    /**
     * @param apiV2Key the merchant's APIv2 key (not the APIv3 key); non-empty
     * @param defaultType the configured sign type, used by {@link #sign(Map)}
     * @throws IllegalArgumentException if the key is empty (the key is never echoed)
     * @throws IllegalStateException if the JDK lacks MD5 or HmacSHA256, or cannot clone them
     */
    ApiV2Signer(String apiV2Key, SignType defaultType) {
        Objects.requireNonNull(apiV2Key, "APIv2 key");
        if (apiV2Key.isEmpty()) {
            throw new IllegalArgumentException("APIv2 key is empty");
        }
        this.defaultType = Objects.requireNonNull(defaultType, "defaultType");
        byte[] key = apiV2Key.getBytes(StandardCharsets.UTF_8);
        this.keySuffix = ("&key=" + apiV2Key).getBytes(StandardCharsets.UTF_8);
        try {
            this.hmacPrototype = Mac.getInstance("HmacSHA256");
            this.hmacPrototype.init(new SecretKeySpec(key, "HmacSHA256"));
            this.md5Prototype = MessageDigest.getInstance("MD5");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("MD5 or HmacSHA256 unavailable", e);
        }
        // Fail at start-up, not on the first notify, if the provider cannot clone.
        newHmac();
        newMd5();
    }

    /** The configured sign type. */
    SignType defaultType() {
        return defaultType;
    }

    /** {@link #sign(Map, SignType)} with the configured sign type. */
    String sign(Map<String, String> fields) {
        return sign(fields, defaultType);
    }

    /**
     * The uppercase hex sign of {@code fields} ({@code sign} itself and empty or {@code null}
     * values are left out; everything else, {@code sign_type} and unknown fields included, is
     * signed).
     */
    String sign(Map<String, String> fields, SignType type) {
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(type, "type");
        byte[] message = canonical(fields);
        byte[] hash;
        if (type == SignType.MD5) {
            MessageDigest md5 = newMd5();
            md5.update(message);
            md5.update(keySuffix);
            hash = md5.digest();
        } else {
            Mac mac = newHmac();
            mac.update(message);
            mac.update(keySuffix);
            hash = mac.doFinal();
        }
        return hex(hash);
    }

    /**
     * Checks the {@code sign} of a received field set. The hash is the one named by a non-empty
     * {@code sign_type} field; without it, a 64-character sign is HMAC-SHA256 and a 32-character
     * one MD5 (the lengths of the two hashes, so the configured type adds nothing here). Hex case
     * is ignored; the comparison is constant-time.
     *
     * @throws NotifyRejected {@link Reason#MISSING_SIGN} if {@code sign} is absent or empty;
     *     {@link Reason#BAD_SIGN} if it does not verify, its length fits no hash, or
     *     {@code sign_type} names an unknown hash
     */
    void verify(Map<String, String> fields) {
        String received = fields.get(SIGN);
        if (received == null || received.isEmpty()) {
            throw new NotifyRejected(Reason.MISSING_SIGN);
        }
        SignType type = typeFor(fields.get(SIGN_TYPE), received);
        byte[] expected = sign(fields, type).getBytes(StandardCharsets.US_ASCII);
        byte[] actual = received.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new NotifyRejected(Reason.BAD_SIGN);
        }
    }

    private static SignType typeFor(String signType, String received) {
        if (signType != null && !signType.isEmpty()) {
            try {
                return SignType.parse(signType);
            } catch (IllegalArgumentException e) {
                throw new NotifyRejected(Reason.BAD_SIGN);
            }
        }
        if (received.length() == 64) {
            return SignType.HMAC_SHA256;
        }
        if (received.length() == 32) {
            return SignType.MD5;
        }
        throw new NotifyRejected(Reason.BAD_SIGN);
    }

    /** {@code a=1&b=2} over the signed fields, sorted by name in UTF-8 byte order. */
    private static byte[] canonical(Map<String, String> fields) {
        List<String> names = new ArrayList<>(fields.size());
        for (Map.Entry<String, String> e : fields.entrySet()) {
            String value = e.getValue();
            if (!SIGN.equals(e.getKey()) && value != null && !value.isEmpty()) {
                names.add(e.getKey());
            }
        }
        names.sort(ApiV2Signer::compareUtf8);
        StringBuilder sb = new StringBuilder(256);
        for (String name : names) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(name).append('=').append(fields.get(name));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Code-point order, which is the byte order of the UTF-8 encodings. */
    private static int compareUtf8(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private Mac newHmac() {
        try {
            return (Mac) hmacPrototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 provider cannot clone", e);
        }
    }

    private MessageDigest newMd5() {
        try {
            return (MessageDigest) md5Prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("MD5 provider cannot clone", e);
        }
    }

    private static String hex(byte[] bytes) {
        char[] out = new char[bytes.length * 2];
        for (int i = 0; i < bytes.length; i++) {
            out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[bytes[i] & 0xF];
        }
        return new String(out);
    }

    @Override
    public String toString() {
        return "ApiV2Signer[default " + defaultType + ", key hidden]";
    }
}
