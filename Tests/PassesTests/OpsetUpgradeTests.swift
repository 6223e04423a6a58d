import Executor
import GraphChecker
import ModelIR
@testable import Passes
import TestSupport
import XCTest

/// Opset 7–12 models converted to opset 13 compute what they computed, and int8 then quantizes
/// their weights per channel.
final class OpsetUpgradeTests: XCTestCase {
    /// An opset-9 graph of the operators whose inputs or meaning changed by opset 13.
    private func opset9Model() -> (Model, [String: Tensor]) {
        var b = ModelBuilder()
        b.opset = 9
        b.input("x", [2, 3, 4, 4])
        b.input("v", [2, 6])
        b.node("Unsqueeze", ["v"], ["v3"], ["axes": .ints([2])])
        b.node("Squeeze", ["v3"], ["v2"], ["axes": .ints([2])])
        b.node("Split", ["v2"], ["s1", "s2"], ["axis": .int(1), "split": .ints([2, 4])])
        b.node("ReduceSum", ["s2"], ["sum"], ["axes": .ints([1]), "keepdims": .int(1)])
        b.node("Softmax", ["s1"], ["soft2d"], ["axis": .int(1)])
        b.node("Clip", ["x"], ["clipped"], ["min": .float(-0.5), "max": .float(0.6)])
        b.node("Pad", ["clipped"], ["padded"], ["pads": .ints([0, 0, 1, 1, 0, 0, 1, 1]), "value": .float(0.25)])
        b.node("Slice", ["padded"], ["sliced"], ["starts": .ints([1, 1]), "ends": .ints([5, 6]), "axes": .ints([2, 3])])
        b.node("Dropout", ["sliced"], ["dropped"], ["ratio": .float(0.3)])
        b.node("Upsample", ["dropped", "scales"], ["upsampled"], ["mode": .string(Array("nearest".utf8))])
        b.node("Softmax", ["upsampled"], ["soft4d"], ["axis": .int(1)])
        b.node("TopK", ["v"], ["top", "topIndex"], ["k": .int(3)])
        b.constant("scales", [4], [1, 1, 2, 2])
        for name in ["sum", "soft2d", "top"] { b.output(name) }
        b.outputs.append(ValueInfo(name: "soft4d", elementType: .float, shape: TensorShape(fixed: [2, 3, 8, 10])))
        var generator = ModelBuilder()
        let feeds = ["x": try! Tensor(name: "x", shape: [2, 3, 4, 4], scalars: generator.random(96)),
                     "v": try! Tensor(name: "v", shape: [2, 6], scalars: generator.random(12))]
        return (b.model, feeds)
    }

    private func upgrade(_ model: Model) throws -> (Model, [Finding]) {
        var upgraded = model
        let context = PassContext()
        _ = try OpsetUpgrade().run(on: &upgraded, context: context)
        return (upgraded, context.findings)
    }

    func testAnOpset9GraphComputesTheSameAtOpset13() throws {
        let (model, feeds) = opset9Model()
        let before = GraphChecker(lint: false).check(model)
        XCTAssertTrue(before.isValid, before.errors.map(\.message).joined(separator: "; "))
        let (upgraded, findings) = try upgrade(model)
        XCTAssertEqual(upgraded.opsetVersion(for: ""), 13)
        XCTAssertEqual(upgraded.irVersion, 8)
        let report = GraphChecker(lint: false).check(upgraded)
        XCTAssertTrue(report.isValid, report.errors.map(\.message).joined(separator: "; "))
        let types = upgraded.graph.nodes.map(\.opType)
        XCTAssertFalse(types.contains("Upsample"))
        XCTAssertEqual(types.filter { $0 == "Resize" }.count, 1)
        XCTAssertEqual(types.filter { $0 == "Flatten" }.count, 1, "the 4-D Softmax over axis 1 is flattened; the 2-D one is not")
        XCTAssertTrue(upgraded.graph.nodes.allSatisfy { $0.attributes.allSatisfy { !["axes", "split", "starts", "min", "pads", "ratio", "k"].contains($0.name) } })
        XCTAssertEqual(findings.first { $0.code == "opset-upgraded" }?.message, "converted from opset 9 to 13 (12 nodes rewritten)")
        let expected = try Evaluator(model: model).run(tensors: feeds).outputs
        let actual = try Evaluator(model: upgraded).run(tensors: feeds).outputs
        XCTAssertEqual(actual.map(\.name), expected.map(\.name))
        for (a, e) in zip(actual, expected) {
            XCTAssertEqual(try a.value.tensor?.floatValues(), try e.value.tensor?.floatValues(), a.name)
            XCTAssertEqual(a.value.tensor?.shape, e.value.tensor?.shape, a.name)
        }
        _ = try ortCompare(reference: model, optimized: upgraded, maxError: 0, inputs: feeds)
    }

