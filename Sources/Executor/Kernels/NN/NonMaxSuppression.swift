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
