/** One row per model for many files at once ({@code tally summary a.onnx b.pt models/}), like torchvision's model tables. */
package dev.tally.report.batch;
