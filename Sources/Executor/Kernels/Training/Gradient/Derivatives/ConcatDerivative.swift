/// `Concat`: each input receives the slice of the output gradient it was copied to.
struct ConcatDerivative: DerivativeRule {
    static let opType = "Concat"
    let axis: Int

    init(_ node: KernelNode) throws {
        axis = try node.requiredInt("axis")
    }

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let g = try step.outputGradient()
        let axis = try normalizedAxis(self.axis, rank: g.rank)
        let outer = g.shape[..<axis].reduce(1, *), inner = g.shape[(axis + 1)...].reduce(1, *)
        let total = g.shape[axis]
        var offset = 0
        var gradients: [GradientArray?] = []
        for index in step.inputs.indices {
            let shape = try step.inputShape(index)
            guard shape.count == g.rank else { throw KernelError.invalidInput("input \(index) has rank \(shape.count), not \(g.rank)") }
            let length = shape[axis]
            guard offset + length <= total else { throw KernelError.invalidInput("the inputs are longer than the output along axis \(axis)") }
            if step.needs(index) {
                var values: [Double] = []
                values.reserveCapacity(outer * length * inner)
                for o in 0..<outer {
                    let start = (o * total + offset) * inner
                    values += g.values[start..<(start + length * inner)]
                }
                gradients.append(GradientArray(shape: shape, values: values))
            } else {
                gradients.append(nil)
            }
            offset += length
        }
        return gradients
    }
}
