import ArgumentParser
import Foundation
import Harness
import ModelIR

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a model's opsets, inputs and outputs, operator histogram, parameter count and size.")

    @Argument(help: "The model file (.onnx).")
    var model: String

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let url = URL(fileURLWithPath: model)
        let loaded = try CommandFailure.reporting { try ModelLoader.load(url) }
        let summary = ModelSummary(model: loaded, file: url)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(summary.text, terminator: "")
        }
    }
}
