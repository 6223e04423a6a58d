/// One dimension of a tensor type: a known size, a named (symbolic) size, or unknown.
public enum Dimension: Sendable, Hashable, CustomStringConvertible {
    case fixed(Int)
    case symbolic(String)
    case unknown

    public var value: Int? {
        if case .fixed(let size) = self { return size }
        return nil
    }

    public var description: String {
        switch self {
        case .fixed(let size): "\(size)"
        case .symbolic(let name): name
        case .unknown: "?"
        }
    }
}

/// A dimension with its optional ONNX denotation (e.g. `DATA_BATCH`).
public struct ShapeDimension: Sendable, Hashable {
    public var dimension: Dimension
    public var denotation: String?

    public init(_ dimension: Dimension, denotation: String? = nil) {
        self.dimension = dimension
        self.denotation = denotation
    }
}

/// A tensor shape as a type states it: possibly symbolic, `nil` rank when unknown.
public struct TensorShape: Sendable, Hashable, CustomStringConvertible {
    public var dimensions: [ShapeDimension]

    public init(_ dimensions: [ShapeDimension]) { self.dimensions = dimensions }
    public init(fixed sizes: [Int]) { dimensions = sizes.map { ShapeDimension(.fixed($0)) } }
    public init(_ dimensions: [Dimension]) { self.dimensions = dimensions.map { ShapeDimension($0) } }

    public var rank: Int { dimensions.count }
    /// The sizes when every dimension is known.
    public var fixedSizes: [Int]? {
        var sizes: [Int] = []
        for dimension in dimensions {
            guard let size = dimension.dimension.value else { return nil }
            sizes.append(size)
        }
        return sizes
    }

    public var description: String { "[" + dimensions.map(\.dimension.description).joined(separator: ", ") + "]" }
}

/// The type of a value in a graph: ONNX's `TypeProto`.
public indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
    case tensor(elementType: DataType, shape: TensorShape?)
    case sparseTensor(elementType: DataType, shape: TensorShape?)
    case sequence(ValueType?)
    case map(keyType: DataType, valueType: ValueType?)
    case optional(ValueType?)
    case opaque(domain: String, name: String)
    /// A `TypeProto` with no value set.
    case unspecified

    public var description: String {
        switch self {
        case let .tensor(type, shape): "tensor(\(type))" + (shape.map { " \($0)" } ?? "")
        case let .sparseTensor(type, shape): "sparse_tensor(\(type))" + (shape.map { " \($0)" } ?? "")
        case .sequence(let element): "seq(\(element?.description ?? "?"))"
        case let .map(key, value): "map(\(key), \(value?.description ?? "?"))"
        case .optional(let element): "optional(\(element?.description ?? "?"))"
        case let .opaque(domain, name): "opaque(\(domain), \(name))"
        case .unspecified: "?"
        }
    }

    /// The element type and shape of a tensor type.
    public var tensorType: (elementType: DataType, shape: TensorShape?)? {
        if case let .tensor(type, shape) = self { return (type, shape) }
        return nil
    }
}

/// A type together with the denotation ONNX may attach to it.
public struct TypeInfo: Sendable, Hashable, CustomStringConvertible {
    public var type: ValueType
    public var denotation: String?

    public init(_ type: ValueType, denotation: String? = nil) {
        self.type = type
        self.denotation = denotation
    }

    public var description: String { type.description }
}
