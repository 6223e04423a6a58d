import ModelIR

/// `index` along an axis of `size`, counted from the end when negative.
///
/// - Throws: `KernelError.invalidInput` naming the index and the axis size when it falls outside.
func resolvedIndex(_ index: Int, size: Int) throws -> Int {
    let resolved = index < 0 ? index + size : index
    guard resolved >= 0 && resolved < size else { throw KernelError.invalidInput("index \(index) out of range for an axis of size \(size)") }
    return resolved
}

/// The flat offsets into data of `dataShape` that an element-wise gather or scatter along `axis`
/// addresses (GatherElements, ScatterElements): position `p` of `indicesShape` reads or writes
/// the element at p's own multi-index with its `axis` coordinate replaced by `indices[p]`.
func elementOffsets(dataShape: [Int], indicesShape: [Int], indices: [Int], axis: Int) throws -> [Int] {
    guard indicesShape.count == dataShape.count else {
        throw KernelError.invalidInput("indices \(indicesShape) must have the rank of data \(dataShape)")
    }
    let strides = Strides(dataShape).values
    var offsets = [Int](repeating: 0, count: indices.count)
    try forEachIndex(indicesShape) { flat, index in
        var offset = 0
        for a in dataShape.indices {
            let i = a == axis ? try resolvedIndex(indices[flat], size: dataShape[a]) : index[a]
            guard i < dataShape[a] else { throw KernelError.invalidInput("indices \(indicesShape) do not fit data \(dataShape) on axis \(a)") }
            offset += i * strides[a]
        }
        offsets[flat] = offset
    }
    return offsets
}

/// The flat offset of the slice that the tuple `indices` addresses in data of `dataShape` with
/// `strides` (GatherND, ScatterND): `indices[d]` is the coordinate on axis `firstAxis + d`.
func sliceOffset<Tuple: Collection<Int>>(_ indices: Tuple, dataShape: [Int], strides: [Int], firstAxis: Int = 0) throws -> Int {
    var offset = 0
    var axis = firstAxis
    for index in indices {
        offset += try resolvedIndex(index, size: dataShape[axis]) * strides[axis]
        axis += 1
    }
    return offset
}
