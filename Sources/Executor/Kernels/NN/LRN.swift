import ModelIR

/// Local response normalization across channels:
/// `y = x / (bias + alpha / size · Σ x²)^beta` over channels `c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉`.
struct LRN_1: TensorKernel {
    static let opType = "LRN", sinceVersion = 1
    let size: Int
    let alpha: Double, beta: Double, bias: Double

    init(_ node: KernelNode) throws {
        size = try node.requiredInt("size")
        guard size >= 1 else { throw KernelError.invalidAttribute("size must be at least 1") }
        alpha = Double(try node.float("alpha", default: 1e-4))
        beta = Double(try node.float("beta", default: 0.75))
        bias = Double(try node.float("bias", default: 1))
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        guard x.rank >= 2 else { throw KernelError.invalidInput("LRN needs rank 2 or more, got \(x.shape)") }
        let values = try x.doubleValues()
        let batch = x.shape[0], channels = x.shape[1], plane = x.shape[2...].reduce(1, *)
        let below = (size - 1) / 2, above = size - 1 - below
        var result = values
        for n in 0..<batch {
            for c in 0..<channels {
                let low = max(0, c - below), high = min(channels - 1, c + above)
                for i in 0..<plane {
                    var sum = 0.0
                    if low <= high {
                        for k in low...high { let v = values[(n * channels + k) * plane + i]; sum += v * v }
                    }
                    let index = (n * channels + c) * plane + i
                    result[index] = values[index] / Double.pow(bias + alpha / Double(size) * sum, beta)
                }
            }
        }
        return [try Tensor(converting: result, to: x.dataType, shape: x.shape)]
    }
}
