import Foundation
import GraphChecker

/// What `modelgate check` prints: a text summary with one line per finding, or one JSON document
/// (`modelgate.check/v1`, in the spirit of Polygraphy's `check lint` report).
public enum CheckReportWriter {
    /// The verdict, node and finding counts, the findings most severe first, and the failing nodes
    /// of an invalid model.
    public static func text(model: String, report: CheckReport, nodeCount: Int) -> String {
        let errors = report.errors.count
        let warnings = report.warnings.count
        var lines = ["\(model): \(report.isValid ? "valid" : "INVALID") — \(nodeCount) nodes, "
            + "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"]
        for finding in report.findings.sorted(by: { $0.level > $1.level }) {
            lines.append("  \(finding.level.rawValue) [\(finding.code)] \(finding.message)")
            if let hint = finding.hint { lines.append("      hint: \(hint)") }
        }
        if !report.isValid {
            lines.append("  failing nodes: " + (report.failingNodes.isEmpty ? "none (model-level errors)" : report.failingNodes.joined(separator: ", ")))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The JSON document of a checked model.
    public static func json(model: String, report: CheckReport, nodeCount: Int) throws -> String {
        try encode(Document(model: model, valid: report.isValid, nodeCount: nodeCount, report: report, extra: []))
    }

    /// The JSON document of a model that could not be read: invalid, with one `unreadableModel` finding.
    public static func json(model: String, unreadable message: String) throws -> String {
        let finding = Finding(level: .error, code: FindingCode.unreadableModel, message: message)
        return try encode(Document(model: model, valid: false, nodeCount: 0, report: nil, extra: [finding]))
    }

    private static func encode(_ document: Document) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self)
    }

    private struct Document: Encodable {
        struct Summary: Encodable {
            var passing: [String]
            var failing: [String]
            var errors: Int
            var warnings: Int
        }

        var schema = "modelgate.check/v1"
        var model: String
        var valid: Bool
        var nodeCount: Int
        var summary: Summary
        var findings: [Finding]

        init(model: String, valid: Bool, nodeCount: Int, report: CheckReport?, extra: [Finding]) {
            self.model = model
            self.valid = valid
            self.nodeCount = nodeCount
            findings = (report?.findings ?? []) + extra
            summary = Summary(passing: report?.passingNodes ?? [], failing: report?.failingNodes ?? [],
                              errors: findings.filter { $0.level == .error }.count,
                              warnings: findings.filter { $0.level == .warning }.count)
        }
    }
}
