import Foundation
import GraphChecker
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// Invalid models made from the valid node and light cases (`ModelMutator`), saved to a temporary
/// folder and judged by both `onnx.checker.check_model(full_check=True)` and `GraphChecker`: the
/// verdicts must agree on at least 99 % of them, and every mutant the checker rejects must have an
/// error that names the node (or tensor) the mutation broke.
final class MutationAgreementTests: XCTestCase {
    func testMutantVerdictsAgreeWithONNXChecker() throws {
        let cases = try FixturePaths.suiteCases("node") + FixturePaths.suiteCases("light")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("modelgate-mutants-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }

        let mutator = ModelMutator()
        var mutants: [(mutant: Mutant, path: String)] = []
        for folderURL in cases {
            let name = folderURL.lastPathComponent
            guard let model = try? ONNXModelFile.load(folderURL.appendingPathComponent("model.onnx")) else { continue }
            for mutant in mutator.mutants(of: model, named: name) {
                let url = folder.appendingPathComponent("\(name)__\(mutant.kind).onnx")
                if let model = mutant.model {
                    try ONNXModelFile.save(model, to: url)
                } else if let bytes = mutant.bytes {
                    try bytes.write(to: url)
                } else {
                    continue
                }
                mutants.append((mutant, url.path))
            }
        }
        let reference = try ONNXReference.verdicts(for: mutants.map(\.path))

        let checker = GraphChecker(lint: false)
        var agree = 0
        var disagreements: [String] = []
        var unnamed: [String] = []
        var perKind: [String: (total: Int, agree: Int, invalid: Int)] = [:]
        for (mutant, path) in mutants {
            guard let expected = reference[path] else { continue }
            var valid = false
            var errors: [Finding] = []
            var loadError: String? = nil
            do {
                let report = checker.check(try ONNXModelFile.load(URL(fileURLWithPath: path)))
                valid = report.isValid
                errors = report.errors
            } catch {
                loadError = error.description
            }
            var stats = perKind[mutant.kind] ?? (0, 0, 0)
            stats.total += 1
            if !expected.valid { stats.invalid += 1 }
            if valid == expected.valid {
                agree += 1
                stats.agree += 1
            } else {
                let first = loadError ?? errors.first?.message ?? ""
                disagreements.append("\(mutant.base) [\(mutant.kind)]: onnx \(expected.valid ? "valid" : "invalid: \(expected.error.prefix(200))") | ModelGate \(valid ? "valid" : "invalid: \(first.prefix(200))")")
            }
            perKind[mutant.kind] = stats
            if !valid && !Self.namesCulprit(mutant.blame, errors: errors, loadError: loadError) {
                unnamed.append("\(mutant.base) [\(mutant.kind)] blame \(mutant.blame): \(loadError ?? String(errors.map { "\($0.node ?? "-"): \($0.message)" }.joined(separator: "; ").prefix(300)))")
            }
        }
        let total = mutants.count
        print("mutation agreement: \(agree)/\(total) (\(String(format: "%.2f", 100 * Double(agree) / Double(max(total, 1))))%)")
        for (kind, stats) in perKind.sorted(by: { $0.key < $1.key }) {
            print("  \(kind): \(stats.agree)/\(stats.total) agree, onnx calls \(stats.invalid) invalid")
        }
        print("disagreements (\(disagreements.count)):\n" + disagreements.joined(separator: "\n"))
        XCTAssertGreaterThan(total, 10_000, "the mutator makes many mutants")
        XCTAssertGreaterThanOrEqual(Double(agree), 0.99 * Double(total), "\(disagreements.count) disagreements; first ones:\n" + disagreements.prefix(30).joined(separator: "\n"))
        XCTAssertTrue(unnamed.isEmpty, "\(unnamed.count) rejected mutants whose errors do not name the broken node:\n" + unnamed.prefix(30).joined(separator: "\n"))
    }

    /// True when an error names what the mutation broke.
    static func namesCulprit(_ blame: Blame, errors: [Finding], loadError: String?) -> Bool {
        switch blame {
        case .nodes(let labels):
            if labels.isEmpty { return true }
            return errors.contains { $0.node.map(labels.contains) ?? false }
        case .model:
            return loadError != nil || !errors.isEmpty
        case .tensor(let name):
            return (loadError ?? "").contains("'\(name)'") || errors.contains { $0.message.contains("'\(name)'") }
        case .none:
            return true
        }
    }
}
