import ModelIR

/// Unstructured magnitude pruning: the smallest-magnitude weights of `Conv`, `ConvTranspose`,
/// `Gemm`, `MatMul` (constant second input) and recurrent layers (W, R) set to zero.
///
/// `prune_scope=tensor` (default) zeroes exactly `round(N% × count)` elements of each weight tensor
/// (ties broken by position); `prune_scope=global` ranks all pruned weights together, so layers end
/// up with different sparsities but the total is exact. Tensors with fewer than
/// `prune_min_elements` (default 1) elements and nodes in `prune_exclude_nodes` are skipped. A
/// tensor that already has more zeros than asked keeps them. The sparsity is reported per tensor.
public struct MagnitudePruning: GraphPass {
    public let name = "magnitude-pruning"
    public let fraction: Double
    let global: Bool
    let minimumElements: Int
    let excludedNodes: Set<String>

    public static let weightSlots: [String: [Int]] = [
        "Conv": [1], "ConvTranspose": [1], "Gemm": [1], "MatMul": [1], "LSTM": [1, 2], "GRU": [1, 2], "RNN": [1, 2],
    ]

    public init(percent: Double, options: PassOptions = PassOptions()) throws(PassError) {
        fraction = percent / 100
        global = try options.string("prune_scope", default: "tensor", allowed: ["tensor", "global"]) == "global"
        minimumElements = try options.int("prune_min_elements", default: 1)
        excludedNodes = Set(options.list("prune_exclude_nodes") ?? [])
    }

    /// The names of the weight tensors this pass prunes, in graph order.
    func targets(in graph: Graph) -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for node in graph.nodes where node.canonicalDomain.isEmpty && !excludedNodes.contains(node.name) {
            for slot in Self.weightSlots[node.opType] ?? [] where slot < node.inputs.count {
                let name = node.inputs[slot]
                guard let tensor = graph.constant(name), tensor.dataType == .float, tensor.elementCount >= minimumElements,
                      seen.insert(name).inserted else { continue }
                result.append(name)
            }
        }
        return result
    }

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let names = targets(in: model.graph)
        guard !names.isEmpty else { return false }
        var tensors = names.compactMap { model.graph.constant($0) }
        var values = try tensors.map { try $0.floatValues() }
        if global {
            var all: [(magnitude: Float, tensor: Int, index: Int)] = []
            for (t, tensorValues) in values.enumerated() {
                for (i, value) in tensorValues.enumerated() { all.append((abs(value), t, i)) }
            }
            let zeros = Int((Double(all.count) * fraction).rounded())
            all.sort { ($0.magnitude, $0.tensor, $0.index) < ($1.magnitude, $1.tensor, $1.index) }
            for entry in all.prefix(zeros) { values[entry.tensor][entry.index] = 0 }
        } else {
            for t in values.indices {
                let zeros = Int((Double(values[t].count) * fraction).rounded())
                let order = values[t].indices.sorted { (abs(values[t][$0]), $0) < (abs(values[t][$1]), $1) }
                for index in order.prefix(zeros) { values[t][index] = 0 }
            }
        }
        var total = 0, zeroTotal = 0
        for t in tensors.indices {
            let zeroCount = values[t].filter { $0 == 0 }.count
            total += values[t].count
            zeroTotal += zeroCount
            tensors[t] = try tensors[t].asFloat(named: tensors[t].name, values: values[t])
            model.graph.setInitializer(tensors[t])
            context.report(.info, "pruned-tensor", "'\(tensors[t].name)': \(zeroCount) of \(values[t].count) zero ("
                           + percentText(zeroCount, values[t].count) + ")")
        }
        context.report(.info, "pruned", "\(tensors.count) weight tensors pruned: \(zeroTotal) of \(total) weights zero ("
                       + percentText(zeroTotal, total) + ", \(global ? "global" : "per-tensor") magnitude)")
        return true
    }
}

func percentText(_ part: Int, _ whole: Int) -> String {
    guard whole > 0 else { return "0 %" }
    let value = (Double(part) / Double(whole) * 1000).rounded() / 10
    return "\(value) %"
}

/// "1 layer", "3 layers".
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)" + (count == 1 ? "" : "s")
}
