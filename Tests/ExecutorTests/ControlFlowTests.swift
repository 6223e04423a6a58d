import Executor
import ModelIR
import TestSupport
import XCTest

final class ControlFlowTests: XCTestCase {
    /// If whose branches read `X` and `bias` from the enclosing graph.
    func testIfBranchesReadOuterScope() throws {
        let thenBranch = Graph(name: "then", nodes: [Node(opType: "Add", inputs: ["X", "bias"], outputs: ["then_out"])],
                               outputs: [GraphBuilder.value("then_out")])
        let elseBranch = Graph(name: "else", nodes: [Node(opType: "Sub", inputs: ["X", "bias"], outputs: ["else_out"])],
                               outputs: [GraphBuilder.value("else_out")])
        let model = GraphBuilder.model(
            [Node(name: "branch", opType: "If", inputs: ["cond"], outputs: ["Y"],
                  attributes: [GraphBuilder.graph("then_branch", thenBranch), GraphBuilder.graph("else_branch", elseBranch)]),
             Node(name: "make_bias", opType: "Mul", inputs: ["X", "X"], outputs: ["bias"])],
            inputs: [GraphBuilder.value("cond", .bool, []), GraphBuilder.value("X", .float, [2])],
            outputs: [GraphBuilder.value("Y")])
        let x = GraphBuilder.tensor([2], [2, 3])
        let evaluator = try Evaluator(model: model)
        let yes = try XCTUnwrap(evaluator.run(tensors: ["cond": Tensor(scalar: true), "X": x])["Y"]?.tensor)
        assertClose(try yes.floatValues(), [6, 12])
        let no = try XCTUnwrap(evaluator.run(tensors: ["cond": Tensor(scalar: false), "X": x])["Y"]?.tensor)
        assertClose(try no.floatValues(), [-2, -6])
    }

    /// Loop adding the outer `step` to a carried sum three times, also scanning the running sum.
    func testLoopCarriesValuesAndStacksScanOutputs() throws {
        let body = Graph(name: "body",
                         nodes: [Node(opType: "Add", inputs: ["sum_in", "step"], outputs: ["sum_out"]),
                                 Node(opType: "Identity", inputs: ["cond_in"], outputs: ["cond_out"]),
                                 Node(opType: "Identity", inputs: ["sum_out"], outputs: ["scan_out"])],
                         inputs: [GraphBuilder.value("i", .int64, []), GraphBuilder.value("cond_in", .bool, []), GraphBuilder.value("sum_in")],
                         outputs: [GraphBuilder.value("cond_out", .bool), GraphBuilder.value("sum_out"), GraphBuilder.value("scan_out")])
        let model = GraphBuilder.model(
            [Node(name: "loop", opType: "Loop", inputs: ["M", "", "start"], outputs: ["total", "history"],
                  attributes: [GraphBuilder.graph("body", body)])],
            inputs: [GraphBuilder.value("M", .int64, []), GraphBuilder.value("start", .float, [2]), GraphBuilder.value("step", .float, [2])],
            outputs: [GraphBuilder.value("total"), GraphBuilder.value("history")])
        let result = try Evaluator(model: model).run(tensors: ["M": Tensor(scalar: Int64(3)),
                                                               "start": GraphBuilder.tensor([2], [0, 1]),
                                                               "step": GraphBuilder.tensor([2], [1, 10])])
        assertClose(try XCTUnwrap(result["total"]?.tensor).floatValues(), [3, 31])
        let history = try XCTUnwrap(result["history"]?.tensor)
        XCTAssertEqual(history.shape, [3, 2])
        assertClose(try history.floatValues(), [1, 11, 2, 21, 3, 31])
    }

    /// Scan computing a cumulative sum over the rows of X.
    func testScanCumulativeSum() throws {
        let body = Graph(name: "body",
                         nodes: [Node(opType: "Add", inputs: ["acc_in", "row"], outputs: ["acc_out"]),
                                 Node(opType: "Identity", inputs: ["acc_out"], outputs: ["scan_out"])],
                         inputs: [GraphBuilder.value("acc_in"), GraphBuilder.value("row")],
                         outputs: [GraphBuilder.value("acc_out"), GraphBuilder.value("scan_out")])
        let model = GraphBuilder.model(
            [Node(opType: "Scan", inputs: ["init", "X"], outputs: ["final", "sums"],
                  attributes: [GraphBuilder.graph("body", body), GraphBuilder.int("num_scan_inputs", 1)])],
            inputs: [GraphBuilder.value("init", .float, [2]), GraphBuilder.value("X", .float, [3, 2])],
            outputs: [GraphBuilder.value("final"), GraphBuilder.value("sums")])
        let result = try Evaluator(model: model).run(tensors: ["init": GraphBuilder.tensor([2], [0, 0]),
                                                               "X": GraphBuilder.tensor([3, 2], [1, 2, 3, 4, 5, 6])])
        assertClose(try XCTUnwrap(result["final"]?.tensor).floatValues(), [9, 12])
        assertClose(try XCTUnwrap(result["sums"]?.tensor).floatValues(), [1, 2, 4, 6, 9, 12])
    }
}
