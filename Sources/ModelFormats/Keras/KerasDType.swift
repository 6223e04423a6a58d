import ModelIR

/// Keras dtype names and the ONNX element types they stand for: the one table the importer reads a
/// `dtype` by, for inputs, casts, recorded tensor types and operation arguments.
enum KerasDType {
    static let dataTypes: [String: DataType] = [
        "float32": .float, "float16": .float16, "float64": .double, "bfloat16": .bfloat16, "int8": .int8, "int16": .int16,
        "int32": .int32, "int64": .int64, "uint8": .uint8, "bool": .bool,
    ]

    /// The dtype name a config holds: a plain string, or Keras 3's serialized dtype policy or dtype
    /// object (`{"config": {"name": …}}`); nil when there is none.
    static func name(of json: KerasJSON?) -> String? {
        json?.string ?? json?["config"]?["name"]?.string
    }

    /// The element type of `name` when it is one of `allowed`, nil otherwise.
    static func dataType(_ name: String, among allowed: [DataType]) -> DataType? {
        dataTypes[name].flatMap { allowed.contains($0) ? $0 : nil }
    }

    /// The names of `allowed`, sorted, for messages.
    static func names(of allowed: [DataType]) -> String {
        dataTypes.filter { allowed.contains($0.value) }.keys.sorted().joined(separator: ", ")
    }
}
