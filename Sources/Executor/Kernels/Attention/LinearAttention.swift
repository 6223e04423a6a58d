import Foundation
import ModelIR

/// Recurrent linear attention over [batch, time, heads · size] inputs with a [batch, kv heads,
/// key size, value size] state: per step the state decays (gated rules), is corrected toward the
/// value (delta rules, scaled by beta), accumulates key ⊗ value, and is read by the query.
struct LinearAttention_27: TensorKernel {
    static let opType = "LinearAttention", sinceVersion = 27
    static let inputArity = 3...6
    static let outputArity = 1...2
    let qHeads: Int, kvHeads: Int, scale: Double?, gating: Bool, delta: Bool

    init(_ node: KernelNode) throws {
        qHeads = try node.requiredInt("q_num_heads")
        kvHeads = try node.requiredInt("kv_num_heads")
        guard qHeads > 0, kvHeads > 0, qHeads % kvHeads == 0 else { throw KernelError.invalidAttribute("q_num_heads must be a positive multiple of kv_num_heads") }
        scale = try node.float("scale").flatMap { $0 == 0 ? nil : Double($0) }
        let rule = try node.choice("update_rule", default: "gated_delta", in: ["linear", "gated", "delta", "gated_delta"])
        gating = rule == "gated" || rule == "gated_delta"
        delta = rule == "delta" || rule == "gated_delta"
        _ = try node.int("chunk_size")
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let query = try inputs.required(0), key = try inputs.required(1), value = try inputs.required(2)
        guard query.rank == 3, key.rank == 3, value.rank == 3 else { throw KernelError.invalidInput("query, key and value must be [batch, time, hidden]") }
        let (b, t) = (query.shape[0], query.shape[1])
        let dk = query.shape[2] / qHeads, dv = value.shape[2] / kvHeads, group = qHeads / kvHeads
        let q = try query.doubleValues(), k = try key.doubleValues(), v = try value.doubleValues()
        let decay = try inputs.optional(4)?.doubleValues(), decayWidth = inputs.optional(4)?.shape.last ?? 0
        let beta = try inputs.optional(5)?.doubleValues(), betaWidth = inputs.optional(5)?.shape.last ?? 0
        guard !gating || decay != nil, !delta || beta != nil else { throw KernelError.invalidInput("the update rule needs decay and/or beta inputs") }
        var state = try inputs.optional(3)?.doubleValues() ?? [Double](repeating: 0, count: b * kvHeads * dk * dv)
        guard state.count == b * kvHeads * dk * dv else { throw KernelError.invalidInput("past_state does not match [\(b), \(kvHeads), \(dk), \(dv)]") }
        let scaleValue = scale ?? 1 / Double(dk).squareRoot()
        var output = [Double](repeating: 0, count: b * t * qHeads * dv)
        for batch in 0..<b {
            for step in 0..<t {
                for h in 0..<kvHeads {
                    let s = (batch * kvHeads + h) * dk * dv
                    let kOffset = (batch * t + step) * kvHeads * dk + h * dk
                    if let decay {
                        for i in 0..<dk {
                            let g = decayWidth == kvHeads ? decay[(batch * t + step) * kvHeads + h] : decay[(batch * t + step) * kvHeads * dk + h * dk + i]
                            let factor = Foundation.exp(g)
                            for j in 0..<dv { state[s + i * dv + j] *= factor }
                        }
                    }
                    var update = (0..<dv).map { v[(batch * t + step) * kvHeads * dv + h * dv + $0] }
                    if let beta {
                        let bt = beta[(batch * t + step) * betaWidth + (betaWidth == 1 ? 0 : h)]
                        for j in 0..<dv {
                            var retrieved = 0.0
                            for i in 0..<dk { retrieved += state[s + i * dv + j] * k[kOffset + i] }
                            update[j] = bt * (update[j] - retrieved)
                        }
                    }
                    for i in 0..<dk { for j in 0..<dv { state[s + i * dv + j] += k[kOffset + i] * update[j] } }
                    for g in 0..<group {
                        let qh = h * group + g
                        for j in 0..<dv {
                            var sum = 0.0
                            for i in 0..<dk { sum += q[(batch * t + step) * qHeads * dk + qh * dk + i] * state[s + i * dv + j] }
                            output[((batch * t + step) * qHeads + qh) * dv + j] = scaleValue * sum
                        }
                    }
                }
            }
        }
        let stateType = inputs.optional(3)?.dataType ?? query.dataType
        return [try Tensor(converting: output, to: query.dataType, shape: [b, t, qHeads * dv]),
                try Tensor(converting: state, to: stateType, shape: [b, kvHeads, dk, dv])]
    }
}
