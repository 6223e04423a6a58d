import ModelIR

/// numpy slicing of `data` along `axes` (all axes by default) with `starts`, `ends` and `steps`,
/// clamped as Python slices are.
func slice(_ data: Tensor, starts: [Int], ends: [Int], axes: [Int]?, steps: [Int]?) throws -> Tensor {
    guard starts.count == ends.count else { throw KernelError.invalidInput("starts and ends have different lengths") }
    let axes = try normalizedAxes(axes ?? Array(0..<starts.count), rank: data.rank)
    let steps = steps ?? [Int](repeating: 1, count: starts.count)
    guard axes.count == starts.count, steps.count == starts.count else {
        throw KernelError.invalidInput("starts, ends, axes and steps have different lengths")
    }
    var shape = data.shape
    var begin = [Int](repeating: 0, count: data.rank)
    var stride = [Int](repeating: 1, count: data.rank)
    for (i, axis) in axes.enumerated() {
        let size = data.shape[axis], step = steps[i]
        guard step != 0 else { throw KernelError.invalidInput("slice step is 0") }
        var start = starts[i], end = ends[i]
        if start < 0 { start += size }
        if end < 0 { end += size }
        if step > 0 {
            start = min(max(start, 0), size)
            end = min(max(end, 0), size)
            shape[axis] = end > start ? (end - start + step - 1) / step : 0
        } else {
            start = min(max(start, -1), size - 1)
            end = min(max(end, -1), size - 1)
            shape[axis] = start > end ? (start - end - step - 1) / -step : 0
        }
        begin[axis] = start
        stride[axis] = step
    }
    let strides = Strides(data.shape).values
    let offset = zip(begin, strides).reduce(0) { $0 + max($1.0, 0) * $1.1 }
    let elementStrides = zip(strides, stride).map { $0 * $1 }
    if data.rank > 0, stride[data.rank - 1] == 1, data.dataType.bitWidth >= 8 {
        return try copyingRows(data, shape: shape, start: offset, strides: elementStrides)
    }
    let indices = try Indexing.strided(shape: shape, start: offset, strides: elementStrides)
    return try data.gathering(shape: shape, sourceIndices: indices)
}

/// The elements of `data` at `start + Σ index · strides` for every index of `shape`, whose last
/// stride is 1: each row of the innermost axis copied as one run of bytes.
private func copyingRows(_ data: Tensor, shape: [Int], start: Int, strides: [Int]) throws -> Tensor {
    let width = data.dataType.bitWidth / 8, inner = shape[shape.count - 1]
    let rowShape = Array(shape.dropLast()), rowStrides = Array(strides.dropLast())
    let rows = rowShape.reduce(1, *)
    return try data.withUnsafeBytes { source in
        try Tensor.overwrittenBytes(data.dataType, shape: shape) { target in
            guard inner > 0, rows > 0, let to = target.baseAddress, let from = source.baseAddress else { return }
            var cursor = StridedCursor(shape: rowShape, strides: rowStrides, start: start)
            for row in 0..<rows {
                (to + row * inner * width).copyMemory(from: from + cursor.offset * width, byteCount: inner * width)
                cursor.advance()
            }
        }
    }
}

/// Opsets 1–9: the bounds are attributes.
struct Slice_1: TensorKernel {
    static let opType = "Slice", sinceVersion = 1
    let starts: [Int], ends: [Int], axes: [Int]?
    init(_ node: KernelNode) throws {
        starts = try node.requiredInts("starts")
        ends = try node.requiredInts("ends")
        axes = try node.ints("axes")
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try slice(inputs.required(0), starts: starts, ends: ends, axes: axes, steps: nil)]
    }
}

/// From opset 10 the bounds, axes and steps are inputs.
struct Slice_10: TensorKernel, AttributeFreeKernel {
    static let opType = "Slice", sinceVersion = 10
    static let inputArity = 3...5
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try slice(inputs.required(0), starts: inputs.required(1).indexValues(), ends: inputs.required(2).indexValues(),
                   axes: inputs.optional(3)?.indexValues(), steps: inputs.optional(4)?.indexValues())]
    }
}
