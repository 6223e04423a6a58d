import Harness

/// The table `run` prints when it finishes: verdicts by model × path, the failing cells' first
/// reasons, and the totals line.
public enum TerminalSummaryWriter {
    public static func render(_ report: Report) -> String {
        let m = report.metadata
        let paths = unique(m.paths + report.cells.map(\.path))
        let models = unique(m.models + report.cells.map(\.model)).filter { model in report.cells.contains { $0.model == model } }
        let header = ["model"] + paths
        let rows = models.map { model in
            [model] + paths.map { path in report.cell(model: model, path: path).map { $0.verdict.status.rawValue.uppercased() } ?? "·" }
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        var lines = [line(header)] + rows.map(line)
        let failing = report.cells.filter { $0.verdict.isFailure }
        if !failing.isEmpty {
            lines.append("")
            for cell in failing {
                lines.append("\(cell.model) × \(cell.path): \(cell.verdict.reasons.first ?? cell.verdict.status.rawValue)"
                             + (cell.verdict.reasons.count > 1 ? " (+\(cell.verdict.reasons.count - 1) more)" : ""))
            }
        }
        let s = report.summary
        lines.append("")
        lines.append("\(s.passed) passed, \(s.failed + s.errors) failed" + (s.errors > 0 ? " (\(s.errors) with errors)" : "")
                     + (m.incomplete ? "; incomplete\(m.interrupted == true ? " (interrupted)" : ""): \(s.cells) of \(m.plannedCells) planned cells" : ""))
        return lines.joined(separator: "\n") + "\n"
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
