/**
 * Vigil for CDI (Weld SE, Jakarta EE): a portable extension, {@link dev.vigil.cdi.VigilExtension},
 * found through {@code META-INF/services}, that
 * <ul>
 * <li>builds one runtime per container with {@link dev.vigil.api.Vigil#builder()}, configured by
 *     the {@code vigil.*} system properties and by observers of {@link dev.vigil.cdi.VigilConfigurator};</li>
 * <li>makes {@link dev.vigil.api.VigilRuntime}, {@link dev.vigil.api.InterpreterRegistry},
 *     {@link dev.vigil.api.InterpreterGuards}, {@link dev.vigil.api.ThreadStates} and
 *     {@link dev.vigil.api.Policies} injectable;</li>
 * <li>runs methods annotated {@link dev.vigil.cdi.Attached} attached to an interpreter, or fails
 *     them with {@link dev.vigil.api.InterpreterFinalizingException} — never against a dead
 *     interpreter;</li>
 * <li>fires {@link dev.vigil.cdi.FinalizationRequested}, {@link dev.vigil.cdi.InterpreterFinalized}
 *     and {@link dev.vigil.cdi.FinalizationAborted};</li>
 * <li>shuts the runtime down under the active policy when the container shuts down.</li>
 * </ul>
 * Rules cited (F1, P3, T3, ...) are those of Vigil's contract, {@code DESIGN.md} §2.
 */
@Export
@Version("1.0.0")
package dev.vigil.cdi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
