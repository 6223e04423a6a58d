import ModelIR

/// Float Add, Sum (two inputs), Sub, Mul and Div in one pass without index arithmetic where both
/// inputs have the same shape, the second is a per-channel vector broadcast over N×C×… (`[C, 1, …]`
/// or `[1, C, 1, …]`), or (numpy broadcasting, opset 7 on) the first is such a vector, one input is
/// a single value or one repeats along the leading axes of the other (a bias `[n]` over `[…, n]`). Anything else runs the step's
/// own kernel.
struct FastBinary: Kernel {
    static let opType = "Binary", sinceVersion = 1
    static let inputArity = 1...variadic
    enum Operation { case add, subtract, multiply, divide }

    /// Where each input's values sit relative to the output's.
    enum Layout: Equatable {
        /// Both inputs have the output's shape.
        case same
        /// One input (the first when `firstRepeats`) holds one value per row of `plane` positions of
        /// the other, rows cycling over its values.
        case channel(plane: Int, firstRepeats: Bool)
        /// One input (the first when `firstRepeats`) holds `period` values, repeated along the other's leading axes.
        case trailing(period: Int, firstRepeats: Bool)
    }

    let operation: Operation
    let fallback: any Kernel
    /// True when the step's kernel broadcasts as numpy does (not opsets 1–6 with their `broadcast`
    /// and `axis`), so that trailing and single-value operands may take the one-pass loops.
    let broadcastsLikeNumpy: Bool

    init(operation: Operation, fallback: any Kernel) {
        self.operation = operation
        self.fallback = fallback
        broadcastsLikeNumpy = !(fallback is any LegacyBinaryNumericKernel)
    }

    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastBinary is made from a prepared kernel") }

    static func replacing(_ step: PreparedGraph.Step) -> FastBinary? {
        guard step.domain.isEmpty, step.inputs.count == 2 else { return nil }
        switch step.opType {
        case "Add", "Sum": return FastBinary(operation: .add, fallback: step.kernel)
        case "Sub": return FastBinary(operation: .subtract, fallback: step.kernel)
        case "Mul": return FastBinary(operation: .multiply, fallback: step.kernel)
        case "Div": return FastBinary(operation: .divide, fallback: step.kernel)
        default: return nil
        }
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard inputs.count == 2, let a = inputs[0]?.tensor, let b = inputs[1]?.tensor,
              a.dataType == .float, b.dataType == .float, let (layout, shape) = layout(a.shape, b.shape) else {
            return try fallback.run(inputs, context: context)
        }
        let y = try a.withElements(Float.self) { xs in
            try b.withElements(Float.self) { ys in
                try Tensor.overwritten(Float.self, shape: shape) { out in
                    guard let x = xs.baseAddress, let y = ys.baseAddress, let o = out.baseAddress else { return }
                    switch operation {
                    case .add: Self.apply(FloatSum.self, layout, x, y, o, shape: shape, firstCount: xs.count, secondCount: ys.count)
                    case .subtract: Self.apply(FloatDifference.self, layout, x, y, o, shape: shape, firstCount: xs.count, secondCount: ys.count)
                    case .multiply: Self.apply(FloatProduct.self, layout, x, y, o, shape: shape, firstCount: xs.count, secondCount: ys.count)
                    case .divide: Self.apply(FloatQuotient.self, layout, x, y, o, shape: shape, firstCount: xs.count, secondCount: ys.count)
                    }
                }
            }
        }
        return [.tensor(y)]
    }

    private static func apply<Op: FloatBinaryOperation>(_: Op.Type, _ layout: Layout, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                                         _ o: UnsafeMutablePointer<Float>, shape: [Int], firstCount: Int, secondCount: Int) {
        switch layout {
        case .same:
            ParallelFor.elements(shape) { chunk in
                for i in chunk { o[i] = Op.apply(x[i], y[i]) }
            }
        case .channel(let plane, let firstRepeats):
            ParallelFor.planes(shape) { row, positions in
                let o = o + row * plane
                if firstRepeats {
                    let v = x[row % firstCount], y = y + row * plane
                    for i in positions { o[i] = Op.apply(v, y[i]) }
                } else {
                    let v = y[row % secondCount], x = x + row * plane
                    for i in positions { o[i] = Op.apply(x[i], v) }
                }
            }
        case .trailing(let period, let firstRepeats):
            let rows = shape.reduce(1, *) / period
            ParallelFor.run(rows, grain: max(1, 32768 / period)) { chunk in
                for row in chunk {
                    let offset = row * period, o = o + offset
                    if period == 1 {
                        if firstRepeats { o[0] = Op.apply(x[0], y[offset]) } else { o[0] = Op.apply(x[offset], y[0]) }
                    } else if firstRepeats {
                        let y = y + offset
                        for j in 0..<period { o[j] = Op.apply(x[j], y[j]) }
                    } else {
                        let x = x + offset
                        for j in 0..<period { o[j] = Op.apply(x[j], y[j]) }
                    }
                }
            }
        }
    }

