package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.simulator.PlatformIdentity;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The sample shop's APIv3 modes end to end on embedded H2, one shop per mode: RSA platform
 * certificate, WeChat Pay public key, the SM variant (SM2 certificate, SM4-GCM resources), a
 * merchant in the middle of its migration (certificate-signed and public-key-signed notices
 * alternate), and two merchants served on one notify path at once.
 */
class ApiV3EndToEndTest {

    @Nested
    class CertificateMode extends ApiV3ShopScenarios {
        @Override
        Map<String, String> mode() {
            return Map.of(ShopSettings.WXPAY_API, "v3", ShopSettings.WXPAY_KEY_MODE, "certificate");
        }

        @Test
        void theShopHandsThePluginTheCertificateFile() {
            Map<String, String> handed = shop.wechatPay().pluginSettings();
            PlatformIdentity p = shop.wechatPay().merchants().get(0).identities().get(0);
            assertEquals(PlatformIdentity.Kind.RSA_CERTIFICATE, p.kind());
            assertEquals(Map.of("wxpay.api-v3-key", "9c4e2b7a1f5d8e3c6a0b4d7f2e5c8a1b", "wxpay.platform-cert-files",
                    dataDir.resolve("wxpay-platform/1900000109-" + p.serial() + ".pem").toAbsolutePath().toString()),
                    handed);
        }
    }

    @Nested
    class PublicKeyMode extends ApiV3ShopScenarios {
        @Override
        Map<String, String> mode() {
            return Map.of(ShopSettings.WXPAY_API, "v3", ShopSettings.WXPAY_KEY_MODE, "public-key");
        }

        @Test
        void theShopHandsThePluginThePublicKeyAndItsId() {
            Map<String, String> handed = shop.wechatPay().pluginSettings();
            PlatformIdentity p = shop.wechatPay().merchants().get(0).identities().get(0);
            assertTrue(p.serial().startsWith("PUB_KEY_ID_"), p.serial());
            assertEquals(p.serial(), handed.get("wxpay.public-key-id"));
            assertTrue(handed.get("wxpay.public-key-file").endsWith(p.serial() + ".pem"));
            assertEquals(null, handed.get("wxpay.platform-cert-files"));
        }
    }

    @Nested
    class SmMode extends ApiV3ShopScenarios {
        @Override
        Map<String, String> mode() {
            return Map.of(ShopSettings.WXPAY_API, "v3-sm");
        }

        @Test
        void weChatPaySignsWithSm2() {
            assertEquals(PlatformIdentity.Kind.SM2_CERTIFICATE,
                    shop.wechatPay().merchants().get(0).identities().get(0).kind());
        }
    }

    @Nested
    class MidMigration extends ApiV3ShopScenarios {
        @Override
        Map<String, String> mode() {
            return Map.of(ShopSettings.WXPAY_API, "v3", ShopSettings.WXPAY_KEY_MODE, "migration");
        }

        @Test
        void bothKeysAreHandedToThePlugin() {
            Map<String, String> handed = shop.wechatPay().pluginSettings();
            assertTrue(handed.containsKey("wxpay.platform-cert-files"), handed.toString());
            assertTrue(handed.containsKey("wxpay.public-key-id"), handed.toString());
            assertEquals(2, shop.wechatPay().merchants().get(0).identities().size());
        }
    }

    @Nested
    class TwoMerchantsAtOnce extends ApiV3ShopScenarios {
        @Override
        Map<String, String> mode() {
            return Map.of(ShopSettings.WXPAY_API, "v3", ShopSettings.WXPAY_KEY_MODE, "migration",
                    ShopSettings.WXPAY_SECOND_MERCHANT, "true");
        }

        @Test
        void bothMerchantsAreHandedToThePluginOnOnePath() {
            Map<String, String> handed = shop.wechatPay().pluginSettings();
            assertEquals("main,second", handed.get("wxpay.merchants"));
            assertEquals("1900000109", handed.get("wxpay.merchant.main.mch-id"));
            assertEquals("1900000110", handed.get("wxpay.merchant.second.mch-id"));
            assertEquals(null, handed.get("wxpay.merchant.second.notify-path"), "the default path, shared");
        }
    }
}
