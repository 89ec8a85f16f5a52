/** The self-contained HTML report: header, per-layer SVG bar charts, the sortable layer table. */
package dev.tally.report.html;
