import Foundation
import Harness
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// `modelgate exec` with HDF5 files: golden inputs in, outputs compared with the golden outputs
/// the source framework recorded, and the errors for inputs that do not fit the model.
final class ExecCommandTests: XCTestCase {
    private let golden = FixturePaths.repositoryRoot.appendingPathComponent("Golden")

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Runs `exec` on a corpus model with its golden inputs and checks every output against the
    /// golden output within the corpus's fp32 tolerance.
    private func assertExecMatchesGolden(_ model: String, source: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let manifest = try Manifest.load(corpus: golden)
        let entry = try XCTUnwrap(manifest.model(named: model), file: file, line: line)
        let goldenFile = golden.appendingPathComponent("\(model)/golden.h5")
        let output = try scratch().appendingPathComponent("outputs.h5")
        let result = try runProcess(modelgateExecutable, ["exec", golden.appendingPathComponent(source).path,
                                                          "--inputs", goldenFile.path, "--outputs", output.path])
        XCTAssertEqual(result.exitCode, 0, result.standardError, file: file, line: line)
        let expected = try GoldenFile(url: goldenFile).outputs
        let actual = try HDF5TensorFile.read(output, group: "outputs")
        XCTAssertEqual(actual.keys.sorted(), expected.keys.sorted(), file: file, line: line)
        XCTAssertEqual(try HDF5TensorFile.provenance(of: output), "modelgate-reference", file: file, line: line)
        for (name, want) in expected {
            let got = try XCTUnwrap(actual[name], file: file, line: line)
            XCTAssertEqual(got.shape, want.shape, name, file: file, line: line)
            XCTAssertEqual(got.shape.first, 360, "all held-out samples in one run", file: file, line: line)
            let tolerance = manifest.tolerance(model: entry, path: "fp32", output: name)
            let rtol = try XCTUnwrap(tolerance[.rtol]), atol = try XCTUnwrap(tolerance[.atol])
            XCTAssertEqual(rtol, 1e-4, file: file, line: line)
            assertClose(try got.floatValues(), try want.floatValues(), rtol: Float(rtol), atol: Float(atol), name, file: file, line: line)
        }
    }

    func testSimplenetONNXOnGoldenInputsMatchesPyTorchOutputs() throws {
        try assertExecMatchesGolden("simplenet", source: "simplenet/model.onnx")
    }

    func testMnistCNNKerasOnGoldenInputsMatchesKerasOutputs() throws {
        try assertExecMatchesGolden("mnist_cnn", source: "mnist_cnn/model.h5")
    }

    func testExistingOutputIsKeptWithoutForce() throws {
        let folder = try scratch()
        let model = golden.appendingPathComponent("simplenet/model.onnx").path
        let inputs = golden.appendingPathComponent("simplenet/golden.h5").path
        let output = folder.appendingPathComponent("out.h5")
        try Data("keep me".utf8).write(to: output)

        let refused = try runProcess(modelgateExecutable, ["exec", model, "--inputs", inputs, "--outputs", output.path])
        XCTAssertEqual(refused.exitCode, 1)
        XCTAssertEqual(refused.standardError.split(separator: "\n").count, 1, refused.standardError)
        XCTAssertTrue(refused.standardError.contains("\(output.path) already exists; pass --force"), refused.standardError)
        XCTAssertEqual(try Data(contentsOf: output), Data("keep me".utf8))

        let forced = try runProcess(modelgateExecutable, ["exec", model, "--inputs", inputs, "--outputs", output.path, "--force"])
        XCTAssertEqual(forced.exitCode, 0, forced.standardError)
        XCTAssertEqual(try HDF5TensorFile.read(output, group: "outputs")["logits"]?.shape, [360, 2])
    }

    /// Runs `exec` on simplenet (one input, `input` float [batch, 10]) with `datasets` as the inputs file.
    private func execSimplenet(with datasets: [String: Tensor]) throws -> ProcessResult {
        let folder = try scratch()
        let inputs = folder.appendingPathComponent("inputs.h5")
        try HDF5TensorFile.write(datasets, to: inputs)
        return try runProcess(modelgateExecutable, ["exec", golden.appendingPathComponent("simplenet/model.onnx").path,
                                                    "--inputs", inputs.path, "--outputs", folder.appendingPathComponent("out.h5").path])
    }

    func testMissingInputDatasetIsNamedWithWhatTheFileHas() throws {
        let row = try Tensor(shape: [1, 10], scalars: [Float](repeating: 0.5, count: 10))
        let result = try execSimplenet(with: ["inputs/features": row, "inputs/extra": row])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        XCTAssertTrue(result.standardError.contains("has no dataset inputs/input for model input 'input' (it has inputs/extra, inputs/features)"),
                      result.standardError)
    }

    func testSingleDatasetFeedsTheSingleInputWhateverItsName() throws {
        let rows = try Tensor(shape: [2, 10], scalars: (0..<20).map { Float($0) / 20 })
        let result = try execSimplenet(with: ["inputs/features": rows])
        XCTAssertEqual(result.exitCode, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("outputs/logits  logits  float[2, 2]"), result.standardOutput)
    }

    func testFloat64SamplesFeedAFloatInputRoundedAsACastRounds() throws {
        let rows = try Tensor(shape: [3, 10], scalars: [Double](repeating: 0.1, count: 30))
        let result = try execSimplenet(with: ["inputs/input": rows])
        XCTAssertEqual(result.exitCode, 0, result.standardError)
        XCTAssertTrue(result.standardOutput.contains("outputs/logits  logits  float[3, 2]"), result.standardOutput)
    }

    func testWholeNumbersOfAnotherTypeFeedAFloatInputExactly() throws {
        let values = (0..<30).map { Int32($0 % 7) - 3 }
        var logits: [[Float]] = []
        for rows in [try Tensor(shape: [3, 10], scalars: values), try Tensor(shape: [3, 10], scalars: values.map(Float.init))] {
            let folder = try scratch()
            let inputs = folder.appendingPathComponent("inputs.h5"), outputs = folder.appendingPathComponent("out.h5")
            try HDF5TensorFile.write(["inputs/input": rows], to: inputs)
            let result = try runProcess(modelgateExecutable, ["exec", golden.appendingPathComponent("simplenet/model.onnx").path,
                                                              "--inputs", inputs.path, "--outputs", outputs.path])
            XCTAssertEqual(result.exitCode, 0, result.standardError)
            let written = try HDF5File(reading: outputs).readDatasets(under: "outputs")
            logits.append(try XCTUnwrap(written["logits"]).floatValues())
        }
        XCTAssertEqual(logits[0].count, 6)
        XCTAssertEqual(logits[0], logits[1])
    }

    func testShapeMismatchNamesInputExpectedAndFound() throws {
        let rows = try Tensor(shape: [3, 9], scalars: [Float](repeating: 0.5, count: 27))
        let result = try execSimplenet(with: ["inputs/input": rows])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.standardError.contains("model input 'input' expects shape [batch, 10] but the dataset holds float[3, 9]"),
                      result.standardError)
    }

    func testFileWithoutInputsGroupIsRefused() throws {
        let rows = try Tensor(shape: [1, 10], scalars: [Float](repeating: 0.5, count: 10))
        let result = try execSimplenet(with: ["samples/input": rows])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertTrue(result.standardError.contains("has no inputs/ group"), result.standardError)
    }
}
