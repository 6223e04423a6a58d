import Executor
import Harness
import ModelFormats
import ModelIR
import Passes
import TestSupport
import XCTest

final class QuantizationTests: XCTestCase {
    /// Conv → Relu → Flatten → Gemm (transB) with calibration samples.
    private func convNet() -> (ModelBuilder, [String: Tensor]) {
        var b = ModelBuilder()
        b.input("x", [1, 1, 4, 4])
        b.inputs[0] = ValueInfo(name: "x", elementType: .float, shape: TensorShape([.symbolic("N"), .fixed(1), .fixed(4), .fixed(4)]))
        b.weight("w", [8, 1, 3, 3])
        b.weight("b", [8])
        b.weight("fw", [10, 32])
        b.weight("fb", [10])
        b.node("Conv", ["x", "w", "b"], ["c"], name: "conv")
        b.node("Relu", ["c"], ["r"], name: "relu")
        b.node("Flatten", ["r"], ["f"], name: "flatten")
        b.node("Gemm", ["f", "fw", "fb"], ["y"], ["transB": .int(1)], name: "fc")
        b.output("y")
        let samples = floats(&b, "x", [40, 1, 4, 4])
        return (b, ["x": samples])
    }

    private func initializer(_ model: Model, _ name: String) -> Tensor? {
        model.graph.initializers.first { $0.name == name }
    }

    func testStaticQuantizationWritesQDQWithInt8WeightsAndInt32Bias() throws {
        let (b, samples) = convNet()
        let (quantized, findings) = try optimize(b.model, path: "int8-static", calibration: samples)
        XCTAssertEqual(count("QuantizeLinear", in: quantized), 3, "x, the Conv output and the Gemm input; the graph output's pair is dead")
        XCTAssertEqual(count("DequantizeLinear", in: quantized), 3 + 2 + 2)
        XCTAssertEqual(quantized.graph.initializers.filter { $0.dataType == .int8 && $0.rank > 1 }.map(\.shape).sorted { $0[0] < $1[0] },
                       [[8, 1, 3, 3], [10, 32]], "weights stored once, as int8")
        XCTAssertNil(initializer(quantized, "w"))
        XCTAssertNil(initializer(quantized, "fw"))
        XCTAssertEqual(quantized.graph.initializers.filter { $0.dataType == .int32 }.map(\.shape), [[8], [10]])
        let conv = try XCTUnwrap(quantized.graph.nodes.first { $0.opType == "Conv" })
        let weightDQ = try XCTUnwrap(quantized.graph.nodes.first { $0.outputs[0] == conv.inputs[1] })
        XCTAssertEqual(weightDQ.attribute("axis")?.int, 0)
        let gemm = try XCTUnwrap(quantized.graph.nodes.first { $0.opType == "Gemm" })
        let gemmDQ = try XCTUnwrap(quantized.graph.nodes.first { $0.outputs[0] == gemm.inputs[1] })
        XCTAssertEqual(try XCTUnwrap(initializer(quantized, gemmDQ.inputs[1])).shape, [10], "per output channel of a transposed B")
        // The bias scale is the input scale times the weight scale.
        let biasDQ = try XCTUnwrap(quantized.graph.nodes.first { $0.outputs[0] == conv.inputs[2] })
        let inputDQ = try XCTUnwrap(quantized.graph.nodes.first { $0.outputs[0] == conv.inputs[0] })
        let inputScale = try XCTUnwrap(initializer(quantized, inputDQ.inputs[1])?.floatValues().first)
        let weightScales = try XCTUnwrap(initializer(quantized, weightDQ.inputs[1])?.floatValues())
        assertClose(try XCTUnwrap(initializer(quantized, biasDQ.inputs[1])?.floatValues()), weightScales.map { $0 * inputScale })
        XCTAssertTrue(findings.contains { $0.code == "quantized" && $0.message.contains("40 samples") })
        assertValid(quantized)
        try assertIntegerModelClose(reference: b.model, optimized: quantized, maxError: 0.1, inputs: samples)
    }

