import ModelIR

/// Which conversion each builtin operator gets; everything else is an error naming the
/// operator, its index and subgraph, and the operators ModelGate imports.
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
        guard let builtin = TFLiteBuiltin(rawValue: code.builtinCode) else {
            throw unsupported("\(code.name) is not imported; convert the model so that it uses only the operators ModelGate imports: "
                              + TFLiteBuiltin.importedNames.joined(separator: ", "))
        }
        switch builtin {
        case .conv2D: try convertConv2D(op, depthwise: false)
        case .depthwiseConv2D: try convertConv2D(op, depthwise: true)
        case .conv3D: try convertConv3D(op)
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
        case .pow: try convertBinary(op, opType: "Pow", hasActivation: false)
        case .floorDiv: try convertFloorDiv(op)
        case .floorMod: try convertFloorMod(op)
        case .less: try convertBinary(op, opType: "Less", hasActivation: false)
        case .lessEqual: try convertBinary(op, opType: "LessOrEqual", hasActivation: false)
        case .greater: try convertBinary(op, opType: "Greater", hasActivation: false)
        case .greaterEqual: try convertBinary(op, opType: "GreaterOrEqual", hasActivation: false)
        case .equal: try convertBinary(op, opType: "Equal", hasActivation: false)
        case .notEqual: try convertNotEqual(op)
        case .logicalAnd: try convertBinary(op, opType: "And", hasActivation: false)
        case .logicalOr: try convertBinary(op, opType: "Or", hasActivation: false)
        case .logicalNot: try convertUnary(op, opType: "Not")
        case .squaredDifference: try convertSquaredDifference(op)
        case .addN: try convertAddN(op)
        case .mean: try convertReduce(op, opType: "ReduceMean")
        case .sum: try convertReduce(op, opType: "ReduceSum")
        case .argMax: try convertArgExtremum(op, opType: "ArgMax")
        case .argMin: try convertArgExtremum(op, opType: "ArgMin")
        case .cumsum: try convertCumsum(op)
        case .l2Normalization: try convertL2Normalization(op)
        case .localResponseNormalization: try convertLocalResponseNormalization(op)
        case .topKV2: try convertTopK(op)
        case .reshape: try convertReshape(op)
        case .squeeze: try convertSqueeze(op)
        case .expandDims: try convertExpandDims(op)
        case .transpose: try convertTranspose(op)
        case .concatenation: try convertConcatenation(op)
        case .pad: try convertPad(op, withValue: false)
        case .padV2: try convertPad(op, withValue: true)
        case .mirrorPad: try convertMirrorPad(op)
        case .stridedSlice: try convertStridedSlice(op)
        case .slice: try convertSlice(op)
        case .gather: try convertGather(op)
        case .gatherNd: try convertGatherND(op)
        case .scatterND: try convertScatterND(op)
        case .splitV: try convertSplitV(op)
        case .tile: try convertTile(op, opType: "Tile")
        case .broadcastTo: try convertTile(op, opType: "Expand")
        case .resizeBilinear: try convertResize(op, bilinear: true)
        case .resizeNearestNeighbor: try convertResize(op, bilinear: false)
        case .depthToSpace: try convertDepthSpace(op, opType: "DepthToSpace")
        case .spaceToDepth: try convertDepthSpace(op, opType: "SpaceToDepth")
        case .spaceToBatchND: try convertSpaceToBatchND(op)
        case .batchToSpaceND: try convertBatchToSpaceND(op)
        case .softmax: try convertSoftmax(op)
        case .logSoftmax: try convertLogSoftmax(op)
        case .logistic: try convertUnary(op, opType: "Sigmoid")
        case .tanh: try convertUnary(op, opType: "Tanh")
        case .relu: try convertUnary(op, opType: "Relu")
        case .relu6: try convertClip(op, min: 0, max: 6)
        case .reluN1To1: try convertClip(op, min: -1, max: 1)
        case .relu0To1: try convertClip(op, min: 0, max: 1)
        case .prelu: try convertPRelu(op)
        case .elu: try convertUnary(op, opType: "Elu")
        case .leakyRelu: try convertLeakyRelu(op)
        case .hardSwish: try convertUnary(op, opType: "HardSwish")
        case .gelu: try convertGelu(op)
        case .exp: try convertUnary(op, opType: "Exp")
        case .floor: try convertUnary(op, opType: "Floor")
        case .ceil: try convertUnary(op, opType: "Ceil")
        case .round: try convertUnary(op, opType: "Round")
        case .abs: try convertUnary(op, opType: "Abs")
        case .sign: try convertUnary(op, opType: "Sign")
        case .neg: try convertUnary(op, opType: "Neg")
        case .log: try convertUnary(op, opType: "Log")
        case .sin: try convertUnary(op, opType: "Sin")
        case .cos: try convertUnary(op, opType: "Cos")
        case .square: try convertSquare(op)
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
        case .zerosLike: try convertZerosLike(op)
        case .range: try convertRange(op)
        case .oneHot: try convertOneHot(op)
        case .reduceMax: try convertReduce(op, opType: "ReduceMax")
        case .reduceMin: try convertReduce(op, opType: "ReduceMin")
        case .reduceProd: try convertReduce(op, opType: "ReduceProd")
        case .reduceAny: try convertBooleanReduction(op, opType: "ReduceMax")
        case .reduceAll: try convertBooleanReduction(op, opType: "ReduceMin")
        case .reverseV2: try convertReverse(op)
        case .select: try convertSelect(op, broadcastsRankOneCondition: true)
        case .selectV2: try convertSelect(op, broadcastsRankOneCondition: false)
        case .unidirectionalSequenceLSTM: try convertUnidirectionalSequenceLSTM(op)
        }
    }

    /// RSQRT as 1 / Sqrt.
    private func convertRsqrt(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let root = self.op("Sqrt", [try value(try requiredInput(op, 0))], hint: "\(hint(output))/sqrt")
        try setOutput(output, self.op("Reciprocal", [root], hint: hint(output)))
    }
}
