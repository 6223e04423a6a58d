import ModelIR

/// `out[i…] = data[i… with indices[i…] along axis]` (negative indices count from the end).
struct GatherElements_11: TensorKernel {
    static let opType = "GatherElements", sinceVersion = 11
    static let inputArity = 2...2
    let axis: Int
    init(_ node: KernelNode) throws { axis = try node.int("axis", default: 0) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0), indicesTensor = try inputs.required(1)
        let axis = try normalizedAxis(self.axis, rank: data.rank)
        guard indicesTensor.rank == data.rank else { throw KernelError.invalidInput("indices and data must have the same rank") }
        let indices = try indicesTensor.indexValues()
        let strides = Strides(data.shape).values
        var map = [Int](repeating: 0, count: indices.count)
        try forEachIndex(indicesTensor.shape) { flat, index in
            var offset = 0
            for a in 0..<data.rank {
                var i = a == axis ? indices[flat] : index[a]
                if a == axis && i < 0 { i += data.shape[a] }
                guard i >= 0 && i < data.shape[a] else { throw KernelError.invalidInput("index \(indices[flat]) out of range on axis \(a)") }
                offset += i * strides[a]
            }
            map[flat] = offset
        }
        return [try data.gathering(shape: indicesTensor.shape, sourceIndices: map)]
    }
}

/// Slices of `data` addressed by the last axis of `indices`, after `batch_dims` shared leading axes.
struct GatherND_11: TensorKernel {
    static let opType = "GatherND", sinceVersion = 11
    static let inputArity = 2...2
    let batchDims: Int
    init(_ node: KernelNode) throws { batchDims = try node.int("batch_dims", default: 0) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0), indicesTensor = try inputs.required(1)
        let indices = try indicesTensor.indexValues()
        guard let depth = indicesTensor.shape.last, batchDims + depth <= data.rank, batchDims < indicesTensor.rank else {
            throw KernelError.invalidInput("indices \(indicesTensor.shape) do not fit data \(data.shape)")
        }
        let batchShape = Array(data.shape[..<batchDims])
        let batch = batchShape.reduce(1, *)
        let lookups = indicesTensor.shape[batchDims..<(indicesTensor.rank - 1)].reduce(1, *)
        let sliceShape = Array(data.shape[(batchDims + depth)...])
        let sliceSize = sliceShape.reduce(1, *)
        let strides = Strides(data.shape).values
        let batchStride = batchDims > 0 ? strides[batchDims - 1] : data.elementCount
        var map: [Int] = []
        for b in 0..<batch {
            for l in 0..<lookups {
                var offset = b * batchStride
                for d in 0..<depth {
                    var i = indices[(b * lookups + l) * depth + d]
                    let size = data.shape[batchDims + d]
                    if i < 0 { i += size }
                    guard i >= 0 && i < size else { throw KernelError.invalidInput("index out of range") }
                    offset += i * strides[batchDims + d]
                }
                for s in 0..<sliceSize { map.append(offset + s) }
            }
        }
        let shape = Array(indicesTensor.shape.dropLast()) + sliceShape
        return [try data.gathering(shape: shape, sourceIndices: map)]
    }
}
