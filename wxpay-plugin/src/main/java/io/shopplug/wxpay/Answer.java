package io.shopplug.wxpay;

/** An HTTP answer to write back to WeChat Pay: status, content type and body. Immutable. */
final class Answer {
    private static final String XML = "text/xml;charset=UTF-8";
    private static final Answer V2_SUCCESS = new Answer(200, XML, XmlFields.ack(true, "OK"));

    private final int status;
    private final String contentType;
    private final byte[] body;

    private Answer(int status, String contentType, byte[] body) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
    }

    /** APIv2: HTTP 200 with {@code return_code} SUCCESS. */
    static Answer v2Success() {
        return V2_SUCCESS;
    }

    /**
     * APIv2: HTTP 200 with {@code return_code} FAIL and the reason's fixed message (WeChat Pay
     * judges by {@code return_code} and sends the notification again); 405 for a wrong method.
     */
    static Answer v2Failure(Reason reason) {
        int status = reason == Reason.METHOD_NOT_ALLOWED ? 405 : 200;
        return new Answer(status, XML, XmlFields.ack(false, reason.message()));
    }

    int status() { return status; }
    String contentType() { return contentType; }
    byte[] body() { return body.clone(); }
    int length() { return body.length; }
    void writeTo(java.io.OutputStream out) throws java.io.IOException { out.write(body); }
}
