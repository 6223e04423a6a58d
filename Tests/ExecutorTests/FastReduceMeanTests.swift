@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// `FastReduceMean` (ReduceMean over trailing axes in vector lanes) against the reference
/// plan's double-precision reduction, for axes as an attribute (opset 13) and as an input (18).
final class FastReduceMeanTests: XCTestCase {
    private func model(axes: [Int64]?, keepDims: Bool, opset: Int64) -> Model {
        var attributes = [GraphBuilder.int("keepdims", keepDims ? 1 : 0)]
        var inputs = ["X"], initializers: [Tensor] = []
        if let axes {
            if opset >= 18 {
                inputs.append("axes")
                initializers.append(GraphBuilder.int64s("axes", axes))
            } else {
                attributes.append(GraphBuilder.ints("axes", axes))
            }
        }
        let node = Node(name: "mean", opType: "ReduceMean", inputs: inputs, outputs: ["Y"], attributes: attributes)
        return GraphBuilder.model([node], inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                  initializers: initializers, opset: opset)
    }

    /// Trailing axes (positive, negative, all) with and without keepdims: the fast kernel runs and
    /// its means are within float summation of the reference's, in the reference's shape.
    func testTrailingAxesMatchTheReference() throws {
        var random = SeededGenerator(state: 71)
        let shape = [2, 5, 7, 9]
        let x = GraphBuilder.tensor(shape, (0..<630).map { _ in random.float(-4...4) })
        let cases: [([Int64]?, [Int])] = [([2, 3], [2, 5]), ([-1], [2, 5, 7]), ([1, 2, 3], [2]), ([3, -2], [2, 5]), (nil, [])]
        for opset: Int64 in [13, 18] {
            for (axes, reducedShape) in cases {
                for keepDims in [true, false] {
                    let context = "opset \(opset) axes \(axes.map { "\($0)" } ?? "all") keepdims \(keepDims)"
                    let evaluator = try Evaluator(model: model(axes: axes, keepDims: keepDims, opset: opset))
                    XCTAssertEqual(evaluator.fastGraph?.steps.map { String(describing: type(of: $0.kernel)) }, ["FastReduceMean"], context)
                    let reference = try XCTUnwrap(try evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
                    let fast = try XCTUnwrap(try evaluator.run(tensors: ["X": x])["Y"]?.tensor)
                    XCTAssertEqual(fast.shape, reference.shape, context)
                    let expectedShape = keepDims ? reducedShape + [Int](repeating: 1, count: shape.count - reducedShape.count) : reducedShape
                    XCTAssertEqual(fast.shape, expectedShape, context)
                    for (f, r) in zip(try fast.floatValues(), try reference.floatValues()) {
                        XCTAssertEqual(f, r, accuracy: 1e-5, context)
                    }
                }
            }
        }
    }

    /// Axes that are not the trailing ones run the step's own kernel, with its result.
    func testOtherAxesRunTheReferenceKernel() throws {
        var random = SeededGenerator(state: 72)
        let x = GraphBuilder.tensor([3, 4, 5], (0..<60).map { _ in random.float(-4...4) })
        let evaluator = try Evaluator(model: model(axes: [1], keepDims: true, opset: 13))
        XCTAssertEqual(evaluator.fastGraph?.steps.map { String(describing: type(of: $0.kernel)) }, ["FastReduceMean"])
        let reference = try XCTUnwrap(try evaluator.run(tensors: ["X": x], captureIntermediates: true)["Y"]?.tensor)
        let fast = try XCTUnwrap(try evaluator.run(tensors: ["X": x])["Y"]?.tensor)
        XCTAssertEqual(fast.shape, [3, 1, 5])
        XCTAssertEqual(try fast.floatValues(), try reference.floatValues())
    }
}
