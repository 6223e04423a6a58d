import GraphChecker
import ModelIR
import XCTest

/// Small graphs built in code: each check and inference rule on a case whose answer is known.
final class GraphCheckerTests: XCTestCase {
    private func tensor(_ name: String, _ type: DataType = .float, _ dims: [ModelIR.Dimension]) -> ValueInfo {
        ValueInfo(name: name, elementType: type, shape: TensorShape(dims))
    }

    private func weights(_ name: String, _ shape: [Int]) throws -> Tensor {
        try Tensor(name: name, shape: shape, scalars: [Float](repeating: 0.5, count: shape.reduce(1, *)))
    }

    private func model(_ nodes: [Node], inputs: [ValueInfo], outputs: [ValueInfo], initializers: [Tensor] = [],
                       opset: Int64 = 13, irVersion: Int64 = 8) -> Model {
        Model(irVersion: irVersion, opsetImports: [OpsetImport(domain: "", version: opset)],
              graph: Graph(name: "g", nodes: nodes, initializers: initializers, inputs: inputs, outputs: outputs))
    }

    /// Conv → Relu → GlobalAveragePool → Flatten → Gemm, with unknown output shape declared.
    private func convolutionModel() throws -> Model {
        let nodes = [
            Node(name: "conv", opType: "Conv", inputs: ["x", "w"], outputs: ["c"],
                 attributes: [Attribute(name: "pads", value: .ints([1, 1, 1, 1])), Attribute(name: "strides", value: .ints([2, 2]))]),
            Node(name: "relu", opType: "Relu", inputs: ["c"], outputs: ["r"]),
            Node(name: "pool", opType: "GlobalAveragePool", inputs: ["r"], outputs: ["p"]),
            Node(name: "flatten", opType: "Flatten", inputs: ["p"], outputs: ["f"]),
            Node(name: "fc", opType: "Gemm", inputs: ["f", "fc_w"], outputs: ["y"], attributes: [Attribute(name: "transB", value: .int(1))]),
        ]
        return model(nodes, inputs: [tensor("x", .float, [.symbolic("N"), .fixed(3), .fixed(8), .fixed(8)])],
                     outputs: [ValueInfo(name: "y", elementType: .float, shape: TensorShape([ModelIR.Dimension.unknown, .unknown]))],
                     initializers: [try weights("w", [4, 3, 3, 3]), try weights("fc_w", [10, 4])])
    }

    func testValidModelHasNoFindingsAndInferredShapes() throws {
        let report = GraphChecker().check(try convolutionModel())
        XCTAssertTrue(report.isValid, "\(report.findings)")
        XCTAssertEqual(report.findings, [])
        XCTAssertEqual(report.passingNodes, ["conv", "relu", "pool", "flatten", "fc"])
        let inferred = try XCTUnwrap(report.inferredModel)
        let shapes = Dictionary(uniqueKeysWithValues: inferred.graph.valueInfo.map { ($0.name, $0.type?.type.description ?? "") })
        XCTAssertEqual(shapes["c"], "tensor(float) [N, 4, 4, 4]")
        XCTAssertEqual(shapes["r"], "tensor(float) [N, 4, 4, 4]")
        XCTAssertEqual(shapes["p"], "tensor(float) [N, 4, 1, 1]")
        XCTAssertEqual(shapes["f"], "tensor(float) [?, 4]")
        XCTAssertEqual(inferred.graph.outputs.first?.type?.type.description, "tensor(float) [?, 10]", "declared [?, ?] refined by inference")
        XCTAssertEqual(GraphChecker().inferringShapes(of: try convolutionModel()).graph.valueInfo.count, 4)
    }

