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
