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

/// Typed views of the value. They are kept out of line: inlined into other modules, the optimizer
/// of Swift 6.3 miscompiles the enum switch on a borrowed attribute (an ownership verifier crash).
extension Attribute {
    @inline(never) public var float: Float? {
        switch value {
        case .float(let v): v
        default: nil
        }
    }
    @inline(never) public var int: Int64? {
        switch value {
        case .int(let v): v
        default: nil
        }
    }
    @inline(never) public var string: String? {
        switch value {
        case .string(let v): String(decoding: v, as: UTF8.self)
        default: nil
        }
    }
    @inline(never) public var tensor: Tensor? {
        switch value {
        case .tensor(let v): v
        default: nil
        }
    }
    @inline(never) public var graph: Graph? {
        switch value {
        case .graph(let v): v
        default: nil
        }
    }
    @inline(never) public var floats: [Float]? {
        switch value {
        case .floats(let v): v
        default: nil
        }
    }
    @inline(never) public var ints: [Int64]? {
        switch value {
        case .ints(let v): v
        default: nil
        }
    }
    @inline(never) public var strings: [String]? {
        switch value {
        case .strings(let v): v.map { String(decoding: $0, as: UTF8.self) }
        default: nil
        }
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
