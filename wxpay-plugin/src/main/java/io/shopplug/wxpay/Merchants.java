package io.shopplug.wxpay;

import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured merchants with what each needs at run time (APIv2 signer and refund key, APIv3
 * platform keys, verifier and resource cipher, all built once at start), found by notify path and
 * merchant id. No global state: one instance per running plugin.
 */
final class Merchants {
    private final Map<String, Merchant> byMchId = new LinkedHashMap<>();
    private final Map<String, List<Merchant>> byPath = new LinkedHashMap<>();

    /**
     * @throws IllegalStateException listing every key or certificate file that cannot be read
     */
    Merchants(List<MerchantConfig> configs, Clock clock, String apiBaseUrl) {
        List<String> problems = new ArrayList<>();
        for (MerchantConfig c : configs) {
            Merchant m = new Merchant(c, clock, apiBaseUrl, problems);
            byMchId.put(c.mchId(), m);
            byPath.computeIfAbsent(c.notifyPath(), p -> new ArrayList<>()).add(m);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("WeChat Pay merchant keys have " + problems.size()
                    + " problem(s):\n  - " + String.join("\n  - ", problems));
        }
    }

    /** The merchants whose notifications arrive at this path; empty for any other path. */
    List<Merchant> onPath(String path) {
        return byPath.getOrDefault(path, Collections.emptyList());
    }

