import Foundation
import Harness
import XCTest

/// The ratchet: every node case listed in `passing.txt` must keep passing. Regenerate the list with
/// `modelgate conformance .cache/onnx-suite/node --report r.json` and the passing names in it;
/// a case may be added when it starts passing, never silently dropped.
final class ConformanceRatchetTests: XCTestCase {
    private var here: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent() }

    func testListedNodeCasesStillPass() throws {
        let suite = here.appendingPathComponent("../../.cache/onnx-suite/node").standardizedFileURL
        guard FileManager.default.fileExists(atPath: suite.path) else {
            throw XCTSkip("\(suite.path) is missing; run Tools/onnx-suite.sh to generate the ONNX backend test data")
        }
        let listed = try String(contentsOf: here.appendingPathComponent("passing.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        XCTAssertFalse(listed.isEmpty, "passing.txt lists no cases")
        var failures: [String] = []
        for name in listed {
            let directory = suite.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.onnx").path) else {
                failures.append("\(name): the case is missing from \(suite.path)")
                continue
            }
            let result = ConformanceCase(directory: directory, name: name).run()
            if !result.passed { failures.append("\(name): \(result.reason ?? "failed")") }
        }
        XCTAssertTrue(failures.isEmpty, "\(failures.count) of \(listed.count) listed cases no longer pass:\n" + failures.joined(separator: "\n"))
    }
}
