package io.shopplug.simulator;

import io.shopplug.simulator.ApiV3Notice.Breakage;
import io.shopplug.simulator.ApiV3Notice.Kind;
import io.shopplug.simulator.ApiV3Notice.SubOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Builds APIv3 notifications (JSON) for one merchant, the way the protocol notes (sections 3 and
 * 4) describe them: {@code resource} encrypted under the merchant's APIv3 key with
 * {@code AEAD_AES_256_GCM} (or {@code AEAD_SM4_GCM} when the platform identity is SM2), the
 * envelope signed over {@code timestamp\nnonce\nbody\n} with the platform key, and the
 * {@code Wechatpay-*} headers. Thread-safe.
 */
public final class ApiV3Notifications {

    /** How far {@link Breakage#STALE_TIMESTAMP} and {@link Breakage#FUTURE_TIMESTAMP} move. */
    static final long SKEW_SECONDS = 600;
    static final String PROBE_PREFIX = "WECHATPAY/SIGNTEST/";
    static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_OFFSET_DATE_TIME;
    private static final String ALNUM =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    /** Keys of the same kind as the platform's, for {@link Breakage#WRONG_SIGNING_KEY}. */
    private static final Map<PlatformIdentity.Kind, PlatformIdentity> IMPOSTORS =
            new EnumMap<>(PlatformIdentity.Kind.class);

    private final Merchant merchant;
    private final Supplier<PlatformIdentity> platform;
    private final Clock clock;
    private final Random random;

    /**
     * @param merchant needs an APIv3 key ({@link Merchant#withApiV3Key})
     * @param platform the identity that signs
     * @param clock gives {@code Wechatpay-Timestamp}, {@code create_time} and {@code success_time}
     * @throws IllegalStateException if the merchant has no APIv3 key
     */
    public ApiV3Notifications(Merchant merchant, PlatformIdentity platform, Clock clock) {
        this(merchant, constant(Objects.requireNonNull(platform, "platform")), clock,
                new SecureRandom());
    }

    ApiV3Notifications(Merchant merchant, Supplier<PlatformIdentity> platform, Clock clock,
            Random random) {
        this.merchant = Objects.requireNonNull(merchant, "merchant");
        merchant.requireApiV3Key();
        this.platform = Objects.requireNonNull(platform, "platform");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    private static Supplier<PlatformIdentity> constant(PlatformIdentity p) {
        return () -> p;
    }

    public Merchant merchant() {
        return merchant;
    }

    /** A genuine {@code TRANSACTION.SUCCESS} for order {@code outTradeNo} paid in full. */
    public ApiV3Message paid(String outTradeNo, long totalFen) {
        return build(ApiV3Notice.payment(outTradeNo, totalFen));
    }

    /** The notification described, broken as it says. */
    public ApiV3Message build(ApiV3Notice notice) {
        Objects.requireNonNull(notice, "notice");
        PlatformIdentity signer = platform.get();
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ApiV2Notifications.BEIJING)
                .truncatedTo(ChronoUnit.SECONDS);
        Resource r = resource(notice, now);
        String plaintext = Json.write(r.model);
        Breakage breakage = notice.breakage();

        String algorithm = signer.kind() == PlatformIdentity.Kind.SM2_CERTIFICATE
                ? V3Crypto.AEAD_SM4_GCM : V3Crypto.AEAD_AES_256_GCM;
        String key = breakage == Breakage.WRONG_APIV3_KEY
                ? randomString(ALNUM, 32) : merchant.requireApiV3Key();
        String resourceNonce = randomString(ALNUM, 12);
        byte[] ciphertext = V3Crypto.encrypt(algorithm, key, resourceNonce, r.associatedData,
                plaintext.getBytes(StandardCharsets.UTF_8));
        if (breakage == Breakage.TAMPERED_CIPHERTEXT) {
            ciphertext[ciphertext.length / 2] ^= 0x01;
        }
        String encoded = Base64.getEncoder().encodeToString(ciphertext);
        byte[] body = envelope(notice, now, r, algorithm, encoded, resourceNonce);

        long timestamp = now.toEpochSecond() + switch (breakage) {
            case STALE_TIMESTAMP -> -SKEW_SECONDS;
            case FUTURE_TIMESTAMP -> SKEW_SECONDS;
            default -> 0;
        };
        String nonce = randomString(ALNUM, 32);
        byte[] message = V3Crypto.notifyMessage(Long.toString(timestamp), nonce, body);
        String signature = switch (breakage) {
            case SIGNATURE_PROBE -> PROBE_PREFIX + randomString(ALNUM, 20) + "-_";
            case WRONG_SIGNING_KEY ->
                Base64.getEncoder().encodeToString(impostor(signer.kind()).sign(message));
            default -> Base64.getEncoder().encodeToString(signer.sign(message));
        };
        if (breakage == Breakage.TAMPERED_AFTER_SIGNING) {
            char c = encoded.charAt(0);
            String changed = (c == 'A' ? 'B' : 'A') + encoded.substring(1);
            body = envelope(notice, now, r, algorithm, changed, resourceNonce);
        }
        String serial = breakage == Breakage.UNKNOWN_SERIAL ? unknownSerial(signer)
                : signer.serial();

        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Wechatpay-Timestamp", Long.toString(timestamp));
        headers.put("Wechatpay-Nonce", nonce);
        headers.put("Wechatpay-Signature", signature);
        headers.put("Wechatpay-Serial", serial);
        headers.put("Wechatpay-Signature-Type", signer.signatureType());
        return new ApiV3Message(headers, body, plaintext, notice, r.outTradeNo, r.transactionIds,
                r.refundId);
    }

