/// A Swift type whose in-memory layout is the element layout of one ONNX data type, so tensor
/// storage can be viewed as a buffer of it without conversion.
public protocol TensorScalar: Sendable {
    static var dataType: DataType { get }
}

extension Float: TensorScalar { public static var dataType: DataType { .float } }
extension Double: TensorScalar { public static var dataType: DataType { .double } }
extension Int8: TensorScalar { public static var dataType: DataType { .int8 } }
extension Int16: TensorScalar { public static var dataType: DataType { .int16 } }
extension Int32: TensorScalar { public static var dataType: DataType { .int32 } }
extension Int64: TensorScalar { public static var dataType: DataType { .int64 } }
extension UInt8: TensorScalar { public static var dataType: DataType { .uint8 } }
extension UInt16: TensorScalar { public static var dataType: DataType { .uint16 } }
extension UInt32: TensorScalar { public static var dataType: DataType { .uint32 } }
extension UInt64: TensorScalar { public static var dataType: DataType { .uint64 } }
extension Bool: TensorScalar { public static var dataType: DataType { .bool } }
#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
extension Float16: TensorScalar { public static var dataType: DataType { .float16 } }
#endif
