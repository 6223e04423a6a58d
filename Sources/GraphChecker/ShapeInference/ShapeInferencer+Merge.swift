import ModelIR

/// Merging inferred and declared types.
extension ShapeInferencer {
    /// Combines an inferred type with a declared one as ONNX's `mergeShapesAndTypes` does: known
    /// dimensions win over symbolic and unknown ones; two different known values are an error.
    func merge(inferred: ValueType?, declared: ValueType?) throws(InferenceFailure) -> ValueType? {
        guard let inferred else { return declared }
        guard let declared else { return inferred }
        switch (inferred, declared) {
        case let (.tensor(a, sa), .tensor(b, sb)):
            return .tensor(elementType: try mergeElement(a, b), shape: try mergeShape(sa, sb))
        case let (.sparseTensor(a, sa), .sparseTensor(b, sb)):
            return .sparseTensor(elementType: try mergeElement(a, b), shape: try mergeShape(sa, sb))
        case let (.sequence(a), .sequence(b)):
            return .sequence(try merge(inferred: a, declared: b))
        case let (.optional(a), .optional(b)):
            return .optional(try merge(inferred: a, declared: b))
        case (.unspecified, _):
            return declared
        case (_, .unspecified):
            return inferred
        case (.map, .map), (.opaque, .opaque):
            return declared
        default:
            throw InferenceFailure(FindingCode.typeMismatch, "inferred type \(inferred) differs in kind from the declared \(declared)")
        }
    }

    private func mergeElement(_ inferred: DataType, _ declared: DataType) throws(InferenceFailure) -> DataType {
        if inferred == .undefined { return declared }
        if declared == .undefined { return inferred }
        guard inferred == declared else {
            throw InferenceFailure(FindingCode.typeMismatch, "inferred element type \(inferred) differs from the declared \(declared)")
        }
        return declared
    }

    private func mergeShape(_ inferred: TensorShape?, _ declared: TensorShape?) throws(InferenceFailure) -> TensorShape? {
        guard let inferred else { return declared }
        guard var declared else { return inferred }
        guard inferred.rank == declared.rank else {
            throw InferenceFailure(FindingCode.shapeMismatch, "inferred rank \(inferred.rank) \(inferred) differs from the declared rank \(declared.rank) \(declared)")
        }
        for axis in 0..<inferred.rank {
            let source = inferred.dimensions[axis].dimension
            switch (source, declared.dimensions[axis].dimension) {
            case let (.fixed(a), .fixed(b)) where a != b:
                throw InferenceFailure(FindingCode.shapeMismatch, "inferred shape \(inferred) differs from the declared \(declared) in dimension \(axis) (\(a) vs \(b))")
            case (.fixed, _):
                declared.dimensions[axis].dimension = source
            case (.symbolic, .unknown):
                declared.dimensions[axis].dimension = source
            default:
                break
            }
        }
        return declared
    }
}

/// Why inference rejects a node: a stable finding code and a message.
struct InferenceFailure: Error {
    var code: String
    var message: String

    init(_ code: String, _ message: String) {
        self.code = code
        self.message = message
    }
}
