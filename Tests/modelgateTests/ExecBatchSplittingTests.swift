import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// `exec` and `golden` on a model exported with a fixed batch size: an inputs file holding more
/// samples runs in batches of the model's size and the outputs are stacked back along the first
/// axis. The model is `y = x · W + b` with `x` float [batch, 3], so every expected row is written
/// out from the definition of MatMul and Add.
final class ExecBatchSplittingTests: XCTestCase {
    private static let weights: [Float] = [1, -2, 0.5, 3, -1, 0.25]
    private static let bias: [Float] = [10, -10]

    /// `y = x · W + b` with `x` declared float [`batch`, 3] and `y` float [`batch`, 2].
    private func saveAffineModel(batch: Int, in folder: TemporaryDirectory) throws -> URL {
        let nodes = [Node(name: "project", opType: "MatMul", inputs: ["x", "W"], outputs: ["xw"]),
                     Node(name: "shift", opType: "Add", inputs: ["xw", "b"], outputs: ["y"])]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("x", .float, [batch, 3])],
                                       outputs: [GraphBuilder.value("y", .float, [batch, 2])],
                                       initializers: [GraphBuilder.tensor("W", [3, 2], Self.weights),
                                                      GraphBuilder.tensor("b", [2], Self.bias)],
                                       opset: 17)
        let url = folder.file("affine_batch\(batch).onnx")
        try ONNXModelFile.save(model, to: url)
        return url
    }

    /// `samples` rows of three features: row r is (r, r / 2, 1 − r).
    private func rows(_ samples: Int) -> [Float] {
        (0..<samples).flatMap { r -> [Float] in
            let row = Float(r)
            return [row, row / 2, 1 - row]
        }
    }

    /// Row by row: y[r, j] = Σ_k x[r, k] · W[k, j] + b[j].
    private func expectedOutputs(_ samples: Int) -> [Float] {
        let x = rows(samples)
        var y: [Float] = []
        for r in 0..<samples {
            for j in 0..<2 {
                var sum = Self.bias[j]
                for k in 0..<3 { sum += x[r * 3 + k] * Self.weights[k * 2 + j] }
                y.append(sum)
            }
        }
        return y
    }

    func testEightSamplesOnABatchOneModelRunOneByOneAndStackBack() throws {
        let folder = try TemporaryDirectory()
        let model = try saveAffineModel(batch: 1, in: folder)
        let inputs = folder.file("inputs.h5"), outputs = folder.file("outputs.h5")
        try HDF5TensorFile.write(["inputs/x": GraphBuilder.tensor([8, 3], rows(8))], to: inputs)

        let result = try runProcess(modelgateExecutable, ["exec", model.path, "--inputs", inputs.path, "--outputs", outputs.path])

        XCTAssertEqual(result.exitCode, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("outputs/y  y  float[8, 2]"), result.standardOutput)
        let y = try XCTUnwrap(HDF5TensorFile.read(outputs, group: "outputs")["y"])
        XCTAssertEqual(y.shape, [8, 2])
        assertClose(try y.floatValues(), expectedOutputs(8))
    }

    func testTenSamplesOnABatchFourModelDropThePadding() throws {
        let folder = try TemporaryDirectory()
        let model = try saveAffineModel(batch: 4, in: folder)
        let inputs = folder.file("inputs.h5"), outputs = folder.file("outputs.h5")
        try HDF5TensorFile.write(["inputs/x": GraphBuilder.tensor([10, 3], rows(10))], to: inputs)

        let result = try runProcess(modelgateExecutable, ["exec", model.path, "--inputs", inputs.path, "--outputs", outputs.path])

        XCTAssertEqual(result.exitCode, 0, result.standardError)
        let y = try XCTUnwrap(HDF5TensorFile.read(outputs, group: "outputs")["y"])
        XCTAssertEqual(y.shape, [10, 2])
        assertClose(try y.floatValues(), expectedOutputs(10))
    }

    func testPBInputsWithEightSamplesAreSplitToo() throws {
        let folder = try TemporaryDirectory()
        let model = try saveAffineModel(batch: 1, in: folder)
        let inputs = folder.file("inputs"), outputs = folder.file("outputs")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        try TensorProtoFile.save(GraphBuilder.tensor("x", [8, 3], rows(8)), to: inputs.appendingPathComponent("input_0.pb"))

        let result = try runProcess(modelgateExecutable, ["exec", model.path, "--inputs", inputs.path, "--outputs", outputs.path])

        XCTAssertEqual(result.exitCode, 0, result.standardError)
        let y = try TensorProtoFile.load(outputs.appendingPathComponent("output_0.pb"))
        XCTAssertEqual(y.shape, [8, 2])
        assertClose(try y.floatValues(), expectedOutputs(8))
    }

    func testAMismatchBeyondTheBatchAxisIsStillRefused() throws {
        let folder = try TemporaryDirectory()
        let model = try saveAffineModel(batch: 1, in: folder)
        let inputs = folder.file("inputs.h5")
        try HDF5TensorFile.write(["inputs/x": GraphBuilder.tensor([8, 4], [Float](repeating: 1, count: 32))], to: inputs)

        let result = try runProcess(modelgateExecutable, ["exec", model.path, "--inputs", inputs.path,
                                                          "--outputs", folder.file("outputs.h5").path])

        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertTrue(result.standardError.contains("model input 'x' expects shape [1, 3] but the dataset holds float[8, 4]"),
                      result.standardError)
    }

    func testGoldenRecordsEightSamplesOfABatchOneModel() throws {
        let folder = try TemporaryDirectory()
        let model = try saveAffineModel(batch: 1, in: folder)
        let inputs = folder.file("inputs.h5"), golden = folder.file("golden.h5")
        try HDF5TensorFile.write(["inputs/x": GraphBuilder.tensor([8, 3], rows(8))], to: inputs)

        let result = try runProcess(modelgateExecutable, ["golden", model.path, "--inputs", inputs.path, "--out", golden.path])

        XCTAssertEqual(result.exitCode, 0, result.standardError)
        let written = try HDF5TensorFile.read(golden)
        XCTAssertEqual(written["inputs/x"]?.shape, [8, 3])
        let y = try XCTUnwrap(written["outputs/y"])
        XCTAssertEqual(y.shape, [8, 2])
        assertClose(try y.floatValues(), expectedOutputs(8))
        XCTAssertEqual(try HDF5TensorFile.provenance(of: golden), "modelgate-reference")
    }
}
