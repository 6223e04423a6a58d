import ModelIR

/// Opset 9 and later: iterates `body` over slices of the scan inputs along their scan axes,
/// threading state variables and stacking scan outputs.
struct Scan_9: Kernel {
    static let opType = "Scan", sinceVersion = 9
    static let inputArity = 1...variadic
    static let outputArity = 1...variadic
    let body: Subgraph
    let scanInputs: Int
    let inputDirections: [Int], outputDirections: [Int]
    let inputAxes: [Int], outputAxes: [Int]

    init(_ node: KernelNode) throws {
        body = try node.subgraph("body")
        scanInputs = try node.requiredInt("num_scan_inputs")
        let states = node.inputCount - scanInputs
        let scanOutputs = node.outputCount - states
        guard states >= 0, scanOutputs >= 0 else { throw KernelError.invalidAttribute("num_scan_inputs \(scanInputs) does not fit the node") }
        inputDirections = try node.ints("scan_input_directions", default: [Int](repeating: 0, count: scanInputs))
        outputDirections = try node.ints("scan_output_directions", default: [Int](repeating: 0, count: scanOutputs))
        inputAxes = try node.ints("scan_input_axes", default: [Int](repeating: 0, count: scanInputs))
        outputAxes = try node.ints("scan_output_axes", default: [Int](repeating: 0, count: scanOutputs))
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let states = inputs.count - scanInputs
        var state = Array(inputs[..<states])
        let sequences = try inputs[states...].map { value -> Tensor in
            guard case .tensor(let tensor)? = value else { throw KernelError.invalidInput("scan inputs must be tensors") }
            return tensor
        }
        let axes = try sequences.enumerated().map { try normalizedAxis(inputAxes[$0.offset], rank: $0.element.rank) }
        guard let length = sequences.first.map({ $0.shape[axes[0]] }) else { throw KernelError.invalidInput("no scan inputs") }
        guard sequences.enumerated().allSatisfy({ $0.element.shape[axes[$0.offset]] == length }) else {
            throw KernelError.invalidInput("scan inputs have different lengths")
        }
        var outputs = [[Tensor]](repeating: [], count: body.outputNames.count - states)
        for step in 0..<length {
            var stepInputs = state
            for (index, sequence) in sequences.enumerated() {
                let position = inputDirections[index] == 1 ? length - 1 - step : step
                let slice = try slice(sequence, starts: [position], ends: [position + 1], axes: [axes[index]], steps: nil)
                stepInputs.append(.tensor(try squeeze(slice, [axes[index]])))
            }
            let results = try context.run(body, inputs: stepInputs)
            state = Array(results[..<states])
            for index in outputs.indices {
                guard case .tensor(let tensor)? = results[states + index] else { throw KernelError.invalidInput("scan output \(index) is not a tensor") }
                outputs[index].append(tensor)
            }
        }
        let stacked: [RuntimeValue?] = try outputs.enumerated().map { index, tensors in
            let ordered = outputDirections.count > index && outputDirections[index] == 1 ? tensors.reversed() : tensors
            var result = try stack(ordered)
            let axis = outputAxes.count > index ? try normalizedAxis(outputAxes[index], rank: result.rank) : 0
            if axis != 0 {
                var permutation = Array(1..<result.rank)
                permutation.insert(0, at: axis)
                let (shape, map) = try Indexing.transposed(result.shape, permutation: permutation)
                result = try result.gathering(shape: shape, sourceIndices: map)
            }
            return .tensor(result)
        }
        return state + stacked
    }
}

/// Opset 8: like later Scan but with a leading batch axis on states and scan inputs (the scan axis
/// is then axis 1) and an optional first input of per-batch sequence lengths.
struct Scan_8: Kernel {
    static let opType = "Scan", sinceVersion = 8
    static let inputArity = 2...variadic
    static let requiredInputs = 0
    static let outputArity = 1...variadic
    let body: Subgraph
    let scanInputs: Int
    let directions: [Int]

    init(_ node: KernelNode) throws {
        body = try node.subgraph("body")
        scanInputs = try node.requiredInt("num_scan_inputs")
        directions = try node.ints("directions", default: [Int](repeating: 0, count: scanInputs))
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let values = try inputs.dropFirst().map { value -> Tensor in
            guard case .tensor(let tensor)? = value else { throw KernelError.invalidInput("Scan inputs must be tensors") }
            return tensor
        }
        let states = values.count - scanInputs
        guard states >= 0, let batch = values.first?.shape.first else { throw KernelError.invalidInput("no inputs to scan") }
        let lengths = try inputs.first.flatMap { $0?.tensor }.map { try $0.indexValues() }
        var perBatch: [[Tensor]] = []
        for b in 0..<batch {
            var state = try values[..<states].map { try squeeze(slice($0, starts: [b], ends: [b + 1], axes: [0], steps: nil), [0]) }
            let sequences = try values[states...].map { try squeeze(slice($0, starts: [b], ends: [b + 1], axes: [0], steps: nil), [0]) }
            let length = lengths.map { $0[b] } ?? sequences.first?.shape.first ?? 0
            var outputs = [[Tensor]](repeating: [], count: body.outputNames.count - states)
            for step in 0..<length {
                var stepInputs = state.map { RuntimeValue.tensor($0) } as [RuntimeValue?]
                for (index, sequence) in sequences.enumerated() {
                    let position = directions.count > index && directions[index] == 1 ? length - 1 - step : step
                    stepInputs.append(.tensor(try squeeze(slice(sequence, starts: [position], ends: [position + 1], axes: [0], steps: nil), [0])))
                }
                let results = try context.run(body, inputs: stepInputs)
                state = try results[..<states].map { value -> Tensor in
                    guard case .tensor(let tensor)? = value else { throw KernelError.invalidInput("a state output is not a tensor") }
                    return tensor
                }
                for index in outputs.indices {
                    guard case .tensor(let tensor)? = results[states + index] else { throw KernelError.invalidInput("a scan output is not a tensor") }
                    outputs[index].append(tensor)
                }
            }
            perBatch.append(state + (try outputs.map { try stack($0) }))
        }
        let count = body.outputNames.count
        return try (0..<count).map { index in .tensor(try stack(perBatch.map { $0[index] })) }
    }
}
