import ModelIR

/// Ops whose output element types come from attributes, subgraphs or input positions rather than
/// from a type variable the inputs bind.
extension InferenceRules {
    static func addTypeRules(_ table: inout [String: Rule]) {
        table["DequantizeLinear"] = dequantizeLinear
        table["QuantizeLinear"] = quantizeLinear
        for op in ["Bernoulli", "RandomNormalLike", "RandomUniformLike", "EyeLike"] {
            table[op] = { c in [InferredOutput(elementType: dataType(c.int("dtype")) ?? c.elementType(0), shape: c.shape(0))] }
        }
        for op in ["RandomNormal", "RandomUniform"] {
            table[op] = { c in [InferredOutput(elementType: dataType(c.int("dtype")) ?? .float, shape: c.ints("shape").map { TensorShape(fixed: $0) })] }
        }
        table["Multinomial"] = { c in
            let batch = c.shape(0).flatMap { $0.rank == 2 ? $0.dims[0] : nil } ?? .unknown
            return [InferredOutput(elementType: dataType(c.int("dtype")) ?? .int32, dimensions: [batch, .fixed(c.int("sample_size") ?? 1)])]
        }
        for op in ["HannWindow", "HammingWindow", "BlackmanWindow", "MelWeightMatrix"] {
            table[op] = { c in [InferredOutput(elementType: dataType(c.int("output_datatype")) ?? .float, shape: nil)] }
        }
        table["BitCast"] = bitCast
        table["If"] = ifRule
        table["Loop"] = loop
        table["Scan"] = scan
        table["SequenceMap"] = sequenceMap
        table["OptionalGetElement"] = optionalGetElement
        table["SequenceInsert"] = sequenceInsert
        table["SplitToSequence"] = { c in c.elementType(0).map { [InferredOutput(type: .sequence(.tensor(elementType: $0, shape: nil)))] } }
        // onnx 1.23 gives Y the type of X, although the schema ties Y to the scale's type variable.
        table["RMSNormalization"] = { c in [InferredOutput(elementType: c.elementType(0), shape: c.shape(0))] }
    }

    /// Rules for ops outside the default domain, keyed by `domain::op`.
    static let domainRules: [String: Rule] = [
        "ai.onnx.preview.training::Adagrad": { c in try optimizer(c, groups: 3, outputGroups: [0, 2], strict: false) },
        "ai.onnx.preview.training::Momentum": { c in try optimizer(c, groups: 3, outputGroups: [0, 2], strict: true) },
        "ai.onnx.preview.training::Adam": { c in try optimizer(c, groups: 4, outputGroups: [0, 2, 3], strict: true) },
        "ai.onnx.ml::LabelEncoder": labelEncoder,
    ]

    /// The data type an INT attribute names, when it names one.
    static func dataType(_ value: Int?) -> DataType? {
        guard let value, value != 0 else { return nil }
        return DataType(rawValue: Int32(truncatingIfNeeded: value))
    }

    static func dequantizeLinear(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        [InferredOutput(elementType: dataType(c.int("output_dtype")) ?? c.elementType(1), shape: c.shape(0))]
    }

    static func quantizeLinear(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        let type = c.isPresent(2) ? c.elementType(2) : dataType(c.int("output_dtype")) ?? .uint8
        return [InferredOutput(elementType: type, shape: c.shape(0))]
    }

    static func bitCast(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let target = dataType(c.int("to")) else { return nil }
        if let source = c.elementType(0), source.bitWidth != target.bitWidth {
            throw shapeError("BitCast needs input and output types of the same bit width, got \(source) (\(source.bitWidth) bits) and \(target) (\(target.bitWidth) bits)")
        }
        return [InferredOutput(elementType: target, shape: c.shape(0))]
    }

    /// If: the branches must give the same number of outputs of the same element types.
    static func ifRule(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let thenTypes = c.subgraphOutputs["then_branch"], let elseTypes = c.subgraphOutputs["else_branch"] else { return nil }
        guard thenTypes.count == elseTypes.count else {
            throw shapeError("then_branch gives \(thenTypes.count) outputs but else_branch gives \(elseTypes.count)")
        }
        guard thenTypes.count == c.node.outputs.count else {
            throw shapeError("the branches give \(thenTypes.count) outputs but the If node has \(c.node.outputs.count)")
        }
        var outputs: [InferredOutput] = []
        for (thenType, elseType) in zip(thenTypes, elseTypes) {
            guard let thenType else { outputs.append(InferredOutput(shape: nil)); continue }
            guard let elseType else { outputs.append(InferredOutput(type: thenType)); continue }
            outputs.append(InferredOutput(type: try union(thenType, elseType)))
        }
        return outputs
    }

    /// The type both branches can produce: same kind and element type; shapes kept where they agree.
    static func union(_ a: ValueType, _ b: ValueType) throws(InferenceFailure) -> ValueType {
        switch (a, b) {
        case let (.tensor(x, sx), .tensor(y, sy)):
            if x != .undefined && y != .undefined && x != y {
                throw InferenceFailure(FindingCode.typeMismatch, "the If branches give different element types (\(x) and \(y))")
            }
            var shape: TensorShape? = nil
            if let sx, let sy, sx.rank == sy.rank {
                shape = TensorShape(zip(sx.dims, sy.dims).map { $0 == $1 ? $0 : .unknown })
            }
            return .tensor(elementType: x == .undefined ? y : x, shape: shape)
        case let (.sequence(x), .sequence(y)):
            if let x, let y { return .sequence(try union(x, y)) }
            return .sequence(x ?? y)
        case let (.optional(x), .optional(y)):
            if let x, let y { return .optional(try union(x, y)) }
            return .optional(x ?? y)
        default:
            if a.typeString != nil && b.typeString != nil && a.typeString != b.typeString && !(a.isOptional || b.isOptional) {
                throw InferenceFailure(FindingCode.typeMismatch, "the If branches give different types (\(a) and \(b))")
            }
            return a
        }
    }