    /// Kept below opset 13 (`upgrade_opset=false`), DequantizeLinear has no `axis`: weights and the
    /// int32 biases built on their scales are quantized per tensor, and the file stays valid at the
    /// model's own opset.
    func testBelowOpset13WeightsAndBiasesArePerTensor() throws {
        var (b, samples) = convNet()
        b.opset = 11
        let (quantized, findings) = try optimize(b.model, path: "int8-static", options: ["upgrade_opset": "false"], calibration: samples)
        XCTAssertEqual(quantized.opsetVersion(for: ""), 11)
        let dequantizers = quantized.graph.nodes.filter { $0.opType == "DequantizeLinear" }
        XCTAssertEqual(dequantizers.count, 3 + 2 + 2)
        XCTAssertTrue(dequantizers.allSatisfy { $0.attribute("axis") == nil }, "DequantizeLinear-10 has no axis")
        for node in dequantizers {
            XCTAssertEqual(initializer(quantized, node.inputs[1])?.rank, 0, "\(node.name): one scale")
        }
        let conv = try XCTUnwrap(quantized.graph.nodes.first { $0.opType == "Conv" })
        let biasDQ = try XCTUnwrap(dequantizers.first { $0.outputs[0] == conv.inputs[2] })
        XCTAssertEqual(try XCTUnwrap(initializer(quantized, biasDQ.inputs[0])).dataType, .int32)
        XCTAssertTrue(findings.contains { $0.code == "per-tensor-weights" })
        assertValid(quantized)
        try assertIntegerModelClose(reference: b.model, optimized: quantized, maxError: 0.1, inputs: samples)
    }

    func testStaticQuantizationIsSmallerThanFloat() throws {
        var b = ModelBuilder()
        b.input("x", [2, 64])
        b.weight("w1", [64, 64])
        b.weight("w2", [64, 10])
        b.node("MatMul", ["x", "w1"], ["h"])
        b.node("MatMul", ["h", "w2"], ["y"])
        b.output("y")
        let samples = ["x": floats(&b, "x", [8, 64])]
        let (quantized, _) = try optimize(b.model, path: "int8-static", calibration: samples)
        let before = try ONNXModelFile.encode(b.model).count
        let after = try ONNXModelFile.encode(quantized).count
        XCTAssertLessThan(Double(after), Double(before) * 0.35)
    }

    func testOutputPairsGoAfterTheBatchNormAndActivationAQuantizedNodeFeeds() throws {
        var b = ModelBuilder()
        b.input("x", [1, 2, 5, 5])
        b.weight("w1", [4, 2, 3, 3])
        b.weight("gamma", [4], in: 0.5, 1.5)
        b.weight("beta", [4])
        b.weight("mean", [4])
        b.weight("var", [4], in: 0.5, 1)
        b.constant("low", [], [0])
        b.constant("high", [], [6])
        b.weight("w2", [3, 4, 3, 3])
        b.node("Conv", ["x", "w1"], ["c1"], name: "conv1")
        b.node("BatchNormalization", ["c1", "gamma", "beta", "mean", "var"], ["n1"], name: "bn1")
        b.node("Clip", ["n1", "low", "high"], ["r1"], name: "relu6")
        b.node("Conv", ["r1", "w2"], ["y"], name: "conv2")
        b.output("y")
        let samples = ["x": floats(&b, "x", [16, 2, 5, 5])]
        let (quantized, _) = try optimize(b.model, path: "int8-static", calibration: samples)
        let quantizedValues = quantized.graph.nodes.filter { $0.opType == "QuantizeLinear" }.map { $0.inputs[0] }.sorted()
        XCTAssertEqual(quantizedValues, ["r1", "x"], "one pair after Conv → BatchNormalization → Clip, none between them")
        let bn = try XCTUnwrap(quantized.graph.nodes.first { $0.opType == "BatchNormalization" })
        XCTAssertEqual(bn.inputs[0], "c1", "the BatchNormalization reads the Conv output directly")
        for node in quantized.graph.nodes where node.opType == "DequantizeLinear" && quantized.graph.initializers.contains(where: { $0.name == node.inputs[0] && $0.dataType == .int8 }) {
            XCTAssertEqual(node.inputs.count, 2, "int8 weights are dequantized with the default zero point 0, stored nowhere")
        }
        assertValid(quantized)
        _ = try ortCompare(reference: b.model, optimized: quantized, maxError: 0.2, inputs: samples)
    }

