package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopplug.simulator.ApiV3Message;
import io.shopplug.simulator.ApiV3Notifications;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.PlatformIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /**
     * Public-key mode with WeChat Pay's key in {@code shop.wxpay.platform-key-file}: missing at
     * start, so the shop makes it; another party that reads the file signs notices the shop trusts.
     */
    @Nested
    class PublicKeyFromAFile extends ApiV3ShopScenarios {
        private Path keyFile;

        @Override
        Map<String, String> mode() {
            try {
                keyFile = Files.createTempDirectory("shop-key-").resolve("wechatpay/platform.pem");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of(ShopSettings.WXPAY_API, "v3", ShopSettings.WXPAY_KEY_MODE, "public-key",
                    ShopSettings.WXPAY_PLATFORM_KEY_FILE, keyFile.toString());
        }

        @AfterAll
        void removeKey() throws IOException {
            Files.deleteIfExists(keyFile);
            Files.deleteIfExists(keyFile.getParent());
            Files.deleteIfExists(keyFile.getParent().getParent());
        }

        @Test
        void theShopSignsAndVerifiesWithTheKeyInTheFile() {
            PlatformIdentity fromFile = PlatformIdentity.rsaPublicKeyFile(keyFile);
            PlatformIdentity p = shop.wechatPay().merchants().get(0).identities().get(0);
            assertEquals(List.of(fromFile), shop.wechatPay().merchants().get(0).identities());
            assertEquals(fromFile.publicKey(), p.publicKey());
            Map<String, String> handed = shop.wechatPay().pluginSettings();
            assertEquals(fromFile.serial(), handed.get("wxpay.public-key-id"));
            assertTrue(handed.get("wxpay.public-key-file").endsWith(fromFile.serial() + ".pem"));
        }

        @Test
        void aNoticeSignedElsewhereWithTheFilesKeyPaysTheOrder() throws Exception {
            ShopClient client = new ShopClient(shop.baseUri());
            HttpResponse<String> placed = client.postJson("/api/orders", "{\"memberId\":1,\"productId\":1,\"quantity\":1}");
            assertEquals(201, placed.statusCode(), placed.body());
            JsonNode order = ShopClient.json(placed);
            Merchant merchant = Merchant.of("wx2421b1c4370ec43b", "1900000109", "8934e7d15453e97507ef794cf7b0519d",
                    Merchant.MD5).withApiV3Key("9c4e2b7a1f5d8e3c6a0b4d7f2e5c8a1b");
            ApiV3Message notice = new ApiV3Notifications(merchant, PlatformIdentity.rsaPublicKeyFile(keyFile),
                    Clock.systemUTC()).paid(order.get("outTradeNo").asText(), order.get("amountFen").asLong());
            try (NotifyDelivery wechat = NotifyDelivery.create()) {
                assertEquals(204, wechat.sendOnce(shop.baseUri().resolve("/wxpay/notify").toString(), notice).status());
            }
            assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction WHERE transaction_id = ?",
                    notice.transactionId()));
        }
    }

    @Test
    void aPlatformKeyFileThatIsNotAKeyStopsTheShopWithAClearMessage(@TempDir Path dir) throws IOException {
        Path junk = Files.writeString(dir.resolve("platform.pem"), "not a key");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SampleShop.start(TestShops.settings(
                Map.of(ShopSettings.WXPAY_API, "v3", ShopSettings.WXPAY_KEY_MODE, "public-key",
                        ShopSettings.WXPAY_PLATFORM_KEY_FILE, junk.toString(),
                        ShopSettings.DATA_DIR, dir.toString()))));
        assertEquals("The sample shop could not start: " + junk
                + " is not an RSA private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)", e.getMessage());
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
