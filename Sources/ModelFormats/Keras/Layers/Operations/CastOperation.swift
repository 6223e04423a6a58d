import ModelIR

/// `keras.ops.cast(x, dtype)` to a float, integer or boolean type.
enum CastOperationMapper: KerasLayerMapper {
    static let classNames = ["Cast"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let x) = try call.operand(0, keyword: "x") else { throw call.unsupported("a constant argument", "cast a tensor") }
        let dtype = call.parameter("dtype")?.string ?? call.parameter("dtype")?["config"]?["name"]?.string ?? ""
        let types: [String: DataType] = ["float32": .float, "float16": .float16, "float64": .double, "bfloat16": .bfloat16, "int32": .int32,
                                         "int64": .int64, "int8": .int8, "uint8": .uint8, "int16": .int16, "bool": .bool]
        guard let type = types[dtype] else {
            throw call.unsupported("dtype '\(dtype)'", "cast to one of \(types.keys.sorted().joined(separator: ", "))")
        }
        return [ElementwiseBinaryOperationMapper.cast(x, to: type, call: call, suffix: "x")]
    }
}
