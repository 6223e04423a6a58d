import ModelIR

/// Runs `body` while the trip count `M` and the condition allow, threading the loop-carried values
/// and stacking the scan outputs along a new first axis.
struct Loop_1: Kernel {
    static let opType = "Loop", sinceVersion = 1
    static let inputArity = 2...variadic
    static let requiredInputs = 0
    static let outputArity = 1...variadic
    let body: Subgraph
    /// An upper bound on iterations when neither a trip count nor a condition stops the loop.
    static let maxIterations = 10_000_000

    init(_ node: KernelNode) throws {
        body = try node.subgraph("body")
        let carried = node.inputCount - 2
        guard body.inputNames.count == carried + 2, body.outputNames.count >= carried + 1 else {
            throw KernelError.invalidAttribute("body has \(body.inputNames.count) inputs and \(body.outputNames.count) outputs for \(carried) loop-carried values")
        }
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let tripCount = try inputs[0].map { value -> Int in
            guard case .tensor(let tensor) = value else { throw KernelError.invalidInput("M must be a tensor") }
            return try tensor.scalarInt()
        }
        var condition = try inputs[1].map { value -> Bool in
            guard case .tensor(let tensor) = value else { throw KernelError.invalidInput("cond must be a tensor") }
            return try tensor.scalarDouble() != 0
        } ?? true
        var carried = Array(inputs.dropFirst(2))
        let scanCount = body.outputNames.count - 1 - carried.count
        var scans = [[RuntimeValue]](repeating: [], count: scanCount)
        var iteration = 0
        while condition && iteration < (tripCount ?? Self.maxIterations) {
            let outputs = try context.run(body, inputs: [.tensor(Tensor(scalar: Int64(iteration))), .tensor(Tensor(scalar: condition))] + carried)
            guard case .tensor(let next)? = outputs[0] else { throw KernelError.invalidInput("the body's condition output is not a tensor") }
            condition = try next.scalarDouble() != 0
            carried = Array(outputs[1..<(1 + carried.count)])
            for index in 0..<scanCount {
                guard let value = outputs[1 + carried.count + index] else { throw KernelError.invalidInput("scan output \(index) has no value") }
                scans[index].append(value)
            }
            iteration += 1
        }
        let stacked: [RuntimeValue?] = try scans.map { values in
            let tensors = try values.map { value -> Tensor in
                guard case .tensor(let tensor) = value else { throw KernelError.unsupported("scan outputs of sequences are not supported") }
                return tensor
            }
            return .tensor(try stack(tensors))
        }
        return carried + stacked
    }
}

/// Tensors of one shape stacked along a new first axis (an empty float [0] for none).
func stack(_ tensors: [Tensor]) throws -> Tensor {
    guard let first = tensors.first else { return try Tensor(zeros: .float, shape: [0]) }
    let parts = try tensors.map { try $0.reshaped(to: [1] + $0.shape) }
    guard tensors.allSatisfy({ $0.shape == first.shape }) else { throw KernelError.invalidInput("scan outputs change shape between iterations") }
    return try Tensor.concatenating(parts, axis: 0)
}
