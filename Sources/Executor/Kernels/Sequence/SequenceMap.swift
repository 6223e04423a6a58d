import ModelIR

/// Runs `body` on every position of the input sequence (additional sequences give their element
/// at that position, tensors are passed whole) and collects each output into a sequence.
struct SequenceMap_17: Kernel {
    static let opType = "SequenceMap", sinceVersion = 17
    static let inputArity = 1...variadic
    static let outputArity = 1...variadic
    let body: Subgraph

    init(_ node: KernelNode) throws { body = try node.subgraph("body") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard case .sequence(let first)? = inputs.first ?? nil else { throw KernelError.invalidInput("input 0 must be a sequence") }
        var outputs = [[Tensor]](repeating: [], count: body.outputNames.count)
        for position in first.indices {
            var arguments: [RuntimeValue?] = [.tensor(first[position])]
            for input in inputs.dropFirst() {
                switch input {
                case .sequence(let tensors)?:
                    guard position < tensors.count else { throw KernelError.invalidInput("additional sequences are shorter than the input sequence") }
                    arguments.append(.tensor(tensors[position]))
                default:
                    arguments.append(input)
                }
            }
            let results = try context.run(body, inputs: arguments)
            for (index, result) in results.enumerated() {
                guard case .tensor(let tensor)? = result else { throw KernelError.invalidInput("body output \(index) is not a tensor") }
                outputs[index].append(tensor)
            }
        }
        return outputs.map { .sequence($0) }
    }
}
