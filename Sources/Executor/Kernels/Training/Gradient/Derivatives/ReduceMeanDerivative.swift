/// `ReduceMean`: every input element receives the gradient of its mean divided by the number of
/// elements that mean was taken over.
struct ReduceMeanDerivative: DerivativeRule {
    static let opType = "ReduceMean"
    let reduced: ReducedAxes

    init(_ node: KernelNode) throws { reduced = try ReducedAxes(node) }

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let trailing = [GradientArray?](repeating: nil, count: max(step.inputs.count - 1, 0))
        guard let axes = try reduced.axes(step) else { return [try step.outputGradient()] + trailing }
        let shape = try step.inputShape(0)
        let count = Double(axes.reduce(1) { $0 * shape[$1] })
        return [try reduced.spread(step, axes: axes).map { $0 / count }] + trailing
    }
}
