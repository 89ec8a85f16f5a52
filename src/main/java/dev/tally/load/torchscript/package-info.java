/**
 * The TorchScript reader: {@code torch.jit.save} archives read safely (restricted unpickler, no tensor bytes) and
 * their serialized {@code forward} code interpreted into the IR, with module paths as layer names.
 */
package dev.tally.load.torchscript;
