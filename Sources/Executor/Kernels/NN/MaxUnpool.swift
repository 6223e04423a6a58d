import ModelIR

/// Scatters pooled values back to the positions their indices name, zeros elsewhere.
struct MaxUnpool_9: TensorKernel {
    static let opType = "MaxUnpool", sinceVersion = 9
    static let inputArity = 2...3
    let kernel: [Int], pads: [Int]?, strides: [Int]?
    init(_ node: KernelNode) throws {
        kernel = try node.requiredInts("kernel_shape")
        pads = try node.ints("pads")
        strides = try node.ints("strides")
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), indices = try inputs.required(1).indexValues()
        let rank = x.rank - 2
        guard rank >= 1, kernel.count == rank, indices.count == x.elementCount else { throw KernelError.invalidInput("X and I do not fit kernel_shape") }
        let strides = self.strides ?? [Int](repeating: 1, count: rank), pads = self.pads ?? [Int](repeating: 0, count: 2 * rank)
        let inferred = Array(x.shape[..<2]) + (0..<rank).map { (x.shape[2 + $0] - 1) * strides[$0] + kernel[$0] - pads[$0] - pads[rank + $0] }
        // Indices address the inferred shape; a requested output shape holds it in its leading corner.
        let shape = try inputs.optional(2)?.indexValues() ?? inferred
        guard shape.count == inferred.count else { throw KernelError.invalidInput("output_shape \(shape) does not fit X \(x.shape)") }
        let count = try Tensor.checkedCount(shape)
        let inferredCount = try Tensor.checkedCount(inferred)
        let inferredStrides = Strides(inferred).values, outputStrides = Strides(shape).values
        let (joined, offsets) = try Tensor.flatJoined([x, Tensor(zeros: x.dataType, shape: [1])])
        var map = [Int](repeating: offsets[1], count: count)
        for (position, target) in indices.enumerated() {
            guard target >= 0 && target < inferredCount else { throw KernelError.invalidInput("index \(target) is outside the output") }
            var rest = target, flat = 0, inside = true
            for axis in inferred.indices {
                let coordinate = rest / inferredStrides[axis]
                rest %= inferredStrides[axis]
                if coordinate >= shape[axis] { inside = false }
                flat += coordinate * outputStrides[axis]
            }
            if inside { map[flat] = position }
        }
        return [try joined.gathering(shape: shape, sourceIndices: map)]
    }
}
