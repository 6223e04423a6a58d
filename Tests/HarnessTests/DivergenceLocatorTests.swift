import Executor
@testable import Harness
import ModelIR
import TestSupport
import XCTest

/// `DivergenceLocator.diagnose` on a chain x → Relu → Mul(2) → Add(1) → Sigmoid → y whose path
/// graph scales by 2.5 instead of 2: the Mul is the first diverging node, and a memory budget that
/// holds only the first values of the fp32 graph limits the comparison to them.
final class DivergenceLocatorTests: XCTestCase {
    static func chain(scale: Float) -> Model {
        GraphBuilder.model([
            Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["r"]),
            Node(name: "scale", opType: "Mul", inputs: ["r", "k"], outputs: ["m"]),
            Node(name: "shift", opType: "Add", inputs: ["m", "one"], outputs: ["a"]),
            Node(name: "squash", opType: "Sigmoid", inputs: ["a"], outputs: ["y"]),
        ], inputs: [GraphBuilder.value("x", .float, [2, 64])], outputs: [GraphBuilder.value("y", .float, [2, 64])],
           initializers: [GraphBuilder.tensor("k", [1], [scale]), GraphBuilder.tensor("one", [1], [1])])
    }

    let feeds = ["x": GraphBuilder.tensor([2, 64], (0..<128).map { Float($0 % 17) / 4 - 2 })]

    func testTheFirstDivergingNodeIsTheChangedOne() throws {
        let diagnosis = try DivergenceLocator().diagnose(reference: Evaluator(model: Self.chain(scale: 2)), model: Evaluator(model: Self.chain(scale: 2.5)),
                                                         feeds: feeds, thresholdSNRdB: 40)
        XCTAssertEqual(diagnosis.firstDivergingNode, "scale")
        XCTAssertEqual(diagnosis.firstDivergingOp, "Mul")
        XCTAssertEqual(diagnosis.nodes.map(\.node), ["relu", "scale", "shift", "squash"])
        XCTAssertEqual(diagnosis.nodes[0].snrDB, .infinity)
        XCTAssertEqual(diagnosis.nodes[1].maxAbsError, 1, accuracy: 1e-6, "0.5 × the largest Relu output, 2")
    }

    func testTheComparisonStopsWhereTheMemoryBudgetEnds() throws {
        let twoValues = 2 * 128 * MemoryLayout<Double>.size
        let locator = DivergenceLocator(memoryBudgetBytes: twoValues)
        let diagnosis = try locator.diagnose(reference: Evaluator(model: Self.chain(scale: 2)), model: Evaluator(model: Self.chain(scale: 2.5)),
                                             feeds: feeds, thresholdSNRdB: 40)
        XCTAssertEqual(diagnosis.nodes.map(\.node), ["relu", "scale"])
        XCTAssertEqual(diagnosis.firstDivergingNode, "scale")
        let none = try DivergenceLocator(memoryBudgetBytes: twoValues - 1).diagnose(
            reference: Evaluator(model: Self.chain(scale: 2)), model: Evaluator(model: Self.chain(scale: 2.5)), feeds: feeds, thresholdSNRdB: 40)
        XCTAssertEqual(none.nodes.map(\.node), ["relu"])
        XCTAssertNil(none.firstDivergingNode, "the diverging node lies beyond the budget")
    }
}
