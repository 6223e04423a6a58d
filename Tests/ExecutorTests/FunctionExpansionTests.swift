import Executor
import ModelIR
import TestSupport
import XCTest

final class FunctionExpansionTests: XCTestCase {
    /// `custom.ScaledLeakyRelu(x) = LeakyRelu(x, alpha = @alpha) · factor`, with `alpha` referenced from the call.
    private func model(callAttributes: [Attribute]) -> Model {
        var alpha = Attribute(name: "alpha", value: .float(0))
        alpha.referencedAttribute = "slope"
        let function = Function(name: "ScaledLeakyRelu", domain: "custom", inputs: ["x", "factor"], outputs: ["y"],
                                attributeDefaults: [Attribute(name: "slope", value: .float(0.5))],
                                nodes: [Node(opType: "LeakyRelu", inputs: ["x"], outputs: ["leaky"], attributes: [alpha]),
                                        Node(opType: "Mul", inputs: ["leaky", "factor"], outputs: ["y"])],
                                opsetImports: [OpsetImport(domain: "", version: 18)])
        return GraphBuilder.model([Node(name: "call", opType: "ScaledLeakyRelu", domain: "custom", inputs: ["X", "F"], outputs: ["Y"],
                                        attributes: callAttributes)],
                                  inputs: [GraphBuilder.value("X"), GraphBuilder.value("F")], outputs: [GraphBuilder.value("Y")],
                                  functions: [function], extraOpsets: [OpsetImport(domain: "custom", version: 1)])
    }

    func testFunctionBodyRunsWithReferencedAttribute() throws {
        let feeds = ["X": GraphBuilder.tensor([2], [-2, 4]), "F": GraphBuilder.tensor([], [3])]
        let (_, values) = try runFloats(model(callAttributes: [GraphBuilder.float("slope", 0.25)]), feeds)
        assertClose(values, [-1.5, 12])
    }

    func testFunctionAttributeDefaultApplies() throws {
        let feeds = ["X": GraphBuilder.tensor([2], [-2, 4]), "F": GraphBuilder.tensor([], [3])]
        let (_, values) = try runFloats(model(callAttributes: []), feeds)
        assertClose(values, [-3, 12])
    }
}

/// An operator defined by a function body, as ONNX defines some of its own: `y = x · x + alpha`.
private struct SquarePlus_1: Kernel {
    static let domain = "test.functions"
    static let opType = "SquarePlus"
    static let sinceVersion = 1
    let body: Subgraph

    init(_ node: KernelNode) throws {
        var alpha = Attribute(name: "value_float", value: .float(0))
        alpha.referencedAttribute = "alpha"
        let function = Function(name: "SquarePlus", domain: Self.domain, inputs: ["x"], outputs: ["y"],
                                attributeDefaults: [Attribute(name: "alpha", value: .float(1))],
                                nodes: [Node(opType: "Mul", inputs: ["x", "x"], outputs: ["square"]),
                                        Node(opType: "Constant", inputs: [], outputs: ["alpha"], attributes: [alpha]),
                                        Node(opType: "Add", inputs: ["square", "alpha"], outputs: ["y"])],
                                opsetImports: [OpsetImport(domain: "", version: 18)])
        body = try node.expand(function)
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        try context.run(body, inputs: inputs)
    }
}

final class FunctionBodiedKernelTests: XCTestCase {
    private func model(_ attributes: [Attribute]) -> Model {
        GraphBuilder.model([Node(name: "sq", opType: "SquarePlus", domain: "test.functions", inputs: ["X"], outputs: ["Y"], attributes: attributes)],
                           inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                           extraOpsets: [OpsetImport(domain: "test.functions", version: 1)])
    }

    func testKernelExpandsItsFunctionBodyWithCallAttributes() throws {
        let registry = KernelRegistry(KernelRegistry.standard.kernelTypes + [SquarePlus_1.self])
        let x = GraphBuilder.tensor([3], [1, 2, -3])
        let withDefault = try Evaluator(model: model([]), registry: registry).run(tensors: ["X": x])
        assertClose(try XCTUnwrap(withDefault["Y"]?.tensor).floatValues(), [2, 5, 10])
        let withAlpha = try Evaluator(model: model([GraphBuilder.float("alpha", 0.5)]), registry: registry).run(tensors: ["X": x])
        assertClose(try XCTUnwrap(withAlpha["Y"]?.tensor).floatValues(), [1.5, 4.5, 9.5])
    }

    func testStandardRegistryDoesNotKnowTheTestOperator() {
        XCTAssertThrowsError(try Evaluator(model: model([]))) { error in
            XCTAssertTrue(String(describing: error).contains("test.functions.SquarePlus"), "\(error)")
        }
    }
}
