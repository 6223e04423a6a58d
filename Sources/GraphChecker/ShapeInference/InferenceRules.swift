import ModelIR

/// Shape (and, where the schema cannot say, type) rules for the common standard operators.
///
/// A rule returns the node's outputs, or nil when it cannot tell (the schema's type constraints
/// then give the element types and the shapes stay unknown). A rule throws only where ONNX's own
/// inference fails, so that a model ONNX accepts is never rejected.
enum InferenceRules {
    typealias Rule = @Sendable (InferenceContext) throws -> [InferredOutput]?

    static func infer(_ context: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        let domain = context.node.canonicalDomain
        guard let rule = domain.isEmpty ? rules[context.node.opType] : domainRules["\(domain)::\(context.node.opType)"] else { return nil }
        do { return try rule(context) } catch let failure as InferenceFailure { throw failure } catch { return nil }
    }

    static let rules: [String: Rule] = {
        var table: [String: Rule] = [:]
        for op in sameShapeOps { table[op] = sameShape }
        for op in broadcastOps { table[op] = broadcast }
        table["Cast"] = cast
        table["CastLike"] = castLike
        table["Dropout"] = dropout
        table["BatchNormalization"] = batchNormalization
        table["IsNaN"] = { c in [InferredOutput(elementType: .bool, shape: c.shape(0))] }
        table["IsInf"] = { c in [InferredOutput(elementType: .bool, shape: c.shape(0))] }
        table["Where"] = whereRule
        table["MeanVarianceNormalization"] = meanVarianceNormalization
        table["PRelu"] = { c in c.schema.sinceVersion >= 16 ? [InferredOutput(shape: c.shape(0))] : nil }
        table["StringConcat"] = broadcast
        table["StringNormalizer"] = stringNormalizer
        table["OptionalHasElement"] = { _ in [InferredOutput(elementType: .bool, dimensions: [])] }
        addNeuralNetworkRules(&table)
        addTensorRules(&table)
        addTypeRules(&table)
        addLayoutRules(&table)
        addAttentionAndLossRules(&table)
        addIndexingAndSignalRules(&table)
        return table
    }()

    /// Ops whose outputs all have the first input's shape.
    static let sameShapeOps: [String] = [
        "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Celu", "Clip", "Cos", "Cosh", "Elu", "Erf",
        "Exp", "Floor", "Gelu", "HardSigmoid", "HardSwish", "Hardmax", "Identity", "InstanceNormalization", "LeakyRelu",
        "Log", "LogSoftmax", "LpNormalization", "LRN", "MeanVarianceNormalization", "Mish", "Neg", "Not", "Reciprocal",
        "Relu", "Round", "Selu", "Shrink", "Sigmoid", "Sign", "Sin", "Sinh", "Softmax", "Softplus", "Softsign", "Sqrt",
        "Tan", "Tanh", "ThresholdedRelu", "BitwiseNot", "Swish",
    ]

    /// Ops with multidirectional (numpy) broadcasting from opset 7 on.
    static let broadcastOps: [String] = [
        "Add", "Sub", "Mul", "Div", "Pow", "Mod", "Max", "Min", "Sum", "Mean", "Equal", "Less", "Greater",
        "LessOrEqual", "GreaterOrEqual", "And", "Or", "Xor", "BitShift", "BitwiseAnd", "BitwiseOr", "BitwiseXor",
    ]

    static func sameShape(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        if c.node.opType == "Softmax" || c.node.opType == "LogSoftmax" || c.node.opType == "Hardmax",
           let rank = c.shape(0)?.rank, c.opset >= 13 || rank > 0 {
            let axis = c.int("axis") ?? (c.opset >= 13 ? -1 : 1)
            _ = try normalizedAxis(axis, rank: rank)
        }
        return [InferredOutput(shape: c.shape(0))]
    }

