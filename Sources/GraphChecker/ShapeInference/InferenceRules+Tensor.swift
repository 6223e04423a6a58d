import ModelIR

/// Shape manipulation, indexing, reductions and constants.
extension InferenceRules {
    static func addTensorRules(_ table: inout [String: Rule]) {
        table["Flatten"] = flatten
        table["Reshape"] = reshape
        table["Transpose"] = transpose
        table["Concat"] = concat
        table["Squeeze"] = squeeze
        table["Unsqueeze"] = unsqueeze
        table["Gather"] = gather
        table["Slice"] = slice
        table["Shape"] = shapeOp
        table["Size"] = { _ in [InferredOutput(elementType: .int64, dimensions: [])] }
        table["ConstantOfShape"] = constantOfShape
        table["Constant"] = constant
        table["Expand"] = expand
        table["Tile"] = tile
        for op in ["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
                   "ReduceLogSum", "ReduceLogSumExp", "ReduceSumSquare"] {
            table[op] = reduce
        }
        table["ArgMax"] = argReduce
        table["ArgMin"] = argReduce
        table["GatherElements"] = { c in [InferredOutput(shape: c.shape(1))] }
        for op in ["ScatterElements", "ScatterND", "Scatter"] { table[op] = { c in [InferredOutput(shape: c.shape(0))] } }
        table["SequenceLength"] = { _ in [InferredOutput(elementType: .int64, dimensions: [])] }
        table["NonZero"] = { c in c.shape(0).map { [InferredOutput(elementType: .int64, dimensions: [.fixed($0.rank), .unknown])] } }
        table["Range"] = range
    }

    /// Range: `max(ceil((limit − start) / delta), 0)` elements when all three are constant integers.
    static func range(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let start = c.constantInts(0)?.first, let limit = c.constantInts(1)?.first, let delta = c.constantInts(2)?.first, delta != 0 else {
            return [.shape([.unknown])]
        }
        let span = limit - start
        let count = span / delta + (span % delta != 0 && (span > 0) == (delta > 0) ? 1 : 0)
        return [.shape([.fixed(max(count, 0))])]
    }

    /// The product of `dims`, or unknown when one of them is not a known value.
    static func product(_ dims: ArraySlice<Dimension>) -> Dimension {
        var result = 1
        for dimension in dims {
            guard let size = dimension.value else { return .unknown }
            result *= size
        }
        return .fixed(result)
    }

    static func flatten(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        var axis = c.int("axis") ?? 1
        if axis < 0 { axis += input.rank }
        guard axis >= 0 && axis <= input.rank else { throw shapeError("Flatten axis \(c.int("axis") ?? 1) is out of range for rank \(input.rank)") }
        let dims = input.dims
        return [.shape([product(dims[..<axis]), product(dims[axis...])])]
    }

    static func reshape(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        let requested: [Int]?
        if c.schema.sinceVersion < 5 {
            requested = c.ints("shape")
        } else {
            requested = c.constantInts(1)
            if requested == nil, let shapeShape = c.shape(1), shapeShape.rank == 1, let count = shapeShape.dims[0].value {
                return [.shape(Array(repeating: .unknown, count: count))]
            }
        }
        guard let requested else { return nil }
        let allowZero = (c.int("allowzero") ?? 0) != 0
        let input = c.shape(0)
        var dims: [Dimension] = []
        var inferredAxis: Int? = nil
        for (axis, value) in requested.enumerated() {
            if value == -1 {
                guard inferredAxis == nil else { throw shapeError("Reshape target \(requested) has more than one -1") }
                inferredAxis = axis
                dims.append(.unknown)
            } else if value == 0 && !allowZero {
                guard let input else { dims.append(.unknown); continue }
                guard axis < input.rank else { throw shapeError("Reshape target \(requested) copies dimension \(axis) of the rank-\(input.rank) input") }
                dims.append(input.dims[axis])
            } else if value < 0 {
                throw shapeError("Reshape target \(requested) has the invalid value \(value)")
            } else {
                dims.append(.fixed(value))
            }
        }
        if let inferredAxis, let input, case .fixed(let total) = product(input.dims[...]) {
            var known = 1
            var complete = true
            for (axis, dimension) in dims.enumerated() where axis != inferredAxis {
                if let size = dimension.value { known *= size } else { complete = false }
            }
            if complete && known > 0 {
                guard total % known == 0 else {
                    throw shapeError("cannot reshape \(input) (\(total) elements) to \(requested)")
                }
                dims[inferredAxis] = .fixed(total / known)
            }
        }
        return [.shape(dims)]
    }

    static func transpose(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        let perm = c.ints("perm") ?? Array((0..<input.rank).reversed())
        guard perm.count == input.rank, Set(perm).count == perm.count,
              perm.allSatisfy({ $0 >= -input.rank && $0 < input.rank }) else {
            throw shapeError("perm \(perm) is not a permutation of the \(input.rank) axes of \(input)")
        }
        return [.shape(perm.map { input.dims[$0 < 0 ? $0 + input.rank : $0] })]
    }

