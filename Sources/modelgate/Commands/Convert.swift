import ArgumentParser
import Foundation
import Harness
import ModelFormats
import ModelIR

struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a model to ONNX: Keras .h5/.keras and TensorFlow Lite .tflite natively, without TensorFlow; an ONNX source is read and written back without loss.")

    @Argument(help: "The source model (.onnx, Keras .h5 or .keras, TensorFlow Lite .tflite).")
    var input: String

    @Argument(help: "The ONNX file to write.")
    var output: String

    @Option(help: "The ONNX opset a Keras model is converted for; TFLite models are converted for opset \(TFLiteModelFile.opset) (\(KerasModelFile.supportedOpsets.lowerBound)…\(KerasModelFile.supportedOpsets.upperBound)).")
    var opset: Int = KerasModelFile.defaultOpset

    func validate() throws {
        guard URL(fileURLWithPath: output).pathExtension.lowercased() == "onnx" else {
            throw ValidationError("the output must be an .onnx file, got '\(output)'")
        }
        guard KerasModelFile.supportedOpsets.contains(opset) else {
            throw ValidationError("--opset \(opset) is not supported; use \(KerasModelFile.supportedOpsets.lowerBound)…\(KerasModelFile.supportedOpsets.upperBound)")
        }
    }

    func run() throws {
        let source = URL(fileURLWithPath: input).standardizedFileURL
        let destination = URL(fileURLWithPath: output).standardizedFileURL
        guard source.resolvingSymlinksInPath() != destination.resolvingSymlinksInPath() else {
            throw CommandFailure("\(output): is the input file; write the converted model to another path", exitCode: CommandFailure.usage)
        }
        let model = try CommandFailure.reporting { try ModelLoader.load(source, opset: opset) }
        try CommandFailure.reporting { try ONNXModelFile.save(model, to: destination) }
        print("wrote \(output)")
    }
}