    func testStructuralErrorsNameTheNode() throws {
        var undefined = try convolutionModel()
        undefined.graph.nodes[1].inputs = ["missing"]
        assertError(undefined, code: FindingCode.undefinedInput, node: "relu")

        var reordered = try convolutionModel()
        reordered.graph.nodes.swapAt(1, 2)
        assertError(reordered, code: FindingCode.undefinedInput, node: "pool")

        var duplicate = try convolutionModel()
        duplicate.graph.nodes[2].outputs = ["c"]
        assertError(duplicate, code: FindingCode.duplicateOutput, node: "pool")

        var attributeType = try convolutionModel()
        attributeType.graph.nodes[0].attributes[0].value = .floats([1, 1, 1, 1])
        assertError(attributeType, code: FindingCode.attributeType, node: "conv")

        var unknown = try convolutionModel()
        unknown.graph.nodes[1].opType = "Rleu"
        assertError(unknown, code: FindingCode.unknownOperator, node: "relu")

        var tooOld = try convolutionModel()
        tooOld.graph.nodes[1].opType = "Gelu"
        let report = assertError(tooOld, code: FindingCode.unknownOperator, node: "relu")
        XCTAssertEqual(report?.errors.first?.hint, "Gelu exists from opset 20 of this domain; raise the opset import")

        var noImport = try convolutionModel()
        noImport.opsetImports = []
        assertError(noImport, code: FindingCode.opsetImport, node: nil)
        assertError(noImport, code: FindingCode.missingDomainImport, node: "conv")

        var badIR = try convolutionModel()
        badIR.irVersion = 99
        assertError(badIR, code: FindingCode.irVersion, node: nil)
    }

    func testTypeAndShapeErrors() throws {
        let relu = model([Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["y"])],
                         inputs: [tensor("x", .int64, [.fixed(2)])], outputs: [tensor("y", .int64, [.fixed(2)])])
        assertError(relu, code: FindingCode.typeConstraint, node: "relu")