    func testStaticQuantizationStoresRecurrentWeightsAsInt8() throws {
        var b = ModelBuilder()
        b.input("x", [3, 1, 4])
        b.inputs[0] = ValueInfo(name: "x", elementType: .float, shape: TensorShape([.symbolic("T"), .fixed(1), .fixed(4)]))
        b.weight("W", [1, 12, 4])
        b.weight("R", [1, 12, 4])
        b.weight("fc", [4, 2])
        b.node("GRU", ["x", "W", "R"], ["", "h"], ["hidden_size": .int(4)], name: "gru")
        b.node("Flatten", ["h"], ["s"], ["axis": .int(2)], name: "flatten")
        b.node("MatMul", ["s", "fc"], ["y"], name: "fc")
        b.outputs.append(ValueInfo(name: "y", elementType: .float, shape: TensorShape(fixed: [1, 2])))
        let samples = ["x": floats(&b, "x", [8, 1, 4])]
        let (quantized, findings) = try optimize(b.model, path: "int8-static", calibration: samples)
        let gru = try XCTUnwrap(quantized.graph.nodes.first { $0.opType == "GRU" })
        for slot in [1, 2] {
            let dq = try XCTUnwrap(quantized.graph.nodes.first { $0.outputs[0] == gru.inputs[slot] && $0.opType == "DequantizeLinear" })
            XCTAssertEqual(dq.attribute("axis")?.int, 1, "one scale per gate row")
            XCTAssertEqual(try XCTUnwrap(initializer(quantized, dq.inputs[0])).dataType, .int8)
            XCTAssertEqual(try XCTUnwrap(initializer(quantized, dq.inputs[1])).shape, [12])
        }
        XCTAssertFalse(quantized.graph.nodes.contains { $0.opType == "QuantizeLinear" && $0.inputs[0] == "x" }, "the GRU input stays float")
        XCTAssertNil(initializer(quantized, "W"))
        XCTAssertNil(initializer(quantized, "R"))
        XCTAssertTrue(findings.contains { $0.code == "quantized" && $0.message.contains("1 recurrent nodes with int8 weights only") })
        let (excluded, _) = try optimize(b.model, path: "int8-static", options: ["weight_only_op_types": ""], calibration: samples)
        XCTAssertNotNil(initializer(excluded, "W"))
        assertValid(quantized)
        _ = try ortCompare(reference: b.model, optimized: quantized, maxError: 0.05, inputs: samples)
    }

    func testWeightComparisonMeasuresEachQuantizedWeightAgainstItsFloatOriginal() throws {
        let (b, samples) = convNet()
        let (quantized, _) = try optimize(b.model, path: "int8-static", calibration: samples)
        let errors = try XCTUnwrap(WeightComparison.compare(reference: b.model, model: quantized))
        XCTAssertEqual(errors.map(\.initializer), ["w", "b", "fw", "fb"])
        let weights = try XCTUnwrap(initializer(b.model, "w")).floatValues()
        let halfStep = (0..<8).map { channel in Double(weights[(channel * 9)..<(channel * 9 + 9)].map(abs).max() ?? 0) / 127 / 2 }
        let conv = try XCTUnwrap(errors.first { $0.initializer == "w" })
        XCTAssertGreaterThan(conv.maxAbsError, 0)
        XCTAssertLessThanOrEqual(conv.maxAbsError, (halfStep.max() ?? 0) * 1.0001, "rounding to the nearest step of its channel")
        XCTAssertGreaterThan(conv.cosine, 0.999)
        XCTAssertGreaterThan(conv.snrDB, 30)
        XCTAssertNil(WeightComparison.compare(reference: b.model, model: b.model), "an unchanged model has no weight error")
    }

