import Foundation
import ModelFormats
import TestSupport
import XCTest

/// `modelgate convert` and `inspect` on TensorFlow Lite files.
final class TFLiteConvertCommandTests: XCTestCase {
    func testConvertWritesAnONNXModelWithTheSignatureNames() throws {
        let folder = try TemporaryDirectory()
        let output = folder.url.appendingPathComponent("cnn.onnx")
        let result = try runProcess(modelgateExecutable, ["convert", FixturePaths.fixture("tflite/cnn_int8.tflite").path, output.path])
        XCTAssertEqual(result.exitCode, 0, result.standardError)
        XCTAssertEqual(result.standardOutput, "wrote \(output.path)\n")
        let model = try ONNXModelFile.load(output)
        XCTAssertEqual(model.graph.inputs.map(\.name), ["image"])
        XCTAssertEqual(model.graph.outputs.map(\.name), ["output_0"])
        XCTAssertEqual(model.opsetImports.first?.version, 17)
        XCTAssertEqual(model.graph.nodes.filter { $0.opType == "Conv" }.count, 3)
    }

    func testUnsupportedOperatorExitsOneNamingIt() throws {
        let folder = try TemporaryDirectory()
        let source = FixturePaths.fixture("tflite/unsupported_bucketize.tflite")
        let result = try runProcess(modelgateExecutable, ["convert", source.path, folder.url.appendingPathComponent("x.onnx").path])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.standardError.hasPrefix("error: \(source.path): operator 0 (BUCKETIZE) of subgraph 0 'main': BUCKETIZE is not imported; "
                                                     + "convert the model so that it uses only the operators ModelGate imports: ABS, ADD, ADD_N, "),
                      result.standardError)
    }

    func testInspectListsTheImportedGraph() throws {
        let result = try runProcess(modelgateExecutable, ["inspect", FixturePaths.fixture("tflite/gru_while.tflite").path])
        XCTAssertEqual(result.exitCode, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("Loop"), result.standardOutput)
        XCTAssertTrue(result.standardOutput.contains("sequence  float [1, 5, 3]"), result.standardOutput)
    }
}
