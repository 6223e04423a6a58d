import ModelIR

/// Runs `then_branch` or `else_branch`; both read the enclosing graph's values by name.
struct If_1: Kernel {
    static let opType = "If", sinceVersion = 1
    static let outputArity = 1...variadic
    let thenBranch: Subgraph
    let elseBranch: Subgraph

    init(_ node: KernelNode) throws {
        thenBranch = try node.subgraph("then_branch")
        elseBranch = try node.subgraph("else_branch")
    }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard case .tensor(let condition)? = inputs.first ?? nil else { throw KernelError.invalidInput("the condition must be a tensor") }
        let branch = try condition.scalarDouble() != 0 ? thenBranch : elseBranch
        return try context.run(branch, inputs: [])
    }
}
