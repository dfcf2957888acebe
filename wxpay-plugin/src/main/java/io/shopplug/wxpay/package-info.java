/**
 * The WeChat Pay notification plugin. Public are only the types a container or a host must
 * instantiate: {@link io.shopplug.wxpay.WxPayPlugin} (for hosts that load plugins), {@link
 * io.shopplug.wxpay.WxPayInitializer} (zero host code) and {@link io.shopplug.wxpay.NotifyFilter}
 * (the {@code web.xml} fallback); the engine is package-private.
 */
package io.shopplug.wxpay;
