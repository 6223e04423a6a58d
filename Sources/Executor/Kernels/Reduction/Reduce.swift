import ModelIR

/// How one reduction combines values: start, fold, finish (computed in double).
struct Reducer: Sendable {
    let initial: Double
    let fold: @Sendable (Double, Double) -> Double
    let finish: @Sendable (Double, Int) -> Double

    static let sum = Reducer(initial: 0, fold: { $0 + $1 }, finish: { v, _ in v })
    static let mean = Reducer(initial: 0, fold: { $0 + $1 }, finish: { v, n in v / Double(n) })
    static let max = Reducer(initial: -.infinity, fold: { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }, finish: { v, _ in v })
    static let min = Reducer(initial: .infinity, fold: { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }, finish: { v, _ in v })
    static let prod = Reducer(initial: 1, fold: { $0 * $1 }, finish: { v, _ in v })
    static let l1 = Reducer(initial: 0, fold: { $0 + abs($1) }, finish: { v, _ in v })
    static let l2 = Reducer(initial: 0, fold: { $0 + $1 * $1 }, finish: { v, _ in v.squareRoot() })
    static let logSum = Reducer(initial: 0, fold: { $0 + $1 }, finish: { v, _ in Double.log(v) })
    static let sumSquare = Reducer(initial: 0, fold: { $0 + $1 * $1 }, finish: { v, _ in v })
    static let logSumExp = Reducer(initial: 0, fold: { $0 + Double.exp($1) }, finish: { v, _ in Double.log(v) })

    /// Reduces `x` over `axes` (all axes when nil; none when empty and `noopWithEmptyAxes`).
    func reduce(_ x: Tensor, axes: [Int]?, keepDims: Bool, noopWithEmptyAxes: Bool = false, isLogSumExp: Bool = false) throws -> Tensor {
        if let axes, axes.isEmpty, noopWithEmptyAxes { return x }
        let reduced = Set(try normalizedAxes(axes.flatMap { $0.isEmpty ? nil : $0 } ?? Array(0..<x.rank), rank: x.rank))
        let outputShape = x.shape.indices.map { reduced.contains($0) ? 1 : x.shape[$0] }
        let finalShape = keepDims ? outputShape : x.shape.indices.filter { !reduced.contains($0) }.map { x.shape[$0] }
        if x.dataType == .int64 || x.dataType == .uint64 || x.dataType == .int32 {
            if let exact = try exactIntegerReduce(x, reduced: reduced, outputShape: outputShape, finalShape: finalShape) { return exact }
        }
        let values = try x.doubleValues()
        let count = outputShape.reduce(1, *)
        var accumulators = [Double](repeating: initial, count: count)
        let outputStrides = Broadcast.strides(of: outputShape, in: x.shape)
        // Log-sum-exp is shifted by the maximum of each group for stability.
        var shift = [Double](repeating: 0, count: count)
        if isLogSumExp {
            shift = [Double](repeating: -.infinity, count: count)
            try forEach(x.shape, outputStrides) { i, o in shift[o] = Swift.max(shift[o], values[i]) }
            shift = shift.map { $0.isFinite ? $0 : 0 }
        }
        try forEach(x.shape, outputStrides) { i, o in accumulators[o] = fold(accumulators[o], values[i] - shift[o]) }
        let groupSize = Swift.max(reduced.reduce(1) { $0 * x.shape[$1] }, 0)
        var result = accumulators.enumerated().map { finish($0.element, groupSize) + shift[$0.offset] }
        if !x.dataType.isFloatingPoint {
            // An empty reduction's ±∞ becomes the type's extreme (false and true for bool).
            let (low, high): (Double, Double) = x.dataType == .bool ? (0, 1) : x.dataType.isSignedInteger
                ? (-Double.pow(2, Double(x.dataType.bitWidth - 1)), Double.pow(2, Double(x.dataType.bitWidth - 1)) - 1)
                : (0, Double.pow(2, Double(x.dataType.bitWidth)) - 1)
            result = result.map { $0 == -.infinity ? low : $0 == .infinity ? high : $0 }
        }
        return try Tensor(converting: result, to: x.dataType, shape: finalShape)
    }

