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
