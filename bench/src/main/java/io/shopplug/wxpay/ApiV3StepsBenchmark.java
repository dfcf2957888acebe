package io.shopplug.wxpay;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link ApiV3Benchmark#plugin} taken apart, on the same notification and plugin state: where the
 * time above the raw floor goes. Not a contender; read it next to {@code rawFloor}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class ApiV3StepsBenchmark {

    /** The intermediate results, computed once, so each step starts where the previous ended. */
    @State(Scope.Benchmark)
    public static class Steps {
        ApiV3Notify.Envelope envelope;
        byte[] plaintext;

        @Setup
        public void build(ApiV3Benchmark.Notice n, ApiV3Benchmark.Plugin p) {
            envelope = ApiV3Notify.parseEnvelope(n.body);
            plaintext = envelope.decrypt(p.cipher);
        }
    }

    /** Headers, timestamp window, key by serial, SHA256withRSA over timestamp\nnonce\nbody\n. */
    @Benchmark
    public Object verify(ApiV3Benchmark.Notice n, ApiV3Benchmark.Plugin p) {
        ApiV3Headers headers = ApiV3Headers.from(n.headers::get);
        p.verifier.verify(headers, n.body);
        return headers;
    }

    /** The envelope JSON into its fields (one streaming pass, strict duplicate detection). */
    @Benchmark
    public Object parseEnvelope(ApiV3Benchmark.Notice n) {
        return ApiV3Notify.parseEnvelope(n.body);
    }

    /** Base64 and AES-256-GCM of the resource. */
    @Benchmark
    public byte[] decrypt(ApiV3Benchmark.Plugin p, Steps s) {
        return s.envelope.decrypt(p.cipher);
    }

    /** The plaintext into a {@link Notification}: tree, fields, RFC 3339 time, masked payload JSON. */
    @Benchmark
    public Object map(Steps s) {
        return ApiV3Notify.toNotifications(s.envelope.eventType(), s.plaintext);
    }
}
