package io.shopplug.sample.dropin.host;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Properties;

/**
 * The shop's {@link PaymentListener}: marks the order paid and appends one line per call to the
 * report file named in {@code probe.properties} of the host JAR. A file, because this class lives
 * on the webapp's class loader and the test on another: a static field would not be shared.
 */
public final class HostPaymentListener implements PaymentListener {
    private final Path report;

    /** Called by {@code ServiceLoader}. */
    public HostPaymentListener() {
        Properties p = new Properties();
        try (InputStream in = HostPaymentListener.class.getResourceAsStream("probe.properties")) {
            if (in == null) {
                throw new IllegalStateException("probe.properties is missing from the host jar");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        report = Path.of(p.getProperty("report.file"));
    }

    @Override
    public void onPaid(PaymentEvent event) {
        HostOrders.PAID.put(event.outTradeNo(), Boolean.TRUE);
        // One line per call: order, transaction, amount, key, thread, and whose class loader.
        String line = String.join("\t", "paid", event.outTradeNo(), event.transactionId(),
                Long.toString(event.amountFen()), event.idempotencyKey(), Thread.currentThread().getName(),
                String.valueOf(HostPaymentListener.class.getClassLoader())) + "\n";
        synchronized (HostPaymentListener.class) {
            try {
                Files.write(report, line.getBytes(StandardCharsets.UTF_8),
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
