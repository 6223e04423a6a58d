@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// The fast plan's channels-last regions (`ChannelsLastRegions`): which steps run channels-last,
/// where the layout changes, and that every output matches the reference plan.
final class ChannelsLastRegionsTests: XCTestCase {
    private var random = SeededGenerator(state: 11)

    override func setUp() {
        ChannelsLastConv.isEnabled = true
    }

    private func conv(_ name: String, _ input: String, _ output: String, channels: Int, maps: Int, kernel: Int = 3,
                      initializers: inout [Tensor]) -> Node {
        initializers.append(GraphBuilder.tensor("\(name)_w", [maps, channels, kernel, kernel], random.floats(maps * channels * kernel * kernel)))
        initializers.append(GraphBuilder.tensor("\(name)_b", [maps], random.floats(maps)))
        return Node(name: name, opType: "Conv", inputs: [input, "\(name)_w", "\(name)_b"], outputs: [output],
                    attributes: [GraphBuilder.ints("pads", Array(repeating: Int64(kernel / 2), count: 4))])
    }

    /// Runs `model` on a random [1, channels, 7, 6] X both ways, checks every channels-last Conv ran on
    /// a oneDNN primitive (those labelled `withoutPrimitive` on none), and returns the fast plan's
    /// kernels in order.
    private func kernels(_ model: Model, channels: Int, outputs: [String], withoutPrimitive: Set<String> = [],
                         file: StaticString = #filePath, line: UInt = #line) throws -> [String] {
        let x = GraphBuilder.tensor([1, channels, 7, 6], random.floats(channels * 42))
        let evaluator = try Evaluator(model: model)
        let reference = try evaluator.run(tensors: ["X": x], captureIntermediates: true)
        let profile = ExecutionProfile()
        let fast = try evaluator.run(["X": .tensor(x)], profile: profile)
        for name in outputs {
            let expected = try XCTUnwrap(reference[name]?.tensor, file: file, line: line)
            let actual = try XCTUnwrap(fast[name]?.tensor, file: file, line: line)
            XCTAssertEqual(actual.shape, expected.shape, name, file: file, line: line)
            assertClose(try actual.floatValues(), try expected.floatValues(), rtol: 1e-4, atol: 1e-5, name, file: file, line: line)
        }
        for step in evaluator.fastGraph?.steps ?? [] {
            guard let conv = step.kernel as? ChannelsLastConv else { continue }
            let expected = withoutPrimitive.contains(step.label) ? 0 : 1
            XCTAssertEqual(conv.implementations.count, expected, "\(step.label) ran on \(expected) oneDNN primitive", file: file, line: line)
        }
        return profile.entries.map(\.kernel)
    }

