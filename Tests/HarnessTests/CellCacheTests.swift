import Foundation
import GraphChecker
import Harness
import TestSupport
import XCTest

final class CellCacheTests: XCTestCase {
    /// A corpus holding the bundled simplenet (ONNX, with golden and calibration data) on fp32 and int8-static.
    private func corpus(_ folder: TemporaryDirectory, int8MinCosine: Double) throws -> Manifest {
        let source = FixturePaths.repositoryRoot.appendingPathComponent("Golden/simplenet")
        let target = folder.file("simplenet")
        if !FileManager.default.fileExists(atPath: target.path) { try FileManager.default.copyItem(at: source, to: target) }
        try """
            paths: [fp32, int8-static]
            defaults:
              int8-static: {min_cosine: \(int8MinCosine), max_accuracy_loss: 0.05, options: {sensitivity: false}}
            models:
              simplenet: {source: simplenet/model.onnx}
            """.write(to: folder.file("corpus.yml"), atomically: false, encoding: .utf8)
        return try Manifest.load(corpus: folder.url)
    }

    private func run(_ manifest: Manifest, out: URL, cache: URL) -> [CellResult] {
        let runner = CellRunner(manifest: manifest, modelsFolder: out, settings: RunSettings(latencyRuns: 1, warmupRuns: 0, cacheFolder: cache.path))
        return ["fp32", "int8-static"].map { runner.run(CellKey(model: "simplenet", path: $0)) }
    }

    private func stripped(_ result: CellResult) -> CellResult {
        var result = result
        result.durationSeconds = 0
        result.latency = nil
        result.cache = nil
        return result
    }

    func testASecondRunTakesEveryCellFromTheCacheWithTheSameResults() throws {
        let folder = try TemporaryDirectory()
        let manifest = try corpus(folder, int8MinCosine: 0.9)
        let cache = folder.file("cache")
        let first = run(manifest, out: folder.file("out1"), cache: cache)
        XCTAssertEqual(first.map(\.cache), [nil, nil])
        XCTAssertEqual(first.map { Gates().verdict(for: $0).status }, [.pass, .pass])
        let second = run(manifest, out: folder.file("out2"), cache: cache)
        XCTAssertEqual(second.map(\.cache), [.result, .result])
        XCTAssertEqual(second.map(stripped), first.map(stripped), "the cached result is the result")
        for path in ["fp32", "int8-static"] {
            let written = folder.file("out2/simplenet/\(path).onnx")
            XCTAssertEqual(try Data(contentsOf: written), try Data(contentsOf: folder.file("out1/simplenet/\(path).onnx")), path)
        }
    }

    func testChangedThresholdsJudgeTheCachedModelAgainWithoutConverting() throws {
        let folder = try TemporaryDirectory()
        let cache = folder.file("cache")
        let first = run(try corpus(folder, int8MinCosine: 0.9), out: folder.file("out1"), cache: cache)
        let cosine = try XCTUnwrap(first[1].outputs.first?.cosine)
        let stricter = try corpus(folder, int8MinCosine: min(1, cosine + (1 - cosine) / 2))
        let second = run(stricter, out: folder.file("out2"), cache: cache)
        XCTAssertEqual(second[0].cache, .result, "fp32's thresholds did not change")
        XCTAssertEqual(second[1].cache, .conversion)
        XCTAssertEqual(Gates().verdict(for: second[1]).status, .fail, "the stricter gate judges the same model")
        XCTAssertEqual(second[1].outputs.first?.cosine, cosine)
        XCTAssertEqual(second[1].findings.filter { $0.code == "quantized" }, first[1].findings.filter { $0.code == "quantized" },
                       "the passes' findings come with the cached model")
    }

    func testACorruptOrForeignEntryIsIgnoredAndReplaced() throws {
        let folder = try TemporaryDirectory()
        let manifest = try corpus(folder, int8MinCosine: 0.9)
        let cache = folder.file("cache")
        _ = run(manifest, out: folder.file("out1"), cache: cache)
        let results = try FileManager.default.contentsOfDirectory(at: cache.appendingPathComponent("v1/results"), includingPropertiesForKeys: nil)
            .sorted { $0.path < $1.path }
        XCTAssertEqual(results.count, 2)
        try Data("{not json".utf8).write(to: results[0])
        try FileManager.default.removeItem(at: results[1])
        let models = try FileManager.default.contentsOfDirectory(at: cache.appendingPathComponent("v1/conversions"), includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "onnx" }
        XCTAssertEqual(models.count, 2)
        for model in models { try Data("tampered".utf8).write(to: model) }
        let second = run(manifest, out: folder.file("out2"), cache: cache)
        XCTAssertEqual(second.map(\.cache), [nil, nil], "nothing unreadable or tampered with is trusted")
        XCTAssertEqual(second.map { Gates().verdict(for: $0).status }, [.pass, .pass])
        let third = run(manifest, out: folder.file("out3"), cache: cache)
        XCTAssertEqual(third.map(\.cache), [.result, .result], "the second run wrote whole entries again")
    }

    func testTheKeyCoversTheGoldenDataAndTheKernelsButNotOtherModels() throws {
        let folder = try TemporaryDirectory()
        let manifest = try corpus(folder, int8MinCosine: 0.9)
        let model = try XCTUnwrap(manifest.model(named: "simplenet"))
        let settings = RunSettings(cacheFolder: folder.file("cache").path)
        let before = try XCTUnwrap(CellCacheKeys.make(manifest: manifest, model: model, path: "int8-static", settings: settings))
        XCTAssertEqual(try CellCacheKeys.make(manifest: manifest, model: model, path: "int8-static", settings: settings), before)
        var golden = try Data(contentsOf: folder.file("simplenet/golden.h5"))
        golden[golden.count - 1] ^= 1
        try golden.write(to: folder.file("simplenet/golden.h5"))
        let after = try XCTUnwrap(CellCacheKeys.make(manifest: manifest, model: model, path: "int8-static", settings: settings))
        XCTAssertEqual(after.conversion, before.conversion, "golden data does not decide the conversion")
        XCTAssertNotEqual(after.result, before.result)
        var calibration = try Data(contentsOf: folder.file("simplenet/calibration.h5"))
        calibration[calibration.count - 1] ^= 1
        try calibration.write(to: folder.file("simplenet/calibration.h5"))
        XCTAssertNotEqual(try CellCacheKeys.make(manifest: manifest, model: model, path: "int8-static", settings: settings)?.conversion, before.conversion)
        XCTAssertEqual(try CellCacheKeys.make(manifest: manifest, model: model, path: "fp32", settings: settings)?.conversion,
                       try CellCacheKeys.make(manifest: manifest, model: model, path: "fp32", settings: settings)?.conversion)
    }
}
