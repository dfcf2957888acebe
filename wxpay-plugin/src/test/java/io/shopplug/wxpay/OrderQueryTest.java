package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.PlatformIdentity;
import io.shopplug.simulator.SimulatedPayment;
import io.shopplug.simulator.Simulator;
import io.shopplug.simulator.SimulatorServer;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The APIv2 and APIv3 order queries against the simulator's API server on 127.0.0.1: a payment
 * whose notice was dropped is found and mapped like a notification; an unpaid order is not paid; an
 * answer altered on the way (its signature no longer matching) is an error, never a payment.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OrderQueryTest {
    private static final String V3_KEY = V3Signer.API_V3_KEY;
    private static final String API_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Clock clock = Clock.systemUTC();
    private final Merchant merchant = Merchant.of(V2Bodies.APP_ID, V2Bodies.MCH_ID, V2Bodies.KEY, Merchant.MD5)
            .withApiV3Key(V3_KEY);
    private final HttpClient http = QueryHttp.newClient();
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
        wechat.dropNotifications(true); // paid at WeChat Pay, never notified: only a query finds it
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

    private ApiV2OrderQuery v2(String baseUrl) {
        return new ApiV2OrderQuery(baseUrl, V2Bodies.APP_ID, V2Bodies.MCH_ID,
                new ApiV2Signer(V2Bodies.KEY, ApiV2Signer.SignType.MD5), http, TIMEOUT);
    }

    private ApiV3OrderQuery v3(String baseUrl) {
        PlatformKeys keys = PlatformKeys.builder(clock)
                .certificates(() -> List.of(platform.certificate().orElseThrow())).build();
        keys.refresh();
        return new ApiV3OrderQuery(baseUrl, V2Bodies.MCH_ID,
                new ApiV3RequestSigner(V2Bodies.MCH_ID, API_SERIAL, apiKey.getPrivate(), clock),
                new ApiV3Verifier(keys, clock), http, TIMEOUT);
    }

    private SimulatedPayment paidWithoutNotice(String outTradeNo, long fen) throws Exception {
        SimulatedPayment p = wechat.pay("http://127.0.0.1:9/never", outTradeNo, fen);
        assertEquals("DROPPED", p.delivery().get().status().name());
        return p;
    }

    @Test
    void apiV2FindsAPaymentWhoseNoticeWasDropped() throws Exception {
        SimulatedPayment p = paidWithoutNotice("RQ-V2-PAID", 1999);

        Notification n = v2(server.baseUrl()).paymentOf("RQ-V2-PAID").orElseThrow();

        assertEquals(EventKind.PAYMENT, n.kind());
        assertEquals(p.transactionId(), n.businessKey());
        assertEquals("RQ-V2-PAID", n.outTradeNo());
        assertEquals(1999, n.amountFen());
        assertEquals("CNY", n.currency());
        assertEquals(V2Bodies.MCH_ID, n.merchantId());
        assertEquals(V2Bodies.APP_ID, n.appId());
        assertEquals("v2", n.api());
        assertFalse(n.payload().contains("\"sign\""), n.payload());
    }

    @Test
    void apiV2UnpaidOrderIsNotPaid() {
        assertEquals(Optional.empty(), v2(server.baseUrl()).paymentOf("RQ-V2-UNPAID"));
    }

    @Test
    void apiV2AnAnswerAlteredOnTheWayIsAnErrorNotAPayment() throws Exception {
        paidWithoutNotice("RQ-V2-TAMPER", 1999);
        try (TamperingProxy proxy = new TamperingProxy(server.baseUrl(),
                body -> body.replace("<total_fee><![CDATA[1999]]></total_fee>", "<total_fee><![CDATA[1]]></total_fee>")
                        .replace("<total_fee>1999</total_fee>", "<total_fee>1</total_fee>"))) {
            OrderQuery.Failed e = assertThrows(OrderQuery.Failed.class, () -> v2(proxy.baseUrl()).paymentOf("RQ-V2-TAMPER"));
            assertEquals("APIv2 order query answer: sign does not verify", e.getMessage());
        }
    }

    @Test
    void apiV2AWrongKeyIsRefusedByWeChatPayAndIsAnError() {
        ApiV2OrderQuery wrongKey = new ApiV2OrderQuery(server.baseUrl(), V2Bodies.APP_ID, V2Bodies.MCH_ID,
                new ApiV2Signer("00000000000000000000000000000000", ApiV2Signer.SignType.MD5), http, TIMEOUT);
        OrderQuery.Failed e = assertThrows(OrderQuery.Failed.class, () -> wrongKey.paymentOf("RQ-V2-UNPAID"));
        assertTrue(e.getMessage().startsWith("APIv2 order query refused: "), e.getMessage());
        assertFalse(e.getMessage().contains("00000000000000000000000000000000"));
    }

    @Test
    void apiV3FindsAPaymentWhoseNoticeWasDropped() throws Exception {
        SimulatedPayment p = paidWithoutNotice("RQ-V3-PAID", 4500);

        Notification n = v3(server.baseUrl()).paymentOf("RQ-V3-PAID").orElseThrow();

        assertEquals(EventKind.PAYMENT, n.kind());
        assertEquals(p.transactionId(), n.businessKey());
        assertEquals("RQ-V3-PAID", n.outTradeNo());
        assertEquals(4500, n.amountFen());
        assertEquals(V2Bodies.MCH_ID, n.merchantId());
        assertEquals(V2Bodies.APP_ID, n.appId());
        assertEquals("v3", n.api());
    }

    @Test
    void apiV3UnknownOrderIsNotPaid() {
        assertEquals(Optional.empty(), v3(server.baseUrl()).paymentOf("RQ-V3-UNPAID"));
    }

    @Test
    void apiV3AnAnswerAlteredOnTheWayIsAnErrorNotAPayment() throws Exception {
        paidWithoutNotice("RQ-V3-TAMPER", 4500);
        try (TamperingProxy proxy = new TamperingProxy(server.baseUrl(),
                body -> body.replace("\"total\":4500", "\"total\":1"))) {
            OrderQuery.Failed e = assertThrows(OrderQuery.Failed.class, () -> v3(proxy.baseUrl()).paymentOf("RQ-V3-TAMPER"));
            assertEquals("APIv3 order query answer: signature does not verify", e.getMessage());
        }
    }

    @Test
    void apiV3AnUnsignedNotFoundIsAnErrorNotAnAnswer() throws Exception {
        try (TamperingProxy proxy = new TamperingProxy(server.baseUrl(), body -> body + " ")) {
            OrderQuery.Failed e = assertThrows(OrderQuery.Failed.class, () -> v3(proxy.baseUrl()).paymentOf("RQ-V3-UNPAID"));
            assertEquals("APIv3 order query answer: signature does not verify", e.getMessage());
        }
    }

    @Test
    void nothingListeningIsAnError() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        OrderQuery.Failed e = assertThrows(OrderQuery.Failed.class,
                () -> v2("http://127.0.0.1:" + port).paymentOf("RQ-NOWHERE"));
        assertEquals("APIv2 order query failed (ConnectException)", e.getMessage());
    }
}
