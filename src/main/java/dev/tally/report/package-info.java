/**
 * What a user reads: the summary records of one analysed model, their aggregation per layer, and one renderer
 * per output format (table, json, csv, markdown).
 */
package dev.tally.report;
