import ModelIR

/// Normalizes `outer` groups of `inner` contiguous values in place: subtracts each group's mean
/// (when `centered`) and divides by the root of its mean square plus `epsilon`. Returns each
/// group's mean (0 when not centered) and its inverse standard deviation.
@discardableResult
private func normalizeGroups(_ values: inout [Double], outer: Int, inner: Int, epsilon: Double, centered: Bool)
    -> (means: [Double], inverseDeviations: [Double]) {
    var means = [Double](repeating: 0, count: outer), inverse = means
    for o in 0..<outer {
        let range = (o * inner)..<((o + 1) * inner)
        let mean = centered ? values[range].reduce(0, +) / Double(inner) : 0
        let meanSquare = values[range].reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(inner)
        let scale = 1 / (meanSquare + epsilon).squareRoot()
        for i in range { values[i] = (values[i] - mean) * scale }
        means[o] = mean
        inverse[o] = scale
    }
    return (means, inverse)
}

/// The attributes and grouping shared by LayerNormalization and RMSNormalization: statistics over
/// the axes from `axis` on, `epsilon` added to the mean square.
private struct TrailingAxesNormalization {
    let axis: Int, epsilon: Double

    init(_ node: KernelNode) throws {
        axis = try node.int("axis", default: -1)
        epsilon = Double(try node.float("epsilon", default: 1e-5))
    }

    /// Normalizes `x` group by group and applies `scale` and `bias`, each broadcast to the
    /// normalized axes.
    func normalize(_ x: Tensor, scale scaleTensor: Tensor, bias biasTensor: Tensor?, centered: Bool) throws
        -> (values: [Double], means: [Double], inverseDeviations: [Double], axis: Int) {
        let axis = try normalizedAxis(self.axis, rank: x.rank)
        let inner = x.shape[axis...].reduce(1, *), outer = x.shape[..<axis].reduce(1, *)
        let innerShape = Array(x.shape[axis...])
        func expanded(_ t: Tensor) throws -> [Double] {
            guard Broadcast.isUnidirectional(t.shape, to: innerShape) else { throw KernelError.invalidInput("\(t.shape) does not broadcast to \(innerShape)") }
            let values = try t.doubleValues()
            return try Broadcast.sourceIndices(of: t.shape, in: innerShape).map { values[$0] }
        }
        let scale = try expanded(scaleTensor)
        let bias = try biasTensor.map(expanded)
        var values = try x.doubleValues()
        let statistics = normalizeGroups(&values, outer: outer, inner: inner, epsilon: epsilon, centered: centered)
        for o in 0..<outer {
            for i in 0..<inner {
                let flat = o * inner + i
                values[flat] = values[flat] * scale[i] + (bias?[i] ?? 0)
            }
        }
        return (values, statistics.means, statistics.inverseDeviations, axis)
    }
}

/// `x / sqrt(mean(x²) + ε) · scale` over the axes from `axis` on.
struct RMSNormalization_23: TensorKernel {
    static let opType = "RMSNormalization", sinceVersion = 23
    static let inputArity = 2...2
    private let normalization: TrailingAxesNormalization
    init(_ node: KernelNode) throws { normalization = try TrailingAxesNormalization(node) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let result = try normalization.normalize(x, scale: try inputs.required(1), bias: nil, centered: false)
        return [try Tensor(converting: result.values, to: x.dataType, shape: x.shape)]
    }
}

/// `(x − mean) / sqrt(var + ε) · scale + bias` over the axes from `axis` on; optional outputs
/// Mean and InvStdDev.
struct LayerNormalization_17: TensorKernel {
    static let opType = "LayerNormalization", sinceVersion = 17
    static let inputArity = 2...3
    static let outputArity = 1...3
    private let normalization: TrailingAxesNormalization
    /// The first normalized axis, as written (may be negative).
    var axis: Int { normalization.axis }
    var epsilon: Double { normalization.epsilon }
    init(_ node: KernelNode) throws { normalization = try TrailingAxesNormalization(node) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let result = try normalization.normalize(x, scale: try inputs.required(1), bias: inputs.optional(2), centered: true)
        let statsShape = Array(x.shape[..<result.axis]) + [Int](repeating: 1, count: x.rank - result.axis)
        let statsType: DataType = x.dataType == .double ? .double : .float
        return [try Tensor(converting: result.values, to: x.dataType, shape: x.shape),
                try Tensor(converting: result.means, to: statsType, shape: statsShape),
                try Tensor(converting: result.inverseDeviations, to: statsType, shape: statsShape)]
    }
}

