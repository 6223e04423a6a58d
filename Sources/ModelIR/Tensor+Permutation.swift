extension Tensor {
    /// The tensor with its axes permuted: axis `i` of the result is axis `permutation[i]` of this
    /// one (ONNX `Transpose` with `perm`). Works on any fixed-width element type, sub-byte types
    /// excepted; keeps the name.
    ///
    /// - Throws: `TensorError.invalidShape` when `permutation` is not a permutation of the axes,
    ///   `TensorError.unsupported` for string and packed sub-byte tensors.
    public func permuted(_ permutation: [Int]) throws(TensorError) -> Tensor {
        let shape = self.shape
        guard permutation.count == shape.count, Set(permutation) == Set(0..<shape.count) else { throw .invalidShape(permutation) }
        let newShape = permutation.map { shape[$0] }
        guard dataType.bitWidth >= 8 else {
            throw .unsupported("tensor '\(name)' of \(dataType) cannot be permuted element by element")
        }
        let count = elementCount
        guard count > 0, permutation != Array(0..<shape.count) else { return try reshaped(to: newShape) }
        let elementSize = dataType.bitWidth / 8
        let output = TensorBuffer(byteCount: count * elementSize)
        withUnsafeBytes { source in
            let target = output.mutableBytes.baseAddress!
            forEachPermutedOffset(shape: shape, permutation: permutation) { position, offset in
                (target + position * elementSize).copyMemory(from: source.baseAddress! + offset * elementSize, byteCount: elementSize)
            }
        }
        return try Tensor(name: name, dataType: dataType, shape: newShape, buffer: output)
    }
}

/// Visits the elements of the array that permuting the axes of a row-major array of `shape` gives
/// (axis `i` of the result is axis `permutation[i]` of the source), in the result's row-major
/// order: `body(position, sourceOffset)` with `position` 0, 1, … and the element's flat offset in
/// the source. `permutation` must be a permutation of the axes.
@inlinable
public func forEachPermutedOffset(shape: [Int], permutation: [Int], _ body: (Int, Int) -> Void) {
    let newShape = permutation.map { shape[$0] }
    let count = newShape.reduce(1, *)
    guard count > 0 else { return }
    var strides = [Int](repeating: 1, count: shape.count)
    for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
    let sourceStrides = permutation.map { strides[$0] }
    var index = [Int](repeating: 0, count: newShape.count)
    var offset = 0
    for position in 0..<count {
        body(position, offset)
        var axis = newShape.count - 1
        while axis >= 0 {
            index[axis] += 1
            offset += sourceStrides[axis]
            if index[axis] < newShape[axis] { break }
            offset -= sourceStrides[axis] * newShape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
