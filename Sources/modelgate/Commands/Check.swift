import ArgumentParser
import Foundation
import GraphChecker
import Harness
import ModelIR
import Reports

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
            if json { print(try CheckReportWriter.json(model: model, unreadable: error.description)) }
            throw CommandFailure(error.description)
        }
        var report = GraphChecker().check(loaded)
        report.findings += ExecutorCoverage.findings(for: loaded)
        let nodeCount = loaded.graph.nodes.count
        print(json ? try CheckReportWriter.json(model: model, report: report, nodeCount: nodeCount)
                   : CheckReportWriter.text(model: model, report: report, nodeCount: nodeCount), terminator: json ? "\n" : "")
        if !report.isValid {
            let count = report.errors.count
            throw CommandFailure("\(model): invalid model (\(count) error\(count == 1 ? "" : "s"))")
        }
    }
}
