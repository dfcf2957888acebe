package io.shopplug.simulator;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/** Reads a flat {@code <xml>} document back into its fields, for assertions. */
final class TestXml {

    private TestXml() {
    }

    static Map<String, String> fields(byte[] xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            Element root = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml))
                    .getDocumentElement();
            if (!"xml".equals(root.getTagName())) {
                throw new AssertionError("root is " + root.getTagName());
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e) {
                    out.put(e.getTagName(), e.getTextContent());
                }
            }
            return out;
        } catch (Exception e) {
            throw new AssertionError("not a flat <xml> document", e);
        }
    }
}
