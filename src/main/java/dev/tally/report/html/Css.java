package dev.tally.report.html;

/** The page's inline style and its one inline script (table sorting); nothing is fetched. */
public final class Css {
    private Css() {
    }

    public static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1180px;color:#1d2330;padding:0 16px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
            .meta{color:#5a6272;margin:0 0 12px}
            dl.io{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0 0 12px}
            dl.io dt{color:#5a6272}dl.io dd{margin:0;font-family:ui-monospace,Menlo,Consolas,monospace}
            table{border-collapse:collapse}
            .totals th{text-align:left;font-weight:600;padding:2px 16px 2px 0}
            .totals td{padding:2px 12px 2px 0}
            td.num{text-align:right;font-variant-numeric:tabular-nums;font-family:ui-monospace,Menlo,Consolas,monospace}
            td.unit{color:#5a6272}
            ul.definitions{color:#3a4150;font-size:13px;padding-left:18px}
            .note{background:#fff8e1;border-left:3px solid #f0b400;padding:6px 10px;margin:6px 0}
            #verification.pass h2{color:#1b7f3b}#verification.fail h2{color:#b3261e}
            #verification td,#verification th{padding:2px 10px;border-bottom:1px solid #e3e6ec;text-align:left}
            .charts figure{margin:18px 0}
            .charts figcaption{font-weight:600;margin-bottom:4px}
            svg.chart{display:block;width:100%;height:auto;background:#fbfcfe;border:1px solid #e3e6ec}
            svg.chart text{font:10px system-ui,sans-serif;fill:#3a4150}
            svg.chart .axis{stroke:#8a93a3;stroke-width:1}
            svg.chart .grid{stroke:#e3e6ec;stroke-width:1}
            svg.chart .bar{fill:#3867d6}svg.chart .bar:hover{fill:#f0932b}
            svg.chart.memory .bar{fill:#20a37a}svg.chart.params .bar{fill:#8854d0}
            svg.chart .line{fill:none;stroke:#b3261e;stroke-width:2}
            svg.chart.live .bar{fill:#20a37a}svg.chart.live .bar.at-peak{fill:#b3261e}svg.chart .peak-label{fill:#b3261e}
            .share{color:#3a4150;margin:2px 0 0;padding-left:18px}
            table.layers{width:100%;font-size:13px}
            table.layers th{position:sticky;top:0;background:#eef1f6;cursor:pointer;user-select:none;padding:4px 8px;text-align:left;white-space:nowrap}
            table.layers th.asc::after{content:" \\25B2"}table.layers th.desc::after{content:" \\25BC"}
            table.layers td{padding:3px 8px;border-bottom:1px solid #eef1f6;white-space:nowrap}
            table.layers tfoot td{font-weight:600;border-top:2px solid #8a93a3}
            .hint{color:#5a6272;font-size:12px;margin:2px 0}
            table.layers tr.data-dependent td{background:#f3ecff;font-style:italic}
            .legend{font-size:12px;color:#3a4150;margin:4px 0}
            .swatch{display:inline-block;width:12px;height:12px;margin-right:6px;vertical-align:-2px;border:1px solid #b9a6e0}
            .swatch.data-dependent{background:#f3ecff}
            footer{color:#8a93a3;font-size:12px;margin-top:32px}
            """;

    /** Sorts a table.sortable by the clicked column: numbers by data-value, text otherwise. */
    public static final String SORT_SCRIPT = """
            document.querySelectorAll('table.sortable').forEach(function (table) {
              table.querySelectorAll('thead th').forEach(function (th, column) {
                th.addEventListener('click', function () {
                  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
                  var ascending = !th.classList.contains('asc');
                  table.querySelectorAll('thead th').forEach(function (other) { other.classList.remove('asc', 'desc'); });
                  th.classList.add(ascending ? 'asc' : 'desc');
                  rows.sort(function (a, b) {
                    var x = a.cells[column], y = b.cells[column];
                    var vx = x.dataset.value, vy = y.dataset.value, order;
                    if (vx !== undefined && vy !== undefined) { order = Number(vx) - Number(vy); }
                    else { order = x.textContent.localeCompare(y.textContent); }
                    return ascending ? order : -order;
                  });
                  rows.forEach(function (row) { body.appendChild(row); });
                });
              });
            });
            """;
}
