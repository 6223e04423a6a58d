import ModelIR

/// Rotary position embedding of a [batch, heads, sequence, size] or [batch, sequence, hidden] input:
/// the first `rotary_embedding_dim` features of each head rotate by the cached cos/sin (looked up
/// by `position_ids` when given), as halves or as interleaved pairs.
struct RotaryEmbedding_23: TensorKernel {
    static let opType = "RotaryEmbedding", sinceVersion = 23
    static let inputArity = 3...4
    let interleaved: Bool, rotaryDim: Int, numHeads: Int

    init(_ node: KernelNode) throws {
        interleaved = try node.int("interleaved", default: 0) != 0
        rotaryDim = try node.int("rotary_embedding_dim", default: 0)
        numHeads = try node.int("num_heads", default: 0)
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let cos = try inputs.required(1).doubleValues(), sin = try inputs.required(2).doubleValues()
        let positions = try inputs.optional(3)?.indexValues()
        let values = try x.doubleValues()
        let (batch, sequence, heads, size): (Int, Int, Int, Int)
        if x.rank == 4 {
            (batch, heads, sequence, size) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        } else if x.rank == 3, numHeads > 0, x.shape[2] % numHeads == 0 {
            (batch, sequence, heads, size) = (x.shape[0], x.shape[1], numHeads, x.shape[2] / numHeads)
        } else {
            throw KernelError.invalidInput("input must be 4-D, or 3-D with num_heads dividing the hidden size")
        }
        let dim = rotaryDim == 0 ? size : rotaryDim
        let half = dim / 2
        guard dim <= size, dim % 2 == 0 else { throw KernelError.invalidInput("rotary_embedding_dim \(dim) does not fit head size \(size)") }
        func index(_ b: Int, _ s: Int, _ h: Int, _ d: Int) -> Int {
            x.rank == 4 ? ((b * heads + h) * sequence + s) * size + d : ((b * sequence + s) * heads + h) * size + d
        }
        var result = values
        for b in 0..<batch {
            for s in 0..<sequence {
                let row = positions.map { $0[b * sequence + s] } ?? (b * sequence + s)
                guard (row + 1) * half <= cos.count, (row + 1) * half <= sin.count else {
                    throw KernelError.invalidInput("position \(row) is outside the cos/sin cache")
                }
                for h in 0..<heads {
                    for i in 0..<half {
                        let (first, second) = interleaved ? (2 * i, 2 * i + 1) : (i, i + half)
                        let x1 = values[index(b, s, h, first)], x2 = values[index(b, s, h, second)]
                        let c = cos[row * half + i], n = sin[row * half + i]
                        result[index(b, s, h, first)] = c * x1 - n * x2
                        result[index(b, s, h, second)] = n * x1 + c * x2
                    }
                }
            }
        }
        return [try Tensor(converting: result, to: x.dataType, shape: x.shape)]
    }
}
