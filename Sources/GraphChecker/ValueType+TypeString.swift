import ModelIR

extension ValueType {
    /// The type as ONNX schemas spell it (`tensor(float)`, `seq(tensor(int64))`), shapes left out;
    /// nil when a part of it is unknown.
    public var typeString: String? {
        switch self {
        case .tensor(let type, _):
            return type == .undefined ? nil : "tensor(\(type.onnxName))"
        case .sparseTensor(let type, _):
            return type == .undefined ? nil : "sparse_tensor(\(type.onnxName))"
        case .sequence(let element):
            return element?.typeString.map { "seq(\($0))" }
        case .optional(let element):
            return element?.typeString.map { "optional(\($0))" }
        case let .map(key, value):
            guard key != .undefined, let value = value?.typeString else { return nil }
            let inner = value.hasPrefix("tensor(") ? String(value.dropFirst(7).dropLast()) : value
            return "map(\(key.onnxName), \(inner))"
        case .opaque, .unspecified:
            return nil
        }
    }

    /// Parses a schema type string such as `tensor(float)` or `seq(tensor(int64))` into a type with
    /// unknown shapes.
    public init?(typeString: String) {
        func inner(_ prefix: String) -> String? {
            guard typeString.hasPrefix(prefix + "("), typeString.hasSuffix(")") else { return nil }
            return String(typeString.dropFirst(prefix.count + 1).dropLast())
        }
        if let name = inner("tensor"), let type = DataType(onnxName: name) {
            self = .tensor(elementType: type, shape: nil)
        } else if let name = inner("sparse_tensor"), let type = DataType(onnxName: name) {
            self = .sparseTensor(elementType: type, shape: nil)
        } else if let element = inner("seq"), let type = ValueType(typeString: element) {
            self = .sequence(type)
        } else if let element = inner("optional"), let type = ValueType(typeString: element) {
            self = .optional(type)
        } else if let body = inner("map") {
            let parts = body.split(separator: ",", maxSplits: 1).map { $0.trimmingPrefix(while: { $0 == " " }) }
            guard parts.count == 2, let key = DataType(onnxName: String(parts[0])) else { return nil }
            let value = ValueType(typeString: String(parts[1]))
                ?? DataType(onnxName: String(parts[1])).map { ValueType.tensor(elementType: $0, shape: nil) }
            guard let value else { return nil }
            self = .map(keyType: key, valueType: value)
        } else {
            return nil
        }
    }

    /// The element type of a tensor or sparse tensor type.
    var elementType: DataType? {
        switch self {
        case .tensor(let type, _), .sparseTensor(let type, _): type
        default: nil
        }
    }

    /// The shape of a tensor or sparse tensor type (nil for unknown rank).
    var shape: TensorShape? {
        switch self {
        case .tensor(_, let shape), .sparseTensor(_, let shape): shape
        default: nil
        }
    }
}
