/**
 * The finalization policy SPI (rules P1–P6): what users implement to decide what a shutdown
 * does about open guards, running threads, interrupts, late attaches and leaked guards.
 *
 * <p>A policy only decides (P5): every method gets a read-only context and returns an
 * immutable decision that the runtime carries out. A policy method that throws is reported
 * and the built-in default ({@code daemon-hang}) decides in its place.
 */
@Export
@Version("1.1.0")
package dev.vigil.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
