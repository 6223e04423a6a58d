import ModelIR

/// `Dense`: Gemm for rank-2 inputs, MatMul (+ Add) over the last axis otherwise.
enum DenseMapper: KerasLayerMapper {
    static let classNames = ["Dense"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        let units = try call.requiredInt("units")
        let useBias = call.bool("use_bias", default: true)
        try call.requireWeights(useBias ? 2 : 1)
        if call.config["lora_rank"]?.int != nil { throw call.unsupported("lora_rank", "merge the LoRA weights before saving") }
        let kernel = try call.weight(0, "kernel")
        guard kernel.shape.count == 2, kernel.shape[1] == units else {
            throw call.invalid("kernel has shape \(kernel.shape), expected [inputs, \(units)]")
        }
        let kernelName = try call.constant("kernel", kernel)
        let biasName = useBias ? try call.constant("bias", try call.weight(1, "bias")) : nil
        let output: String
        if x.rank == 2 {
            output = call.graph.op("Gemm", [x.name, kernelName] + (biasName.map { [$0] } ?? []), hint: call.hint("Gemm"))
        } else {
            let product = call.graph.op("MatMul", [x.name, kernelName], hint: call.hint("MatMul"))
            output = biasName.map { call.graph.op("Add", [product, $0], hint: call.hint("BiasAdd")) } ?? product
        }
        let value = x.with(name: output, shape: Array(x.shape.dropLast()) + [units])
        return [try call.applyActivation(value)]
    }
}
