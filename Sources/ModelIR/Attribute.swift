/// A node attribute: ONNX's `AttributeProto`.
public struct Attribute: Sendable, Equatable {
    public var name: String
    public var value: AttributeValue
    /// Inside a function body: the function attribute this one takes its value from (`value` then only carries the kind).
    public var referencedAttribute: String?
    public var docString: String

    public init(name: String, value: AttributeValue, referencedAttribute: String? = nil, docString: String = "") {
        self.name = name
        self.value = value
        self.referencedAttribute = referencedAttribute
        self.docString = docString
    }
}

/// The value of an attribute, one case per ONNX attribute type.
public enum AttributeValue: Sendable, Equatable {
    case float(Float)
    case int(Int64)
    case string([UInt8])
    case tensor(Tensor)
    case graph(Graph)
    case sparseTensor(SparseTensor)
    case type(TypeInfo)
    case floats([Float])
    case ints([Int64])
    case strings([[UInt8]])
    case tensors([Tensor])
    case graphs([Graph])
    case sparseTensors([SparseTensor])
    case types([TypeInfo])

    /// The ONNX attribute type name (`"INT"`, `"FLOATS"`, …), as in schemas and messages.
    public var kindName: String {
        switch self {
        case .float: "FLOAT"
        case .int: "INT"
        case .string: "STRING"
        case .tensor: "TENSOR"
        case .graph: "GRAPH"
        case .sparseTensor: "SPARSE_TENSOR"
        case .type: "TYPE_PROTO"
        case .floats: "FLOATS"
        case .ints: "INTS"
        case .strings: "STRINGS"
        case .tensors: "TENSORS"
        case .graphs: "GRAPHS"
        case .sparseTensors: "SPARSE_TENSORS"
        case .types: "TYPE_PROTOS"
        }
    }
}

extension Attribute {
    public var float: Float? { if case .float(let v) = value { return v }; return nil }
    public var int: Int64? { if case .int(let v) = value { return v }; return nil }
    public var string: String? { if case .string(let v) = value { return String(decoding: v, as: UTF8.self) }; return nil }
    public var tensor: Tensor? { if case .tensor(let v) = value { return v }; return nil }
    public var graph: Graph? { if case .graph(let v) = value { return v }; return nil }
    public var floats: [Float]? { if case .floats(let v) = value { return v }; return nil }
    public var ints: [Int64]? { if case .ints(let v) = value { return v }; return nil }
    public var strings: [String]? {
        if case .strings(let v) = value { return v.map { String(decoding: $0, as: UTF8.self) } }
        return nil
    }

    /// The graphs this attribute holds (one for GRAPH, several for GRAPHS, none otherwise).
    public var subgraphs: [Graph] {
        switch value {
        case .graph(let graph): [graph]
        case .graphs(let graphs): graphs
        default: []
        }
    }
}
