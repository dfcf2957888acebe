package io.shopplug.simulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Cipher;

/**
 * Builds APIv2 notifications (XML) for one merchant. Payment notices are signed the way the
 * protocol says: every non-empty field but {@code sign}, sorted by name, {@code &key=}, MD5 or
 * HMAC-SHA256 in uppercase hex. Refund notices carry no sign: their {@code req_info} is
 * AES-256-ECB under the MD5 of the APIv2 key (protocol notes, section 2). Thread-safe.
 */
public final class ApiV2Notifications {

    static final ZoneId BEIJING = ZoneId.of("Asia/Shanghai");
    private static final DateTimeFormatter TIME_END = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final DateTimeFormatter SUCCESS_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String ALNUM =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final String OPENID_CHARS = ALNUM + "-_";
    /** Fields whose digits are written bare, as WeChat does; all else goes into CDATA. */
    private static final Set<String> NUMERIC =
            Set.of("total_fee", "cash_fee", "settlement_total_fee", "coupon_fee", "coupon_count",
                    "refund_fee", "settlement_refund_fee");
    private static final Pattern NUMERIC_NAME = Pattern.compile("coupon_fee_\\d+");
    private static final Pattern DIGITS = Pattern.compile("\\d+");

    private final Merchant merchant;
    private final Clock clock;
    private final Random random;

    /**
     * @param clock gives {@code time_end} (and the date inside generated transaction ids)
     */
    public ApiV2Notifications(Merchant merchant, Clock clock) {
        this(merchant, clock, new SecureRandom());
    }

    ApiV2Notifications(Merchant merchant, Clock clock, Random random) {
        this.merchant = Objects.requireNonNull(merchant, "merchant");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    public Merchant merchant() {
        return merchant;
    }

    /** A valid notice for an order of {@code totalFee} fen paid in full. */
    public NotifyMessage paid(String outTradeNo, long totalFee) {
        return paid(PaymentNotice.of(outTradeNo, totalFee));
    }

    /** The notice described, broken as it says (see {@link PaymentNotice}). */
    public NotifyMessage paid(PaymentNotice notice) {
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(BEIJING));
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("return_msg", "OK");
        f.put("appid", merchant.appId());
        f.put("mch_id", merchant.mchId());
        f.put("nonce_str", randomString(ALNUM, 32));
        f.put("result_code", "SUCCESS");
        f.put("openid", notice.openid().orElseGet(() -> "oUpF8" + randomString(OPENID_CHARS, 23)));
        f.put("is_subscribe", "N");
        f.put("trade_type", "JSAPI");
        f.put("bank_type", "OTHERS");
        f.put("total_fee", Long.toString(notice.totalFee()));
        f.put("fee_type", "CNY");
        f.put("cash_fee", Long.toString(notice.cashFee()));
        f.put("transaction_id", notice.transactionId().orElseGet(() -> transactionId(now)));
        f.put("out_trade_no", notice.outTradeNo());
        f.put("time_end", TIME_END.format(now));
        if (Merchant.HMAC_SHA256.equals(merchant.signType()) && !notice.omitSignTypeField()) {
            f.put("sign_type", merchant.signType());
        }
        f.putAll(notice.fields());
        if (!notice.omitSign()) {
            String key = notice.signKey().orElse(merchant.apiV2Key());
            f.put("sign", sign(f, key, merchant.signType()));
        }
        notice.tamperedAfterSigning().forEach((name, value) -> {
            if (value == null) {
                f.remove(name);
            } else {
                f.put(name, value);
            }
        });
        return new NotifyMessage(toXml(f), f);
    }

    /**
     * A refund notice: {@code return_code, return_msg, appid, mch_id, nonce_str, req_info}, no
     * sign; {@code req_info} is base64(AES-256-ECB/PKCS#7) of a {@code <root>} XML document with
     * the refund's fields, under the lowercase hex MD5 of the APIv2 key. {@code success_time}
     * (Beijing time) is present only for a successful refund.
     */
    public NotifyMessage refunded(RefundNotice notice) {
        Objects.requireNonNull(notice, "notice");
        ZonedDateTime now = ZonedDateTime.now(clock.withZone(BEIJING));
        Map<String, String> inner = new LinkedHashMap<>();
        inner.put("transaction_id", notice.transactionId());
        inner.put("out_trade_no", notice.outTradeNo());
        inner.put("refund_id", notice.refundId().orElseGet(() -> "50" + randomString("0123456789", 27)));
        inner.put("out_refund_no", notice.outRefundNo());
        inner.put("total_fee", Long.toString(notice.totalFee()));
        inner.put("settlement_total_fee", Long.toString(notice.totalFee()));
        inner.put("refund_fee", Long.toString(notice.refundFee()));
        inner.put("settlement_refund_fee", Long.toString(notice.refundFee()));
        inner.put("refund_status", notice.status().apiV2Name());
        if (notice.status() == RefundStatus.SUCCESS) {
            inner.put("success_time", SUCCESS_TIME.format(now));
        }
        inner.put("refund_recv_accout", "支付用户的零钱");
        inner.put("refund_account", "REFUND_SOURCE_RECHARGE_FUNDS");
        inner.put("refund_request_source", "API");
        byte[] plain = toXml("root", inner);
        byte[] key = V3Crypto.refundKey(notice.encryptionKey().orElse(merchant.apiV2Key()));
        String reqInfo;
        try {
            reqInfo = Base64.getEncoder().encodeToString(
                    V3Crypto.aesEcb(Cipher.ENCRYPT_MODE, key, plain));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks AES/ECB", e);
        }
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("return_msg", "OK");
        f.put("appid", merchant.appId());
        f.put("mch_id", merchant.mchId());
        f.put("nonce_str", randomString(ALNUM, 32));
        f.put("req_info", reqInfo);
        return new NotifyMessage(toXml(f), f, inner);
    }

    /**
     * The APIv2 sign of {@code fields}: every field but {@code sign} with a non-empty value,
     * sorted by name, joined as {@code name=value&...&key=<key>}, hashed.
     *
     * @param signType {@link Merchant#MD5} or {@link Merchant#HMAC_SHA256}
     * @return uppercase hex (32 characters for MD5, 64 for HMAC-SHA256)
     */
    public static String sign(Map<String, String> fields, String key, String signType) {
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(key, "key");
        return ApiV2Signer.sign(fields, key, signType);
    }

    /** 28 digits: {@code 4200}, six random digits, the Beijing date, ten random digits. */
    private String transactionId(ZonedDateTime now) {
        return "4200" + randomString("0123456789", 6) + DAY.format(now)
                + randomString("0123456789", 10);
    }

    private String randomString(String alphabet, int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    static byte[] toXml(Map<String, String> fields) {
        return toXml("xml", fields);
    }

    static byte[] toXml(String root, Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("<").append(root).append('>');
        fields.forEach((name, value) -> {
            sb.append('<').append(name).append('>');
            if ((NUMERIC.contains(name) || NUMERIC_NAME.matcher(name).matches())
                    && DIGITS.matcher(value).matches()) {
                sb.append(value);
            } else {
                // "]]>" cannot sit inside one CDATA section: close it after "]]" and reopen.
                sb.append("<![CDATA[").append(value.replace("]]>", "]]]]><![CDATA[>")).append("]]>");
            }
            sb.append("</").append(name).append('>');
        });
        return sb.append("</").append(root).append('>').toString()
                .getBytes(StandardCharsets.UTF_8);
    }
}
