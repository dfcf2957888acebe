/**
 * A local WeChat Pay for tests and the sample shop: it builds APIv2 and APIv3 notifications
 * ({@link io.shopplug.simulator.ApiV2Notifications}, {@link io.shopplug.simulator.ApiV3Notifications})
 * signed by generated platform identities ({@link io.shopplug.simulator.PlatformIdentity}), delivers
 * them with WeChat's retry schedule ({@link io.shopplug.simulator.NotifyDelivery}), and plays the
 * certificate and order-query API ({@link io.shopplug.simulator.SimulatorServer});
 * {@link io.shopplug.simulator.Simulator} combines them. Its crypto is its own, so it can serve as an
 * oracle independent of the plugin.
 */
package io.shopplug.simulator;
