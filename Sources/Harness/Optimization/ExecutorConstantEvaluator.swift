import Executor
import ModelIR
import Passes

/// Constant folding's evaluator: runs one node on the reference executor.
public struct ExecutorConstantEvaluator: ConstantEvaluating {
    public init() {}

    public func evaluate(_ node: Node, inputs: [Tensor?], opsetImports: [OpsetImport]) throws -> [Tensor] {
        var initializers: [Tensor] = []
        for (name, value) in zip(node.inputs, inputs) where !name.isEmpty {
            guard var tensor = value else { continue }
            tensor.name = name
            if !initializers.contains(where: { $0.name == name }) { initializers.append(tensor) }
        }
        let outputs = node.outputs.filter { !$0.isEmpty }.map { ValueInfo(name: $0) }
        let graph = Graph(name: "fold", nodes: [node], initializers: initializers, outputs: outputs)
        let evaluator = try Evaluator(model: Model(opsetImports: opsetImports, graph: graph))
        let result = try evaluator.run([:])
        return try result.outputs.map { named in
            guard let tensor = named.value.tensor else { throw ExecutionError.missingOutput(name: named.name) }
            return tensor
        }
    }
}
