/**
 * The seam between Vigil's own bundles (DESIGN.md §3): the registry provides a
 * {@link dev.vigil.spi.kernel.Kernel} per runtime and an
 * {@link dev.vigil.spi.kernel.InterpreterLifecycle} per interpreter, holding the guard word;
 * the guards bundle provides guard and view handles and a guard directory; the thread-state
 * bundle consumes them. Not for users: every type here but the engines' two (consumer types) is a
 * provider type and may grow.
 * Engines (DESIGN.md §6) implement {@link dev.vigil.spi.kernel.AttachHook} and install it through
 * {@link dev.vigil.spi.kernel.AttachHooks}, the thread-state bundle's (since 1.1.0), and bind an
 * {@link dev.vigil.spi.kernel.EngineBinding} to the interpreter's lifecycle
 * ({@link dev.vigil.spi.kernel.InterpreterLifecycle#bindEngine}, since 1.2.0): what holders run,
 * relayed holder interrupts and the point of no return. Since 1.2.0 a guard may also be a
 * ledger guard, counted in its holder's memory (see
 * {@link dev.vigil.spi.kernel.InterpreterLifecycle}).
 */
@Export
@Version("1.2.0")
package dev.vigil.spi.kernel;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
