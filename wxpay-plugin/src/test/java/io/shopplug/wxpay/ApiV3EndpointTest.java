package io.shopplug.wxpay;

import static io.shopplug.wxpay.ApiV2EndpointTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.api.OrderLookup;
import io.shopplug.api.OrderSnapshot;
import io.shopplug.api.OrderState;
import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The APIv3 notify path from headers and raw body to answer, wired by hand as {@link NotifyModule}
 * wires it: {@link ApiV3Endpoint} (verification with the key named by {@code Wechatpay-Serial},
 * {@link ReplayGuard}, decryption, merchant check) → {@link NotifyProcessor} → {@link NotifyStore}
 * (MyBatis on an in-memory H2 database of its own) → {@link Dispatcher} → the host's listeners.
 * WeChat Pay's side is {@link V3Signer}: generated RSA and SM2 platform certificates and an RSA
 * public key, written to PEM files that the configuration names, as a shop would.
 *
 * <p>As in {@link ApiV2EndpointTest}, the JVM zone is New York for each test, and everything logged
 * and every table is checked for the APIv3 key and the signatures sent.
 */
class ApiV3EndpointTest {
    private static final Instant T0 = Instant.parse("2026-11-24T02:30:05.123Z");
    private static final String REMOTE = "203.0.113.8";
    private static final String PATH = "/wxpay/notify";
    private static final String MCH_ID = "1900000109";
    private static final String APP_ID = "wx2421b1c4370ec43b";
    private static final String PUBLIC_KEY_ID = "PUB_KEY_ID_0114232019112100000000000001";
    private static final String JSON_TYPE = "application/json;charset=UTF-8";

    /** WeChat Pay's keys, made once: RSA and SM2 certificates, and an RSA public key. */
    private static KeyPair rsa;
    private static KeyPair sm2;
    private static KeyPair publicKeyPair;
    private static KeyPair impostor;
    private static String rsaSerial;
    private static String sm2Serial;
    private static String rsaPem;
    private static String sm2Pem;

    /** Which of WeChat Pay's keys signs. */
    enum Key { RSA_CERTIFICATE, PUBLIC_KEY, SM2_CERTIFICATE }

    private final NotifyStoreContract.TestClock clock = new NotifyStoreContract.TestClock(T0);
    private final ApiV2EndpointTest.Orders orders = new ApiV2EndpointTest.Orders();
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();
    @TempDir
    Path dir;
    private Tables tables;
    private CountingDataSource dataSource;
    private Database database;
    private NotifyStore store;
    private Dispatcher dispatcher;
    private Merchants merchants;
    private ApiV3Endpoint endpoint;
    private NotifyLog notifyLog;
    private TimeZone zone;
    private CapturedStderr logged;

    @BeforeAll
    static void makeWeChatPayKeys() {
        rsa = V3Signer.rsaKeyPair();
        sm2 = V3Signer.sm2KeyPair();
        publicKeyPair = V3Signer.rsaKeyPair();
        impostor = V3Signer.rsaKeyPair();
        java.math.BigInteger rsaNumber = V3Signer.randomSerial();
        java.math.BigInteger sm2Number = V3Signer.randomSerial();
        rsaSerial = rsaNumber.toString(16).toUpperCase(java.util.Locale.ROOT);
        sm2Serial = sm2Number.toString(16).toUpperCase(java.util.Locale.ROOT);
        Instant from = T0.minus(Duration.ofDays(1));
        Instant to = T0.plus(Duration.ofDays(365));
        rsaPem = V3Signer.pem(V3Signer.certificateDer(rsa, rsaNumber, from, to));
        sm2Pem = V3Signer.pem(V3Signer.certificateDer(sm2, sm2Number, from, to));
    }

    @BeforeEach
    void openDatabase() {
        zone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        logged = CapturedStderr.start();
        secrets.add(V3Signer.API_V3_KEY);

        tables = Tables.inMemory("endpoint-v3");
        dataSource = new CountingDataSource(DataSources.open(Optional.empty(), null, tables.url(), "sa", "", 25,
                Duration.ofSeconds(10)));
        new SchemaMigrator(dataSource, clock).migrate();
        database = new Database(dataSource, Database.DEFAULT_STATEMENT_TIMEOUT);
        store = new NotifyStore(database.sessionFactory(), clock);
    }

