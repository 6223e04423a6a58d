@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// A graph with an If (as detection models end) still takes the fast plan for its other steps,
/// and the values the branches read by name stay computed: a Conv output a branch reads is not
/// absorbed into a fused Conv+Relu, and a folded constant a branch reads is kept.
final class FastPlanScopeTests: XCTestCase {
    /// `conv = Conv(X, W = [[[[-1]]]], B = [0.5])`, `Y = Relu(conv)`, `shape_w = Shape(W)`; an If
    /// whose then-branch returns `conv − X` and `shape_w`, else-branch `X` and `shape_w`.
    private func model() -> Model {
        func branch(_ name: String, _ first: Node) -> Graph {
            Graph(name: name, nodes: [first, Node(opType: "Identity", inputs: ["shape_w"], outputs: ["\(name)_shape"])],
                  outputs: [GraphBuilder.value("\(name)_z"), GraphBuilder.value("\(name)_shape", .int64)])
        }
        let thenBranch = branch("then", Node(opType: "Sub", inputs: ["conv", "X"], outputs: ["then_z"]))
        let elseBranch = branch("else", Node(opType: "Identity", inputs: ["X"], outputs: ["else_z"]))
        return GraphBuilder.model(
            [Node(name: "conv", opType: "Conv", inputs: ["X", "W", "B"], outputs: ["conv"]),
             Node(name: "relu", opType: "Relu", inputs: ["conv"], outputs: ["Y"]),
             Node(name: "shape_of_w", opType: "Shape", inputs: ["W"], outputs: ["shape_w"]),
             Node(name: "choose", opType: "If", inputs: ["cond"], outputs: ["Z", "S"],
                  attributes: [GraphBuilder.graph("then_branch", thenBranch), GraphBuilder.graph("else_branch", elseBranch)])],
            inputs: [GraphBuilder.value("X", .float, [1, 1, 2, 2]), GraphBuilder.value("cond", .bool, [])],
            outputs: [GraphBuilder.value("Y"), GraphBuilder.value("Z"), GraphBuilder.value("S", .int64)],
            initializers: [GraphBuilder.tensor("W", [1, 1, 1, 1], [-1]), GraphBuilder.tensor("B", [1], [0.5])],
            opset: 17)
    }

    func testBranchesReadConvOutputAndFoldedShapeUnderTheFastPlan() throws {
        let evaluator = try Evaluator(model: model())
        let fast = try XCTUnwrap(evaluator.fastGraph, "a graph with an If takes the fast plan")
        XCTAssertTrue(fast.steps.contains { $0.kernel is FusedConv }, fast.steps.map(\.opType).description)
        XCTAssertTrue(fast.steps.contains { $0.opType == "Relu" }, "Relu stays a step: the branch reads the Conv output")
        XCTAssertFalse(fast.steps.contains { $0.opType == "Shape" }, "Shape of an initializer is folded")

        let x = GraphBuilder.tensor([1, 1, 2, 2], [1, 2, -3, 0.25])
        let taken = try evaluator.run(tensors: ["X": x, "cond": Tensor(scalar: true)])
        // conv = 0.5 − x = [-0.5, -1.5, 3.5, 0.25]
        assertClose(try XCTUnwrap(taken["Y"]?.tensor).floatValues(), [0, 0, 3.5, 0.25])
        assertClose(try XCTUnwrap(taken["Z"]?.tensor).floatValues(), [-1.5, -3.5, 6.5, 0])
        XCTAssertEqual(try XCTUnwrap(taken["S"]?.tensor).int64Values(), [1, 1, 1, 1])

        let other = try evaluator.run(tensors: ["X": x, "cond": Tensor(scalar: false)])
        assertClose(try XCTUnwrap(other["Z"]?.tensor).floatValues(), [1, 2, -3, 0.25])
        XCTAssertEqual(try XCTUnwrap(other["S"]?.tensor).int64Values(), [1, 1, 1, 1])
    }
}
