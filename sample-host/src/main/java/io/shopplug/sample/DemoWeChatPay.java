package io.shopplug.sample;

import io.shopplug.sample.ShopSettings.KeyMode;
import io.shopplug.sample.ShopSettings.WxPayApi;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.PlatformIdentity;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The WeChat Pay side of the demo, set up once when the shop starts: the demo merchant(s) of
 * {@code wxpay.properties} and, in the APIv3 modes, the simulated WeChat Pay platform identities
 * that sign their notifications (generated now, or with {@code shop.wxpay.platform-key-file} the
 * public-key identity kept in that file; their certificates and public keys written as PEM files
 * under {@code <shop.data.dir>/wxpay-platform/}), plus the settings the shop hands the plugin
 * through {@code PluginContext.settings()}. No system property is set: several shops can
 * run in one JVM, each with its own identities.
 */
final class DemoWeChatPay {
    /** The name of the first merchant when the plugin is given several. */
    static final String MAIN = "main";
    /** The name of the second demo merchant. */
    static final String SECOND = "second";

    /**
     * One demo merchant.
     *
     * @param name {@link #MAIN} or {@link #SECOND}
     * @param merchant the simulator's view: ids, APIv2 key and (APIv3 modes) APIv3 key
     * @param identities the platform identities that sign its APIv3 notices, in turn; empty in
     *     APIv2 mode
     */
    record DemoMerchant(String name, Merchant merchant, List<PlatformIdentity> identities) {
        DemoMerchant {
            identities = List.copyOf(identities);
        }
    }

    private final WxPayApi api;
    private final String notifyPath;
    private final List<DemoMerchant> merchants;
    private final Map<String, String> pluginSettings;

    private DemoWeChatPay(WxPayApi api, String notifyPath, List<DemoMerchant> merchants,
            Map<String, String> pluginSettings) {
        this.api = api;
        this.notifyPath = notifyPath;
        this.merchants = List.copyOf(merchants);
        this.pluginSettings = Map.copyOf(pluginSettings);
    }

    /**
     * Reads the merchants from {@code wxpay.properties} and, for APIv3, makes the platform
     * identities and writes their PEM files.
     *
     * @throws IllegalStateException if {@code wxpay.properties} lacks a key the mode needs
     * @throws IllegalArgumentException if the platform key file is not a PKCS#8 PEM RSA key
     * @throws UncheckedIOException if the PEM files cannot be written
     */
    static DemoWeChatPay create(ShopSettings settings, ClassLoader loader) {
        List<MerchantSettings> configs = new ArrayList<>();
        configs.add(MerchantSettings.fromClassPath(loader, MerchantSettings.MAIN));
        if (settings.wxpaySecondMerchant()) {
            configs.add(MerchantSettings.fromClassPath(loader, MerchantSettings.SECOND));
        }
        boolean several = configs.size() > 1;
        WxPayApi api = settings.wxpayApi();
        Path pemDir = Path.of(settings.dataDir()).resolve("wxpay-platform");
        Map<String, String> plugin = new LinkedHashMap<>();
        List<DemoMerchant> merchants = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            MerchantSettings m = configs.get(i);
            String name = i == 0 ? MAIN : SECOND;
            names.add(name);
            String prefix = several ? "wxpay.merchant." + name + "." : "wxpay.";
            if (several) {
                // Named merchants are read only from their own keys: hand them all.
                plugin.put(prefix + "mch-id", m.mchId());
                plugin.put(prefix + "app-id", m.appId());
                plugin.put(prefix + "api-v2-key", m.apiV2Key());
                plugin.put(prefix + "sign-type", m.signType());
            }
            Merchant simulated = Merchant.of(m.appId(), m.mchId(), m.apiV2Key(), m.signType());
            if (!api.isV3()) {
                // wxpay.properties, which the plugin reads too, holds the demo APIv3 key; an empty
                // value counts as unset, so this keeps the plugin on APIv2 alone.
                plugin.put(prefix + "api-v3-key", "");
                merchants.add(new DemoMerchant(name, simulated, List.of()));
                continue;
            }
            String v3Key = m.apiV3KeyIfAny().orElseThrow(() -> new IllegalStateException(
                    MerchantSettings.RESOURCE + " lacks the demo APIv3 key of merchant " + m.mchId()));
            List<PlatformIdentity> identities = settings.wxpayPlatformKeyFile().isEmpty()
                    ? identities(api, settings.wxpayKeyMode())
                    // ShopSettings allows a key file only with v3, public-key mode and one merchant.
                    : List.of(PlatformIdentity.rsaPublicKeyFile(Path.of(settings.wxpayPlatformKeyFile())));
            plugin.put(prefix + "api-v3-key", v3Key);
            List<String> certFiles = new ArrayList<>();
            for (PlatformIdentity identity : identities) {
                Path file = pemDir.resolve(m.mchId() + "-" + identity.serial() + ".pem");
                if (identity.certificate().isPresent()) {
                    write(file, identity.certificatePem());
                    certFiles.add(file.toAbsolutePath().toString());
                } else {
                    write(file, identity.publicKeyPem());
                    plugin.put(prefix + "public-key-id", identity.serial());
                    plugin.put(prefix + "public-key-file", file.toAbsolutePath().toString());
                }
            }
            if (!certFiles.isEmpty()) {
                plugin.put(prefix + "platform-cert-files", String.join(",", certFiles));
            }
            merchants.add(new DemoMerchant(name, simulated.withApiV3Key(v3Key), identities));
        }
        if (several) {
            plugin.put("wxpay.merchants", String.join(",", names));
            // wxpay.properties, which the plugin reads too, holds the first merchant under wxpay.:
            // handed above as a named one, its single-merchant keys are switched off.
            for (String field : List.of("mch-id", "app-id", "api-v2-key", "api-v3-key", "sign-type")) {
                plugin.put(MerchantSettings.MAIN + field, "");
            }
        }
        return new DemoWeChatPay(api, configs.get(0).notifyPath(), merchants, plugin);
    }

    /** WeChat Pay's signing identities for one merchant, in the order its notices use them. */
    private static List<PlatformIdentity> identities(WxPayApi api, KeyMode mode) {
        if (api == WxPayApi.V3_SM) {
            return List.of(PlatformIdentity.sm2Certificate());
        }
        switch (mode) {
            case CERTIFICATE:
                return List.of(PlatformIdentity.rsaCertificate());
            case PUBLIC_KEY:
                return List.of(PlatformIdentity.rsaPublicKey());
            case MIGRATION:
                return List.of(PlatformIdentity.rsaCertificate(), PlatformIdentity.rsaPublicKey());
            default:
                throw new IllegalArgumentException("key mode " + mode);
        }
    }

    private static void write(Path file, String pem) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    WxPayApi api() {
        return api;
    }

    /** The demo merchants; the first is the one of {@code wxpay.mch-id}. */
    List<DemoMerchant> merchants() {
        return merchants;
    }

    /** What the shop hands the plugin; they override the plugin's own sources. */
    Map<String, String> pluginSettings() {
        return pluginSettings;
    }

    /** The notify path of every demo merchant (they share it). */
    String notifyPath() {
        return notifyPath;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (DemoMerchant m : merchants) {
            List<String> serials = new ArrayList<>();
            m.identities().forEach(p -> serials.add(p.kind() + " " + p.serial()));
            parts.add(m.name() + " " + m.merchant().mchId() + (serials.isEmpty() ? "" : " " + serials));
        }
        return "DemoWeChatPay[" + api.value() + ", " + parts + "]";
    }
}
