import Foundation
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// Every model of the ONNX backend suite survives `save(load(x))`: the onnx package judges the
/// result (`Tools/onnx_roundtrip_compare.py`) and a second round trip is byte-identical to the first.
final class ONNXRoundTripTests: XCTestCase {
    static let suites = ["node", "light", "simple", "pytorch-converted", "pytorch-operator"]

    struct Verdict: Decodable {
        var original: String
        var original_valid: Bool
        var roundtrip_valid: Bool
        var error: String
        var same_nodes: Bool
        var same_initializers: Bool
        var detail: String
    }

    func testEverySuiteModelRoundTripsWithoutLoss() throws {
        let python = try XCTUnwrap(FixturePaths.python, FixtureError.missingPython.description)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modelgate-roundtrip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        var pairs: [String] = []
        var counts: [String: Int] = [:]
        for suite in Self.suites {
            for folder in try FixturePaths.suiteCases(suite) {
                let original = folder.appendingPathComponent("model.onnx")
                let caseFolder = work.appendingPathComponent("\(suite)/\(folder.lastPathComponent)")
                try FileManager.default.createDirectory(at: caseFolder, withIntermediateDirectories: true)
                let first = caseFolder.appendingPathComponent("first.onnx")
                let second = caseFolder.appendingPathComponent("second.onnx")

                let loaded = try ONNXModelFile.load(original)
                try ONNXModelFile.save(loaded, to: first)
                let reloaded = try ONNXModelFile.load(first)
                XCTAssertEqual(reloaded.graph.nodes.count, loaded.graph.nodes.count, original.path)
                XCTAssertTrue(zip(reloaded.graph.initializers, loaded.graph.initializers).allSatisfy { $0 == $1 }, original.path)
                try ONNXModelFile.save(reloaded, to: second)
                XCTAssertEqual(try Data(contentsOf: first), try Data(contentsOf: second), "second round trip of \(original.path) differs from the first")

                pairs.append("\(original.path)\t\(first.path)")
                counts[suite, default: 0] += 1
            }
        }
        XCTAssertGreaterThanOrEqual(counts["node"] ?? 0, 1_884)
        XCTAssertEqual(counts["light"], 9)

        let pairsFile = work.appendingPathComponent("pairs.tsv")
        try pairs.joined(separator: "\n").write(to: pairsFile, atomically: false, encoding: .utf8)
        let script = FixturePaths.repositoryRoot.appendingPathComponent("Tools/onnx_roundtrip_compare.py")
        let result = try runProcess(python, [script.path, pairsFile.path], timeout: 1_200)
        XCTAssertEqual(result.exitCode, 0, result.standardError)
        let verdicts = try result.standardOutput.split(separator: "\n").map {
            try JSONDecoder().decode(Verdict.self, from: Data($0.utf8))
        }
        XCTAssertEqual(verdicts.count, pairs.count)
        var validOriginals = 0
        for verdict in verdicts {
            XCTAssertTrue(verdict.same_nodes, "\(verdict.original): nodes differ after the round trip: \(verdict.detail)")
            XCTAssertTrue(verdict.same_initializers, "\(verdict.original): initializers differ after the round trip: \(verdict.detail)")
            if verdict.original_valid {
                validOriginals += 1
                XCTAssertTrue(verdict.roundtrip_valid, "\(verdict.original): the checker rejects the round trip: \(verdict.error)")
            }
        }
        XCTAssertGreaterThan(validOriginals, pairs.count * 9 / 10)
        print("round trip: \(pairs.count) models (\(counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))), \(validOriginals) valid before and after")
    }
}
