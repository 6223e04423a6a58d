import ModelIR

/// Pads `data` by `pads` (`[begin_0, …, begin_n, end_0, …, end_n]` over `axes`; negative values crop)
/// in mode constant, reflect, edge or wrap.
func pad(_ data: Tensor, pads: [Int], axes: [Int]?, mode: String, constant: Tensor?) throws -> Tensor {
    let axes = try normalizedAxes(axes ?? Array(0..<data.rank), rank: data.rank)
    guard pads.count == 2 * axes.count else { throw KernelError.invalidInput("pads \(pads) do not fit \(axes.count) axes") }
    var begin = [Int](repeating: 0, count: data.rank), end = begin
    for (i, axis) in axes.enumerated() {
        begin[axis] = pads[i]
        end[axis] = pads[i + axes.count]
    }
    let shape = data.shape.indices.map { data.shape[$0] + begin[$0] + end[$0] }
    guard shape.allSatisfy({ $0 >= 0 }) else { throw KernelError.invalidInput("pads \(pads) crop more than the shape \(data.shape)") }
    // For each axis, the source coordinate of each output coordinate, or −1 for the constant.
    var maps: [[Int]] = []
    for axis in data.shape.indices {
        let size = data.shape[axis]
        maps.append((0..<shape[axis]).map { position -> Int in
            let source = position - begin[axis]
            if source >= 0 && source < size { return source }
            guard size > 0 else { return -1 }
            switch mode {
            case "edge": return min(max(source, 0), size - 1)
            case "wrap": return ((source % size) + size) % size
            case "reflect":
                guard size > 1 else { return 0 }
                let period = 2 * (size - 1)
                var s = ((source % period) + period) % period
                if s >= size { s = period - s }
                return s
            default: return -1
            }
        })
    }
    if mode != "constant" && data.shape.contains(0) && shape.reduce(1, *) > 0 {
        throw KernelError.invalidInput("cannot pad an empty axis in \(mode) mode")
    }
    if mode == "constant", data.rank > 0, data.dataType.bitWidth >= 8 {
        return try padConstantByRuns(data, shape: shape, begin: begin, constant: constant)
    }
    let strides = Strides(data.shape).values
    let count = try Tensor.checkedCount(shape)
    let fill = data.elementCount
    var indices = [Int](repeating: 0, count: count)
    forEachIndex(shape) { position, index in
        var offset = 0
        for axis in shape.indices {
            let source = maps[axis][index[axis]]
            if source < 0 { offset = -1; break }
            offset += source * strides[axis]
        }
        indices[position] = offset < 0 ? fill : offset
    }
    let value = try constant.map { try $0.reshaped(to: [1]) } ?? Tensor(zeros: data.dataType, shape: [1])
    guard value.dataType == data.dataType else { throw KernelError.invalidInput("constant_value is \(value.dataType), data is \(data.dataType)") }
    let source = try Tensor.concatenating([data.reshaped(to: [data.elementCount]), value], axis: 0)
    return try source.gathering(shape: shape, sourceIndices: indices)
}

/// Constant-mode `pad` of a tensor of whole-byte elements: the output filled with the constant,
/// then each row of the innermost axis that survives the cropping copied as one run of bytes.
private func padConstantByRuns(_ data: Tensor, shape: [Int], begin: [Int], constant: Tensor?) throws -> Tensor {
    let value = try constant.map { try $0.reshaped(to: [1]) } ?? Tensor(zeros: data.dataType, shape: [1])
    guard value.dataType == data.dataType else { throw KernelError.invalidInput("constant_value is \(value.dataType), data is \(data.dataType)") }
    let width = data.dataType.bitWidth / 8, rank = data.rank
    let last = rank - 1, inner = data.shape[last], outInner = shape[last]
    // The run of each source row that lands inside the output's innermost axis.
    let first = max(0, -begin[last]), end = min(inner, outInner - begin[last])
    let targetStrides = Strides(shape).values
    let rows = data.shape.dropLast().reduce(1, *)
    return try value.withUnsafeBytes { fill in
        try data.withUnsafeBytes { source in
            try Tensor.overwrittenBytes(data.dataType, shape: shape) { target in
                guard let base = target.baseAddress else { return }
                let count = target.count / max(width, 1)
                if fill.allSatisfy({ $0 == 0 }) {
                    base.initializeMemory(as: UInt8.self, repeating: 0, count: target.count)
                } else if let pattern = fill.baseAddress {
                    for element in 0..<count { (base + element * width).copyMemory(from: pattern, byteCount: width) }
                }
                guard first < end, rows > 0, let from = source.baseAddress else { return }
                var index = [Int](repeating: 0, count: max(rank - 1, 0))
                for row in 0..<rows {
                    var offset = 0, inside = true
                    for axis in 0..<(rank - 1) {
                        let position = index[axis] + begin[axis]
                        if position < 0 || position >= shape[axis] { inside = false; break }
                        offset += position * targetStrides[axis]
                    }
                    if inside {
                        let targetStart = offset + first + begin[last]
                        (base + targetStart * width).copyMemory(from: from + (row * inner + first) * width, byteCount: (end - first) * width)
                    }
                    var axis = rank - 2
                    while axis >= 0 {
                        index[axis] += 1
                        if index[axis] < data.shape[axis] { break }
                        index[axis] = 0
                        axis -= 1
                    }
                }
            }
        }
    }
}

let padModes: Set<String> = ["constant", "reflect", "edge"]

/// Opsets 2–10: `pads` and `value` attributes.
struct Pad_2: TensorKernel {
    static let opType = "Pad", sinceVersion = 2
    let pads: [Int], mode: String, value: Float
    init(_ node: KernelNode) throws {
        pads = try node.ints("pads") ?? node.requiredInts("paddings")
        mode = try node.choice("mode", default: "constant", in: padModes)
        value = try node.float("value", default: 0)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0)
        let constant = try Tensor(converting: [Double(value)], to: data.dataType, shape: [])
        return [try pad(data, pads: pads, axes: nil, mode: mode, constant: constant)]
    }
}

/// From opset 11 the pads and the constant are inputs.
struct Pad_11: TensorKernel {
    static let opType = "Pad", sinceVersion = 11
    static let inputArity = 2...3
    let mode: String
    init(_ node: KernelNode) throws { mode = try node.choice("mode", default: "constant", in: padModes) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try pad(inputs.required(0), pads: inputs.required(1).indexValues(), axes: nil, mode: mode, constant: inputs.optional(2))]
    }
}

/// From opset 18 an optional `axes` input; from 19 the `wrap` mode.
struct Pad_18: TensorKernel {
    static let opType = "Pad", sinceVersion = 18
    static let inputArity = 2...4
    let mode: String
    init(_ node: KernelNode) throws { mode = try node.choice("mode", default: "constant", in: padModes.union(["wrap"])) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try pad(inputs.required(0), pads: inputs.required(1).indexValues(), axes: inputs.optional(3)?.indexValues(),
                 mode: mode, constant: inputs.optional(2))]
    }
}
