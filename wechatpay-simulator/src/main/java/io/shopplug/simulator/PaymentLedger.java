package io.shopplug.simulator;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the simulator paid, whether or not the notice reached the shop: the order query endpoints
 * of {@link SimulatorServer} answer from here. Thread-safe.
 */
final class PaymentLedger {

    /**
     * One payment.
     *
     * @param v3Model the APIv3 model (the decrypted notify payload), as JSON
     */
    record Payment(String mchid, String appid, String outTradeNo, String transactionId,
            long totalFen, String openid, Instant successTime, String v3Model) {
        Payment {
            Objects.requireNonNull(mchid, "mchid");
            Objects.requireNonNull(outTradeNo, "outTradeNo");
            Objects.requireNonNull(transactionId, "transactionId");
            Objects.requireNonNull(v3Model, "v3Model");
        }
    }

    private final Map<String, Payment> byOrder = new ConcurrentHashMap<>();
    private final Map<String, Payment> byTransaction = new ConcurrentHashMap<>();

    void record(Payment p) {
        byOrder.put(p.mchid() + '\n' + p.outTradeNo(), p);
        byTransaction.put(p.mchid() + '\n' + p.transactionId(), p);
    }

    Optional<Payment> byOutTradeNo(String mchid, String outTradeNo) {
        return Optional.ofNullable(byOrder.get(mchid + '\n' + outTradeNo));
    }

    Optional<Payment> byTransactionId(String mchid, String transactionId) {
        return Optional.ofNullable(byTransaction.get(mchid + '\n' + transactionId));
    }
}
