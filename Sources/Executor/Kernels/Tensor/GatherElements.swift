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
        let map = try elementOffsets(dataShape: data.shape, indicesShape: indicesTensor.shape, indices: try indicesTensor.indexValues(), axis: axis)
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
                let start = (b * lookups + l) * depth
                let offset = try b * batchStride
                    + sliceOffset(indices[start..<(start + depth)], dataShape: data.shape, strides: strides, firstAxis: batchDims)
                for s in 0..<sliceSize { map.append(offset + s) }
            }
        }
        let shape = Array(indicesTensor.shape.dropLast()) + sliceShape
        return [try data.gathering(shape: shape, sourceIndices: map)]
    }
}
