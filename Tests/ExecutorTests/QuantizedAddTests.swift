@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// `QuantizedAdd` (the residual Add of a QDQ model run on the integers) against the reference
/// plan: DequantizeLinear of both inputs, the float Add, and the QuantizeLinear after it.
final class QuantizedAddTests: XCTestCase {
    /// DequantizeLinear(A), DequantizeLinear(B) → Add → (QuantizeLinear → DequantizeLinear when
    /// `quantizes`), with int8 A and uint8 B of different scales.
    private func model(quantizes: Bool, bShape: [Int]) -> Model {
        var nodes = [
            Node(name: "dqa", opType: "DequantizeLinear", inputs: ["A", "as", "az"], outputs: ["Ad"]),
            Node(name: "dqb", opType: "DequantizeLinear", inputs: ["B", "bs", "bz"], outputs: ["Bd"]),
            Node(name: "add", opType: "Add", inputs: ["Ad", "Bd"], outputs: [quantizes ? "S" : "Y"]),
        ]
        if quantizes {
            nodes += [Node(name: "q", opType: "QuantizeLinear", inputs: ["S", "ys", "yz"], outputs: ["Q"]),
                      Node(name: "dq", opType: "DequantizeLinear", inputs: ["Q", "ys", "yz"], outputs: ["Y"])]
        }
        let initializers = [
            GraphBuilder.tensor("as", [], [0.03]), try! Tensor(name: "az", converting: [-4], to: .int8, shape: []),
            GraphBuilder.tensor("bs", [], [0.05]), try! Tensor(name: "bz", converting: [130], to: .uint8, shape: []),
            GraphBuilder.tensor("ys", [], [0.07]), try! Tensor(name: "yz", converting: [100], to: .uint8, shape: []),
        ]
        return GraphBuilder.model(nodes, inputs: [GraphBuilder.value("A", .int8), GraphBuilder.value("B", .uint8, bShape)],
                                  outputs: [GraphBuilder.value("Y")], initializers: initializers, opset: 13)
    }

    private func inputs(_ random: inout SeededGenerator, count: Int, bShape: [Int]) throws -> [String: Tensor] {
        let a = try Tensor(converting: (0..<count).map { _ in Double(random.int(-128...127)) }, to: .int8, shape: [2, 3, count / 6])
        let bCount = bShape.reduce(1, *)
        let b = try Tensor(converting: (0..<bCount).map { _ in Double(random.int(0...255)) }, to: .uint8, shape: bShape)
        return ["A": a, "B": b]
    }

    /// With the QuantizeLinear after it: one `QuantizedAdd` step writing the quantized sum, equal to
    /// the reference byte for byte at one and two threads (the same float sum, then QuantizeLinear's
    /// division). 1,002 elements cover the vector loops and their scalar tails.
    func testQuantizedSumEqualsTheReference() throws {
        var random = SeededGenerator(state: 61)
        let evaluator = try Evaluator(model: model(quantizes: true, bShape: [2, 3, 167]))
        let kinds = evaluator.fastGraph?.steps.map { String(describing: type(of: $0.kernel)) } ?? []
        XCTAssertEqual(kinds, ["QuantizedAdd", "FastDequantizeLinear"])
        XCTAssertEqual((evaluator.fastGraph?.steps.first?.kernel as? QuantizedAdd)?.output?.zeroPoint, 100)
        let feeds = try inputs(&random, count: 1002, bShape: [2, 3, 167])
        let reference = try XCTUnwrap(try evaluator.run(tensors: feeds, captureIntermediates: true)["Y"]?.tensor).floatValues()
        defer { ExecutorThreads.set(1) }
        for threads in [1, 2] {
            ExecutorThreads.set(threads)
            let fast = try XCTUnwrap(try evaluator.run(tensors: feeds)["Y"]?.tensor).floatValues()
            XCTAssertEqual(fast.count, 1002)
            XCTAssertEqual(fast, reference, "threads \(threads)")
            XCTAssertGreaterThan(Set(fast).count, 50, "the sums should spread over many levels")
        }
    }

