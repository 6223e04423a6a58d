import Foundation
import GraphChecker
import Harness

/// `report.html`: one self-contained file (inline CSS, JavaScript and SVG; no network) with run
/// metadata, the model × path matrix coloured by verdict and sortable by any column, the
/// accuracy-loss-versus-size scatter, latency bars and a drill-down per cell.
///
/// The markup is also well-formed XML, so tools (and the tests) can parse it.
public enum HTMLReportWriter {
    public static func render(_ report: Report) -> String {
        let m = report.metadata
        let e = Markup.escape
        let models = unique(m.models + report.cells.map(\.model))
        let paths = unique(m.paths + report.cells.map(\.path))
        let anchors = Dictionary(uniqueKeysWithValues: report.cells.enumerated().map { ($1.key, "cell-\($0 + 1)") })

        var html: [String] = []
        html.append("<!DOCTYPE html>")
        html.append(#"<html lang="en">"#)
        html.append("<head>")
        html.append(#"<meta charset="utf-8"/>"#)
        html.append(#"<meta name="viewport" content="width=device-width, initial-scale=1"/>"#)
        html.append("<title>ModelGate report · \(e(m.corpus.path)) · \(e(m.startedAt))</title>")
        html.append("<style>\(style)</style>")
        html.append("</head>")
        html.append("<body>")

        let s = report.summary
        html.append("<header>")
        html.append("<h1>ModelGate report</h1>")
        html.append(#"<p class="totals"><span class="badge pass">\#(s.passed) passed</span> <span class="badge fail">\#(s.failed) failed</span> <span class="badge error">\#(s.errors) error\#(s.errors == 1 ? "" : "s")</span> of \#(s.cells) cell\#(s.cells == 1 ? "" : "s")</p>"#)
        if m.incomplete {
            html.append(#"<p class="warning">Incomplete\#(m.interrupted == true ? " (interrupted)" : ""): \#(s.cells) of \#(m.plannedCells) planned cells\#(m.shard.map { " (shard \($0))" } ?? "").</p>"#)
        }
        html.append("</header>")

        html.append(#"<section id="run"><h2>Run</h2><table class="meta"><tbody>"#)
        var facts: [(String, String)] = [
            ("tool version", m.toolVersion), ("git commit", m.gitCommit ?? "unknown"), ("CPU", "\(m.cpu) (\(m.cpuCount) cores)"),
            ("operating system", m.operatingSystem), ("started", m.startedAt), ("finished", m.finishedAt ?? "—"),
            ("duration", String(format: "%.1f s", m.durationSeconds)), ("corpus", "\(m.corpus.path) (manifest \(m.corpus.manifestDigest))"),
            ("paths", m.paths.joined(separator: ", ")), ("run id", m.runId),
            ("latency gates", m.latencyGated ? "enforced" : "reported only"),
        ]
        if let shard = m.shard { facts.append(("shard", shard.description)) }
        if let merged = m.mergedShards { facts.append(("merged from shards", merged.map(\.description).joined(separator: ", "))) }
        for (name, value) in facts {
            html.append("<tr><th scope=\"row\">\(e(name))</th><td>\(e(value))</td></tr>")
        }
        html.append("</tbody></table></section>")

        html.append(#"<section id="matrix-section"><h2>Model × path</h2>"#)
        html.append(#"<p class="hint">Click a column header to sort; click a cell for its details.</p>"#)
        html.append(#"<table id="matrix" class="sortable-rows"><thead><tr><th class="sortable" data-type="text">model</th>"#)
        for path in paths {
            html.append(#"<th class="sortable" data-type="number">\#(e(path))</th>"#)
        }
        html.append("</tr></thead><tbody>")
        for model in models {
            html.append(#"<tr class="model-row" data-model="\#(e(model))"><th scope="row" data-key="\#(e(model))">\#(e(model))</th>"#)
            for path in paths {
                guard let cell = report.cell(model: model, path: path), let anchor = anchors[cell.key] else {
                    html.append(#"<td class="cell none" data-key="9">·</td>"#)
                    continue
                }
                let status = cell.verdict.status
                let tip = cell.verdict.reasons.isEmpty ? "all gates pass" : cell.verdict.reasons.joined(separator: "\n")
                html.append(##"<td class="cell \##(status.rawValue)" data-key="\##(rank(status))" title="\##(e(tip))"><a href="#\##(anchor)">\##(status.rawValue)<br/><small>\##(e(headline(cell)))</small></a></td>"##)
            }
            html.append("</tr>")
        }
        html.append("</tbody></table></section>")

        html.append(#"<section id="charts"><h2>Accuracy loss versus size</h2>"#)
        let points = report.cells.compactMap { cell -> SVGChart.Point? in
            guard let accuracy = cell.result.accuracy, let ratio = cell.result.size?.ratio, let anchor = anchors[cell.key] else { return nil }
            return SVGChart.Point(label: "\(cell.model) × \(cell.path): size \(Gates.number(ratio))× fp32, accuracy loss \(Gates.points(accuracy.loss)) points",
                                  x: ratio, y: accuracy.loss * 100, status: cell.verdict.status, target: anchor)
        }
        if points.isEmpty {
            html.append(#"<p class="hint">No cell has both an accuracy (labels in golden.h5) and a size ratio to fp32.</p>"#)
        } else {
            html.append(SVGChart.scatter(points, xLabel: "size / fp32 size", yLabel: "accuracy loss (points)"))
        }
        html.append("<h2>Latency (batch 1)</h2>")
        let bars = report.cells.compactMap { cell -> SVGChart.Bar? in
            guard let latency = cell.result.latency, let anchor = anchors[cell.key] else { return nil }
            return SVGChart.Bar(label: "\(cell.model) × \(cell.path)", p50: latency.p50Ms, p90: latency.p90Ms, status: cell.verdict.status, target: anchor)
        }
        if bars.isEmpty {
            html.append(#"<p class="hint">No cell was timed.</p>"#)
        } else {
            html.append(#"<p class="hint">Bar: p50; tick: p90 (at the right edge when beyond twice the slowest p50).</p>"#)
            html.append(SVGChart.latencyBars(bars))
        }
        html.append("</section>")

        html.append(#"<section id="cells"><h2>Cells</h2><p class="hint"><button type="button" id="expand">expand all</button> <button type="button" id="collapse">collapse all</button></p>"#)
        for cell in report.cells {
            html.append(detail(cell, anchor: anchors[cell.key] ?? ""))
        }
        html.append("</section>")
        html.append("<footer>ModelGate \(e(m.toolVersion)) · schema \(e(report.schema))</footer>")
        html.append("<script>//<![CDATA[\n\(script)\n//]]></script>")
        html.append("</body>")
        html.append("</html>")
        return html.joined(separator: "\n") + "\n"
    }

    // MARK: Drill-down

    private static func detail(_ cell: Report.Cell, anchor: String) -> String {
        let e = Markup.escape
        let r = cell.result
        var html: [String] = []
        html.append(#"<details class="cell-detail \#(cell.verdict.status.rawValue)" id="\#(anchor)" data-model="\#(e(cell.model))" data-path="\#(e(cell.path))">"#)
        html.append(#"<summary><span class="badge \#(cell.verdict.status.rawValue)">\#(cell.verdict.status.rawValue)</span> \#(e(cell.model)) × \#(e(cell.path))</summary>"#)
        if !cell.verdict.reasons.isEmpty {
            html.append("<ul class=\"reasons\">" + cell.verdict.reasons.map { "<li>\(e($0))</li>" }.joined() + "</ul>")
        }
        if let use = r.cache {
            html.append(use == .result ? "<p class=\"hint\">Taken from the cell cache: an earlier run with the same model, golden and calibration data, path, options, thresholds and settings.</p>"
                        : "<p class=\"hint\">The path's model came from the cell cache; it was checked, run and judged again.</p>")
        }
        if let golden = r.goldenModel {
            html.append("<p>Judged against the golden outputs of its teacher <b>\(e(golden))</b>.</p>")
        }
        if let error = r.error {
            html.append("<p class=\"stage-error\">Stage <b>\(e(error.stage.rawValue))</b> failed: \(e(error.message))</p>")
        }
        if !r.outputs.isEmpty {
            html.append("<h3>Outputs</h3><table class=\"metrics\"><thead><tr>")
            for title in ["output", "shape", "max abs", "× floor", "mean abs", "max rel", "cosine", "SNR dB", "mismatch", "min atol", "min rtol", "NaN / Inf", "top-1", "gates"] {
                html.append("<th>\(title)</th>")
            }
            html.append("</tr></thead><tbody>")
            for output in r.outputs {
                let gates = output.thresholds.values.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \(Gates.number($0.value, digits: 6))" }
                    + (output.thresholds.match.map { ["match \($0.rawValue)"] } ?? [])
                let cells = [output.name, "[" + output.shape.map(String.init).joined(separator: ", ") + "]",
                             n(output.maxAbsError), output.floorRatio.map(Gates.multiple) ?? "—", n(output.meanAbsError), n(output.maxRelError), n(output.cosine, 6), n(output.snrDB, 4),
                             "\(output.mismatchCount) (\(Gates.percent(output.mismatchFraction)))", n(output.minPassingAtol), n(output.minPassingRtol),
                             "\(output.nanCount) / \(output.infCount)" + (output.goldenNaNCount + output.goldenInfCount > 0 ? " (golden \(output.goldenNaNCount) / \(output.goldenInfCount))" : ""),
                             output.top1Agreement.map(Gates.percent) ?? "—", gates.isEmpty ? "—" : gates.joined(separator: ", ")]
                html.append("<tr>" + cells.map { "<td>\(e($0))</td>" }.joined() + "</tr>")
            }
            html.append("</tbody></table>")
            let floors = r.outputs.compactMap(outputNote)
            if !floors.isEmpty {
                html.append("<ul class=\"floors\">" + floors.map { "<li>\(e($0))</li>" }.joined() + "</ul>")
            }
            for output in r.outputs {
                html.append("<figure><figcaption>|error| histogram of \(e(output.name)) (count per decade)</figcaption>")
                html.append(SVGChart.histogram(output.errorHistogram))
                html.append("</figure>")
            }
        }
        var measures: [(String, String)] = []
        if let a = r.accuracy {
            measures.append(("accuracy", "\(Gates.percent(a.accuracy)) on \(a.samples) samples of '\(a.output)' (golden \(Gates.percent(a.goldenAccuracy)))"))
            measures.append(("accuracy loss", "\(Gates.points(a.loss)) points" + (a.relativeLoss.map { ", \(Gates.percent($0)) relative" } ?? "")))
        }
        if let size = r.size {
            measures.append(("size", "\(size.bytes) bytes" + (size.ratio.map { ", \(Gates.number($0, digits: 4))× fp32" } ?? "")))
        }
        if let l = r.latency {
            measures.append(("latency", "p50 \(n(l.p50Ms, 4)) ms, p90 \(n(l.p90Ms, 4)) ms, mean \(n(l.meanMs, 4)) ms over \(l.runs) runs after \(l.warmupRuns) warm-up"
                             + (l.batch.map { " at batch \($0)" } ?? "") + (l.ratio.map { ", \(Gates.number($0, digits: 3))× fp32" } ?? "")))
        }
        if !r.budget.isEmpty {
            measures.append(("budgets", r.budget.values.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \(Gates.number($0.value, digits: 6))" }.joined(separator: ", ")))
        }
        measures.append(("time", String(format: "%.2f s", r.durationSeconds)))
        html.append("<table class=\"meta\"><tbody>" + measures.map { "<tr><th scope=\"row\">\(e($0.0))</th><td>\(e($0.1))</td></tr>" }.joined() + "</tbody></table>")

        if !r.findings.isEmpty {
            html.append("<h3>Findings</h3><table class=\"metrics\"><thead><tr><th>level</th><th>code</th><th>node</th><th>op</th><th>message</th></tr></thead><tbody>")
            for finding in r.findings {
                let message = finding.message + (finding.hint.map { " — \($0)" } ?? "")
                html.append("<tr class=\"\(finding.level.rawValue)\"><td>\(finding.level.rawValue)</td><td>\(e(finding.code))</td><td>\(e(finding.node ?? ""))</td><td>\(e(finding.op ?? ""))</td><td>\(e(message))</td></tr>")
            }
            html.append("</tbody></table>")
        }
        if let d = r.diagnosis {
            html.append("<h3>Diagnosis</h3>")
            if let node = d.firstDivergingNode {
                html.append("<p>First node below \(n(d.thresholdSNRdB, 4)) dB SNR against the fp32 graph: <b>\(e(node))</b>\(d.firstDivergingOp.map { " (\(e($0)))" } ?? "").</p>")
            } else {
                html.append("<p>No node falls below \(n(d.thresholdSNRdB, 4)) dB SNR against the fp32 graph.</p>")
            }
            html.append("<table class=\"metrics\"><thead><tr><th>node</th><th>op</th><th>output</th><th>SNR dB</th><th>cosine</th><th>max abs</th></tr></thead><tbody>")
            for node in d.nodes {
                let mark = node.node == d.firstDivergingNode ? " class=\"diverging\"" : ""
                html.append("<tr\(mark)><td>\(e(node.node))</td><td>\(e(node.op))</td><td>\(e(node.output))</td><td>\(n(node.snrDB, 4))</td><td>\(n(node.cosine, 6))</td><td>\(n(node.maxAbsError))</td></tr>")
            }
            html.append("</tbody></table>")
        }
        if let sensitivity = r.quantization { html.append(SensitivityTable.html(sensitivity)) }
        if let weights = r.weightErrors, !weights.isEmpty {
            html.append("<h3>Weight errors</h3><table class=\"metrics\"><thead><tr><th>initializer</th><th>SNR dB</th><th>cosine</th><th>max abs</th></tr></thead><tbody>")
            for weight in weights {
                html.append("<tr><td>\(e(weight.initializer))</td><td>\(n(weight.snrDB, 4))</td><td>\(n(weight.cosine, 6))</td><td>\(n(weight.maxAbsError))</td></tr>")
            }
            html.append("</tbody></table>")
        }
        html.append("</details>")
        return html.joined(separator: "\n")
    }

    /// What the noise floor of an output says about its error, e.g. "probs: error 3.1× the noise
    /// floor 2.4e-06 (…)", and how many detections were paired out of order; nil when neither applies.
    static func outputNote(_ output: OutputMetrics) -> String? {
        var parts: [String] = []
        if let floor = output.noiseFloor, let ratio = output.floorRatio {
            parts.append("error \(Gates.multiple(ratio)) the noise floor \(n(floor.allowance))"
                         + (output.thresholds[.maxFloorRatio].map { " (allowed \(Gates.multiple($0)))" } ?? "")
                         + "; the floor is the fp32 graph run in float32 against float64 on the same inputs: max abs \(n(floor.maxAbsError)), "
                         + "rms \(n(floor.rmsError)), SNR \(n(floor.snrDB, 4)) dB, largest value \(n(floor.scale))"
                         + (floor.quantizationStep.map { "; dequantized from an integer grid of step \(n($0)), so one step is allowed for a tie rounded the other way" } ?? ""))
        }
        if let detections = output.detections, detections.paired < max(detections.golden, detections.actual) {
            parts.append("\(detections.paired) of \(detections.golden) golden detections have a counterpart among the \(detections.actual) produced "
                         + "(agreement \(Gates.percent(detections.agreement))); the other metrics measure the counterparts")
        }
        if let reordered = output.reorderedRows {
            parts.append("\(reordered) detection\(reordered == 1 ? "" : "s") paired with a golden row at another position")
        }
        return parts.isEmpty ? nil : "\(output.name): " + parts.joined(separator: "; ")
    }

    /// The number shown under a verdict in the matrix.
    static func headline(_ cell: Report.Cell) -> String {
        if let error = cell.result.error { return error.stage.rawValue }
        if let accuracy = cell.result.accuracy { return "loss \(Gates.points(accuracy.loss)) pt" }
        if let cosine = cell.result.outputs.map(\.cosine).min() { return "cos \(Gates.number(cosine, digits: 5))" }
        return ""
    }

    private static func rank(_ status: Verdict.Status) -> Int {
        switch status {
        case .error: 0
        case .fail: 1
        case .pass: 2
        }
    }

    private static func n(_ value: Double, _ digits: Int = 3) -> String { Gates.number(value, digits: digits) }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    // MARK: Inline assets

    static let style = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#1d1d1f}
    h1{font-size:24px;margin:0 0 8px}h2{font-size:18px;margin:28px 0 8px}h3{font-size:15px;margin:16px 0 6px}
    table{border-collapse:collapse;margin:6px 0}th,td{padding:4px 8px;border:1px solid #ddd;text-align:left;vertical-align:top}
    table.meta th{background:#fafafa;font-weight:600;white-space:nowrap}
    th.sortable{cursor:pointer;background:#f3f3f3;user-select:none}th.sortable:hover{background:#e8e8e8}
    th[data-order=asc]::after{content:" ▲"}th[data-order=desc]::after{content:" ▼"}tr.kept-float td{background:#eef3fd}
    td.cell{text-align:center;min-width:90px}td.cell a{color:inherit;text-decoration:none;display:block}td.cell small{opacity:.8}
    .pass{background:#e6f4ea;color:#1e6b31}.fail{background:#fde8e8;color:#a4161a}.error{background:#fff1df;color:#9a4b00}.none{background:#f7f7f7;color:#999}
    .badge{border-radius:10px;padding:1px 8px;font-weight:600}
    .warning{background:#fff8c4;padding:6px 10px;border-left:4px solid #e0b000}
    .hint{color:#666;font-size:12px}
    details.cell-detail{border:1px solid #ddd;border-radius:6px;margin:8px 0;padding:6px 10px;background:#fff;color:#1d1d1f}
    details.cell-detail summary{cursor:pointer;font-weight:600}details.cell-detail[open]{box-shadow:0 1px 4px rgba(0,0,0,.08)}
    table.metrics td{font-variant-numeric:tabular-nums}tr.diverging td{background:#fde8e8}
    tr.error td:first-child{color:#a4161a}tr.warning td:first-child{color:#9a4b00}
    .stage-error{color:#9a4b00}
    svg.chart{display:block;margin:8px 0;font-size:11px}svg .grid{stroke:#eee}svg .axis{stroke:#999}
    svg .tick{fill:#555}svg .label{fill:#333;font-size:12px}svg .tiny{fill:#555;font-size:9px}
    svg .dot{stroke:#fff;stroke-width:1}svg .dot.pass,svg .bar.pass{fill:#2e7d32}svg .dot.fail,svg .bar.fail{fill:#c62828}
    svg .dot.error,svg .bar.error{fill:#ef6c00}svg .p90{stroke:#333;stroke-width:2}
    figure{margin:8px 0}figcaption{font-size:12px;color:#555}
    footer{margin:32px 0 8px;color:#888;font-size:12px}
    """

    static let script = """
    (function () {
      Array.prototype.forEach.call(document.querySelectorAll('table.sortable-rows'), function (table) {
        var headers = table.tHead.rows[0].cells;
        Array.prototype.forEach.call(headers, function (header, index) {
          header.addEventListener('click', function () {
            var ascending = header.getAttribute('data-order') !== 'asc';
            Array.prototype.forEach.call(headers, function (other) { other.removeAttribute('data-order'); });
            header.setAttribute('data-order', ascending ? 'asc' : 'desc');
            var numeric = header.getAttribute('data-type') === 'number';
            var body = table.tBodies[0];
            var rows = Array.prototype.slice.call(body.rows);
            rows.sort(function (a, b) {
              var x = a.cells[index].getAttribute('data-key'), y = b.cells[index].getAttribute('data-key');
              var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
              if (order === 0) { order = a.cells[0].getAttribute('data-key').localeCompare(b.cells[0].getAttribute('data-key')); }
              return ascending ? order : -order;
            });
            rows.forEach(function (row) { body.appendChild(row); });
          });
        });
      });
      function openTarget() {
        var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
        if (target && target.tagName === 'DETAILS') { target.open = true; target.scrollIntoView(); }
      }
      window.addEventListener('hashchange', openTarget);
      openTarget();
      document.addEventListener('click', function (event) {
        var link = event.target.closest ? event.target.closest('a[href^="#cell-"]') : null;
        var target = link ? document.getElementById(link.getAttribute('href').slice(1)) : null;
        if (target && target.tagName === 'DETAILS') { target.open = true; }
      });
      function setAll(open) {
        Array.prototype.forEach.call(document.querySelectorAll('details.cell-detail'), function (d) { d.open = open; });
      }
      var expand = document.getElementById('expand'), collapse = document.getElementById('collapse');
      if (expand) { expand.addEventListener('click', function () { setAll(true); }); }
      if (collapse) { collapse.addEventListener('click', function () { setAll(false); }); }
    })();
    """
}
