import Foundation
import GraphChecker
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// `GraphChecker` against `onnx.checker.check_model(full_check=True)` on the ONNX backend suite:
/// every node case, light model and simple / pytorch-converted / pytorch-operator case must get
/// the same verdict.
final class SuiteAgreementTests: XCTestCase {
    func testVerdictsAgreeWithONNXCheckerOnTheBackendSuites() throws {
        let cases = try ["node", "light", "simple", "pytorch-converted", "pytorch-operator"].flatMap(FixturePaths.suiteCases)
        let paths = cases.map { $0.appendingPathComponent("model.onnx").path }
        let reference = try ONNXReference.verdicts(for: paths)
        XCTAssertEqual(reference.count, paths.count, "onnx_check.py answered for every model")

        let checker = GraphChecker()
        var agree = 0
        var disagreements: [String] = []
        for path in paths {
            guard let expected = reference[path] else { continue }
            let (valid, detail) = Self.verdict(of: path, checker: checker)
            if valid == expected.valid {
                agree += 1
            } else {
                let name = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
                disagreements.append("\(name): onnx says \(expected.valid ? "valid" : "invalid (\(expected.error))"), ModelGate says \(valid ? "valid" : "invalid (\(detail))")")
            }
        }
        print("suite agreement: \(agree)/\(paths.count)")
        XCTAssertEqual(agree, paths.count, "disagreements:\n" + disagreements.prefix(50).joined(separator: "\n"))
        XCTAssertGreaterThan(paths.count, 1_800, "the node suite has about 1,884 cases")
    }

    /// The checker's verdict, with the first error (or the load error) for messages.
    static func verdict(of path: String, checker: GraphChecker) -> (valid: Bool, detail: String) {
        do {
            let model = try ONNXModelFile.load(URL(fileURLWithPath: path))
            let report = checker.check(model)
            return (report.isValid, report.errors.first?.message ?? "")
        } catch {
            return (false, error.description)
        }
    }
}
