@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// Kernels that write their result quantized when a QuantizeLinear reads it (`QuantizingKernel`)
/// against the reference plan, on the head of a quantized classifier: global average pooling as
/// ReduceMean, QuantizeLinear, a quantized Gemm, QuantizeLinear.
final class QuantizedOutputTests: XCTestCase {
    func testReduceMeanAndGemmWriteTheirResultsQuantized() throws {
        var random = SeededGenerator(state: 81)
        let (channels, classes) = (24, 10)
        let initializers = [
            GraphBuilder.tensor("ms", [], [0.01]), try Tensor(name: "mz", converting: [-20], to: .int8, shape: []),
            try Tensor(name: "Wq", converting: (0..<(channels * classes)).map { _ in Double(random.int(-127...127)) }, to: .int8,
                       shape: [channels, classes]),
            GraphBuilder.tensor("Ws", [classes], (0..<classes).map { _ in random.float(0.002...0.01) }),
            GraphBuilder.tensor("B", [classes], (0..<classes).map { _ in random.float(-0.5...0.5) }),
            GraphBuilder.tensor("ys", [], [0.02]), try Tensor(name: "yz", converting: [128], to: .uint8, shape: []),
        ]
        let nodes = [
            Node(name: "gap", opType: "ReduceMean", inputs: ["X"], outputs: ["M"],
                 attributes: [GraphBuilder.ints("axes", [2, 3]), GraphBuilder.int("keepdims", 0)]),
            Node(name: "qm", opType: "QuantizeLinear", inputs: ["M", "ms", "mz"], outputs: ["Mq"]),
            Node(name: "dqm", opType: "DequantizeLinear", inputs: ["Mq", "ms", "mz"], outputs: ["Md"]),
            Node(name: "dqw", opType: "DequantizeLinear", inputs: ["Wq", "Ws"], outputs: ["Wd"], attributes: [GraphBuilder.int("axis", 1)]),
            Node(name: "fc", opType: "Gemm", inputs: ["Md", "Wd", "B"], outputs: ["G"]),
            Node(name: "qy", opType: "QuantizeLinear", inputs: ["G", "ys", "yz"], outputs: ["Yq"]),
            Node(name: "dqy", opType: "DequantizeLinear", inputs: ["Yq", "ys", "yz"], outputs: ["Y"]),
        ]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 13)
        let evaluator = try Evaluator(model: model)
        let steps = evaluator.fastGraph?.steps ?? []
        XCTAssertEqual(steps.map { String(describing: type(of: $0.kernel)) }, ["FastReduceMean", "QuantizedGemm", "FastDequantizeLinear"])
        XCTAssertEqual((steps.first?.kernel as? FastReduceMean)?.output?.zeroPoint, -20)
        XCTAssertEqual((steps.dropFirst().first?.kernel as? QuantizedGemm)?.output?.zeroPoint, 128)
        let x = GraphBuilder.tensor([3, channels, 7, 7], (0..<(3 * channels * 49)).map { _ in random.float(-1.2...1.5) })
        let reference = try XCTUnwrap(try evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor).floatValues()
        let fast = try XCTUnwrap(try evaluator.run(tensors: ["X": x])["Y"]?.tensor)
        XCTAssertEqual(fast.shape, [3, classes])
        let values = try fast.floatValues()
        // The means summed in another order than the reference's, and the Gemm's exact integer sums
        // against the reference's float sums, may each move a value across a rounding boundary:
        // one step of the Gemm's output, or what one step of a mean makes of it.
        let step = Float(0.02), meanStep = Float(0.01) * 127 * 0.01 * 1.01
        let differing = zip(values, reference).filter { $0 != $1 }
        XCTAssertTrue(differing.allSatisfy { abs($0 - $1) <= step + meanStep + step }, "\(differing.prefix(5))")
        XCTAssertLessThanOrEqual(differing.count, 3)
        XCTAssertGreaterThan(Set(values).count, 15, "the logits should spread over many levels")
    }
}
