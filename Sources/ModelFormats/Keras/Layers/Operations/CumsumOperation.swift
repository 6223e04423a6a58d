import ModelIR

/// `keras.ops.cumsum(x, axis, dtype)`: running sums along a given axis (None, which flattens the
/// batch, is refused), optionally in another dtype, in Keras's layout.
enum CumsumOperationMapper: KerasLayerMapper {
    static let classNames = ["Cumsum"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0, keyword: "x") else { throw call.unsupported("a constant argument", "sum a tensor") }
        let graph = call.graph
        var x = graph.nativeValue(input)
        guard let rawAxis = call.parameter("axis", position: 1)?.int else {
            throw call.unsupported("cumsum without an axis (which flattens the batch)", "give an axis")
        }
        let axis = try call.axis(rawAxis, rank: x.rank)
        let allowed: [DataType] = [.float, .double, .int32, .int64]
        if let dtype = KerasDType.name(of: call.parameter("dtype")) {
            guard let type = KerasDType.dataType(dtype, among: allowed) else {
                throw call.unsupported("dtype '\(dtype)'", "use one of \(KerasDType.names(of: allowed))")
            }
            if type != x.dataType { x = ElementwiseBinaryOperationMapper.cast(x, to: type, call: call, suffix: "x") }
        } else if x.dataType == .bool {
            x = ElementwiseBinaryOperationMapper.cast(x, to: .int32, call: call, suffix: "x")
        }
        let axisName = graph.initializer("\(call.scopedName)/axis", Tensor(name: "", scalar: Int64(axis)))
        return [x.with(name: graph.op("CumSum", [x.name, axisName], hint: call.hint("CumSum")))]
    }
}
