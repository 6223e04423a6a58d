import ModelIR

/// FULLY_CONNECTED (y = x·Wᵀ + b, weights [O, K]) and BATCH_MATMUL.
extension TFLiteGraphBuilder {
    /// Without `keep_num_dims` the input is flattened to [−1, K] and the layer is one Gemm; with
    /// it the leading axes stay and the layer is MatMul by the transposed weights plus the bias.
    func convertFullyConnected(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let weightsIndex = try requiredInput(op, 1)
        let output = try requiredOutput(op)
        let weightsShape = try shape(weightsIndex)
        guard weightsShape.count == 2 else { throw unsupported("weights must have rank 2 [outputs, inputs], not \(weightsShape.count)") }
        var activation: Int8 = 0
        var keepDims = false
        if let table = op.options {
            activation = try table.int8(0, "fused_activation_function")
            guard try table.int8(1, "weights_format") == 0 else { throw unsupported("shuffled weights (SHUFFLED4x16INT8) are not imported") }
            keepDims = try table.bool(2, "keep_num_dims")
        }
        let inputRank = try rank(inputIndex)
        var x = try value(inputIndex)
        let product: String
        if keepDims && inputRank != 2 {
            let matmul = self.op("MatMul", [x, try value(weightsIndex, permuted: [1, 0])], hint: "\(hint(output))/matmul")
            if let bias = input(op, 2) {
                product = self.op("Add", [matmul, try value(bias)], hint: hint(output))
            } else {
                product = matmul
            }
        } else {
            if inputRank != 2 {
                x = self.op("Reshape", [x, try context.int64s([-1, weightsShape[1]])], hint: "\(hint(output))/flattened")
            }
            var inputs = [x, try value(weightsIndex)]
            if let bias = input(op, 2) { inputs.append(try value(bias)) }
            product = self.op("Gemm", inputs, [.int("transB", 1)], hint: hint(output))
        }
        try setOutput(output, try fusedActivation(activation, product, hint: hint(output)))
    }

    /// BATCH_MATMUL with `adj_x`/`adj_y`: the last two axes of that operand swapped first.
    func convertBatchMatMul(_ op: TFLiteOperator) throws(ModelFormatError) {
        let a = try requiredInput(op, 0)
        let b = try requiredInput(op, 1)
        let output = try requiredOutput(op)
        let adjointA = try op.options?.bool(0, "adj_x") ?? false
        let adjointB = try op.options?.bool(1, "adj_y") ?? false
        func operand(_ index: Int32, adjoint: Bool) throws(ModelFormatError) -> String {
            guard adjoint else { return try value(index) }
            let rank = try rank(index)
            guard rank >= 2 else { throw unsupported("an adjoint operand needs rank 2 or more") }
            return try value(index, permuted: Array(0..<(rank - 2)) + [rank - 1, rank - 2])
        }
        try setOutput(output, self.op("MatMul", [try operand(a, adjoint: adjointA), try operand(b, adjoint: adjointB)], hint: hint(output)))
    }
}
