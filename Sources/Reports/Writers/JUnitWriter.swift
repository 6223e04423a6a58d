import Foundation
import Harness

/// `junit.xml`: one `<testsuite>` per model, one `<testcase>` per cell (classname = model,
/// name = path). A failing cell carries `<failure>` with its reasons, a cell whose stage failed
/// `<error>` with the stage as type.
public enum JUnitWriter {
    public static func render(_ report: Report) -> String {
        let e = Markup.escape
        var lines = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        let total = report.cells.reduce(0) { $0 + $1.result.durationSeconds }
        lines.append(#"<testsuites name="modelgate" tests="\#(report.summary.cells)" failures="\#(report.summary.failed)" errors="\#(report.summary.errors)" time="\#(seconds(total))">"#)
        let models = report.metadata.models + report.cells.map(\.model).filter { !report.metadata.models.contains($0) }
        var seen = Set<String>()
        for model in models where seen.insert(model).inserted {
            let cells = report.cells.filter { $0.model == model }
            guard !cells.isEmpty else { continue }
            let failures = cells.count { $0.verdict.status == .fail }
            let errors = cells.count { $0.verdict.status == .error }
            let time = cells.reduce(0) { $0 + $1.result.durationSeconds }
            lines.append(#"  <testsuite name="\#(e(model))" tests="\#(cells.count)" failures="\#(failures)" errors="\#(errors)" skipped="0" time="\#(seconds(time))" timestamp="\#(e(report.metadata.startedAt))">"#)
            lines.append("    <properties>")
            for (name, value) in properties(report) {
                lines.append(#"      <property name="\#(e(name))" value="\#(e(value))"/>"#)
            }
            lines.append("    </properties>")
            for cell in cells {
                let open = #"    <testcase classname="\#(e(model))" name="\#(e(cell.path))" time="\#(seconds(cell.result.durationSeconds))""#
                switch cell.verdict.status {
                case .pass:
                    lines.append(open + "/>")
                case .fail:
                    lines.append(open + ">")
                    lines.append(#"      <failure message="\#(e(cell.verdict.reasons.first ?? "gate failed"))" type="gate">\#(e(details(cell)))</failure>"#)
                    lines.append("    </testcase>")
                case .error:
                    lines.append(open + ">")
                    let type = cell.result.error?.stage.rawValue ?? "error"
                    lines.append(#"      <error message="\#(e(cell.verdict.reasons.first ?? "error"))" type="\#(e(type))">\#(e(details(cell)))</error>"#)
                    lines.append("    </testcase>")
                }
            }
            lines.append("  </testsuite>")
        }
        lines.append("</testsuites>")
        return lines.joined(separator: "\n") + "\n"
    }

    private static func details(_ cell: Report.Cell) -> String {
        var lines = cell.verdict.reasons
        for output in cell.result.outputs {
            lines.append("\(output.name): max abs \(Gates.number(output.maxAbsError)), cosine \(Gates.number(output.cosine, digits: 6)), "
                         + "SNR \(Gates.number(output.snrDB, digits: 4)) dB, mismatch \(Gates.percent(output.mismatchFraction))")
        }
        if let node = cell.result.diagnosis?.firstDivergingNode {
            lines.append("first diverging node: \(node)" + (cell.result.diagnosis?.firstDivergingOp.map { " (\($0))" } ?? ""))
        }
        return lines.joined(separator: "\n")
    }

    private static func properties(_ report: Report) -> [(String, String)] {
        let m = report.metadata
        var result = [("tool_version", m.toolVersion), ("corpus", m.corpus.path), ("manifest_digest", m.corpus.manifestDigest), ("cpu", m.cpu)]
        if let commit = m.gitCommit { result.append(("git_commit", commit)) }
        if let shard = m.shard { result.append(("shard", shard.description)) }
        return result
    }

    static func seconds(_ value: Double) -> String {
        String(format: "%.3f", value.isFinite ? value : 0)
    }
}
