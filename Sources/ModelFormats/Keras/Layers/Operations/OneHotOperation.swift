import ModelIR

/// `keras.ops.one_hot(x, num_classes, axis, dtype)`: 1 where the class index equals the integer in
/// `x`, 0 elsewhere, a new axis of `num_classes` at `axis`; indices outside [0, num_classes), negative
/// ones included, give all zeros as in TensorFlow (ONNX OneHot would wrap negative ones).
enum OneHotOperationMapper: KerasLayerMapper {
    static let classNames = ["OneHot"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0, keyword: "x") else { throw call.unsupported("constant indices", "encode a tensor") }
        if call.parameter("sparse")?.bool == true { throw call.unsupported("sparse=True", "use sparse=False") }
        let graph = call.graph
        var x = graph.nativeValue(input)
        guard let classes = call.parameter("num_classes", position: 1)?.int, classes >= 1 else { throw call.invalid("num_classes is not a positive integer") }
        let axis = try call.axis(call.parameter("axis", position: 2)?.int ?? -1, rank: x.rank + 1)
        guard axis >= 1 else { throw call.unsupported("axis=0", "put the classes after the batch axis") }
        let dtype = KerasDType.name(of: call.parameter("dtype")) ?? "float32"
        let allowed: [DataType] = [.float, .float16, .double, .int32, .int64, .bool]
        guard let type = KerasDType.dataType(dtype, among: allowed) else {
            throw call.unsupported("dtype '\(dtype)'", "use one of \(KerasDType.names(of: allowed))")
        }
        if x.dataType != .int64 { x = ElementwiseBinaryOperationMapper.cast(x, to: .int64, call: call, suffix: "indices") }
        var classShape = Array(repeating: 1, count: x.rank + 1)
        classShape[axis] = classes
        let classIndices: String
        do {
            classIndices = graph.initializer("\(call.scopedName)/classes", try Tensor(name: "", shape: classShape, scalars: (0..<classes).map { Int64($0) }))
        } catch { throw call.invalid("the class indices cannot be built: \(error)") }
        let matches = graph.op("Equal", [graph.unsqueeze(x.name, axes: [axis], hint: call.hint("expanded")), classIndices], hint: call.hint("matches"))
        let output = type == .bool ? matches : graph.op("Cast", [matches], [.int("to", Int(type.rawValue))], hint: call.hint("OneHot"))
        var shape = x.shape
        shape.insert(classes, at: axis)
        return [KerasValue(name: output, shape: shape, layout: .native, dataType: type)]
    }
}
