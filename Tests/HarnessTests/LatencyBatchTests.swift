import Foundation
@testable import Harness
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// Latency is measured on one sample, or on the golden batch for an export that runs only at the
/// batch it was traced with.
final class LatencyBatchTests: XCTestCase {
    /// `y = reshape(x, shape)`: with `[2, 4]` the graph fixed the batch of 2 inside its computation
    /// (Longformer's traced chunking does this) while its input's batch axis stays open.
    private func reshapeModel(_ shape: [Int64]) -> Model {
        let x = ValueInfo(name: "x", elementType: .float, shape: TensorShape([.symbolic("batch"), .fixed(4)]))
        let y = ValueInfo(name: "y", elementType: .float, shape: TensorShape([.symbolic("batch"), .fixed(4)]))
        return GraphBuilder.model([Node(name: "traced_reshape", opType: "Reshape", inputs: ["x", "shape"], outputs: ["y"])],
                                  inputs: [x], outputs: [y], initializers: [GraphBuilder.int64s("shape", shape)])
    }

    private func runFP32(_ model: Model) throws -> CellResult {
        let folder = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: folder.file("m"), withIntermediateDirectories: true)
        try ONNXModelFile.save(model, to: folder.file("m/model.onnx"))
        let values: [Float] = [1, 2, 3, 4, 5, 6, 7, 8]
        try HDF5TensorFile.write(["inputs/x": GraphBuilder.tensor([2, 4], values), "outputs/y": GraphBuilder.tensor([2, 4], values)],
                                 to: folder.file("m/golden.h5"))
        try "paths: [fp32]\nmodels:\n  m: {source: m/model.onnx}\n".write(to: folder.file("corpus.yml"), atomically: false, encoding: .utf8)
        let runner = CellRunner(manifest: try Manifest.load(corpus: folder.url), modelsFolder: folder.file("out"),
                                settings: RunSettings(latencyRuns: 2, warmupRuns: 1))
        return runner.run(CellKey(model: "m", path: "fp32"))
    }

    func testAModelThatRunsOneSampleIsTimedOnOne() throws {
        let result = try runFP32(reshapeModel([-1, 4]))
        XCTAssertNil(result.error)
        let latency = try XCTUnwrap(result.latency)
        XCTAssertNil(latency.batch)
        XCTAssertEqual(latency.runs, 2)
    }

    func testAnExportThatFixedItsBatchIsTimedOnTheGoldenBatch() throws {
        let result = try runFP32(reshapeModel([2, 4]))
        XCTAssertNil(result.error, "the cell ran its golden batch; latency must not turn it into an error")
        XCTAssertEqual(Gates().verdict(for: result), .pass)
        XCTAssertEqual(result.latency?.batch, 2)
        XCTAssertEqual(result.latency?.runs, 2)
    }
}
