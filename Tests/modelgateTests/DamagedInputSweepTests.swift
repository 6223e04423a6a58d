import Foundation
import ModelIR
import TestSupport
import XCTest

/// Truncated and bit-flipped copies of real models never crash or hang `modelgate`: every run ends
/// with exit 0 or 1, and a failure says what is wrong on standard error.
final class DamagedInputSweepTests: XCTestCase {
    /// Makes `count` damaged copies of `original`: half truncated at a random point, half with 1–8 bits flipped.
    static func damagedCopies(of original: Data, count: Int, seed: UInt64) -> [Data] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { index in
            var copy = original
            if index % 2 == 0 {
                copy = copy.prefix(Int.random(in: 0..<max(copy.count, 1), using: &generator))
            } else {
                for _ in 0..<Int.random(in: 1...8, using: &generator) where !copy.isEmpty {
                    let position = Int.random(in: 0..<copy.count, using: &generator)
                    copy[position] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
                }
            }
            return copy
        }
    }

    func testDamagedONNXModelsNeverCrashCheckInspectOrConvert() throws {
        let sources = ["light/light_squeezenet", "light/light_inception_v1", "node/test_if", "node/test_loop11",
                       "node/test_cast_FLOAT_to_FLOAT8E4M3FN", "node/test_sequence_map_add_2_sequences"]
            .map { FixturePaths.onnxSuite.appendingPathComponent("\($0)/model.onnx") }
        for source in sources where !FileManager.default.fileExists(atPath: source.path) { throw FixtureError.missingSuite(source.path) }
        let (runs, outcomes) = try sweep(sources, fileExtension: "onnx", defaultCopies: 90, commands: ["check", "inspect", "convert"])
        XCTAssertGreaterThanOrEqual(runs, 1_500)
        XCTAssertGreaterThan(outcomes[1] ?? 0, 100, "most damaged copies should be refused: \(outcomes)")
        print("damaged-input sweep: \(runs) runs, exit codes \(outcomes.sorted { $0.key < $1.key })")
    }

    func testDamagedTFLiteModelsNeverCrashInspectOrConvert() throws {
        let sources = ["cnn_float", "cnn_int8", "gru_while", "shapes"].map { FixturePaths.fixture("tflite/\($0).tflite") }
        let (runs, outcomes) = try sweep(sources, fileExtension: "tflite", defaultCopies: 75, commands: ["inspect", "convert"])
        XCTAssertGreaterThanOrEqual(runs, 600)
        XCTAssertGreaterThan(outcomes[1] ?? 0, 100, "most damaged copies should be refused: \(outcomes)")
        print("damaged-input sweep (tflite): \(runs) runs, exit codes \(outcomes.sorted { $0.key < $1.key })")
    }

    /// Runs each of `commands` (`check`, `inspect`, `convert`) on damaged copies of every source
    /// (`MODELGATE_SWEEP_COPIES` each, `MODELGATE_SWEEP_SEED` + source index as the seed) and
    /// asserts that every run ends with exit 0 or 1, a failure naming the file on standard error.
    /// A copy that ends otherwise is kept in `.cache/sweep-failures/`.
    /// - Returns: the number of runs and the count of each exit status.
    private func sweep(_ sources: [URL], fileExtension: String, defaultCopies: Int,
                       commands: [String]) throws -> (runs: Int, outcomes: [Int32: Int]) {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("modelgate-sweep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let environment = ProcessInfo.processInfo.environment
        let copies = environment["MODELGATE_SWEEP_COPIES"].flatMap(Int.init) ?? defaultCopies
        let seedBase = environment["MODELGATE_SWEEP_SEED"].flatMap(UInt64.init) ?? 0
        var runs = 0
        var outcomes: [Int32: Int] = [:]
        for (sourceIndex, source) in sources.enumerated() {
            let original = try Data(contentsOf: source)
            let seed = seedBase &+ UInt64(sourceIndex)
            for (index, copy) in Self.damagedCopies(of: original, count: copies, seed: seed).enumerated() {
                let damaged = work.appendingPathComponent("m\(sourceIndex)-\(index).\(fileExtension)")
                try copy.write(to: damaged)
                for command in commands {
                    let arguments = command == "convert" ? [command, damaged.path, work.appendingPathComponent("out.onnx").path] : [command, damaged.path]
                    let result = try runProcess(modelgateExecutable, arguments, timeout: 30)
                    runs += 1
                    outcomes[result.exitCode, default: 0] += 1
                    if result.wasSignalled || ![0, 1].contains(result.exitCode) {
                        let kept = FixturePaths.repositoryRoot.appendingPathComponent(".cache/sweep-failures/\(damaged.lastPathComponent)")
                        try? FileManager.default.createDirectory(at: kept.deletingLastPathComponent(), withIntermediateDirectories: true)
                        try? FileManager.default.removeItem(at: kept)
                        try? FileManager.default.copyItem(at: damaged, to: kept)
                    }
                    XCTAssertFalse(result.wasSignalled, "\(command) on copy \(index) of \(source.path) (seed \(seed)) ended by a signal; kept in .cache/sweep-failures/")
                    XCTAssertTrue([0, 1].contains(result.exitCode), "\(command) on copy \(index) of \(source.path): exit \(result.exitCode)")
                    if result.exitCode == 1 {
                        XCTAssertTrue(result.standardError.hasPrefix("error: "), result.standardError)
                        XCTAssertTrue(result.standardError.contains(damaged.path), result.standardError)
                    }
                }
            }
        }
        return (runs, outcomes)
    }
}