    func testSharedWeightsAndActivationsGetOneQDQ() throws {
        var b = ModelBuilder()
        b.input("x", [2, 6])
        b.weight("w", [6, 6])
        b.node("MatMul", ["x", "w"], ["a"])
        b.node("MatMul", ["x", "w"], ["c"])
        b.node("Add", ["a", "c"], ["y"])
        b.output("y")
        let samples = ["x": floats(&b, "x", [4, 6])]
        let (quantized, _) = try optimize(b.model, path: "int8-static", calibration: samples)
        XCTAssertEqual(quantized.graph.initializers.filter { $0.dataType == .int8 && $0.rank == 2 }.count, 1)
        XCTAssertEqual(quantized.graph.nodes.filter { $0.opType == "QuantizeLinear" && $0.inputs[0] == "x" }.count, 1)
    }

    func testIncludeAndExcludeLists() throws {
        let (b, samples) = convNet()
        let (onlyConv, _) = try optimize(b.model, path: "int8-static", options: ["exclude_nodes": "fc"], calibration: samples)
        XCTAssertNotNil(initializer(onlyConv, "fw"), "the excluded Gemm keeps float weights")
        XCTAssertNil(initializer(onlyConv, "w"))
        let (onlyGemm, _) = try optimize(b.model, path: "int8-static", options: ["exclude_op_types": "Conv"], calibration: samples)
        XCTAssertNotNil(initializer(onlyGemm, "w"))
        XCTAssertNil(initializer(onlyGemm, "fw"))
        let (included, _) = try optimize(b.model, path: "int8-static", options: ["include_nodes": "conv"], calibration: samples)
        XCTAssertNotNil(initializer(included, "fw"))
    }

    /// Three 32×32 MatMul layers, then a pooler (Gemm → Tanh) and a 32×2 classifier with a bias
    /// Add and a Softmax: the classifier writes the output through elementwise steps.
    private func encoderWithHead(width: Int = 32, classes: Int = 2) -> (ModelBuilder, [String: Tensor]) {
        var b = ModelBuilder()
        b.input("x", [4, width])
        var value = "x"
        for layer in 0..<3 {
            b.weight("w\(layer)", [width, width])
            b.node("MatMul", [value, "w\(layer)"], ["m\(layer)"], name: "layer\(layer)")
            b.node("Relu", ["m\(layer)"], ["r\(layer)"])
            value = "r\(layer)"
        }
        b.weight("pw", [width, width])
        b.weight("cw", [width, classes])
        b.weight("cb", [classes])
        b.node("Gemm", [value, "pw"], ["p"], name: "pooler")
        b.node("Tanh", ["p"], ["t"])
        b.node("MatMul", ["t", "cw"], ["c"], name: "classifier")
        b.node("Add", ["c", "cb"], ["logits"])
        b.node("Softmax", ["logits"], ["y"])
        b.output("y")
        return (b, ["x": floats(&b, "x", [16, width])])
    }

