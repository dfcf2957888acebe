package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.binarywang.wxpay.bean.notify.WxPayOrderNotifyResult;
import com.github.binarywang.wxpay.config.WxPayConfig;
import com.github.binarywang.wxpay.exception.WxPayException;
import com.github.binarywang.wxpay.service.WxPayService;
import com.github.binarywang.wxpay.service.impl.WxPayServiceImpl;
import com.github.binarywang.wxpay.util.SignUtils;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official WxJava SDK (weixin-java-pay 4.6.0, test scope only) is an independent oracle: what
 * the simulator signs, WxJava must accept, and what the simulator breaks, WxJava must reject.
 *
 * <p>Read from the 4.6.0 byte code: {@code parseOrderNotifyResult(xml, signType)} verifies with
 * the given sign type, else the notice's {@code sign_type}, else the configured one;
 * {@code parseOrderNotifyResult(xml)} passes {@code null}. A SUCCESS notice without {@code sign}
 * is rejected as forged. WxJava compares the sign with {@code String.equals} (not constant time)
 * and does not compare appid or mch_id with its configuration: those checks are the plugin's.
 */
class WxJavaCrossCheckTest {

    private static final String KEY = "8934e7d15453e97507ef794cf7b0519d";
    private static final String WRONG_KEY = "8934e7d15453e97507ef794cf7b0519e";
    /** WxJava's reason for a bad sign ("parameter format check error"). */
    private static final String BAD_SIGN = "参数格式校验错误！";
    /** WxJava's reason for a SUCCESS notice without sign ("forged notification"). */
    private static final String FORGED = "伪造的通知！";
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2024-05-20T13:14:00Z"), ZoneOffset.UTC);

    private static Merchant merchant(String signType) {
        return Merchant.of("wxd678efh567hg6787", "1230000109", KEY, signType);
    }

    private static WxPayService wxJava(Merchant m) {
        WxPayConfig config = new WxPayConfig();
        config.setAppId(m.appId());
        config.setMchId(m.mchId());
        config.setMchKey(m.apiV2Key());
        config.setSignType(m.signType());
        WxPayService service = new WxPayServiceImpl();
        service.setConfig(config);
        return service;
    }

    private static NotifyMessage notify(Merchant m, PaymentNotice notice) {
        return new ApiV2Notifications(m, CLOCK).paid(notice);
    }

    private static PaymentNotice.Builder order() {
        return PaymentNotice.builder().outTradeNo("SO-20240520-0001").totalFee(8888)
                .transactionId("4200002222202405201234567890");
    }

    private static void assertOrder(WxPayOrderNotifyResult r) {
        assertEquals("SO-20240520-0001", r.getOutTradeNo());
        assertEquals(8888, r.getTotalFee());
        assertEquals(8888, r.getCashFee());
        assertEquals("4200002222202405201234567890", r.getTransactionId());
        assertEquals("20240520211400", r.getTimeEnd());
        assertEquals("SUCCESS", r.getResultCode());
    }

    @Test
    void acceptsAnMd5Notice() throws WxPayException {
        Merchant m = merchant(Merchant.MD5);
        NotifyMessage n = notify(m, order().build());
        assertOrder(wxJava(m).parseOrderNotifyResult(n.xml()));
        assertOrder(wxJava(m).parseOrderNotifyResult(n.xml(), Merchant.MD5));
    }

    @Test
    void acceptsAnHmacSha256Notice() throws WxPayException {
        Merchant m = merchant(Merchant.HMAC_SHA256);
        NotifyMessage n = notify(m, order().build());
        assertOrder(wxJava(m).parseOrderNotifyResult(n.xml(), Merchant.HMAC_SHA256));
        assertOrder(wxJava(m).parseOrderNotifyResult(n.xml()));
    }

    @Test
    void acceptsAnHmacSha256NoticeWithoutSignTypeByItsConfiguredSignType() throws WxPayException {
        Merchant m = merchant(Merchant.HMAC_SHA256);
        NotifyMessage n = notify(m, order().withoutSignTypeField().build());
        assertOrder(wxJava(m).parseOrderNotifyResult(n.xml()));
    }

