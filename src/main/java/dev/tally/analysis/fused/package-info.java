/**
 * Ops an exporter took apart, recognised again as the one op PyTorch ran (an ONNX {@code Sigmoid} and {@code Mul} of
 * the same tensor is {@code F.silu}): one small class per pattern, {@link dev.tally.analysis.fused.ExportedOps} lists
 * them.
 */
package dev.tally.analysis.fused;
