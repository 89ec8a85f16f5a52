/**
 * Verification by real inference: runs a model in DJL's PyTorch engine or ONNX Runtime and cross-checks the
 * static analysis (output shapes, every intermediate shape, the param tally) against what the engine saw.
 */
package dev.tally.verify;
