package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.shopplug.simulator.DeliveryResult.Status;
import io.shopplug.simulator.ScriptedNotifyServer.Answer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The facade's APIv3 and refund paths, delivered over HTTP to a scripted shop. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SimulatorV3Test {

    @Test
    void payV3RefundV3AndAnApiV2RefundAreDelivered() throws Exception {
        try (ScriptedNotifyServer shop = new ScriptedNotifyServer(n -> n == 1
                     ? new Answer(503, "") : n <= 3 ? new Answer(204, "") : Answer.ok());
             NotifyDelivery delivery = NotifyDelivery.builder().compress(1000).build()) {
            Simulator wechat = new Simulator(ApiV3NotificationsTest.MERCHANT,
                    ApiV3NotificationsTest.RSA, ApiV3NotificationsTest.CLOCK, delivery);

            SimulatedV3Notice paid = wechat.payV3(shop.url(), "SO-9", 900);
            DeliveryResult r = paid.delivery().get(20, TimeUnit.SECONDS);
            assertEquals(Status.DELIVERED, r.status());
            assertEquals(2, r.attemptCount());

            SimulatedV3Notice refunded = wechat.refundV3(shop.url(), ApiV3Notice.refund(
                    RefundStatus.SUCCESS, "SO-9", paid.message().transactionId(), "RF-9", 900, 900));
            assertEquals(Status.DELIVERED, refunded.delivery().get(20, TimeUnit.SECONDS).status());
            assertArrayEquals(refunded.message().body(), shop.received.get(2).body());

            SimulatedRefund v2 = wechat.refund(shop.url(), RefundNotice.of(
                    paid.message().transactionId(), "SO-9", "RF-10", 900, 100));
            assertEquals(Status.DELIVERED, v2.delivery().get(20, TimeUnit.SECONDS).status());
            assertEquals("text/xml", shop.received.get(3).contentType());
            assertEquals(v2.refundId(), v2.notice().reqInfo().get("refund_id"));
        }
    }

    @Test
    void payV3TellsEachAttemptAsItEnds() throws Exception {
        try (ScriptedNotifyServer shop = new ScriptedNotifyServer(n -> n == 1
                     ? new Answer(429, "") : new Answer(204, ""));
             NotifyDelivery delivery = NotifyDelivery.builder().compress(1000).build()) {
            Simulator wechat = new Simulator(ApiV3NotificationsTest.MERCHANT,
                    ApiV3NotificationsTest.RSA, ApiV3NotificationsTest.CLOCK, delivery);
            java.util.List<DeliveryAttempt> heard = new java.util.concurrent.CopyOnWriteArrayList<>();

            SimulatedV3Notice paid = wechat.payV3(shop.url(), ApiV3Notice.payment("SO-10", 1000), heard::add);

            DeliveryResult r = paid.delivery().get(20, TimeUnit.SECONDS);
            assertEquals(Status.DELIVERED, r.status());
            assertEquals(r.attempts(), heard);
            assertEquals(DeliveryAttempt.Outcome.HTTP_ERROR, heard.get(0).outcome());
            assertEquals(DeliveryAttempt.Outcome.SUCCESS, heard.get(1).outcome());
        }
    }

    @Test
    void misuseIsRefusedClearly() {
        try (NotifyDelivery delivery = NotifyDelivery.create()) {
            Simulator v2Only = new Simulator(Merchant.of("wx1", "1", "k", Merchant.MD5),
                    ApiV3NotificationsTest.CLOCK, delivery);
            assertThrows(IllegalStateException.class, () -> v2Only.payV3("http://127.0.0.1:9/", "S", 1));
            Simulator wechat = new Simulator(ApiV3NotificationsTest.MERCHANT,
                    ApiV3NotificationsTest.RSA, ApiV3NotificationsTest.CLOCK, delivery);
            assertThrows(IllegalArgumentException.class, () -> wechat.refundV3("http://127.0.0.1:9/",
                    ApiV3Notice.payment("S", 1)));
            assertThrows(IllegalArgumentException.class,
                    () -> wechat.switchPlatformIdentity(PlatformIdentity.rsaPublicKey()));
        }
    }
}