    func testOutputLayersStayFloatWhenTheyHoldFewOfTheWeights() throws {
        let (b, samples) = encoderWithHead()
        for path in ["int8-static", "int8-dynamic"] {
            let (quantized, _) = try optimize(b.model, path: path, calibration: path == "int8-static" ? samples : nil)
            XCTAssertNotNil(initializer(quantized, "cw"), "\(path): the classifier keeps float weights")
            XCTAssertNil(initializer(quantized, "w2"), "\(path): the layers before are quantized")
            XCTAssertNil(initializer(quantized, "w0"))
            assertValid(quantized)
            let (all, _) = try optimize(b.model, path: path, options: ["quantize_output_layers": "true"],
                                        calibration: path == "int8-static" ? samples : nil)
            XCTAssertNil(initializer(all, "cw"), "\(path): quantize_output_layers=true quantizes the classifier")
            XCTAssertNil(initializer(all, "pw"))
        }
        let (static8, _) = try optimize(b.model, path: "int8-static", calibration: samples)
        XCTAssertNil(initializer(static8, "pw"), "the pooler reaches the output through the classifier's weights: not an output layer")
        XCTAssertFalse(static8.graph.nodes.contains { $0.opType == "QuantizeLinear" && $0.inputs[0] == "t" },
                       "the float classifier's input gets no Q/DQ pair")
        let (named, _) = try optimize(b.model, path: "int8-static", options: ["include_nodes": "classifier"], calibration: samples)
        XCTAssertNil(initializer(named, "cw"), "a node named by include_nodes is quantized")
    }

    func testOutputLayersHoldingMoreThanTheirShareAreQuantized() throws {
        let (b, samples) = encoderWithHead(width: 8, classes: 64)
        let (quantized, _) = try optimize(b.model, path: "int8-static", calibration: samples)
        XCTAssertNil(initializer(quantized, "cw"), "8 × 64 of the 8 × 64 + 4 × 8 × 8 weights is more than 5 %")
    }

    func testWithoutCalibrationDataStaticQuantizationFails() throws {
        let (b, _) = convNet()
        XCTAssertThrowsError(try optimize(b.model, path: "int8-static")) { error in
            XCTAssertEqual(error as? PassError, .missingCalibration(stage: "int8-static"))
        }
    }

    func testCompositionsFuseOrPruneBeforeQuantizing() throws {
        var (b, samples) = convNet()
        b.weight("scale", [8], in: 0.5, 2)
        b.weight("shift", [8])
        b.weight("mean", [8])
        b.weight("var", [8], in: 0.5, 2)
        b.nodes.insert(Node(name: "bn", opType: "BatchNormalization", inputs: ["c", "scale", "shift", "mean", "var"], outputs: ["cn"]), at: 1)
        b.nodes[2].inputs = ["cn"]
        let (fusedQuantized, _) = try optimize(b.model, path: "fused+int8-static", calibration: samples)
        XCTAssertEqual(count("BatchNormalization", in: fusedQuantized), 0)
        XCTAssertEqual(count("QuantizeLinear", in: fusedQuantized), 3)
        let (prunedQuantized, _) = try optimize(b.model, path: "prune-50+int8-static", calibration: samples)
        let weights = prunedQuantized.graph.initializers.filter { $0.dataType == .int8 && $0.rank > 1 }
        XCTAssertEqual(weights.count, 2)
        for weight in weights {
            XCTAssertEqual(try weight.floatValues().filter { $0 == 0 }.count, weight.elementCount / 2, "pruned zeros stay zero in int8")
        }
    }

    func testDynamicQuantizationUsesIntegerOperators() throws {
        var b = ModelBuilder()
        b.input("x", [1, 1, 5, 5])
        b.weight("w", [4, 1, 3, 3])
        b.weight("b", [4])
        b.weight("m1", [36, 6])
        b.weight("m2", [36, 6])
        b.initializers.append(try Tensor(name: "shape", shape: [2], scalars: [Int64(1), 36]))
        b.node("Conv", ["x", "w", "b"], ["c"])
        b.node("Reshape", ["c", "shape"], ["f"])
        b.node("MatMul", ["f", "m1"], ["p"])
        b.node("MatMul", ["f", "m2"], ["q"])
        b.node("Add", ["p", "q"], ["y"])
        b.output("y")
        let (quantized, _) = try optimize(b.model, path: "int8-dynamic")
        XCTAssertEqual(count("DynamicQuantizeLinear", in: quantized), 2, "one for x, one shared by both MatMuls")
        XCTAssertEqual(count("MatMulInteger", in: quantized), 2)
        XCTAssertEqual(count("ConvInteger", in: quantized), 1)
        XCTAssertEqual(count("MatMul", in: quantized) + count("Conv", in: quantized), 0)
        XCTAssertEqual(Set(quantized.graph.initializers.filter { $0.elementCount >= 36 }.map(\.dataType)), [.int8, .uint8],
                       "weights are integer; what stays float are per-channel scales and the bias")
        assertValid(quantized)
        var generator = SeededGenerator(state: 7)
        let x = try Tensor(name: "x", shape: [1, 1, 5, 5], scalars: (0..<25).map { _ in Float(generator.next() % 2001) / 1000 - 1 })
        try assertIntegerModelClose(reference: b.model, optimized: quantized, maxError: 0.2, inputs: ["x": x])
    }

