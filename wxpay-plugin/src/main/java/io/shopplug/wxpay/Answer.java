package io.shopplug.wxpay;

/** An HTTP answer to write back to WeChat Pay: status, content type and body. Immutable. The reason messages are fixed ASCII with no quotes, so they embed in JSON as they are. */
final class Answer {
    private static final String XML = "text/xml;charset=UTF-8";
    private static final Answer V2_SUCCESS = new Answer(200, XML, XmlFields.ack(true, "OK"), true);
    private static final Answer V3_SUCCESS = new Answer(204, "application/json;charset=UTF-8", new byte[0], true);

    private final int status;
    private final String contentType;
    private final byte[] body;
    private final boolean acknowledged;

    private Answer(int status, String contentType, byte[] body, boolean acknowledged) {
        this.status = status;
        this.contentType = contentType;
        this.body = body;
        this.acknowledged = acknowledged;
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
        return new Answer(status, XML, XmlFields.ack(false, reason.message()), false);
    }

    /** APIv3: HTTP 204, no body (WeChat Pay judges by the status alone). */
    static Answer v3Success() {
        return V3_SUCCESS;
    }

    /** APIv3: the reason's HTTP status with {@code {"code":"FAIL","message":"<reason>"}}. */
    static Answer v3Failure(Reason reason) {
        byte[] json = ("{\"code\":\"FAIL\",\"message\":\"" + reason.message() + "\"}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return new Answer(reason.httpStatus(), "application/json;charset=UTF-8", json, false);
    }

    int status() { return status; }
    /** True for SUCCESS: WeChat Pay will not send this notification again. */
    boolean acknowledged() { return acknowledged; }
    String contentType() { return contentType; }
    byte[] body() { return body.clone(); }
    int length() { return body.length; }
    void writeTo(java.io.OutputStream out) throws java.io.IOException { out.write(body); }
}
