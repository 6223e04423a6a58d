import Foundation
import Harness

/// `summary.md`: a short verdict table for a pull-request comment, then the failing cells with
/// their reasons.
public enum MarkdownSummaryWriter {
    /// Failing cells listed with reasons before the list is cut.
    public static let maximumListedFailures = 20

    public static func render(_ report: Report) -> String {
        let s = report.summary
        let m = report.metadata
        var lines: [String] = []
        lines.append("## ModelGate: \(s.cells) cell\(s.cells == 1 ? "" : "s"), \(s.passed) passed, \(s.failed) failed, \(s.errors) error\(s.errors == 1 ? "" : "s")")
        lines.append("")
        var facts = ["corpus `\(m.corpus.path)`"]
        if let commit = m.gitCommit { facts.append("commit `\(commit.prefix(10))`") }
        if let shard = m.shard { facts.append("shard \(shard)") }
        if m.incomplete {
            facts.append("**incomplete\(m.interrupted == true ? " (interrupted)" : ""): \(s.cells) of \(m.plannedCells) planned cells**")
        }
        facts.append(m.startedAt)
        lines.append(facts.joined(separator: " · "))
        lines.append("")
        let paths = m.paths + report.cells.map(\.path).filter { !m.paths.contains($0) }
        let models = m.models + report.cells.map(\.model).filter { !m.models.contains($0) }
        lines.append("| model | " + unique(paths).map(Markup.markdownCell).joined(separator: " | ") + " |")
        lines.append("|---|" + String(repeating: "---|", count: unique(paths).count))
        for model in unique(models) {
            let cells = unique(paths).map { path -> String in
                guard let cell = report.cell(model: model, path: path) else { return "·" }
                return Markup.markdownCell(label(cell))
            }
            guard cells.contains(where: { $0 != "·" }) else { continue }
            lines.append("| \(Markup.markdownCell(model)) | " + cells.joined(separator: " | ") + " |")
        }
        let failing = report.cells.filter { $0.verdict.isFailure }
        if !failing.isEmpty {
            lines.append("")
            lines.append("### Failing cells")
            lines.append("")
            for cell in failing.prefix(maximumListedFailures) {
                let reasons = cell.verdict.reasons.joined(separator: "; ")
                lines.append("- **\(Markup.markdownCell(cell.model)) × \(Markup.markdownCell(cell.path))** (\(cell.verdict.status.rawValue)): "
                             + Markup.markdownCell(reasons))
            }
            if failing.count > maximumListedFailures {
                lines.append("- … and \(failing.count - maximumListedFailures) more in report.html")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The verdict with the most telling number: accuracy loss, else the worst cosine.
    static func label(_ cell: Report.Cell) -> String {
        let mark = switch cell.verdict.status {
        case .pass: "✅"
        case .fail: "❌"
        case .error: "⚠️ error"
        }
        if let accuracy = cell.result.accuracy {
            return "\(mark) loss \(Gates.points(accuracy.loss == 0 ? 0 : accuracy.loss)) pt"
        }
        if let cosine = cell.result.outputs.map(\.cosine).min() {
            return "\(mark) cos \(Gates.number(cosine, digits: 5))"
        }
        return mark
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
