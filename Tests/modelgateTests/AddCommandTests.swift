import Foundation
import Harness
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// `modelgate init` and `modelgate add`: from a model file to a corpus that `run` gates, golden
/// outputs included, with nothing a user wrote replaced unless asked.
final class AddCommandTests: XCTestCase {
    private let golden = FixturePaths.repositoryRoot.appendingPathComponent("Golden")

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("add-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// An ONNX model with a symbolic batch, a float input `x` [batch, 4] and token ids `ids`
    /// (int64 [batch, 3]) into a 10-row embedding table: y = x + Σ_tokens table[ids].
    private func embeddingModel(in folder: URL) throws -> URL {
        let batch = ShapeDimension(.symbolic("batch"))
        let table = GraphBuilder.tensor("table", [10, 4], (0..<40).map { Float($0) / 10 })
        let model = GraphBuilder.model(
            [Node(name: "gather", opType: "Gather", inputs: ["table", "ids"], outputs: ["embedded"]),
             Node(name: "sum", opType: "ReduceSum", inputs: ["embedded", "axes"], outputs: ["pooled"], attributes: [GraphBuilder.int("keepdims", 0)]),
             Node(name: "add", opType: "Add", inputs: ["x", "pooled"], outputs: ["y"])],
            inputs: [ValueInfo(name: "x", type: TypeInfo(.tensor(elementType: .float, shape: TensorShape([batch, ShapeDimension(.fixed(4))])))),
                     ValueInfo(name: "ids", type: TypeInfo(.tensor(elementType: .int64, shape: TensorShape([batch, ShapeDimension(.fixed(3))]))))],
            outputs: [ValueInfo(name: "y", type: TypeInfo(.tensor(elementType: .float, shape: TensorShape([batch, ShapeDimension(.fixed(4))]))))],
            initializers: [table, GraphBuilder.int64s("axes", [1])], opset: 17)
        let url = folder.appendingPathComponent("token_model.onnx")
        try ONNXModelFile.save(model, to: url)
        return url
    }

    private func modelgate(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(modelgateExecutable, arguments, timeout: 600)
    }

    func testAddWritesGoldenCalibrationAndEntryForONNXKerasAndTFLiteAndRunPasses() throws {
        let work = try scratch()
        let corpus = work.appendingPathComponent("corpus")
        let onnx = try embeddingModel(in: work)
        let added = try modelgate(["add", onnx.path, "--corpus", corpus.path, "--samples", "5", "--seed", "7"])
        XCTAssertEqual(added.exitCode, 0, added.standardError)
        XCTAssertTrue(added.standardOutput.contains("added 'token_model'"), added.standardOutput)

        let goldenFile = try GoldenFile(url: corpus.appendingPathComponent("token_model/golden.h5"))
        XCTAssertEqual(goldenFile.inputs["x"]?.shape, [5, 4])
        XCTAssertEqual(goldenFile.inputs["ids"]?.shape, [5, 3])
        XCTAssertEqual(goldenFile.inputs["ids"]?.dataType, .int64)
        let ids = try XCTUnwrap(goldenFile.inputs["ids"]?.scalars(as: Int64.self))
        XCTAssertTrue(ids.allSatisfy { (0..<10).contains($0) }, "token ids index the 10-row table: \(ids)")
        XCTAssertGreaterThan(Set(ids).count, 3, "ids are spread over the table")
        XCTAssertEqual(try HDF5TensorFile.provenance(of: goldenFile.url), "modelgate-reference")
        // y = x + Σ table[ids], computed here from the stored inputs.
        let x = try goldenFile.inputs["x"]!.floatValues(), y = try goldenFile.outputs["y"]!.floatValues()
        for sample in 0..<5 {
            for column in 0..<4 {
                let expected = x[sample * 4 + column] + (0..<3).map { Float(ids[sample * 3 + $0] * 4 + Int64(column)) / 10 }.reduce(0, +)
                XCTAssertEqual(y[sample * 4 + column], expected, accuracy: 1e-5)
            }
        }
        let calibration = try HDF5TensorFile.read(corpus.appendingPathComponent("token_model/calibration.h5"))
        XCTAssertEqual(calibration["inputs/x"]?.shape, [16, 4])

        let keras = try modelgate(["add", golden.appendingPathComponent("mnist_cnn/model.h5").path, "--corpus", corpus.path,
                                   "--name", "digits_cnn", "--samples", "4"])
        XCTAssertEqual(keras.exitCode, 0, keras.standardError)
        let tflite = try modelgate(["add", FixturePaths.fixture("tflite/cnn_float.tflite").path, "--corpus", corpus.path, "--samples", "3"])
        XCTAssertEqual(tflite.exitCode, 0, tflite.standardError)

        let manifest = try String(contentsOf: corpus.appendingPathComponent("corpus.yml"), encoding: .utf8)
        XCTAssertTrue(manifest.hasPrefix("# A ModelGate corpus"), "the template's comments are kept")
        XCTAssertEqual(try CorpusManifestText.modelNames(in: manifest), ["cnn_float", "digits_cnn", "token_model"])
        XCTAssertTrue(manifest.contains("  digits_cnn: {source: digits_cnn/model.h5}"), manifest)
        XCTAssertTrue(FileManager.default.fileExists(atPath: corpus.appendingPathComponent("cnn_float/model.tflite").path))

        let run = try modelgate(["run", "--corpus", corpus.path, "--out", work.appendingPathComponent("reports").path])
        XCTAssertEqual(run.exitCode, 0, run.standardOutput + run.standardError)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: work.appendingPathComponent("reports/report.json"))) as? [String: Any]
        let cells = try XCTUnwrap(report?["cells"] as? [[String: Any]])
        XCTAssertEqual(cells.count, 3 * CorpusManifestText.templatePaths.count)
    }

    func testSecondAddIsRefusedAndRecordReplaces() throws {
        let work = try scratch()
        let corpus = work.appendingPathComponent("corpus")
        let onnx = try embeddingModel(in: work)
        XCTAssertEqual(try modelgate(["add", onnx.path, "--corpus", corpus.path, "--seed", "1"]).exitCode, 0)
        let goldenURL = corpus.appendingPathComponent("token_model/golden.h5")
        let first = try Data(contentsOf: goldenURL)
        let manifestURL = corpus.appendingPathComponent("corpus.yml")
        let manifest = try String(contentsOf: manifestURL, encoding: .utf8)

        let again = try modelgate(["add", onnx.path, "--corpus", corpus.path, "--seed", "2"])
        XCTAssertEqual(again.exitCode, 1)
        XCTAssertTrue(again.standardError.contains("model 'token_model' is already in"), again.standardError)
        XCTAssertTrue(again.standardError.contains("--record"), again.standardError)
        XCTAssertEqual(try Data(contentsOf: goldenURL), first, "the golden file is kept")

        let recorded = try modelgate(["add", onnx.path, "--corpus", corpus.path, "--seed", "2", "--record"])
        XCTAssertEqual(recorded.exitCode, 0, recorded.standardError)
        XCTAssertNotEqual(try Data(contentsOf: goldenURL), first, "--record records new golden samples")
        XCTAssertEqual(try String(contentsOf: manifestURL, encoding: .utf8), manifest, "the entry is not added twice")
    }

    func testGoldenOutputsFromAUserCommand() throws {
        let work = try scratch()
        let corpus = work.appendingPathComponent("corpus")
        let onnx = try embeddingModel(in: work)
        let command = "\(modelgateExecutable.path) exec {model} --inputs {inputs} --outputs {outputs}"
        let added = try modelgate(["add", onnx.path, "--corpus", corpus.path, "--golden-from", "command", "--golden-command", command])
        XCTAssertEqual(added.exitCode, 0, added.standardError)
        let goldenURL = corpus.appendingPathComponent("token_model/golden.h5")
        XCTAssertEqual(try HDF5TensorFile.provenance(of: goldenURL), "command: \(command)")
        XCTAssertEqual(try GoldenFile(url: goldenURL).outputs["y"]?.shape, [8, 4])

        let failing = try modelgate(["add", onnx.path, "--corpus", corpus.path, "--name", "other", "--golden-from", "command",
                                     "--golden-command", "echo no runtime here {inputs} {outputs}; exit 3"])
        XCTAssertEqual(failing.exitCode, 1)
        XCTAssertTrue(failing.standardError.contains("the golden command failed with status 3"), failing.standardError)
        XCTAssertTrue(failing.standardError.contains("no runtime here"), failing.standardError)
    }

    func testSameSeedGivesSameInputsAndAnotherSeedOthers() throws {
        let work = try scratch()
        let onnx = try embeddingModel(in: work)
        var inputs: [[String: Tensor]] = []
        for (index, seed) in ["11", "11", "12"].enumerated() {
            let corpus = work.appendingPathComponent("corpus\(index)")
            let result = try modelgate(["add", onnx.path, "--corpus", corpus.path, "--seed", seed])
            XCTAssertEqual(result.exitCode, 0, result.standardError)
            inputs.append(try GoldenFile(url: corpus.appendingPathComponent("token_model/golden.h5")).inputs)
        }
        XCTAssertEqual(inputs[0], inputs[1])
        XCTAssertNotEqual(inputs[0]["x"], inputs[2]["x"])
        XCTAssertNotEqual(inputs[0]["ids"], inputs[2]["ids"])
    }

    func testModelZooTestDataServeAsGoldenWithoutGoldenFile() throws {
        let work = try scratch()
        let suiteCase = try XCTUnwrap(FixturePaths.suiteCases("node").first { $0.lastPathComponent == "test_relu" },
                                      "the ONNX backend suite (make suite) holds test_relu")
        let corpus = work.appendingPathComponent("corpus")
        let added = try modelgate(["add", suiteCase.appendingPathComponent("model.onnx").path, "--corpus", corpus.path, "--name", "relu"])
        XCTAssertEqual(added.exitCode, 0, added.standardError)
        XCTAssertTrue(added.standardOutput.contains("the test_data_set folders"), added.standardOutput)
        XCTAssertFalse(FileManager.default.fileExists(atPath: corpus.appendingPathComponent("relu/golden.h5").path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: corpus.appendingPathComponent("relu/test_data_set_0/output_0.pb").path))

        let run = try modelgate(["run", "--corpus", corpus.path, "--paths", "fp32,fused", "--out", work.appendingPathComponent("r").path])
        XCTAssertEqual(run.exitCode, 0, run.standardOutput + run.standardError)
    }

    func testMissingGoldenSaysWhatToRun() throws {
        let work = try scratch()
        let corpus = work.appendingPathComponent("corpus")
        try FileManager.default.createDirectory(at: corpus.appendingPathComponent("simplenet"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: golden.appendingPathComponent("simplenet/model.onnx"),
                                         to: corpus.appendingPathComponent("simplenet/model.onnx"))
        try Data("paths: [fp32]\nmodels:\n  simplenet: {source: simplenet/model.onnx}\n".utf8).write(to: corpus.appendingPathComponent("corpus.yml"))
        let run = try modelgate(["run", "--corpus", corpus.path, "--out", work.appendingPathComponent("r").path])
        XCTAssertEqual(run.exitCode, 1)
        let report = try String(contentsOf: work.appendingPathComponent("r/report.json"), encoding: .utf8)
        XCTAssertTrue(report.contains("modelgate add"), report)
        XCTAssertTrue(report.contains("no test_data_set_N folders"), report)
    }

    func testInitThenAddTwoModelsThenRunPassesWithFourReports() throws {
        let work = try scratch()
        let corpus = work.appendingPathComponent("new-corpus")
        let initialized = try modelgate(["init", corpus.path])
        XCTAssertEqual(initialized.exitCode, 0, initialized.standardError)
        XCTAssertTrue(FileManager.default.fileExists(atPath: corpus.appendingPathComponent("README.md").path))
        XCTAssertEqual(try modelgate(["init", corpus.path]).exitCode, 1, "init keeps an existing corpus.yml")

        XCTAssertEqual(try modelgate(["add", golden.appendingPathComponent("simplenet/model.onnx").path, "--corpus", corpus.path]).exitCode, 0)
        XCTAssertEqual(try modelgate(["add", try embeddingModel(in: work).path, "--corpus", corpus.path]).exitCode, 0)
        let reports = work.appendingPathComponent("reports")
        let run = try modelgate(["run", "--corpus", corpus.path, "--out", reports.path])
        XCTAssertEqual(run.exitCode, 0, run.standardOutput + run.standardError)
        for file in ["report.json", "report.html", "junit.xml", "summary.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: reports.appendingPathComponent(file).path), file)
        }
    }
}
