import ModelIR

/// Convolution, pooling and matrix products.
extension InferenceRules {
    static func addNeuralNetworkRules(_ table: inout [String: Rule]) {
        table["Conv"] = { c in try convolutionOrPool(c, isConvolution: true) }
        for op in ["MaxPool", "AveragePool", "LpPool"] {
            table[op] = { c in try convolutionOrPool(c, isConvolution: false) }
        }
        for op in ["GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"] { table[op] = globalPool }
        table["Gemm"] = gemm
        table["MatMul"] = matMul
        table["LayerNormalization"] = layerNormalization
        table["Resize"] = resize
        table["Einsum"] = einsum
        for op in ["RNN", "GRU", "LSTM"] { table[op] = recurrent }
        table["CausalConvWithState"] = causalConvWithState
        table["SwiGLU"] = swiGLU
    }

    /// Y has the input's shape [B, C, L]; present_state is [B, C, K − 1] for a [C, 1, K] weight.
    static func causalConvWithState(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        if let activation = c.string("activation"), !["none", "silu", "swish"].contains(activation) {
            throw shapeError("unsupported activation '\(activation)' (none, silu or swish)")
        }
        guard let input = c.shape(0) else { return nil }
        guard input.rank == 3 else { throw shapeError("the input must be [B, C, L], got \(input)") }
        if let weight = c.shape(1), weight.rank != 3 { throw shapeError("the weight must be [C, 1, K], got \(weight)") }
        let past = c.isPresent(3) ? c.shape(3) : nil
        if let past, past.rank != 3 { throw shapeError("past_state must be [B, C, K − 1], got \(past)") }
        var state: Dimension = .unknown
        if let k = c.shape(1)?.dims[2].value {
            guard k >= 1 else { throw shapeError("the kernel size must be at least 1, got \(k)") }
            state = .fixed(k - 1)
        } else if let past {
            state = past.dims[2]
        }
        return [InferredOutput(shape: input), .shape([input.dims[0], input.dims[1], state])]
    }

    /// A and B have one shape, which Y takes.
    static func swiGLU(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let a = c.shape(0), let b = c.shape(1) else { return nil }
        guard a.rank == b.rank else { throw shapeError("A \(a) and B \(b) must have the same shape") }
        let dims = try zip(a.dims, b.dims).map { x, y throws(InferenceFailure) -> Dimension in
            if let p = x.value, let q = y.value, p != q { throw shapeError("A \(a) and B \(b) must have the same shape") }
            return x.value != nil ? x : y
        }
        return [.shape(dims)]
    }

    /// ONNX's `RNNShapeInference` (RNN, GRU, LSTM from opset 7): Y is [seq, directions, batch,
    /// hidden] (layout 1: [batch, seq, directions, hidden]); Y_h and Y_c are [directions, batch,
    /// hidden] (layout 1: [batch, directions, hidden]). X must have rank 3.
    static func recurrent(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard c.schema.sinceVersion >= 7 else { return nil }
        let directions: Dimension = switch c.string("direction") ?? "forward" {
        case "forward", "reverse": .fixed(1)
        case "bidirectional": .fixed(2)
        default: .unknown
        }
        let hiddenSize = c.int("hidden_size") ?? -1
        let hidden: Dimension = hiddenSize > 0 ? .fixed(hiddenSize) : .unknown
        let batchMajor = (c.int("layout") ?? 0) != 0
        var sequence = Dimension.unknown, batch = Dimension.unknown
        if let input = c.shape(0) {
            guard input.rank == 3 else { throw shapeError("the input X must have rank 3, got \(input)") }
            sequence = input.dims[batchMajor ? 1 : 0]
            batch = input.dims[batchMajor ? 0 : 1]
        }
        let state: [Dimension] = batchMajor ? [batch, directions, hidden] : [directions, batch, hidden]
        return c.node.outputs.indices.map { index in
            index == 0 ? .shape(batchMajor ? [batch, sequence, directions, hidden] : [sequence, directions, batch, hidden]) : .shape(state)
        }
    }

