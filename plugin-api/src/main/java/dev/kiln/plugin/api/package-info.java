/**
 * The service provider interface of Kiln: what a builder plugin ({@link dev.kiln.plugin.api.Builder})
 * or a storage plugin ({@link dev.kiln.plugin.api.StorageTargetFactory}) implements, and the
 * values and services Kiln hands them. JDK types only, plus PF4J's {@code ExtensionPoint}.
 */
package dev.kiln.plugin.api;
