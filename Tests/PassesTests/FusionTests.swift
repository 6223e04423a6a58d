import GraphChecker
import ModelFormats
import ModelIR
import Passes
import TestSupport
import XCTest

final class FusionTests: XCTestCase {
    /// Conv → BatchNormalization → Relu, with non-trivial statistics.
    private func convBatchNorm() -> (ModelBuilder, Tensor) {
        var b = ModelBuilder()
        b.input("x", [2, 3, 6, 6])
        b.weight("w", [4, 3, 3, 3])
        b.weight("bias", [4])
        b.weight("scale", [4], in: 0.5, 2)
        b.weight("shift", [4])
        b.weight("mean", [4])
        b.weight("var", [4], in: 0.1, 2)
        b.node("Conv", ["x", "w", "bias"], ["c"], ["pads": .ints([1, 1, 1, 1])])
        b.node("BatchNormalization", ["c", "scale", "shift", "mean", "var"], ["n"], ["epsilon": .float(1e-3)])
        b.node("Relu", ["n"], ["y"])
        b.output("y")
        let x = floats(&b, "x", [2, 3, 6, 6])
        return (b, x)
    }

    func testBatchNormFoldsIntoConvAndKeepsOutputs() throws {
        let (builder, x) = convBatchNorm()
        let (fused, _) = try optimize(builder.model, path: "fused")
        XCTAssertEqual(count("BatchNormalization", in: fused), 0)
        XCTAssertEqual(count("Conv", in: fused), 1)
        XCTAssertEqual(fused.graph.initializers.count, 2, "only the folded weight and bias remain")
        assertClose(try evaluate(fused, ["x": x]), try evaluate(builder.model, ["x": x]), rtol: 1e-4, atol: 1e-5)
    }

    func testBatchNormFoldsIntoGemmWithTransposedWeights() throws {
        var b = ModelBuilder()
        b.input("x", [3, 5])
        b.weight("w", [4, 5])
        b.weight("c", [4])
        b.weight("scale", [4], in: 0.5, 2)
        b.weight("shift", [4])
        b.weight("mean", [4])
        b.weight("var", [4], in: 0.1, 2)
        b.node("Gemm", ["x", "w", "c"], ["g"], ["transB": .int(1), "beta": .float(0.5)])
        b.node("BatchNormalization", ["g", "scale", "shift", "mean", "var"], ["y"])
        b.output("y")
        let x = floats(&b, "x", [3, 5])
        let (fused, _) = try optimize(b.model, path: "fused")
        XCTAssertEqual(fused.graph.nodes.map(\.opType), ["Gemm"])
        assertClose(try evaluate(fused, ["x": x]), try evaluate(b.model, ["x": x]), rtol: 1e-4, atol: 1e-5)
    }

    func testBatchNormFoldsIntoConvTransposePerOutputChannel() throws {
        var b = ModelBuilder()
        b.input("x", [1, 2, 3, 3])
        b.constant("w", [2, 3, 1, 1], [1, 1, 1, 1, 1, 1])
        b.constant("scale", [3], [1, 2, 3])
        b.constant("shift", [3], [0, 0, 1])
        b.constant("mean", [3], [0, 0, 0])
        b.constant("var", [3], [1, 1, 1])
        b.node("ConvTranspose", ["x", "w"], ["t"])
        b.node("BatchNormalization", ["t", "scale", "shift", "mean", "var"], ["y"], ["epsilon": .float(0)])
        b.outputs.append(ValueInfo(name: "y", elementType: .float, shape: TensorShape(fixed: [1, 3, 3, 3])))
        let (fused, _) = try optimize(b.model, path: "fused")
        XCTAssertEqual(fused.graph.nodes.map(\.opType), ["ConvTranspose"])
        let node = fused.graph.nodes[0]
        let weight = try XCTUnwrap(fused.graph.initializers.first { $0.name == node.inputs[1] })
        XCTAssertEqual(try weight.floatValues(), [1, 2, 3, 1, 2, 3], "W[c, m] scaled by the factor of output channel m")
        let bias = try XCTUnwrap(fused.graph.initializers.first { $0.name == node.inputs[2] })
        XCTAssertEqual(try bias.floatValues(), [0, 0, 1])
    }

    func testPerChannelMulAndAddFoldIntoConvWeightsAndBias() throws {
        var b = ModelBuilder()
        b.input("x", [1, 2, 5, 5])
        b.weight("w", [3, 2, 3, 3])
        b.weight("m", [3, 1, 1])
        b.weight("a", [1, 3, 1, 1])
        b.node("Conv", ["x", "w"], ["c"])
        b.node("Mul", ["m", "c"], ["p"])
        b.node("Add", ["p", "a"], ["y"])
        b.output("y")
        let x = floats(&b, "x", [1, 2, 5, 5])
        let (fused, _) = try optimize(b.model, path: "fused")
        XCTAssertEqual(fused.graph.nodes.map(\.opType), ["Conv"])
        assertClose(try evaluate(fused, ["x": x]), try evaluate(b.model, ["x": x]), rtol: 1e-4, atol: 1e-5)
    }

