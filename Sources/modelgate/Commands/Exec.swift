import ArgumentParser
import Executor
import Foundation
import Harness

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a model on the reference executor.",
        discussion: "Inputs: a folder of input_K.pb files (or one .pb file); outputs are written as output_K.pb into a folder.")

    @Argument(help: "The model file.") var model: String
    @Option(help: "Inputs: a folder of input_K.pb files or a .pb file.") var inputs: String
    @Option(help: "The folder to write output_K.pb files to.") var outputs: String

    func run() throws {
        let modelURL = URL(fileURLWithPath: model)
        let inputURL = URL(fileURLWithPath: inputs), outputURL = URL(fileURLWithPath: outputs)
        let reader = try CommandFailure.reporting { try ValueFiles.format(for: inputURL) }
        let writer = try CommandFailure.reporting { try ValueFiles.format(for: outputURL) }
        let loaded = try CommandFailure.reporting { try ModelLoader.load(modelURL) }
        let evaluator = try CommandFailure.reporting { () throws -> Evaluator in
            do { return try Evaluator(model: loaded) } catch { throw CommandFailure("\(model): \(error)") }
        }
        let feeds = try CommandFailure.reporting { try reader.readInputs(inputURL, for: loaded.graph) }
        let result = try CommandFailure.reporting { () throws -> ExecutionResult in
            do { return try evaluator.run(feeds) } catch { throw CommandFailure("\(model): \(error)") }
        }
        try CommandFailure.reporting { try writer.writeOutputs(result.outputs, to: outputURL, graph: loaded.graph) }
        for (index, output) in result.outputs.enumerated() {
            print("output_\(index).pb  \(output.name)  \(output.value.summary)")
        }
    }
}
