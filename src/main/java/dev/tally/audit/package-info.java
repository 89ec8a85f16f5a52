/** Checkpoint audit: reads torch.save files without running them, flags unsafe globals, inventories tensors and matches them to known architectures. */
package dev.tally.audit;
