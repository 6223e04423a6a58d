import ModelIR

/// TensorFlow Lite's `TensorType` codes and the ONNX element types they become.
enum TFLiteTensorType {
    /// The ONNX element type of TFLite type `code`, nil for types ONNX has no tensor for
    /// (complex128 aside: resource, variant, int4 and bfloat16 are not imported).
    static func dataType(_ code: Int8) -> DataType? {
        switch code {
        case 0: .float
        case 1: .float16
        case 2: .int32
        case 3: .uint8
        case 4: .int64
        case 5: .string
        case 6: .bool
        case 7: .int16
        case 8: .complex64
        case 9: .int8
        case 10: .double
        case 12: .uint64
        case 15: .uint32
        case 16: .uint16
        default: nil
        }
    }

    /// The schema's name of type `code`, for messages.
    static func name(_ code: Int8) -> String {
        let names = ["FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8",
                     "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4", "BFLOAT16"]
        return code >= 0 && Int(code) < names.count ? names[Int(code)] : "type code \(code)"
    }
}
