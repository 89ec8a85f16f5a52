/** {@code tally catalog}: every torchvision weights entry with its published metrics, its exact cost and the Pareto front. */
package dev.tally.catalog;