    /// From opset 13 ONNX infers MeanVarianceNormalization through its function body, whose Constant
    /// node takes its value from the node's `axes` attribute; onnx 1.23 does not substitute the
    /// schema default there, so a node without an explicit `axes` fails its inference.
    static func meanVarianceNormalization(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        if c.schema.sinceVersion >= 13 && !c.has("axes") {
            throw shapeError("the function body of MeanVarianceNormalization-13 needs an explicit 'axes' attribute (its Constant node gets no value otherwise)")
        }
        return [InferredOutput(shape: c.shape(0))]
    }

    /// [C] → [?]; [1, C] → [1, ?].
    static func stringNormalizer(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let input = c.shape(0) else { return nil }
        switch input.rank {
        case 1: return [InferredOutput(elementType: .string, dimensions: [.unknown])]
        case 2 where input.dims[0].value == 1: return [InferredOutput(elementType: .string, dimensions: [.fixed(1), .unknown])]
        default: throw shapeError("the input must be [C] or [1, C], got \(input)")
        }
    }

    static func cast(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        let target = c.int("to").flatMap { DataType(rawValue: Int32(truncatingIfNeeded: $0)) }
        return [InferredOutput(elementType: target, shape: c.shape(0))]
    }

    static func castLike(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        [InferredOutput(elementType: c.elementType(1), shape: c.shape(0))]
    }

    static func dropout(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        [InferredOutput(shape: c.shape(0)), InferredOutput(elementType: c.opset >= 10 ? .bool : nil, shape: c.shape(0))]
    }

    /// Y has X's shape; from opset 14, the running mean and variance of training mode are [C].
    static func batchNormalization(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard c.schema.sinceVersion >= 14, c.node.outputs.count > 1 else { return [InferredOutput(shape: c.shape(0))] }
        let channels: Dimension = c.shape(0).map { $0.rank > 1 ? $0.dims[1] : .fixed(1) } ?? c.shape(1)?.dims.first ?? .unknown
        return [InferredOutput(shape: c.shape(0))] + c.node.outputs.dropFirst().map { _ in .shape([channels]) }
    }

    static func broadcast(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        let variadic = ["Max", "Min", "Sum", "Mean"].contains(c.node.opType)
        guard c.schema.sinceVersion >= (variadic ? 8 : 7) else { return nil }
        var shapes: [TensorShape] = []
        for index in 0..<c.inputCount {
            guard let shape = c.shape(index) else { return nil }
            shapes.append(shape)
        }
        return [InferredOutput(shape: try broadcastShapes(shapes))]
    }

    static func whereRule(_ c: InferenceContext) throws(InferenceFailure) -> [InferredOutput]? {
        guard let a = c.shape(0), let b = c.shape(1), let d = c.shape(2) else { return nil }
        return [InferredOutput(shape: try broadcastShapes([a, b, d]))]
    }

    /// ONNX's `multidirectionalBroadcastShapeInference`.
    static func broadcastShapes(_ shapes: [TensorShape]) throws(InferenceFailure) -> TensorShape {
        let rank = shapes.map(\.rank).max() ?? 0
        var result: [Dimension] = []
        for axis in 0..<rank {
            var value = 1
            var symbolic: Dimension? = nil
            var symbolicCount = 0
            for shape in shapes {
                let offset = rank - shape.rank
                guard axis >= offset else { continue }
                let dimension = shape.dimensions[axis - offset].dimension
                if case .fixed(let size) = dimension {
                    if size != 1 {
                        if value != size && value != 1 {
                            throw shapeError("incompatible dimensions \(value) and \(size) when broadcasting \(shapes.map(\.description).joined(separator: ", "))")
                        }
                        value = size
                    }
                } else if symbolicCount == 0 {
                    symbolic = dimension
                    symbolicCount = 1
                } else if dimension != symbolic {
                    symbolicCount += 1
                }
            }
            if value != 1 || symbolicCount == 0 {
                result.append(.fixed(value))
            } else if symbolicCount == 1, let symbolic {
                result.append(symbolic)
            } else {
                result.append(.unknown)
            }
        }
        return TensorShape(result)
    }
}
