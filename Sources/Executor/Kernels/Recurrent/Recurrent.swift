import Foundation
import ModelIR

/// An activation named in a recurrent op's `activations`, with its alpha and beta.
struct RecurrentActivation: Sendable {
    let name: String
    let alpha: Double, beta: Double

    func callAsFunction(_ x: Double) -> Double {
        switch name.lowercased() {
        case "relu": return max(x, 0)
        case "tanh": return Foundation.tanh(x)
        case "sigmoid": return 1 / (1 + Foundation.exp(-x))
        case "affine": return alpha * x + beta
        case "leakyrelu": return x < 0 ? alpha * x : x
        case "thresholdedrelu": return x > alpha ? x : 0
        case "scaledtanh": return alpha * Foundation.tanh(beta * x)
        case "hardsigmoid": return max(0, min(1, alpha * x + beta))
        case "elu": return x < 0 ? alpha * (Foundation.exp(x) - 1) : x
        case "softsign": return x / (1 + abs(x))
        case "softplus": return Foundation.log1p(Foundation.exp(x))
        default: return x
        }
    }

    static let defaultAlphas: [String: Double] = ["affine": 1, "leakyrelu": 0.01, "thresholdedrelu": 1, "scaledtanh": 1, "hardsigmoid": 0.2, "elu": 1]
    static let defaultBetas: [String: Double] = ["affine": 0, "scaledtanh": 1, "hardsigmoid": 0.5]
    static let known: Set<String> = ["relu", "tanh", "sigmoid", "affine", "leakyrelu", "thresholdedrelu", "scaledtanh", "hardsigmoid", "elu", "softsign", "softplus"]
}

/// What RNN, GRU and LSTM share: attributes, input layout, directions and sequence lengths.
struct RecurrentLayer: Sendable {
    enum Kind: Sendable { case rnn, gru, lstm }

    let kind: Kind
    let hiddenSize: Int
    let directions: [Bool]   // true = reverse
    let activations: [RecurrentActivation]
    let clip: Double?
    let batchFirst: Bool
    let linearBeforeReset: Bool
    let inputForget: Bool

    var gates: Int { kind == .rnn ? 1 : kind == .gru ? 3 : 4 }

    init(_ node: KernelNode, kind: Kind) throws {
        self.kind = kind
        hiddenSize = try node.requiredInt("hidden_size")
        let direction = try node.choice("direction", default: "forward", in: ["forward", "reverse", "bidirectional"])
        directions = direction == "bidirectional" ? [false, true] : [direction == "reverse"]
        let perDirection = kind == .rnn ? ["Tanh"] : kind == .gru ? ["Sigmoid", "Tanh"] : ["Sigmoid", "Tanh", "Tanh"]
        let names = try node.strings("activations") ?? Array(repeatElement(perDirection, count: directions.count).joined())
        guard names.count == perDirection.count * directions.count, names.allSatisfy({ RecurrentActivation.known.contains($0.lowercased()) }) else {
            throw KernelError.invalidAttribute("activations \(names) do not fit \(directions.count) direction(s)")
        }
        var alphas = try node.floats("activation_alpha") ?? [], betas = try node.floats("activation_beta") ?? []
        activations = names.map { name in
            let key = name.lowercased()
            let alpha = (RecurrentActivation.defaultAlphas[key] != nil && !alphas.isEmpty) ? Double(alphas.removeFirst()) : RecurrentActivation.defaultAlphas[key] ?? 0
            let beta = (RecurrentActivation.defaultBetas[key] != nil && !betas.isEmpty) ? Double(betas.removeFirst()) : RecurrentActivation.defaultBetas[key] ?? 0
            return RecurrentActivation(name: name, alpha: alpha, beta: beta)
        }
        clip = try node.float("clip").map(Double.init)
        batchFirst = try node.int("layout", default: 0) == 1
        linearBeforeReset = try node.int("linear_before_reset", default: 0) != 0
        inputForget = try node.int("input_forget", default: 0) != 0
    }

