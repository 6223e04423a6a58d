import ModelIR

/// Greedy non-maximum suppression per batch and class: boxes above `score_threshold`, by
/// descending score, dropping any whose IoU with a kept box exceeds `iou_threshold`, at most
/// `max_output_boxes_per_class` each. Output: `[count, 3]` int64 (batch, class, box).
struct NonMaxSuppression_10: TensorKernel {
    static let opType = "NonMaxSuppression", sinceVersion = 10
    static let inputArity = 2...5
    let centerPoint: Bool
    init(_ node: KernelNode) throws { centerPoint = try node.int("center_point_box", default: 0) != 0 }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let boxesTensor = try inputs.required(0), scoresTensor = try inputs.required(1)
        guard boxesTensor.rank == 3, boxesTensor.shape[2] == 4, scoresTensor.rank == 3,
              scoresTensor.shape[0] == boxesTensor.shape[0], scoresTensor.shape[2] == boxesTensor.shape[1] else {
            throw KernelError.invalidInput("boxes \(boxesTensor.shape) and scores \(scoresTensor.shape) do not fit")
        }
        let limit = try inputs.optional(2).map { try $0.elementCount == 0 ? 0 : $0.scalarInt() } ?? 0
        let iouThreshold = try inputs.optional(3).map { try $0.elementCount == 0 ? 0 : $0.scalarDouble() } ?? 0
        let scoreThreshold = try inputs.optional(4).map { try $0.elementCount == 0 ? -Double.infinity : $0.scalarDouble() } ?? -.infinity
        let boxes = try boxesTensor.doubleValues(), scores = try scoresTensor.doubleValues()
        let (batches, classes, count) = (scoresTensor.shape[0], scoresTensor.shape[1], scoresTensor.shape[2])
        func corners(_ b: Int, _ i: Int) -> (Double, Double, Double, Double) {
            let v = (0..<4).map { boxes[(b * count + i) * 4 + $0] }
            if centerPoint { return (v[1] - v[3] / 2, v[0] - v[2] / 2, v[1] + v[3] / 2, v[0] + v[2] / 2) }
            return (min(v[0], v[2]), min(v[1], v[3]), max(v[0], v[2]), max(v[1], v[3]))
        }
        func iou(_ a: (Double, Double, Double, Double), _ b: (Double, Double, Double, Double)) -> Double {
            let height = max(0, min(a.2, b.2) - max(a.0, b.0)), width = max(0, min(a.3, b.3) - max(a.1, b.1))
            let intersection = height * width
            let union = (a.2 - a.0) * (a.3 - a.1) + (b.2 - b.0) * (b.3 - b.1) - intersection
            return union <= 0 ? 0 : intersection / union
        }
        var selected: [Int64] = []
        guard limit > 0 else { return [try Tensor(shape: [0, 3], scalars: [Int64]())] }
        for b in 0..<batches {
            for c in 0..<classes {
                let candidates = (0..<count)
                    .filter { scores[(b * classes + c) * count + $0] > scoreThreshold }
                    .sorted { scores[(b * classes + c) * count + $0] > scores[(b * classes + c) * count + $1] }
                var kept: [Int] = []
                for candidate in candidates where kept.count < limit {
                    let box = corners(b, candidate)
                    if kept.allSatisfy({ iou(corners(b, $0), box) <= iouThreshold }) { kept.append(candidate) }
                }
                for index in kept { selected += [Int64(b), Int64(c), Int64(index)] }
            }
        }
        return [try Tensor(shape: [selected.count / 3, 3], scalars: selected)]
    }
}

/// Scatters pooled values back to the positions their indices name, zeros elsewhere.
struct MaxUnpool_9: TensorKernel {
    static let opType = "MaxUnpool", sinceVersion = 9
    static let inputArity = 2...3
    let kernel: [Int], pads: [Int]?, strides: [Int]?
    init(_ node: KernelNode) throws {
        kernel = try node.requiredInts("kernel_shape")
        pads = try node.ints("pads")
        strides = try node.ints("strides")
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), indices = try inputs.required(1).indexValues()
        let rank = x.rank - 2
        guard rank >= 1, kernel.count == rank, indices.count == x.elementCount else { throw KernelError.invalidInput("X and I do not fit kernel_shape") }
        let strides = self.strides ?? [Int](repeating: 1, count: rank), pads = self.pads ?? [Int](repeating: 0, count: 2 * rank)
        var shape = Array(x.shape[..<2]) + (0..<rank).map { (x.shape[2 + $0] - 1) * strides[$0] + kernel[$0] - pads[$0] - pads[rank + $0] }
        if let requested = inputs.optional(2) { shape = try requested.indexValues() }
        let count = try Tensor.checkedCount(shape)
        let (joined, offsets) = try Tensor.flatJoined([x, Tensor(zeros: x.dataType, shape: [1])])
        var map = [Int](repeating: offsets[1], count: count)
        for (position, target) in indices.enumerated() {
            guard target >= 0 && target < count else { throw KernelError.invalidInput("index \(target) is outside the output") }
            map[target] = position
        }
        return [try joined.gathering(shape: shape, sourceIndices: map)]
    }
}
