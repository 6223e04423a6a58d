import Foundation
import ModelIR

/// Resizing with nearest, (n-)linear or cubic interpolation, done one axis at a time as onnx's
/// reference does: the output coordinate maps back to the input by `coordinate_transformation_mode`,
/// taps are clamped to the edge, and `exclude_outside` drops and renormalizes taps outside the input.
/// With `antialias`, a downsampling linear or cubic filter is stretched by 1/scale (more taps,
/// normalized weights), so that every input sample contributes to the output.
struct Resizing: Sendable {
    let mode: String
    let coordinateMode: String
    let nearestMode: String
    let cubicA: Double
    let excludeOutside: Bool
    let extrapolation: Double
    let axes: [Int]?
    let aspectPolicy: String
    let antialias: Bool

    init(_ node: KernelNode, legacy: Bool) throws {
        mode = try node.choice("mode", default: "nearest", in: ["nearest", "linear", "cubic", "bilinear", "trilinear"])
        coordinateMode = legacy ? "asymmetric" : try node.choice(
            "coordinate_transformation_mode", default: "half_pixel",
            in: ["half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize", "tf_half_pixel_for_nn"])
        nearestMode = legacy ? "floor" : try node.choice("nearest_mode", default: "round_prefer_floor",
                                                           in: ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"])
        cubicA = Double(try node.float("cubic_coeff_a", default: -0.75))
        excludeOutside = try node.int("exclude_outside", default: 0) != 0
        extrapolation = Double(try node.float("extrapolation_value", default: 0))
        axes = try node.ints("axes")
        aspectPolicy = try node.choice("keep_aspect_ratio_policy", default: "stretch", in: ["stretch", "not_larger", "not_smaller"])
        antialias = try node.int("antialias", default: 0) != 0
    }

    func resize(_ x: Tensor, roi roiTensor: Tensor?, scales scalesTensor: Tensor?, sizes sizesTensor: Tensor?) throws -> Tensor {
        let rank = x.rank
        let axes = try normalizedAxes(self.axes ?? Array(0..<rank), rank: rank)
        var scales = [Double](repeating: 1, count: rank)
        var output = x.shape
        if let sizesTensor, sizesTensor.elementCount > 0 {
            let sizes = try sizesTensor.indexValues()
            guard sizes.count == axes.count else { throw KernelError.invalidInput("sizes has \(sizes.count) entries for \(axes.count) axes") }
            for (i, axis) in axes.enumerated() { scales[axis] = Double(sizes[i]) / Double(x.shape[axis]) }
            if aspectPolicy != "stretch" {
                let chosen = axes.map { scales[$0] }
                let scale = (aspectPolicy == "not_larger" ? chosen.min() : chosen.max()) ?? 1
                for axis in axes { scales[axis] = scale; output[axis] = Int(scale * Double(x.shape[axis]) + 0.5) }
            } else {
                for (i, axis) in axes.enumerated() { output[axis] = sizes[i] }
            }
        } else if let scalesTensor, scalesTensor.elementCount > 0 {
            let given = try scalesTensor.doubleValues()
            guard given.count == axes.count else { throw KernelError.invalidInput("scales has \(given.count) entries for \(axes.count) axes") }
            for (i, axis) in axes.enumerated() {
                guard given[i] > 0 else { throw KernelError.invalidInput("scales must be positive") }
                scales[axis] = given[i]
                output[axis] = Int(given[i] * Double(x.shape[axis]))
            }
        } else {
            throw KernelError.invalidInput("one of scales and sizes is required")
        }
        var roi: [Double]?
        if let roiTensor, roiTensor.elementCount > 0 {
            let given = try roiTensor.doubleValues()
            var full = [Double](repeating: 0, count: rank) + [Double](repeating: 1, count: rank)
            if given.count == 2 * rank && self.axes == nil { full = given }
            else if given.count == 2 * axes.count {
                for (i, axis) in axes.enumerated() { full[axis] = given[i]; full[rank + axis] = given[axes.count + i] }
            }
            roi = full
        }
        _ = try Tensor.checkedCount(output)
        var shape = x.shape
        var values = try x.doubleValues()
        for axis in axes {
            let wholeAxis = roi.map { $0[axis] == 0 && $0[rank + axis] == 1 } ?? true
            if abs(scales[axis] - 1) < 1e-12 && output[axis] == shape[axis] && wholeAxis { continue }
            (values, shape) = resize(values, shape: shape, axis: axis, scale: scales[axis], length: output[axis],
                                     roi: roi.map { [$0[axis], $0[rank + axis]] })
        }
        if x.dataType.isInteger {
            let (low, high) = integerRange(x.dataType)
            values = values.map { min(max($0.rounded(.toNearestOrEven), low), high) }
        }
        return try Tensor(converting: values, to: x.dataType, shape: shape)
    }

    private func integerRange(_ type: DataType) -> (Double, Double) {
        let bits = Double(type.bitWidth)
        return type.isSignedInteger ? (-Foundation.pow(2, bits - 1), Foundation.pow(2, bits - 1) - 1) : (0, Foundation.pow(2, bits) - 1)
    }

    /// The input coordinate output position `o` maps to along an axis, or nil when it extrapolates.
    private func sourceCoordinate(_ o: Int, inputLength: Int, outputLength: Int, scale: Double, roi: [Double]?) -> Double? {
        let x = Double(o), input = Double(inputLength)
        let outputWidth = scale * input
        switch coordinateMode {
        case "align_corners": return outputWidth == 1 ? 0 : x * (input - 1) / (outputWidth - 1)
        case "asymmetric": return x / scale
        case "tf_crop_and_resize":
            let (start, end) = (roi?[0] ?? 0, roi?[1] ?? 1)
            var value = outputWidth == 1 ? (end - start) * (input - 1) / 2 : x * (end - start) * (input - 1) / (outputWidth - 1)
            value += start * (input - 1)
            return value < 0 || value > input - 1 ? nil : value
        case "pytorch_half_pixel": return outputWidth == 1 ? -0.5 : (x + 0.5) / scale - 0.5
        case "half_pixel_symmetric":
            let adjustment = Double(outputLength) / outputWidth
            let offset = input / 2 * (1 - adjustment)
            return offset + (x + 0.5) / scale - 0.5
        case "tf_half_pixel_for_nn": return (x + 0.5) / scale
        default: return (x + 0.5) / scale - 0.5
        }
    }

    /// The taps (unclamped input indices) and their weights for input coordinate `c` along an
    /// axis resized by `scale`.
    private func taps(_ c: Double, scale: Double) -> [(Int, Double)] {
        let base = Int(c.rounded(.up)) - 1
        let ratio = c - Double(base)
        if antialias && mode != "nearest" { return antialiasedTaps(base: base, ratio: ratio, scale: min(scale, 1)) }
        switch mode {
        case "nearest":
            let takeUpper: Bool
            if ratio == 1 { takeUpper = true } else {
                switch nearestMode {
                case "round_prefer_ceil": takeUpper = ratio >= 0.5
                case "floor": takeUpper = false
                case "ceil": takeUpper = true
                default: takeUpper = ratio > 0.5
                }
            }
            return [(takeUpper ? base + 1 : base, 1)]
        case "cubic":
            let a = cubicA, r = ratio
            let weights = [((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
                           ((a + 2) * r - (a + 3)) * r * r + 1,
                           ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
                           ((a * ((1 - r) + 1) - 5 * a) * ((1 - r) + 1) + 8 * a) * ((1 - r) + 1) - 4 * a]
            return (0..<4).map { (base - 1 + $0, weights[$0]) }
        default:
            return [(base, 1 - ratio), (base + 1, ratio)]
        }
    }

    /// The linear (triangle) or cubic filter widened by 1/`scale`: taps at integer offsets `i` from
    /// `base` whose scaled distance to the coordinate, `scale · (i − ratio)`, lies inside the filter's
    /// support (1 or 2), weights normalized to sum to one.
    private func antialiasedTaps(base: Int, ratio: Double, scale: Double) -> [(Int, Double)] {
        let support = mode == "cubic" ? 2.0 : 1.0
        let start = Int((-support / scale).rounded(.down)) + 1
        let end = 2 - start
        let a = cubicA
        let weights = (start..<end).map { i -> Double in
            let x = abs(scale * (Double(i) - ratio))
            if mode != "cubic" { return min(max(1 - x, 0), 1) }
            if x <= 1 { return (a + 2) * x * x * x - (a + 3) * x * x + 1 }
            if x < 2 { return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a }
            return 0
        }
        let total = weights.reduce(0, +)
        return zip(start..<end, weights).map { (base + $0, total == 0 ? 0 : $1 / total) }
    }

    private func resize(_ values: [Double], shape: [Int], axis: Int, scale: Double, length: Int, roi: [Double]?) -> ([Double], [Int]) {
        let outer = shape[..<axis].reduce(1, *), inputLength = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        var newShape = shape
        newShape[axis] = length
        var result = [Double](repeating: 0, count: outer * length * inner)
        for o in 0..<length {
            guard let c = sourceCoordinate(o, inputLength: inputLength, outputLength: length, scale: scale, roi: roi) else {
                for b in 0..<outer { for i in 0..<inner { result[(b * length + o) * inner + i] = extrapolation } }
                continue
            }
            var weights = taps(c, scale: scale)
            if excludeOutside {
                weights = weights.map { ($0.0, $0.0 < 0 || $0.0 >= inputLength ? 0 : $0.1) }
                let total = weights.reduce(0) { $0 + $1.1 }
                if total != 0 { weights = weights.map { ($0.0, $0.1 / total) } }
            }
            let clamped = weights.map { (min(max($0.0, 0), inputLength - 1), $0.1) }
            for b in 0..<outer {
                for i in 0..<inner {
                    var sum = 0.0
                    for (index, weight) in clamped where weight != 0 { sum += weight * values[(b * inputLength + index) * inner + i] }
                    result[(b * length + o) * inner + i] = sum
                }
            }
        }
        return (result, newShape)
    }
}

/// Opset 10: inputs X and scales; asymmetric coordinates, floor for nearest.
struct Resize_10: TensorKernel {
    static let opType = "Resize", sinceVersion = 10
    static let inputArity = 2...2
    let resizing: Resizing
    init(_ node: KernelNode) throws { resizing = try Resizing(node, legacy: true) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try resizing.resize(inputs.required(0), roi: nil, scales: inputs.required(1), sizes: nil)]
    }
}

/// From opset 11: X, roi, scales, sizes (roi and scales optional from 13; axes and aspect policy from 18).
struct Resize_11: TensorKernel {
    static let opType = "Resize", sinceVersion = 11
    static let inputArity = 1...4
    let resizing: Resizing
    init(_ node: KernelNode) throws { resizing = try Resizing(node, legacy: false) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try resizing.resize(inputs.required(0), roi: inputs.optional(1), scales: inputs.optional(2), sizes: inputs.optional(3))]
    }
}

/// The predecessor of Resize: nearest (floor) or linear with asymmetric coordinates.
struct Upsample_7: TensorKernel {
    static let opType = "Upsample", sinceVersion = 7
    static let inputArity = 1...2
    let resizing: Resizing
    let scales: [Float]?
    init(_ node: KernelNode) throws {
        resizing = try Resizing(node, legacy: true)
        scales = try node.floats("scales")
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let scaleTensor = try inputs.optional(1) ?? scales.map { try Tensor(shape: [$0.count], scalars: $0) }
        return [try resizing.resize(inputs.required(0), roi: nil, scales: scaleTensor, sizes: nil)]
    }
}
