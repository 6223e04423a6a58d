import Foundation
import ModelIR

/// Scaled dot-product attention (opset 23 and later): 3-D inputs are split into heads, past
/// keys and values are prepended, grouped-query heads share key/value heads, and the bias combines
/// the mask, causality, a sliding window and per-batch key padding. Computed in double precision.
///
/// Outputs: Y, present_key, present_value and the QK product selected by `qk_matmul_output_mode`
/// (0 raw, 1 after softcap, 2 with bias, 3 after softmax).
struct Attention_23: TensorKernel {
    static let opType = "Attention", sinceVersion = 23
    static let inputArity = 3...7
    static let outputArity = 1...4
    let scale: Double?
    let isCausal: Bool
    let qHeads: Int?, kvHeads: Int?
    let softcap: Double
    let qkMode: Int
    let leftWindow: Int, rightWindow: Int

    init(_ node: KernelNode) throws {
        scale = try node.float("scale").map(Double.init)
        isCausal = try node.int("is_causal", default: 0) != 0
        qHeads = try node.int("q_num_heads")
        kvHeads = try node.int("kv_num_heads")
        softcap = Double(try node.float("softcap", default: 0))
        qkMode = try node.int("qk_matmul_output_mode", default: 0)
        leftWindow = try node.int("left_window_size", default: -1)
        rightWindow = try node.int("right_window_size", default: -1)
        _ = try node.int("softmax_precision")
    }