    @AfterEach
    void checkSecretsAndClose() {
        try {
            if (dispatcher != null) {
                dispatcher.close();
            }
            if (notifyLog != null) {
                notifyLog.close();
            }
            tables.assertNoneContains(secrets);
            String log = logged.text();
            for (String secret : secrets) {
                assertFalse(log.contains(secret), "a secret was logged");
            }
        } finally {
            logged.close();
            TimeZone.setDefault(zone);
            DataSources.close(dataSource.delegate);
            tables.shutdown();
        }
    }

    // ---- wiring

    /**
     * The single merchant {@value #MCH_ID} in the middle of a migration: RSA and SM2 platform
     * certificates from PEM files, and the public key under {@value #PUBLIC_KEY_ID}.
     */
    private Map<String, String> directMerchant() {
        Map<String, String> s = new HashMap<>();
        s.put(Settings.MCH_ID, MCH_ID);
        s.put(Settings.APP_ID, APP_ID);
        s.put(Settings.API_V3_KEY, V3Signer.API_V3_KEY);
        s.put(Settings.PLATFORM_CERT_FILES, write("rsa.pem", rsaPem) + " , " + write("sm2.pem", sm2Pem));
        s.put(Settings.PUBLIC_KEY_ID, PUBLIC_KEY_ID);
        s.put(Settings.PUBLIC_KEY_FILE, write("public.pem", V3Signer.publicKeyPem(publicKeyPair.getPublic())));
        return s;
    }

    private String write(String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds the pipeline for these settings, the host's order lookup and listeners. */
    private void wire(Map<String, String> settings, OrderLookup lookup, PaymentListener... listeners) {
        settings.put(Settings.DB_URL, tables.url());
        WxPayConfig config = WxPayConfig.from(settings);
        merchants = new Merchants(config.merchants(), clock, config.apiBaseUrl());
        dispatcher = new Dispatcher(store, Arrays.asList(listeners), clock, 4);
        notifyLog = new NotifyLog(store, clock);
        endpoint = new ApiV3Endpoint(new NotifyProcessor(store, lookup, dispatcher), notifyLog, merchants,
                new ReplayGuard());
    }

    private void wire(PaymentListener... listeners) {
        wire(directMerchant(), orders, listeners);
    }

    private V3Signer wechat(Key key) {
        return wechat(key, V3Signer.API_V3_KEY);
    }

    /** WeChat Pay signing with {@code key}, encrypting for {@code apiV3Key}, on the test's clock. */
    private V3Signer wechat(Key key, String apiV3Key) {
        switch (key) {
            case RSA_CERTIFICATE: return new V3Signer(rsa, rsaSerial, apiV3Key, clock);
            case SM2_CERTIFICATE: return new V3Signer(sm2, sm2Serial, apiV3Key, clock);
            case PUBLIC_KEY: return new V3Signer(publicKeyPair, PUBLIC_KEY_ID, apiV3Key, clock);
            default: throw new AssertionError(key);
        }
    }

    private Answer handle(V3Signer.Signed n) {
        secrets.add(n.signature());
        return endpoint.handle(n.headers(), n.body(), REMOTE, merchants.onPath(PATH));
    }

    // ---- resources

    private static String payment(String transactionId, String outTradeNo, long fen) {
        return "{\"mchid\":\"" + MCH_ID + "\",\"appid\":\"" + APP_ID + "\",\"out_trade_no\":\"" + outTradeNo
                + "\",\"transaction_id\":\"" + transactionId + "\",\"trade_type\":\"JSAPI\",\"trade_state\":\"SUCCESS\","
                + "\"trade_state_desc\":\"支付成功\",\"bank_type\":\"CMC\",\"attach\":\"\","
                + "\"success_time\":\"2026-11-24T10:30:00.123+08:00\",\"payer\":{\"openid\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\"},"
                + "\"amount\":{\"total\":" + fen + ",\"payer_total\":" + fen + ",\"currency\":\"CNY\",\"payer_currency\":\"CNY\"}}";
    }

    private static final String TX = "4200000001202611240000000001";
    private static final String ORDER = "ORDER-1001";
    private static final String PAID = payment(TX, ORDER, 1999);

    /** A combine payment of three sub-orders, all the merchant's own. */
    private static String combine() {
        StringBuilder subs = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            subs.append(i > 1 ? "," : "").append("{\"mchid\":\"").append(MCH_ID)
                    .append("\",\"trade_type\":\"NATIVE\",\"trade_state\":\"SUCCESS\",\"bank_type\":\"CMC\",\"attach\":\"\",")
                    .append("\"success_time\":\"2026-11-24T10:32:0").append(i).append("+08:00\",")
                    .append("\"transaction_id\":\"420000000320261124000000003").append(i).append("\",")
                    .append("\"out_trade_no\":\"SUB-3001-").append(i).append("\",\"amount\":{\"total_amount\":")
                    .append(i * 10).append(",\"payer_amount\":").append(i * 10)
                    .append(",\"currency\":\"CNY\",\"payer_currency\":\"CNY\"}}");
        }
        return "{\"combine_appid\":\"" + APP_ID + "\",\"combine_mchid\":\"" + MCH_ID
                + "\",\"combine_out_trade_no\":\"COMBINE-3001\",\"sub_orders\":[" + subs
                + "],\"combine_payer_info\":{\"openid\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\"}}";
    }