    /// A residual block: the Add, Relu and MaxPool between convolutions stay channels-last, and the
    /// global pool reads channels-last values directly; an output read inside the region is
    /// written channels-first too.
    func testResidualBlockChangesLayoutOnlyAtRegionEdges() throws {
        var initializers: [Tensor] = []
        let nodes = [
            conv("c1", "X", "A", channels: 3, maps: 4, initializers: &initializers),
            Node(name: "r1", opType: "Relu", inputs: ["A"], outputs: ["R1"]),
            conv("c2", "R1", "B", channels: 4, maps: 4, initializers: &initializers),
            Node(name: "add", opType: "Add", inputs: ["B", "R1"], outputs: ["S"]),
            Node(name: "r2", opType: "Relu", inputs: ["S"], outputs: ["R2"]),
            Node(name: "pool", opType: "MaxPool", inputs: ["R2"], outputs: ["P"],
                 attributes: [GraphBuilder.ints("kernel_shape", [2, 2]), GraphBuilder.ints("strides", [2, 2])]),
            conv("c3", "P", "C", channels: 4, maps: 5, kernel: 1, initializers: &initializers),
            Node(name: "gmp", opType: "GlobalMaxPool", inputs: ["C"], outputs: ["G"]),
        ]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("G"), GraphBuilder.value("R2")],
                                       initializers: initializers, opset: 13)
        let kernels = try kernels(model, channels: 3, outputs: ["G", "R2"])
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastConv" }.count, 3)
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastPool" }.count, 1)
        // X in; R2 out (a graph output); the global pool reads C channels-last.
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastReorder" }.count, 2, "\(kernels)")
        XCTAssertEqual(kernels.last, "FastGlobalPool")
        XCTAssertEqual(kernels.first, "ChannelsLastReorder")
    }

    /// Two convolutions concatenated along channels feed a third without a layout change; a
    /// squeeze-and-excitation gate multiplies channels-last values that broadcast alike in both layouts.
    func testConcatAndSqueezeExcitationStayChannelsLast() throws {
        var initializers: [Tensor] = []
        let nodes = [
            conv("a", "X", "A", channels: 2, maps: 3, initializers: &initializers),
            conv("b", "X", "B", channels: 2, maps: 2, kernel: 1, initializers: &initializers),
            Node(name: "cat", opType: "Concat", inputs: ["A", "B"], outputs: ["K"], attributes: [GraphBuilder.int("axis", 1)]),
            conv("c", "K", "C", channels: 5, maps: 4, initializers: &initializers),
            Node(name: "gap", opType: "GlobalAveragePool", inputs: ["C"], outputs: ["G"]),
            conv("squeeze", "G", "Q", channels: 4, maps: 4, kernel: 1, initializers: &initializers),
            Node(name: "gate", opType: "Sigmoid", inputs: ["Q"], outputs: ["E"]),
            Node(name: "scale", opType: "Mul", inputs: ["C", "E"], outputs: ["Y"]),
            Node(name: "half", opType: "Mul", inputs: ["Y", "h"], outputs: ["Z"]),
        ]
        initializers.append(GraphBuilder.tensor("h", [], [0.5]))
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Z")],
                                       initializers: initializers, opset: 13)
        let kernels = try kernels(model, channels: 2, outputs: ["Z"])
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastConv" }.count, 4)
        // X in (shared by both readers); G in (the global pool reads C channels-last); Z out.
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastReorder" }.count, 3, "\(kernels)")
    }

    /// A per-channel constant operand and a channels-first operand end the region: the Add runs
    /// on [N, C, H, W] as written.
    func testPerChannelConstantAndChannelsFirstOperandEndTheRegion() throws {
        var initializers: [Tensor] = [GraphBuilder.tensor("k", [3, 1, 1], [1, 2, 3])]
        let nodes = [
            conv("a", "X", "A", channels: 3, maps: 3, initializers: &initializers),
            Node(name: "shift", opType: "Add", inputs: ["A", "k"], outputs: ["S"]),
            conv("b", "S", "B", channels: 3, maps: 3, initializers: &initializers),
            Node(name: "skip", opType: "Add", inputs: ["B", "X"], outputs: ["Y"]),
        ]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 13)
        let kernels = try kernels(model, channels: 3, outputs: ["Y"])
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastReorder" }.count, 4, "\(kernels)")
    }

    /// A Mul whose only reader is a QuantizeLinear runs with it as one step writing int8: it ends the
    /// region (the reorders carry float values only), and the model runs as the reference does.
    func testAStepThatQuantizesItsOutputEndsTheRegion() throws {
        var initializers: [Tensor] = [
            GraphBuilder.tensor("half", [], [0.5]), GraphBuilder.tensor("scale", [], [0.02]),
            (try? Tensor(name: "zero", converting: [0], to: .int8, shape: []))!,
        ]
        let nodes = [
            conv("a", "X", "A", channels: 3, maps: 4, initializers: &initializers),
            Node(name: "mul", opType: "Mul", inputs: ["A", "half"], outputs: ["M"]),
            Node(name: "q", opType: "QuantizeLinear", inputs: ["M", "scale", "zero"], outputs: ["Q"]),
            Node(name: "dq", opType: "DequantizeLinear", inputs: ["Q", "scale", "zero"], outputs: ["D"]),
            conv("b", "D", "Y", channels: 4, maps: 2, initializers: &initializers),
        ]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 13)
        let evaluator = try Evaluator(model: model)
        let quantizing = try XCTUnwrap(evaluator.fastGraph?.steps.first { $0.kernel is QuantizingOutput }, "the Mul absorbs the QuantizeLinear")
        XCTAssertEqual(quantizing.opType, "Mul+QuantizeLinear")
        let kernels = try kernels(model, channels: 3, outputs: ["Y"])
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastReorder" }.count, 2, "into and out of the first convolution: \(kernels)")
    }

    /// A sigmoid, a SiLU (Sigmoid and the Mul reading it), a HardSwish and a HardSigmoid after a
    /// convolution run as its post-ops (no step of their own), a ReLU before one as its clamp; an
    /// activation whose input something else reads too keeps its step.
    func testActivationsAfterAConvolutionRunInsideIt() throws {
        var initializers: [Tensor] = []
        let nodes = [
            conv("a", "X", "A", channels: 3, maps: 4, initializers: &initializers),
            Node(name: "sigmoid_a", opType: "Sigmoid", inputs: ["A"], outputs: ["SA"]),
            Node(name: "silu", opType: "Mul", inputs: ["A", "SA"], outputs: ["S"]),
            conv("b", "S", "B", channels: 4, maps: 4, initializers: &initializers),
            Node(name: "hardswish", opType: "HardSwish", inputs: ["B"], outputs: ["H"]),
            conv("c", "H", "C", channels: 4, maps: 5, kernel: 1, initializers: &initializers),
            Node(name: "relu", opType: "Relu", inputs: ["C"], outputs: ["CR"]),
            Node(name: "gate", opType: "HardSigmoid", inputs: ["CR"], outputs: ["G"],
                 attributes: [GraphBuilder.float("alpha", 0.25), GraphBuilder.float("beta", 0.4)]),
            conv("d", "G", "D", channels: 5, maps: 3, initializers: &initializers),
            Node(name: "sigmoid_d", opType: "Sigmoid", inputs: ["D"], outputs: ["SD"]),
            conv("e", "SD", "E", channels: 3, maps: 2, initializers: &initializers),
            Node(name: "sigmoid_e", opType: "Sigmoid", inputs: ["E"], outputs: ["SE"]),
            Node(name: "skip", opType: "Add", inputs: ["SE", "E"], outputs: ["Y"]),
        ]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 14)
        let kernels = try kernels(model, channels: 3, outputs: ["Y"])
        XCTAssertEqual(kernels, ["ChannelsLastReorder", "ChannelsLastConv", "ChannelsLastConv", "ChannelsLastConv", "ChannelsLastConv",
                                 "ChannelsLastConv", "FastUnary", "FastBinary", "ChannelsLastReorder"], "\(kernels)")
        let activations = try XCTUnwrap(Evaluator(model: model).fastGraph).steps.compactMap { ($0.kernel as? ChannelsLastConv)?.activation }
        XCTAssertEqual(activations, [.silu, .hardSwish, .hardSigmoid(alpha: 0.25, beta: 0.4), .sigmoid, .identity])
    }

    /// A residual Add and the ReLU after it run inside the convolution whose output the Add reads,
    /// with the other operand computed before it; a residual that broadcasts (a pooled [1, 4, 1, 1])
    /// takes the absorbed Add's kernel, and both match the reference.
    func testResidualAddAndReluRunInsideTheConvolution() throws {
        var initializers: [Tensor] = []
        let nodes = [
            conv("a", "X", "A", channels: 3, maps: 4, initializers: &initializers),
            Node(name: "pool", opType: "MaxPool", inputs: ["A"], outputs: ["P"], attributes: [GraphBuilder.ints("kernel_shape", [7, 6])]),
            conv("b", "A", "B", channels: 4, maps: 4, initializers: &initializers),
            Node(name: "broadcast", opType: "Add", inputs: ["P", "B"], outputs: ["S"]),
            Node(name: "relu_s", opType: "Relu", inputs: ["S"], outputs: ["R"]),
            conv("c", "R", "C", channels: 4, maps: 4, kernel: 1, initializers: &initializers),
            Node(name: "skip", opType: "Add", inputs: ["C", "R"], outputs: ["T"]),
            Node(name: "relu_t", opType: "Relu", inputs: ["T"], outputs: ["Y"]),
        ]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 13)
        let kernels = try kernels(model, channels: 3, outputs: ["Y"], withoutPrimitive: ["b"])
        XCTAssertEqual(kernels, ["ChannelsLastReorder", "ChannelsLastConv", "ChannelsLastPool", "ChannelsLastConv", "ChannelsLastConv",
                                 "ChannelsLastReorder"], "\(kernels)")
        let convolutions = try XCTUnwrap(Evaluator(model: model).fastGraph).steps.compactMap { $0.kernel as? ChannelsLastConv }
        XCTAssertEqual(convolutions.map { $0.residual?.convolutionFirst }, [nil, false, true])
        XCTAssertEqual(convolutions.map(\.activation), [.identity, .relu, .relu])
    }

    /// What a convolution without a primitive applies after its channels-first run agrees with the
    /// operators' reference kernels.
    func testActivationsWithoutAPrimitiveMatchTheReferenceKernels() throws {
        let values = (0..<257).map { Float($0 - 128) / 16 }
        let x = GraphBuilder.tensor([1, 1, 1, values.count], values)
        for (activation, node) in [(ChannelsLastConv.Activation.sigmoid, Node(opType: "Sigmoid", inputs: ["x"], outputs: ["y"])),
                                   (.hardSwish, Node(opType: "HardSwish", inputs: ["x"], outputs: ["y"])),
                                   (.hardSigmoid(alpha: 0.3, beta: 0.6), Node(opType: "HardSigmoid", inputs: ["x"], outputs: ["y"],
                                                                              attributes: [GraphBuilder.float("alpha", 0.3),
                                                                                           GraphBuilder.float("beta", 0.6)]))] {
            let model = GraphBuilder.model([node], inputs: [GraphBuilder.value("x")], outputs: [GraphBuilder.value("y")], opset: 14)
            let expected = try XCTUnwrap(Evaluator(model: model).run(tensors: ["x": x], captureIntermediates: true)["y"]?.tensor)
            assertClose(try activation.applied(to: x).floatValues(), try expected.floatValues(), rtol: 3e-7, atol: 1e-7, "\(activation)")
        }
        let silu = try ChannelsLastConv.Activation.silu.applied(to: x).floatValues()
        assertClose(silu, values.map { Float(Double($0) / (1 + exp(-Double($0)))) }, rtol: 5e-7, atol: 1e-7, "silu")
    }

    /// Max and average pools of random geometry (pads, strides, dilations, `ceil_mode`,
    /// `count_include_pad`) and the per-channel chain after them run channels-last on oneDNN where
    /// it has a primitive for the geometry, and match the reference everywhere.
    func testPoolsAndPerChannelChainsMatchTheReference() throws {
        var pooled = 0
        for index in 0..<48 {
            var initializers: [Tensor] = [GraphBuilder.tensor("m", [4, 1, 1], random.floats(4)),
                                          GraphBuilder.tensor("a", [1, 4, 1, 1], random.floats(4))]
            let isMax = index % 2 == 0
            let kernel = [random.int(1...3), random.int(1...3)]
            var attributes = [GraphBuilder.ints("kernel_shape", kernel.map(Int64.init)),
                              GraphBuilder.ints("strides", [Int64(random.int(1...2)), Int64(random.int(1...2))]),
                              GraphBuilder.ints("pads", [0, 1, 0, 1].map { Int64(random.int(0...min(kernel[$0 % 2] - 1, 1))) }),
                              GraphBuilder.int("ceil_mode", Int64(random.int(0...1)))]
            if isMax {
                attributes.append(GraphBuilder.ints("dilations", [Int64(random.int(1...2)), 1]))
            } else {
                attributes.append(GraphBuilder.int("count_include_pad", Int64(random.int(0...1))))
            }
            let nodes = [
                conv("c", "X", "C", channels: 2, maps: 4, initializers: &initializers),
                Node(name: "pool", opType: isMax ? "MaxPool" : "AveragePool", inputs: ["C"], outputs: ["P"], attributes: attributes),
                Node(name: "scale", opType: "Mul", inputs: ["P", "m"], outputs: ["Q"]),
                Node(name: "shift", opType: "Add", inputs: ["Q", "a"], outputs: ["S"]),
                Node(name: "relu", opType: "Relu", inputs: ["S"], outputs: ["Y"]),
            ]
            let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                           initializers: initializers, opset: 13)
            let kernels = try kernels(model, channels: 2, outputs: ["Y"])
            XCTAssertEqual(kernels, ["ChannelsLastReorder", "ChannelsLastConv", "ChannelsLastPool", "FastChannelAffine", "ChannelsLastReorder"],
                           "\(attributes)")
            let evaluator = try Evaluator(model: model)
            _ = try evaluator.run(tensors: ["X": GraphBuilder.tensor([1, 2, 7, 6], random.floats(84))])
            let pool = try XCTUnwrap(evaluator.fastGraph?.steps.compactMap { $0.kernel as? ChannelsLastPool }.first)
            pooled += pool.implementations.count
        }
        XCTAssertGreaterThan(pooled, 30, "most geometries run on a oneDNN pooling primitive")
    }

    /// LRN runs on oneDNN's across-channel primitive for an odd window and falls back between
    /// reorders for an even one (which ONNX centres one channel lower); both match the reference.
    func testLRNRunsChannelsLast() throws {
        for size in [5, 4] {
            var initializers: [Tensor] = []
            let nodes = [
                conv("a", "X", "A", channels: 2, maps: 7, initializers: &initializers),
                Node(name: "lrn", opType: "LRN", inputs: ["A"], outputs: ["L"],
                     attributes: [GraphBuilder.int("size", Int64(size)), GraphBuilder.float("alpha", 0.2), GraphBuilder.float("bias", 1.5)]),
                conv("b", "L", "Y", channels: 7, maps: 3, initializers: &initializers),
            ]
            let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                           initializers: initializers, opset: 13)
            XCTAssertEqual(try kernels(model, channels: 2, outputs: ["Y"]),
                           ["ChannelsLastReorder", "ChannelsLastConv", "ChannelsLastLRN", "ChannelsLastConv", "ChannelsLastReorder"])
            let evaluator = try Evaluator(model: model)
            _ = try evaluator.run(tensors: ["X": GraphBuilder.tensor([1, 2, 7, 6], random.floats(84))])
            let lrn = try XCTUnwrap(evaluator.fastGraph?.steps.compactMap { $0.kernel as? ChannelsLastLRN }.first)
            XCTAssertEqual(lrn.implementations.count, size % 2, "size \(size)")
        }
    }

    /// ShuffleNet's Reshape → Transpose (0, 2, 1, 3, 4) → Reshape between convolutions is one
    /// channels-last step; shapes that do not describe a shuffle of the input at run time take the
    /// original steps, and both match the reference.
    func testChannelShuffleRunsChannelsLast() throws {
        for grouping in [[1, 3, 2, 7, 6], [0, 2, -1, 7, 6], [1, 3, 2, 42, 1]] as [[Int64]] {
            var initializers: [Tensor] = [GraphBuilder.int64s("g", grouping), GraphBuilder.int64s("m", [1, 6, 7, 6])]
            let nodes = [
                conv("a", "X", "A", channels: 2, maps: 6, initializers: &initializers),
                Node(name: "group", opType: "Reshape", inputs: ["A", "g"], outputs: ["G"]),
                Node(name: "swap", opType: "Transpose", inputs: ["G"], outputs: ["T"], attributes: [GraphBuilder.ints("perm", [0, 2, 1, 3, 4])]),
                Node(name: "merge", opType: "Reshape", inputs: ["T", "m"], outputs: ["S"]),
                conv("b", "S", "Y", channels: 6, maps: 4, kernel: 1, initializers: &initializers),
            ]
            let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                           initializers: initializers, opset: 13)
            XCTAssertEqual(try kernels(model, channels: 2, outputs: ["Y"]),
                           ["ChannelsLastReorder", "ChannelsLastConv", "ChannelsLastShuffle", "ChannelsLastConv", "ChannelsLastReorder"],
                           "\(grouping)")
        }
    }

    /// ShuffleNet V2 as PyTorch exports it: the channel split (`Slice` at half of a `Shape`, or
    /// `Split`), the shuffle's shapes computed from `Shape` at run time, and a Slice along a
    /// negative spatial axis all run on the channels-last values: the layout changes only at the
    /// input and the output, and every value matches the reference plan.
    func testShuffleNetV2UnitWithRunTimeShapesStaysChannelsLast() throws {
        var initializers: [Tensor] = [
            GraphBuilder.int64s("i0", [0]), GraphBuilder.int64s("i1", [1]), GraphBuilder.int64s("i2", [2]), GraphBuilder.int64s("i3", [3]),
            GraphBuilder.int64s("two", [2]), GraphBuilder.int64s("minus", [-1]), GraphBuilder.int64s("zero", [0]),
            GraphBuilder.int64s("rows_from", [1]), GraphBuilder.int64s("rows_to", [5]), GraphBuilder.int64s("rows_axis", [-2]),
        ]
        let nodes = [
            conv("a", "X", "A", channels: 2, maps: 4, initializers: &initializers),
            Node(name: "shape", opType: "Shape", inputs: ["A"], outputs: ["shape"]),
            Node(name: "n", opType: "Gather", inputs: ["shape", "i0"], outputs: ["n"]),
            Node(name: "c", opType: "Gather", inputs: ["shape", "i1"], outputs: ["c"]),
            Node(name: "h", opType: "Gather", inputs: ["shape", "i2"], outputs: ["h"]),
            Node(name: "w", opType: "Gather", inputs: ["shape", "i3"], outputs: ["w"]),
            Node(name: "half", opType: "Div", inputs: ["c", "two"], outputs: ["half"]),
            Node(name: "x1", opType: "Slice", inputs: ["A", "zero", "half", "i1"], outputs: ["X1"]),
            Node(name: "x2", opType: "Slice", inputs: ["A", "half", "c", "i1"], outputs: ["X2"]),
            conv("b", "X2", "B", channels: 2, maps: 2, kernel: 1, initializers: &initializers),
            Node(name: "cat", opType: "Concat", inputs: ["X1", "B"], outputs: ["C"], attributes: [GraphBuilder.int("axis", 1)]),
            Node(name: "grouping", opType: "Concat", inputs: ["n", "two", "half", "h", "w"], outputs: ["grouping"],
                 attributes: [GraphBuilder.int("axis", 0)]),
            Node(name: "merging", opType: "Concat", inputs: ["n", "minus", "h", "w"], outputs: ["merging"], attributes: [GraphBuilder.int("axis", 0)]),
            Node(name: "group", opType: "Reshape", inputs: ["C", "grouping"], outputs: ["G"]),
            Node(name: "swap", opType: "Transpose", inputs: ["G"], outputs: ["T"], attributes: [GraphBuilder.ints("perm", [0, 2, 1, 3, 4])]),
            Node(name: "merge", opType: "Reshape", inputs: ["T", "merging"], outputs: ["S"]),
            Node(name: "split", opType: "Split", inputs: ["S"], outputs: ["P1", "P2"],
                 attributes: [GraphBuilder.int("axis", 1), GraphBuilder.int("num_outputs", 2)]),
            conv("d", "P2", "D", channels: 2, maps: 2, initializers: &initializers),
            Node(name: "cat2", opType: "Concat", inputs: ["P1", "D"], outputs: ["Z"], attributes: [GraphBuilder.int("axis", 1)]),
            Node(name: "rows", opType: "Slice", inputs: ["Z", "rows_from", "rows_to", "rows_axis"], outputs: ["Y"]),
        ]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 18)
        let kernels = try kernels(model, channels: 2, outputs: ["Y"])
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastReorder" }.count, 2, "\(kernels)")
        XCTAssertEqual(kernels.first, "ChannelsLastReorder")
        XCTAssertEqual(kernels.last, "ChannelsLastReorder")
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastConv" }.count, 3)
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastSlice" }.count, 3, "\(kernels)")
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastShape" }.count, 1, "\(kernels)")
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastShuffle" }.count, 1, "\(kernels)")
        XCTAssertEqual(kernels.filter { $0 == "ChannelsLastSplit" }.count, 1, "\(kernels)")
        XCTAssertFalse(kernels.contains { $0.contains("Transpose") || $0.hasPrefix("Reshape") }, "\(kernels)")
    }

    /// ConvNeXt's own permutes: a Transpose (0, 2, 3, 1) of a channels-last value is that value, and
    /// a convolution after a Transpose (0, 3, 1, 2) reads the Transpose's input, which is dropped.
    func testPermutesAroundConvolutionsCostNothing() throws {
        var initializers: [Tensor] = [GraphBuilder.tensor("s", [4], random.floats(4)), GraphBuilder.tensor("t", [4], random.floats(4))]
        let nodes = [
            conv("a", "X", "A", channels: 3, maps: 4, initializers: &initializers),
            Node(name: "to_last", opType: "Transpose", inputs: ["A"], outputs: ["L"], attributes: [GraphBuilder.ints("perm", [0, 2, 3, 1])]),
            Node(name: "norm", opType: "LayerNormalization", inputs: ["L", "s", "t"], outputs: ["N"], attributes: [GraphBuilder.int("axis", -1)]),
            Node(name: "to_first", opType: "Transpose", inputs: ["N"], outputs: ["F"], attributes: [GraphBuilder.ints("perm", [0, 3, 1, 2])]),
            conv("b", "F", "Y", channels: 4, maps: 2, initializers: &initializers),
        ]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 17)
        XCTAssertEqual(try kernels(model, channels: 3, outputs: ["Y"]),
                       ["ChannelsLastReorder", "ChannelsLastConv", "Identity_1", "FastLayerNormalization", "ChannelsLastConv", "ChannelsLastReorder"])
    }

    /// A single-value constant of rank 5 makes the product rank 5, which is not channels-last: the
    /// region ends before the Mul.
    func testRankFiveSingleValueEndsTheRegion() throws {
        var initializers: [Tensor] = [GraphBuilder.tensor("k", [1, 1, 1, 1, 1], [2])]
        let nodes = [
            conv("a", "X", "A", channels: 2, maps: 3, initializers: &initializers),
            Node(name: "scale", opType: "Mul", inputs: ["A", "k"], outputs: ["Y"]),
        ]
        let model = GraphBuilder.model(nodes, inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("Y")],
                                       initializers: initializers, opset: 13)
        XCTAssertEqual(try kernels(model, channels: 2, outputs: ["Y"]), ["ChannelsLastReorder", "ChannelsLastConv", "ChannelsLastReorder", "FastBinary"])
    }

    /// With the switch off the plan has no channels-last step.
    func testSwitchedOffPlanRunsChannelsFirst() throws {
        ChannelsLastConv.isEnabled = false
        defer { ChannelsLastConv.isEnabled = true }
        var initializers: [Tensor] = []
        let model = GraphBuilder.model([conv("a", "X", "A", channels: 2, maps: 2, initializers: &initializers)],
                                       inputs: [GraphBuilder.value("X")], outputs: [GraphBuilder.value("A")],
                                       initializers: initializers, opset: 13)
        XCTAssertEqual(try kernels(model, channels: 2, outputs: ["A"]), ["FusedConv"])
    }
}
