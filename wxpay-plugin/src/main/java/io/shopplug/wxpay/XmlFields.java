package io.shopplug.wxpay;

import com.ctc.wstx.api.WstxInputProperties;
import com.ctc.wstx.stax.WstxInputFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLResolver;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The one place the plugin reads XML: the flat {@code <xml>} documents of APIv2 and the
 * {@code <root>} plaintext inside a refund's {@code req_info}.
 *
 * <p>All parsing goes through one hardened StAX input factory, built once: Woodstox explicitly
 * (not whatever {@code XMLInputFactory.newFactory()} finds in a servlet container), DTDs and
 * external entities off, and tight size limits. On top of that a document carrying any
 * {@code DOCTYPE} is refused as soon as the parser reports it, before the root element, so no
 * entity is ever declared, resolved or expanded. Documents are read as StAX events rather than
 * as Jackson tokens, because Jackson skips the DOCTYPE silently and folds repeated names into
 * arrays and attributes into fields. Thread-safe.
 */
final class XmlFields {

    /** Root element of an APIv2 notification and of its acknowledgement. */
    static final String APIV2_ROOT = "xml";

    /**
     * Longest value accepted, in chars. Also a Woodstox limit, but Woodstox does not enforce
     * that one reliably on coalesced text, so it is checked here too.
     */
    private static final int MAX_VALUE_CHARS = 256 * 1_024;

    private static final XMLInputFactory INPUT = hardenedInputFactory();

    private static final byte[] SUCCESS_ACK = ackBytes("SUCCESS", "OK");

    private XmlFields() {}

    /** Equivalent to {@link #parse(byte[], String) parse(body, "xml")}. */
    static Map<String, String> parse(byte[] body) {
        return parse(body, APIV2_ROOT);
    }

    /**
     * Reads a flat document: a root element named {@code root} whose children each hold text.
     *
     * @return every child element of the root, in document order, name to text: CDATA markers
     *     removed, text and CDATA concatenated as received (values are not trimmed), an empty
     *     element as {@code ""}; unknown names kept. Whitespace, comments and processing
     *     instructions between the children are ignored; attributes are ignored.
     * @throws NotifyRejected {@link Reason#DTD_NOT_ALLOWED} if the document has a {@code DOCTYPE}
     *     (and hence any entity declaration); {@link Reason#MALFORMED} for an empty body, a body
     *     that is not well-formed XML, a different root, a nested element, a repeated name, text
     *     directly inside the root, an undeclared entity reference, or a document above the
     *     parser limits
     */
    static Map<String, String> parse(byte[] body, String root) {
        Objects.requireNonNull(root, "root");
        if (body == null || body.length == 0) {
            throw new NotifyRejected(Reason.MALFORMED);
        }
        XMLStreamReader reader = null;
        try {
            reader = INPUT.createXMLStreamReader(new ByteArrayInputStream(body));
            return readDocument(reader, root);
        } catch (NotifyRejected e) {
            throw e;
        } catch (XMLStreamException | RuntimeException e) {
            // The parser's message may quote the document (an openid, a sign): not kept.
            throw new NotifyRejected(Reason.MALFORMED);
        } finally {
            closeQuietly(reader);
        }
    }

    /**
     * The APIv2 acknowledgement body, UTF-8.
     *
     * <p>{@code success}: exactly
     * {@code <xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>}
     * ({@code message} is ignored). Otherwise the same shape with {@code FAIL} and {@code message}
     * (callers pass a fixed, secret-free text such as {@link Reason#message()}); a {@code "]]>"} in
     * it is split across two CDATA sections and characters XML cannot carry become {@code '?'}.
     */
    static byte[] ack(boolean success, String message) {
        if (success) {
            return SUCCESS_ACK.clone();
        }
        return ackBytes("FAIL", message == null ? "" : message);
    }

