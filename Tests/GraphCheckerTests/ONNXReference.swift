import Foundation
import TestSupport
import XCTest

/// onnx.checker's verdicts, from `Tools/onnx_check.py` run in the tools venv.
struct ONNXVerdict: Decodable {
    var path: String
    var valid: Bool
    var error: String
}

enum ONNXReference {
    /// `onnx.checker.check_model(path, full_check=True)` for every path, keyed by path.
    /// - Throws: `FixtureError.missingPython` when the venv is missing, `ReferenceError` when the script fails.
    static func verdicts(for paths: [String]) throws -> [String: ONNXVerdict] {
        guard let python = FixturePaths.python else { throw FixtureError.missingPython }
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-check-\(UUID().uuidString).txt")
        try paths.joined(separator: "\n").write(to: list, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: list) }
        let script = FixturePaths.repositoryRoot.appendingPathComponent("Tools/onnx_check.py")
        let result = try runProcess(python, [script.path, "--list", list.path], timeout: 900)
        guard result.exitCode == 0 else {
            throw ReferenceError(message: "Tools/onnx_check.py failed (exit \(result.exitCode)): \(result.standardError.suffix(2_000))")
        }
        var verdicts: [String: ONNXVerdict] = [:]
        for line in result.standardOutput.split(separator: "\n") {
            let verdict = try JSONDecoder().decode(ONNXVerdict.self, from: Data(line.utf8))
            verdicts[verdict.path] = verdict
        }
        return verdicts
    }
}

struct ReferenceError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
