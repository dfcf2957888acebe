/**
 * A local WeChat Pay for tests and the sample shop: it signs APIv2 payment notifications
 * ({@link io.shopplug.simulator.ApiV2Notifications}) and delivers them with WeChat's retry schedule
 * ({@link io.shopplug.simulator.NotifyDelivery}); {@link io.shopplug.simulator.Simulator} combines
 * both. Its signing code is its own, so it can serve as an oracle independent of the plugin.
 */
package io.shopplug.simulator;
