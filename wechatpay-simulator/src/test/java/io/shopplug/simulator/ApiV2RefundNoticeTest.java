package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ApiV2RefundNoticeTest {

    private static final Merchant MERCHANT = Merchant.of("wxd678efh567hg6787", "1230000109",
            "8934e7d15453e97507ef794cf7b0519d", Merchant.MD5);
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2024-05-20T05:14:00Z"), ZoneOffset.UTC);

    /** Decrypts req_info as a receiver would, with the JDK alone. */
    static Map<String, String> decryptReqInfo(String reqInfo, String apiV2Key)
            throws Exception {
        byte[] key = V3Crypto.refundKey(apiV2Key);
        Cipher c = Cipher.getInstance("AES/ECB/PKCS5Padding");
        c.init(Cipher.DECRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, "AES"));
        byte[] plain = c.doFinal(Base64.getDecoder().decode(reqInfo));
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element root = f.newDocumentBuilder().parse(new ByteArrayInputStream(plain))
                .getDocumentElement();
        assertEquals("root", root.getTagName());
        Map<String, String> out = new LinkedHashMap<>();
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.put(e.getTagName(), e.getTextContent());
            }
        }
        return out;
    }

    @ParameterizedTest
    @CsvSource({"SUCCESS, SUCCESS", "ABNORMAL, CHANGE", "CLOSED, REFUNDCLOSE"})
    void aRefundNoticeHasNoSignAndAnEncryptedReqInfo(RefundStatus status, String v2Name)
            throws Exception {
        NotifyMessage m = new ApiV2Notifications(MERCHANT, CLOCK).refunded(RefundNotice.of(
                "4200000000202405201234567890", "SO-1", "RF-1", 8888, 300).withStatus(status));

        Map<String, String> outer = TestXml.fields(m.body());
        assertEquals(List.of("return_code", "return_msg", "appid", "mch_id", "nonce_str",
                "req_info"), List.copyOf(outer.keySet()));
        assertFalse(outer.containsKey("sign"));
        assertEquals("1230000109", outer.get("mch_id"));

        Map<String, String> inner = decryptReqInfo(outer.get("req_info"), MERCHANT.apiV2Key());
        assertEquals(m.reqInfo(), inner);
        assertEquals("4200000000202405201234567890", inner.get("transaction_id"));
        assertEquals("SO-1", inner.get("out_trade_no"));
        assertEquals("RF-1", inner.get("out_refund_no"));
        assertTrue(inner.get("refund_id").matches("50\\d{27}"));
        assertEquals(m.refundId(), inner.get("refund_id"));
        assertEquals("8888", inner.get("total_fee"));
        assertEquals("8888", inner.get("settlement_total_fee"));
        assertEquals("300", inner.get("refund_fee"));
        assertEquals("300", inner.get("settlement_refund_fee"));
        assertEquals(v2Name, inner.get("refund_status"));
        assertEquals(status == RefundStatus.SUCCESS ? "2024-05-20 13:14:00" : null,
                inner.get("success_time"));
        assertTrue(inner.containsKey("refund_recv_accout"));
        assertTrue(inner.containsKey("refund_account"));
        assertEquals("API", inner.get("refund_request_source"));
        assertEquals("SO-1", m.outTradeNo());
    }

    @Test
    void aWrongKeyDoesNotDecrypt() throws Exception {
        NotifyMessage m = new ApiV2Notifications(MERCHANT, CLOCK).refunded(RefundNotice.of(
                "4200000000202405201234567890", "SO-1", "RF-1", 8888, 8888)
                .encryptedWithKey("ffffffffffffffffffffffffffffffff"));
        String reqInfo = m.field("req_info");
        // With overwhelming likelihood the padding check fails; if not, the XML cannot parse.
        assertThrows(Exception.class, () -> decryptReqInfo(reqInfo, MERCHANT.apiV2Key()));
        assertEquals("SO-1",
                decryptReqInfo(reqInfo, "ffffffffffffffffffffffffffffffff").get("out_trade_no"));
    }

    @Test
    void theChineseTextIsUtf8InsideTheCiphertext() throws GeneralSecurityException {
        NotifyMessage m = new ApiV2Notifications(MERCHANT, CLOCK).refunded(RefundNotice.of(
                "4200000000202405201234567890", "SO-1", "RF-1", 8888, 8888));
        byte[] plain = V3Crypto.aesEcb(Cipher.DECRYPT_MODE,
                V3Crypto.refundKey(MERCHANT.apiV2Key()),
                Base64.getDecoder().decode(m.field("req_info")));
        assertTrue(new String(plain, StandardCharsets.UTF_8).contains("支付用户的零钱"));
    }
}
