/**
 * The contracts between a shop (the host) and its plugins: the plugin SPI a host discovers with
 * {@link java.util.ServiceLoader}, the context it hands a plugin, and the small hooks a host
 * implements so a plugin can ask about orders and admins and tell about payments.
 *
 * <p>This package holds contracts only: interfaces, immutable value classes, JDK types.
 */
package io.shopplug.api;