    /// Fails when a body graph takes another number of inputs than its node provides.
    static func requireBodyInputs(_ c: InferenceContext, _ provided: Int) throws(InferenceFailure) {
        guard let body = c.node.attribute("body")?.graph else { return }
        if body.inputs.count != provided {
            throw shapeError("the body graph has \(body.inputs.count) inputs but \(c.node.opType) provides \(provided)")
        }
    }

    /// Loop: carried values keep the body's types; scan outputs gain a leading iteration axis.
    static func loop(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        try requireBodyInputs(c, max(2, c.inputCount))
        guard let body = c.subgraphOutputs["body"] else { return nil }
        let carried = max(0, c.inputCount - 2)
        var outputs: [InferredOutput] = []
        for index in c.node.outputs.indices {
            let bodyIndex = index + 1
            guard bodyIndex < body.count, let type = body[bodyIndex] else { outputs.append(InferredOutput(shape: nil)); continue }
            if index < carried {
                outputs.append(InferredOutput(type: type))
            } else if case let .tensor(element, shape) = type {
                outputs.append(InferredOutput(elementType: element, shape: shape.map { TensorShape([Dimension.unknown] + $0.dims) }))
            } else {
                outputs.append(InferredOutput(shape: nil))
            }
        }
        return outputs
    }

    /// Scan: state outputs keep the body's types; scan outputs gain the scan axis.
    static func scan(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard c.schema.sinceVersion >= 9 else { return nil }
        try requireBodyInputs(c, c.inputCount)
        guard let body = c.subgraphOutputs["body"] else { return nil }
        let scanInputs = c.int("num_scan_inputs") ?? 0
        let states = max(0, c.inputCount - scanInputs)
        var outputs: [InferredOutput] = []
        for index in c.node.outputs.indices {
            guard index < body.count, let type = body[index] else { outputs.append(InferredOutput(shape: nil)); continue }
            if index < states {
                outputs.append(InferredOutput(type: type))
            } else if let element = type.elementType {
                outputs.append(InferredOutput(elementType: element, shape: nil))
            } else {
                outputs.append(InferredOutput(shape: nil))
            }
        }
        return outputs
    }

    /// SequenceMap: the body takes one value per input and each output is a sequence of a body output.
    static func sequenceMap(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        try requireBodyInputs(c, c.inputCount)
        guard let body = c.subgraphOutputs["body"] else { return nil }
        return c.node.outputs.indices.map { index in
            guard index < body.count, let type = body[index] else { return InferredOutput(shape: nil) }
            return InferredOutput(type: .sequence(type))
        }
    }

    static func optionalGetElement(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        switch c.inputs.first ?? nil {
        case .optional(let element)?: return element.map { [InferredOutput(type: $0)] }
        case .tensor(let type, let shape)?: return [InferredOutput(type: .tensor(elementType: type, shape: shape))]
        case .sequence(let element)?: return [InferredOutput(type: .sequence(element))]
        default: return nil
        }
    }

    static func sequenceInsert(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard case .sequence(let element)? = c.inputs.first ?? nil else { return nil }
        if let sequenceType = element?.elementType, sequenceType != .undefined, let tensorType = c.elementType(1), sequenceType != tensorType {
            throw InferenceFailure(FindingCode.typeMismatch, "the sequence holds \(sequenceType) tensors but the inserted tensor is \(tensorType)")
        }
        return [InferredOutput(type: .sequence(element.map { ValueType.tensor(elementType: $0.elementType ?? .undefined, shape: nil) }))]
    }

    /// The training optimizers: inputs R, T, then `groups` equally long lists; each output list
    /// has the types and shapes of one input list. Adagrad's ONNX inference does not reject uneven lists.
    static func optimizer(_ c: InferenceContext, groups: Int, outputGroups: [Int], strict: Bool) throws(InferenceFailure) -> [InferredOutput]? {
        let lists = c.inputCount - 2
        guard lists >= 0, lists % groups == 0 else {
            guard strict else { return nil }
            throw shapeError("\(c.node.opType) takes R, T and \(groups) lists of equal length, but has \(c.inputCount) inputs")
        }
        let count = lists / groups
        var outputs: [InferredOutput] = []
        for index in c.node.outputs.indices {
            guard count > 0, index / count < outputGroups.count else { outputs.append(InferredOutput(shape: nil)); continue }
            let source = 2 + outputGroups[index / count] * count + index % count
            if let type = c.inputs[source] { outputs.append(InferredOutput(type: type)) } else { outputs.append(InferredOutput(shape: nil)) }
        }
        return outputs
    }

    /// ai.onnx.ml LabelEncoder-2+: keys and values attributes fix the input and output element types.
    static func labelEncoder(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard c.schema.sinceVersion >= 2 else { return nil }
        func kind(_ prefix: String) -> DataType? {
            if c.has("\(prefix)_strings") { return .string }
            if c.has("\(prefix)_int64s") { return .int64 }
            if c.has("\(prefix)_floats") { return .float }
            if case .tensor(let tensor)? = c.node.attribute("\(prefix)_tensor")?.value { return tensor.dataType }
            return nil
        }
        if let input = c.elementType(0), let keys = kind("keys"), input != keys {
            throw shapeError("the input type \(input) differs from the key type \(keys)")
        }
        return [InferredOutput(elementType: kind("values"), shape: c.shape(0))]
    }
}

extension ValueType {
    var isOptional: Bool {
        if case .optional = self { return true }
        return false
    }
}
