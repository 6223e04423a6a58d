import ModelIR

/// `keras.ops.take(x, indices, axis)` (Gather: the indices' shape replaces the axis; negative indices
/// count from the end) and `keras.ops.take_along_axis(x, indices, axis)` (GatherElements, indices of
/// the tensor's rank and sizes), with tensor or constant indices, along a given axis.
enum TakeOperationMapper: KerasLayerMapper {
    static let classNames = ["Take", "TakeAlongAxis"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0, keyword: "x") else { throw call.unsupported("a constant tensor", "index a tensor") }
        let graph = call.graph
        let x = graph.nativeValue(input)
        guard let rawAxis = call.parameter("axis", position: 2)?.int else {
            throw call.unsupported("\(call.className) without an axis (which flattens the batch)", "give an axis")
        }
        let axis = try call.axis(rawAxis, rank: x.rank)
        let indices: KerasValue
        switch try call.operand(1, keyword: "indices") {
        case .tensor(let value):
            let native = graph.nativeValue(value)
            indices = native.dataType == .int64 || native.dataType == .int32 ? native : ElementwiseBinaryOperationMapper.cast(native, to: .int64, call: call, suffix: "indices")
        case .constant(let constant):
            let name = try call.constantTensor(constant, as: .int64, what: "indices")
            indices = KerasValue(name: name, shape: constant.shape.map { Optional($0) }, layout: .native, dataType: .int64)
        }
        if call.className == "Take" {
            let output = graph.op("Gather", [x.name, indices.name], [.int("axis", axis)], hint: call.hint("Gather"))
            let shape = Array(x.shape[..<axis]) + indices.shape + Array(x.shape[(axis + 1)...])
            return [KerasValue(name: output, shape: shape, layout: .native, dataType: x.dataType)]
        }
        guard indices.rank == x.rank,
              zip(x.shape, indices.shape).enumerated().allSatisfy({ $0.offset == axis || $0.offset == 0 || $0.element.0 == $0.element.1 }) else {
            throw call.unsupported("indices of shape \(indices.shape) for a tensor of shape \(x.shape)",
                                   "give indices of the tensor's shape but along the axis (no broadcasting)")
        }
        let output = graph.op("GatherElements", [x.name, indices.name], [.int("axis", axis)], hint: call.hint("GatherElements"))
        return [KerasValue(name: output, shape: indices.shape, layout: .native, dataType: x.dataType)]
    }
}