    static func concat(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        var shapes: [TensorShape] = []
        for index in 0..<c.inputCount {
            guard let shape = c.shape(index) else { return nil }
            shapes.append(shape)
        }
        guard let first = shapes.first, let rawAxis = c.int("axis") else { return nil }
        guard shapes.allSatisfy({ $0.rank == first.rank }) else {
            throw shapeError("all Concat inputs must have the same rank, got \(shapes.map(\.description).joined(separator: ", "))")
        }
        let axis = try normalizedAxis(rawAxis, rank: first.rank)
        var dims = first.dims
        var total: Int? = 0
        for shape in shapes {
            for (index, dimension) in shape.dims.enumerated() where index != axis {
                if case .fixed(let a) = dimension, case .fixed(let b) = dims[index], a != b {
                    throw shapeError("Concat inputs differ in dimension \(index) (\(b) vs \(a)) outside the concatenation axis \(axis)")
                }
                if dims[index].value == nil, dimension.value != nil { dims[index] = dimension }
            }
            if let size = shape.dims[axis].value, let sum = total { total = sum + size } else { total = nil }
        }
        dims[axis] = total.map { .fixed($0) } ?? .unknown
        return [.shape(dims)]
    }

    /// The axes of Squeeze, Unsqueeze and the reductions: an attribute before `inputSince`, else input 1.
    private static func axes(_ c: InferenceContext, inputSince: Int) -> (axes: [Int]?, known: Bool) {
        if c.schema.sinceVersion < inputSince { return (c.ints("axes"), true) }
        guard c.isPresent(1) else { return (nil, true) }
        guard let values = c.constantInts(1) else { return (nil, false) }
        return (values, true)
    }

    static func squeeze(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        let (given, known) = axes(c, inputSince: 13)
        guard known else { return nil }
        guard let given else {
            guard input.dims.allSatisfy({ $0.value != nil }) else { return nil }
            return [.shape(input.dims.filter { $0 != .fixed(1) })]
        }
        var remove: Set<Int> = []
        for axis in given {
            let resolved = try normalizedAxis(axis, rank: input.rank, what: "Squeeze axis")
            if let size = input.dims[resolved].value, size != 1 {
                throw shapeError("cannot squeeze axis \(axis) of \(input): its size is \(size), not 1")
            }
            remove.insert(resolved)
        }
        return [.shape(input.dims.enumerated().filter { !remove.contains($0.offset) }.map(\.element))]
    }

    static func unsqueeze(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        let (given, known) = axes(c, inputSince: 13)
        guard known, let given else { return nil }
        let rank = input.rank + given.count
        var inserted: Set<Int> = []
        for axis in given {
            let resolved = try normalizedAxis(axis, rank: rank, what: "Unsqueeze axis")
            guard inserted.insert(resolved).inserted else { throw shapeError("Unsqueeze axes \(given) repeat an axis") }
        }
        var dims: [Dimension] = []
        var source = input.dims.makeIterator()
        for axis in 0..<rank {
            if inserted.contains(axis) { dims.append(.fixed(1)) } else if let next = source.next() { dims.append(next) }
        }
        return [.shape(dims)]
    }

    static func gather(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let data = c.shape(0), let indices = c.shape(1) else { return nil }
        guard data.rank >= 1 else { throw shapeError("Gather data must have rank at least 1") }
        let axis = try normalizedAxis(c.int("axis") ?? 0, rank: data.rank)
        return [.shape(Array(data.dims[..<axis]) + indices.dims + Array(data.dims[(axis + 1)...]))]
    }

    static func slice(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        let starts, ends: [Int]?
        var axes: [Int]?
        var steps: [Int]?
        if c.schema.sinceVersion < 10 {
            starts = c.ints("starts")
            ends = c.ints("ends")
            axes = c.ints("axes")
        } else {
            starts = c.constantInts(1)
            ends = c.constantInts(2)
            if c.isPresent(3) {
                guard let values = c.constantInts(3) else { return [.shape(Array(repeating: .unknown, count: input.rank))] }
                axes = values
            }
            if c.isPresent(4) {
                guard let values = c.constantInts(4) else { return [.shape(Array(repeating: .unknown, count: input.rank))] }
                steps = values
            }
        }
        guard let starts, let ends, starts.count == ends.count else {
            return [.shape(Array(repeating: .unknown, count: input.rank))]
        }
        let resolvedAxes = axes ?? Array(0..<starts.count)
        let resolvedSteps = steps ?? Array(repeating: 1, count: starts.count)
        guard resolvedAxes.count == starts.count, resolvedSteps.count == starts.count else { return nil }
        var dims = input.dims
        for (index, rawAxis) in resolvedAxes.enumerated() {
            let axis = try normalizedAxis(rawAxis, rank: input.rank, what: "Slice axis")
            let step = resolvedSteps[index]
            guard step != 0 else { throw shapeError("Slice step cannot be 0") }
            guard let size = input.dims[axis].value else { dims[axis] = .unknown; continue }
            var start = starts[index] < 0 ? starts[index] + size : starts[index]
            var end = ends[index] < 0 ? ends[index] + size : ends[index]
            if step > 0 {
                start = min(max(start, 0), size)
                end = min(max(end, 0), size)
            } else {
                start = min(max(start, 0), size - 1)
                end = min(max(end, -1), size - 1)
            }
            let length = step > 0 ? (end - start + step - 1) / step : (start - end - step - 1) / -step
            dims[axis] = .fixed(max(0, length))
        }
        return [.shape(dims)]
    }