    func testEmbeddingTablesAreStoredAsInt8WithOneScalePerRow() throws {
        var b = ModelBuilder()
        b.input("ids", [2, 3], .int64)
        let table = b.random(40 * 6, in: -0.5, 0.5).enumerated().map { $0.element * Float(1 + $0.offset / 6) }
        b.constant("table", [40, 6], table)
        b.weight("w", [6, 4])
        b.node("Gather", ["table", "ids"], ["e"])
        b.node("MatMul", ["e", "w"], ["h"])
        b.node("Relu", ["h"], ["y"])
        b.output("y")
        let ids = try Tensor(name: "ids", shape: [2, 3], scalars: [Int64(0), 39, 7, 39, 20, 1])
        let expected = try XCTUnwrap(Evaluator(model: b.model).run(tensors: ["ids": ids]).outputs.first?.value.tensor).floatValues()
        let bound = Float(0.5 * 40 / 127 / 2 * 6)
        let onlyTheTable = [("int8-dynamic", ["dynamic_op_types": "Gather"]), ("int8-static", ["op_types": "Conv"])]
        for (path, options) in onlyTheTable {
            let (quantized, _) = try optimize(b.model, path: path, options: options, calibration: ["ids": ids])
            let stored = try XCTUnwrap(quantized.graph.initializers.first { $0.shape == [40, 6] }, path)
            XCTAssertEqual(stored.dataType, .int8, path)
            let scales = try XCTUnwrap(quantized.graph.initializers.first { $0.shape == [40, 1] }, path).floatValues()
            for row in [0, 17, 39] {
                XCTAssertEqual(scales[row], table[row * 6..<(row + 1) * 6].map(abs).max()! / 127, accuracy: 1e-7, "\(path): row \(row)'s own scale")
            }
            XCTAssertFalse(quantized.graph.initializers.contains { $0.dataType == .float && $0.elementCount == 240 }, "\(path): the float table is gone")
            XCTAssertEqual(count("Gather", in: quantized), 2, path)
            XCTAssertEqual(count("MatMul", in: quantized), 1, "\(path): only the table is quantized")
            assertValid(quantized)
            let got = try XCTUnwrap(Evaluator(model: quantized).run(tensors: ["ids": ids]).outputs.first?.value.tensor).floatValues()
            XCTAssertLessThanOrEqual(zip(got, expected).map { abs($0 - $1) }.max() ?? .infinity, bound,
                                     "\(path): each element is off by at most half its row's step, through six weights in [-1, 1]")
            XCTAssertGreaterThan(zip(got, expected).map { abs($0 - $1) }.max() ?? 0, 0, "\(path): the rows went through int8")
            _ = try ortCompare(reference: b.model, optimized: quantized, maxError: Double(bound), inputs: ["ids": ids])
        }
    }

    func testRecurrentWeightsAreStoredAsInt8BehindDequantizeLinear() throws {
        var b = ModelBuilder()
        b.input("x", [3, 1, 4])
        b.weight("W", [1, 12, 4])
        b.weight("R", [1, 12, 4])
        b.node("GRU", ["x", "W", "R"], ["", "h"], ["hidden_size": .int(4)])
        b.outputs.append(ValueInfo(name: "h", elementType: .float, shape: TensorShape(fixed: [1, 1, 4])))
        let (quantized, _) = try optimize(b.model, path: "int8-dynamic")
        XCTAssertEqual(count("DequantizeLinear", in: quantized), 2)
        XCTAssertEqual(quantized.graph.initializers.filter { $0.dataType == .int8 && $0.rank == 3 }.count, 2)
        assertValid(quantized)
        _ = try ortCompare(reference: b.model, optimized: quantized, maxError: 0.05)
    }
}

