import ModelIR

/// Takes slices of `data` along `axis` at `indices` (negative indices count from the end).
struct Gather_1: TensorKernel {
    static let opType = "Gather", sinceVersion = 1
    static let inputArity = 2...2
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: 0) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0), indicesTensor = try inputs.required(1)
        let axis = try normalizedAxis(self.axis, rank: data.rank)
        guard data.rank > 0 else { throw KernelError.invalidInput("Gather needs data of rank 1 or more") }
        let size = data.shape[axis]
        let indices = try indicesTensor.indexValues().map { try resolvedIndex($0, size: size) }
        let outer = data.shape[..<axis].reduce(1, *), inner = data.shape[(axis + 1)...].reduce(1, *)
        let shape = Array(data.shape[..<axis]) + indicesTensor.shape + Array(data.shape[(axis + 1)...])
        var map: [Int] = []
        map.reserveCapacity(outer * indices.count * inner)
        for o in 0..<outer {
            for index in indices {
                let base = (o * size + index) * inner
                for i in 0..<inner { map.append(base + i) }
            }
        }
        return [try data.gathering(shape: shape, sourceIndices: map)]
    }
}