    static func shapeOp(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return [InferredOutput(elementType: .int64, dimensions: [.unknown])] }
        let rank = input.rank
        func clamp(_ value: Int) -> Int { min(max(value < 0 ? value + rank : value, 0), rank) }
        let start = clamp(c.int("start") ?? 0)
        let end = clamp(c.int("end") ?? rank)
        return [InferredOutput(elementType: .int64, dimensions: [.fixed(max(0, end - start))])]
    }

    static func constantOfShape(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        var elementType: DataType = .float
        if case .tensor(let value)? = c.node.attribute("value")?.value { elementType = value.dataType }
        if let sizes = c.constantInts(0) {
            guard sizes.allSatisfy({ $0 >= 0 }) else { throw shapeError("ConstantOfShape shape \(sizes) has a negative dimension") }
            return [InferredOutput(elementType: elementType, shape: TensorShape(fixed: sizes))]
        }
        if let shapeShape = c.shape(0), shapeShape.rank == 1, let count = shapeShape.dims[0].value {
            return [InferredOutput(elementType: elementType, dimensions: Array(repeating: .unknown, count: count))]
        }
        return [InferredOutput(elementType: elementType, shape: nil)]
    }

    static func constant(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        let given = c.node.attributes.filter { !$0.name.hasPrefix("__") }
        guard given.count == 1, let attribute = given.first else {
            throw shapeError("a Constant node needs exactly one of the attributes 'value', 'value_*' or 'sparse_value', got \(given.count)")
        }
        switch attribute.value {
        case .tensor(let tensor): return [InferredOutput(elementType: tensor.dataType, shape: TensorShape(fixed: tensor.shape))]
        case .sparseTensor(let tensor): return [InferredOutput(type: .tensor(elementType: tensor.values.dataType, shape: TensorShape(fixed: tensor.shape)))]
        case .float: return [InferredOutput(elementType: .float, dimensions: [])]
        case .floats(let values): return [InferredOutput(elementType: .float, dimensions: [.fixed(values.count)])]
        case .int: return [InferredOutput(elementType: .int64, dimensions: [])]
        case .ints(let values): return [InferredOutput(elementType: .int64, dimensions: [.fixed(values.count)])]
        case .string: return [InferredOutput(elementType: .string, dimensions: [])]
        case .strings(let values): return [InferredOutput(elementType: .string, dimensions: [.fixed(values.count)])]
        default: return nil
        }
    }

    /// The input broadcast with the target shape: its values when constant, else as many unknown
    /// dimensions as the shape input has elements.
    static func expand(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        if let sizes = c.constantInts(1) {
            return [InferredOutput(shape: try broadcastShapes([input, TensorShape(fixed: sizes)]))]
        }
        guard let target = c.shape(1), target.rank == 1, let count = target.dims[0].value else { return nil }
        return [InferredOutput(shape: try broadcastShapes([input, TensorShape(Array(repeating: Dimension.unknown, count: count))]))]
    }

    /// Each dimension times its constant repeat count; with repeats not constant, the rank alone.
    static func tile(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        guard let repeats = c.constantInts(1) else { return [.shape(Array(repeating: .unknown, count: input.rank))] }
        guard repeats.count == input.rank else { return nil }
        return [.shape(zip(input.dims, repeats).map { dimension, count in dimension.value.map { .fixed($0 * count) } ?? .unknown })]
    }

    static func reduce(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        let inputSince = c.node.opType == "ReduceSum" ? 13 : 18
        let (given, known) = axes(c, inputSince: inputSince)
        guard known else { return nil }
        let keepDims = (c.int("keepdims") ?? 1) != 0
        let noop = (c.int("noop_with_empty_axes") ?? 0) != 0
        let list = given ?? []
        if list.isEmpty && noop && c.schema.sinceVersion >= inputSince { return [InferredOutput(shape: input)] }
        var reduced: Set<Int> = []
        if list.isEmpty {
            reduced = Set(0..<input.rank)
        } else {
            for axis in list { reduced.insert(try normalizedAxis(axis, rank: input.rank, what: "reduction axis")) }
        }
        var dims: [Dimension] = []
        for (axis, dimension) in input.dims.enumerated() {
            if reduced.contains(axis) {
                if keepDims { dims.append(.fixed(1)) }
            } else {
                dims.append(dimension)
            }
        }
        return [.shape(dims)]
    }

    static func argReduce(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        let axis = try normalizedAxis(c.int("axis") ?? 0, rank: input.rank)
        let keepDims = (c.int("keepdims") ?? 1) != 0
        var dims = input.dims
        if keepDims { dims[axis] = .fixed(1) } else { dims.remove(at: axis) }
        return [InferredOutput(elementType: .int64, shape: TensorShape(dims))]
    }
}
