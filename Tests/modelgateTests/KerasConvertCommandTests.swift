import Foundation
import ModelIR
import TestSupport
import XCTest

/// `modelgate convert` on Keras files: exit 0 with an ONNX file, exit 1 with one line naming the
/// file for models it cannot convert and for damaged files, never a crash.
final class KerasConvertCommandTests: XCTestCase {
    private func fixture(_ path: String) throws -> URL {
        let url = FixturePaths.fixture("keras/\(path)")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("fixture keras/\(path) missing") }
        return url
    }

    func testConvertWritesONNXForBothKerasFormats() throws {
        let directory = try TemporaryDirectory()
        for format in ["h5", "keras"] {
            let source = try fixture("dense/model.\(format)")
            let output = directory.file("dense_\(format).onnx")
            let result = try runProcess(modelgateExecutable, ["convert", source.path, output.path, "--opset", "18"])
            XCTAssertEqual(result.exitCode, 0, result.standardError)
            XCTAssertGreaterThan((try? Data(contentsOf: output))?.count ?? 0, 100)
        }
        let refused = try runProcess(modelgateExecutable, ["convert", try fixture("dense/model.h5").path, directory.file("x.onnx").path, "--opset", "7"])
        XCTAssertEqual(refused.exitCode, 2)
        XCTAssertTrue(refused.standardError.contains("--opset 7"), refused.standardError)
    }

    func testInspectReadsKerasModelsThroughTheImporter() throws {
        let source = try fixture("functional_two_inputs_two_outputs/model.keras")
        let result = try runProcess(modelgateExecutable, ["inspect", source.path])
        XCTAssertEqual(result.exitCode, 0, result.standardError)
        for expected in ["input_a  float [batch, 6]", "input_b  float [batch, 4]", "out_class", "out_score", "ai.onnx 17", "Gemm"] {
            XCTAssertTrue(result.standardOutput.contains(expected), "missing '\(expected)' in:\n\(result.standardOutput)")
        }
    }

    func testUnsupportedLayerExitsOneNamingClassLayerAndAlternatives() throws {
        let directory = try TemporaryDirectory()
        let python = try XCTUnwrap(FixturePaths.python, FixtureError.missingPython.description)
        let model = directory.file("lambda.h5")
        let script = """
            import h5py, json, sys
            config = {"class_name": "Sequential", "config": {"name": "s", "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, 4], "name": "input"}},
                {"class_name": "Lambda", "config": {"name": "custom_fn"}}]}}
            with h5py.File(sys.argv[1], "w") as f:
                f.attrs["model_config"] = json.dumps(config)
                f.attrs["keras_version"] = "2.15.0"
                f.create_group("model_weights").attrs["layer_names"] = ["custom_fn"]
            """
        let made = try runProcess(python, ["-c", script, model.path])
        XCTAssertEqual(made.exitCode, 0, made.standardError)
        let result = try runProcess(modelgateExecutable, ["convert", model.path, directory.file("out.onnx").path])
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertFalse(result.wasSignalled)
        XCTAssertEqual(result.standardError.split(separator: "\n").count, 1, result.standardError)
        for expected in [model.path, "custom_fn", "class Lambda", "supported layers", "Dense"] {
            XCTAssertTrue(result.standardError.contains(expected), "missing '\(expected)': \(result.standardError)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.file("out.onnx").path))
    }

    func testDamagedKerasFilesExitOneAndNeverCrash() throws {
        let directory = try TemporaryDirectory()
        var generator = SplitMix64(seed: 20_261_125)
        for source in [try fixture("conv2d_same_strided/model.h5"), try fixture("bidirectional_lstm/model.keras"),
                       try fixture("functional_two_inputs_two_outputs/model.keras")] {
            let original = try Data(contentsOf: source)
            for index in 0..<12 {
                var copy = original
                if index % 2 == 0 {
                    copy = copy.prefix(Int.random(in: 0..<copy.count, using: &generator))
                } else {
                    for _ in 0..<Int.random(in: 1...8, using: &generator) {
                        let position = Int.random(in: 0..<copy.count, using: &generator)
                        copy[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
                    }
                }
                let damaged = directory.file("damaged\(index).\(source.pathExtension)")
                try copy.write(to: damaged)
                let result = try runProcess(modelgateExecutable, ["convert", damaged.path, directory.file("out\(index).onnx").path], timeout: 60)
                XCTAssertFalse(result.wasSignalled, "\(source.path) copy \(index) crashed: \(result.standardError)")
                XCTAssertTrue([0, 1].contains(result.exitCode), "\(source.path) copy \(index): exit \(result.exitCode)")
                if result.exitCode == 1 {
                    XCTAssertTrue(result.standardError.contains(damaged.path), "the error names the file: \(result.standardError)")
                }
            }
        }
    }
}
