/// The TensorFlow Lite builtin operator codes (`BuiltinOperator` of `schema.fbs`) ModelGate
/// names in messages or imports.
enum TFLiteBuiltin: Int32, Sendable, CaseIterable {
    case add = 0, averagePool2D = 1, concatenation = 2, conv2D = 3, depthwiseConv2D = 4
    case dequantize = 6, floor = 8, fullyConnected = 9, logistic = 14, maxPool2D = 17, mul = 18
    case relu = 19, reluN1To1 = 20, relu6 = 21, reshape = 22, softmax = 25, tanh = 28
    case custom = 32, pad = 34, gather = 36, transpose = 39, mean = 40, sub = 41, div = 42
    case squeeze = 43, unidirectionalSequenceLSTM = 44, stridedSlice = 45, exp = 47, split = 49
    case cast = 53, maximum = 55, minimum = 57, less = 58, padV2 = 60, slice = 65
    case transposeConv = 67, expandDims = 70, sum = 74, sqrt = 75, rsqrt = 76, shape = 77
    case pack = 83, logicalAnd = 86, unpack = 88, fill = 94, leakyRelu = 98, quantize = 114, hardSwish = 117
    case `while` = 119, batchMatMul = 126, cumsum = 128, gelu = 150

    /// The name `schema.fbs` gives the operator.
    var schemaName: String {
        switch self {
        case .add: "ADD"
        case .averagePool2D: "AVERAGE_POOL_2D"
        case .concatenation: "CONCATENATION"
        case .conv2D: "CONV_2D"
        case .depthwiseConv2D: "DEPTHWISE_CONV_2D"
        case .dequantize: "DEQUANTIZE"
        case .floor: "FLOOR"
        case .fullyConnected: "FULLY_CONNECTED"
        case .logistic: "LOGISTIC"
        case .maxPool2D: "MAX_POOL_2D"
        case .mul: "MUL"
        case .relu: "RELU"
        case .reluN1To1: "RELU_N1_TO_1"
        case .relu6: "RELU6"
        case .reshape: "RESHAPE"
        case .softmax: "SOFTMAX"
        case .tanh: "TANH"
        case .custom: "CUSTOM"
        case .pad: "PAD"
        case .gather: "GATHER"
        case .transpose: "TRANSPOSE"
        case .mean: "MEAN"
        case .sub: "SUB"
        case .div: "DIV"
        case .squeeze: "SQUEEZE"
        case .unidirectionalSequenceLSTM: "UNIDIRECTIONAL_SEQUENCE_LSTM"
        case .stridedSlice: "STRIDED_SLICE"
        case .exp: "EXP"
        case .split: "SPLIT"
        case .cast: "CAST"
        case .maximum: "MAXIMUM"
        case .minimum: "MINIMUM"
        case .less: "LESS"
        case .padV2: "PADV2"
        case .slice: "SLICE"
        case .transposeConv: "TRANSPOSE_CONV"
        case .expandDims: "EXPAND_DIMS"
        case .sum: "SUM"
        case .sqrt: "SQRT"
        case .rsqrt: "RSQRT"
        case .shape: "SHAPE"
        case .pack: "PACK"
        case .logicalAnd: "LOGICAL_AND"
        case .unpack: "UNPACK"
        case .fill: "FILL"
        case .leakyRelu: "LEAKY_RELU"
        case .quantize: "QUANTIZE"
        case .hardSwish: "HARD_SWISH"
        case .while: "WHILE"
        case .batchMatMul: "BATCH_MATMUL"
        case .cumsum: "CUMSUM"
        case .gelu: "GELU"
        }
    }
}
