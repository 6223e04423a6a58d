import ModelIR

/// Writes `update` into a copy of the cache along `axis`, each batch entry starting at its
/// write index (wrapping around in "circular" mode).
struct TensorScatter_24: TensorKernel {
    static let opType = "TensorScatter", sinceVersion = 24
    static let inputArity = 2...3
    let axis: Int, circular: Bool
    init(_ node: KernelNode) throws {
        axis = try node.int("axis", default: -2)
        circular = try node.choice("mode", default: "linear", in: ["linear", "circular"]) == "circular"
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let cache = try inputs.required(0), update = try inputs.required(1)
        let axis = try normalizedAxis(self.axis, rank: cache.rank)
        guard update.rank == cache.rank, cache.shape.indices.allSatisfy({ $0 == axis ? update.shape[$0] <= cache.shape[$0] : update.shape[$0] == cache.shape[$0] }) else {
            throw KernelError.invalidInput("update \(update.shape) does not fit cache \(cache.shape) along axis \(axis)")
        }
        let writes = try inputs.optional(2)?.indexValues() ?? [Int](repeating: 0, count: cache.shape[0])
        let cacheStrides = Strides(cache.shape).values
        var targets = [Int](repeating: 0, count: update.elementCount)
        try forEachIndex(update.shape) { flat, index in
            var position = index
            guard index[0] < writes.count else { throw KernelError.invalidInput("no write index for batch \(index[0])") }
            var t = writes[index[0]] + index[axis]
            if circular { t %= cache.shape[axis] }
            guard t >= 0 && t < cache.shape[axis] else { throw KernelError.invalidInput("write position \(t) is outside the cache") }
            position[axis] = t
            targets[flat] = zip(position, cacheStrides).reduce(0) { $0 + $1.0 * $1.1 }
        }
        return [try ScatterReduction.none.apply(cache, targets: targets, updates: update)]
    }
}
