import ArgumentParser
import Foundation
import GraphChecker
import Harness
import ModelIR

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a model's validity (ONNX checker rules and strict shape inference) and lint it.",
        discussion: "Exits 0 when the model is valid (warnings allowed), 1 when it is invalid or unreadable.")

    @Argument(help: "The model file (.onnx).")
    var model: String

    @Flag(help: "Print one JSON object: the verdict, passing and failing nodes, and the findings.")
    var json = false

    func run() throws {
        let url = URL(fileURLWithPath: model)
        let loaded: Model
        do {
            loaded = try ModelLoader.load(url)
        } catch {
            if json {
                let finding = Finding(level: .error, code: FindingCode.unreadableModel, message: error.description)
                try printJSON(CheckOutput(model: model, valid: false, nodeCount: 0, report: nil, extra: [finding]))
            }
            throw CommandFailure(error.description)
        }
        var report = GraphChecker().check(loaded)
        report.findings += ExecutorCoverage.findings(for: loaded)
        if json {
            try printJSON(CheckOutput(model: model, valid: report.isValid, nodeCount: loaded.graph.nodes.count, report: report, extra: []))
        } else {
            print(text(report, nodeCount: loaded.graph.nodes.count), terminator: "")
        }
        if !report.isValid {
            let count = report.errors.count
            throw CommandFailure("\(model): invalid model (\(count) error\(count == 1 ? "" : "s"))")
        }
    }

    private func text(_ report: CheckReport, nodeCount: Int) -> String {
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

    private func printJSON(_ output: CheckOutput) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(output), as: UTF8.self))
    }
}

/// The `check --json` document, in the spirit of Polygraphy's `check lint` report.
private struct CheckOutput: Encodable {
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
