import ModelIR

/// `keras.ops.cast(x, dtype)` to a float, integer or boolean type.
enum CastOperationMapper: KerasLayerMapper {
    static let classNames = ["Cast"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let x) = try call.operand(0, keyword: "x") else { throw call.unsupported("a constant argument", "cast a tensor") }
        let dtype = KerasDType.name(of: call.parameter("dtype")) ?? ""
        guard let type = KerasDType.dataTypes[dtype] else {
            throw call.unsupported("dtype '\(dtype)'", "cast to one of \(KerasDType.dataTypes.keys.sorted().joined(separator: ", "))")
        }
        return [ElementwiseBinaryOperationMapper.cast(x, to: type, call: call, suffix: "x")]
    }
}
