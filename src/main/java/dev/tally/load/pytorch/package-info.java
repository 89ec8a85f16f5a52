/**
 * What TorchScript archives and torch.save checkpoints share: the zip archive read from its central directory,
 * and the restricted unpickler that records every global and never runs or instantiates anything by name.
 */
package dev.tally.load.pytorch;