    private static Map<String, String> readDocument(XMLStreamReader reader, String root)
            throws XMLStreamException {
        // Prolog: anything before the root element. A DOCTYPE is refused right here.
        int event = reader.getEventType();
        while (event != XMLStreamConstants.START_ELEMENT) {
            if (event == XMLStreamConstants.DTD || event == XMLStreamConstants.ENTITY_DECLARATION) {
                throw new NotifyRejected(Reason.DTD_NOT_ALLOWED);
            }
            if (event == XMLStreamConstants.END_DOCUMENT) {
                throw new NotifyRejected(Reason.MALFORMED);
            }
            event = reader.next();
        }
        if (!root.equals(reader.getLocalName())) {
            throw new NotifyRejected(Reason.MALFORMED);
        }

        Map<String, String> fields = new LinkedHashMap<>();
        while (true) {
            event = reader.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT: {
                    String name = reader.getLocalName();
                    if (fields.putIfAbsent(name, readLeafText(reader)) != null) {
                        throw new NotifyRejected(Reason.MALFORMED);
                    }
                    break;
                }
                case XMLStreamConstants.END_ELEMENT:
                    // The root's end tag. Whatever follows is left to the parser's well-formedness
                    // check below (a second root element or stray text is an error there).
                    drain(reader);
                    return fields;
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE:
                    if (!reader.isWhiteSpace()) {
                        throw new NotifyRejected(Reason.MALFORMED);
                    }
                    break;
                case XMLStreamConstants.COMMENT:
                case XMLStreamConstants.PROCESSING_INSTRUCTION:
                    break;
                default:
                    // ENTITY_REFERENCE, DTD, or anything else that has no place in a flat document.
                    throw new NotifyRejected(Reason.MALFORMED);
            }
        }
    }

    /** Reads the text of the current element up to its end tag; a child element is refused. */
    private static String readLeafText(XMLStreamReader reader) throws XMLStreamException {
        StringBuilder text = new StringBuilder();
        while (true) {
            int event = reader.next();
            switch (event) {
                case XMLStreamConstants.CHARACTERS:
                case XMLStreamConstants.CDATA:
                case XMLStreamConstants.SPACE:
                    if (text.length() + reader.getTextLength() > MAX_VALUE_CHARS) {
                        throw new NotifyRejected(Reason.MALFORMED);
                    }
                    text.append(reader.getTextCharacters(), reader.getTextStart(), reader.getTextLength());
                    break;
                case XMLStreamConstants.END_ELEMENT:
                    return text.toString();
                case XMLStreamConstants.COMMENT:
                case XMLStreamConstants.PROCESSING_INSTRUCTION:
                    break;
                default:
                    // START_ELEMENT (nested), ENTITY_REFERENCE, ...
                    throw new NotifyRejected(Reason.MALFORMED);
            }
        }
    }

    /** Reads to the end so that trailing garbage after the root is reported as malformed. */
    private static void drain(XMLStreamReader reader) throws XMLStreamException {
        while (reader.hasNext()) {
            int event = reader.next();
            if (event == XMLStreamConstants.START_ELEMENT || event == XMLStreamConstants.DTD
                    || event == XMLStreamConstants.ENTITY_REFERENCE) {
                throw new NotifyRejected(Reason.MALFORMED);
            }
        }
    }

    private static XMLInputFactory hardenedInputFactory() {
        XMLInputFactory f = new WstxInputFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, Boolean.FALSE);
        // Entity references other than the five predefined ones surface as events (and are refused).
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, Boolean.FALSE);
        f.setProperty(XMLInputFactory.IS_VALIDATING, Boolean.FALSE);
        XMLResolver refuseAll = (publicId, systemId, baseUri, namespace) -> {
            throw new XMLStreamException("external resources are not allowed");
        };
        f.setProperty(XMLInputFactory.RESOLVER, refuseAll);
        // A notify is a few dozen short fields; generous limits that still stop a hostile document.
        f.setProperty(WstxInputProperties.P_MAX_ELEMENT_DEPTH, 4);
        f.setProperty(WstxInputProperties.P_MAX_CHILDREN_PER_ELEMENT, 500);
        f.setProperty(WstxInputProperties.P_MAX_ELEMENT_COUNT, 1_000L);
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTES_PER_ELEMENT, 16);
        f.setProperty(WstxInputProperties.P_MAX_ATTRIBUTE_SIZE, 1_024);
        f.setProperty(WstxInputProperties.P_MAX_TEXT_LENGTH, MAX_VALUE_CHARS);
        f.setProperty(WstxInputProperties.P_MAX_CHARACTERS, 1_024L * 1_024L);
        f.setProperty(WstxInputProperties.P_MAX_ENTITY_DEPTH, 1);
        f.setProperty(WstxInputProperties.P_MAX_ENTITY_COUNT, 1_000L);
        return f;
    }

    private static byte[] ackBytes(String code, String message) {
        String xml = "<xml><return_code><![CDATA[" + code + "]]></return_code><return_msg>"
                + cdata(message) + "</return_msg></xml>";
        return xml.getBytes(StandardCharsets.UTF_8);
    }

    private static String cdata(String text) {
        StringBuilder safe = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            boolean allowed = cp == 0x9 || cp == 0xA || cp == 0xD
                    || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD)
                    || (cp >= 0x10000 && cp <= 0x10FFFF);
            safe.appendCodePoint(allowed ? cp : '?');
        }
        return "<![CDATA[" + safe.toString().replace("]]>", "]]]]><![CDATA[>") + "]]>";
    }

    private static void closeQuietly(XMLStreamReader reader) {
        if (reader != null) {
            try {
                reader.close();
            } catch (XMLStreamException ignored) {
                // nothing was opened that outlives the byte array
            }
        }
    }
}