    /** The decrypted resource of one notice and the ids it carries. */
    private record Resource(String originalType, String associatedData, String summary,
            Map<String, Object> model, String outTradeNo, List<String> transactionIds,
            String refundId) {
    }

    private Resource resource(ApiV3Notice n, ZonedDateTime now) {
        String time = RFC3339.format(now);
        switch (n.kind()) {
            case PAYMENT -> {
                String tx = n.transactionId().orElseGet(() -> transactionId(now));
                Map<String, Object> m = paymentModel(merchant.mchId(), merchant.appId(),
                        n.outTradeNo(), tx, n.totalFen(), openid(), time);
                return new Resource("transaction", "transaction", "支付成功", m, n.outTradeNo(),
                        List.of(tx), null);
            }
            case PARTNER_PAYMENT -> {
                String tx = n.transactionId().orElseGet(() -> transactionId(now));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("sp_appid", merchant.appId());
                m.put("sp_mchid", merchant.mchId());
                m.put("sub_appid", n.subAppid());
                m.put("sub_mchid", n.subMchid());
                m.put("out_trade_no", n.outTradeNo());
                m.put("transaction_id", tx);
                m.put("trade_type", "JSAPI");
                m.put("trade_state", "SUCCESS");
                m.put("trade_state_desc", "支付成功");
                m.put("bank_type", "OTHERS");
                m.put("attach", "");
                m.put("success_time", time);
                m.put("payer", map("sp_openid", openid(), "sub_openid", openid()));
                m.put("amount", amount(n.totalFen()));
                return new Resource("transaction", "transaction", "支付成功", m, n.outTradeNo(),
                        List.of(tx), null);
            }
            case COMBINE_PAYMENT -> {
                List<Object> subs = new ArrayList<>();
                List<String> ids = new ArrayList<>();
                for (SubOrder s : n.subOrders()) {
                    String tx = s.transactionId() != null ? s.transactionId() : transactionId(now);
                    ids.add(tx);
                    Map<String, Object> sub = new LinkedHashMap<>();
                    sub.put("mchid", s.mchid());
                    sub.put("trade_type", "JSAPI");
                    sub.put("trade_state", "SUCCESS");
                    sub.put("bank_type", "OTHERS");
                    sub.put("attach", "");
                    sub.put("success_time", time);
                    sub.put("transaction_id", tx);
                    sub.put("out_trade_no", s.outTradeNo());
                    sub.put("amount", map("total_amount", s.totalFen(), "payer_amount",
                            s.totalFen(), "currency", "CNY", "payer_currency", "CNY"));
                    subs.add(sub);
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("combine_appid", merchant.appId());
                m.put("combine_mchid", merchant.mchId());
                m.put("combine_out_trade_no", n.outTradeNo());
                m.put("combine_payer_info", map("openid", openid()));
                m.put("sub_orders", subs);
                m.put("scene_info", map("device_id", "POS1:1"));
                return new Resource("transaction", "transaction", "支付成功", m, n.outTradeNo(),
                        ids, null);
            }
            case REFUND -> {
                String refundId = n.refundId().orElseGet(this::refundId);
                String tx = n.transactionId().orElseThrow();
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("mchid", merchant.mchId());
                m.put("transaction_id", tx);
                m.put("out_trade_no", n.outTradeNo());
                m.put("refund_id", refundId);
                m.put("out_refund_no", n.outRefundNo());
                m.put("refund_status", n.refundStatus().apiV3Name());
                if (n.refundStatus() == RefundStatus.SUCCESS) {
                    m.put("success_time", time); // WeChat sends it only for a successful refund
                }
                m.put("user_received_account", "支付用户零钱");
                m.put("amount", map("total", n.totalFen(), "refund", n.refundFen(),
                        "payer_total", n.totalFen(), "payer_refund", n.refundFen()));
                String summary = switch (n.refundStatus()) {
                    case SUCCESS -> "退款成功";
                    case CLOSED -> "退款关闭";
                    case ABNORMAL -> "退款异常";
                };
                return new Resource("refund", "refund", summary, m, n.outTradeNo(), List.of(tx),
                        refundId);
            }
            case UNKNOWN_EVENT -> {
                Map<String, Object> m = map("mchid", merchant.mchId(), "event", n.eventType(),
                        "create_time", time);
                return new Resource("unknown", "", "未知事件", m, null, List.of(), null);
            }
            default -> throw new IllegalStateException("unknown kind " + n.kind());
        }
    }

    private static byte[] envelope(ApiV3Notice n, ZonedDateTime now, Resource r,
            String algorithm, String ciphertext, String nonce) {
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("original_type", r.originalType);
        resource.put("algorithm", algorithm);
        resource.put("ciphertext", ciphertext);
        resource.put("associated_data", r.associatedData);
        resource.put("nonce", nonce);
        Map<String, Object> e = new LinkedHashMap<>();
        // The id comes from the resource nonce, so re-building a tampered body keeps it.
        e.put("id", UUID.nameUUIDFromBytes(nonce.getBytes(StandardCharsets.UTF_8)).toString());
        e.put("create_time", RFC3339.format(now));
        e.put("resource_type", "encrypt-resource");
        e.put("event_type", n.eventType());
        e.put("summary", r.summary);
        e.put("resource", resource);
        return Json.write(e).getBytes(StandardCharsets.UTF_8);
    }

    /** The payment model of a merchant's own order, as the notice and the order query carry it. */
    static Map<String, Object> paymentModel(String mchid, String appid, String outTradeNo,
            String transactionId, long totalFen, String openid, String successTime) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("appid", appid);
        m.put("mchid", mchid);
        m.put("out_trade_no", outTradeNo);
        m.put("transaction_id", transactionId);
        m.put("trade_type", "JSAPI");
        m.put("trade_state", "SUCCESS");
        m.put("trade_state_desc", "支付成功");
        m.put("bank_type", "OTHERS");
        m.put("attach", "");
        m.put("success_time", successTime);
        m.put("payer", map("openid", openid));
        m.put("amount", amount(totalFen));
        return m;
    }

