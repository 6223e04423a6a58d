/// `ReduceSum`: every input element receives the gradient of the sum it went into.
struct ReduceSumDerivative: DerivativeRule {
    static let opType = "ReduceSum"
    let reduced: ReducedAxes

    init(_ node: KernelNode) throws { reduced = try ReducedAxes(node) }

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let trailing = [GradientArray?](repeating: nil, count: max(step.inputs.count - 1, 0))
        guard let axes = try reduced.axes(step) else { return [try step.outputGradient()] + trailing }
        return [try reduced.spread(step, axes: axes)] + trailing
    }
}
