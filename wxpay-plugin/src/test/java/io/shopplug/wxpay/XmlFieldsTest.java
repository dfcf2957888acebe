package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class XmlFieldsTest {

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static Reason rejection(String xml) {
        return rejection(utf8(xml));
    }

    private static Reason rejection(byte[] body) {
        return assertThrows(NotifyRejected.class, () -> XmlFields.parse(body)).reason();
    }

    @Test
    void readsEveryTopLevelFieldInDocumentOrder() {
        Map<String, String> f = XmlFields.parse(utf8(
                "<xml><return_code><![CDATA[SUCCESS]]></return_code>"
                        + "<total_fee>1999</total_fee>"
                        + "<appid><![CDATA[wx2421b1c4370ec43b]]></appid>"
                        + "<a_future_field><![CDATA[kept]]></a_future_field></xml>"));
        assertEquals(List.of("return_code", "total_fee", "appid", "a_future_field"), new ArrayList<>(f.keySet()));
        assertEquals("SUCCESS", f.get("return_code"));
        assertEquals("1999", f.get("total_fee"));
        assertEquals("wx2421b1c4370ec43b", f.get("appid"));
        assertEquals("kept", f.get("a_future_field"));
    }

    @Test
    void ignoresWhitespaceCommentsAndDeclarationAroundFields() {
        Map<String, String> f = XmlFields.parse(utf8(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- notify -->\n<xml>\n"
                        + "  <a><![CDATA[1]]></a>\r\n\t<b>2</b>\n  <!-- c -->\n</xml>\n"));
        assertEquals(Map.of("a", "1", "b", "2"), f);
    }

    @Test
    void emptyElementsAreEmptyStrings() {
        Map<String, String> f = XmlFields.parse(utf8("<xml><a/><b></b><c><![CDATA[]]></c></xml>"));
        assertEquals(Map.of("a", "", "b", "", "c", ""), f);
    }

    @Test
    void valuesAreKeptAsReceived() {
        // Not trimmed, CDATA and text joined, predefined and character references resolved,
        // a "]]>" split over two CDATA sections and non-ASCII text intact.
        Map<String, String> f = XmlFields.parse(utf8(
                "<xml><a><![CDATA[ x ]]></a><b>p<![CDATA[q]]>r</b><c>&lt;&amp;&#x4E2D;</c>"
                        + "<d><![CDATA[]]]]><![CDATA[>]]></d><e><![CDATA[支付成功 {\"k\":1}]]></e></xml>"));
        assertEquals(" x ", f.get("a"));
        assertEquals("pqr", f.get("b"));
        assertEquals("<&中", f.get("c"));
        assertEquals("]]>", f.get("d"));
        assertEquals("支付成功 {\"k\":1}", f.get("e"));
    }

    @Test
    void honoursTheDeclaredEncoding() {
        Charset gbk = Charset.forName("GBK");
        byte[] body = "<?xml version=\"1.0\" encoding=\"GBK\"?><xml><attach>测试</attach></xml>".getBytes(gbk);
        assertEquals("测试", XmlFields.parse(body).get("attach"));
    }

    @Test
    void emptyRootIsAnEmptyMap() {
        assertEquals(Map.of(), XmlFields.parse(utf8("<xml/>")));
    }

    @Test
    void rootIsAParameter() {
        Map<String, String> f = XmlFields.parse(utf8("<root><refund_id>50000</refund_id></root>"), "root");
        assertEquals(Map.of("refund_id", "50000"), f);
        NotifyRejected e = assertThrows(NotifyRejected.class,
                () -> XmlFields.parse(utf8("<xml><refund_id>50000</refund_id></xml>"), "root"));
        assertEquals(Reason.MALFORMED, e.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "   ",
        "not xml",
        "{\"return_code\":\"SUCCESS\"}",
        "<xml><a>1</a>",
        "<xml><a>1</b></xml>",
        "<root><a>1</a></root>",
        "<XML><a>1</a></XML>",
        "<xml><a><b>1</b></a></xml>",
        "<xml><a>1</a><a>1</a></xml>",
        "<xml><a>1</a>stray text<b>2</b></xml>",
        "<xml><a>1</a></xml><xml><a>1</a></xml>",
        "<xml><a>1</a></xml>trailing",
        "<xml><a>&undeclared;</a></xml>",
    })
    void refusesMalformedDocuments(String xml) {
        assertEquals(Reason.MALFORMED, rejection(xml));
    }

    @Test
    void refusesAnEmptyBody() {
        assertEquals(Reason.MALFORMED, rejection(new byte[0]));
    }

    @Test
    void refusesAnyDoctype() {
        assertEquals(Reason.DTD_NOT_ALLOWED, rejection("<!DOCTYPE xml><xml><a>1</a></xml>"));
        assertEquals(Reason.DTD_NOT_ALLOWED,
                rejection("<?xml version=\"1.0\"?><!-- x --><!DOCTYPE xml [<!ENTITY e \"v\">]><xml><a>&e;</a></xml>"));
        assertEquals(Reason.DTD_NOT_ALLOWED,
                rejection("<!DOCTYPE xml [<!ENTITY % p \"x\">]><xml><a>1</a></xml>"));
    }

    @Test
    void refusesADoctypeInAnotherEncoding() {
        byte[] body = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><!DOCTYPE xml [<!ENTITY e \"v\">]><xml><a>&e;</a></xml>"
                .getBytes(StandardCharsets.UTF_16);
        assertEquals(Reason.DTD_NOT_ALLOWED, rejection(body));
    }

    @Test
    void refusesExternalEntitiesWithoutFetchingThem(@TempDir Path dir) throws Exception {
        AtomicInteger fetched = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            fetched.incrementAndGet();
            byte[] answer = utf8("<!ENTITY leak \"leaked\">");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            Path secret = Files.writeString(dir.resolve("secret.txt"), "secret-content");
            String[] attacks = {
                "<!DOCTYPE xml [<!ENTITY x SYSTEM \"" + base + "/entity\">]><xml><a>&x;</a></xml>",
                "<!DOCTYPE xml SYSTEM \"" + base + "/dtd\"><xml><a>&leak;</a></xml>",
                "<!DOCTYPE xml [<!ENTITY % p SYSTEM \"" + base + "/param\"> %p;]><xml><a>&leak;</a></xml>",
                "<!DOCTYPE xml [<!ENTITY x SYSTEM \"" + secret.toUri() + "\">]><xml><a>&x;</a></xml>",
            };
            for (String attack : attacks) {
                assertEquals(Reason.DTD_NOT_ALLOWED, rejection(attack));
            }
        } finally {
            server.stop(0);
        }
        assertEquals(0, fetched.get(), "no external resource may be fetched");
    }

    @Test
    void refusesBillionLaughsWithoutExpanding() {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE xml [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i <= 9; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"");
            for (int j = 0; j < 10; j++) {
                dtd.append("&lol").append(i - 1).append(';');
            }
            dtd.append("\">");
        }
        String xml = dtd + "]><xml><a>&lol9;</a></xml>";
        Reason reason = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> rejection(xml));
        assertEquals(Reason.DTD_NOT_ALLOWED, reason);
    }

    @Test
    void refusesDocumentsAboveTheParserLimits() {
        StringBuilder many = new StringBuilder("<xml>");
        for (int i = 0; i < 2_000; i++) {
            many.append("<f").append(i).append(">1</f").append(i).append('>');
        }
        assertEquals(Reason.MALFORMED, rejection(many.append("</xml>").toString()));
        String huge = "<xml><a>" + "x".repeat(300 * 1024) + "</a></xml>";
        assertEquals(Reason.MALFORMED, rejection(huge));
    }

    @Test
    void successAckIsExactAndStable() {
        byte[] expected = utf8("<xml><return_code><![CDATA[SUCCESS]]></return_code>"
                + "<return_msg><![CDATA[OK]]></return_msg></xml>");
        byte[] first = XmlFields.ack(true, "ignored");
        assertArrayEquals(expected, first);
        first[0] = 'X'; // a caller scribbling on its copy does not change the next answer
        assertArrayEquals(expected, XmlFields.ack(true, null));
    }

    @Test
    void failAckCarriesTheMessage() {
        assertArrayEquals(utf8("<xml><return_code><![CDATA[FAIL]]></return_code>"
                        + "<return_msg><![CDATA[sign does not verify]]></return_msg></xml>"),
                XmlFields.ack(false, Reason.BAD_SIGN.message()));
    }

    @Test
    void failAckIsCdataSafeAndReadableByTheParser() {
        String message = "a]]><b>\u0001c";
        byte[] ack = XmlFields.ack(false, message);
        Map<String, String> read = XmlFields.parse(ack);
        assertEquals("FAIL", read.get("return_code"));
        assertEquals("a]]><b>?c", read.get("return_msg"));
    }
}
