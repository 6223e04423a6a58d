import ModelIR

/// Max, average and Lp pooling over the spatial axes of an N×C×… tensor.
struct Pooling {
    enum Kind { case max, average, lp(Double) }

    let kind: Kind
    let spatial: SpatialAttributes
    let countIncludePad: Bool
    let columnMajorIndices: Bool

    /// The pooled tensor and, for max pooling, the flat input index of each maximum.
    func pool(_ x: Tensor, wantIndices: Bool) throws -> (Tensor, Tensor?) {
        guard x.rank >= 3 else { throw KernelError.invalidInput("pooling needs an input of rank 3 or more, got \(x.shape)") }
        guard let kernel = spatial.kernelShape else { throw KernelError.invalidAttribute("required attribute 'kernel_shape' is missing") }
        let geometry = try spatial.geometry(input: Array(x.shape[2...]), kernel: kernel)
        if x.dataType.isHalf {
            let (y, indices) = try pool(x.widened(), wantIndices: wantIndices)
            return (try y.narrowed(to: x.dataType), indices)
        }
        return try dispatchNumeric(x.dataType, Visitor(pooling: self, x: x, geometry: geometry, wantIndices: wantIndices))
    }

    struct Visitor: NumericVisitor {
        let pooling: Pooling
        let x: Tensor
        let geometry: SpatialGeometry
        let wantIndices: Bool

        func visit<T: NumericScalar>(_ type: T.Type) throws -> (Tensor, Tensor?) {
            let planes = x.shape[0] * x.shape[1]
            let input = geometry.input, output = geometry.output, kernel = geometry.kernel
            let rank = input.count
            let inputSize = input.reduce(1, *), positions = output.reduce(1, *), taps = kernel.reduce(1, *)
            let strides = Strides(input).values
            let shape = Array(x.shape[..<2]) + output
            var indices = [Int64](repeating: 0, count: wantIndices ? planes * positions : 0)
            let y = try x.withElements(T.self) { xs in
                try Tensor.filled(T.self, shape: shape) { out in
                    var position = [Int](repeating: 0, count: rank)
                    var tap = [Int](repeating: 0, count: rank)
                    for p in 0..<positions {
                        for plane in 0..<planes {
                            let base = plane * inputSize
                            var best = T.lowest, bestIndex = -1
                            var sum = 0.0, count = 0, padded = 0
                            for t in 0..<taps {
                                var offset = 0, inside = true, inPadding = true
                                var rem = t
                                for axis in (0..<rank).reversed() {
                                    tap[axis] = rem % kernel[axis]
                                    rem /= kernel[axis]
                                }
                                for axis in 0..<rank {
                                    let c = geometry.coordinate(axis: axis, kernel: tap[axis], output: position[axis])
                                    if c < 0 || c >= input[axis] { inside = false }
                                    if c < -geometry.padBegin[axis] || c >= input[axis] + geometry.padEnd[axis] { inPadding = false }
                                    offset += c * strides[axis]
                                }
                                if inPadding { padded += 1 }
                                guard inside else { continue }
                                let value = xs[base + offset]
                                switch pooling.kind {
                                case .max:
                                    if bestIndex < 0 || value > best || (value.isNaNValue && !best.isNaNValue) {
                                        best = value
                                        bestIndex = offset
                                    }
                                case .average:
                                    sum += value.doubleValue
                                    count += 1
                                case .lp(let p):
                                    sum += Double.pow(abs(value.doubleValue), p)
                                    count += 1
                                }
                            }
                            let o = plane * positions + p
                            switch pooling.kind {
                            case .max:
                                out[o] = best
                                if wantIndices {
                                    var flat = bestIndex
                                    if pooling.columnMajorIndices && bestIndex >= 0 {
                                        var rem = bestIndex
                                        flat = 0
                                        var scale = 1
                                        var coordinates = [Int](repeating: 0, count: rank)
                                        for axis in (0..<rank).reversed() { coordinates[axis] = rem % input[axis]; rem /= input[axis] }
                                        for axis in 0..<rank { flat += coordinates[axis] * scale; scale *= input[axis] }
                                    }
                                    indices[o] = Int64(base + max(flat, 0))
                                }
                            case .average:
                                let divisor = pooling.countIncludePad ? padded : count
                                out[o] = T(converting: divisor > 0 ? sum / Double(divisor) : 0)
                            case .lp(let p):
                                out[o] = T(converting: Double.pow(sum, 1 / p))
                            }
                        }
                        var axis = rank - 1
                        while axis >= 0 {
                            position[axis] += 1
                            if position[axis] < output[axis] { break }
                            position[axis] = 0
                            axis -= 1
                        }
                    }
                }
            }
            return (y, wantIndices ? try Tensor(shape: shape, scalars: indices) : nil)
        }
    }
}

/// Opsets 1–7.
struct MaxPool_1: TensorKernel {
    static let opType = "MaxPool", sinceVersion = 1
    let pooling: Pooling
    init(_ node: KernelNode) throws {
        pooling = Pooling(kind: .max, spatial: try SpatialAttributes(node, readsDilations: false, readsCeilMode: false),
                          countIncludePad: false, columnMajorIndices: false)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try pooling.pool(inputs.required(0), wantIndices: false).0] }
}

