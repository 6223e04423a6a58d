/// `Transpose`: the output gradient transposed by the inverse permutation.
struct TransposeDerivative: DerivativeRule {
    static let opType = "Transpose"
    let permutation: [Int]?

    init(_ node: KernelNode) throws {
        permutation = try node.ints("perm")
    }

    func inputGradients(_ step: DerivativeStep) throws -> [GradientArray?] {
        let rank = try step.inputShape(0).count
        let forward = permutation ?? Array((0..<rank).reversed())
        guard forward.count == rank, Set(forward) == Set(0..<rank) else {
            throw KernelError.invalidAttribute("perm \(forward) is not a permutation of the \(rank) axes")
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (output, input) in forward.enumerated() { inverse[input] = output }
        return [try step.outputGradient().transposed(inverse)]
    }
}
