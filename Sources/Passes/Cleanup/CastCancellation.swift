import ModelIR

/// Removes casts that undo each other or do nothing.
///
/// Matches `Cast(to: T)` of a value already of type T (removed), and `Cast(to: A) → Cast(to: B)`
/// where the first cast widens losslessly (float16 → float, for example) — the second then reads
/// the original value directly; if B is the original type the pair disappears.
public struct CastCancellation: GraphPass {
    public let name = "cast-cancellation"
    public init() {}

    /// Conversions that keep every value exactly.
    static let lossless: Set<[DataType]> = [
        [.float16, .float], [.float16, .double], [.float, .double], [.bfloat16, .float], [.bfloat16, .double],
        [.int8, .int16], [.int8, .int32], [.int8, .int64], [.int16, .int32], [.int16, .int64], [.int32, .int64],
        [.uint8, .int16], [.uint8, .int32], [.uint8, .int64], [.uint8, .float], [.int8, .float], [.int16, .float],
    ]

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let types = ValueTypes(inferring: model)
        var changed = false
        let producers = model.graph.producerIndex()
        var bypasses: [(String, String)] = []
        for (index, node) in model.graph.nodes.enumerated() where node.isONNX("Cast") {
            guard let input = node.inputs.first, let output = node.outputs.first,
                  let target = node.attribute("to")?.int.flatMap({ DataType(rawValue: Int32(truncatingIfNeeded: $0)) }),
                  let source = types.elementType(input) else { continue }
            if source == target {
                bypasses.append((output, input))
                continue
            }
            guard let first = producers[input], model.graph.nodes[first].isONNX("Cast"),
                  let original = model.graph.nodes[first].inputs.first,
                  let originalType = types.elementType(original), Self.lossless.contains([originalType, source]) else { continue }
            if originalType == target {
                bypasses.append((output, original))
            } else if model.graph.nodes[index].inputs[0] != original {
                model.graph.nodes[index].inputs[0] = original
                changed = true
            }
        }
        for (output, input) in bypasses {
            var candidate = model.graph
            guard let position = candidate.nodes.firstIndex(where: { $0.outputs.first == output }) else { continue }
            candidate.nodes.remove(at: position)
            if candidate.bypass(output, with: input) {
                model.graph = candidate
                changed = true
            }
        }
        return changed
    }
}
