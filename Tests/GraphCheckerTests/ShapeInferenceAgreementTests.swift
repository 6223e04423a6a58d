import Foundation
import GraphChecker
import ModelFormats
import ModelIR
import TestSupport
import XCTest

/// ModelGate's inferred `value_info` against `onnx.shape_inference.infer_shapes` on the node and
/// light suites: where both know a value's element type or a dimension, they must agree.
final class ShapeInferenceAgreementTests: XCTestCase {
    private struct Inferred: Decodable {
        struct Value: Decodable {
            var elem_type: Int32
            var shape: [DimensionValue]?
        }

        enum DimensionValue: Decodable, Equatable {
            case fixed(Int), symbolic(String), unknown

            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if container.decodeNil() { self = .unknown }
                else if let value = try? container.decode(Int.self) { self = .fixed(value) }
                else { self = .symbolic(try container.decode(String.self)) }
            }
        }

        var path: String
        var values: [String: Value]?
        var error: String?
    }

    func testInferredTypesAndShapesAgreeWithONNX() throws {
        guard let python = FixturePaths.python else { throw FixtureError.missingPython }
        let cases = try FixturePaths.suiteCases("node") + FixturePaths.suiteCases("light")
        let paths = cases.map { $0.appendingPathComponent("model.onnx").path }
        let list = FileManager.default.temporaryDirectory.appendingPathComponent("infer-\(UUID().uuidString).txt")
        try paths.joined(separator: "\n").write(to: list, atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: list) }
        let script = FixturePaths.repositoryRoot.appendingPathComponent("Tools/onnx_infer_shapes.py")
        let result = try runProcess(python, [script.path, "--list", list.path], timeout: 900)
        guard result.exitCode == 0 else { throw ReferenceError(message: "Tools/onnx_infer_shapes.py failed: \(result.standardError.suffix(2_000))") }

        let checker = GraphChecker()
        var compared = 0, typesKnown = 0, shapesKnown = 0, fullyKnownByONNX = 0, fullyMatched = 0
        var conflicts: [String] = []
        var unmatchedByOp: [String: Int] = [:]
        for line in result.standardOutput.split(separator: "\n") {
            let reference = try JSONDecoder().decode(Inferred.self, from: Data(line.utf8))
            guard let values = reference.values, let model = try? ONNXModelFile.load(URL(fileURLWithPath: reference.path)) else { continue }
            let ours = Dictionary(checker.inferringShapes(of: model).graph.valueInfo.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
            let name = URL(fileURLWithPath: reference.path).deletingLastPathComponent().lastPathComponent
            var producers: [String: String] = [:]
            for node in model.graph.nodes { for output in node.outputs { producers[output] = node.opType } }
            for (value, expected) in values {
                let expectedDims = expected.shape
                let fullyStatic = expectedDims?.allSatisfy({ if case .fixed = $0 { return true }; return false }) ?? false
                if fullyStatic { fullyKnownByONNX += 1 }
                if fullyStatic, case let .tensor(_, shape)? = ours[value]?.type?.type, shape?.fixedSizes != nil {
                } else if fullyStatic {
                    unmatchedByOp[producers[value] ?? "?", default: 0] += 1
                }
                guard case let .tensor(element, shape)? = ours[value]?.type?.type else { continue }
                compared += 1
                if element != .undefined && expected.elem_type != 0 {
                    typesKnown += 1
                    if element.rawValue != expected.elem_type {
                        conflicts.append("\(name) '\(value)': element type \(element) vs onnx \(expected.elem_type)")
                    }
                }
                guard let shape, let expectedDims else { continue }
                shapesKnown += 1
                guard shape.rank == expectedDims.count else {
                    conflicts.append("\(name) '\(value)': shape \(shape) vs onnx \(expectedDims)")
                    continue
                }
                var same = true
                for (mine, theirs) in zip(shape.dimensions.map(\.dimension), expectedDims) {
                    if case .fixed(let a) = mine, case .fixed(let b) = theirs, a != b {
                        conflicts.append("\(name) '\(value)': shape \(shape) vs onnx \(expectedDims)")
                    }
                    if case .fixed(let b) = theirs, mine != .fixed(b) { same = false }
                }
                if same, expectedDims.allSatisfy({ if case .fixed = $0 { return true }; return false }) { fullyMatched += 1 }
            }
        }
        print("shape inference: \(compared) values compared, \(typesKnown) element types, \(shapesKnown) shapes; "
            + "\(fullyMatched) of the \(fullyKnownByONNX) values onnx infers fully static shapes for are matched exactly; \(conflicts.count) conflicts")
        print("static shapes onnx infers and ModelGate does not, by producing op: "
            + unmatchedByOp.sorted { $0.value > $1.value }.prefix(25).map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        XCTAssertEqual(conflicts.count, 0, conflicts.prefix(40).joined(separator: "\n"))
        XCTAssertGreaterThan(compared, 1_000)
    }
}
