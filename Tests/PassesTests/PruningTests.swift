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
}
