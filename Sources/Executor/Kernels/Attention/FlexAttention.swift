import Foundation
import ModelIR

/// Attention whose scores and probabilities pass through optional one-input subgraphs
/// (`score_mod`, `prob_mod`) before and after the softmax; 4-D inputs, grouped-query heads.
/// Scores are handed to the subgraphs in float32 (float64 for double inputs).
struct FlexAttention_1: Kernel {
    static let domain = "ai.onnx.preview"
    static let opType = "FlexAttention", sinceVersion = 1
    static let inputArity = 3...3
    let scale: Double?
    let scoreMod: Subgraph?, probMod: Subgraph?

    init(_ node: KernelNode) throws {
        scale = try node.float("scale").map(Double.init)
        scoreMod = node.has("score_mod") ? try node.subgraph("score_mod") : nil
        probMod = node.has("prob_mod") ? try node.subgraph("prob_mod") : nil
        _ = try node.int("softmax_precision")
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let tensors = try inputs.map { value -> Tensor in
            guard case .tensor(let tensor)? = value else { throw KernelError.invalidInput("Q, K and V must be tensors") }
            return tensor
        }
        let (q, k, v) = (tensors[0], tensors[1], tensors[2])
        guard q.rank == 4, k.rank == 4, v.rank == 4 else { throw KernelError.invalidInput("FlexAttention needs 4-D Q, K and V") }
        let (batch, heads, length, size) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3])
        let (kvHeads, sequence, valueSize) = (k.shape[1], k.shape[2], v.shape[3])
        guard k.shape[3] == size, v.shape[2] == sequence, v.shape[1] == kvHeads, kvHeads > 0, heads % kvHeads == 0 else {
            throw KernelError.invalidInput("Q \(q.shape), K \(k.shape) and V \(v.shape) do not fit together")
        }
        let group = heads / kvHeads
        let scale = self.scale ?? 1 / Double(size).squareRoot()
        let qs = try q.doubleValues(), ks = try k.doubleValues(), vs = try v.doubleValues()
        let computeType: DataType = q.dataType == .double ? .double : .float
        let scoreShape = [batch, heads, length, sequence]
        var scores = [Double](repeating: 0, count: scoreShape.reduce(1, *))
        forEachIndex(scoreShape) { flat, index in
            let (b, h, i, j) = (index[0], index[1], index[2], index[3])
            var dot = 0.0
            for t in 0..<size { dot += qs[((b * heads + h) * length + i) * size + t] * ks[((b * kvHeads + h / group) * sequence + j) * size + t] }
            scores[flat] = dot * scale
        }
        func modified(_ values: [Double], by graph: Subgraph?) throws -> [Double] {
            guard let graph else { return values }
            let input = try Tensor(converting: values, to: computeType, shape: scoreShape)
            guard case .tensor(let output)?? = try context.run(graph, inputs: [.tensor(input)]).first, output.elementCount == values.count else {
                throw KernelError.invalidInput("a modifier graph must return one tensor of the scores' shape")
            }
            return try output.doubleValues()
        }
        scores = try modified(scores, by: scoreMod)
        var probabilities = scores
        for row in 0..<(batch * heads * length) {
            let range = (row * sequence)..<((row + 1) * sequence)
            let maximum = scores[range].max() ?? 0
            let exps = scores[range].map { Foundation.exp($0 - maximum) }
            let sum = exps.reduce(0, +)
            for (offset, e) in exps.enumerated() { probabilities[row * sequence + offset] = e / sum }
        }
        probabilities = try modified(probabilities, by: probMod)
        var output = [Double](repeating: 0, count: batch * heads * length * valueSize)
        forEachIndex([batch, heads, length, valueSize]) { flat, index in
            let (b, h, i, t) = (index[0], index[1], index[2], index[3])
            var sum = 0.0
            for j in 0..<sequence { sum += probabilities[((b * heads + h) * length + i) * sequence + j] * vs[((b * kvHeads + h / group) * sequence + j) * valueSize + t] }
            output[flat] = sum
        }
        return [.tensor(try Tensor(converting: output, to: v.dataType, shape: [batch, heads, length, valueSize]))]
    }
}