    @Test
    void acceptsExtraFieldsWithChineseTextAndEmptyValues() throws WxPayException {
        Merchant m = merchant(Merchant.MD5);
        NotifyMessage n = notify(m, order().field("attach", "积分+10 & <礼品>")
                .field("device_info", "").field("coupon_fee", "0").build());
        WxPayOrderNotifyResult r = wxJava(m).parseOrderNotifyResult(n.xml());
        assertOrder(r);
        assertEquals("积分+10 & <礼品>", r.getAttach());
    }

    @ParameterizedTest
    @ValueSource(strings = {Merchant.MD5, Merchant.HMAC_SHA256})
    void rejectsANoticeSignedWithAWrongKey(String signType) {
        Merchant m = merchant(signType);
        NotifyMessage n = notify(m, order().signedWithKey(WRONG_KEY).build());
        assertEquals(BAD_SIGN, assertThrows(WxPayException.class,
                () -> wxJava(m).parseOrderNotifyResult(n.xml())).getMessage());
        assertEquals(BAD_SIGN, assertThrows(WxPayException.class,
                () -> wxJava(m).parseOrderNotifyResult(n.xml(), signType)).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {Merchant.MD5, Merchant.HMAC_SHA256})
    void rejectsANoticeTamperedAfterSigning(String signType) {
        Merchant m = merchant(signType);
        NotifyMessage n = notify(m, order().tamperedAfterSigning("total_fee", "1").build());
        assertEquals(BAD_SIGN, assertThrows(WxPayException.class,
                () -> wxJava(m).parseOrderNotifyResult(n.xml(), signType)).getMessage());
    }

    @Test
    void rejectsAnHmacNoticeCheckedAsMd5() {
        Merchant m = merchant(Merchant.HMAC_SHA256);
        NotifyMessage n = notify(m, order().withoutSignTypeField().build());
        assertEquals(BAD_SIGN, assertThrows(WxPayException.class,
                () -> wxJava(m.withSignType(Merchant.MD5)).parseOrderNotifyResult(n.xml()))
                .getMessage());
    }

    @Test
    void signAgreesWithWxJavaSignUtilsOnRandomFields() {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            Map<String, String> fields = new LinkedHashMap<>();
            int count = 1 + random.nextInt(12);
            for (int j = 0; j < count; j++) {
                fields.put(randomName(random), randomValue(random));
            }
            for (String type : new String[] {Merchant.MD5, Merchant.HMAC_SHA256}) {
                assertEquals(SignUtils.createSign(fields, type, KEY, new String[0]),
                        ApiV2Notifications.sign(fields, KEY, type), fields::toString);
            }
        }
    }

    @Test
    void rejectsANoticeWithoutSign() {
        Merchant m = merchant(Merchant.MD5);
        NotifyMessage n = notify(m, order().withoutSign().build());
        WxPayException e = assertThrows(WxPayException.class,
                () -> wxJava(m).parseOrderNotifyResult(n.xml(), Merchant.MD5));
        assertEquals(FORGED, e.getMessage());
    }

    private static String randomName(Random r) {
        String first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
        String rest = first + "0123456789";
        StringBuilder sb = new StringBuilder().append(first.charAt(r.nextInt(first.length())));
        for (int i = r.nextInt(12); i > 0; i--) {
            sb.append(rest.charAt(r.nextInt(rest.length())));
        }
        String name = sb.toString();
        // WxJava also leaves out these bean-property names, which no notice carries.
        return Set.of("sign", "key", "xmlString", "xmlDoc", "couponList").contains(name)
                ? name + "_x" : name;
    }

    private static String randomValue(Random r) {
        String chars = "aZ09 -_.:/=&积分支付成功😀";
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(10); i > 0; i--) {
            sb.appendCodePoint(chars.codePoints().skip(r.nextInt((int) chars.codePoints().count()))
                    .findFirst().orElseThrow());
        }
        return sb.toString();
    }
}
