package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.wechat.pay.java.core.RSAPublicKeyConfig;
import com.wechat.pay.java.core.exception.DecryptionException;
import com.wechat.pay.java.core.exception.ValidationException;
import com.wechat.pay.java.core.notification.NotificationConfig;
import com.wechat.pay.java.core.notification.NotificationParser;
import com.wechat.pay.java.core.notification.RSANotificationConfig;
import com.wechat.pay.java.core.notification.RSAPublicKeyNotificationConfig;
import com.wechat.pay.java.core.notification.RequestParam;
import com.wechat.pay.java.service.payments.model.Transaction;
import com.wechat.pay.java.service.refund.model.RefundNotification;
import com.wechat.pay.java.service.refund.model.Status;
import io.shopplug.simulator.ApiV3Notice.Breakage;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The official wechatpay-java SDK (0.2.17, test scope only) is an independent oracle for APIv3:
 * its {@link NotificationParser} must verify and decrypt what the simulator signs, and reject
 * what the simulator breaks.
 *
 * <p>Configurations used, all offline: certificate mode with {@link RSANotificationConfig} given
 * the platform certificate PEM directly (the SDK's {@code RSAConfig} takes certificates but is
 * not a {@link NotificationConfig} in 0.2.17; {@code RSAAutoCertificateConfig} downloads from
 * {@code api.mch.weixin.qq.com} and checks the certificate chain against Tenpay's root CA, which a
 * self-signed simulator certificate cannot pass); public-key mode with both
 * {@link RSAPublicKeyNotificationConfig} and {@link RSAPublicKeyConfig}. The SM variant cannot
 * be cross-checked: 0.2.17 has no SM2 verifier nor SM4 cipher (they live in a separate artifact).
 */
class WechatPayJavaCrossCheckTest {

    private static final Merchant MERCHANT = ApiV3NotificationsTest.MERCHANT;
    private static final String KEY = ApiV3NotificationsTest.V3_KEY;
    private static final PlatformIdentity CERT = ApiV3NotificationsTest.RSA;
    private static final PlatformIdentity PUBKEY = PlatformIdentity.rsaPublicKey();
    private static NotificationParser certMode;
    private static NotificationParser publicKeyMode;
    private static NotificationParser publicKeyModeFullConfig;

    // RSANotificationConfig is deprecated in 0.2.17 (in favour of the auto-downloading config),
    // but it is the SDK's only offline certificate-mode NotificationConfig.
    @SuppressWarnings("deprecation")
    @BeforeAll
    static void parsers() throws Exception {
        certMode = new NotificationParser(new RSANotificationConfig.Builder()
                .certificates(CERT.certificatePem()).apiV3Key(KEY).build());
        publicKeyMode = new NotificationParser(new RSAPublicKeyNotificationConfig.Builder()
                .publicKey(PUBKEY.publicKeyPem()).publicKeyId(PUBKEY.serial()).apiV3Key(KEY)
                .build());
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        publicKeyModeFullConfig = new NotificationParser(new RSAPublicKeyConfig.Builder()
                .merchantId(MERCHANT.mchId()).privateKey(g.generateKeyPair().getPrivate())
                .merchantSerialNumber("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")
                .publicKey(PUBKEY.publicKey()).publicKeyId(PUBKEY.serial()).apiV3Key(KEY)
                .build());
    }

    static Stream<Arguments> modes() {
        return Stream.of(Arguments.of("certificate", CERT), Arguments.of("public key", PUBKEY),
                Arguments.of("public key (RSAPublicKeyConfig)", PUBKEY));
    }

    private static NotificationParser parser(String mode) {
        return switch (mode) {
            case "certificate" -> certMode;
            case "public key" -> publicKeyMode;
            default -> publicKeyModeFullConfig;
        };
    }

    /** What a servlet hands the SDK: the headers and the raw body as a UTF-8 string. */
    private static RequestParam request(ApiV3Message m) {
        return new RequestParam.Builder()
                .serialNumber(m.header("Wechatpay-Serial"))
                .nonce(m.header("Wechatpay-Nonce"))
                .signature(m.header("Wechatpay-Signature"))
                .timestamp(m.header("Wechatpay-Timestamp"))
                .signType(m.header("Wechatpay-Signature-Type"))
                .body(new String(m.body(), StandardCharsets.UTF_8))
                .build();
    }

