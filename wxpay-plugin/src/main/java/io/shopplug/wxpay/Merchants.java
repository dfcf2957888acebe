package io.shopplug.wxpay;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured merchants with what each needs at run time (its APIv2 signer and refund key,
 * built once), found by notify path and by merchant id. No global state: one instance per running
 * plugin.
 */
final class Merchants {
    private final Map<String, Merchant> byMchId = new LinkedHashMap<>();
    private final Map<String, List<Merchant>> byPath = new LinkedHashMap<>();

    Merchants(List<MerchantConfig> configs) {
        for (MerchantConfig c : configs) {
            Merchant m = new Merchant(c);
            byMchId.put(c.mchId(), m);
            byPath.computeIfAbsent(c.notifyPath(), p -> new ArrayList<>()).add(m);
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

    /** One merchant at run time. */
    static final class Merchant {
        private final MerchantConfig config;
        private final ApiV2Signer v2Signer;
        private final ApiV2RefundCipher v2RefundCipher;

        Merchant(MerchantConfig config) {
            this.config = config;
            this.v2Signer = config.apiV2Key().map(k -> new ApiV2Signer(k, config.signType())).orElse(null);
            this.v2RefundCipher = config.apiV2Key().map(ApiV2RefundCipher::forApiV2Key).orElse(null);
        }

        MerchantConfig config() { return config; }

        /** The APIv2 signer, or empty when the merchant has no APIv2 key. */
        Optional<ApiV2Signer> v2Signer() { return Optional.ofNullable(v2Signer); }

        /** The key of APIv2 refund notifications, derived once; empty when there is no APIv2 key. */
        Optional<ApiV2RefundCipher> v2RefundCipher() { return Optional.ofNullable(v2RefundCipher); }

        @Override
        public String toString() {
            return config.toString();
        }
    }
}
