import ModelIR
import Passes
import TestSupport
import XCTest

final class PruningTests: XCTestCase {
    private func cnn() -> (ModelBuilder, Tensor) {
        var b = ModelBuilder()
        b.input("x", [2, 1, 6, 6])
        b.weight("w1", [8, 1, 3, 3])
        b.weight("b1", [8])
        b.weight("scale", [8], in: 0.5, 2)
        b.weight("shift", [8])
        b.weight("mean", [8])
        b.weight("var", [8], in: 0.5, 2)
        b.weight("w2", [4, 8, 3, 3])
        b.weight("fw", [16, 5])
        b.weight("fb", [5])
        b.weight("gw", [5, 3])
        b.node("Conv", ["x", "w1", "b1"], ["c1"], ["pads": .ints([1, 1, 1, 1])])
        b.node("BatchNormalization", ["c1", "scale", "shift", "mean", "var"], ["n1"])
        b.node("Relu", ["n1"], ["r1"])
        b.node("Conv", ["r1", "w2"], ["c2"])
        b.node("Relu", ["c2"], ["r2"])
        b.node("MaxPool", ["r2"], ["p2"], ["kernel_shape": .ints([2, 2]), "strides": .ints([2, 2])])
        b.node("Flatten", ["p2"], ["f"])
        b.node("Gemm", ["f", "fw", "fb"], ["g"])
        b.node("Relu", ["g"], ["gr"])
        b.node("MatMul", ["gr", "gw"], ["y"])
        b.output("y")
        return (b, floats(&b, "x", [2, 1, 6, 6]))
    }

    func testMagnitudePruningLeavesExactlyHalfZerosInEachTensor() throws {
        let (b, x) = cnn()
        let (pruned, findings) = try optimize(b.model, path: "prune-50")
        for name in ["w1", "w2", "fw", "gw"] {
            let tensor = try XCTUnwrap(pruned.graph.initializers.first { $0.name == name })
            let values = try tensor.floatValues()
            XCTAssertEqual(values.filter { $0 == 0 }.count, Int((Double(values.count) / 2).rounded()), name)
            let original = try XCTUnwrap(b.initializers.first { $0.name == name }?.floatValues())
            let kept = zip(values, original).filter { $0.0 != 0 }
            let threshold = kept.map { abs($0.1) }.min() ?? 0
            XCTAssertTrue(zip(values, original).allSatisfy { $0.0 != 0 || abs($0.1) <= threshold }, "only the smallest go in \(name)")
            XCTAssertTrue(kept.allSatisfy { $0.0 == $0.1 }, "kept weights are unchanged")
        }
        XCTAssertTrue(findings.contains { $0.code == "weight-storage" })
        _ = try evaluate(pruned, ["x": x])
    }

    /// Integer constants (Slice starts and axes, shapes) stay dense however many zeros they hold:
    /// shape inference reads their values, which a sparse Constant hides.
    func testIntegerConstantsAreNeverStoredSparse() throws {
        var b = ModelBuilder()
        b.input("x", [1, 2, 4, 4])
        b.weight("w", [8, 2, 3, 3])
        b.initializers.append(try Tensor(name: "starts", shape: [1], scalars: [Int64(0)]))
        b.initializers.append(try Tensor(name: "ends", shape: [1], scalars: [Int64(4)]))
        b.initializers.append(try Tensor(name: "axes", shape: [1], scalars: [Int64(1)]))
        b.initializers.append(try Tensor(name: "zeros", shape: [8], scalars: [Int64](repeating: 0, count: 8)))
        b.node("Conv", ["x", "w"], ["c"], ["pads": .ints([1, 1, 1, 1])])
        b.node("Slice", ["c", "starts", "ends", "axes"], ["s"])
        b.node("Pad", ["s", "zeros"], ["y"])
        b.output("y")
        let x = floats(&b, "x", [1, 2, 4, 4])
        let (pruned, _) = try optimize(b.model, path: "prune-90")
        let sparse = pruned.graph.nodes.compactMap { node -> String? in
            guard node.opType == "Constant", case .sparseTensor(let tensor)? = node.attribute("sparse_value")?.value else { return nil }
            return tensor.name
        }
        XCTAssertEqual(sparse, ["w"], "the pruned float weight is stored sparse, no integer constant is")
        XCTAssertEqual(Set(pruned.graph.initializers.map(\.name)), ["starts", "ends", "axes", "zeros"])
        assertValid(pruned)
        let (dense, _) = try optimize(b.model, path: "prune-90", options: ["prune_scope": "global"])
        XCTAssertEqual(try evaluate(pruned, ["x": x]), try evaluate(dense, ["x": x]))
    }

