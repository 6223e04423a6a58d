import ArgumentParser
import Executor
import Foundation
import Harness

struct Exec: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a model on the reference executor.",
        discussion: """
            Inputs and outputs are HDF5 files (.h5: each input in a dataset inputs/<name>; \
            a model with one input takes the single dataset whatever its name; outputs written to \
            outputs/<name>) or ONNX test-data files (a folder of input_K.pb files or one .pb file; \
            outputs written as output_K.pb into a folder). Inputs holding more samples than a model with \
            a fixed batch size takes are run in batches of that size, outputs stacked back along the \
            first axis. Existing outputs are kept unless --force.
            """)

    @Argument(help: "The model file.") var model: String
    @Option(help: "Inputs: an .h5 file with inputs/<name> datasets, a folder of input_K.pb files or a .pb file.") var inputs: String
    @Option(help: "Outputs: an .h5 file to write outputs/<name> to, or a folder to write output_K.pb files to.") var outputs: String
    @Flag(help: "Replace existing output files.") var force = false

    func run() throws {
        let modelURL = URL(fileURLWithPath: model)
        let inputURL = URL(fileURLWithPath: inputs), outputURL = URL(fileURLWithPath: outputs)
        let reader = try CommandFailure.reporting { try ValueFiles.format(for: inputURL) }
        let writer = try CommandFailure.reporting { try ValueFiles.format(for: outputURL) }
        let loaded = try CommandFailure.reporting { try ModelLoader.load(modelURL) }
        if !force, let existing = writer.filesReplaced(writingOutputs: loaded.graph.outputs.count, to: outputURL).first {
            throw CommandFailure("\(existing.path) already exists; pass --force to overwrite it")
        }
        let evaluator = try CommandFailure.reporting { () throws -> Evaluator in
            do { return try Evaluator(model: loaded) } catch { throw CommandFailure("\(model): \(error)") }
        }
        let feeds = try CommandFailure.reporting { try reader.readInputs(inputURL, for: loaded.graph) }
        let outputs = try CommandFailure.reporting { () throws -> [NamedValue] in
            do { return try SampleBatches(evaluator: evaluator).runSplittingFixedBatches(feeds) } catch {
                throw CommandFailure("\(model): \(error)")
            }
        }
        try CommandFailure.reporting { try writer.writeOutputs(outputs, to: outputURL, graph: loaded.graph, overwrite: force) }
        for (index, output) in outputs.enumerated() {
            let location = writer is HDF5ValueFiles ? "outputs/\(output.name)" : "output_\(index).pb"
            print("\(location)  \(output.name)  \(output.value.summary)")
        }
    }
}
