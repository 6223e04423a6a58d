import Foundation
import ModelFormats
import TestSupport
import XCTest

/// `modelgate run` and `modelgate golden` as a user meets them: a temporary copy of part of the
/// bundled corpus in, reports, exit codes and golden files out.
final class RunnerCommandTests: XCTestCase {
    private var folder: TemporaryDirectory!

    override func setUpWithError() throws {
        folder = try TemporaryDirectory()
    }

    override func tearDown() {
        folder = nil
    }

    /// Copies `models` of `Golden/` into `<folder>/<name>` with a manifest running `paths` on each.
    private func corpus(_ name: String, models: [String], paths: [String]) throws -> URL {
        let root = folder.file(name)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let golden = FixturePaths.repositoryRoot.appendingPathComponent("Golden")
        var yaml = "paths: [\(paths.joined(separator: ", "))]\nmodels:\n"
        for model in models {
            try FileManager.default.copyItem(at: golden.appendingPathComponent(model), to: root.appendingPathComponent(model))
            yaml += "  \(model): {source: \(model)/model.onnx}\n"
        }
        try yaml.write(to: root.appendingPathComponent("corpus.yml"), atomically: false, encoding: .utf8)
        return root
    }

    private func run(_ corpus: URL, out: String, extra: [String] = []) throws -> (ProcessResult, [String: Any]) {
        let outURL = folder.file(out)
        let result = try runProcess(modelgateExecutable, ["run", "--corpus", corpus.path, "--out", outURL.path,
                                                          "--latency-runs", "2", "--warmup", "1"] + extra, timeout: 600)
        let data = try Data(contentsOf: outURL.appendingPathComponent("report.json"))
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for file in ["report.json", "report.html", "junit.xml", "summary.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: outURL.appendingPathComponent(file).path), file)
        }
        return (result, json)
    }

    private func verdicts(_ report: [String: Any]) -> [String: String] {
        var verdicts: [String: String] = [:]
        for cell in report["cells"] as? [[String: Any]] ?? [] {
            verdicts["\(cell["model"] ?? "") × \(cell["path"] ?? "")"] = cell["verdict"] as? String
        }
        return verdicts
    }

    func testTruncatedModelErrorsOnlyItsOwnCells() throws {
        let models = ["simplenet", "torch_transformer"]
        let intact = try corpus("intact", models: models, paths: ["fp32", "fused"])
        let (good, goodReport) = try run(intact, out: "good")
        XCTAssertEqual(good.exitCode, 0, good.standardOutput + good.standardError)
        XCTAssertEqual(verdicts(goodReport), ["simplenet × fp32": "pass", "simplenet × fused": "pass",
                                              "torch_transformer × fp32": "pass", "torch_transformer × fused": "pass"])

        let damaged = try corpus("damaged", models: models, paths: ["fp32", "fused"])
        let file = damaged.appendingPathComponent("torch_transformer/model.onnx")
        let bytes = try Data(contentsOf: file)
        try bytes.prefix(bytes.count / 2).write(to: file)
        let (bad, badReport) = try run(damaged, out: "bad")
        XCTAssertEqual(bad.exitCode, 1, bad.standardError)
        XCTAssertFalse(bad.wasSignalled)
        XCTAssertEqual(verdicts(badReport), ["simplenet × fp32": "pass", "simplenet × fused": "pass",
                                             "torch_transformer × fp32": "error", "torch_transformer × fused": "error"])
        for cell in badReport["cells"] as? [[String: Any]] ?? [] where cell["model"] as? String == "torch_transformer" {
            let error = try XCTUnwrap(cell["error"] as? [String: Any])
            XCTAssertEqual(error["stage"] as? String, "load")
            XCTAssertTrue((error["message"] as? String ?? "").contains("model.onnx"), "\(error)")
        }
        XCTAssertTrue(bad.standardOutput.contains("2 passed, 2 failed (2 with errors)"), bad.standardOutput)
        XCTAssertTrue(bad.standardOutput.contains("report: "), bad.standardOutput)
    }