    /// A 4-D [batch, heads, sequence, size] view of a 3-D [batch, sequence, heads · size] or 4-D input.
    private func heads(_ tensor: Tensor, _ count: Int?) throws -> (values: [Double], shape: [Int]) {
        if tensor.rank == 4 { return (try tensor.doubleValues(), tensor.shape) }
        guard tensor.rank == 3, let count, count > 0, tensor.shape[2] % count == 0 else {
            throw KernelError.invalidInput("3-D attention inputs need q_num_heads and kv_num_heads dividing the hidden size")
        }
        let (b, s, size) = (tensor.shape[0], tensor.shape[1], tensor.shape[2] / count)
        let (shape, map) = try Indexing.transposed([b, s, count, size], permutation: [0, 2, 1, 3])
        let values = try tensor.doubleValues()
        return (map.map { values[$0] }, shape)
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let q = try inputs.required(0), k = try inputs.required(1), v = try inputs.required(2)
        guard q.rank == k.rank, k.rank == v.rank, q.rank == 3 || q.rank == 4 else {
            throw KernelError.invalidInput("Q, K and V must all be 3-D or all 4-D")
        }
        let (qs, qShape) = try heads(q, qHeads)
        var (ks, kShape) = try heads(k, kvHeads)
        var (vs, vShape) = try heads(v, kvHeads)
        let pastKey = inputs.optional(4), pastValue = inputs.optional(5)
        var pastLength = 0
        if let pastKey, let pastValue {
            pastLength = pastKey.shape.count == 4 ? pastKey.shape[2] : 0
            let joinedKey = try Tensor.concatenating([pastKey, Tensor(converting: ks, to: pastKey.dataType, shape: kShape)], axis: 2)
            let joinedValue = try Tensor.concatenating([pastValue, Tensor(converting: vs, to: pastValue.dataType, shape: vShape)], axis: 2)
            (ks, kShape) = (try joinedKey.doubleValues(), joinedKey.shape)
            (vs, vShape) = (try joinedValue.doubleValues(), joinedValue.shape)
        }
        let (batch, headsQ, sq, d) = (qShape[0], qShape[1], qShape[2], qShape[3])
        let (headsKV, skv, dv) = (kShape[1], kShape[2], vShape[3])
        guard kShape[3] == d, vShape[2] == skv, headsKV > 0, headsQ % headsKV == 0 else {
            throw KernelError.invalidInput("Q \(qShape), K \(kShape) and V \(vShape) do not fit together")
        }
        let group = headsQ / headsKV
        let scale = self.scale ?? 1 / Double(d).squareRoot()
        let nonpad = try inputs.optional(6)?.indexValues()

        // The additive bias over [batch, headsQ, sq, skv].
        let biasShape = [batch, headsQ, sq, skv]
        var bias = [Double](repeating: 0, count: biasShape.reduce(1, *))
        if let mask = inputs.optional(3) {
            var maskValues = try mask.doubleValues()
            var maskShape = mask.shape
            let isBool = mask.dataType == .bool
            if let last = maskShape.last, last < skv {
                let padded = try pad(mask, pads: [Int](repeating: 0, count: 2 * mask.rank - 1) + [skv - last], axes: nil, mode: "constant",
                                     constant: isBool ? Tensor(scalar: false) : Tensor(converting: [-Double.infinity], to: mask.dataType, shape: []))
                maskValues = try padded.doubleValues()
                maskShape = padded.shape
            }
            let map = try Broadcast.sourceIndices(of: maskShape, in: biasShape)
            for i in bias.indices {
                let m = maskValues[map[i]]
                bias[i] = isBool ? (m != 0 ? 0 : -.infinity) : m
            }
        }
        func offset(_ b: Int) -> Int {
            if pastLength == 0, let nonpad, b < nonpad.count { return nonpad[b] - sq }
            return pastLength
        }
        if isCausal || leftWindow >= 0 || rightWindow >= 0 || nonpad != nil {
            forEachIndex(biasShape) { flat, index in
                let (b, i, j) = (index[0], index[2], index[3])
                let p = i + offset(b)
                if isCausal && j > p { bias[flat] = -.infinity }
                if leftWindow >= 0 && p - j > leftWindow { bias[flat] = -.infinity }
                if rightWindow >= 0 && j - p > rightWindow { bias[flat] = -.infinity }
                if let nonpad, b < nonpad.count, j >= nonpad[b] { bias[flat] = -.infinity }
            }
        }

        var qk = [Double](repeating: 0, count: bias.count)
        var qkOutput = qk
        var y = [Double](repeating: 0, count: batch * headsQ * sq * dv)
        for b in 0..<batch {
            for h in 0..<headsQ {
                let kh = h / group
                for i in 0..<sq {
                    let row = ((b * headsQ + h) * sq + i) * skv
                    var logits = [Double](repeating: 0, count: skv)
                    for j in 0..<skv {
                        var dot = 0.0
                        for t in 0..<d { dot += qs[((b * headsQ + h) * sq + i) * d + t] * ks[((b * headsKV + kh) * skv + j) * d + t] }
                        var value = dot * scale
                        if softcap > 0 { value = softcap * Foundation.tanh(value / softcap) }
                        qk[row + j] = value
                        logits[j] = value + bias[row + j]
                    }
                    let maximum = logits.max() ?? -.infinity
                    let allMasked = (bias[row..<(row + skv)].max() ?? 0) == -.infinity
                    var weights = [Double](repeating: 0, count: skv)
                    if !allMasked && maximum != -.infinity {
                        let exps = logits.map { Foundation.exp($0 - maximum) }
                        let sum = exps.reduce(0, +)
                        weights = exps.map { sum == 0 ? 0 : $0 / sum }
                    }
                    for j in 0..<skv {
                        switch qkMode {
                        case 2: qkOutput[row + j] = logits[j]
                        case 3: qkOutput[row + j] = weights[j]
                        default: qkOutput[row + j] = qk[row + j]
                        }
                    }
                    for t in 0..<dv {
                        var sum = 0.0
                        for j in 0..<skv where weights[j] != 0 { sum += weights[j] * vs[((b * headsKV + kh) * skv + j) * dv + t] }
                        y[((b * headsQ + h) * sq + i) * dv + t] = sum
                    }
                }
            }
        }
        var output = try Tensor(converting: y, to: q.dataType, shape: [batch, headsQ, sq, dv])
        if q.rank == 3 {
            let (_, map) = try Indexing.transposed(output.shape, permutation: [0, 2, 1, 3])
            output = try output.gathering(shape: [batch, sq, headsQ, dv], sourceIndices: map).reshaped(to: [batch, sq, headsQ * dv])
        }
        return [output,
                try Tensor(converting: ks, to: k.dataType, shape: kShape),
                try Tensor(converting: vs, to: v.dataType, shape: vShape),
                try Tensor(converting: qkOutput, to: q.dataType, shape: biasShape)]
    }
}
