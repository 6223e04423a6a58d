import Foundation
import ModelIR

/// Depthwise causal 1-D convolution continuing from a state of the last k − 1 inputs (zeros
/// without one), optionally followed by SiLU; also returns the new state.
struct CausalConvWithState_27: TensorKernel {
    static let opType = "CausalConvWithState", sinceVersion = 27
    static let inputArity = 2...4
    static let outputArity = 1...2
    let silu: Bool
    init(_ node: KernelNode) throws { silu = try node.choice("activation", default: "none", in: ["none", "silu", "swish"]) != "none" }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), w = try inputs.required(1)
        guard x.rank == 3, w.rank == 3, w.shape[0] == x.shape[1], w.shape[1] == 1 else {
            throw KernelError.invalidInput("input must be [batch, channels, length] and weight [channels, 1, k]")
        }
        let (batch, channels, length, k) = (x.shape[0], x.shape[1], x.shape[2], w.shape[2])
        let values = try x.doubleValues(), weights = try w.doubleValues()
        let bias = try inputs.optional(2)?.doubleValues()
        let past = try inputs.optional(3)?.doubleValues() ?? [Double](repeating: 0, count: batch * channels * max(k - 1, 0))
        guard past.count == batch * channels * max(k - 1, 0) else { throw KernelError.invalidInput("past_state must be [batch, channels, k − 1]") }
        let padded = k - 1 + length
        var output = [Double](repeating: 0, count: batch * channels * length), state = [Double](repeating: 0, count: past.count)
        for b in 0..<batch {
            for c in 0..<channels {
                let row = (0..<padded).map { p in p < k - 1 ? past[(b * channels + c) * (k - 1) + p] : values[(b * channels + c) * length + p - (k - 1)] }
                for t in 0..<length {
                    var sum = bias?[c] ?? 0
                    for tap in 0..<k { sum += weights[c * k + tap] * row[t + tap] }
                    output[(b * channels + c) * length + t] = silu ? sum / (1 + Foundation.exp(-sum)) : sum
                }
                for p in 0..<(k - 1) { state[(b * channels + c) * (k - 1) + p] = row[padded - (k - 1) + p] }
            }
        }
        return [try Tensor(converting: output, to: x.dataType, shape: x.shape),
                try Tensor(converting: state, to: x.dataType, shape: [batch, channels, k - 1])]
    }
}