    /// Scales 0.5, 0.25 and output 0.5: every odd `b − zero` puts the sum exactly on a rounding
    /// boundary; the fast plan rounds it to even, as QuantizeLinear does.
    func testSumsOnRoundingBoundariesRoundToEven() throws {
        let nodes = [
            Node(name: "dqa", opType: "DequantizeLinear", inputs: ["A", "as", "az"], outputs: ["Ad"]),
            Node(name: "dqb", opType: "DequantizeLinear", inputs: ["B", "bs", "bz"], outputs: ["Bd"]),
            Node(name: "add", opType: "Add", inputs: ["Ad", "Bd"], outputs: ["S"]),
            Node(name: "q", opType: "QuantizeLinear", inputs: ["S", "ys", "yz"], outputs: ["Y"]),
        ]
        let initializers = [
            GraphBuilder.tensor("as", [], [0.5]), try Tensor(name: "az", converting: [-3], to: .int8, shape: []),
            GraphBuilder.tensor("bs", [], [0.25]), try Tensor(name: "bz", converting: [128], to: .uint8, shape: []),
            GraphBuilder.tensor("ys", [], [0.5]), try Tensor(name: "yz", converting: [4], to: .int8, shape: []),
        ]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("A", .int8), GraphBuilder.value("B", .uint8)],
                                       outputs: [GraphBuilder.value("Y", .int8)], initializers: initializers, opset: 13)
        let a = (0..<256).map { ($0 * 7) % 90 - 45 }, b = (0..<256).map { $0 }
        let feeds = ["A": try Tensor(converting: a.map(Double.init), to: .int8, shape: [256]),
                     "B": try Tensor(converting: b.map(Double.init), to: .uint8, shape: [256])]
        let evaluator = try Evaluator(model: model)
        XCTAssertEqual(evaluator.fastGraph?.steps.map { String(describing: type(of: $0.kernel)) }, ["QuantizedAdd"])
        let fast = try XCTUnwrap(try evaluator.run(tensors: feeds)["Y"]?.tensor).int64Values()
        let reference = try XCTUnwrap(try evaluator.run(tensors: feeds, captureIntermediates: true)["Y"]?.tensor).int64Values()
        XCTAssertEqual(fast, reference)
        let expected = (0..<256).map { i -> Int64 in
            let quotient = Double(a[i] + 3) + Double(b[i] - 128) / 2
            return Int64(min(max(quotient.rounded(.toNearestOrEven) + 4, -128), 127))
        }
        XCTAssertEqual(fast, expected)
        XCTAssertEqual((0..<256).filter { (b[$0] - 128) % 2 != 0 }.count, 128, "half of the sums are ties")
    }

    /// Without a QuantizeLinear the float sums equal the reference's exactly: the same operations
    /// in the same order.
    func testFloatSumEqualsTheReferenceExactly() throws {
        var random = SeededGenerator(state: 62)
        let evaluator = try Evaluator(model: model(quantizes: false, bShape: [2, 3, 40]))
        XCTAssertEqual(evaluator.fastGraph?.steps.map { String(describing: type(of: $0.kernel)) }, ["QuantizedAdd"])
        let feeds = try inputs(&random, count: 240, bShape: [2, 3, 40])
        let reference = try XCTUnwrap(try evaluator.run(tensors: feeds, captureIntermediates: true)["Y"]?.tensor).floatValues()
        let fast = try XCTUnwrap(try evaluator.run(tensors: feeds)["Y"]?.tensor).floatValues()
        XCTAssertEqual(fast, reference)
        XCTAssertGreaterThan(Set(fast).count, 100)
    }

    /// Broadcasting inputs take the fallback (dequantize, the step's own Add), with the reference's results.
    func testBroadcastingInputsFallBackToTheReferenceResult() throws {
        var random = SeededGenerator(state: 63)
        let evaluator = try Evaluator(model: model(quantizes: true, bShape: [1, 3, 1]))
        let feeds = try inputs(&random, count: 60, bShape: [1, 3, 1])
        let reference = try XCTUnwrap(try evaluator.run(tensors: feeds, captureIntermediates: true)["Y"]?.tensor)
        let fast = try XCTUnwrap(try evaluator.run(tensors: feeds)["Y"]?.tensor)
        XCTAssertEqual(fast.shape, [2, 3, 10])
        XCTAssertEqual(try fast.floatValues(), try reference.floatValues())
    }
}
