import Executor
import GraphChecker
import ModelIR

/// Lint beyond the ONNX checker that needs the executor: operators the reference executor has no
/// kernel for at the model's opset, which `run` would report as errors at the execute stage.
public enum ExecutorCoverage {
    /// The stable finding code.
    public static let code = "executor-unsupported-op"

    /// One warning per node (subgraphs included) whose operator neither has a kernel nor is a
    /// model-local function.
    public static func findings(for model: Model, registry: KernelRegistry = .standard) -> [Finding] {
        let localFunctions = Set(model.functions.map { "\($0.domain)::\($0.name)" })
        var findings: [Finding] = []
        func visit(_ graph: Graph) {
            for node in graph.nodes {
                node.subgraphs.forEach(visit)
                let domain = node.canonicalDomain
                guard !localFunctions.contains("\(node.domain)::\(node.opType)") else { continue }
                let opset = Int(clamping: model.opsetVersion(for: domain) ?? 1)
                guard registry.kernel(domain: domain, opType: node.opType, opset: opset) == nil else { continue }
                let qualified = domain.isEmpty ? node.opType : "\(domain).\(node.opType)"
                let implemented = registry.versions(domain: domain, opType: node.opType)
                findings.append(Finding(
                    level: .warning, code: code, node: node.label, op: node.opType,
                    message: "node '\(node.label)': the reference executor has no kernel for \(qualified) at opset \(opset)",
                    hint: implemented.isEmpty
                        ? "`modelgate run` will report this model's cells as errors at the execute stage"
                        : "the executor implements \(qualified) from opset \(implemented.map(String.init).joined(separator: ", ")); re-export the model at one of those opsets"))
            }
        }
        visit(model.graph)
        return findings
    }
}
