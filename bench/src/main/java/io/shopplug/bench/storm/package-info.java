/**
 * The notify storm: a bounded load driver that plays a flash sale against the sample shop on
 * 127.0.0.1. It places orders through the shop's JSON API, plays an unmeasured warm-up of the same
 * shape on orders of its own (a shop meets a flash sale warm from its earlier business), then sends
 * every order's APIv3
 * {@code TRANSACTION.SUCCESS} several times (the first two copies at the same moment, the rest as
 * WeChat Pay's retries, some of them signed anew) mixed with forged requests, measures each
 * acknowledgement and the shop process each second, waits for the outbox to drain, and then
 * checks the counts: every order paid exactly once, stock and points exact, nothing forged
 * accepted.
 *
 * <p>{@link io.shopplug.bench.storm.Storm#main} runs the full storm against a shop in a child JVM
 * (see {@code docs/performance.md}); {@link io.shopplug.bench.storm.Storm#run} runs it against any
 * {@link io.shopplug.bench.storm.StormTarget}, which is how the small profile runs in the tests.
 * Nothing here is shipped: the bench module is never part of the plugin.
 */
package io.shopplug.bench.storm;