    /** The merchant with this {@code mch_id} among {@code candidates}. */
    static Optional<Merchant> byMchId(List<Merchant> candidates, String mchId) {
        for (Merchant m : candidates) {
            if (m.config().mchId().equals(mchId)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }

    List<Merchant> all() {
        return List.copyOf(byMchId.values());
    }

    /**
     * Whether a decrypted notification belongs to a configured merchant: directly, or as a
     * configured sub-merchant of a partner; and, when it names an app, through one of its apps.
     *
     * @throws NotifyRejected {@link Reason#MERCHANT_MISMATCH} or {@link Reason#APP_MISMATCH}
     */
    void check(Notification n) {
        check(n, null);
    }

    /**
     * As {@link #check(Notification)}, and the owner must be {@code verified}, the merchant whose
     * keys authenticated and decrypted the notification (any configured merchant when null).
     */
    void check(Notification n, Merchant verified) {
        Merchant owner = n.spMerchantId() == null ? byMchId.get(n.merchantId()) : byMchId.get(n.spMerchantId());
        if (verified != null && owner != verified) {
            throw new NotifyRejected(Reason.MERCHANT_MISMATCH);
        }
        MerchantConfig c = owner == null ? null : owner.config();
        boolean merchantOk = c != null && (n.spMerchantId() == null ? !c.isPartner() : c.subMchIds().contains(n.merchantId()));
        if (!merchantOk) {
            throw new NotifyRejected(Reason.MERCHANT_MISMATCH);
        }
        if (!n.appId().isEmpty() && !c.appIds().contains(n.appId())) {
            throw new NotifyRejected(Reason.APP_MISMATCH);
        }
    }

    /** Refreshes the downloaded platform certificates of every merchant that downloads them. */
    void refreshCertificates() {
        for (Merchant m : byMchId.values()) {
            if (m.downloadsCertificates) {
                try {
                    m.platformKeys.refresh();
                } catch (RuntimeException e) {
                    org.slf4j.LoggerFactory.getLogger(Merchants.class).warn(
                            "wxpay merchant {}: platform certificates not refreshed ({})", m.config.name(), e.getMessage());
                }
            }
        }
    }

    boolean anyDownloadsCertificates() {
        return byMchId.values().stream().anyMatch(m -> m.downloadsCertificates);
    }

    /** One merchant at run time. */
    static final class Merchant {
        private final MerchantConfig config;
        private final ApiV2Signer v2Signer;
        private final PlatformKeys platformKeys;
        private final ApiV3Verifier v3Verifier;
        private final ResourceCipher v3Cipher;
        private final boolean downloadsCertificates;
        private final ApiV2RefundCipher v2RefundCipher;
        private final ApiV3RequestSigner requestSigner;

        Merchant(MerchantConfig config, Clock clock, String apiBaseUrl, List<String> problems) {
            this.config = config;
            this.v2Signer = config.apiV2Key().map(k -> new ApiV2Signer(k, config.signType())).orElse(null);
            this.v2RefundCipher = config.apiV2Key().map(ApiV2RefundCipher::forApiV2Key).orElse(null);
            String v3Key = config.apiV3Key().orElse(null);
            this.v3Cipher = v3Key == null ? null : new ResourceCipher(v3Key);
            this.downloadsCertificates = v3Key != null && config.platformCertFiles().isEmpty()
                    && config.privateKeyFile().isPresent();
            this.requestSigner = requestSigner(config, clock, problems);
            this.platformKeys = v3Key == null ? null : platformKeys(config, clock, apiBaseUrl, problems);
            this.v3Verifier = platformKeys == null ? null : new ApiV3Verifier(platformKeys, clock);
        }

        private PlatformKeys platformKeys(MerchantConfig c, Clock clock, String apiBaseUrl, List<String> problems) {
            String prefix = "merchant " + c.name() + ": ";
            PlatformKeys.Builder keys = PlatformKeys.builder(clock);
            boolean fromFiles = !c.platformCertFiles().isEmpty();
            if (fromFiles) {
                keys.certificates(() -> readAll(c.platformCertFiles()));
            } else if (downloadsCertificates && requestSigner != null) {
                keys.certificates(new DownloadedCertificates(apiBaseUrl, requestSigner, v3Cipher, clock));
            }
            if (c.publicKeyId().isPresent()) {
                try {
                    keys.publicKey(c.publicKeyId().get(), PemCertificates.readPublicKey(Path.of(c.publicKeyFile().orElseThrow())));
                } catch (IOException | RuntimeException e) {
                    problems.add(prefix + "public key file cannot be read as a PEM RSA public key: " + c.publicKeyFile().orElse(""));
                }
            }
            try {
                PlatformKeys built = keys.build();
                if (fromFiles) {
                    built.refresh(); // local files: load now, so a bad file stops the start
                }
                return built;
            } catch (RuntimeException e) {
                problems.add(prefix + "platform keys: " + e.getMessage());
                return null;
            }
        }

        /** The signer of requests to WeChat Pay's APIv3, when the merchant's own API key is configured. */
        private static ApiV3RequestSigner requestSigner(MerchantConfig c, Clock clock, List<String> problems) {
            if (c.privateKeyFile().isEmpty() || c.certSerial().isEmpty()) {
                return null;
            }
            try {
                return new ApiV3RequestSigner(c.mchId(), c.certSerial().get(),
                        PemCertificates.readPrivateKey(Path.of(c.privateKeyFile().get())), clock);
            } catch (IOException | RuntimeException e) {
                problems.add("merchant " + c.name() + ": private key file cannot be read as a PKCS#8 RSA key: "
                        + c.privateKeyFile().get());
                return null;
            }
        }

        private static List<X509Certificate> readAll(List<String> files) throws IOException {
            List<X509Certificate> all = new ArrayList<>();
            for (String f : files) {
                all.addAll(PemCertificates.readCertificates(Path.of(f)));
            }
            return all;
        }

        MerchantConfig config() { return config; }

        /** The APIv2 signer, or empty when the merchant has no APIv2 key. */
        Optional<ApiV2Signer> v2Signer() { return Optional.ofNullable(v2Signer); }

        /** Whether the merchant receives APIv3 notifications. */
        boolean hasApiV3() { return v3Verifier != null; }

        ApiV3Verifier v3Verifier() { return v3Verifier; }

        ResourceCipher v3Cipher() { return v3Cipher; }

        /** The signer of APIv3 requests (order queries), or empty without the merchant's API key. */
        Optional<ApiV3RequestSigner> v3RequestSigner() { return Optional.ofNullable(requestSigner); }

        /** The platform keys, for a status page: serials, algorithms, expiry. */
        List<PlatformKey> platformKeys() {
            return platformKeys == null ? List.of() : platformKeys.all();
        }
        /** The key of APIv2 refund notifications, derived once; empty when there is no APIv2 key. */
        Optional<ApiV2RefundCipher> v2RefundCipher() { return Optional.ofNullable(v2RefundCipher); }

        @Override
        public String toString() {
            return config.toString();
        }
    }
}
