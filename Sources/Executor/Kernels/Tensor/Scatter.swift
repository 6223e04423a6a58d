import ModelIR

/// How scattered updates combine with what is there.
enum ScatterReduction: String {
    case none, add, mul, max, min

    init(_ node: KernelNode) throws {
        let name = try node.choice("reduction", default: "none", in: ["none", "add", "mul", "max", "min"])
        self = ScatterReduction(rawValue: name) ?? .none
    }

    /// `data` with `updates[i]` written (or combined) at flat position `targets[i]`, in order.
    func apply(_ data: Tensor, targets: [Int], updates: Tensor) throws -> Tensor {
        guard data.dataType == updates.dataType else { throw KernelError.invalidInput("updates are \(updates.dataType), data is \(data.dataType)") }
        guard targets.count <= updates.elementCount else {
            throw KernelError.invalidInput("\(targets.count) positions to write but updates hold \(updates.elementCount) elements")
        }
        if self == .none, data.strings == nil, data.elementStride > 0 {
            let width = data.elementStride
            return try data.withUnsafeBytes { source in
                try updates.withUnsafeBytes { update in
                    try Tensor.filledBytes(data.dataType, shape: data.shape) { target in
                        guard let to = target.baseAddress else { return }
                        if let from = source.baseAddress { to.copyMemory(from: from, byteCount: Swift.min(source.count, target.count)) }
                        guard let from = update.baseAddress else { return }
                        switch width {
                        case 8: for (i, position) in targets.enumerated() { to.storeBytes(of: from.load(fromByteOffset: i * 8, as: UInt64.self), toByteOffset: position * 8, as: UInt64.self) }
                        case 4: for (i, position) in targets.enumerated() { to.storeBytes(of: from.load(fromByteOffset: i * 4, as: UInt32.self), toByteOffset: position * 4, as: UInt32.self) }
                        default: for (i, position) in targets.enumerated() { (to + position * width).copyMemory(from: from + i * width, byteCount: width) }
                        }
                    }
                }
            }
        }
        if self == .none {
            let (joined, offsets) = try Tensor.flatJoined([data, updates])
            var map = Array(0..<data.elementCount)
            for (i, target) in targets.enumerated() { map[target] = offsets[1] + i }
            return try joined.gathering(shape: data.shape, sourceIndices: map)
        }
        var values = try data.doubleValues()
        let update = try updates.doubleValues()
        for (i, target) in targets.enumerated() {
            switch self {
            case .add: values[target] += update[i]
            case .mul: values[target] *= update[i]
            case .max: values[target] = Swift.max(values[target], update[i])
            case .min: values[target] = Swift.min(values[target], update[i])
            case .none: values[target] = update[i]
            }
        }
        return try Tensor(converting: values, to: data.dataType, shape: data.shape)
    }
}

/// Writes `updates` into a copy of `data` at `indices` along `axis` (ScatterElements; Scatter before opset 11).
struct ScatterElements_11: TensorKernel {
    static let opType = "ScatterElements", sinceVersion = 11
    static let inputArity = 3...3
    let axis: Int
    let reduction: ScatterReduction
    init(_ node: KernelNode) throws {
        axis = try node.int("axis", default: 0)
        reduction = try ScatterReduction(node)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0), indicesTensor = try inputs.required(1), updates = try inputs.required(2)
        let axis = try normalizedAxis(self.axis, rank: data.rank)
        guard indicesTensor.shape == updates.shape else {
            throw KernelError.invalidInput("indices \(indicesTensor.shape) and updates \(updates.shape) must have the same shape")
        }
        let targets = try elementOffsets(dataShape: data.shape, indicesShape: indicesTensor.shape, indices: try indicesTensor.indexValues(), axis: axis)
        return [try reduction.apply(data, targets: targets, updates: updates)]
    }
}

struct Scatter_9: TensorKernel {
    static let opType = "Scatter", sinceVersion = 9
    static let inputArity = 3...3
    let inner: ScatterElements_11
    init(_ node: KernelNode) throws { inner = try ScatterElements_11(node) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { try inner.compute(inputs) }
}

/// Writes slices of `updates` at the positions the last axis of `indices` addresses.
struct ScatterND_11: TensorKernel {
    static let opType = "ScatterND", sinceVersion = 11
    static let inputArity = 3...3
    let reduction: ScatterReduction
    init(_ node: KernelNode) throws { reduction = try ScatterReduction(node) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let data = try inputs.required(0), indicesTensor = try inputs.required(1), updates = try inputs.required(2)
        let indices = try indicesTensor.indexValues()
        guard let depth = indicesTensor.shape.last, depth <= data.rank else { throw KernelError.invalidInput("indices do not fit data") }
        let lookups = indicesTensor.shape.dropLast().reduce(1, *)
        let sliceSize = data.shape[depth...].reduce(1, *)
        guard updates.elementCount == lookups * sliceSize else { throw KernelError.invalidInput("updates \(updates.shape) do not fit") }
        let strides = Strides(data.shape).values
        var targets = [Int](repeating: 0, count: lookups * sliceSize)
        try indices.withUnsafeBufferPointer { tuples in
            for l in 0..<lookups {
                let offset = try sliceOffset(tuples[(l * depth)..<((l + 1) * depth)], dataShape: data.shape, strides: strides)
                for s in 0..<sliceSize { targets[l * sliceSize + s] = offset + s }
            }
        }
        return [try reduction.apply(data, targets: targets, updates: updates)]
    }
}
