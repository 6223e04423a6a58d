import ModelIR

/// `Masking`: zeroes the steps whose features all equal `mask_value`, `x · any(x ≠ mask_value, -1)`,
/// and carries the kept steps on as the output's implicit mask (`KerasValue.keptSteps`, which
/// MultiHeadAttention applies). Keras 3 files pass the mask to recurrent layers explicitly, as the
/// `NotEqual` and `Any` operation nodes feeding their `mask=` argument.
enum MaskingMapper: KerasLayerMapper {
    static let classNames = ["Masking"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let graph = call.graph
        let x = graph.nativeValue(try call.input())
        guard x.rank >= 2 else { throw call.invalid("expects an input of rank 2 or more, got \(x.shape)") }
        let maskValue = try call.double("mask_value", default: 0)
        let masked = try call.constantTensor(KerasConstant(values: [maskValue], shape: [], isFloat: true), as: x.dataType, what: "mask_value")
        let zero = try call.constantTensor(KerasConstant(values: [0], shape: [], isFloat: true), as: x.dataType, what: "zero")
        let differs = graph.op("Not", [graph.op("Equal", [x.name, masked], hint: call.hint("equal"))], hint: call.hint("differs"))
        let kept = graph.logicalReduce("ReduceMax", differs, axes: [x.rank - 1], keepDims: true, hint: call.hint("kept"))
        var output = x.with(name: graph.op("Where", [kept, x.name, zero], hint: call.hint("Where")))
        output.keptSteps = x.rank == 3 ? graph.squeeze(kept, axes: [2], hint: call.hint("kept_steps")) : nil
        return [output]
    }
}