final class CalibrationTests: XCTestCase {
    func testRangesByMethod() {
        var stats = TensorStatistics()
        var values = (0..<100_000).map { Float($0 % 2001 - 1000) / 1000 }
        values.append(1000)
        stats.observeRange(values)
        XCTAssertEqual(stats.range(method: .minMax).lower, -1)
        XCTAssertEqual(stats.range(method: .minMax).upper, 1000)
        stats.startHistogram(bins: 2048)
        stats.observeHistogram(values)
        let percentile = stats.range(method: .percentile, percentile: 99.9)
        XCTAssertEqual(percentile.lower, -1)
        XCTAssertLessThan(percentile.upper, 2, "one outlier in 100001 is beyond the 99.9th percentile")
        let entropy = stats.range(method: .entropy)
        XCTAssertLessThan(entropy.upper, 100, "KL calibration clips the lone outlier")
        XCTAssertGreaterThan(entropy.upper, 0.5)
    }

    func testStreamingGivesTheSameStatisticsWhateverTheBatchSize() throws {
        var b = ModelBuilder()
        b.input("x", [1, 3])
        b.inputs[0] = ValueInfo(name: "x", elementType: .float, shape: TensorShape([.symbolic("N"), .fixed(3)]))
        b.node("Relu", ["x"], ["y"])
        b.output("y")
        let samples = ["x": floats(&b, "x", [23, 3])]
        let request = CalibrationRequest(method: .percentile, bins: 64) { _ in ["x", "y"] }
        let one = try ExecutorCalibrator(samples: samples, batchSize: 1).calibrate(b.model, request: request)
        let seven = try ExecutorCalibrator(samples: samples, batchSize: 7).calibrate(b.model, request: request)
        XCTAssertEqual(one.sampleCount, 23)
        XCTAssertEqual(one.statistics["y"], seven.statistics["y"])
        XCTAssertEqual(one.statistics["x"]?.minimum, try samples["x"]!.floatValues().min())
        XCTAssertEqual(one.statistics["y"]?.minimum, 0)
        XCTAssertEqual(one.statistics["y"]?.histogram.reduce(0, +), 69)
    }
}

final class PassManagerTests: XCTestCase {
    struct Breaking: GraphPass {
        let name = "breaking"
        func run(on model: inout Model, context: PassContext) throws -> Bool {
            model.graph.nodes[0].inputs[0] = "nowhere"
            return true
        }
    }

    struct Counting: GraphPass {
        let name = "counting"
        func run(on model: inout Model, context: PassContext) throws -> Bool {
            guard model.graph.nodes.count < 4 else { return false }
            model.graph.nodes.append(Node(opType: "Relu", inputs: [model.graph.nodes.last!.outputs[0]],
                                          outputs: ["r\(model.graph.nodes.count)"]))
            return true
        }
    }

    private func model() -> Model {
        var b = ModelBuilder()
        b.input("x", [2])
        b.node("Relu", ["x"], ["y"])
        b.output("y")
        return b.model
    }

    func testTheFirstPassThatBreaksTheGraphIsNamed() {
        let manager = PassManager(stages: [PassStage(name: "s", passes: [Breaking()])], verifiesEachPass: true)
        XCTAssertThrowsError(try manager.run(model(), context: PassContext())) { error in
            guard case .invalidResult(let pass, let errors)? = error as? PassError else { return XCTFail("\(error)") }
            XCTAssertEqual(pass, "breaking")
            XCTAssertTrue(errors.joined().contains("nowhere"), "\(errors)")
        }
    }

