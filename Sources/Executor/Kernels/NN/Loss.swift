import ModelIR

/// Negative log-likelihood of `input[N, C, d…]` at `target[N, d…]`, weighted per class, with
/// `ignore_index` and reduction none, sum or mean (mean divides by the total weight of counted targets).
func negativeLogLikelihood(_ input: Tensor, target: Tensor, weight: Tensor?, ignoreIndex: Int?, reduction: String) throws -> Tensor {
    guard input.rank >= 2, target.rank == input.rank - 1 else { throw KernelError.invalidInput("input \(input.shape) and target \(target.shape) do not fit") }
    let values = try input.doubleValues(), targets = try target.indexValues()
    let weights = try weight?.doubleValues()
    let batch = input.shape[0], classes = input.shape[1], size = input.shape[2...].reduce(1, *)
    var losses = [Double](repeating: 0, count: batch * size)
    var totalWeight = 0.0
    for n in 0..<batch {
        for i in 0..<size {
            let t = targets[n * size + i]
            if t == ignoreIndex { continue }
            guard t >= 0 && t < classes else { throw KernelError.invalidInput("target \(t) is not a class index below \(classes)") }
            let w = weights?[t] ?? 1
            losses[n * size + i] = -values[(n * classes + t) * size + i] * w
            totalWeight += w
        }
    }
    switch reduction {
    case "none": return try Tensor(converting: losses, to: input.dataType, shape: target.shape)
    case "sum": return try Tensor(converting: [losses.reduce(0, +)], to: input.dataType, shape: [])
    default: return try Tensor(converting: [totalWeight == 0 ? 0 : losses.reduce(0, +) / totalWeight], to: input.dataType, shape: [])
    }
}

struct NegativeLogLikelihoodLoss_12: TensorKernel {
    static let opType = "NegativeLogLikelihoodLoss", sinceVersion = 12
    static let inputArity = 2...3
    let reduction: String, ignoreIndex: Int?
    init(_ node: KernelNode) throws {
        reduction = try node.choice("reduction", default: "mean", in: ["none", "sum", "mean"])
        ignoreIndex = try node.int("ignore_index")
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try negativeLogLikelihood(inputs.required(0), target: inputs.required(1), weight: inputs.optional(2),
                                   ignoreIndex: ignoreIndex, reduction: reduction)]
    }
}

/// Log-softmax over the class axis followed by the negative log-likelihood; optional second output the log-probabilities.
struct SoftmaxCrossEntropyLoss_12: TensorKernel {
    static let opType = "SoftmaxCrossEntropyLoss", sinceVersion = 12
    static let inputArity = 2...3
    static let outputArity = 1...2
    let reduction: String, ignoreIndex: Int?
    init(_ node: KernelNode) throws {
        reduction = try node.choice("reduction", default: "mean", in: ["none", "sum", "mean"])
        ignoreIndex = try node.int("ignore_index")
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let scores = try inputs.required(0)
        guard scores.rank >= 2 else { throw KernelError.invalidInput("scores must have rank 2 or more") }
        let logProbabilities = try SoftmaxFamily.logSoftmax.apply(scores, outer: scores.shape[0], length: scores.shape[1],
                                                                  inner: scores.shape[2...].reduce(1, *))
        let loss = try negativeLogLikelihood(logProbabilities, target: inputs.required(1), weight: inputs.optional(2),
                                             ignoreIndex: ignoreIndex, reduction: reduction)
        return [loss, logProbabilities]
    }
}