    private static Map<String, Object> amount(long totalFen) {
        return map("total", totalFen, "payer_total", totalFen, "currency", "CNY",
                "payer_currency", "CNY");
    }

    /** An ordered map from alternating names and values. */
    static Map<String, Object> map(Object... namesAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    private static synchronized PlatformIdentity impostor(PlatformIdentity.Kind kind) {
        return IMPOSTORS.computeIfAbsent(kind, k -> switch (k) {
            case RSA_CERTIFICATE -> PlatformIdentity.rsaCertificate();
            case RSA_PUBLIC_KEY -> PlatformIdentity.rsaPublicKey();
            case SM2_CERTIFICATE -> PlatformIdentity.sm2Certificate();
        });
    }

    private String unknownSerial(PlatformIdentity signer) {
        return signer.kind() == PlatformIdentity.Kind.RSA_PUBLIC_KEY
                ? "PUB_KEY_ID_01" + randomString("0123456789", 24)
                : "7" + randomString("0123456789ABCDEF", 39);
    }

    /** 28 digits: {@code 4200}, six random digits, the Beijing date, ten random digits. */
    String transactionId(ZonedDateTime now) {
        return "4200" + randomString("0123456789", 6)
                + DateTimeFormatter.BASIC_ISO_DATE.format(now).substring(0, 8)
                + randomString("0123456789", 10);
    }

    /** 29 digits beginning with {@code 50}, like WeChat's refund ids. */
    String refundId() {
        return "50" + randomString("0123456789", 27);
    }

    private String openid() {
        return "oUpF8" + randomString(ALNUM + "-_", 23);
    }

    private String randomString(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    static Instant parseTime(String rfc3339) {
        return ZonedDateTime.parse(rfc3339, RFC3339).toInstant();
    }
}
