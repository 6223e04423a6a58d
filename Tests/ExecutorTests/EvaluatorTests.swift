@testable import Executor
import ModelIR
import TestSupport
import XCTest

final class EvaluatorTests: XCTestCase {
    /// Y = Relu(X · 2 − 1), written with the nodes in reverse order.
    private func reversedChain() -> Model {
        let nodes = [
            Node(name: "relu", opType: "Relu", inputs: ["shifted"], outputs: ["Y"]),
            Node(name: "sub", opType: "Sub", inputs: ["doubled", "one"], outputs: ["shifted"]),
            Node(name: "mul", opType: "Mul", inputs: ["X", "two"], outputs: ["doubled"]),
        ]
        return GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X", .float, [3])], outputs: [GraphBuilder.value("Y")],
                                  initializers: [GraphBuilder.tensor("two", [], [2]), GraphBuilder.tensor("one", [], [1])])
    }

    func testNodesRunInTopologicalOrderWhateverTheFileOrder() throws {
        let (shape, values) = try runFloats(reversedChain(), ["X": GraphBuilder.tensor([3], [-1, 0.5, 3])])
        XCTAssertEqual(shape, [3])
        assertClose(values, [0, 0, 5])
    }

    /// Hugging Face EfficientNet pools with `AvgPool2d(1280, ceil_mode=True)` over a map smaller
    /// than the kernel: ceil mode gives one output (PyTorch and ONNX Runtime agree), averaging what
    /// lies within the input and its padding, `count_include_pad` or not.
    func testACeilModePoolLongerThanItsInputYieldsOneOutput() throws {
        let x = GraphBuilder.tensor([1, 1, 2, 2], [1, 2, 3, 6])
        for op in ["AveragePool", "MaxPool"] {
            for includePad: Int64 in [0, 1] {
                var attributes = [GraphBuilder.ints("kernel_shape", [5, 5]), GraphBuilder.ints("strides", [5, 5]), GraphBuilder.int("ceil_mode", 1)]
                if op == "AveragePool" { attributes.append(GraphBuilder.int("count_include_pad", includePad)) }
                let model = GraphBuilder.model([Node(name: "pool", opType: op, inputs: ["X"], outputs: ["Y"], attributes: attributes)],
                                               inputs: [GraphBuilder.value("X", .float, [1, 1, 2, 2])], outputs: [GraphBuilder.value("Y")], opset: 19)
                let (shape, values) = try runFloats(model, ["X": x])
                XCTAssertEqual(shape, [1, 1, 1, 1], op)
                assertClose(values, [op == "MaxPool" ? 6 : 3])
            }
        }
        let floorMode = GraphBuilder.model([Node(name: "pool", opType: "AveragePool", inputs: ["X"], outputs: ["Y"],
                                                 attributes: [GraphBuilder.ints("kernel_shape", [5, 5]), GraphBuilder.ints("strides", [5, 5])])],
                                           inputs: [GraphBuilder.value("X", .float, [1, 1, 2, 2])], outputs: [GraphBuilder.value("Y")], opset: 19)
        XCTAssertEqual(try runFloats(floorMode, ["X": x]).0, [1, 1, 0, 0], "without ceil mode the window does not fit")
    }

    func testCapturesEveryIntermediateInExecutionOrder() throws {
        let result = try Evaluator(model: reversedChain()).run(tensors: ["X": GraphBuilder.tensor([3], [-1, 0.5, 3])],
                                                                captureIntermediates: true)
        XCTAssertEqual(result.intermediates.map(\.name), ["doubled", "shifted", "Y"])
        assertClose(try XCTUnwrap(result["doubled"]?.tensor).floatValues(), [-2, 1, 6])
        assertClose(try XCTUnwrap(result["shifted"]?.tensor).floatValues(), [-3, 0, 5])
    }

    func testWithoutCaptureNoIntermediatesAreKept() throws {
        let result = try Evaluator(model: reversedChain()).run(tensors: ["X": GraphBuilder.tensor([3], [1, 2, 3])])
        XCTAssertTrue(result.intermediates.isEmpty)
        XCTAssertEqual(result.outputs.map(\.name), ["Y"])
    }

    func testValuesAreReleasedAfterTheirLastReader() throws {
        let evaluator = try Evaluator(model: reversedChain())
        let graph = evaluator.graph
        XCTAssertEqual(graph.steps.map(\.label), ["mul", "sub", "relu"])
        func released(_ step: Int) -> Set<String> { Set(graph.steps[step].release.map { graph.slotNames[$0] }) }
        XCTAssertEqual(released(0), ["X", "two"])
        XCTAssertEqual(released(1), ["doubled", "one"])
        XCTAssertEqual(released(2), ["shifted"], "the graph output Y is never released")
    }

    func testMissingInputIsNamed() throws {
        XCTAssertThrowsError(try Evaluator(model: reversedChain()).run(tensors: [:])) { error in
            guard case ExecutionError.missingInput(let name, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "X")
        }
    }

    func testUnknownAndMistypedInputsAreRejected() throws {
        let evaluator = try Evaluator(model: reversedChain())
        XCTAssertThrowsError(try evaluator.run(tensors: ["X": GraphBuilder.tensor([3], [1, 2, 3]), "Z": GraphBuilder.tensor([1], [1])])) { error in
            guard case ExecutionError.unknownInput(let name, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "Z")
        }
        XCTAssertThrowsError(try evaluator.run(tensors: ["X": GraphBuilder.tensor([4], [1, 2, 3, 4])])) { error in
            guard case ExecutionError.inputMismatch(let name, _, let actual) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "X")
            XCTAssertEqual(actual, "float[4]")
        }
        XCTAssertThrowsError(try evaluator.run(tensors: ["X": Tensor.int64Vector([1, 2, 3])])) { error in
            guard case ExecutionError.inputMismatch = error else { return XCTFail("\(error)") }
        }
    }

    func testFedInitializerOverridesItsDefault() throws {
        var model = reversedChain()
        model.graph.inputs.append(GraphBuilder.value("two", .float, []))
        let (_, values) = try runFloats(model, ["X": GraphBuilder.tensor([3], [1, 2, 3]), "two": GraphBuilder.tensor([], [10])])
        assertClose(values, [9, 19, 29])
    }

    func testUnsupportedOperatorNamesOpOpsetAndNode() {
        let model = GraphBuilder.model([Node(name: "mystery", opType: "NoSuchOp", inputs: ["X"], outputs: ["Y"])],
                                       inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")], opset: 17)
        XCTAssertThrowsError(try Evaluator(model: model)) { error in
            guard case ExecutionError.unsupportedOperator(let node, let op, _, let opset, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(node, "mystery")
            XCTAssertEqual(op, "NoSuchOp")
            XCTAssertEqual(opset, 17)
            let message = String(describing: error)
            XCTAssertTrue(message.contains("node 'mystery'") && message.contains("NoSuchOp") && message.contains("opset 17"), message)
        }
    }

    func testCycleAndUndefinedValuesAreGraphErrors() {
        let cycle = GraphBuilder.model([Node(name: "a", opType: "Relu", inputs: ["b_out"], outputs: ["a_out"]),
                                        Node(name: "b", opType: "Relu", inputs: ["a_out"], outputs: ["b_out"])],
                                       inputs: [], outputs: [GraphBuilder.value("a_out")])
        XCTAssertThrowsError(try Evaluator(model: cycle)) { error in
            XCTAssertTrue(String(describing: error).contains("cycle"), "\(error)")
        }
        let undefined = GraphBuilder.model([Node(name: "a", opType: "Relu", inputs: ["nowhere"], outputs: ["Y"])],
                                           inputs: [], outputs: [GraphBuilder.value("Y")])
        XCTAssertThrowsError(try Evaluator(model: undefined)) { error in
            XCTAssertTrue(String(describing: error).contains("'nowhere'"), "\(error)")
        }
    }

    func testInvalidAttributeIsReportedAtPreparation() {
        let model = GraphBuilder.model([Node(name: "t", opType: "Transpose", inputs: ["X"], outputs: ["Y"],
                                             attributes: [GraphBuilder.float("perm", 1)])],
                                       inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")])
        XCTAssertThrowsError(try Evaluator(model: model)) { error in
            guard case ExecutionError.invalidNode(let node, let op, _, _, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(node, "t")
            XCTAssertEqual(op, "Transpose")
            XCTAssertTrue(reason.contains("'perm'"), reason)
        }
    }

    func testGemmAndMatMulAgreeWithHandComputation() throws {
        let a = GraphBuilder.tensor([2, 3], [1, 2, 3, 4, 5, 6])
        let b = GraphBuilder.tensor([2, 3], [1, 0, 1, 0, 1, 0])
        let gemm = GraphBuilder.model([Node(opType: "Gemm", inputs: ["A", "B", "C"], outputs: ["Y"],
                                            attributes: [GraphBuilder.int("transB", 1), GraphBuilder.float("alpha", 2), GraphBuilder.float("beta", 1)])],
                                      inputs: [GraphBuilder.value("A"), GraphBuilder.value("B"), GraphBuilder.value("C")],
                                      outputs: [GraphBuilder.value("Y")])
        // A·Bᵀ = [[4, 2], [10, 5]]; ×2 plus C = [100, 200] broadcast over rows.
        let (shape, values) = try runFloats(gemm, ["A": a, "B": b, "C": GraphBuilder.tensor([2], [100, 200])])
        XCTAssertEqual(shape, [2, 2])
        assertClose(values, [108, 204, 120, 210])

        let matmul = GraphBuilder.model([Node(opType: "MatMul", inputs: ["A", "B"], outputs: ["Y"])],
                                        inputs: [GraphBuilder.value("A"), GraphBuilder.value("B")], outputs: [GraphBuilder.value("Y")])
        let batched = GraphBuilder.tensor([2, 1, 2], [1, 2, 3, 4])
        let (mShape, mValues) = try runFloats(matmul, ["A": batched, "B": GraphBuilder.tensor([2, 2], [1, 1, 0, 1])])
        XCTAssertEqual(mShape, [2, 1, 2])
        assertClose(mValues, [1, 3, 3, 7])
    }
}
