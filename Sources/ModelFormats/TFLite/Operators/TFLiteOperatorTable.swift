import ModelIR

/// Which conversion each builtin operator gets; everything else is an error naming the
/// operator code, the operator's index and the subgraph.
extension TFLiteGraphBuilder {
    /// Binds the subgraph's input tensors to `inputs` (an inlined or loop-body subgraph).
    func bind(inputs: [String]) throws(ModelFormatError) {
        guard inputs.count == subgraph.inputs.count else {
            throw .malformed(file: file, reason: "subgraph \(subgraphIndex) takes \(subgraph.inputs.count) inputs but is called with \(inputs.count)")
        }
        for (index, name) in zip(subgraph.inputs, inputs) {
            _ = try tensor(index)
            values[Int(index)] = name
        }
    }

    /// Converts the subgraph's operators in order.
    func convertOperators() throws(ModelFormatError) {
        context.activeSubgraphs.append(subgraphIndex)
        defer { context.activeSubgraphs.removeLast() }
        for (index, op) in subgraph.operators.enumerated() {
            operatorIndex = index
            guard Int(op.opcodeIndex) < context.model.operatorCodes.count else {
                operatorName = "?"
                throw malformed("refers to operator code \(op.opcodeIndex) but the model has \(context.model.operatorCodes.count)")
            }
            let code = context.model.operatorCodes[Int(op.opcodeIndex)]
            operatorName = code.name
            try convert(op, code: code)
        }
    }

    private func convert(_ op: TFLiteOperator, code: TFLiteOperatorCode) throws(ModelFormatError) {
        guard let builtin = TFLiteBuiltin(rawValue: code.builtinCode), builtin != .custom else {
            throw unsupported("operator code \(code.builtinCode) (\(code.name)) is not imported")
        }
        switch builtin {
        case .conv2D: try convertConv2D(op, depthwise: false)
        case .depthwiseConv2D: try convertConv2D(op, depthwise: true)
        case .transposeConv: try convertTransposeConv(op)
        case .fullyConnected: try convertFullyConnected(op)
        case .batchMatMul: try convertBatchMatMul(op)
        case .averagePool2D: try convertPool2D(op, opType: "AveragePool")
        case .maxPool2D: try convertPool2D(op, opType: "MaxPool")
        case .add: try convertBinary(op, opType: "Add", hasActivation: true)
        case .sub: try convertBinary(op, opType: "Sub", hasActivation: true)
        case .mul: try convertBinary(op, opType: "Mul", hasActivation: true)
        case .div: try convertBinary(op, opType: "Div", hasActivation: true)
        case .maximum: try convertBinary(op, opType: "Max", hasActivation: false)
        case .minimum: try convertBinary(op, opType: "Min", hasActivation: false)
        case .less: try convertBinary(op, opType: "Less", hasActivation: false)
        case .logicalAnd: try convertBinary(op, opType: "And", hasActivation: false)
        case .mean: try convertReduce(op, opType: "ReduceMean")
        case .sum: try convertReduce(op, opType: "ReduceSum")
        case .reshape: try convertReshape(op)
        case .squeeze: try convertSqueeze(op)
        case .expandDims: try convertExpandDims(op)
        case .transpose: try convertTranspose(op)
        case .concatenation: try convertConcatenation(op)
        case .pad: try convertPad(op, withValue: false)
        case .padV2: try convertPad(op, withValue: true)
        case .stridedSlice: try convertStridedSlice(op)
        case .slice: try convertSlice(op)
        case .gather: try convertGather(op)
        case .softmax: try convertSoftmax(op)
        case .logistic: try convertUnary(op, opType: "Sigmoid")
        case .tanh: try convertUnary(op, opType: "Tanh")
        case .relu: try convertUnary(op, opType: "Relu")
        case .relu6: try convertClip(op, min: 0, max: 6)
        case .reluN1To1: try convertClip(op, min: -1, max: 1)
        case .leakyRelu: try convertLeakyRelu(op)
        case .hardSwish: try convertUnary(op, opType: "HardSwish")
        case .gelu: try convertGelu(op)
        case .exp: try convertUnary(op, opType: "Exp")
        case .floor: try convertUnary(op, opType: "Floor")
        case .sqrt: try convertUnary(op, opType: "Sqrt")
        case .rsqrt: try convertRsqrt(op)
        case .quantize: try convertQuantize(op)
        case .dequantize: try convertDequantize(op)
        case .cast: try convertCast(op)
        case .shape: try convertShape(op)
        case .pack: try convertPack(op)
        case .unpack: try convertUnpack(op)
        case .split: try convertSplit(op)
        case .while: try convertWhile(op)
        case .fill: try convertFill(op)
        case .unidirectionalSequenceLSTM, .cumsum, .custom:
            throw unsupported("operator code \(code.builtinCode) (\(code.name)) is not imported")
        }
    }

    /// RSQRT as 1 / Sqrt.
    private func convertRsqrt(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let root = self.op("Sqrt", [try value(try requiredInput(op, 0))], hint: "\(hint(output))/sqrt")
        try setOutput(output, self.op("Reciprocal", [root], hint: hint(output)))
    }
}
