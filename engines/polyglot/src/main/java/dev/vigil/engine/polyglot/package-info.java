/**
 * Engine-backed interpreters (DESIGN.md §6): Vigil interpreters that run JavaScript or Python
 * in GraalVM polyglot contexts, on one shared engine per runtime, under Vigil's contract. The
 * entry point is {@link dev.vigil.engine.polyglot.PolyglotInterpreters}, whose Javadoc sets out
 * the mapping of the contract onto the polyglot API line by line.
 */
package dev.vigil.engine.polyglot;
