/**
 * Static analysis of a loaded graph: the shape pass, the cost pass, and the counting conventions.
 * Depends only on {@code dev.tally.ir}; loaders may call {@link dev.tally.analysis.ShapePass#inferNode} to
 * resolve shapes while they build a graph.
 */
package dev.tally.analysis;
