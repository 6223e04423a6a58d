import ModelIR

/// Greedy non-maximum suppression per batch and class, as onnx's reference evaluator and ONNX
/// Runtime do it: boxes above `score_threshold` by descending score (ties: lower index first),
/// dropping a box whose IoU with a kept box exceeds `iou_threshold`, at most
/// `max_output_boxes_per_class` each. Two boxes suppress each other only when they overlap with a
/// positive area. Output: `[count, 3]` int64 (batch, class, box).
///
/// A candidate is compared only with the kept boxes that can overlap it: the fewer of all kept
/// boxes and those whose top edge lies in the candidate's vertical window, found by binary search
/// over the candidates sorted by top edge. Batched NMS with per-class coordinate offsets (as
/// torchvision exports it) thus costs about the boxes of one class per candidate, not all kept boxes.
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
        guard limit > 0 else { return [try Tensor(shape: [0, 3], scalars: [Int64]())] }
        let boxes = try boxesTensor.doubleValues(), scores = try scoresTensor.doubleValues()
        let (batches, classes, count) = (scoresTensor.shape[0], scoresTensor.shape[1], scoresTensor.shape[2])
        var selected: [Int64] = []
        for b in 0..<batches {
            let corners = BoxCorners(boxes[(b * count * 4)..<((b + 1) * count * 4)], centerPoint: centerPoint)
            for c in 0..<classes {
                let offset = (b * classes + c) * count
                let kept = corners.select(scores: scores[offset..<(offset + count)], above: scoreThreshold,
                                          iouThreshold: iouThreshold, limit: limit)
                for index in kept { selected += [Int64(b), Int64(c), Int64(index)] }
            }
        }
        return [try Tensor(shape: [selected.count / 3, 3], scalars: selected)]
    }
}

/// The boxes of one batch as top, left, bottom and right edges.
private struct BoxCorners {
    var top: [Double], left: [Double], bottom: [Double], right: [Double]

    /// `values` holds `[y1, x1, y2, x2]` per box (either corner first), or `[x_center, y_center,
    /// width, height]` when `centerPoint`.
    init(_ values: ArraySlice<Double>, centerPoint: Bool) {
        let count = values.count / 4
        let base = values.startIndex
        top = []; left = []; bottom = []; right = []
        for array in [\BoxCorners.top, \.left, \.bottom, \.right] { self[keyPath: array].reserveCapacity(count) }
        for box in 0..<count {
            let v0 = values[base + box * 4], v1 = values[base + box * 4 + 1]
            let v2 = values[base + box * 4 + 2], v3 = values[base + box * 4 + 3]
            if centerPoint {
                top.append(v1 - v3 / 2); bottom.append(v1 + v3 / 2)
                left.append(v0 - v2 / 2); right.append(v0 + v2 / 2)
            } else {
                top.append(min(v0, v2)); bottom.append(max(v0, v2))
                left.append(min(v1, v3)); right.append(max(v1, v3))
            }
        }
    }

    /// True when box `index` has a positive extent on both axes; any other box (empty, inverted
    /// or NaN) neither suppresses nor is suppressed.
    func isProper(_ index: Int) -> Bool { bottom[index] > top[index] && right[index] > left[index] }

    /// True when boxes `a` and `b` (both proper) overlap with IoU above `threshold`.
    func suppresses(_ a: Int, _ b: Int, threshold: Double) -> Bool {
        let height = min(bottom[a], bottom[b]) - max(top[a], top[b])
        guard height > 0 else { return false }
        let width = min(right[a], right[b]) - max(left[a], left[b])
        guard width > 0 else { return false }
        let intersection = height * width
        let union = (bottom[a] - top[a]) * (right[a] - left[a]) + (bottom[b] - top[b]) * (right[b] - left[b]) - intersection
        guard intersection > 0, union > 0 else { return false }
        return intersection / union > threshold
    }

    /// The boxes greedy NMS keeps, in the order kept.
    func select(scores: ArraySlice<Double>, above scoreThreshold: Double, iouThreshold: Double, limit: Int) -> [Int] {
        let base = scores.startIndex
        let candidates = (0..<scores.count).filter { scores[base + $0] > scoreThreshold }.sorted { a, b in
            let sa = scores[base + a], sb = scores[base + b]
            return sa > sb || (sa == sb && a < b)
        }
        let proper = candidates.filter(isProper)
        let byTop = proper.sorted { top[$0] < top[$1] || (top[$0] == top[$1] && $0 < $1) }
        let tops = byTop.map { top[$0] }
        var rankOf = [Int](repeating: -1, count: scores.count)
        for (rank, box) in byTop.enumerated() { rankOf[box] = rank }
        let tallest = proper.reduce(0) { max($0, bottom[$1] - top[$1]) }
        var keptAtRank = [Bool](repeating: false, count: byTop.count)
        var keptProper: [Int] = []
        var kept: [Int] = []
        for candidate in candidates where kept.count < limit {
            let rank = rankOf[candidate]
            guard rank >= 0 else {
                kept.append(candidate)
                continue
            }
            let reach = tallest + (abs(top[candidate]) + tallest) * 1e-12
            let first = lowerBound(tops, top[candidate] - reach), end = lowerBound(tops, bottom[candidate])
            let suppressed: Bool
            if end - first <= keptProper.count {
                suppressed = (first..<end).contains { keptAtRank[$0] && suppresses(byTop[$0], candidate, threshold: iouThreshold) }
            } else {
                suppressed = keptProper.contains { suppresses($0, candidate, threshold: iouThreshold) }
            }
            if !suppressed {
                kept.append(candidate)
                keptProper.append(candidate)
                keptAtRank[rank] = true
            }
        }
        return kept
    }

    /// The first index of ascending `values` not below `value`.
    private func lowerBound(_ values: [Double], _ value: Double) -> Int {
        var low = 0, high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