    /// Upsample-7 (scales as an attribute, bilinear) and Scatter-9 become Resize-13 and ScatterElements.
    func testUpsampleWithAttributeScalesAndScatterKeepTheirValues() throws {
        var upsample = ModelBuilder()
        upsample.opset = 8
        upsample.input("x", [1, 2, 3, 4])
        upsample.node("Upsample", ["x"], ["y"], ["mode": .string(Array("linear".utf8)), "scales": .floats([1, 1, 2, 1.5])])
        upsample.outputs.append(ValueInfo(name: "y", elementType: .float, shape: TensorShape(fixed: [1, 2, 6, 6])))
        var scatter = ModelBuilder()
        scatter.opset = 9
        scatter.input("x", [3, 4])
        scatter.node("Scatter", ["x", "indices", "updates"], ["y"], ["axis": .int(1)])
        scatter.initializers.append(try Tensor(name: "indices", shape: [3, 1], scalars: [Int64(3), 0, 2]))
        scatter.constant("updates", [3, 1], [10, 20, 30])
        scatter.output("y")
        var generator = ModelBuilder()
        for (model, shape) in [(upsample.model, [1, 2, 3, 4]), (scatter.model, [3, 4])] {
            let feeds = ["x": try Tensor(name: "x", shape: shape, scalars: generator.random(shape.reduce(1, *)))]
            let (upgraded, _) = try upgrade(model)
            XCTAssertEqual(upgraded.opsetVersion(for: ""), 13)
            XCTAssertEqual(upgraded.graph.nodes.map(\.opType), [model.graph.nodes[0].opType == "Upsample" ? "Resize" : "ScatterElements"])
            let expected = try Evaluator(model: model).run(tensors: feeds).outputs[0].value.tensor?.floatValues()
            XCTAssertEqual(try Evaluator(model: upgraded).run(tensors: feeds).outputs[0].value.tensor?.floatValues(), expected)
            _ = try ortCompare(reference: model, optimized: upgraded, maxError: 1e-6, inputs: feeds)
        }
    }

    func testANodeOpset13CannotExpressLeavesTheModelAlone() throws {
        var b = ModelBuilder()
        b.opset = 8
        b.input("x", [1, 2, 3])
        for name in ["scale", "bias", "mean", "variance"] { b.constant(name, [2, 3], Array(repeating: 1, count: 6)) }
        b.node("BatchNormalization", ["x", "scale", "bias", "mean", "variance"], ["y"], ["spatial": .int(0)], name: "per_element_norm")
        b.output("y")
        let model = b.model
        let (upgraded, findings) = try upgrade(model)
        XCTAssertEqual(upgraded, model)
        let warning = try XCTUnwrap(findings.first { $0.code == "opset-not-upgraded" })
        XCTAssertEqual(warning.node, "per_element_norm")
        XCTAssertTrue(warning.message.contains("spatial=0"), warning.message)
    }

    func testModelsAtOpset13OrLaterAreNotTouched() throws {
        var (model, _) = opset9Model()
        model.opsetImports = [OpsetImport(domain: "", version: 13)]
        var copy = model
        XCTAssertFalse(try OpsetUpgrade().run(on: &copy, context: PassContext()))
        XCTAssertEqual(copy, model)
    }

    /// An IR-3 opset-9 file (weights listed as graph inputs, as the ONNX Model Zoo's classics are):
    /// int8-static converts it to opset 13 and quantizes its weights per channel.
    func testInt8OnAnIR3Opset9ModelQuantizesWeightsPerChannel() throws {
        var b = ModelBuilder()
        b.opset = 9
        b.input("x", [1, 1, 4, 4])
        b.inputs[0] = ValueInfo(name: "x", elementType: .float, shape: TensorShape([.symbolic("N"), .fixed(1), .fixed(4), .fixed(4)]))
        b.weight("w", [8, 1, 3, 3])
        b.weight("b", [8])
        b.node("Conv", ["x", "w", "b"], ["c"], name: "conv")
        b.node("Relu", ["c"], ["r"], name: "relu")
        b.node("Flatten", ["r"], ["f"], name: "flatten")
        b.weight("fw", [32, 10])
        b.node("MatMul", ["f", "fw"], ["m"], name: "fc")
        b.node("Softmax", ["m"], ["y"], name: "softmax")
        b.output("y")
        var model = b.model
        model.irVersion = 3
        model.graph.inputs += model.graph.initializers.map { ValueInfo(name: $0.name, elementType: .float, shape: TensorShape(fixed: $0.shape)) }
        let samples = floats(&b, "x", [40, 1, 4, 4])
        let (quantized, findings) = try optimize(model, path: "int8-static", options: ["quantize_output_layers": "true"], calibration: ["x": samples])
        XCTAssertEqual(quantized.opsetVersion(for: ""), 13)
        XCTAssertEqual(quantized.graph.inputs.map(\.name), ["x"])
        XCTAssertTrue(findings.contains { $0.code == "opset-upgraded" })
        let conv = try XCTUnwrap(quantized.graph.nodes.first { $0.opType == "Conv" })
        let weightDQ = try XCTUnwrap(quantized.graph.nodes.first { $0.outputs[0] == conv.inputs[1] })
        XCTAssertEqual(weightDQ.opType, "DequantizeLinear")
        XCTAssertEqual(weightDQ.attribute("axis")?.value, .int(0))
        XCTAssertEqual(quantized.graph.initializers.first { $0.name == weightDQ.inputs[1] }?.shape, [8], "one scale per output channel")
        assertValid(quantized)
        try assertIntegerModelClose(reference: model, optimized: quantized, maxError: 0.05, inputs: ["x": samples])
    }
}
