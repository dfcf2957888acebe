package io.shopplug.simulator;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What a notify URL answered: the HTTP status and body, and the XML {@code return_code} /
 * {@code return_msg} read from it. WeChat counts a notice as received only when
 * {@link #acknowledged()}.
 */
public final class NotifyAnswer {

    /** Bodies longer than this are cut, so a runaway endpoint cannot fill memory. */
    static final int MAX_BODY_CHARS = 4096;

    private final int status;
    private final String body;
    private final String returnCode;
    private final String returnMsg;

    NotifyAnswer(int status, byte[] body) {
        this.status = status;
        String text = new String(body, StandardCharsets.UTF_8);
        this.body = text.length() > MAX_BODY_CHARS ? text.substring(0, MAX_BODY_CHARS) : text;
        String[] codes = readCodes(body);
        this.returnCode = codes[0];
        this.returnMsg = codes[1];
    }

    public int status() {
        return status;
    }

    /** The body as text (UTF-8), cut at 4096 characters. */
    public String body() {
        return body;
    }

    /** {@code return_code} of the XML answer, or {@code ""} when there is none. */
    public String returnCode() {
        return returnCode;
    }

    /** {@code return_msg} of the XML answer, or {@code ""} when there is none. */
    public String returnMsg() {
        return returnMsg;
    }

    /** HTTP 200 and {@code return_code} SUCCESS: the only answer that stops WeChat's retries. */
    public boolean acknowledged() {
        return status == 200 && "SUCCESS".equals(returnCode);
    }

    /** Reads return_code and return_msg; a body that is not such XML gives empty strings. */
    private static String[] readCodes(byte[] body) {
        String[] out = {"", ""};
        if (body.length == 0) {
            return out;
        }
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            Element root = f.newDocumentBuilder().parse(new ByteArrayInputStream(body))
                    .getDocumentElement();
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e) {
                    if ("return_code".equals(e.getTagName())) {
                        out[0] = e.getTextContent().trim();
                    } else if ("return_msg".equals(e.getTagName())) {
                        out[1] = e.getTextContent().trim();
                    }
                }
            }
        } catch (Exception notXml) {
            // An answer that is not XML is simply not an acknowledgement.
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NotifyAnswer a && status == a.status && body.equals(a.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, body);
    }

    @Override
    public String toString() {
        return "NotifyAnswer[status=" + status + ", return_code=" + returnCode
                + ", return_msg=" + returnMsg + "]";
    }
}