    /// The one-pass layout of inputs of shapes `a` and `b` and the output's shape, or nil when
    /// the general kernel must run.
    private func layout(_ a: [Int], _ b: [Int]) -> (Layout, [Int])? {
        if a == b { return (.same, a) }
        let countA = a.reduce(1, *), countB = b.reduce(1, *)
        for firstRepeats in [false, true] {
            let (large, small) = firstRepeats ? (b, a) : (a, b)
            guard large.count >= 3, large.count >= small.count, large.reduce(1, *) > 0, firstRepeats ? broadcastsLikeNumpy : true else { continue }
            let channels = large[1], plane = large[2...].reduce(1, *)
            var trimmed = small
            while trimmed.first == 1 && trimmed.count > large.count - 1 { trimmed.removeFirst() }
            if trimmed.count == large.count - 1, trimmed[0] == channels, trimmed.dropFirst().allSatisfy({ $0 == 1 }), plane > 0 {
                return (.channel(plane: plane, firstRepeats: firstRepeats), large)
            }
        }
        guard broadcastsLikeNumpy, countA > 0, countB > 0 else { return nil }
        if countA == countB {
            guard let shape = try? Broadcast.shape(a, b), shape.reduce(1, *) == countA,
                  a.drop(while: { $0 == 1 }) == b.drop(while: { $0 == 1 }) else { return nil }
            return (.same, shape)
        }
        let firstRepeats = countA < countB
        let (small, large) = firstRepeats ? (a, b) : (b, a)
        guard let shape = try? Broadcast.shape(a, b), shape.reduce(1, *) == max(countA, countB) else { return nil }
        let core = Array(small.drop(while: { $0 == 1 }))
        guard core.isEmpty || (core.count <= large.count && Array(large.suffix(core.count)) == core) else { return nil }
        return (.trailing(period: core.reduce(1, *), firstRepeats: firstRepeats), shape)
    }
}

/// A float arithmetic operator for `FastBinary`'s loops, specialized per operator.
private protocol FloatBinaryOperation {
    static func apply(_ a: Float, _ b: Float) -> Float
}

private enum FloatSum: FloatBinaryOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b }
}

private enum FloatDifference: FloatBinaryOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b }
}

private enum FloatProduct: FloatBinaryOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b }
}

private enum FloatQuotient: FloatBinaryOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b }
}

/// Float Transpose as nested strided copies, without an index map.
struct FastTranspose: Kernel {
    static let opType = "Transpose", sinceVersion = 1
    let fallback: Transpose_1

    init(fallback: Transpose_1) { self.fallback = fallback }
    init(_ node: KernelNode) throws { fallback = try Transpose_1(node) }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.dataType == .float, x.rank >= 1 else {
            return try fallback.run(inputs, context: context)
        }
        let permutation = fallback.permutation ?? Array((0..<x.rank).reversed())
        guard permutation.count == x.rank, Set(permutation) == Set(0..<x.rank) else {
            return try fallback.run(inputs, context: context)
        }
        let strides = Strides(x.shape).values
        let shape = permutation.map { x.shape[$0] }
        let sourceStrides = permutation.map { strides[$0] }
        let rank = shape.count
        let inner = shape[rank - 1], innerStride = sourceStrides[rank - 1]
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: shape) { out in
                guard let source = xs.baseAddress, let base = out.baseAddress, out.count > 0 else { return }
                let outer = out.count / max(inner, 1)
                let lineShape = Array(shape.dropLast()), lineStrides = Array(sourceStrides.dropLast())
                ParallelFor.run(outer, grain: max(1, 32768 / max(inner, 1))) { lines in
                    var cursor = StridedCursor(shape: lineShape, strides: lineStrides, position: lines.lowerBound)
                    var target = base + lines.lowerBound * inner
                    for _ in lines {
                        let line = source + cursor.offset
                        if innerStride == 1 {
                            target.update(from: line, count: inner)
                        } else {
                            for i in 0..<inner { target[i] = line[i * innerStride] }
                        }
                        target += inner
                        cursor.advance()
                    }
                }
            }
        }
        return [.tensor(y)]
    }
}
