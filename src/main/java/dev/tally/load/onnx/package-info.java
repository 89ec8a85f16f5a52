/** Reads ONNX model files into the IR from a memory-mapped, aliased protobuf parse that never reads weight bytes. */
package dev.tally.load.onnx;