    /// Sums, products, minima and maxima of 64-bit integers without going through double.
    private func exactIntegerReduce(_ x: Tensor, reduced: Set<Int>, outputShape: [Int], finalShape: [Int]) throws -> Tensor? {
        let op: ((Int64, Int64) -> Int64, Int64)
        if initial == 0, fold(2, 3) == 5, finish(7, 2) == 7 { op = ({ $0 &+ $1 }, 0) }
        else if initial == 1, fold(2, 3) == 6 { op = ({ $0 &* $1 }, 1) }
        else if initial == -.infinity { op = ({ Swift.max($0, $1) }, .min) }
        else if initial == .infinity { op = ({ Swift.min($0, $1) }, .max) }
        else { return nil }
        let values = try x.int64Values()
        var accumulators = [Int64](repeating: op.1, count: outputShape.reduce(1, *))
        try forEach(x.shape, Broadcast.strides(of: outputShape, in: x.shape)) { i, o in accumulators[o] = op.0(accumulators[o], values[i]) }
        return try dispatchNumeric(x.dataType, IntegerResult(values: accumulators, shape: finalShape))
    }

    private struct IntegerResult: NumericVisitor {
        let values: [Int64]
        let shape: [Int]
        func visit<T: NumericScalar>(_ type: T.Type) throws -> Tensor {
            try Tensor.filled(T.self, shape: shape) { out in for (i, v) in values.enumerated() { out[i] = T(wrapping: v) } }
        }
    }

    /// Calls `body(inputIndex, outputIndex)` for every element of `shape`.
    private func forEach(_ shape: [Int], _ outputStrides: [Int], _ body: (Int, Int) -> Void) throws {
        let outputIndices = try Indexing.strided(shape: shape, strides: outputStrides)
        for (i, o) in outputIndices.enumerated() { body(i, o) }
    }
}

/// A reduction whose axes are an attribute (before opset 18; 13 for ReduceSum).
protocol AttributeAxesReduction: TensorKernel {
    static var reducer: Reducer { get }
    var axes: [Int]? { get }
    var keepDims: Bool { get }
    init(axes: [Int]?, keepDims: Bool)
}

extension AttributeAxesReduction {
    init(_ node: KernelNode) throws { self.init(axes: try node.ints("axes"), keepDims: try node.int("keepdims", default: 1) != 0) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try Self.reducer.reduce(inputs.required(0), axes: axes, keepDims: keepDims, isLogSumExp: Self.opType == "ReduceLogSumExp")]
    }
}

/// A reduction whose axes are an optional input, with `noop_with_empty_axes`.
protocol InputAxesReduction: TensorKernel {
    static var reducer: Reducer { get }
    var keepDims: Bool { get }
    var noop: Bool { get }
    init(keepDims: Bool, noop: Bool)
}

extension InputAxesReduction {
    static var inputArity: ClosedRange<Int> { 1...2 }
    init(_ node: KernelNode) throws {
        self.init(keepDims: try node.int("keepdims", default: 1) != 0, noop: try node.int("noop_with_empty_axes", default: 0) != 0)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let axes = try inputs.optional(1)?.indexValues() ?? []
        return [try Self.reducer.reduce(inputs.required(0), axes: axes, keepDims: keepDims, noopWithEmptyAxes: noop,
                                        isLogSumExp: Self.opType == "ReduceLogSumExp")]
    }
}

