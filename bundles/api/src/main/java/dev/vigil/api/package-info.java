/**
 * Vigil's public API: interpreters, guards, views and thread states (PEP 788 for the JVM).
 *
 * <p>The rules cited in this package's Javadoc (G1, V3, T4, F1, P3, ...) are those of
 * Vigil's contract, {@code DESIGN.md} §2. Every method that takes an object argument throws
 * {@link java.lang.NullPointerException} naming the argument when it is {@code null}.
 */
@Export
@Version("1.2.0")
package dev.vigil.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
