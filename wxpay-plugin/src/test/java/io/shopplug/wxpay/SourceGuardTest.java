package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SourceGuardTest {
    /** Some of WeChat Pay's published callback ranges, and one refund source. */
    private final SourceGuard wechat = new SourceGuard(
            List.of("101.226.103.0/25", "183.3.234.0/25", "175.24.214.208", "2001:db8::/32"),
            List.of("10.0.0.0/8", "::1"), "X-Forwarded-For");

    @Test
    void withoutAnAllowListEverySourceIsAllowed() {
        SourceGuard open = SourceGuard.open();
        assertTrue(open.allows("8.8.8.8"));
        assertTrue(open.allows("not an address"));
        assertEquals("8.8.8.8", open.clientAddress("8.8.8.8", h -> "1.2.3.4"), "no proxy is trusted");
    }

    @Test
    void rangesAndSingleAddressesMatchExactly() {
        assertTrue(wechat.allows("101.226.103.0"));
        assertTrue(wechat.allows("101.226.103.127"));
        assertFalse(wechat.allows("101.226.103.128"), "outside the /25");
        assertTrue(wechat.allows("183.3.234.5"));
        assertTrue(wechat.allows("175.24.214.208"));
        assertFalse(wechat.allows("175.24.214.209"));
        assertTrue(wechat.allows("2001:db8:1::5"));
        assertFalse(wechat.allows("2001:db9::5"));
        assertTrue(wechat.allows("::ffff:101.226.103.9"), "an IPv4-mapped peer address");
        assertFalse(wechat.allows("evil.example"), "host names never match (and are never looked up)");
        assertFalse(wechat.allows(null));
    }

    @Test
    void theForwardingHeaderIsBelievedOnlyFromATrustedProxy() {
        Map<String, String> headers = new HashMap<>();
        headers.put("X-Forwarded-For", "101.226.103.9");
        assertEquals("101.226.103.9", wechat.clientAddress("10.1.2.3", headers::get));
        assertEquals("203.0.113.7", wechat.clientAddress("203.0.113.7", headers::get), "not a trusted proxy");
        headers.put("X-Forwarded-For", "101.226.103.9, 10.9.9.9");
        assertEquals("101.226.103.9", wechat.clientAddress("10.1.2.3", headers::get), "proxies skipped from the right");
        headers.put("X-Forwarded-For", "101.226.103.9, 6.6.6.6");
        assertEquals("6.6.6.6", wechat.clientAddress("10.1.2.3", headers::get),
                "the right-most untrusted hop, not a value the client wrote on the left");
        headers.remove("X-Forwarded-For");
        assertEquals("10.1.2.3", wechat.clientAddress("10.1.2.3", headers::get));
    }

    @Test
    void badRangesAreNamedAndNeverResolved() {
        assertNull(SourceGuard.problem("101.226.103.0/25"));
        assertNull(SourceGuard.problem("2001:db8::/32"));
        assertNotNull(SourceGuard.problem("101.226.103.0/33"));
        assertNotNull(SourceGuard.problem("999.1.1.1"));
        assertNotNull(SourceGuard.problem("api.mch.weixin.qq.com"));
        assertNotNull(SourceGuard.problem("1.2.3.4/x"));
        assertThrows(IllegalArgumentException.class, () -> new SourceGuard(List.of("nope"), List.of(), "X"));
    }

    @Test
    void theConfigurationReportsBadRangesWithTheOtherProblems() {
        Map<String, String> m = WxPayConfigTest.valid();
        m.put(Settings.ALLOWED_SOURCES, "101.226.103.0/25, weixin.qq.com");
        m.put(Settings.TRUSTED_PROXIES, "10.0.0.0/99");
        String msg = assertThrows(IllegalStateException.class, () -> WxPayConfig.from(m)).getMessage();
        assertTrue(msg.contains("wxpay.allowed-sources: 'weixin.qq.com' is not an IP address or CIDR range"), msg);
        assertTrue(msg.contains("wxpay.trusted-proxies: '10.0.0.0/99' has a prefix length outside 0..32"), msg);
    }
}
