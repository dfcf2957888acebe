package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.simulator.ApiV3Message;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.PlatformIdentity;
import io.shopplug.simulator.Simulator;
import io.shopplug.simulator.SimulatorServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Download mode: a merchant configured with its API private key and certificate serial (no
 * certificate files) gets WeChat Pay's platform certificates from {@code GET /v3/certificates} of
 * the simulator's API server on 127.0.0.1 the first time a notification names an unknown serial,
 * and verifies it; a request the server does not accept yields no certificate.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DownloadedCertificatesTest {
    private static final String API_SERIAL = "6B7A3C1D9E0F11223344556677889900AABBCCDD";

    private final Clock clock = Clock.systemUTC();
    private final Merchant merchant = Merchant.of(V2Bodies.APP_ID, V2Bodies.MCH_ID, V2Bodies.KEY, Merchant.MD5)
            .withApiV3Key(V3Signer.API_V3_KEY);
    private NotifyDelivery delivery;
    private Simulator wechat;
    private SimulatorServer server;
    private PlatformIdentity platform;
    private KeyPair apiKey;

    @BeforeAll
    void start() throws Exception {
        delivery = NotifyDelivery.builder().build();
        platform = PlatformIdentity.rsaCertificate();
        wechat = new Simulator(merchant, platform, clock, delivery);
        server = SimulatorServer.start(clock, wechat);
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        apiKey = rsa.generateKeyPair();
        server.registerMerchantApiKey(V2Bodies.MCH_ID, API_SERIAL, apiKey.getPublic());
    }

    @AfterAll
    void stop() {
        server.close();
        delivery.close();
    }

    private Merchants.Merchant downloading(Path dir, PrivateKey key) throws Exception {
        Path pem = dir.resolve("apiclient_key.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        Map<String, String> settings = new HashMap<>();
        settings.put(Settings.MCH_ID, V2Bodies.MCH_ID);
        settings.put(Settings.APP_ID, V2Bodies.APP_ID);
        settings.put(Settings.API_V3_KEY, V3Signer.API_V3_KEY);
        settings.put(Settings.PRIVATE_KEY_FILE, pem.toString());
        settings.put(Settings.CERT_SERIAL, API_SERIAL);
        settings.put(Settings.API_BASE_URL, server.baseUrl());
        WxPayConfig config = WxPayConfig.from(settings);
        Merchants merchants = new Merchants(config.merchants(), clock, config.apiBaseUrl());
        assertTrue(merchants.anyDownloadsCertificates());
        return merchants.all().get(0);
    }

    private static ApiV3Headers headers(ApiV3Message message) {
        return ApiV3Headers.from(message::header);
    }

    @Test
    void anUnknownSerialDownloadsTheCertificatesAndTheNotificationVerifies(@TempDir Path dir) throws Exception {
        Merchants.Merchant m = downloading(dir, apiKey.getPrivate());
        assertTrue(m.platformKeys().isEmpty(), "no network at start-up");
        ApiV3Message paid = wechat.notificationsV3().paid("ORDER-DL-1", 1999);

        m.v3Verifier().verify(headers(paid), paid.body());

        List<PlatformKey> keys = m.platformKeys();
        assertEquals(1, keys.size());
        assertEquals(platform.serial(), keys.get(0).serial());
        assertEquals(PlatformKey.Kind.CERTIFICATE, keys.get(0).kind());
    }

    @Test
    void aRequestSignedWithAnotherKeyGetsNoCertificates(@TempDir Path dir) throws Exception {
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Merchants.Merchant m = downloading(dir, rsa.generateKeyPair().getPrivate());
        ApiV3Message paid = wechat.notificationsV3().paid("ORDER-DL-2", 1999);

        NotifyRejected e = assertThrows(NotifyRejected.class, () -> m.v3Verifier().verify(headers(paid), paid.body()));

        assertEquals(Reason.UNKNOWN_SERIAL, e.reason());
        assertFalse(m.platformKeys().stream().anyMatch(k -> k.serial().equals(platform.serial())));
    }
}