/// From opset 8 an optional `Indices` output and `storage_order`.
struct MaxPool_8: TensorKernel {
    static let opType = "MaxPool", sinceVersion = 8
    static let outputArity = 1...2
    let pooling: Pooling
    let wantIndices: Bool
    init(_ node: KernelNode) throws {
        pooling = Pooling(kind: .max, spatial: try SpatialAttributes(node, readsDilations: false, readsCeilMode: false),
                          countIncludePad: false, columnMajorIndices: try node.int("storage_order", default: 0) == 1)
        wantIndices = node.producesOutput(1)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let (y, indices) = try pooling.pool(inputs.required(0), wantIndices: wantIndices)
        return [y, indices]
    }
}

/// From opset 10 `dilations` and `ceil_mode` (int8 and uint8 from 12).
struct MaxPool_10: TensorKernel {
    static let opType = "MaxPool", sinceVersion = 10
    static let outputArity = 1...2
    let pooling: Pooling
    let wantIndices: Bool
    init(_ node: KernelNode) throws {
        pooling = Pooling(kind: .max, spatial: try SpatialAttributes(node),
                          countIncludePad: false, columnMajorIndices: try node.int("storage_order", default: 0) == 1)
        wantIndices = node.producesOutput(1)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let (y, indices) = try pooling.pool(inputs.required(0), wantIndices: wantIndices)
        return [y, indices]
    }
}

/// Opset 1–6: padding never counts.
struct AveragePool_1: TensorKernel {
    static let opType = "AveragePool", sinceVersion = 1
    let pooling: Pooling
    init(_ node: KernelNode) throws {
        pooling = Pooling(kind: .average, spatial: try SpatialAttributes(node, readsDilations: false, readsCeilMode: false),
                          countIncludePad: false, columnMajorIndices: false)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try pooling.pool(inputs.required(0), wantIndices: false).0] }
}

/// From opset 7 `count_include_pad`; `ceil_mode` from 10.
struct AveragePool_7: TensorKernel {
    static let opType = "AveragePool", sinceVersion = 7
    let pooling: Pooling
    init(_ node: KernelNode) throws {
        pooling = Pooling(kind: .average, spatial: try SpatialAttributes(node, readsDilations: false),
                          countIncludePad: try node.int("count_include_pad", default: 0) != 0, columnMajorIndices: false)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try pooling.pool(inputs.required(0), wantIndices: false).0] }
}

/// From opset 19 `dilations`.
struct AveragePool_19: TensorKernel {
    static let opType = "AveragePool", sinceVersion = 19
    let pooling: Pooling
    init(_ node: KernelNode) throws {
        pooling = Pooling(kind: .average, spatial: try SpatialAttributes(node),
                          countIncludePad: try node.int("count_include_pad", default: 0) != 0, columnMajorIndices: false)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try pooling.pool(inputs.required(0), wantIndices: false).0] }
}

struct LpPool_2: TensorKernel {
    static let opType = "LpPool", sinceVersion = 2
    let pooling: Pooling
    init(_ node: KernelNode) throws {
        pooling = Pooling(kind: .lp(Double(try node.int("p", default: 2))), spatial: try SpatialAttributes(node),
                          countIncludePad: false, columnMajorIndices: false)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try pooling.pool(inputs.required(0), wantIndices: false).0] }
}

/// Reduces every spatial plane of an N×C×… tensor to one value.
func globalPool(_ x: Tensor, _ reduce: ([Double]) -> Double) throws -> Tensor {
    guard x.rank >= 2 else { throw KernelError.invalidInput("global pooling needs rank 2 or more, got \(x.shape)") }
    let planes = x.shape[0] * x.shape[1], size = x.shape[2...].reduce(1, *)
    let values = try x.doubleValues()
    let result = (0..<planes).map { reduce(Array(values[($0 * size)..<(($0 + 1) * size)])) }
    return try Tensor(converting: result, to: x.dataType, shape: Array(x.shape[..<2]) + [Int](repeating: 1, count: x.rank - 2))
}

struct GlobalAveragePool_1: TensorKernel, AttributeFreeKernel {
    static let opType = "GlobalAveragePool", sinceVersion = 1
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try globalPool(inputs.required(0)) { $0.isEmpty ? .nan : $0.reduce(0, +) / Double($0.count) }]
    }
}

struct GlobalMaxPool_1: TensorKernel, AttributeFreeKernel {
    static let opType = "GlobalMaxPool", sinceVersion = 1
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try globalPool(inputs.required(0)) { $0.contains(where: \.isNaN) ? .nan : ($0.max() ?? -.infinity) }]
    }
}

struct GlobalLpPool_2: TensorKernel {
    static let opType = "GlobalLpPool", sinceVersion = 2
    let p: Double
    init(_ node: KernelNode) throws { p = Double(try node.int("p", default: 2)) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try globalPool(inputs.required(0)) { values in Double.pow(values.reduce(0) { $0 + Double.pow(abs($1), p) }, 1 / p) }]
    }
}