    func run(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let xTensor = try inputs.required(0), wTensor = try inputs.required(1), rTensor = try inputs.required(2)
        guard xTensor.rank == 3 else { throw KernelError.invalidInput("X must be 3-D") }
        let (seq, batch, inputSize) = batchFirst ? (xTensor.shape[1], xTensor.shape[0], xTensor.shape[2]) : (xTensor.shape[0], xTensor.shape[1], xTensor.shape[2])
        let h = hiddenSize, g = gates, dirs = directions.count
        guard wTensor.shape == [dirs, g * h, inputSize], rTensor.shape == [dirs, g * h, h] else {
            throw KernelError.invalidInput("W \(wTensor.shape) or R \(rTensor.shape) does not fit \(dirs) direction(s), hidden size \(h), input size \(inputSize)")
        }
        let x = try xTensor.doubleValues(), w = try wTensor.doubleValues(), r = try rTensor.doubleValues()
        let bias = try inputs.optional(3)?.doubleValues() ?? [Double](repeating: 0, count: dirs * 2 * g * h)
        let lengths = try inputs.optional(4)?.indexValues() ?? [Int](repeating: seq, count: batch)
        let initialH = try inputs.optional(5)?.doubleValues(), initialC = try inputs.optional(6)?.doubleValues()
        let peepholes = kind == .lstm ? try inputs.optional(7)?.doubleValues() : nil
        guard bias.count == dirs * 2 * g * h, lengths.count == batch else { throw KernelError.invalidInput("B or sequence_lens has the wrong size") }
        func xAt(_ t: Int, _ b: Int, _ i: Int) -> Double { batchFirst ? x[(b * seq + t) * inputSize + i] : x[(t * batch + b) * inputSize + i] }

        var y = [Double](repeating: 0, count: seq * dirs * batch * h)
        var yH = [Double](repeating: 0, count: dirs * batch * h), yC = yH
        for (d, reverse) in directions.enumerated() {
            let act = Array(activations[(d * activations.count / dirs)..<((d + 1) * activations.count / dirs)])
            let wd = d * g * h * inputSize, rd = d * g * h * h, bd = d * 2 * g * h
            for b in 0..<batch {
                var hidden = (0..<h).map { initialH?[(d * batch + b) * h + $0] ?? 0 }
                var cell = (0..<h).map { initialC?[(d * batch + b) * h + $0] ?? 0 }
                let length = min(max(lengths[b], 0), seq)
                for step in 0..<length {
                    let t = reverse ? length - 1 - step : step
                    // gatesX[k] = W_k·x + Wb_k, gatesH[k] = R_k·h + Rb_k for every gate row k.
                    var gx = [Double](repeating: 0, count: g * h), gh = gx
                    for k in 0..<(g * h) {
                        var sx = bias[bd + k], sh = bias[bd + g * h + k]
                        for i in 0..<inputSize { sx += w[wd + k * inputSize + i] * xAt(t, b, i) }
                        for j in 0..<h { sh += r[rd + k * h + j] * hidden[j] }
                        gx[k] = sx
                        gh[k] = sh
                    }
                    func clipped(_ v: Double) -> Double { clip.map { min(max(v, -$0), $0) } ?? v }
                    var next = hidden
                    switch kind {
                    case .rnn:
                        for j in 0..<h { next[j] = act[0](clipped(gx[j] + gh[j])) }
                    case .gru:
                        let reset = (0..<h).map { act[0](clipped(gx[h + $0] + gh[h + $0])) }
                        let resetHidden = (0..<h).map { reset[$0] * hidden[$0] }
                        for j in 0..<h {
                            let z = act[0](clipped(gx[j] + gh[j]))
                            let recurrent: Double
                            if linearBeforeReset {
                                recurrent = reset[j] * gh[2 * h + j]
                            } else {
                                var s = bias[bd + g * h + 2 * h + j]
                                for k in 0..<h { s += r[rd + (2 * h + j) * h + k] * resetHidden[k] }
                                recurrent = s
                            }
                            let candidate = act[1](clipped(gx[2 * h + j] + recurrent))
                            next[j] = (1 - z) * candidate + z * hidden[j]
                        }
                    case .lstm:
                        var newCell = cell
                        for j in 0..<h {
                            let pi = peepholes?[d * 3 * h + j] ?? 0, po = peepholes?[d * 3 * h + h + j] ?? 0, pf = peepholes?[d * 3 * h + 2 * h + j] ?? 0
                            let i = act[0](clipped(gx[j] + gh[j] + pi * cell[j]))
                            var f = act[0](clipped(gx[2 * h + j] + gh[2 * h + j] + pf * cell[j]))
                            if inputForget { f = 1 - i }
                            let c = act[1](clipped(gx[3 * h + j] + gh[3 * h + j]))
                            newCell[j] = f * cell[j] + i * c
                            let o = act[0](clipped(gx[h + j] + gh[h + j] + po * newCell[j]))
                            next[j] = o * act[2](newCell[j])
                        }
                        cell = newCell
                    }
                    hidden = next
                    for j in 0..<h { y[((t * dirs + d) * batch + b) * h + j] = hidden[j] }
                }
                for j in 0..<h {
                    yH[(d * batch + b) * h + j] = hidden[j]
                    yC[(d * batch + b) * h + j] = cell[j]
                }
            }
        }
        let type = xTensor.dataType
        var yTensor = try Tensor(converting: y, to: type, shape: [seq, dirs, batch, h])
        var hTensor = try Tensor(converting: yH, to: type, shape: [dirs, batch, h])
        var cTensor = try Tensor(converting: yC, to: type, shape: [dirs, batch, h])
        if batchFirst {
            let (yShape, yMap) = try Indexing.transposed(yTensor.shape, permutation: [2, 0, 1, 3])
            yTensor = try yTensor.gathering(shape: yShape, sourceIndices: yMap)
            let (hShape, hMap) = try Indexing.transposed(hTensor.shape, permutation: [1, 0, 2])
            hTensor = try hTensor.gathering(shape: hShape, sourceIndices: hMap)
            cTensor = try cTensor.gathering(shape: hShape, sourceIndices: hMap)
        }
        return kind == .lstm ? [yTensor, hTensor, cTensor] : [yTensor, hTensor]
    }
}

/// Opset 7 and later (`layout` from 14).
struct RNN_7: TensorKernel {
    static let opType = "RNN", sinceVersion = 7
    static let inputArity = 3...6
    static let outputArity = 0...2
    let layer: RecurrentLayer
    init(_ node: KernelNode) throws { layer = try RecurrentLayer(node, kind: .rnn) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { try layer.run(inputs) }
}

struct GRU_7: TensorKernel {
    static let opType = "GRU", sinceVersion = 7
    static let inputArity = 3...6
    static let outputArity = 0...2
    let layer: RecurrentLayer
    init(_ node: KernelNode) throws { layer = try RecurrentLayer(node, kind: .gru) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { try layer.run(inputs) }
}

struct LSTM_7: TensorKernel {
    static let opType = "LSTM", sinceVersion = 7
    static let inputArity = 3...8
    static let outputArity = 0...3
    let layer: RecurrentLayer
    init(_ node: KernelNode) throws { layer = try RecurrentLayer(node, kind: .lstm) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { try layer.run(inputs) }
}
