import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// One case of the ONNX backend suite under `.cache/onnx-suite` (`<suite>/<name>`): its model,
/// the inputs of `test_data_set_0` by name and its expected outputs in order. Skips the test when
/// the suite has not been written (`Tools/onnx-suite.sh`).
struct SuiteCase {
    let name: String
    let model: Model
    let feeds: [String: Tensor]
    let expected: [Tensor]

    /// `inputs` picks the graph inputs the data set feeds, in file order (by default those without
    /// an initializer).
    init(_ path: String, inputs: (Graph) -> [ValueInfo] = { $0.feedInputs }) throws {
        let folder = FixturePaths.onnxSuite.appendingPathComponent(path)
        guard FileManager.default.fileExists(atPath: folder.path) else { throw XCTSkip(FixtureError.missingSuite(folder.path).description) }
        name = folder.lastPathComponent
        model = try ONNXModelFile.load(folder.appendingPathComponent("model.onnx"))
        let data = folder.appendingPathComponent("test_data_set_0")
        var feeds: [String: Tensor] = [:]
        for (index, input) in inputs(model.graph).enumerated() {
            feeds[input.name] = try TensorProtoFile.load(data.appendingPathComponent("input_\(index).pb"))
        }
        self.feeds = feeds
        expected = try model.graph.outputs.indices.map { try TensorProtoFile.load(data.appendingPathComponent("output_\($0).pb")) }
    }
}
