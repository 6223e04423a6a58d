/// An ONNX tensor element type. Raw values are `TensorProto.DataType` numbers.
public enum DataType: Int32, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    case undefined = 0
    case float = 1
    case uint8 = 2
    case int8 = 3
    case uint16 = 4
    case int16 = 5
    case int32 = 6
    case int64 = 7
    case string = 8
    case bool = 9
    case float16 = 10
    case double = 11
    case uint32 = 12
    case uint64 = 13
    case complex64 = 14
    case complex128 = 15
    case bfloat16 = 16
    case float8e4m3fn = 17
    case float8e4m3fnuz = 18
    case float8e5m2 = 19
    case float8e5m2fnuz = 20
    case uint4 = 21
    case int4 = 22
    case float4e2m1 = 23
    case float8e8m0 = 24
    case uint2 = 25
    case int2 = 26
    case float6e2m3 = 27
    case float6e3m2 = 28

    /// Bits one element occupies in ONNX's packed `raw_data` layout; 0 for `string` and `undefined`.
    public var bitWidth: Int {
        switch self {
        case .undefined, .string: 0
        case .uint2, .int2: 2
        case .uint4, .int4, .float4e2m1: 4
        case .float6e2m3, .float6e3m2: 6
        case .uint8, .int8, .bool, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0: 8
        case .uint16, .int16, .float16, .bfloat16: 16
        case .float, .int32, .uint32: 32
        case .double, .int64, .uint64, .complex64: 64
        case .complex128: 128
        }
    }

    /// Bytes `count` elements occupy in `raw_data` (sub-byte types are packed, low bits first);
    /// `Int.max` when that does not fit in an `Int`.
    public func byteCount(elements count: Int) -> Int {
        let (bits, overflow) = count.multipliedReportingOverflow(by: bitWidth)
        guard !overflow, bits <= Int.max - 7 else { return .max }
        return (bits + 7) / 8
    }

    /// True for the types whose elements are smaller than a byte and packed several to a byte.
    public var isSubByte: Bool { bitWidth > 0 && bitWidth < 8 }

    public var isFloatingPoint: Bool {
        switch self {
        case .float, .double, .float16, .bfloat16, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2,
             .float8e5m2fnuz, .float8e8m0, .float4e2m1, .float6e2m3, .float6e3m2: true
        default: false
        }
    }

    public var isInteger: Bool {
        switch self {
        case .uint8, .int8, .uint16, .int16, .int32, .int64, .uint32, .uint64, .uint4, .int4, .uint2, .int2: true
        default: false
        }
    }

    public var isSignedInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .int4, .int2: true
        default: false
        }
    }

    public var isComplex: Bool { self == .complex64 || self == .complex128 }

    /// The name ONNX uses in type strings such as `tensor(float)`.
    public var onnxName: String {
        switch self {
        case .undefined: "undefined"
        case .float: "float"
        case .uint8: "uint8"
        case .int8: "int8"
        case .uint16: "uint16"
        case .int16: "int16"
        case .int32: "int32"
        case .int64: "int64"
        case .string: "string"
        case .bool: "bool"
        case .float16: "float16"
        case .double: "double"
        case .uint32: "uint32"
        case .uint64: "uint64"
        case .complex64: "complex64"
        case .complex128: "complex128"
        case .bfloat16: "bfloat16"
        case .float8e4m3fn: "float8e4m3fn"
        case .float8e4m3fnuz: "float8e4m3fnuz"
        case .float8e5m2: "float8e5m2"
        case .float8e5m2fnuz: "float8e5m2fnuz"
        case .uint4: "uint4"
        case .int4: "int4"
        case .float4e2m1: "float4e2m1"
        case .float8e8m0: "float8e8m0"
        case .uint2: "uint2"
        case .int2: "int2"
        case .float6e2m3: "float6e2m3"
        case .float6e3m2: "float6e3m2"
        }
    }

    public var description: String { onnxName }

    /// Looks a type up by its ONNX name (`"float"`, `"int64"`, …).
    public init?(onnxName: String) {
        guard let match = DataType.allCases.first(where: { $0.onnxName == onnxName }) else { return nil }
        self = match
    }
}