    func testGlobalPruningHitsTheTotalAndHighSparsityIsStoredSparse() throws {
        let (b, x) = cnn()
        let (pruned, _) = try optimize(b.model, path: "prune-90", options: ["prune_scope": "global"])
        let sparseWeights = pruned.graph.nodes.compactMap { node -> SparseTensor? in
            guard node.opType == "Constant", case .sparseTensor(let sparse)? = node.attribute("sparse_value")?.value else { return nil }
            return sparse
        }
        XCTAssertFalse(sparseWeights.isEmpty, "at 90 % zeros the COO form is smaller")
        let names: Set = ["w1", "w2", "fw", "gw"]
        var zeros = 0, total = 0
        for sparse in sparseWeights where names.contains(sparse.name) {
            total += sparse.shape.reduce(1, *)
            zeros += sparse.shape.reduce(1, *) - sparse.values.elementCount
        }
        for tensor in pruned.graph.initializers where names.contains(tensor.name) {
            total += tensor.elementCount
            zeros += try tensor.floatValues().filter { $0 == 0 }.count
        }
        XCTAssertEqual(total, 72 + 288 + 80 + 15)
        XCTAssertEqual(zeros, Int((Double(total) * 0.9).rounded()))
        assertValid(pruned)
        let (dense, _) = try optimize(b.model, path: "prune-90", options: ["prune_scope": "global"])
        XCTAssertEqual(try evaluate(pruned, ["x": x]), try evaluate(dense, ["x": x]))
    }

    func testChannelPruningShrinksConsumersAndStillRuns() throws {
        let (b, x) = cnn()
        let (pruned, findings) = try optimize(b.model, path: "prune-channels-25")
        func shape(_ node: Int, _ slot: Int) -> [Int]? {
            let name = pruned.graph.nodes[node].inputs[slot]
            return pruned.graph.initializers.first { $0.name == name }?.shape
        }
        let convs = pruned.graph.nodes.indices.filter { pruned.graph.nodes[$0].opType == "Conv" }
        XCTAssertEqual(shape(convs[0], 1), [6, 1, 3, 3])
        XCTAssertEqual(shape(convs[1], 1), [3, 6, 3, 3])
        let norm = try XCTUnwrap(pruned.graph.nodes.firstIndex { $0.opType == "BatchNormalization" })
        XCTAssertEqual(shape(norm, 1), [6])
        let gemm = try XCTUnwrap(pruned.graph.nodes.firstIndex { $0.opType == "Gemm" })
        XCTAssertEqual(shape(gemm, 1), [12, 4], "3 channels × 2×2 rows in, 4 of 5 columns out")
        let matmul = try XCTUnwrap(pruned.graph.nodes.firstIndex { $0.opType == "MatMul" })
        XCTAssertEqual(shape(matmul, 1), [4, 3])
        XCTAssertTrue(findings.contains { $0.code == "pruned-channels" })
        assertValid(pruned)
        XCTAssertEqual(try evaluate(pruned, ["x": x]).count, 6)
    }

