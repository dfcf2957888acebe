package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.binarywang.wxpay.bean.notify.WxPayOrderNotifyResult;
import com.github.binarywang.wxpay.config.WxPayConfig;
import com.github.binarywang.wxpay.exception.WxPayException;
import com.github.binarywang.wxpay.service.WxPayService;
import com.github.binarywang.wxpay.service.impl.WxPayServiceImpl;
import io.shopplug.simulator.DeliveryResult.Status;
import io.shopplug.simulator.ScriptedNotifyServer.Answer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SimulatorTest {

    private static final Merchant MERCHANT = Merchant.of("wx8888888888888888", "1900000109",
            "a1b2c3d4e5f60718293a4b5c6d7e8f90", Merchant.HMAC_SHA256);
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2024-11-11T00:00:00Z"), ZoneOffset.UTC);

    /** The shop side: verifies with WxJava what arrived over the wire and answers like a shop. */
    private static Answer shop(byte[] received, boolean switchedOn) {
        if (!switchedOn) {
            return Answer.fail("plugin switched off");
        }
        WxPayConfig config = new WxPayConfig();
        config.setAppId(MERCHANT.appId());
        config.setMchId(MERCHANT.mchId());
        config.setMchKey(MERCHANT.apiV2Key());
        config.setSignType(MERCHANT.signType());
        WxPayService wxJava = new WxPayServiceImpl();
        wxJava.setConfig(config);
        try {
            WxPayOrderNotifyResult r = wxJava.parseOrderNotifyResult(
                    new String(received, StandardCharsets.UTF_8));
            return r.getTotalFee() == 8888 ? Answer.ok() : Answer.fail("amount differs");
        } catch (WxPayException e) {
            return Answer.fail(e.getMessage());
        }
    }

    @Test
    void payDeliversAVerifiableNoticeAndRetriesUntilTheShopTakesIt() throws Exception {
        try (ScriptedNotifyServer server = new ScriptedNotifyServer(
                     (n, request) -> shop(request.body(), n > 1));
             NotifyDelivery delivery = NotifyDelivery.builder().compress(1000).build()) {
            Simulator wechat = new Simulator(MERCHANT, CLOCK, delivery);
            List<String> log = new CopyOnWriteArrayList<>();

            SimulatedPayment p = wechat.pay(server.url(), PaymentNotice.of("SO-1111", 8888),
                    a -> log.add(a.summary()));
            DeliveryResult r = p.delivery().get(20, TimeUnit.SECONDS);

            assertEquals(Status.DELIVERED, r.status());
            assertEquals(List.of("attempt 1: FAIL plugin switched off", "attempt 2: SUCCESS OK"),
                    log);
            assertTrue(p.transactionId().matches("4200\\d{6}20241111\\d{10}"), p.transactionId());
            assertEquals(p.transactionId(), p.notice().transactionId());
            assertEquals(2, server.received.size());
            for (ScriptedNotifyServer.Received req : server.received) {
                assertArrayEquals(p.notice().body(), req.body());
            }
        }
    }

    @Test
    void aNoticeSignedWithAWrongKeyIsRefusedByTheShopUntilWeChatGivesUp() throws Exception {
        try (ScriptedNotifyServer server = new ScriptedNotifyServer(
                     (n, request) -> shop(request.body(), true));
             NotifyDelivery delivery = NotifyDelivery.builder()
                     .retrySchedule(List.of(Duration.ofMillis(1), Duration.ofMillis(1))).build()) {
            Simulator wechat = new Simulator(MERCHANT, CLOCK, delivery);

            SimulatedPayment p = wechat.pay(server.url(), PaymentNotice.builder()
                    .outTradeNo("SO-2222").totalFee(8888)
                    .signedWithKey("ffffffffffffffffffffffffffffffff").build());
            DeliveryResult r = p.delivery().get(20, TimeUnit.SECONDS);

            assertEquals(Status.GAVE_UP, r.status());
            assertEquals(3, r.attemptCount());
            assertEquals("参数格式校验错误！", r.lastAnswer().orElseThrow().returnMsg());
        }
    }
}
