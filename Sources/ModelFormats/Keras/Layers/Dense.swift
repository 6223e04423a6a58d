import ModelIR

/// `Dense`: Gemm for rank-2 inputs, MatMul (+ Add) over the last axis otherwise.
enum DenseMapper: KerasLayerMapper {
    static let classNames = ["Dense"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let input = try call.input()
        var flattenedShape: [Int]?
        if case let .flattenedChannelsFirst(sourceShape) = input.layout {
            flattenedShape = sourceShape.dropFirst().compactMap { $0 }
        }
        let x = flattenedShape == nil ? call.graph.nativeValue(input) : input
        let units = try call.requiredInt("units")
        let useBias = call.bool("use_bias", default: true)
        try call.requireWeights(useBias ? 2 : 1)
        if call.config["lora_rank"]?.int != nil { throw call.unsupported("lora_rank", "merge the LoRA weights before saving") }
        var kernel = try call.weight(0, "kernel")
        guard kernel.shape.count == 2, kernel.shape[1] == units else {
            throw call.invalid("kernel has shape \(kernel.shape), expected [inputs, \(units)]")
        }
        if let flattenedShape, kernel.shape[0] == flattenedShape.reduce(1, *) {
            // Rows in Keras's flatten order (spatial..., channels) → the channels-first order of the input.
            let rank = flattenedShape.count
            kernel = kernel.reshaped(flattenedShape + [units])
                .permuted([rank - 1] + Array(0..<(rank - 1)) + [rank])
                .reshaped([kernel.shape[0], units])
        } else if flattenedShape != nil {
            throw call.invalid("kernel has \(kernel.shape[0]) rows for \(x.shape[1].map(String.init) ?? "?") input features")
        }
        let kernelName = try call.constant(flattenedShape == nil ? "kernel" : "kernel_channels_first", kernel)
        let biasName = useBias ? try call.constant("bias", try call.weight(1, "bias")) : nil
        let output: String
        if x.rank == 2 {
            output = call.graph.op("Gemm", [x.name, kernelName] + (biasName.map { [$0] } ?? []), hint: call.hint("Gemm"))
        } else {
            let product = call.graph.op("MatMul", [x.name, kernelName], hint: call.hint("MatMul"))
            output = biasName.map { call.graph.op("Add", [product, $0], hint: call.hint("BiasAdd")) } ?? product
        }
        let value = KerasValue(name: output, shape: Array(x.shape.dropLast()) + [units], layout: .native, dataType: x.dataType,
                               keptSteps: input.keptSteps)
        return [try call.applyActivation(value)]
    }
}
