import ModelIR

/// Running sums (or products) along an axis, optionally exclusive and/or reversed.
struct Cumulative {
    let exclusive: Bool, reverse: Bool, product: Bool

    func apply(_ x: Tensor, axis axisTensor: Tensor) throws -> Tensor {
        let axis = try normalizedAxis(axisTensor.scalarInt(), rank: x.rank)
        let outer = x.shape[..<axis].reduce(1, *), length = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        if x.dataType == .int64 || x.dataType == .int32 {
            let values = try x.int64Values()
            var result = values
            run(outer, length, inner, identity: product ? 1 : 0) { result[$0] = $1 } value: { values[$0] } combine: { product ? $0 &* $1 : $0 &+ $1 }
            return try cast(Tensor(shape: x.shape, scalars: result), to: x.dataType, saturate: false)
        }
        let values = try x.doubleValues()
        var result = values
        run(outer, length, inner, identity: product ? 1.0 : 0.0) { result[$0] = $1 } value: { values[$0] } combine: { product ? $0 * $1 : $0 + $1 }
        return try Tensor(converting: result, to: x.dataType, shape: x.shape)
    }

    private func run<T>(_ outer: Int, _ length: Int, _ inner: Int, identity: T, store: (Int, T) -> Void,
                        value: (Int) -> T, combine: (T, T) -> T) {
        for o in 0..<outer {
            for i in 0..<inner {
                var running = identity
                for step in 0..<length {
                    let k = reverse ? length - 1 - step : step
                    let index = (o * length + k) * inner + i
                    if exclusive {
                        store(index, running)
                        running = combine(running, value(index))
                    } else {
                        running = combine(running, value(index))
                        store(index, running)
                    }
                }
            }
        }
    }
}

struct CumSum_11: TensorKernel {
    static let opType = "CumSum", sinceVersion = 11
    static let inputArity = 2...2
    let cumulative: Cumulative
    init(_ node: KernelNode) throws {
        cumulative = Cumulative(exclusive: try node.int("exclusive", default: 0) != 0, reverse: try node.int("reverse", default: 0) != 0, product: false)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try cumulative.apply(inputs.required(0), axis: inputs.required(1))] }
}

struct CumProd_26: TensorKernel {
    static let opType = "CumProd", sinceVersion = 26
    static let inputArity = 2...2
    let cumulative: Cumulative
    init(_ node: KernelNode) throws {
        cumulative = Cumulative(exclusive: try node.int("exclusive", default: 0) != 0, reverse: try node.int("reverse", default: 0) != 0, product: true)
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try cumulative.apply(inputs.required(0), axis: inputs.required(1))] }
}