        let declared = model([Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["y"])],
                             inputs: [tensor("x", .float, [.fixed(2), .fixed(3)])], outputs: [tensor("y", .float, [.fixed(2), .fixed(4)])])
        assertError(declared, code: FindingCode.shapeMismatch, node: "relu")

        let mixed = model([Node(name: "add", opType: "Add", inputs: ["a", "b"], outputs: ["y"])],
                          inputs: [tensor("a", .float, [.fixed(2)]), tensor("b", .double, [.fixed(2)])],
                          outputs: [tensor("y", .float, [.unknown, .unknown])])
        assertError(mixed, code: FindingCode.typeConstraint, node: "add")

        let broadcast = model([Node(name: "add", opType: "Add", inputs: ["a", "b"], outputs: ["y"])],
                              inputs: [tensor("a", .float, [.fixed(2), .fixed(3)]), tensor("b", .float, [.fixed(4), .fixed(3)])],
                              outputs: [tensor("y", .float, [.unknown, .unknown])])
        assertError(broadcast, code: FindingCode.shapeInference, node: "add")

        let matmul = model([Node(name: "mm", opType: "MatMul", inputs: ["a", "b"], outputs: ["y"])],
                           inputs: [tensor("a", .float, [.symbolic("N"), .fixed(4)]), tensor("b", .float, [.fixed(4), .fixed(5)])],
                           outputs: [tensor("y", .float, [.unknown, .unknown])])
        let report = GraphChecker().check(matmul)
        XCTAssertTrue(report.isValid)
        XCTAssertEqual(report.inferredModel?.graph.valueInfo.first?.type?.type.description, nil, "graph outputs are not value_info")
        var mismatched = matmul
        mismatched.graph.inputs[1] = tensor("b", .float, [.fixed(3), .fixed(5)])
        assertError(mismatched, code: FindingCode.shapeInference, node: "mm")
    }

    func testReshapeConcatSliceAndReductionShapes() throws {
        let shape = try Tensor(name: "shape", shape: [2], scalars: [Int64(-1), 6])
        let starts = try Tensor(name: "starts", shape: [1], scalars: [Int64(1)])
        let ends = try Tensor(name: "ends", shape: [1], scalars: [Int64(-1)])
        let nodes = [
            Node(name: "reshape", opType: "Reshape", inputs: ["x", "shape"], outputs: ["r"]),
            Node(name: "concat", opType: "Concat", inputs: ["r", "r"], outputs: ["c"], attributes: [Attribute(name: "axis", value: .int(1))]),
            Node(name: "slice", opType: "Slice", inputs: ["c", "starts", "ends"], outputs: ["s"]),
            Node(name: "mean", opType: "ReduceMean", inputs: ["s"], outputs: ["m"], attributes: [Attribute(name: "axes", value: .ints([1]))]),
            Node(name: "t", opType: "Transpose", inputs: ["m"], outputs: ["y"]),
        ]
        let built = model(nodes, inputs: [tensor("x", .float, [.fixed(2), .fixed(3), .fixed(4)])],
                          outputs: [tensor("y", .float, [.fixed(1), .fixed(2)])], initializers: [shape, starts, ends])
        let report = GraphChecker().check(built)
        XCTAssertTrue(report.isValid, "\(report.findings)")
        let shapes = Dictionary(uniqueKeysWithValues: (report.inferredModel?.graph.valueInfo ?? []).map { ($0.name, $0.type?.type.description ?? "") })
        XCTAssertEqual(shapes["r"], "tensor(float) [4, 6]")
        XCTAssertEqual(shapes["c"], "tensor(float) [4, 12]")
        XCTAssertEqual(shapes["s"], "tensor(float) [2, 12]")
        XCTAssertEqual(shapes["m"], "tensor(float) [2, 1]")
    }

    /// RNN shape inference as ONNX's: Y [seq, directions, batch, hidden] (batch first with layout 1),
    /// Y_h and Y_c [directions, batch, hidden]; a declared output of another shape is an error
    /// naming the node, as `onnx.checker` reports it.
    func testRecurrentLayerShapes() throws {
        let hidden = Attribute(name: "hidden_size", value: .int(4))
        let nodes = [
            Node(name: "gru", opType: "GRU", inputs: ["x", "gw", "gr"], outputs: ["y", "h"],
                 attributes: [hidden, Attribute(name: "direction", value: .string(Array("bidirectional".utf8)))]),
            Node(name: "lstm", opType: "LSTM", inputs: ["xb", "lw", "lr"], outputs: ["ly", "lh", "lc"],
                 attributes: [hidden, Attribute(name: "layout", value: .int(1))]),
        ]
        let inputs = [tensor("x", .float, [.fixed(5), .symbolic("N"), .fixed(3)]), tensor("xb", .float, [.fixed(2), .fixed(6), .fixed(3)])]
        let weights = [try weights("gw", [2, 12, 3]), try weights("gr", [2, 12, 4]), try weights("lw", [1, 16, 3]), try weights("lr", [1, 16, 4])]
        let built = model(nodes, inputs: inputs, outputs: [tensor("h", .float, [.unknown, .unknown, .unknown]), tensor("lc", .float, [.unknown, .unknown, .unknown])],
                          initializers: weights, opset: 14)
        let report = GraphChecker().check(built)
        let shapes = Dictionary(uniqueKeysWithValues: (report.inferredModel?.graph.valueInfo ?? []).map { ($0.name, $0.type?.type.description ?? "") })
        XCTAssertEqual(shapes["y"], "tensor(float) [5, 2, N, 4]")
        XCTAssertEqual(shapes["ly"], "tensor(float) [2, 6, 1, 4]")
        XCTAssertEqual(shapes["lh"], "tensor(float) [2, 1, 4]")
        let outputs = Dictionary(uniqueKeysWithValues: (report.inferredModel?.graph.outputs ?? []).map { ($0.name, $0.type?.type.description ?? "") })
        XCTAssertEqual(outputs["h"], "tensor(float) [2, N, 4]")
        XCTAssertEqual(outputs["lc"], "tensor(float) [2, 1, 4]")

        var declared = built
        declared.graph.outputs[0] = tensor("h", .float, [.fixed(5)])
        assertError(declared, code: "shape-mismatch", node: "gru")
        var flat = built
        flat.graph.inputs[0] = tensor("x", .float, [.fixed(5), .fixed(3)])
        assertError(flat, code: "shape-inference", node: "gru")
    }

    /// Einsum with and without `->` (implicit output: ellipsis, then the labels seen once in
    /// character order), and 3-D Attention ([batch, seq, heads × size] with the head counts).
    func testEinsumAndAttentionShapes() throws {
        let nodes = [
            Node(name: "explicit", opType: "Einsum", inputs: ["a", "b"], outputs: ["e"], attributes: [Attribute(name: "equation", value: .string(Array("...ij, ...jk -> ...ik".utf8)))]),
            Node(name: "implicit", opType: "Einsum", inputs: ["a"], outputs: ["t"], attributes: [Attribute(name: "equation", value: .string(Array("bji".utf8)))]),
            Node(name: "attention", opType: "Attention", inputs: ["q", "k", "v"], outputs: ["y", "", "", "qk"],
                 attributes: [Attribute(name: "q_num_heads", value: .int(4)), Attribute(name: "kv_num_heads", value: .int(2))]),
        ]
        let inputs = [tensor("a", .float, [.fixed(2), .fixed(3), .fixed(5)]), tensor("b", .float, [.fixed(1), .fixed(5), .fixed(7)]),
                      tensor("q", .float, [.fixed(2), .fixed(6), .fixed(32)]), tensor("k", .float, [.fixed(2), .fixed(9), .fixed(16)]),
                      tensor("v", .float, [.fixed(2), .fixed(9), .fixed(24)])]
        let ranks = ["e": 3, "t": 3, "y": 3, "qk": 4]
        let outputs = ["e", "t", "y", "qk"].map { tensor($0, .float, Array(repeating: .unknown, count: ranks[$0]!)) }
        let report = GraphChecker().check(model(nodes, inputs: inputs, outputs: outputs, opset: 23))
        XCTAssertTrue(report.isValid, "\(report.findings)")
        let shapes = Dictionary(uniqueKeysWithValues: (report.inferredModel?.graph.outputs ?? []).map { ($0.name, $0.type?.type.description ?? "") })
        XCTAssertEqual(shapes["e"], "tensor(float) [2, 3, 7]", "the ellipsis widens 1 to 2")
        XCTAssertEqual(shapes["t"], "tensor(float) [2, 5, 3]", "implicit output: b, i, j in character order")
        XCTAssertEqual(shapes["y"], "tensor(float) [2, 6, 48]", "4 query heads × value head size 24 / 2")
        XCTAssertEqual(shapes["qk"], "tensor(float) [2, 4, 6, 9]")
        var wrong = model(nodes, inputs: inputs, outputs: outputs, opset: 23)
        wrong.graph.outputs[1] = tensor("t", .float, [.unknown, .unknown])
        assertError(wrong, code: "shape-mismatch", node: "implicit")
    }

    func testSubgraphsSeeOuterValuesDefinedBeforeThem() throws {
        let branch = { (name: String, reads: String) in
            Graph(name: name, nodes: [Node(name: "\(name)_id", opType: "Identity", inputs: [reads], outputs: ["\(name)_out"])],
                  outputs: [ValueInfo(name: "\(name)_out", elementType: .float, shape: nil)])
        }
        func ifModel(thenReads: String) -> Model {
            model([
                Node(name: "neg", opType: "Neg", inputs: ["x"], outputs: ["n"]),
                Node(name: "if", opType: "If", inputs: ["cond"], outputs: ["y"],
                     attributes: [Attribute(name: "then_branch", value: .graph(branch("then", thenReads))),
                                  Attribute(name: "else_branch", value: .graph(branch("else", "x")))]),
                Node(name: "late", opType: "Abs", inputs: ["y"], outputs: ["z"]),
            ], inputs: [tensor("cond", .bool, []), tensor("x", .float, [.fixed(2)])], outputs: [tensor("z", .float, [.fixed(2)])])
        }
        XCTAssertTrue(GraphChecker().check(ifModel(thenReads: "n")).isValid)
        assertError(ifModel(thenReads: "z"), code: FindingCode.undefinedInput, node: "then_id")
        assertError(ifModel(thenReads: "else_out"), code: FindingCode.undefinedInput, node: "then_id")
    }

    /// torchvision's MViT exports Loop bodies whose iteration count is declared `int64 [1]`; onnx's
    /// inference gives the count no shape, and ONNX Runtime runs them.
    func testALoopBodyMayDeclareItsIterationCountWithAnyShape() throws {
        func loopModel(iterationShape: [ModelIR.Dimension]?, iterationType: DataType = .int64) -> Model {
            let body = Graph(name: "body", nodes: [
                Node(name: "count", opType: "Cast", inputs: ["i"], outputs: ["i_float"], attributes: [Attribute(name: "to", value: .int(1))]),
                Node(name: "step", opType: "Add", inputs: ["carried", "i_float"], outputs: ["next"]),
                Node(name: "keep", opType: "Identity", inputs: ["c"], outputs: ["c_out"]),
            ], inputs: [ValueInfo(name: "i", elementType: iterationType, shape: iterationShape.map { TensorShape($0) }),
                        tensor("c", .bool, []), tensor("carried", .float, [.fixed(1)])],
               outputs: [tensor("c_out", .bool, []), ValueInfo(name: "next", elementType: .float, shape: nil)])
            return model([Node(name: "loop", opType: "Loop", inputs: ["n", "", "x"], outputs: ["y"],
                               attributes: [Attribute(name: "body", value: .graph(body))])],
                         inputs: [tensor("n", .int64, []), tensor("x", .float, [.fixed(1)])], outputs: [tensor("y", .float, [.fixed(1)])], opset: 13)
        }
        for shape: [ModelIR.Dimension]? in [[], [.fixed(1)], nil] {
            let report = GraphChecker().check(loopModel(iterationShape: shape))
            XCTAssertTrue(report.isValid, "iteration count declared \(String(describing: shape)): \(report.errors)")
        }
        let wrongType = GraphChecker().check(loopModel(iterationShape: [], iterationType: .float))
        XCTAssertFalse(wrongType.isValid, "the iteration count's element type is still checked")
    }

    func testLintWarningsKeepTheModelValid() throws {
        let built = model([Node(name: "relu", opType: "Relu", inputs: ["x"], outputs: ["y"]),
                           Node(name: "dead", opType: "Relu", inputs: ["x"], outputs: ["d"])],
                          inputs: [tensor("x", .float, [.fixed(2)]), tensor("extra", .float, [.fixed(1)])],
                          outputs: [tensor("y", .float, [.fixed(2)])],
                          initializers: [try Tensor(name: "unused", shape: [2], scalars: [1.0, 2.0])],
                          opset: 6, irVersion: 4)
        let report = GraphChecker().check(built)
        XCTAssertTrue(report.isValid, "\(report.errors)")
        XCTAssertEqual(Set(report.warnings.map(\.code)), [FindingCode.oldOpset, FindingCode.unusedInitializer, FindingCode.unusedInput,
                                                         FindingCode.float64Weights, FindingCode.deadNode])
        XCTAssertEqual(report.warnings.first { $0.code == FindingCode.deadNode }?.node, "dead")
    }

    func testModelLocalFunctionsAreCheckedWithTheirOwnOpsets() throws {
        func functionModel(bodyInput: String, functionOpset: Int64 = 13) -> Model {
            let function = Function(name: "Double", domain: "local", inputs: ["a"], outputs: ["b"],
                                    nodes: [Node(name: "inner_add", opType: "Add", inputs: [bodyInput, "a"], outputs: ["b"])],
                                    opsetImports: [OpsetImport(domain: "", version: functionOpset)])
            var built = model([Node(name: "call", opType: "Double", domain: "local", inputs: ["x"], outputs: ["y"])],
                              inputs: [tensor("x", .float, [.fixed(2)])], outputs: [tensor("y", .float, [.fixed(2)])])
            built.opsetImports.append(OpsetImport(domain: "local", version: 1))
            built.functions = [function]
            return built
        }
        let valid = GraphChecker().check(functionModel(bodyInput: "a"))
        XCTAssertTrue(valid.isValid, "\(valid.findings)")
        var declaredWrong = functionModel(bodyInput: "a")
        declaredWrong.graph.outputs = [tensor("y", .float, [.fixed(3)])]
        assertError(declaredWrong, code: FindingCode.shapeMismatch, node: "call")
        assertError(functionModel(bodyInput: "nowhere"), code: FindingCode.undefinedInput, node: "inner_add")
        assertError(functionModel(bodyInput: "a", functionOpset: 6), code: FindingCode.function, node: "inner_add")
    }

    @discardableResult
    private func assertError(_ model: Model, code: String, node: String?, file: StaticString = #filePath, line: UInt = #line) -> CheckReport? {
        let report = GraphChecker().check(model)
        XCTAssertFalse(report.isValid, "expected an error \(code)", file: file, line: line)
        let matching = report.errors.filter { $0.code == code }
        XCTAssertFalse(matching.isEmpty, "no \(code) error among \(report.errors.map { "\($0.code): \($0.message)" })", file: file, line: line)
        if let node {
            XCTAssertTrue(matching.contains { $0.node == node }, "no \(code) error names node '\(node)': \(matching.map(\.message))", file: file, line: line)
        }
        return report
    }
}