struct ReduceSum_1: AttributeAxesReduction {
    static let opType = "ReduceSum", sinceVersion = 1, reducer = Reducer.sum
    let axes: [Int]?, keepDims: Bool
}
struct ReduceSum_13: InputAxesReduction {
    static let opType = "ReduceSum", sinceVersion = 13, reducer = Reducer.sum
    let keepDims: Bool, noop: Bool
}
struct ReduceMean_1: AttributeAxesReduction {
    static let opType = "ReduceMean", sinceVersion = 1, reducer = Reducer.mean
    let axes: [Int]?, keepDims: Bool
}
struct ReduceMean_18: InputAxesReduction {
    static let opType = "ReduceMean", sinceVersion = 18, reducer = Reducer.mean
    let keepDims: Bool, noop: Bool
}
struct ReduceMax_1: AttributeAxesReduction {
    static let opType = "ReduceMax", sinceVersion = 1, reducer = Reducer.max
    let axes: [Int]?, keepDims: Bool
}
struct ReduceMax_18: InputAxesReduction {
    static let opType = "ReduceMax", sinceVersion = 18, reducer = Reducer.max
    let keepDims: Bool, noop: Bool
}
struct ReduceMin_1: AttributeAxesReduction {
    static let opType = "ReduceMin", sinceVersion = 1, reducer = Reducer.min
    let axes: [Int]?, keepDims: Bool
}
struct ReduceMin_18: InputAxesReduction {
    static let opType = "ReduceMin", sinceVersion = 18, reducer = Reducer.min
    let keepDims: Bool, noop: Bool
}
struct ReduceProd_1: AttributeAxesReduction {
    static let opType = "ReduceProd", sinceVersion = 1, reducer = Reducer.prod
    let axes: [Int]?, keepDims: Bool
}
struct ReduceProd_18: InputAxesReduction {
    static let opType = "ReduceProd", sinceVersion = 18, reducer = Reducer.prod
    let keepDims: Bool, noop: Bool
}
struct ReduceL1_1: AttributeAxesReduction {
    static let opType = "ReduceL1", sinceVersion = 1, reducer = Reducer.l1
    let axes: [Int]?, keepDims: Bool
}
struct ReduceL1_18: InputAxesReduction {
    static let opType = "ReduceL1", sinceVersion = 18, reducer = Reducer.l1
    let keepDims: Bool, noop: Bool
}
struct ReduceL2_1: AttributeAxesReduction {
    static let opType = "ReduceL2", sinceVersion = 1, reducer = Reducer.l2
    let axes: [Int]?, keepDims: Bool
}
struct ReduceL2_18: InputAxesReduction {
    static let opType = "ReduceL2", sinceVersion = 18, reducer = Reducer.l2
    let keepDims: Bool, noop: Bool
}
struct ReduceLogSum_1: AttributeAxesReduction {
    static let opType = "ReduceLogSum", sinceVersion = 1, reducer = Reducer.logSum
    let axes: [Int]?, keepDims: Bool
}
struct ReduceLogSum_18: InputAxesReduction {
    static let opType = "ReduceLogSum", sinceVersion = 18, reducer = Reducer.logSum
    let keepDims: Bool, noop: Bool
}
struct ReduceLogSumExp_1: AttributeAxesReduction {
    static let opType = "ReduceLogSumExp", sinceVersion = 1, reducer = Reducer.logSumExp
    let axes: [Int]?, keepDims: Bool
}
struct ReduceLogSumExp_18: InputAxesReduction {
    static let opType = "ReduceLogSumExp", sinceVersion = 18, reducer = Reducer.logSumExp
    let keepDims: Bool, noop: Bool
}
struct ReduceSumSquare_1: AttributeAxesReduction {
    static let opType = "ReduceSumSquare", sinceVersion = 1, reducer = Reducer.sumSquare
    let axes: [Int]?, keepDims: Bool
}
struct ReduceSumSquare_18: InputAxesReduction {
    static let opType = "ReduceSumSquare", sinceVersion = 18, reducer = Reducer.sumSquare
    let keepDims: Bool, noop: Bool
}
