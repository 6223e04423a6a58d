import Foundation
import ModelIR

/// Applies `step` to each of the `n` parameter groups of an optimizer node whose inputs are
/// `R, T, X₁…Xₙ, then `stateCount` further blocks of n tensors, and whose outputs are the new X
/// block followed by the new state blocks.
private func optimize(_ inputs: [Tensor?], stateCount: Int,
                      _ step: (_ r: Double, _ t: Double, _ x: Double, _ g: Double, _ state: [Double]) -> (Double, [Double])) throws -> [Tensor?] {
    let blocks = 2 + stateCount
    guard (inputs.count - 2) % blocks == 0, inputs.count > 2 else { throw KernelError.invalidInput("inputs do not form \(blocks) blocks after R and T") }
    let n = (inputs.count - 2) / blocks
    let r = try inputs.required(0).scalarDouble(), t = try inputs.required(1).scalarDouble()
    var newX: [Tensor?] = [], newStates = [[Tensor?]](repeating: [], count: stateCount)
    for i in 0..<n {
        let x = try inputs.required(2 + i), g = try inputs.required(2 + n + i).doubleValues()
        let states = try (0..<stateCount).map { try inputs.required(2 + (2 + $0) * n + i).doubleValues() }
        let xs = try x.doubleValues()
        guard g.count == xs.count, states.allSatisfy({ $0.count == xs.count }) else { throw KernelError.invalidInput("X, G and the states differ in size") }
        var outX = xs, outStates = states
        for e in xs.indices {
            let (nx, ns) = step(r, t, xs[e], g[e], states.map { $0[e] })
            outX[e] = nx
            for s in 0..<stateCount { outStates[s][e] = ns[s] }
        }
        newX.append(try Tensor(converting: outX, to: x.dataType, shape: x.shape))
        for s in 0..<stateCount {
            let like = try inputs.required(2 + (2 + s) * n + i)
            newStates[s].append(try Tensor(converting: outStates[s], to: like.dataType, shape: like.shape))
        }
    }
    return newX + newStates.flatMap { $0 }
}

struct Adagrad_1: TensorKernel {
    static let domain = "ai.onnx.preview.training"
    static let opType = "Adagrad", sinceVersion = 1
    static let inputArity = 5...variadic
    static let outputArity = 2...variadic
    let decay: Double, epsilon: Double, norm: Double
    init(_ node: KernelNode) throws {
        decay = Double(try node.float("decay_factor", default: 0))
        epsilon = Double(try node.float("epsilon", default: 1e-6))
        norm = Double(try node.float("norm_coefficient", default: 0))
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try optimize(inputs, stateCount: 1) { r, t, x, g, state in
            let rate = r / (1 + t * decay), regularized = norm * x + g
            let h = state[0] + regularized * regularized
            return (x - rate * regularized / (h.squareRoot() + epsilon), [h])
        }
    }
}

struct Momentum_1: TensorKernel {
    static let domain = "ai.onnx.preview.training"
    static let opType = "Momentum", sinceVersion = 1
    static let inputArity = 5...variadic
    static let outputArity = 2...variadic
    let alpha: Double, beta: Double, norm: Double, nesterov: Bool
    init(_ node: KernelNode) throws {
        alpha = Double(try node.float("alpha", default: 0))
        beta = Double(try node.float("beta", default: 0))
        norm = Double(try node.float("norm_coefficient", default: 0))
        nesterov = try node.choice("mode", default: "standard", in: ["standard", "nesterov"]) == "nesterov"
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try optimize(inputs, stateCount: 1) { r, t, x, g, state in
            let regularized = norm * x + g
            let v = alpha * state[0] + (t > 0 ? beta : 1) * regularized
            return (nesterov ? x - r * (regularized + alpha * v) : x - r * v, [v])
        }
    }
}

struct Adam_1: TensorKernel {
    static let domain = "ai.onnx.preview.training"
    static let opType = "Adam", sinceVersion = 1
    static let inputArity = 6...variadic
    static let outputArity = 3...variadic
    let alpha: Double, beta: Double, epsilon: Double, norm: Double, normPost: Double
    init(_ node: KernelNode) throws {
        alpha = Double(try node.float("alpha", default: 0.9))
        beta = Double(try node.float("beta", default: 0.999))
        epsilon = Double(try node.float("epsilon", default: 1e-6))
        norm = Double(try node.float("norm_coefficient", default: 0))
        normPost = Double(try node.float("norm_coefficient_post", default: 0))
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try optimize(inputs, stateCount: 2) { r, t, x, g, state in
            let regularized = norm * x + g
            let v = alpha * state[0] + (1 - alpha) * regularized
            let h = beta * state[1] + (1 - beta) * regularized * regularized
            let rate = t > 0 ? r * (1 - Foundation.pow(beta, t)).squareRoot() / (1 - Foundation.pow(alpha, t)) : r
            let updated = x - rate * (v / (h.squareRoot() + epsilon))
            return ((1 - normPost) * updated, [v, h])
        }
    }
}
