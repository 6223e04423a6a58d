import ArgumentParser
import Foundation
import Harness
import ModelFormats
import ModelIR

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a model to ONNX (an ONNX source is read and written back without loss).")

    @Argument(help: "The source model (.onnx).")
    var input: String

    @Argument(help: "The ONNX file to write.")
    var output: String

    func validate() throws {
        guard URL(fileURLWithPath: output).pathExtension.lowercased() == "onnx" else {
            throw ValidationError("the output must be an .onnx file, got '\(output)'")
        }
    }

    func run() throws {
        let source = URL(fileURLWithPath: input).standardizedFileURL
        let destination = URL(fileURLWithPath: output).standardizedFileURL
        guard source.resolvingSymlinksInPath() != destination.resolvingSymlinksInPath() else {
            throw CommandFailure("\(output): is the input file; write the converted model to another path", exitCode: CommandFailure.usage)
        }
        let model = try CommandFailure.reporting { try ModelLoader.load(source) }
        if model.usesExternalData, source.deletingLastPathComponent() == destination.deletingLastPathComponent() {
            throw CommandFailure("\(output): the model keeps tensors in external files, which would overwrite the input's; write it to another folder",
                                 exitCode: CommandFailure.usage)
        }
        try CommandFailure.reporting { try ONNXModelFile.save(model, to: destination) }
        print("wrote \(output)")
    }
}