    func testStagesRunToAFixpoint() throws {
        let manager = PassManager(stages: [PassStage(name: "s", passes: [Counting()])], verifiesEachPass: true)
        XCTAssertEqual(try manager.run(model(), context: PassContext()).graph.nodes.count, 4)
        let once = PassManager(stages: [PassStage(name: "s", passes: [Counting()], repeats: false)])
        XCTAssertEqual(try once.run(model(), context: PassContext()).graph.nodes.count, 2)
    }

    func testPathNamesAndOptions() throws {
        XCTAssertEqual(try OptimizationPath(parsing: "fused+int8-static").components, [.fused, .int8Static])
        XCTAssertEqual(try OptimizationPath(parsing: "prune-channels-25").components, [.pruneChannels(percent: 25)])
        XCTAssertEqual(try OptimizationPath(parsing: "prune-50").description, "prune-50")
        XCTAssertThrowsError(try OptimizationPath(parsing: "int4")) { XCTAssertTrue("\($0)".contains("known paths")) }
        XCTAssertThrowsError(try OptimizationPath(parsing: "prune-150"))
        let options = try PassOptions(parsing: ["calibration-method=entropy", "percentile = 99.9"])
        XCTAssertEqual(options.string("calibration_method"), "entropy")
        XCTAssertEqual(try options.double("percentile", default: 0), 99.9)
        XCTAssertThrowsError(try PassOptions(parsing: ["novalue"]))
        XCTAssertThrowsError(try OptimizationPath(parsing: "int8-static").stages(options: PassOptions(["activation_type": "int4"])))
    }
}

final class ManifestOptionsTests: XCTestCase {
    private let yaml = """
        paths: [fp32, int8-static]
        defaults:
          int8-static: {min_cosine: 0.99, options: {calibration_method: entropy, percentile: 99.9}}
          fp16: {options: {fp16-block-ops-add: [Softmax, LayerNormalization]}}
        models:
          a: {source: a/model.onnx, options: {int8-static: {calibration_method: percentile, exclude_nodes: [fc1, fc2]}}}
          b: {source: b/model.onnx}
        """

    func testOptionsComeFromDefaultsThenTheModel() throws {
        let manifest = try Manifest.parse(yaml: yaml, file: "corpus.yml", corpusRoot: URL(fileURLWithPath: "/c"), checkSources: false)
        let a = try XCTUnwrap(manifest.model(named: "a")), b = try XCTUnwrap(manifest.model(named: "b"))
        let forA = manifest.passOptions(model: a, path: "fp16+int8-static")
        XCTAssertEqual(forA.string("calibration_method"), "percentile")
        XCTAssertEqual(forA.string("percentile"), "99.9")
        XCTAssertEqual(forA.list("exclude_nodes"), ["fc1", "fc2"])
        XCTAssertEqual(forA.list("fp16_block_ops_add"), ["Softmax", "LayerNormalization"])
        let forB = manifest.passOptions(model: b, path: "int8-static")
        XCTAssertEqual(forB.string("calibration_method"), "entropy")
        XCTAssertNil(forB.string("exclude_nodes"))
        XCTAssertEqual(manifest.passOptions(model: b, path: "fp32").values, [:])
        XCTAssertEqual(manifest.pathThresholds("int8-static")[.minCosine], 0.99, "options sit beside the thresholds")
    }

    func testOptionsForAPathThatIsNotBuiltInAreRefusedWithTheirLine() {
        let text = "paths: [fp32]\nmodels:\n  a: {source: a/model.onnx, options: {my-converter: {x: 1}}}\n"
        XCTAssertThrowsError(try Manifest.parse(yaml: text, file: "corpus.yml", corpusRoot: URL(fileURLWithPath: "/c"), checkSources: false)) { error in
            XCTAssertTrue("\(error)".contains("corpus.yml:3:"), "\(error)")
            XCTAssertTrue("\(error)".contains("need a built-in path component, not 'my-converter'"), "\(error)")
        }
    }
}
