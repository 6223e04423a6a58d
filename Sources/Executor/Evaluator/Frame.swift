import Dispatch
import ModelIR

/// The values of one running graph; subgraphs look names up through their parent frames.
final class Frame {
    let graph: PreparedGraph
    var values: [RuntimeValue?]
    let parent: Frame?

    init(graph: PreparedGraph, parent: Frame?) {
        self.graph = graph
        self.parent = parent
        values = Array(repeating: nil, count: graph.slotNames.count)
    }

    /// The value `name` has in this frame or the nearest enclosing one.
    func lookup(_ name: String) -> RuntimeValue? {
        if let slot = graph.slotIndex[name], let value = values[slot] { return value }
        return parent?.lookup(name)
    }
}

/// What a kernel may do besides computing: run its subgraphs.
public struct KernelContext {
    let frame: Frame?

    /// Runs `subgraph` with `inputs` bound to its inputs by position (nil leaves an input unset, so an
    /// initializer of the same name applies); names it does not define are read from the running graph.
    /// - Returns: its outputs in order.
    public func run(_ subgraph: Subgraph, inputs: [RuntimeValue?]) throws(ExecutionError) -> [RuntimeValue?] {
        try Executor.execute(subgraph.graph, inputs: inputs, parent: subgraph.inheritsScope ? frame : nil, capture: nil)
    }
}

/// Receives every value a graph computes, in execution order.
typealias Capture = (String, RuntimeValue) -> Void

enum Executor {
    static func execute(_ graph: PreparedGraph, inputs: [RuntimeValue?], parent: Frame?,
                        capture: Capture?, profile: ExecutionProfile? = nil) throws(ExecutionError) -> [RuntimeValue?] {
        let frame = Frame(graph: graph, parent: parent)
        for constant in graph.constants { frame.values[constant.slot] = constant.value }
        for (index, port) in graph.inputs.enumerated() where index < inputs.count {
            if let value = inputs[index] { frame.values[port.slot] = value }
        }
        for free in graph.freeVariables {
            frame.values[free.slot] = parent?.lookup(free.name)
        }
        let context = KernelContext(frame: frame)
        var arguments: [RuntimeValue?] = []
        profile?.begin(graph)
        var shapeRun = graph.shapeArithmetic?.begin()
        for (position, step) in graph.steps.enumerated() {
            let start = profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            let shapeRole = shapeRun == nil ? nil : graph.shapeArithmetic?.roles[position]
            if let shapeRole, let reused = shapeRun?.reusable(position, role: shapeRole, frame: frame) {
                for (index, slot) in step.outputs.enumerated() { if let slot { frame.values[slot] = reused[index] } }
                for slot in step.release { frame.values[slot] = nil }
                profile?.record(step: position, since: start)
                continue
            }
            arguments.removeAll(keepingCapacity: true)
            for (index, slot) in step.inputs.enumerated() {
                let value = slot.flatMap { frame.values[$0] }
                if value == nil && index < step.requiredInputs {
                    throw .kernelFailed(node: step.label, op: step.opType, domain: step.domain, opset: step.opset,
                                        inputs: describeInputs(step, arguments),
                                        reason: "input \(index) '\(step.inputNames[index])' has no value")
                }
                arguments.append(value)
            }
            let results: [RuntimeValue?]
            do {
                results = try step.kernel.run(arguments, context: context)
            } catch {
                throw .kernelFailed(node: step.label, op: step.opType, domain: step.domain, opset: step.opset,
                                    inputs: describeInputs(step, arguments), reason: String(describing: error))
            }
            for (index, slot) in step.outputs.enumerated() {
                guard let slot else { continue }
                guard index < results.count, let value = results[index] else {
                    throw .kernelFailed(node: step.label, op: step.opType, domain: step.domain, opset: step.opset,
                                        inputs: describeInputs(step, arguments),
                                        reason: "output \(index) '\(graph.slotNames[slot])' was not produced")
                }
                frame.values[slot] = value
                capture?(graph.slotNames[slot], value)
            }
            if let shapeRole { shapeRun?.record(position, role: shapeRole, outputs: results, frame: frame) }
            for slot in step.release { frame.values[slot] = nil }
            profile?.record(step: position, since: start)
        }
        if let shapeRun { graph.shapeArithmetic?.end(shapeRun) }
        return graph.outputs.map { frame.values[$0.slot] }
    }

    private static func describeInputs(_ step: PreparedGraph.Step, _ values: [RuntimeValue?]) -> String {
        let parts = step.inputNames.enumerated().map { index, name -> String in
            if name.isEmpty { return "(omitted)" }
            let value = index < values.count ? values[index]?.summary ?? "no value" : "?"
            return "\(name): \(value)"
        }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}