    func testAddThatBroadcastsBeyondChannelsIsNotFolded() throws {
        var b = ModelBuilder()
        b.input("x", [1, 2, 4, 4])
        b.weight("w", [3, 2, 1, 1])
        b.weight("a", [1, 1, 4, 4])
        b.node("Conv", ["x", "w"], ["c"])
        b.node("Add", ["c", "a"], ["y"])
        b.output("y")
        let (fused, _) = try optimize(b.model, path: "fused")
        XCTAssertEqual(fused.graph.nodes.map(\.opType), ["Conv", "Add"])
    }

    func testMatMulAddBecomesGemmOnlyForRankTwoInputs() throws {
        var b = ModelBuilder()
        b.input("x", [4, 6])
        b.input("z", [2, 4, 6])
        b.weight("w", [6, 3])
        b.weight("bias", [3])
        b.node("MatMul", ["x", "w"], ["m"])
        b.node("Add", ["m", "bias"], ["y"])
        b.node("MatMul", ["z", "w"], ["m3"])
        b.node("Add", ["bias", "m3"], ["y3"])
        b.output("y")
        b.output("y3")
        let x = floats(&b, "x", [4, 6]), z = floats(&b, "z", [2, 4, 6])
        let (fused, _) = try optimize(b.model, path: "fused")
        XCTAssertEqual(count("Gemm", in: fused), 1)
        XCTAssertEqual(count("MatMul", in: fused), 1, "a rank-3 MatMul cannot become a Gemm")
        assertClose(try evaluate(fused, ["x": x, "z": z]), try evaluate(b.model, ["x": x, "z": z]), rtol: 1e-4, atol: 1e-5)
    }

    func testTransposePairsAndReshapeChainsCollapse() throws {
        var b = ModelBuilder()
        b.input("x", [2, 3, 4])
        b.constant("s1", [2], [6, 4])
        b.initializers[0] = try Tensor(name: "s1", shape: [2], scalars: [Int64(6), 4])
        b.initializers.append(try Tensor(name: "s2", shape: [3], scalars: [Int64(4), 3, -1]))
        b.node("Transpose", ["x"], ["t1"], ["perm": .ints([1, 0, 2])])
        b.node("Transpose", ["t1"], ["t2"], ["perm": .ints([1, 0, 2])])
        b.node("Reshape", ["t2", "s1"], ["r1"])
        b.node("Reshape", ["r1", "s2"], ["y"])
        b.output("y")
        let x = floats(&b, "x", [2, 3, 4])
        let (fused, _) = try optimize(b.model, path: "fused")
        XCTAssertEqual(fused.graph.nodes.map(\.opType), ["Reshape"])
        XCTAssertEqual(fused.graph.nodes[0].inputs[0], "x")
        assertClose(try evaluate(fused, ["x": x]), try evaluate(b.model, ["x": x]))
    }

    func testIdentityDropoutDeadCodeAndConstantsAreCleanedUp() throws {
        var b = ModelBuilder()
        b.input("x", [2, 3])
        b.constant("a", [3], [1, 2, 3])
        b.constant("c", [3], [10, 20, 30])
        b.node("Add", ["a", "c"], ["ac"])
        b.node("Identity", ["x"], ["i"])
        b.node("Dropout", ["i"], ["d"])
        b.node("Mul", ["d", "ac"], ["m"])
        b.node("Identity", ["m"], ["y"])
        b.node("Relu", ["x"], ["unused"])
        b.output("y")
        let x = floats(&b, "x", [2, 3])
        let (fused, _) = try optimize(b.model, path: "fused")
        XCTAssertEqual(fused.graph.nodes.map(\.opType), ["Mul"])
        XCTAssertEqual(fused.graph.nodes[0].outputs, ["y"], "the graph output keeps its name")
        XCTAssertEqual(fused.graph.initializers.count, 1)
        XCTAssertEqual(try fused.graph.initializers[0].floatValues(), [11, 22, 33])
        assertClose(try evaluate(fused, ["x": x]), try evaluate(b.model, ["x": x]))
    }

    func testConstantFoldingRespectsTheSizeCap() throws {
        var b = ModelBuilder()
        b.input("x", [4, 4])
        b.initializers.append(try Tensor(name: "shape", shape: [2], scalars: [Int64(4), 4]))
        b.node("ConstantOfShape", ["shape"], ["k"], ["value": .tensor(try Tensor(shape: [1], scalars: [Float(2)]))])
        b.node("Mul", ["x", "k"], ["y"])
        b.output("y")
        let (capped, _) = try optimize(b.model, path: "fused", options: ["fold_max_elements": "8"])
        XCTAssertEqual(count("ConstantOfShape", in: capped), 1)
        let (folded, _) = try optimize(b.model, path: "fused")
        XCTAssertEqual(folded.graph.nodes.map(\.opType), ["Mul"])
    }

    func testFusedSqueezeNetStaysValidAndEqual() throws {
        let url = FixturePaths.onnxSuite.appendingPathComponent("light/light_squeezenet/model.onnx")
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("run Tools/onnx-suite.sh") }
        let model = try ONNXModelFile.load(url)
        let (fused, _) = try optimize(model, path: "fused")
        XCTAssertEqual(count("Dropout", in: fused), 0)
        var b = ModelBuilder()
        let x = floats(&b, "data_0", [1, 3, 224, 224])
        assertClose(try evaluate(fused, ["data_0": x]), try evaluate(model, ["data_0": x]), rtol: 1e-4, atol: 1e-5)
    }
}