    func testRunsAreDeterministicApartFromTimings() throws {
        let root = try corpus("corpus", models: ["simplenet", "torch_transformer"], paths: ["fp32", "fp16", "int8-static"])
        let (first, one) = try run(root, out: "one", extra: ["--jobs", "1", "--no-cache"])
        let (second, two) = try run(root, out: "two", extra: ["--jobs", "2", "--no-cache"])
        XCTAssertEqual(first.exitCode, second.exitCode)
        XCTAssertEqual((one["cells"] as? [Any])?.count, 6)
        let timing: Set<String> = ["durationSeconds", "latency", "startedAt", "finishedAt", "runId"]
        XCTAssertEqual(canonical(one, dropping: timing), canonical(two, dropping: timing))
        for model in ["simplenet", "torch_transformer"] {
            for path in ["fp32", "fp16", "int8-static"] {
                let a = try Data(contentsOf: folder.file("one/models/\(model)/\(path).onnx"))
                let b = try Data(contentsOf: folder.file("two/models/\(model)/\(path).onnx"))
                XCTAssertEqual(a, b, "\(model) × \(path)")
            }
        }
    }

    /// JSON text with sorted keys and the timing keys removed at every level.
    private func canonical(_ object: Any, dropping keys: Set<String>) -> String {
        func strip(_ value: Any) -> Any {
            if let dictionary = value as? [String: Any] {
                return dictionary.filter { !keys.contains($0.key) }.mapValues(strip)
            }
            if let array = value as? [Any] { return array.map(strip) }
            return value
        }
        let data = try? JSONSerialization.data(withJSONObject: strip(object), options: [.sortedKeys, .prettyPrinted])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    func testGoldenRefusesToOverwriteWithoutRecord() throws {
        let root = try corpus("golden", models: ["simplenet"], paths: ["fp32"])
        let model = root.appendingPathComponent("simplenet/model.onnx").path
        let inputs = root.appendingPathComponent("simplenet/calibration.h5").path
        let golden = root.appendingPathComponent("simplenet/golden.h5")
        let before = try Data(contentsOf: golden)

        let refused = try runProcess(modelgateExecutable, ["golden", model, "--inputs", inputs])
        XCTAssertEqual(refused.exitCode, 1)
        XCTAssertTrue(refused.standardError.contains("pass --record"), refused.standardError)
        XCTAssertEqual(try Data(contentsOf: golden), before, "the golden file is untouched")
        XCTAssertEqual(try HDF5TensorFile.provenance(of: golden).map { $0.hasPrefix("modelgate") }, false)

        let recorded = try runProcess(modelgateExecutable, ["golden", model, "--inputs", inputs, "--record"])
        XCTAssertEqual(recorded.exitCode, 0, recorded.standardError)
        XCTAssertEqual(try HDF5TensorFile.provenance(of: golden), "modelgate-reference")
        let outputs = try HDF5TensorFile.read(golden, group: "outputs")
        let calibration = try HDF5TensorFile.read(URL(fileURLWithPath: inputs), group: "inputs")
        XCTAssertEqual(outputs.values.first?.shape, [calibration.values.first?.shape.first ?? -1, 2])

        let elsewhere = folder.file("new.h5")
        let fresh = try runProcess(modelgateExecutable, ["golden", model, "--inputs", inputs, "--out", elsewhere.path])
        XCTAssertEqual(fresh.exitCode, 0, fresh.standardError)
        XCTAssertEqual(try HDF5TensorFile.provenance(of: elsewhere), "modelgate-reference")
    }

    func testExternalPathsAndTheCellTimeout() throws {
        let root = try corpus("external", models: ["simplenet"], paths: ["fp32"])
        try """
            paths: [fp32, copy, fused+copy, slow, broken]
            external_paths:
              copy: {command: "cp {input} {output}"}
              slow: {command: "sleep 30; cp {input} {output}"}
              broken: {command: "echo no converter for {input} >&2; exit 3 # {output}"}
            models:
              simplenet: {source: simplenet/model.onnx}
            """.write(to: root.appendingPathComponent("corpus.yml"), atomically: false, encoding: .utf8)
        let started = Date()
        let (result, report) = try run(root, out: "external", extra: ["--timeout", "3"])
        XCTAssertLessThan(Date().timeIntervalSince(started), 25, "the slow command is stopped, not waited for")
        XCTAssertEqual(result.exitCode, 1)
        XCTAssertEqual(verdicts(report), ["simplenet × fp32": "pass", "simplenet × copy": "pass", "simplenet × fused+copy": "pass",
                                          "simplenet × slow": "error", "simplenet × broken": "error"])
        let cells = Dictionary(uniqueKeysWithValues: (report["cells"] as? [[String: Any]] ?? []).map { ($0["path"] as? String ?? "", $0) })
        let slow = try XCTUnwrap(cells["slow"]?["error"] as? [String: Any])
        XCTAssertEqual(slow["stage"] as? String, "convert")
        XCTAssertTrue((slow["message"] as? String ?? "").contains("--timeout"), "\(slow)")
        let broken = try XCTUnwrap(cells["broken"]?["error"] as? [String: Any])
        XCTAssertEqual(broken["stage"] as? String, "convert")
        XCTAssertTrue((broken["message"] as? String ?? "").contains("status 3"), "\(broken)")
        XCTAssertTrue((broken["message"] as? String ?? "").contains("no converter for"), "\(broken)")
        let size = try XCTUnwrap(cells["copy"]?["size"] as? [String: Any])
        XCTAssertEqual(size["ratio"] as? Double, 1, "a copied source is as large as the fp32 file")
    }

    func testBaselineDiffIsPrintedInline() throws {
        let root = try corpus("baseline", models: ["simplenet"], paths: ["fp32", "fused"])
        let (first, _) = try run(root, out: "first", extra: ["--paths", "fp32"])
        XCTAssertEqual(first.exitCode, 0, first.standardError)
        let baseline = folder.file("first/report.json").path
        let (second, _) = try run(root, out: "second", extra: ["--baseline", baseline])
        XCTAssertEqual(second.exitCode, 0, second.standardError)
        XCTAssertTrue(second.standardOutput.contains("against \(baseline):"), second.standardOutput)
        XCTAssertTrue(second.standardOutput.contains("added   simplenet × fused"), second.standardOutput)
        XCTAssertTrue(second.standardOutput.contains("0 regressions, 0 fixed"), second.standardOutput)
        let missing = try runProcess(modelgateExecutable, ["run", "--corpus", root.path, "--out", folder.file("third").path,
                                                           "--baseline", folder.file("none.json").path])
        XCTAssertEqual(missing.exitCode, 2, "an unreadable baseline is a setup error, found before any cell runs")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.file("third/report.json").path))
    }

    func testBadManifestAndMissingCorpusAreSetupErrors() throws {
        let missing = try runProcess(modelgateExecutable, ["run", "--corpus", folder.file("nowhere").path, "--out", folder.file("r").path])
        XCTAssertEqual(missing.exitCode, 2)
        XCTAssertTrue(missing.standardError.contains("corpus.yml"), missing.standardError)
        let root = try corpus("c", models: ["simplenet"], paths: ["fp32"])
        let unknownPath = try runProcess(modelgateExecutable, ["run", "--corpus", root.path, "--paths", "fp8", "--out", folder.file("r").path])
        XCTAssertEqual(unknownPath.exitCode, 2)
        XCTAssertTrue(unknownPath.standardError.contains("unknown path 'fp8'"), unknownPath.standardError)
    }
}
