package io.shopplug.wxpay;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A rough cross-check for a busy machine, not a benchmark: the benchmark operations run in one
 * JVM, round-robin in short slices, each timed by this thread's CPU time rather than wall time, so
 * that time spent waiting for a core shared with other work is not counted and every contender
 * suffers the same interference. JIT, cache and frequency effects are not controlled: use the JMH
 * figures from a quiet machine for anything published.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.shopplug.wxpay.CpuTimeCheck [rounds]</pre>
 */
public final class CpuTimeCheck {
    private static final int SLICE = 500;

    private CpuTimeCheck() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;

        ApiV3Benchmark.Notice v3 = new ApiV3Benchmark.Notice();
        v3.build();
        ApiV3Benchmark.Plugin plugin = new ApiV3Benchmark.Plugin();
        plugin.build(v3);
        ApiV3Benchmark.Raw raw = new ApiV3Benchmark.Raw();
        raw.build(v3);
        ApiV3Benchmark.RawReused reused = new ApiV3Benchmark.RawReused();
        reused.build(raw);
        ApiV3Benchmark.WechatPayJava wechatpay = new ApiV3Benchmark.WechatPayJava();
        wechatpay.build(v3);
        ApiV3Benchmark.WxJava wxJava3 = new ApiV3Benchmark.WxJava();
        wxJava3.build(v3);
        ApiV3StepsBenchmark.Steps steps = new ApiV3StepsBenchmark.Steps();
        steps.build(v3, plugin);
        ApiV3StepsBenchmark s = new ApiV3StepsBenchmark();

        ApiV2Benchmark.Notice v2 = new ApiV2Benchmark.Notice();
        v2.build();
        ApiV2Benchmark.Plugin plugin2 = new ApiV2Benchmark.Plugin();
        plugin2.build(v2);
        ApiV2Benchmark.WxJava wxJava2 = new ApiV2Benchmark.WxJava();
        wxJava2.build(v2);
        new ApiV2Benchmark.IJPay().build(v2);

        // Every library is loaded and has run once: did any of them register a provider?
        System.out.println("providers " + java.util.Arrays.stream(java.security.Security.getProviders())
                .map(java.security.Provider::getName).toList()
                + "; SHA256withRSA from " + java.security.Signature.getInstance("SHA256withRSA").getProvider().getName()
                + ", AES/GCM/NoPadding from " + javax.crypto.Cipher.getInstance("AES/GCM/NoPadding").getProvider().getName()
                + ", MD5 from " + java.security.MessageDigest.getInstance("MD5").getProvider().getName());

        Map<String, Callable<Object>> ops = new LinkedHashMap<>();
        ops.put("v3 plugin", () -> ApiV3Benchmark.pluginOnce(v3, plugin));
        ops.put("v3 rawFloor", () -> ApiV3Benchmark.rawFloorOnce(raw));
        ops.put("v3 rawFloorReused", () -> ApiV3Benchmark.rawFloorReusedOnce(raw, reused));
        ops.put("v3 wechatpayJava", () -> ApiV3Benchmark.wechatpayJavaOnce(v3, wechatpay));
        ops.put("v3 wxJava", () -> ApiV3Benchmark.wxJavaOnce(v3, wxJava3));
        ops.put("v3 step verify", () -> s.verify(v3, plugin));
        ops.put("v3 step parseEnvelope", () -> s.parseEnvelope(v3));
        ops.put("v3 step decrypt", () -> s.decrypt(plugin, steps));
        ops.put("v3 step map", () -> s.map(steps));
        ops.put("v2 plugin", () -> ApiV2Benchmark.pluginOnce(v2, plugin2));
        ops.put("v2 wxJava", () -> ApiV2Benchmark.wxJavaOnce(v2, wxJava2));
        ops.put("v2 ijPay", () -> ApiV2Benchmark.ijPayOnce(v2));

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, List<Double>> perRound = new LinkedHashMap<>();
        ops.keySet().forEach(k -> perRound.put(k, new ArrayList<>()));
        Object sink = null;
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, Callable<Object>> op : ops.entrySet()) {
                long start = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < SLICE; i++) {
                    sink = op.getValue().call();
                }
                double microsPerOp = (threads.getCurrentThreadCpuTime() - start) / 1_000.0 / SLICE;
                perRound.get(op.getKey()).add(microsPerOp);
            }
        }
        // The first half is warm-up; report the median of the second half.
        System.out.printf("%-24s %12s%n", "operation", "CPU µs/op");
        for (Map.Entry<String, List<Double>> e : perRound.entrySet()) {
            List<Double> measured = new ArrayList<>(e.getValue().subList(rounds / 2, rounds));
            measured.sort(null);
            System.out.printf("%-24s %12.2f%n", e.getKey(), measured.get(measured.size() / 2));
        }
        if (sink == null) {
            System.out.println();
        }
    }
}