/// Normalizes groups of channels; scale and bias are per channel from opset 21 (per group in 18).
struct GroupNormalization_18: TensorKernel {
    static let opType = "GroupNormalization", sinceVersion = 18
    static let inputArity = 3...3
    let groups: Int, epsilon: Double, perChannel: Bool
    init(_ node: KernelNode) throws {
        groups = try node.requiredInt("num_groups")
        epsilon = Double(try node.float("epsilon", default: 1e-5))
        perChannel = node.opset >= 21
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        guard x.rank >= 2, groups > 0, x.shape[1] % groups == 0 else { throw KernelError.invalidInput("channels do not divide into \(groups) groups") }
        let scale = try inputs.required(1).doubleValues(), bias = try inputs.required(2).doubleValues()
        let channels = x.shape[1], size = x.shape[2...].reduce(1, *), perGroup = channels / groups
        guard scale.count == (perChannel ? channels : groups), bias.count == scale.count else { throw KernelError.invalidInput("scale and bias have the wrong size") }
        var values = try x.doubleValues()
        normalizeGroups(&values, outer: x.shape[0] * groups, inner: perGroup * size, epsilon: epsilon, centered: true)
        for i in values.indices {
            let c = (i / size) % channels
            let p = perChannel ? c : c / perGroup
            values[i] = values[i] * scale[p] + bias[p]
        }
        return [try Tensor(converting: values, to: x.dataType, shape: x.shape)]
    }
}

/// `(x − mean) / sqrt(var)` over `axes` (default batch and spatial axes 0, 2, 3).
struct MeanVarianceNormalization_9: TensorKernel {
    static let opType = "MeanVarianceNormalization", sinceVersion = 9
    let axes: [Int]
    init(_ node: KernelNode) throws { axes = try node.ints("axes", default: [0, 2, 3]) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let mean = try Reducer.mean.reduce(x.widened(), axes: axes, keepDims: true)
        let meanValues = try mean.doubleValues()
        let values = try x.doubleValues()
        let map = try Broadcast.sourceIndices(of: mean.shape, in: x.shape)
        var squares = [Double](repeating: 0, count: meanValues.count)
        for i in values.indices { squares[map[i]] += (values[i] - meanValues[map[i]]) * (values[i] - meanValues[map[i]]) }
        let groupSize = Double(x.elementCount / max(mean.elementCount, 1))
        let result = values.indices.map { i in (values[i] - meanValues[map[i]]) / (squares[map[i]] / groupSize + 1e-9).squareRoot() }
        return [try Tensor(converting: result, to: x.dataType, shape: x.shape)]
    }
}

/// Divides by the L1 or L2 norm along `axis`.
struct LpNormalization_1: TensorKernel {
    static let opType = "LpNormalization", sinceVersion = 1
    let axis: Int, p: Int
    init(_ node: KernelNode) throws {
        axis = try node.int("axis", default: -1)
        p = try node.int("p", default: 2)
        guard p == 1 || p == 2 else { throw KernelError.invalidAttribute("p must be 1 or 2") }
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let axis = try normalizedAxis(self.axis, rank: x.rank)
        let norms = try (p == 1 ? Reducer.l1 : Reducer.l2).reduce(x.widened(), axes: [axis], keepDims: true).doubleValues()
        let values = try x.doubleValues()
        let reducedShape = x.shape.enumerated().map { $0.offset == axis ? 1 : $0.element }
        let map = try Broadcast.sourceIndices(of: reducedShape, in: x.shape)
        let result = values.indices.map { i in norms[map[i]] == 0 ? 0 : values[i] / norms[map[i]] }
        return [try Tensor(converting: result, to: x.dataType, shape: x.shape)]
    }
}
