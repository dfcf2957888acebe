package io.shopplug.wxpay;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One merchant's validated settings: ids, keys and where its notifications arrive. Immutable;
 * {@link #toString()} never shows a secret. Built by {@link WxPayConfig}.
 */
final class MerchantConfig {
    private final String name;
    private final String mchId;
    private final List<String> appIds;
    private final String apiV2Key;
    private final ApiV2Signer.SignType signType;
    private final String apiV3Key;
    private final String notifyPath;
    private final List<String> platformCertFiles;
    private final String publicKeyId;
    private final String publicKeyFile;
    private final String privateKeyFile;
    private final String certSerial;
    private final Set<String> subMchIds;

    MerchantConfig(String name, String mchId, List<String> appIds, String apiV2Key,
            ApiV2Signer.SignType signType, String apiV3Key, String notifyPath,
            List<String> platformCertFiles, String publicKeyId, String publicKeyFile,
            String privateKeyFile, String certSerial, Set<String> subMchIds) {
        this.name = name;
        this.mchId = mchId;
        this.appIds = List.copyOf(appIds);
        this.apiV2Key = apiV2Key;
        this.signType = signType;
        this.apiV3Key = apiV3Key;
        this.notifyPath = notifyPath;
        this.platformCertFiles = List.copyOf(platformCertFiles);
        this.publicKeyId = publicKeyId;
        this.publicKeyFile = publicKeyFile;
        this.privateKeyFile = privateKeyFile;
        this.certSerial = certSerial;
        this.subMchIds = Set.copyOf(subMchIds);
    }

    /** The name it is configured under ({@code default} for the single-merchant keys). */
    String name() { return name; }
    String mchId() { return mchId; }
    /** The app ids its payments may come through; never empty. */
    List<String> appIds() { return appIds; }
    /** The APIv2 key, when the merchant receives APIv2 notifications. */
    Optional<String> apiV2Key() { return Optional.ofNullable(apiV2Key); }
    ApiV2Signer.SignType signType() { return signType; }
    /** The APIv3 key, when the merchant receives APIv3 notifications. */
    Optional<String> apiV3Key() { return Optional.ofNullable(apiV3Key); }
    String notifyPath() { return notifyPath; }
    /** PEM files of WeChat Pay platform certificates (certificate mode). */
    List<String> platformCertFiles() { return platformCertFiles; }
    /** The WeChat Pay public-key id ({@code PUB_KEY_ID_...}) in public-key mode. */
    Optional<String> publicKeyId() { return Optional.ofNullable(publicKeyId); }
    Optional<String> publicKeyFile() { return Optional.ofNullable(publicKeyFile); }
    /** The merchant's own API private key (PEM), for signed requests to WeChat Pay. */
    Optional<String> privateKeyFile() { return Optional.ofNullable(privateKeyFile); }
    /** The serial of the merchant's own API certificate, sent with signed requests. */
    Optional<String> certSerial() { return Optional.ofNullable(certSerial); }
    /** Partner (service provider) mode: the sub-merchants it accepts; empty otherwise. */
    Set<String> subMchIds() { return subMchIds; }

    boolean isPartner() {
        return !subMchIds.isEmpty();
    }

    @Override
    public String toString() {
        return "Merchant[" + name + ", mchId=" + mchId + ", appIds=" + appIds + ", apiV2Key="
                + (apiV2Key == null ? "none" : "***") + ", apiV3Key=" + (apiV3Key == null ? "none" : "***")
                + ", notifyPath=" + notifyPath + "]";
    }
}
