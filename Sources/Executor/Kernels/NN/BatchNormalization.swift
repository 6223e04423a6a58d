import ModelIR

/// `y = x · a[c] + b[c]` over an N×C×… tensor (per channel, or per element of C×… when `perActivation`).
func affinePerChannel(_ x: Tensor, scale a: [Double], shift b: [Double], perActivation: Bool = false) throws -> Tensor {
    guard x.rank >= 2 else { throw KernelError.invalidInput("expected an input of rank 2 or more, got \(x.shape)") }
    if x.dataType.isHalf { return try affinePerChannel(x.widened(), scale: a, shift: b, perActivation: perActivation).narrowed(to: x.dataType) }
    return try dispatchReal(x.dataType, AffineVisitor(x: x, a: a, b: b, perActivation: perActivation))
}

private struct AffineVisitor: RealVisitor {
    let x: Tensor
    let a: [Double], b: [Double]
    let perActivation: Bool

    func visit<T: RealScalar>(_ type: T.Type) throws -> Tensor {
        let batch = x.shape[0], channels = x.shape[1], size = x.shape[2...].reduce(1, *)
        let a = self.a.map { T($0) }, b = self.b.map { T($0) }
        guard a.count == b.count, a.count == (perActivation ? channels * size : channels) else {
            throw KernelError.invalidInput("parameters have \(a.count) elements for input \(x.shape)")
        }
        return try x.withElements(T.self) { xs in
            try Tensor.filled(T.self, shape: x.shape) { out in
                for n in 0..<batch {
                    for c in 0..<channels {
                        let start = (n * channels + c) * size
                        if perActivation {
                            for i in 0..<size { out[start + i] = xs[start + i] * a[c * size + i] + b[c * size + i] }
                        } else {
                            let (ac, bc) = (a[c], b[c])
                            for i in 0..<size { out[start + i] = xs[start + i] * ac + bc }
                        }
                    }
                }
            }
        }
    }
}

/// Inference-mode batch normalization from the running statistics.
func batchNormalization(_ inputs: [Tensor?], epsilon: Double, perActivation: Bool) throws -> Tensor {
    let x = try inputs.required(0)
    let scale = try inputs.required(1).doubleValues(), bias = try inputs.required(2).doubleValues()
    let mean = try inputs.required(3).doubleValues(), variance = try inputs.required(4).doubleValues()
    guard scale.count == bias.count, scale.count == mean.count, scale.count == variance.count else {
        throw KernelError.invalidInput("scale, B, mean and var have different sizes")
    }
    let a = scale.indices.map { scale[$0] / (variance[$0] + epsilon).squareRoot() }
    let b = scale.indices.map { bias[$0] - mean[$0] * a[$0] }
    return try affinePerChannel(x, scale: a, shift: b, perActivation: perActivation)
}

/// `epsilon` and `spatial` of a BatchNormalization before opset 14 (`spatialFixed`: the opset no
/// longer has the attribute and is always spatial). Its training outputs are refused.
func inferenceBatchNormalizationAttributes(_ node: KernelNode, spatialFixed: Bool) throws -> (epsilon: Double, spatial: Bool) {
    guard (1..<5).allSatisfy({ !node.producesOutput($0) }) else {
        throw KernelError.unsupported("training outputs of BatchNormalization before opset 14 are not supported")
    }
    let epsilon = Double(try node.float("epsilon", default: 1e-5))
    return (epsilon, spatialFixed ? true : try node.int("spatial", default: 1) != 0)
}

/// Opsets 1–6: `spatial` = 0 normalizes per activation; extra outputs are training-only and not produced.
struct BatchNormalization_1: TensorKernel {
    static let opType = "BatchNormalization", sinceVersion = 1
    static let inputArity = 5...5
    static let outputArity = 1...5
    let epsilon: Double
    let spatial: Bool
    init(_ node: KernelNode) throws {
        (epsilon, spatial) = try inferenceBatchNormalizationAttributes(node, spatialFixed: false)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try batchNormalization(inputs, epsilon: epsilon, perActivation: !spatial)]
    }
}