    // ---- accepted

    @ParameterizedTest
    @EnumSource(Key.class)
    void aPaymentIsAcceptedRecordedOnceAndToldToEveryListener(Key key) {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        ApiV2EndpointTest.RecordingListener inventory = new ApiV2EndpointTest.RecordingListener(tables);
        ApiV2EndpointTest.RecordingListener points = new ApiV2EndpointTest.RecordingListener(tables);
        wire(inventory, points, new ApiV2EndpointTest.OrderStatusListener(orders));

        assertAccepted(handle(wechat(key).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID)));

        List<Map<String, Object>> rows = tables.rows("SELECT * FROM wxpay_transaction");
        assertEquals(1, rows.size());
        Map<String, Object> row = rows.get(0);
        assertEquals("PAYMENT", row.get("event_kind"));
        assertEquals(TX, row.get("business_key"));
        assertEquals(ORDER, row.get("out_trade_no"));
        assertEquals("v3", row.get("api"));
        assertEquals(MCH_ID, row.get("merchant_id"));
        assertEquals(APP_ID, row.get("app_id"));
        assertEquals(1999L, row.get("amount_fen"));
        assertEquals("CNY", row.get("currency"));
        assertEquals(Instant.parse("2026-11-24T02:30:00.123Z"), row.get("event_time"));
        assertEquals(T0, row.get("recorded_at"));
        String payload = (String) row.get("payload");
        assertTrue(payload.contains("oUpF****eS6o"), payload);
        assertFalse(payload.contains("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), payload);

        awaitDelivered(3);
        for (ApiV2EndpointTest.RecordingListener l : Arrays.asList(inventory, points)) {
            assertEquals(1, l.events.size());
            PaymentEvent e = l.events.get(0);
            assertEquals("wxpay:payment:" + TX, e.idempotencyKey());
            assertEquals(ORDER, e.outTradeNo());
            assertEquals(1999, e.amountFen());
            assertEquals(MCH_ID, e.merchantId());
            assertEquals(Collections.singletonList(1L), l.rowsSeen, "the row was committed before the call");
        }
        assertEquals(OrderState.PAID, orders.find(ORDER).get().state());
        assertEquals(List.of("v3 ACCEPTED null " + ORDER), notifyLog());
        assertTrue(logged.text().contains("wxpay notify api=v3 outcome=ACCEPTED"),
                "the log is captured (so the secret check on it means something)");
    }

    @Test
    void aPartnerPaymentForAConfiguredSubMerchantIsAccepted() {
        orders.put("ORDER-2001", 100, "CNY", OrderState.AWAITING_PAYMENT);
        ApiV2EndpointTest.RecordingListener listener = new ApiV2EndpointTest.RecordingListener(tables);
        wire(partner("1900000109"), orders, listener);

        assertAccepted(handle(wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS,
                ApiV3NotifyTest.fixture("transaction-partner.json"))));

        Map<String, Object> row = tables.rows("SELECT * FROM wxpay_transaction").get(0);
        assertEquals("1900000109", row.get("merchant_id"), "the sub-merchant is the payment's merchant");
        assertEquals("wxd678efh567hg6999", row.get("app_id"));
        assertEquals("4200000002202611240000000002", row.get("business_key"));
        awaitDelivered(1);
        assertEquals(1, listener.events.size());
    }

    @Test
    void aPartnerPaymentForASubMerchantNotConfiguredIsRefused() {
        orders.put("ORDER-2001", 100, "CNY", OrderState.AWAITING_PAYMENT);
        ApiV2EndpointTest.RecordingListener listener = new ApiV2EndpointTest.RecordingListener(tables);
        wire(partner("1900000999"), orders, listener);

        assertFail(handle(wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS,
                ApiV3NotifyTest.fixture("transaction-partner.json"))), Reason.MERCHANT_MISMATCH);

