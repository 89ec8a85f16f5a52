/** Reads the header of a safetensors file (tensor names, dtypes, shapes, byte ranges) with bounds checks, never the weights. */
package dev.tally.load.safetensors;