/// Opsets 7–13 (`spatial` until 9, then always spatial).
struct BatchNormalization_7: TensorKernel {
    static let opType = "BatchNormalization", sinceVersion = 7
    static let inputArity = 5...5
    static let outputArity = 1...5
    let epsilon: Double
    let spatial: Bool
    init(_ node: KernelNode) throws {
        (epsilon, spatial) = try inferenceBatchNormalizationAttributes(node, spatialFixed: node.opset >= 9)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try batchNormalization(inputs, epsilon: epsilon, perActivation: !spatial)]
    }
}

/// From opset 14 `training_mode`: normalize with the batch statistics and return updated running ones.
struct BatchNormalization_14: TensorKernel {
    static let opType = "BatchNormalization", sinceVersion = 14
    static let inputArity = 5...5
    static let outputArity = 1...3
    let epsilon: Double
    let momentum: Double
    let training: Bool
    init(_ node: KernelNode) throws {
        epsilon = Double(try node.float("epsilon", default: 1e-5))
        momentum = Double(try node.float("momentum", default: 0.9))
        training = try node.int("training_mode", default: 0) != 0
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        guard training else { return [try batchNormalization(inputs, epsilon: epsilon, perActivation: false)] }
        let x = try inputs.required(0)
        guard x.rank >= 2 else { throw KernelError.invalidInput("expected rank 2 or more, got \(x.shape)") }
        let values = try x.doubleValues()
        let batch = x.shape[0], channels = x.shape[1], size = x.shape[2...].reduce(1, *)
        var mean = [Double](repeating: 0, count: channels), variance = mean
        let count = Double(batch * size)
        for c in 0..<channels {
            var sum = 0.0
            for n in 0..<batch { for i in 0..<size { sum += values[(n * channels + c) * size + i] } }
            mean[c] = sum / count
            var squares = 0.0
            for n in 0..<batch { for i in 0..<size { let d = values[(n * channels + c) * size + i] - mean[c]; squares += d * d } }
            variance[c] = squares / count
        }
        let meanType = try inputs.required(3).dataType
        let y = try batchNormalization([x, inputs.required(1), inputs.required(2),
                                        Tensor(converting: mean, to: meanType, shape: [channels]),
                                        Tensor(converting: variance, to: meanType, shape: [channels])],
                                       epsilon: epsilon, perActivation: false)
        let runningMean = try inputs.required(3).doubleValues(), runningVariance = try inputs.required(4).doubleValues()
        let newMean = (0..<channels).map { runningMean[$0] * momentum + mean[$0] * (1 - momentum) }
        let newVariance = (0..<channels).map { runningVariance[$0] * momentum + variance[$0] * (1 - momentum) }
        return [y, try Tensor(converting: newMean, to: meanType, shape: [channels]),
                try Tensor(converting: newVariance, to: meanType, shape: [channels])]
    }
}

/// Normalizes every (n, c) plane with its own mean and variance, then scales and shifts per channel.
struct InstanceNormalization_1: TensorKernel {
    static let opType = "InstanceNormalization", sinceVersion = 1
    static let inputArity = 3...3
    let epsilon: Double
    init(_ node: KernelNode) throws { epsilon = Double(try node.float("epsilon", default: 1e-5)) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let scale = try inputs.required(1).doubleValues(), bias = try inputs.required(2).doubleValues()
        guard x.rank >= 2, scale.count == x.shape[1], bias.count == x.shape[1] else {
            throw KernelError.invalidInput("scale and B must have one element per channel of \(x.shape)")
        }
        let values = try x.doubleValues()
        let planes = x.shape[0] * x.shape[1], channels = x.shape[1], size = x.shape[2...].reduce(1, *)
        var result = values
        for plane in 0..<planes {
            let slice = values[(plane * size)..<((plane + 1) * size)]
            let mean = slice.reduce(0, +) / Double(size)
            let variance = slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(size)
            let c = plane % channels
            let a = scale[c] / (variance + epsilon).squareRoot()
            for i in 0..<size { result[plane * size + i] = (values[plane * size + i] - mean) * a + bias[c] }
        }
        return [try Tensor(converting: result, to: x.dataType, shape: x.shape)]
    }
}
