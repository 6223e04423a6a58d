@testable import Executor
import ModelIR
import TestSupport
import XCTest

final class KernelRegistryTests: XCTestCase {
    func testPicksHighestSinceVersionNotAboveOpset() {
        let registry = KernelRegistry.standard
        XCTAssertTrue(registry.kernel(domain: "", opType: "Clip", opset: 6) == Clip_1.self)
        XCTAssertTrue(registry.kernel(domain: "", opType: "Clip", opset: 10) == Clip_1.self)
        XCTAssertTrue(registry.kernel(domain: "", opType: "Clip", opset: 11) == Clip_11.self)
        XCTAssertTrue(registry.kernel(domain: "ai.onnx", opType: "Clip", opset: 21) == Clip_11.self)
        XCTAssertNil(registry.kernel(domain: "", opType: "Mod", opset: 9))
        XCTAssertEqual(registry.versions(domain: "", opType: "Softmax"), [1, 13])
    }

    func testStandardRegistryHasNoDuplicates() {
        XCTAssertEqual(KernelRegistry.standard.duplicates, [])
        XCTAssertTrue(KernelRegistry.standard.operators.contains("Conv"))
    }

    func testClipVersionsDifferInWhereBoundsComeFrom() throws {
        let attributes = GraphBuilder.model([Node(opType: "Clip", inputs: ["X"], outputs: ["Y"],
                                                  attributes: [GraphBuilder.float("min", -1), GraphBuilder.float("max", 1)])],
                                            inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], opset: 6)
        let x = GraphBuilder.tensor([3], [-5, 0.5, 5])
        assertClose(try runFloats(attributes, ["X": x]).values, [-1, 0.5, 1])
        let inputs = GraphBuilder.model([Node(opType: "Clip", inputs: ["X", "lo", ""], outputs: ["Y"])],
                                        inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                        initializers: [GraphBuilder.tensor("lo", [], [0])], opset: 13)
        assertClose(try runFloats(inputs, ["X": x]).values, [0, 0.5, 5])
    }

    func testArityIsCheckedWhenPreparing() {
        let model = GraphBuilder.model([Node(name: "g", opType: "Gemm", inputs: ["X"], outputs: ["Y"])],
                                       inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")])
        XCTAssertThrowsError(try Evaluator(model: model)) { error in
            XCTAssertTrue(String(describing: error).contains("has 1 inputs; 2 to 3 expected"), "\(error)")
        }
    }
}
