/// The TensorFlow Lite builtin operators ModelGate imports, by their `BuiltinOperator` code of
/// `schema.fbs`; `TFLiteBuiltin.name(of:)` names every code of the schema, imported or not.
enum TFLiteBuiltin: Int32, Sendable, CaseIterable {
    case add = 0, averagePool2D = 1, concatenation = 2, conv2D = 3, depthwiseConv2D = 4, depthToSpace = 5, dequantize = 6
    case floor = 8, fullyConnected = 9, l2Normalization = 11, localResponseNormalization = 13, logistic = 14, maxPool2D = 17, mul = 18, relu = 19
    case reluN1To1 = 20, relu6 = 21, reshape = 22, resizeBilinear = 23, softmax = 25, spaceToDepth = 26, tanh = 28
    case pad = 34, gather = 36, batchToSpaceND = 37, spaceToBatchND = 38, transpose = 39, mean = 40, sub = 41, div = 42, squeeze = 43
    case unidirectionalSequenceLSTM = 44, stridedSlice = 45, exp = 47, topKV2 = 48, split = 49, logSoftmax = 50, cast = 53
    case prelu = 54, maximum = 55, argMax = 56, minimum = 57, less = 58, neg = 59, padV2 = 60, greater = 61
    case greaterEqual = 62, lessEqual = 63, select = 64, slice = 65, sin = 66, transposeConv = 67, tile = 69
    case expandDims = 70, equal = 71, notEqual = 72, log = 73, sum = 74, sqrt = 75, rsqrt = 76, shape = 77, pow = 78
    case argMin = 79, reduceProd = 81, reduceMax = 82, pack = 83, logicalOr = 84, oneHot = 85, logicalAnd = 86, logicalNot = 87
    case unpack = 88, reduceMin = 89, floorDiv = 90, reduceAny = 91, square = 92, zerosLike = 93, fill = 94, floorMod = 95, range = 96
    case resizeNearestNeighbor = 97
    case leakyRelu = 98, squaredDifference = 99, mirrorPad = 100, abs = 101, splitV = 102, ceil = 104, reverseV2 = 105
    case addN = 106, gatherNd = 107, cos = 108, elu = 111, quantize = 114, round = 116, hardSwish = 117
    case `while` = 119, scatterND = 122, selectV2 = 123, batchMatMul = 126, cumsum = 128, broadcastTo = 130, conv3D = 132, reduceAll = 140
    case gelu = 150, relu0To1 = 152, sign = 158

    /// The name `schema.fbs` gives the operator.
    var schemaName: String { Self.name(of: rawValue) }

    /// The names of the imported operators, alphabetically, for messages.
    static var importedNames: [String] { allCases.map(\.schemaName).sorted() }

    /// The schema's name of builtin code `code`, or `builtin code N` for a code newer than the schema ModelGate knows.
    static func name(of code: Int32) -> String {
        code >= 0 && Int(code) < schemaNames.count ? schemaNames[Int(code)] : "builtin code \(code)"
    }

    /// `BuiltinOperator` of `schema.fbs` (TensorFlow 2.21), indexed by code.
    static let schemaNames: [String] = [
        "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE", "DEQUANTIZE",
        "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D",
        "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU", "RELU_N1_TO_1",
        "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH", "CONCAT_EMBEDDINGS",
        "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD", "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER",
        "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN", "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM",
        "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN", "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE",
        "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU", "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER",
        "GREATER_EQUAL", "LESS_EQUAL", "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS",
        "EQUAL", "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD",
        "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN", "FLOOR_DIV",
        "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU",
        "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS",
        "WHERE", "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF",
        "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM",
        "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE", "BROADCAST_TO", "RFFT2D", "CONV_3D", "IMAG",
        "REAL", "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND", "HASHTABLE_IMPORT", "HASHTABLE_SIZE", "REDUCE_ALL",
        "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL",
        "BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL", "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD",
        "UNSORTED_SEGMENT_MAX", "UNSORTED_SEGMENT_SUM", "ATAN2", "UNSORTED_SEGMENT_MIN", "SIGN", "BITCAST", "BITWISE_XOR",
        "RIGHT_SHIFT", "STABLEHLO_LOGISTIC", "STABLEHLO_ADD", "STABLEHLO_DIVIDE", "STABLEHLO_MULTIPLY", "STABLEHLO_MAXIMUM",
        "STABLEHLO_RESHAPE", "STABLEHLO_CLAMP", "STABLEHLO_CONCATENATE", "STABLEHLO_BROADCAST_IN_DIM", "STABLEHLO_CONVOLUTION",
        "STABLEHLO_SLICE", "STABLEHLO_CUSTOM_CALL", "STABLEHLO_REDUCE", "STABLEHLO_ABS", "STABLEHLO_AND", "STABLEHLO_COSINE",
        "STABLEHLO_EXPONENTIAL", "STABLEHLO_FLOOR", "STABLEHLO_LOG", "STABLEHLO_MINIMUM", "STABLEHLO_NEGATE", "STABLEHLO_OR",
        "STABLEHLO_POWER", "STABLEHLO_REMAINDER", "STABLEHLO_RSQRT", "STABLEHLO_SELECT", "STABLEHLO_SUBTRACT", "STABLEHLO_TANH",
        "STABLEHLO_SCATTER", "STABLEHLO_COMPARE", "STABLEHLO_CONVERT", "STABLEHLO_DYNAMIC_SLICE",
        "STABLEHLO_DYNAMIC_UPDATE_SLICE", "STABLEHLO_PAD", "STABLEHLO_IOTA", "STABLEHLO_DOT_GENERAL", "STABLEHLO_REDUCE_WINDOW",
        "STABLEHLO_SORT", "STABLEHLO_WHILE", "STABLEHLO_GATHER", "STABLEHLO_TRANSPOSE", "DILATE", "STABLEHLO_RNG_BIT_GENERATOR",
        "REDUCE_WINDOW", "STABLEHLO_COMPOSITE", "STABLEHLO_SHIFT_LEFT", "STABLEHLO_CBRT", "STABLEHLO_CASE",
    ]
}
