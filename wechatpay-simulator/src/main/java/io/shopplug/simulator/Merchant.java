package io.shopplug.simulator;

import java.util.Objects;

/**
 * A merchant as the simulator knows it: the ids it puts into every notice, the APIv2 key and sign
 * type it signs APIv2 notices with, and (for APIv3) the APIv3 key it encrypts {@code resource}
 * with. Immutable; {@link #toString()} never prints a key.
 */
public final class Merchant {

    /** APIv2 sign type: uppercase hex MD5 of the signed string. */
    public static final String MD5 = "MD5";

    /** APIv2 sign type: uppercase hex HMAC-SHA256, keyed with the APIv2 key. */
    public static final String HMAC_SHA256 = "HMAC-SHA256";

    private final String appId;
    private final String mchId;
    private final String apiV2Key;
    private final String signType;
    private final String apiV3Key;

    private Merchant(String appId, String mchId, String apiV2Key, String signType,
            String apiV3Key) {
        this.appId = requireText(appId, "appId");
        this.mchId = requireText(mchId, "mchId");
        this.apiV2Key = requireText(apiV2Key, "apiV2Key");
        this.signType = checkSignType(signType);
        if (apiV3Key != null
                && apiV3Key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length != 32) {
            throw new IllegalArgumentException("the APIv3 key must be 32 bytes");
        }
        this.apiV3Key = apiV3Key;
    }

    /**
     * @param signType {@link #MD5} or {@link #HMAC_SHA256}
     * @throws IllegalArgumentException if a value is blank or the sign type unknown
     */
    public static Merchant of(String appId, String mchId, String apiV2Key, String signType) {
        return new Merchant(appId, mchId, apiV2Key, signType, null);
    }

    public String appId() {
        return appId;
    }

    public String mchId() {
        return mchId;
    }

    public String apiV2Key() {
        return apiV2Key;
    }

    /** {@link #MD5} or {@link #HMAC_SHA256}. */
    public String signType() {
        return signType;
    }

    /** A copy with another sign type. */
    public Merchant withSignType(String newSignType) {
        return new Merchant(appId, mchId, apiV2Key, newSignType, apiV3Key);
    }

    /**
     * A copy with an APIv3 key, which APIv3 notifications need.
     *
     * @param key 32 bytes (WeChat's keys are 32 ASCII characters)
     * @throws IllegalArgumentException if it is not 32 bytes
     */
    public Merchant withApiV3Key(String key) {
        return new Merchant(appId, mchId, apiV2Key, signType, Objects.requireNonNull(key, "key"));
    }

    /** The APIv3 key, if one was given. */
    public java.util.Optional<String> apiV3Key() {
        return java.util.Optional.ofNullable(apiV3Key);
    }

    /** The APIv3 key. @throws IllegalStateException if none was given */
    String requireApiV3Key() {
        if (apiV3Key == null) {
            throw new IllegalStateException("merchant " + mchId + " has no APIv3 key");
        }
        return apiV3Key;
    }

    static String checkSignType(String signType) {
        if (!MD5.equals(signType) && !HMAC_SHA256.equals(signType)) {
            throw new IllegalArgumentException("sign type must be MD5 or HMAC-SHA256");
        }
        return signType;
    }

    private static String requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " is blank");
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Merchant m
                && appId.equals(m.appId)
                && mchId.equals(m.mchId)
                && apiV2Key.equals(m.apiV2Key)
                && signType.equals(m.signType)
                && Objects.equals(apiV3Key, m.apiV3Key);
    }

    @Override
    public int hashCode() {
        return Objects.hash(appId, mchId, apiV2Key, signType, apiV3Key);
    }

    @Override
    public String toString() {
        return "Merchant[appId=" + appId + ", mchId=" + mchId + ", signType=" + signType
                + ", apiV2Key=***" + (apiV3Key == null ? "" : ", apiV3Key=***") + "]";
    }
}
