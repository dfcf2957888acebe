/**
 * A small "legacy shop" with orders, inventory and member points that loads payment plugins through
 * {@link java.util.ServiceLoader}: the demo and the end-to-end test bed of the WeChat Pay plugin.
 */
package io.shopplug.sample;
