import ModelIR

/// The kernel standing for a call of a model-local function.
struct FunctionCall: Kernel {
    static let opType = "<function>"
    static let sinceVersion = 1
    static let inputArity = 0...variadic
    static let outputArity = 0...variadic

    let body: Subgraph

    init(body: Subgraph) { self.body = body }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("a function call is prepared from its function") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        try context.run(body, inputs: inputs)
    }
}