    private static ApiV3Notifications v3(PlatformIdentity p) {
        return new ApiV3Notifications(MERCHANT, p, ApiV3NotificationsTest.CLOCK);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void parsesAPayment(String mode, PlatformIdentity platform) {
        ApiV3Message m = v3(platform).paid("SO-20240520-0001", 8888);
        Transaction t = parser(mode).parse(request(m), Transaction.class);
        assertEquals("SO-20240520-0001", t.getOutTradeNo());
        assertEquals(8888, t.getAmount().getTotal());
        assertEquals("CNY", t.getAmount().getCurrency());
        assertEquals(m.transactionId(), t.getTransactionId());
        assertEquals(Transaction.TradeStateEnum.SUCCESS, t.getTradeState());
        assertEquals(MERCHANT.mchId(), t.getMchid());
        assertEquals(MERCHANT.appId(), t.getAppid());
        assertEquals("2024-05-20T13:14:00+08:00", t.getSuccessTime());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modes")
    void parsesARefund(String mode, PlatformIdentity platform) {
        ApiV3Message m = v3(platform).build(ApiV3Notice.refund(RefundStatus.SUCCESS,
                "SO-20240520-0001", "4200000000202405201234567890", "RF-1", 300, 8888));
        RefundNotification r = parser(mode).parse(request(m), RefundNotification.class);
        assertEquals(m.refundId().orElseThrow(), r.getRefundId());
        assertEquals("RF-1", r.getOutRefundNo());
        assertEquals("SO-20240520-0001", r.getOutTradeNo());
        assertEquals("4200000000202405201234567890", r.getTransactionId());
        assertEquals(Status.SUCCESS, r.getRefundStatus());
        assertEquals(300, r.getAmount().getRefund());
        assertEquals(8888, r.getAmount().getTotal());
    }

    @ParameterizedTest
    @EnumSource(value = RefundStatus.class, names = {"CLOSED", "ABNORMAL"})
    void parsesRefundsThatDidNotSucceed(RefundStatus status) {
        ApiV3Message m = v3(CERT).build(ApiV3Notice.refund(status, "SO-1",
                "4200000000202405201234567890", "RF-2", 1, 1));
        assertEquals(Status.valueOf(status.apiV3Name()),
                certMode.parse(request(m), RefundNotification.class).getRefundStatus());
    }

    @ParameterizedTest(name = "{0} rejects a notice signed with another key")
    @MethodSource("modes")
    void rejectsAWrongSignature(String mode, PlatformIdentity platform) {
        for (Breakage b : new Breakage[] {Breakage.WRONG_SIGNING_KEY,
                Breakage.TAMPERED_AFTER_SIGNING}) {
            ApiV3Message m = v3(platform).build(ApiV3Notice.payment("SO-1", 8888).broken(b));
            assertThrows(ValidationException.class,
                    () -> parser(mode).parse(request(m), Transaction.class), b::name);
        }
    }

    @ParameterizedTest(name = "{0} fails to decrypt")
    @MethodSource("modes")
    void rejectsATamperedCiphertextAndAWrongApiV3Key(String mode, PlatformIdentity platform) {
        for (Breakage b : new Breakage[] {Breakage.TAMPERED_CIPHERTEXT,
                Breakage.WRONG_APIV3_KEY}) {
            ApiV3Message m = v3(platform).build(ApiV3Notice.payment("SO-1", 8888).broken(b));
            assertThrows(DecryptionException.class,
                    () -> parser(mode).parse(request(m), Transaction.class), b::name);
        }
    }

    @Test
    void rejectsAnUnknownSerialInCertificateMode() {
        ApiV3Message m = v3(CERT).build(ApiV3Notice.payment("SO-1", 1)
                .broken(Breakage.UNKNOWN_SERIAL));
        assertThrows(ValidationException.class,
                () -> certMode.parse(request(m), Transaction.class));
    }

    @Test
    void rejectsAnUnknownPublicKeyId() {
        ApiV3Message m = v3(PUBKEY).build(ApiV3Notice.payment("SO-1", 1)
                .broken(Breakage.UNKNOWN_SERIAL));
        assertThrows(ValidationException.class,
                () -> publicKeyMode.parse(request(m), Transaction.class));
    }

    @Test
    void rejectsASignatureProbe() {
        ApiV3Message m = v3(CERT).build(ApiV3Notice.payment("SO-1", 1)
                .broken(Breakage.SIGNATURE_PROBE));
        // The SDK decodes the signature with a bare Base64 decoder: the probe ends as an
        // IllegalArgumentException from the decoder rather than a ValidationException.
        assertThrows(IllegalArgumentException.class,
                () -> certMode.parse(request(m), Transaction.class));
    }

    @Test
    void theSdkDoesNotCheckTheTimestampSoThatCheckIsTheReceiversOwn() {
        for (Breakage b : new Breakage[] {Breakage.STALE_TIMESTAMP, Breakage.FUTURE_TIMESTAMP}) {
            ApiV3Message m = v3(CERT).build(ApiV3Notice.payment("SO-1", 1).broken(b));
            assertEquals("SO-1", certMode.parse(request(m), Transaction.class).getOutTradeNo());
        }
    }

    @Test
    void theSmVariantHasNoVerifierInThisSdk() {
        ApiV3Message m = v3(ApiV3NotificationsTest.SM2).paid("SO-SM", 1);
        ValidationException e = assertThrows(ValidationException.class,
                () -> certMode.parse(request(m), Transaction.class));
        assertTrue(e.getMessage().contains("WECHATPAY2-SM2-WITH-SM3"), e.getMessage());
    }
}
