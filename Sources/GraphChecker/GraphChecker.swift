import ModelIR

/// Checks a model the way `onnx.checker.check_model(model, full_check=True)` does, and lints it.
///
/// Three stages, each adding findings:
/// 1. structure (`StructuralChecker`): IR version, opset imports, names, scoping, topological
///    order, operator schemas and attributes, model-local functions;
/// 2. strict type and shape inference (`ShapeInferencer`), run only when the structure is sound,
///    as ONNX runs it only after its checker passes;
/// 3. lint (`Linter`): warnings beyond ONNX's rules (unused values, dead nodes, old opsets, float64 weights).
///
/// A model is valid when no finding is an error.
public struct GraphChecker: Sendable {
    public var registry: OpSchemaRegistry
    /// Whether to add lint warnings.
    public var lint: Bool

    public init(registry: OpSchemaRegistry = .standard, lint: Bool = true) {
        self.registry = registry
        self.lint = lint
    }

    /// Checks `model`.
    public func check(_ model: Model) -> CheckReport {
        let sink = FindingSink()
        StructuralChecker(registry: registry, sink: sink).check(model)
        var inferred: Model? = nil
        if !sink.hasErrors {
            inferred = inferShapes(model, sink: sink)
        }
        if lint {
            Linter(sink: sink).lint(model)
        }
        let findings = sink.findings
        let failing = orderedUnique(findings.filter { $0.level == .error }.compactMap(\.node))
        let failingSet = Set(failing)
        let passing = model.graph.nodes.map(\.label).filter { !failingSet.contains($0) }
        return CheckReport(findings: findings, passingNodes: passing, failingNodes: failing,
                           inferred: inferred.map(InferredModel.init))
    }

    /// The model with every inferred intermediate type recorded in `graph.valueInfo` (and in the
    /// subgraphs' `valueInfo`), for passes and the harness. Inference errors are not reported here;
    /// use `check` for those.
    public func inferringShapes(of model: Model) -> Model {
        inferShapes(model, sink: FindingSink())
    }

    private func inferShapes(_ model: Model, sink: FindingSink) -> Model {
        var opsets = OpsetImport.versions(model.opsetImports)
        if opsets.isEmpty && model.irVersion < 3 { opsets[""] = 1 }
        var functions: [String: Function] = [:]
        for function in model.functions { functions["\(function.domain)::\(function.name)"] = function }
        let inferencer = ShapeInferencer(registry: registry, sink: sink, opsets: opsets, functions: functions, irVersion: model.irVersion)
        var result = model
        inferencer.infer(&result.graph, parent: nil)
        return result
    }

    private func orderedUnique(_ labels: [String]) -> [String] {
        var seen: Set<String> = []
        return labels.filter { seen.insert($0).inserted }
    }
}
