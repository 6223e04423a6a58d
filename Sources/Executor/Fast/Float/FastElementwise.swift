import ModelIR

/// Float Add, Sum (two inputs) and Mul where both inputs have the same shape, or the second is a
/// per-channel vector broadcast over N×C×… (`[C, 1, …]` or `[1, C, 1, …]`): one pass without index
/// arithmetic. Anything else runs the step's own kernel.
struct FastBinary: Kernel {
    static let opType = "Binary", sinceVersion = 1
    static let inputArity = 1...variadic
    enum Operation { case add, multiply }

    let operation: Operation
    let fallback: any Kernel

    init(operation: Operation, fallback: any Kernel) {
        self.operation = operation
        self.fallback = fallback
    }

    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastBinary is made from a prepared kernel") }

    static func replacing(_ step: PreparedGraph.Step) -> FastBinary? {
        guard step.domain.isEmpty, step.inputs.count == 2 else { return nil }
        switch step.opType {
        case "Add", "Sum": return FastBinary(operation: .add, fallback: step.kernel)
        case "Mul": return FastBinary(operation: .multiply, fallback: step.kernel)
        default: return nil
        }
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard inputs.count == 2, let a = inputs[0]?.tensor, let b = inputs[1]?.tensor,
              a.dataType == .float, b.dataType == .float, let channelSize = layout(a.shape, b.shape) else {
            return try fallback.run(inputs, context: context)
        }
        let count = a.elementCount
        let y = try a.withElements(Float.self) { xs in
            try b.withElements(Float.self) { ys in
                try Tensor.overwritten(Float.self, shape: a.shape) { out in
                    guard let x = xs.baseAddress, let y = ys.baseAddress, let o = out.baseAddress else { return }
                    let plane = a.rank >= 2 ? a.shape[2...].reduce(1, *) : count
                    if channelSize == 0 {
                        ParallelFor.elements(a.shape) { chunk in
                            switch operation {
                            case .add: for i in chunk { o[i] = x[i] + y[i] }
                            case .multiply: for i in chunk { o[i] = x[i] * y[i] }
                            }
                        }
                    } else {
                        let channels = ys.count
                        ParallelFor.planes(a.shape) { row, positions in
                            let v = y[row % channels], x = x + row * plane, o = o + row * plane
                            switch operation {
                            case .add: for i in positions { o[i] = x[i] + v }
                            case .multiply: for i in positions { o[i] = x[i] * v }
                            }
                        }
                    }
                }
            }
        }
        return [.tensor(y)]
    }

    /// 0 for equal shapes, the plane size for a per-channel `b`, nil otherwise.
    private func layout(_ a: [Int], _ b: [Int]) -> Int? {
        if a == b { return 0 }
        guard a.count >= 3, a.elementCount > 0 else { return nil }
        let channels = a[1], plane = a[2...].reduce(1, *)
        var trimmed = b
        while trimmed.first == 1 && trimmed.count > a.count - 1 { trimmed.removeFirst() }
        guard trimmed.count == a.count - 1, trimmed[0] == channels, trimmed.dropFirst().allSatisfy({ $0 == 1 }), plane > 0 else { return nil }
        return plane
    }
}

private extension Array where Element == Int {
    var elementCount: Int { reduce(1, *) }
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

/// Float Relu in one pass (NaN stays NaN); other types run the step's own kernel.
struct FastRelu: Kernel {
    static let opType = "Relu", sinceVersion = 1
    let fallback: any Kernel

    init(fallback: any Kernel) { self.fallback = fallback }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastRelu is made from a prepared kernel") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard inputs.count == 1, let x = inputs[0]?.tensor, x.dataType == .float else {
            return try fallback.run(inputs, context: context)
        }
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress else { return }
                ParallelFor.elements(x.shape) { chunk in
                    for i in chunk { let v = source[i]; target[i] = v < 0 ? 0 : v }
                }
            }
        }
        return [.tensor(y)]
    }
}