    func testChannelPruningKeepsTheChannelsOfLargestNorm() throws {
        var b = ModelBuilder()
        b.input("x", [1, 4])
        b.constant("w", [4, 4], [0.1, 5, 0.2, 3, 0.1, 5, 0.2, 3, 0.1, 5, 0.2, 3, 0.1, 5, 0.2, 3])
        b.weight("w2", [4, 2])
        b.node("Gemm", ["x", "w"], ["h"])
        b.node("Gemm", ["h", "w2"], ["y"])
        b.output("y")
        let (pruned, _) = try optimize(b.model, path: "prune-channels-50")
        let first = try XCTUnwrap(pruned.graph.initializers.first { $0.name == pruned.graph.nodes[0].inputs[1] })
        XCTAssertEqual(first.shape, [4, 2])
        XCTAssertEqual(Array(try first.floatValues().prefix(2)), [5, 3])
    }

    // MARK: Channel groups

    /// Scales the `channels` slices along `axis` of initializer `name` by `factor` (0 kills them).
    private func scale(_ b: inout ModelBuilder, _ name: String, axis: Int, channels: Set<Int>, by factor: Float) throws {
        let index = try XCTUnwrap(b.initializers.firstIndex { $0.name == name })
        let tensor = b.initializers[index]
        var values = try tensor.floatValues()
        let inner = tensor.shape[(axis + 1)...].reduce(1, *)
        for offset in values.indices where channels.contains(offset / inner % tensor.shape[axis]) { values[offset] *= factor }
        b.initializers[index] = try Tensor(name: name, shape: tensor.shape, scalars: values)
    }

    private func initializerShape(_ model: Model, _ op: String, _ slot: Int, occurrence: Int = 0) -> [Int]? {
        let node = model.graph.nodes.filter { $0.opType == op }[occurrence]
        return model.graph.initializers.first { $0.name == node.inputs[slot] }?.shape
    }

