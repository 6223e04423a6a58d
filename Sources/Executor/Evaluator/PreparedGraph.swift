import ModelIR

/// A graph made ready to run: values numbered into slots, nodes in topological order with their
/// kernels prepared, and for every step the slots whose last reader it is.
final class PreparedGraph: Sendable {
    struct Port: Sendable {
        let name: String
        let slot: Int
        let type: ValueType?
    }

    struct Step: Sendable {
        let label: String
        let opType: String
        let domain: String
        let opset: Int
        let inputNames: [String]
        let kernel: any Kernel
        let requiredInputs: Int
        /// Slot of each input; nil for an omitted optional input.
        let inputs: [Int?]
        /// Slot of each output; nil for an output the node leaves unnamed.
        let outputs: [Int?]
        /// Slots no later step reads.
        let release: [Int]
    }

    let name: String
    let slotNames: [String]
    let slotIndex: [String: Int]
    let inputs: [Port]
    let outputs: [Port]
    /// Initializers, put into their slots before each run (a fed input of the same name replaces one).
    let constants: [(slot: Int, value: RuntimeValue)]
    /// Values read from enclosing graphs, copied into the frame before each run.
    let freeVariables: [(name: String, slot: Int)]
    let steps: [Step]
    /// Slots the subgraphs of some step (If branches, Loop and Scan bodies) read by name rather than
    /// as node inputs: they must hold their values when that step runs.
    let scopeReads: Set<Int>
    /// The steps that compute from shapes, whose results a run may reuse (fast plans only).
    let shapeArithmetic: ShapeArithmetic?

    init(name: String, slotNames: [String], inputs: [Port], outputs: [Port],
         constants: [(slot: Int, value: RuntimeValue)], freeVariables: [(name: String, slot: Int)], steps: [Step],
         scopeReads: Set<Int> = [], shapeArithmetic: ShapeArithmetic? = nil) {
        self.name = name
        self.slotNames = slotNames
        var index: [String: Int] = [:]
        for (slot, name) in slotNames.enumerated() { index[name] = slot }
        slotIndex = index
        self.inputs = inputs
        self.outputs = outputs
        self.constants = constants
        self.freeVariables = freeVariables
        self.steps = steps
        self.scopeReads = scopeReads
        self.shapeArithmetic = shapeArithmetic
    }
}

/// A prepared graph held by a node attribute (an If branch, a Loop or Scan body) or a function body,
/// run through `KernelContext.run(_:inputs:)`.
public struct Subgraph: Sendable {
    let graph: PreparedGraph
    /// False for function bodies, which see no enclosing scope.
    let inheritsScope: Bool

    public var name: String { graph.name }
    public var inputNames: [String] { graph.inputs.map(\.name) }
    public var outputNames: [String] { graph.outputs.map(\.name) }
    public var inputTypes: [ValueType?] { graph.inputs.map(\.type) }
    public var outputTypes: [ValueType?] { graph.outputs.map(\.type) }
}
