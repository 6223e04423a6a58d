import ArgumentParser
import Foundation
import Harness
import ModelIR

struct Golden: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Record golden outputs from the reference executor.",
        discussion: """
            Runs MODEL on the inputs/ datasets of --inputs and writes inputs/, outputs/ (and the labels of \
            --inputs, if any) to --out, default golden.h5 beside the model, with provenance \
            'modelgate-reference'. An existing file is replaced only with --record (exit 1 otherwise).
            """)
    @Argument(help: "The model file.") var model: String
    @Option(help: "Inputs (HDF5 with an inputs/ group, optional labels).") var inputs: String
    @Option(help: "The golden file to write (default: golden.h5 beside the model).") var out: String?
    @Flag(help: "Replace an existing golden file.") var record = false

    func run() throws {
        let modelURL = URL(fileURLWithPath: model)
        let output = out.map { URL(fileURLWithPath: $0) } ?? modelURL.deletingLastPathComponent().appendingPathComponent("golden.h5")
        if !record, FileManager.default.fileExists(atPath: output.path) {
            throw CommandFailure(GoldenRecorderError.exists(file: output.path).description)
        }
        let loaded = try CommandFailure.reporting { try ModelLoader.load(modelURL) }
        let name = modelURL.deletingLastPathComponent().lastPathComponent
        let outputs = try CommandFailure.reporting {
            do {
                return try GoldenRecorder.record(model: loaded, modelName: name, inputsFile: URL(fileURLWithPath: inputs),
                                                 output: output, overwrite: record)
            } catch let error as GoldenRecorderError {
                throw error
            } catch {
                throw CommandFailure("\(model): \(error)")
            }
        }
        let shapes = outputs.map { "\($0.name) \($0.tensor.shape)" }.joined(separator: ", ")
        print("\(output.path): outputs \(shapes), provenance \(GoldenRecorder.provenance)")
    }
}
