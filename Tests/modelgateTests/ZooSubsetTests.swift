import Foundation
import Harness
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// The zoo's test subset (`Tests/Fixtures/zoo/`, copied from the zoo by `Tools/zoo/make_zoo.py
/// --fixtures`): real architectures from Keras, Hugging Face and TensorFlow Lite with the source
/// framework's golden outputs. Every model converts, executes within 1e-4 of each output's largest
/// magnitude of the framework's outputs (models that are int8 to begin with: within the one
/// quantization step their entry sets), and passes its fp32 cell with the built-in thresholds.
final class ZooSubsetTests: XCTestCase {
    static let corpus = FixturePaths.fixture("zoo")

    private func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zoo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testEveryModelExecutesWithinTheFrameworksOutputs() throws {
        let manifest = try Manifest.load(corpus: Self.corpus)
        XCTAssertGreaterThanOrEqual(manifest.models.count, 10)
        let work = try scratch()
        for entry in manifest.models {
            let output = work.appendingPathComponent("\(entry.name).h5")
            let result = try runProcess(modelgateExecutable, ["exec", entry.sourceURL.path, "--inputs", entry.goldenURL.path,
                                                              "--outputs", output.path], timeout: 300)
            XCTAssertEqual(result.exitCode, 0, "\(entry.name): \(result.standardError)")
            guard result.exitCode == 0 else { continue }
            let golden = try GoldenFile(url: entry.goldenURL).outputs
            let actual = try HDF5TensorFile.read(output, group: "outputs")
            XCTAssertEqual(actual.keys.sorted(), golden.keys.sorted(), entry.name)
            for (name, want) in golden {
                let got = try XCTUnwrap(actual[name], "\(entry.name)/\(name)")
                XCTAssertEqual(got.shape, want.shape, "\(entry.name)/\(name)")
                let wanted = try want.floatValues(), values = try got.floatValues()
                let scale = wanted.map(abs).max() ?? 1
                let step = manifest.tolerance(model: entry, path: "fp32", output: name)[.atol]
                let limit = entry.name.hasSuffix("_int8") ? try XCTUnwrap(step, "\(entry.name): an int8 model sets its step") : 1e-4 * Double(scale)
                let worst = zip(values, wanted).map { Double(abs($0 - $1)) }.max() ?? 0
                XCTAssertLessThanOrEqual(worst, limit, "\(entry.name)/\(name): max error \(worst), scale \(scale)")
            }
        }
    }

    func testEveryFP32CellPassesWithTheBuiltInThresholds() throws {
        let reports = try scratch()
        let result = try runProcess(modelgateExecutable, ["run", "--corpus", Self.corpus.path, "--paths", "fp32", "--out", reports.path],
                                    timeout: 900)
        XCTAssertEqual(result.exitCode, 0, result.standardOutput + result.standardError)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: reports.appendingPathComponent("report.json"))) as? [String: Any]
        let cells = try XCTUnwrap(report?["cells"] as? [[String: Any]])
        XCTAssertGreaterThanOrEqual(cells.count, 10)
        XCTAssertEqual(cells.filter { $0["verdict"] as? String != "pass" }.map { $0["model"] as? String ?? "?" }, [])
    }
}
