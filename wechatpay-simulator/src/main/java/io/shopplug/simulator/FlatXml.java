package io.shopplug.simulator;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** Reads a flat {@code <xml>} request (no DTD, no external entities) into its fields. */
final class FlatXml {

    private FlatXml() {
    }

    /** @throws IllegalArgumentException if it is not a flat {@code <xml>} document */
    static Map<String, String> parse(byte[] xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            Element root = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml))
                    .getDocumentElement();
            if (!"xml".equals(root.getTagName())) {
                throw new IllegalArgumentException("root is not <xml>");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e) {
                    out.put(e.getTagName(), e.getTextContent());
                }
            }
            return out;
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("not XML", e);
        }
    }
}