    /// A transformer feed-forward block: MatMul → Add bias → GELU written out with Erf → MatMul →
    /// residual Add with the block's input. The hidden channels form a group; the second layer's
    /// outputs meet the graph input and stay. Channels 3, 6, 11, 14 are dead (tiny filters, zero rows
    /// in the second layer), so removing exactly them leaves the output unchanged.
    func testChannelPruningFollowsAFeedForwardBlockThroughErfGelu() throws {
        var b = ModelBuilder()
        b.input("x", [2, 4, 8])
        b.weight("w1", [8, 16])
        b.weight("b1", [16])
        b.weight("w2", [16, 8])
        b.weight("b2", [8])
        b.constant("sqrt2", [], [Float(2).squareRoot()])
        b.constant("one", [], [1])
        b.constant("half", [], [0.5])
        let dead: Set<Int> = [3, 6, 11, 14]
        try scale(&b, "w1", axis: 1, channels: dead, by: 0.01)
        try scale(&b, "w2", axis: 0, channels: dead, by: 0)
        b.node("MatMul", ["x", "w1"], ["h"])
        b.node("Add", ["b1", "h"], ["hb"])
        b.node("Div", ["hb", "sqrt2"], ["d"])
        b.node("Erf", ["d"], ["e"])
        b.node("Add", ["e", "one"], ["e1"])
        b.node("Mul", ["hb", "e1"], ["g"])
        b.node("Mul", ["g", "half"], ["gelu"])
        b.node("MatMul", ["gelu", "w2"], ["o"])
        b.node("Add", ["o", "b2"], ["ob"])
        b.node("Add", ["x", "ob"], ["y"])
        b.output("y")
        let (pruned, findings) = try optimize(b.model, path: "prune-channels-25")
        XCTAssertEqual(initializerShape(pruned, "MatMul", 1), [8, 12])
        XCTAssertEqual(initializerShape(pruned, "MatMul", 1, occurrence: 1), [12, 8])
        XCTAssertEqual(initializerShape(pruned, "Add", 0), [12], "the hidden bias shrinks with its channels")
        XCTAssertEqual(initializerShape(pruned, "Add", 1, occurrence: 2), [8], "the output bias stays")
        let kept = try XCTUnwrap(pruned.graph.initializers.first { $0.name == pruned.graph.nodes[0].inputs[1] })
        let original = try b.initializers[0].floatValues()
        let live = (0..<16).filter { !dead.contains($0) }
        XCTAssertEqual(try kept.floatValues(), (0..<8).flatMap { row in live.map { original[row * 16 + $0] } })
        XCTAssertTrue(findings.contains { $0.code == "pruned-channels" && $0.message.hasPrefix("4 of 16 ") })
        assertValid(pruned)
        let x = floats(&b, "x", [2, 4, 8])
        let expected = try evaluate(b.model, ["x": x]), actual = try evaluate(pruned, ["x": x])
        XCTAssertEqual(actual.count, expected.count)
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-5) }
    }

    /// A MobileNet-style residual block: stem Conv → BatchNorm → Relu6, then depthwise Conv →
    /// BatchNorm → Relu → pointwise Conv → BatchNorm, added back to the stem's output, then
    /// ReduceMean over H and W (dropping them) → Gemm. The Add couples the stem's and the pointwise layer's channels into
    /// one group; channels 2 and 5 are dead in both, so the output stays the same.
    func testChannelPruningRemovesCoupledResidualChannelsTogether() throws {
        var b = ModelBuilder()
        b.input("x", [2, 3, 6, 6])
        b.weight("stem", [8, 3, 3, 3])
        b.weight("dw", [8, 1, 3, 3])
        b.weight("dwb", [8])
        b.weight("pw", [8, 8, 1, 1])
        b.weight("fc", [8, 5])
        for prefix in ["n0", "n1", "n2"] {
            b.weight(prefix + "s", [8], in: 0.5, 2)
            b.weight(prefix + "b", [8])
            b.weight(prefix + "m", [8])
            b.weight(prefix + "v", [8], in: 0.5, 2)
        }
        b.constant("lo", [], [0])
        b.constant("hi", [], [6])
        let dead: Set<Int> = [2, 5]
        try scale(&b, "stem", axis: 0, channels: dead, by: 0.01)
        try scale(&b, "pw", axis: 0, channels: dead, by: 0.01)
        try scale(&b, "pw", axis: 1, channels: dead, by: 0)
        try scale(&b, "fc", axis: 0, channels: dead, by: 0)
        let same: [String: AttributeValue] = ["pads": .ints([1, 1, 1, 1])]
        b.node("Conv", ["x", "stem"], ["c0"], same)
        b.node("BatchNormalization", ["c0", "n0s", "n0b", "n0m", "n0v"], ["bn0"])
        b.node("Clip", ["bn0", "lo", "hi"], ["s"])
        b.node("Conv", ["s", "dw", "dwb"], ["c1"], same.merging(["group": .int(8)]) { $1 })
        b.node("BatchNormalization", ["c1", "n1s", "n1b", "n1m", "n1v"], ["bn1"])
        b.node("Relu", ["bn1"], ["r1"])
        b.node("Conv", ["r1", "pw"], ["c2"])
        b.node("BatchNormalization", ["c2", "n2s", "n2b", "n2m", "n2v"], ["bn2"])
        b.node("Add", ["s", "bn2"], ["a"])
        b.node("ReduceMean", ["a"], ["p"], ["axes": .ints([2, 3]), "keepdims": .int(0)])
        b.node("Gemm", ["p", "fc"], ["y"])
        b.output("y")
        let (pruned, findings) = try optimize(b.model, path: "prune-channels-25")
        XCTAssertEqual(initializerShape(pruned, "Conv", 1), [6, 3, 3, 3])
        XCTAssertEqual(initializerShape(pruned, "Conv", 1, occurrence: 1), [6, 1, 3, 3])
        XCTAssertEqual(initializerShape(pruned, "Conv", 2, occurrence: 1), [6])
        XCTAssertEqual(pruned.graph.nodes.filter { $0.opType == "Conv" }[1].attribute("group")?.value, .int(6))
        XCTAssertEqual(initializerShape(pruned, "Conv", 1, occurrence: 2), [6, 6, 1, 1])
        for norm in 0..<3 {
            for slot in 1...4 { XCTAssertEqual(initializerShape(pruned, "BatchNormalization", slot, occurrence: norm), [6]) }
        }
        XCTAssertEqual(initializerShape(pruned, "Gemm", 1), [6, 5])
        XCTAssertTrue(findings.contains { $0.code == "pruned-channels" && $0.message.contains("from 2 layers in 1 channel group (") })
        assertValid(pruned)
        let x = floats(&b, "x", [2, 3, 6, 6])
        let expected = try evaluate(b.model, ["x": x]), actual = try evaluate(pruned, ["x": x])
        XCTAssertEqual(actual.count, 10)
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-4) }
        _ = try ortCompare(reference: b.model, optimized: pruned, maxError: 1e-4)
    }

    /// Conv → Relu → Reshape to [batch, C×H×W] → Gemm, as Keras models flatten: the Reshape's target
    /// shrinks with the channels, and the Gemm loses each dead channel's block of H×W rows.
    func testChannelPruningRewritesAFlatteningReshape() throws {
        var b = ModelBuilder()
        b.input("x", [2, 1, 5, 5])
        b.weight("w", [4, 1, 3, 3])
        b.weight("fc", [36, 3])
        b.initializers.append(try Tensor(name: "target", shape: [2], scalars: [Int64(0), 36]))
        try scale(&b, "w", axis: 0, channels: [1], by: 0.01)
        try scale(&b, "fc", axis: 0, channels: Set(9..<18), by: 0)
        b.node("Conv", ["x", "w"], ["c"])
        b.node("Relu", ["c"], ["r"])
        b.node("Reshape", ["r", "target"], ["f"])
        b.node("Gemm", ["f", "fc"], ["y"])
        b.output("y")
        let (pruned, _) = try optimize(b.model, path: "prune-channels-25")
        XCTAssertEqual(initializerShape(pruned, "Conv", 1), [3, 1, 3, 3])
        XCTAssertEqual(initializerShape(pruned, "Gemm", 1), [27, 3])
        let target = try XCTUnwrap(pruned.graph.initializers.first { $0.name == pruned.graph.nodes[2].inputs[1] })
        XCTAssertEqual(try target.int64Values(), [0, 27])
        assertValid(pruned)
        let x = floats(&b, "x", [2, 1, 5, 5])
        let expected = try evaluate(b.model, ["x": x]), actual = try evaluate(pruned, ["x": x])
        for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-5) }
    }

    /// Channels that meet an operator mixing them (Softmax over channels, LayerNormalization over
    /// the hidden axis) or a graph output stay; the layer after them still loses its own.
    func testChannelPruningLeavesGroupsThatMixChannelsAlone() throws {
        var b = ModelBuilder()
        b.input("x", [2, 6])
        b.weight("w1", [6, 8])
        b.weight("w2", [8, 8])
        b.weight("g", [8], in: 0.5, 2)
        b.weight("beta", [8])
        b.weight("w3", [8, 8])
        b.weight("w4", [8, 4])
        b.node("MatMul", ["x", "w1"], ["h1"])
        b.node("Softmax", ["h1"], ["s1"], ["axis": .int(-1)])
        b.node("MatMul", ["s1", "w2"], ["h2"])
        b.node("LayerNormalization", ["h2", "g", "beta"], ["n2"], ["axis": .int(-1)])
        b.node("MatMul", ["n2", "w3"], ["h3"])
        b.node("Relu", ["h3"], ["r3"])
        b.node("MatMul", ["r3", "w4"], ["y"])
        b.output("y")
        b.output("h3")
        let (pruned, findings) = try optimize(b.model, path: "prune-channels-25")
        XCTAssertEqual((0..<4).map { initializerShape(pruned, "MatMul", 1, occurrence: $0) }, [[6, 8], [8, 8], [8, 8], [8, 4]])
        XCTAssertFalse(findings.contains { $0.code == "pruned-channels" })
        assertValid(pruned)
    }

    /// RNN, GRU and LSTM → Y_h → Squeeze → Gemm: the hidden units are the channels, in every gate's
    /// rows of W, R and B, R's columns, the initial state, the peepholes and `hidden_size`. Units 1
    /// and 6 are dead (tiny input weights, no recurrent weight from them, zero rows in the Gemm), so
    /// the output stays the same.
    func testChannelPruningRemovesHiddenUnitsOfRecurrentLayers() throws {
        for (op, gates) in [("RNN", 1), ("GRU", 3), ("LSTM", 4)] {
            var b = ModelBuilder()
            b.input("x", [3, 2, 4])
            b.weight("W", [1, gates * 8, 4])
            b.weight("R", [1, gates * 8, 8])
            b.weight("B", [1, 2 * gates * 8])
            b.weight("h0", [1, 2, 8])
            b.weight("fc", [8, 3])
            b.initializers.append(try Tensor(name: "axes", shape: [1], scalars: [Int64(0)]))
            let dead: Set<Int> = [1, 6]
            let rows = Set((0..<gates).flatMap { gate in dead.map { gate * 8 + $0 } })
            try scale(&b, "W", axis: 1, channels: rows, by: 0.01)
            try scale(&b, "R", axis: 2, channels: dead, by: 0)
            try scale(&b, "fc", axis: 0, channels: dead, by: 0)
            var inputs = ["x", "W", "R", "B", "", "h0"]
            if op == "LSTM" {
                b.weight("c0", [1, 2, 8])
                b.weight("P", [1, 24])
                inputs += ["c0", "P"]
            }
            var attributes: [String: AttributeValue] = ["hidden_size": .int(8)]
            if op == "GRU" { attributes["linear_before_reset"] = .int(1) }
            b.node(op, inputs, ["seq", "h"], attributes)
            b.node("Squeeze", ["h", "axes"], ["last"])
            b.node("Gemm", ["last", "fc"], ["y"])
            b.output("y")
            let (pruned, findings) = try optimize(b.model, path: "prune-channels-25")
            XCTAssertEqual(initializerShape(pruned, op, 1), [1, gates * 6, 4], op)
            XCTAssertEqual(initializerShape(pruned, op, 2), [1, gates * 6, 6], op)
            XCTAssertEqual(initializerShape(pruned, op, 3), [1, 2 * gates * 6], op)
            XCTAssertEqual(initializerShape(pruned, op, 5), [1, 2, 6], op)
            if op == "LSTM" {
                XCTAssertEqual(initializerShape(pruned, op, 6), [1, 2, 6])
                XCTAssertEqual(initializerShape(pruned, op, 7), [1, 18])
            }
            XCTAssertEqual(pruned.graph.nodes.first { $0.opType == op }?.attribute("hidden_size")?.value, .int(6), op)
            XCTAssertEqual(initializerShape(pruned, "Gemm", 1), [6, 3], op)
            let node = try XCTUnwrap(pruned.graph.nodes.first { $0.opType == op })
            let kept = try XCTUnwrap(pruned.graph.initializers.first { $0.name == node.inputs[1] }).floatValues()
            let original = try b.initializers[0].floatValues()
            let live = (0..<gates).flatMap { gate in (0..<8).filter { !dead.contains($0) }.map { gate * 8 + $0 } }
            XCTAssertEqual(kept, live.flatMap { row in original[(row * 4)..<(row * 4 + 4)] }, op)
            XCTAssertTrue(findings.contains { $0.code == "pruned-channels" && $0.message.hasPrefix("2 of 8 ") }, op)
            assertValid(pruned)
            let x = floats(&b, "x", [3, 2, 4])
            let expected = try evaluate(b.model, ["x": x]), actual = try evaluate(pruned, ["x": x])
            XCTAssertEqual(actual.count, 6, op)
            for (a, e) in zip(actual, expected) { XCTAssertEqual(a, e, accuracy: 1e-5, op) }
        }
    }

    /// A DenseNet-style block: y0 = Conv(x); a = Conv(Relu(y0)); c1 = Concat(y0, a);
    /// b = Conv(Relu(BatchNorm(c1))); c2 = Concat(c1, b); y = Conv(c2). Each of the three layers is a
    /// group whose channels become a segment of the concatenations (nested for y0 and a), so the
    /// BatchNorm and the readers lose rows inside each segment and keep the rest. Two channels of
    /// each group are dead, so the output stays the same.
    func testChannelPruningFollowsChannelsThroughConcatenations() throws {
        var b = ModelBuilder()
        b.input("x", [2, 3, 5, 5])
        b.weight("w0", [8, 3, 3, 3])
        b.weight("wa", [8, 8, 1, 1])
        b.weight("wb", [8, 16, 1, 1])
        b.weight("wy", [4, 24, 1, 1])
        b.weight("s", [16], in: 0.5, 2)
        b.weight("t", [16])
        b.weight("m", [16])
        b.weight("v", [16], in: 0.5, 2)
        let dead: [String: Set<Int>] = ["w0": [1, 6], "wa": [2, 5], "wb": [0, 3]]
        for (name, channels) in dead { try scale(&b, name, axis: 0, channels: channels, by: 0.01) }
        try scale(&b, "wa", axis: 1, channels: [1, 6], by: 0)
        try scale(&b, "wb", axis: 1, channels: [1, 6, 8 + 2, 8 + 5], by: 0)
        try scale(&b, "wy", axis: 1, channels: [1, 6, 8 + 2, 8 + 5, 16 + 0, 16 + 3], by: 0)
        b.node("Conv", ["x", "w0"], ["y0"], ["pads": .ints([1, 1, 1, 1])])
        b.node("Relu", ["y0"], ["r0"])
        b.node("Conv", ["r0", "wa"], ["a"])
        b.node("Concat", ["y0", "a"], ["c1"], ["axis": .int(1)])
        b.node("BatchNormalization", ["c1", "s", "t", "m", "v"], ["n1"])
        b.node("Relu", ["n1"], ["r1"])
        b.node("Conv", ["r1", "wb"], ["bb"])
        b.node("Concat", ["c1", "bb"], ["c2"], ["axis": .int(1)])
        b.node("Conv", ["c2", "wy"], ["y"])
        b.output("y")
        let (pruned, findings) = try optimize(b.model, path: "prune-channels-25")
        XCTAssertEqual((0..<4).map { initializerShape(pruned, "Conv", 1, occurrence: $0) }, [[6, 3, 3, 3], [6, 6, 1, 1], [6, 12, 1, 1], [4, 18, 1, 1]])
        for slot in 1...4 { XCTAssertEqual(initializerShape(pruned, "BatchNormalization", slot), [12]) }
        let gamma = try XCTUnwrap(pruned.graph.initializers.first { $0.name == pruned.graph.nodes.first { $0.opType == "BatchNormalization" }!.inputs[1] })
        let original = try b.initializers.first { $0.name == "s" }!.floatValues()
        let live = (0..<16).filter { ![1, 6, 8 + 2, 8 + 5].contains($0) }
        XCTAssertEqual(try gamma.floatValues(), live.map { original[$0] }, "each segment keeps its own live channels")
        XCTAssertTrue(findings.contains { $0.code == "pruned-channels" && $0.message.hasPrefix("6 of 24 ") }, "\(findings)")
        assertValid(pruned)
        let x = floats(&b, "x", [2, 3, 5, 5])
        let expected = try evaluate(b.model, ["x": x]), actual = try evaluate(pruned, ["x": x])
        XCTAssertEqual(actual.count, expected.count)
        for (p, e) in zip(actual, expected) { XCTAssertEqual(p, e, accuracy: 1e-4) }
    }
}
