package io.shopplug.simulator;

import java.util.Objects;

/**
 * A merchant as the simulator knows it: the ids it puts into every notice and the APIv2 key and
 * sign type it signs them with. Immutable; {@link #toString()} never prints the key.
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

    private Merchant(String appId, String mchId, String apiV2Key, String signType) {
        this.appId = requireText(appId, "appId");
        this.mchId = requireText(mchId, "mchId");
        this.apiV2Key = requireText(apiV2Key, "apiV2Key");
        this.signType = checkSignType(signType);
    }

    /**
     * @param signType {@link #MD5} or {@link #HMAC_SHA256}
     * @throws IllegalArgumentException if a value is blank or the sign type unknown
     */
    public static Merchant of(String appId, String mchId, String apiV2Key, String signType) {
        return new Merchant(appId, mchId, apiV2Key, signType);
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
        return new Merchant(appId, mchId, apiV2Key, newSignType);
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
                && signType.equals(m.signType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(appId, mchId, apiV2Key, signType);
    }

    @Override
    public String toString() {
        return "Merchant[appId=" + appId + ", mchId=" + mchId + ", signType=" + signType
                + ", apiV2Key=***]";
    }
}
