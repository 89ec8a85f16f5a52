/** Checkpoints (torch.save and safetensors): read without running them, their state_dict found and matched to the architecture catalog, and counted as the matched graph with their own shapes. */
package dev.tally.load.checkpoint;