    /// ONNX's `convPoolShapeInference`: `[N, C or M, spatial...]` from kernel, strides, dilations, pads and auto_pad.
    static func convolutionOrPool(_ c: InferenceContext, isConvolution: Bool) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        guard input.rank >= 2 else { throw shapeError("input \(input) must have at least 2 dimensions") }
        let spatial = input.rank - 2
        var kernel = c.ints("kernel_shape")
        if kernel == nil, isConvolution, let weights = c.shape(1), weights.rank == input.rank {
            kernel = weights.dims.dropFirst(2).map { $0.value ?? -1 }
        }
        guard let kernel, !kernel.contains(-1) else { return nil }
        guard kernel.count == spatial else {
            throw shapeError("kernel_shape has \(kernel.count) values but the input has \(spatial) spatial dimensions")
        }
        let strides = c.ints("strides") ?? Array(repeating: 1, count: spatial)
        let dilations = c.ints("dilations") ?? Array(repeating: 1, count: spatial)
        guard strides.count == spatial else { throw shapeError("strides has \(strides.count) values, expected \(spatial)") }
        guard dilations.count == spatial else { throw shapeError("dilations has \(dilations.count) values, expected \(spatial)") }
        var pads = c.ints("pads") ?? Array(repeating: 0, count: 2 * spatial)
        guard pads.count == 2 * spatial else { throw shapeError("pads has \(pads.count) values, expected \(2 * spatial)") }
        let autoPad = c.string("auto_pad") ?? "NOTSET"
        if autoPad == "VALID" { pads = Array(repeating: 0, count: 2 * spatial) }
        let ceilMode = (c.int("ceil_mode") ?? 0) != 0
        var dims: [Dimension] = [input.dimensions[0].dimension]
        if isConvolution {
            guard let weights = c.shape(1), weights.rank >= 1 else { return [InferredOutput(shape: nil)] }
            dims.append(weights.dimensions[0].dimension)
        } else {
            dims.append(input.dimensions[1].dimension)
        }
        for axis in 0..<spatial {
            guard case .fixed(let size) = input.dimensions[axis + 2].dimension, strides[axis] > 0 else {
                dims.append(.unknown)
                continue
            }
            let effective = (kernel[axis] - 1) * dilations[axis] + 1
            if autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" {
                dims.append(.fixed((size + strides[axis] - 1) / strides[axis]))
                continue
            }
            let span = size + pads[axis] + pads[axis + spatial] - effective
            if ceilMode {
                dims.append(.unknown)
            } else if span < 0 {
                dims.append(.unknown)
            } else {
                dims.append(.fixed(span / strides[axis] + 1))
            }
        }
        let shape = TensorShape(dims)
        if c.node.opType == "MaxPool" && c.node.outputs.count > 1 {
            return [InferredOutput(shape: shape), InferredOutput(elementType: .int64, shape: shape)]
        }
        return [InferredOutput(shape: shape)]
    }

    /// Y has X's shape; Mean and InvStdDev keep the axes before `axis` and have the stash type.
    static func layerNormalization(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        let stash = dataType(c.int("stash_type")) ?? .float
        guard let input = c.shape(0) else {
            return [InferredOutput(shape: nil), InferredOutput(elementType: stash, shape: nil), InferredOutput(elementType: stash, shape: nil)]
        }
        let axis = try normalizedAxis(c.int("axis") ?? -1, rank: input.rank)
        let reduced = TensorShape(Array(input.dims[..<axis]) + Array(repeating: .fixed(1), count: input.rank - axis))
        return [InferredOutput(shape: input), InferredOutput(elementType: stash, shape: reduced), InferredOutput(elementType: stash, shape: reduced)]
    }

    /// Resize-13+: one of `scales` and `sizes` must be given; constant sizes give the output shape.
    static func resize(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard c.schema.sinceVersion >= 13 else { return nil }
        if !c.isPresent(2) && !c.isPresent(3) {
            throw shapeError("either 'scales' or 'sizes' must be given")
        }
        guard let input = c.shape(0), c.isPresent(3), !c.has("axes"), let sizes = c.constantInts(3), sizes.count == input.rank else {
            return [InferredOutput(shape: c.shape(0).map { TensorShape(Array(repeating: Dimension.unknown, count: $0.rank)) })]
        }
        return [InferredOutput(shape: TensorShape(fixed: sizes))]
    }

    /// ONNX's `einsumShapeInference`: one operand per input, each label's size taken where it first
    /// appears, `...` standing for the same number of leading dimensions in every operand that has
    /// it (a size of 1 widened by a larger one); without `->`, the output is the ellipsis followed by
    /// the labels that appear once, in character order.
    static func einsum(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let written = c.string("equation"), !written.isEmpty else { return nil }
        let equation = written.filter { $0 != " " }
        let arrow = equation.range(of: "->")
        let left = arrow.map { String(equation[..<$0.lowerBound]) } ?? equation
        let terms = left.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        if terms.count != c.inputCount {
            throw shapeError("the equation '\(written)' has \(terms.count) operands but the node has \(c.inputCount) inputs")
        }
        var shapes: [TensorShape] = []
        for index in 0..<c.inputCount {
            guard let shape = c.shape(index) else { return nil }
            shapes.append(shape)
        }
        var labelSizes: [Character: Dimension] = [:], repeated: Set<Character> = []
        var ellipsis: [Dimension]? = nil
        for (operand, term) in terms.enumerated() {
            let shape = shapes[operand]
            let labels = term.filter(\.isLetter).count
            let hasEllipsis = term.contains("...")
            if hasEllipsis {
                guard shape.rank >= labels else { throw shapeError("operand \(operand) has rank \(shape.rank), less than its \(labels) labels") }
                if let known = ellipsis, known.count != shape.rank - labels {
                    throw shapeError("the ellipsis stands for \(shape.rank - labels) dimensions in operand \(operand) but \(known.count) before")
                }
            } else if shape.rank != labels {
                throw shapeError("operand \(operand) has rank \(shape.rank) but \(labels) labels in the equation")
            }
            let covered = shape.rank - labels
            var position = 0
            var characters = Array(term)[...]
            while let character = characters.first {
                if characters.starts(with: "...") {
                    let dims = Array(shape.dims[position..<(position + covered)])
                    if var known = ellipsis {
                        for i in known.indices where known[i].value == 1 {
                            if let size = dims[i].value, size > 1 { known[i] = .fixed(size) }
                        }
                        ellipsis = known
                    } else {
                        ellipsis = dims
                    }
                    position += covered
                    characters = characters.dropFirst(3)
                    continue
                }
                characters = characters.dropFirst()
                guard character.isLetter else { continue }
                if labelSizes[character] == nil {
                    labelSizes[character] = shape.dims[position]
                } else {
                    repeated.insert(character)
                }
                position += 1
            }
        }
        var output: [Dimension] = []
        if let arrow {
            var characters = Array(equation[arrow.upperBound...])[...]
            while let character = characters.first {
                if characters.starts(with: "...") {
                    output += ellipsis ?? []
                    characters = characters.dropFirst(3)
                    continue
                }
                characters = characters.dropFirst()
                guard character.isLetter else { continue }
                guard let size = labelSizes[character] else { throw shapeError("the output label '\(character)' is not in any operand") }
                output.append(size)
            }
        } else {
            output = (ellipsis ?? []) + labelSizes.keys.filter { !repeated.contains($0) }
                .sorted { $0.asciiValue ?? 0 < $1.asciiValue ?? 0 }.map { labelSizes[$0]! }
        }
        return [.shape(output)]
    }

    static func globalPool(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        guard input.rank >= 2 else { throw shapeError("input \(input) must have at least 2 dimensions") }
        return [.shape(Array(input.dims.prefix(2)) + Array(repeating: .fixed(1), count: input.rank - 2))]
    }

    static func gemm(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let a = c.shape(0), let b = c.shape(1), a.rank == 2, b.rank == 2 else { return nil }
        let transA = (c.int("transA") ?? 0) != 0
        let transB = (c.int("transB") ?? 0) != 0
        let m = transA ? a.dims[1] : a.dims[0]
        let n = transB ? b.dims[0] : b.dims[1]
        if case .fixed(let k1) = transA ? a.dims[0] : a.dims[1], case .fixed(let k2) = transB ? b.dims[1] : b.dims[0], k1 != k2 {
            throw shapeError("Gemm inner dimensions differ: A \(a)\(transA ? "ᵀ" : "") × B \(b)\(transB ? "ᵀ" : "") (\(k1) vs \(k2))")
        }
        return [.shape([m, n])]
    }

    /// ONNX's `matmulShapeInference`: numpy matmul with broadcast batch dimensions.
    static func matMul(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let a = c.shape(0), let b = c.shape(1) else { return nil }
        guard a.rank > 0, b.rank > 0 else { throw shapeError("MatMul inputs must have rank at least 1, got \(a) and \(b)") }
        var left = a.dims
        var right = b.dims
        if left.count == 1 { left.insert(.fixed(1), at: 0) }
        if right.count == 1 { right.append(.fixed(1)) }
        if case .fixed(let k1) = left[left.count - 1], case .fixed(let k2) = right[right.count - 2], k1 != k2 {
            throw shapeError("incompatible dimensions for matrix multiplication: \(a) × \(b)")
        }
        let batch = try broadcastShapes([TensorShape(Array(left.dropLast(2))), TensorShape(Array(right.dropLast(2)))])
        var dims = batch.dims
        if a.rank != 1 { dims.append(left[left.count - 2]) }
        if b.rank != 1 { dims.append(right[right.count - 1]) }
        return [.shape(dims)]
    }
}
