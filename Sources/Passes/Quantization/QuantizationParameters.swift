import ModelIR

/// Scale and zero point of a linear quantization `q = clamp(round(x / scale) + zeroPoint)`.
struct QuantizationParameters {
    var scales: [Float]
    var zeroPoints: [Int32]
    var dataType: DataType

    var qmin: Int32 { dataType == .uint8 ? 0 : dataType == .int8 ? -128 : Int32.min }
    var qmax: Int32 { dataType == .uint8 ? 255 : dataType == .int8 ? 127 : Int32.max }

    /// Asymmetric parameters for an activation range, widened to include 0 so that zero is exact.
    static func activation(lower: Float, upper: Float, dataType: DataType) -> QuantizationParameters {
        let low = min(lower, 0), high = max(upper, 0)
        let (qmin, qmax): (Float, Float) = dataType == .uint8 ? (0, 255) : (-128, 127)
        var scale = (high - low) / (qmax - qmin)
        if !(scale > 0) || !scale.isFinite { scale = 1 }
        let zeroPoint = Int32(min(max((qmin - low / scale).rounded(), qmin), qmax))
        return QuantizationParameters(scales: [scale], zeroPoints: [zeroPoint], dataType: dataType)
    }

    /// Symmetric parameters (zero point 0, range ±127) per slice along `axis` of `shape`, or for
    /// the whole tensor when `axis` is nil.
    static func symmetricWeights(_ values: [Float], shape: [Int], axis: Int?) -> QuantizationParameters {
        let channels = axis.map { shape[$0] } ?? 1
        var maxima = [Float](repeating: 0, count: channels)
        if let axis {
            var copy = values
            forEachChannel(&copy, shape: shape, axis: axis) { channel, value in maxima[channel] = max(maxima[channel], abs(value)) }
        } else {
            maxima[0] = values.reduce(0) { max($0, abs($1)) }
        }
        let scales = maxima.map { $0 > 0 ? $0 / 127 : 1 }
        return QuantizationParameters(scales: scales, zeroPoints: Array(repeating: 0, count: channels), dataType: .int8)
    }

    /// `values` quantized, slice `c` along `axis` with `scales[c]` (all with `scales[0]` when `axis` is nil).
    func quantize(_ values: [Float], shape: [Int], axis: Int?) -> [Double] {
        var result = [Double](repeating: 0, count: values.count)
        let low = Double(qmin), high = Double(qmax)
        func q(_ value: Float, _ channel: Int) -> Double {
            let scaled = (Double(value) / Double(scales[channel])).rounded(.toNearestOrEven) + Double(zeroPoints[channel])
            return min(max(scaled, low), high)
        }
        if let axis {
            let (outer, count, inner) = slices(of: shape, axis: axis)
            var index = 0
            for _ in 0..<outer {
                for channel in 0..<count {
                    for _ in 0..<inner {
                        result[index] = q(values[index], channel)
                        index += 1
                    }
                }
            }
        } else {
            for index in values.indices { result[index] = q(values[index], 0) }
        }
        return result
    }

    func scaleTensor(_ name: String, perAxis: Bool) throws -> Tensor {
        try Tensor(name: name, shape: perAxis ? [scales.count] : [], scalars: perAxis ? scales : [scales[0]])
    }

    func zeroPointTensor(_ name: String, perAxis: Bool) throws -> Tensor {
        let values = perAxis ? zeroPoints.map(Double.init) : [Double(zeroPoints[0])]
        return try Tensor(name: name, converting: values, to: dataType, shape: perAxis ? [zeroPoints.count] : [])
    }
}

extension Node {
    static func quantizeLinear(_ name: String, input: String, scale: String, zeroPoint: String, output: String) -> Node {
        Node(name: name, opType: "QuantizeLinear", inputs: [input, scale, zeroPoint], outputs: [output])
    }

    static func dequantizeLinear(_ name: String, input: String, scale: String, zeroPoint: String?, output: String, axis: Int?) -> Node {
        Node(name: name, opType: "DequantizeLinear", inputs: [input, scale] + (zeroPoint.map { [$0] } ?? []), outputs: [output],
             attributes: axis.map { [Attribute(name: "axis", value: .int(Int64($0)))] } ?? [])
    }
}

/// Which nodes a quantization pass may touch: by op type, with include and exclude lists by op
/// type and node name, and without the graph's output layers (`OutputLayers`) unless
/// `quantize_output_layers=true` or `include_nodes` names them.
struct NodeSelection: Sendable {
    var opTypes: Set<String>
    var includeNodes: Set<String>
    var excludeNodes: Set<String>
    var quantizesOutputLayers: Bool
    /// First outputs of the output layers kept in float32 (set by `excludingOutputLayers(of:)`).
    var floatOutputLayers: Set<String> = []

    init(options: PassOptions, defaultOpTypes: Set<String>, prefix: String) throws(PassError) {
        var ops = options.list("\(prefix)op_types").map(Set.init) ?? defaultOpTypes
        ops.subtract(options.list("\(prefix)exclude_op_types") ?? [])
        opTypes = ops
        includeNodes = Set(options.list("\(prefix)include_nodes") ?? [])
        excludeNodes = Set(options.list("\(prefix)exclude_nodes") ?? [])
        quantizesOutputLayers = try options.bool("quantize_output_layers", default: false)
    }

    func selects(_ node: Node) -> Bool {
        guard node.canonicalDomain.isEmpty, opTypes.contains(node.opType), !excludeNodes.contains(node.name) else { return false }
        if !includeNodes.isEmpty { return includeNodes.contains(node.name) }
        return !floatOutputLayers.contains(node.outputs.first ?? "")
    }

    /// This selection for `graph`: its output layers left out unless `quantize_output_layers` is set.
    func excludingOutputLayers(of graph: Graph) -> NodeSelection {
        var bound = self
        bound.floatOutputLayers = []
        if !quantizesOutputLayers { bound.floatOutputLayers = OutputLayers.firstOutputs(in: graph, selection: bound) }
        return bound
    }
}