        assertNothingRecorded();
        assertEquals(List.of("v3 REJECTED MERCHANT_MISMATCH ORDER-2001"), notifyLog());
        assertEquals(Collections.emptyList(), listener.events);
    }

    /** A service provider {@code 1230000109} with its app and one sub-merchant's app. */
    private Map<String, String> partner(String subMchIds) {
        Map<String, String> s = directMerchant();
        s.put(Settings.MCH_ID, "1230000109");
        s.put(Settings.APP_ID, "wx8888888888888888,wxd678efh567hg6999");
        s.put(Settings.SUB_MCH_IDS, subMchIds);
        return s;
    }

    @Test
    void aCombinePaymentIsOnePaymentPerSubOrderEachExactlyOnce() {
        for (int i = 1; i <= 3; i++) {
            orders.put("SUB-3001-" + i, i * 10, "CNY", OrderState.AWAITING_PAYMENT);
        }
        ApiV2EndpointTest.RecordingListener listener = new ApiV2EndpointTest.RecordingListener(tables);
        wire(listener);
        V3Signer wechat = wechat(Key.RSA_CERTIFICATE);

        assertAccepted(handle(wechat.notify(ApiV3Notify.TRANSACTION_SUCCESS, combine())));
        awaitDelivered(3);
        // WeChat Pay did not get the answer and sends the notification again (signed anew).
        clock.set(T0.plusSeconds(15));
        assertAccepted(handle(wechat.notify(ApiV3Notify.TRANSACTION_SUCCESS, combine())));

        assertEquals(List.of(
                "4200000003202611240000000031 SUB-3001-1 10",
                "4200000003202611240000000032 SUB-3001-2 20",
                "4200000003202611240000000033 SUB-3001-3 30"), transactions());
        assertEquals(List.of(
                "v3 ACCEPTED null SUB-3001-1", "v3 ACCEPTED null SUB-3001-2", "v3 ACCEPTED null SUB-3001-3",
                "v3 DUPLICATE null SUB-3001-1", "v3 DUPLICATE null SUB-3001-2", "v3 DUPLICATE null SUB-3001-3"),
                notifyLog());
        dispatcher.close();
        assertEquals(3, listener.events.size());
        assertEquals(Set.of("SUB-3001-1", "SUB-3001-2", "SUB-3001-3"),
                listener.events.stream().map(PaymentEvent::outTradeNo).collect(java.util.stream.Collectors.toSet()));
    }

    // ---- acknowledged without effect

    @ParameterizedTest
    @ValueSource(strings = {"REFUND.CLOSED", "SECURITY_ECHO.SUCCESS"})
    void eventsThePluginDoesNotActOnAreAcknowledgedAndLoggedAsIgnored(String eventType) {
        ApiV2EndpointTest.RecordingListener listener = new ApiV2EndpointTest.RecordingListener(tables);
        wire(listener);
        String resource = eventType.startsWith("REFUND") ? ApiV3NotifyTest.fixture("refund-closed.json")
                : "{\"mchid\":\"" + MCH_ID + "\",\"echo\":\"hello\"}";

        assertAccepted(handle(wechat(Key.RSA_CERTIFICATE).notify(eventType, resource)));

        assertNothingRecorded();
        assertEquals(List.of("v3 IGNORED null null"), notifyLog());
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_anomaly"));
        assertEquals(Collections.emptyList(), listener.events);
        assertTrue(logged.text().contains("outcome=IGNORED reason=null order=null key=null event="
                + eventType), "the event type is in the log line");
    }

    // ---- refused: authentication

    @Test
    void aSignatureProbeIsRefused() {
        wire();
        V3Signer.Signed genuine = wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);

        assertFail(handle(genuine.withSignature("WECHATPAY/SIGNTEST/" + V3Signer.nonce(20))), Reason.SIGNATURE_PROBE);

        assertNothingRecorded();
        assertEquals(List.of("v3 REJECTED SIGNATURE_PROBE null"), notifyLog());
    }

    @Test
    void timestampsFiveMinutesOffEitherWayAreRefusedAndJustInsideAreNot() {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        wire();
        V3Signer wechat = wechat(Key.RSA_CERTIFICATE);
        V3Signer.Signed genuine = wechat.notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);
        long now = T0.getEpochSecond();

        assertFail(handle(wechat.sign(genuine.body(), Long.toString(now - 300), V3Signer.nonce(32))),
                Reason.TIMESTAMP_EXPIRED);
        assertFail(handle(wechat.sign(genuine.body(), Long.toString(now + 300), V3Signer.nonce(32))),
                Reason.TIMESTAMP_FUTURE);
        assertNothingRecorded();
        assertAccepted(handle(wechat.sign(genuine.body(), Long.toString(now - 299), V3Signer.nonce(32))));
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
    }

    @Test
    void anUnknownSerialIsRefused() {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        wire();
        V3Signer.Signed genuine = wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);

        assertFail(handle(genuine.withSerial("5157F3AD93BB4A7D8A1BDD7C2DBA7F7C4F5D4E21")), Reason.UNKNOWN_SERIAL);
        assertFail(handle(genuine.withSerial("PUB_KEY_ID_0199999999999999999999999999")), Reason.UNKNOWN_SERIAL);

        assertNothingRecorded();
        assertEquals(List.of("v3 REJECTED UNKNOWN_SERIAL null", "v3 REJECTED UNKNOWN_SERIAL null"), notifyLog());
    }

    @Test
    void aBadSignatureIsRefused() {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        wire();
        V3Signer.Signed genuine = wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);
        byte[] changed = new String(genuine.body(), StandardCharsets.UTF_8).replace("支付成功", "支付失败")
                .getBytes(StandardCharsets.UTF_8);
        V3Signer forger = new V3Signer(impostor, rsaSerial, V3Signer.API_V3_KEY, clock);

        assertFail(handle(genuine.withBody(changed)), Reason.BAD_SIGNATURE);
        assertFail(handle(forger.notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID)), Reason.BAD_SIGNATURE);
        assertFail(handle(genuine.withSignatureType("WECHATPAY2-SM2-WITH-SM3")), Reason.BAD_SIGNATURE);

        assertNothingRecorded();
        assertEquals(Collections.nCopies(3, "v3 REJECTED BAD_SIGNATURE null"), notifyLog());
    }

    // ---- refused: decryption

    @Test
    void aTamperedCiphertextOrAWrongApiV3KeyFailsToDecrypt() {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        wire();
        V3Signer wechat = wechat(Key.RSA_CERTIFICATE);
        String nonce = V3Signer.nonce(12);
        String ciphertext = V3Signer.encrypt(ResourceCipher.AES_GCM,
                V3Signer.API_V3_KEY.getBytes(StandardCharsets.US_ASCII), nonce, "transaction",
                PAID.getBytes(StandardCharsets.UTF_8));
        char first = ciphertext.charAt(0);
        String tampered = (first == 'A' ? 'B' : 'A') + ciphertext.substring(1);
        // Signed after tampering: the signature holds, the GCM tag does not.
        V3Signer.Signed tamperedNotice = wechat.sign(V3Signer.envelope(ApiV3Notify.TRANSACTION_SUCCESS,
                ResourceCipher.AES_GCM, nonce, "transaction", tampered));
        V3Signer otherKey = wechat(Key.RSA_CERTIFICATE, "anotherMerchantsApiV3Key01234567");

        assertFail(handle(tamperedNotice), Reason.DECRYPT_FAILED);
        assertFail(handle(otherKey.notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID)), Reason.DECRYPT_FAILED);
        assertFail(handle(wechat(Key.SM2_CERTIFICATE, "anotherMerchantsApiV3Key01234567")
                .notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID)), Reason.DECRYPT_FAILED);

        assertNothingRecorded();
        assertEquals(Collections.nCopies(3, "v3 REJECTED DECRYPT_FAILED null"), notifyLog());
    }

    // ---- identical copies (the replay guard)

    @Test
    void anIdenticalCopyAfterTheCommitIsADuplicateWithoutTouchingTheDatabase() {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        ApiV2EndpointTest.RecordingListener listener = new ApiV2EndpointTest.RecordingListener(tables);
        wire(listener);
        V3Signer.Signed notice = wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);
        assertAccepted(handle(notice));
        awaitDelivered(1);
        int connectionsBefore = dataSource.requestConnections.get();

        ApiV3Verifier verifier = merchants.onPath(PATH).get(0).v3Verifier();
        assertEquals(1, verifier.signaturesChecked());

        clock.set(T0.plusSeconds(2));
        assertAccepted(handle(notice));

        assertEquals(1, verifier.signaturesChecked(), "the copy's signature was not checked again");
        assertEquals(connectionsBefore, dataSource.requestConnections.get(), "no connection was taken for the copy");
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(List.of("v3 ACCEPTED null " + ORDER, "v3 DUPLICATE null null"), notifyLog(),
                "the copy is logged as a duplicate, off the request path");
        assertTrue(logged.text().contains("outcome=DUPLICATE reason=null order=null key=null event=identical copy"));
        dispatcher.close();
        assertEquals(1, listener.events.size());
    }

    @Test
    void aCopyOfACommittedNotificationIsStillRefusedWhenStaleOrAltered() {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        wire();
        V3Signer.Signed notice = wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);
        assertAccepted(handle(notice));
        ApiV3Verifier verifier = merchants.onPath(PATH).get(0).v3Verifier();

        byte[] altered = new String(notice.body(), StandardCharsets.UTF_8).replace("\"ciphertext\":\"", "\"ciphertext\":\"A")
                .getBytes(StandardCharsets.UTF_8);
        assertFail(endpoint.handle(notice.headers(), altered, REMOTE, merchants.onPath(PATH)), Reason.BAD_SIGNATURE);
        ApiV3Headers otherSerial = new ApiV3Headers(notice.timestamp(), notice.nonce(), notice.signature(),
                PUBLIC_KEY_ID, null);
        assertFail(endpoint.handle(otherSerial, notice.body(), REMOTE, merchants.onPath(PATH)), Reason.BAD_SIGNATURE);
        ApiV3Headers emptyType = new ApiV3Headers(notice.timestamp(), notice.nonce(), notice.signature(),
                notice.headers().serial(), "");
        assertFail(endpoint.handle(emptyType, notice.body(), REMOTE, merchants.onPath(PATH)), Reason.BAD_SIGNATURE);
        assertEquals(3, verifier.signaturesChecked(), "the altered body and the other serial were checked");

        clock.set(T0.plusSeconds(300));
        assertFail(handle(notice), Reason.TIMESTAMP_EXPIRED);
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
    }

    @Test
    void aRetrySignedAgainAfterTheCommitIsADuplicateAnsweredFromMemory() {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        ApiV2EndpointTest.RecordingListener listener = new ApiV2EndpointTest.RecordingListener(tables);
        wire(listener);
        V3Signer wechat = wechat(Key.RSA_CERTIFICATE);
        assertAccepted(handle(wechat.notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID)));
        awaitDelivered(1);
        int connectionsBefore = dataSource.requestConnections.get();

        clock.set(T0.plusSeconds(15));
        V3Signer.Signed retry = wechat.notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);
        assertAccepted(handle(retry));

        assertEquals(connectionsBefore, dataSource.requestConnections.get(),
                "the business key was remembered: no connection was taken for the retry");
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(List.of("v3 ACCEPTED null " + ORDER, "v3 DUPLICATE null " + ORDER), notifyLog());
        assertEquals(1, listener.events.size());
        dispatcher.close();
    }

    @Test
    void anIdenticalCopyWhileTheFirstIsInFlightIsToldToRetry() throws Exception {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        BlockingLookup lookup = new BlockingLookup(orders);
        ApiV2EndpointTest.RecordingListener listener = new ApiV2EndpointTest.RecordingListener(tables);
        wire(directMerchant(), lookup, listener);
        V3Signer.Signed notice = wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);

        CompletableFuture<Answer> first = CompletableFuture.supplyAsync(() -> handle(notice));
        assertTrue(lookup.entered.await(10, TimeUnit.SECONDS), "the first copy reached the order lookup");
        Answer second = handle(notice);
        lookup.release.countDown();
        Answer firstAnswer = first.get(10, TimeUnit.SECONDS);

        assertFail(second, Reason.REPLAY_IN_FLIGHT);
        assertAccepted(firstAnswer);
        assertEquals(1, lookup.calls.get(), "the copy never reached the shop");
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(List.of("v3 REJECTED REPLAY_IN_FLIGHT null", "v3 ACCEPTED null " + ORDER), notifyLog());
        // And once committed, the same copy again is a duplicate.
        assertAccepted(handle(notice));
        awaitDelivered(1);
        dispatcher.close();
        assertEquals(1, listener.events.size());
    }

    @Test
    void anIdenticalCopyAfterARefusalIsProcessedAgain() {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        orders.failure = new IllegalStateException("shop database down");
        ApiV2EndpointTest.RecordingListener listener = new ApiV2EndpointTest.RecordingListener(tables);
        wire(listener);
        V3Signer.Signed notice = wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);

        assertFail(handle(notice), Reason.ORDER_LOOKUP_FAILED);
        assertNothingRecorded();
        orders.failure = null;
        clock.set(T0.plusSeconds(15));
        assertAccepted(handle(notice));

        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(List.of("v3 REJECTED ORDER_LOOKUP_FAILED " + ORDER, "v3 ACCEPTED null " + ORDER), notifyLog());
        awaitDelivered(1);
        dispatcher.close();
        assertEquals(1, listener.events.size());
    }

    @Test
    void anIdenticalCopyAfterAnUnexpectedFailureIsProcessedAgain() {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        ApiV2EndpointTest.RecordingListener listener = new ApiV2EndpointTest.RecordingListener(tables);
        wire(listener);
        V3Signer.Signed notice = wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);

        // Not an SQLException: the store passes it on as a bug, and the filter answers 500.
        dataSource.failure = new IllegalStateException("connection pool bug");
        assertThrows(RuntimeException.class, () -> handle(notice));
        dataSource.failure = null;
        clock.set(T0.plusSeconds(15));
        assertAccepted(handle(notice));

        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        awaitDelivered(1);
        dispatcher.close();
        assertEquals(1, listener.events.size());
    }

    // ---- several merchants

    @Test
    void twoMerchantsOnOnePathAreToldApartBySerial() {
        orders.put(ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        orders.put("ORDER-5001", 500, "CNY", OrderState.AWAITING_PAYMENT);
        String otherKey = "secondMerchantApiV3Key0123456789";
        secrets.add(otherKey);
        Map<String, String> s = new HashMap<>();
        s.put(Settings.MERCHANTS, "main,second");
        s.put("wxpay.merchant.main.mch-id", MCH_ID);
        s.put("wxpay.merchant.main.app-id", APP_ID);
        s.put("wxpay.merchant.main.api-v3-key", V3Signer.API_V3_KEY);
        s.put("wxpay.merchant.main.platform-cert-files", write("main.pem", rsaPem));
        s.put("wxpay.merchant.second.mch-id", "1900000110");
        s.put("wxpay.merchant.second.app-id", "wx2421b1c4370ec4ff");
        s.put("wxpay.merchant.second.api-v3-key", otherKey);
        s.put("wxpay.merchant.second.public-key-id", PUBLIC_KEY_ID);
        s.put("wxpay.merchant.second.public-key-file",
                write("second.pem", V3Signer.publicKeyPem(publicKeyPair.getPublic())));
        ApiV2EndpointTest.RecordingListener listener = new ApiV2EndpointTest.RecordingListener(tables);
        wire(s, orders, listener);
        assertEquals(2, merchants.onPath(PATH).size());
        String second = payment("4200000005202611240000005001", "ORDER-5001", 500)
                .replace(MCH_ID, "1900000110").replace(APP_ID, "wx2421b1c4370ec4ff");

        assertAccepted(handle(wechat(Key.PUBLIC_KEY, otherKey).notify(ApiV3Notify.TRANSACTION_SUCCESS, second)));
        assertAccepted(handle(wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID)));
        // Signed by the second merchant's platform key under the first's serial: the first's key refuses.
        assertFail(handle(new V3Signer(publicKeyPair, rsaSerial, V3Signer.API_V3_KEY, clock)
                .notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID)), Reason.BAD_SIGNATURE);
        // Authenticated and decrypted with the first merchant's keys, but naming the second: refused.
        String namingTheOther = payment("4200000005202611240000005002", "ORDER-5001", 500)
                .replace(MCH_ID, "1900000110").replace(APP_ID, "wx2421b1c4370ec4ff");
        assertFail(handle(wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, namingTheOther)),
                Reason.MERCHANT_MISMATCH);

        // The same request on a path of the first merchant alone is another request: verified again.
        V3Signer.Signed paid = wechat(Key.RSA_CERTIFICATE).notify(ApiV3Notify.TRANSACTION_SUCCESS, PAID);
        ApiV3Verifier mainVerifier = merchants.onPath(PATH).get(0).v3Verifier();
        long checked = mainVerifier.signaturesChecked();
        assertAccepted(handle(paid));
        assertAccepted(endpoint.handle(paid.headers(), paid.body(), REMOTE, merchants.onPath(PATH).subList(0, 1)));
        assertEquals(checked + 2, mainVerifier.signaturesChecked());

        assertEquals(List.of(TX + " " + ORDER + " 1999", "4200000005202611240000005001 ORDER-5001 500"), transactions());
        assertEquals(List.of(MCH_ID, "1900000110"), tables.column("SELECT merchant_id FROM wxpay_transaction ORDER BY id DESC"));
        awaitDelivered(2);
    }

    // ---- assertions and helpers

    private static void assertAccepted(Answer a) {
        assertEquals(204, a.status());
        assertEquals(0, a.length());
    }

    private static void assertFail(Answer a, Reason reason) {
        assertEquals(expectedStatus(reason), a.status(), reason::name);
        assertEquals(JSON_TYPE, a.contentType());
        assertEquals("{\"code\":\"FAIL\",\"message\":\"" + expectedMessage(reason) + "\"}",
                new String(a.body(), StandardCharsets.UTF_8));
    }

    /** Written out here, not read from {@link Reason}, so a changed status or text shows. */
    private static int expectedStatus(Reason reason) {
        switch (reason) {
            case SIGNATURE_PROBE: case UNKNOWN_SERIAL: case BAD_SIGNATURE: case TIMESTAMP_EXPIRED:
            case TIMESTAMP_FUTURE:
                return 401;
            case DECRYPT_FAILED: case MERCHANT_MISMATCH:
                return 400;
            case REPLAY_IN_FLIGHT:
                return 429;
            case ORDER_LOOKUP_FAILED:
                return 503;
            default:
                throw new AssertionError("no expected status for " + reason);
        }
    }

    private static String expectedMessage(Reason reason) {
        switch (reason) {
            case SIGNATURE_PROBE: return "signature probe: signature does not verify";
            case UNKNOWN_SERIAL: return "unknown Wechatpay-Serial";
            case BAD_SIGNATURE: return "signature does not verify";
            case TIMESTAMP_EXPIRED: return "timestamp older than 5 minutes";
            case TIMESTAMP_FUTURE: return "timestamp more than 5 minutes in the future";
            case DECRYPT_FAILED: return "wrong APIv3 key or tampered resource";
            case MERCHANT_MISMATCH: return "mch_id does not match the configured merchant";
            case REPLAY_IN_FLIGHT: return "the same notification is still being processed, retry later";
            case ORDER_LOOKUP_FAILED: return "order lookup failed, retry later";
            default: throw new AssertionError("no expected message for " + reason);
        }
    }

    private void assertNothingRecorded() {
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_outbox"));
    }

    /** The notify log, oldest first: "api outcome reason out_trade_no". */
    private List<String> notifyLog() {
        List<String> out = new ArrayList<>();
        flushLog();
        for (Map<String, Object> r : tables.rows("SELECT * FROM wxpay_notify_log ORDER BY id")) {
            assertEquals(REMOTE, r.get("remote_addr"));
            out.add(r.get("api") + " " + r.get("outcome") + " " + r.get("reason") + " " + r.get("out_trade_no"));
        }
        return out;
    }

    /** The payments recorded, by transaction id: "transaction_id out_trade_no amount". */
    private List<String> transactions() {
        List<String> out = new ArrayList<>();
        for (Map<String, Object> r : tables.rows("SELECT * FROM wxpay_transaction ORDER BY transaction_id")) {
            assertEquals("PAYMENT", r.get("event_kind"));
            assertEquals(r.get("transaction_id"), r.get("business_key"));
            out.add(r.get("transaction_id") + " " + r.get("out_trade_no") + " " + r.get("amount_fen"));
        }
        return out;
    }


    private void awaitDelivered(int entries) {
        await(entries + " delivered outbox entries",
                () -> tables.count("SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED'") == entries);
    }

    /** The shop's orders behind a gate: the first lookup waits until the test opens it. */
    private static final class BlockingLookup implements OrderLookup {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        private final OrderLookup orders;

        BlockingLookup(OrderLookup orders) {
            this.orders = orders;
        }

        @Override
        public Optional<OrderSnapshot> find(String outTradeNo) {
            calls.incrementAndGet();
            entered.countDown();
            try {
                if (!release.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never opened the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return orders.find(outTradeNo);
        }
    }

    /** The plugin's pool, counting the connections taken; it can be made to fail in a way no driver would. */
    static final class CountingDataSource implements DataSource {
        final DataSource delegate;
        /** Connections taken by the thread that handles the test's requests (not the dispatcher's or the log's). */
        final AtomicInteger requestConnections = new AtomicInteger();
        private final Thread requestThread = Thread.currentThread();
        volatile RuntimeException failure;

        CountingDataSource(DataSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public Connection getConnection() throws SQLException {
            RuntimeException f = failure;
            if (f != null) {
                throw f;
            }
            if (Thread.currentThread() == requestThread) {
                requestConnections.incrementAndGet();
            }
            return delegate.getConnection();
        }

        @Override
        public Connection getConnection(String user, String password) throws SQLException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return delegate.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            if (type.isInstance(this)) {
                return type.cast(this);
            }
            return delegate.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return type.isInstance(this) || delegate.isWrapperFor(type);
        }
    }
    /** Waits until the notify log has written every row appended so far. */
    private void flushLog() {
        try {
            assertTrue(notifyLog.flush(Duration.ofSeconds(10)), "the notify log was written");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
