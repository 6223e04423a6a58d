import ModelIR

/// `Add`, `Subtract`, `Multiply`, `Average`, `Maximum`, `Minimum`: element-wise merges, in the
/// inputs' common layout.
enum MergeMapper: KerasLayerMapper {
    static let classNames = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let inputs = commonLayout(call.inputs, graph: call.graph)
        guard inputs.count >= 2 else { throw call.invalid("expects at least two inputs, got \(inputs.count)") }
        let graph = call.graph
        let names = inputs.map(\.name)
        let output: String
        switch call.className {
        case "Subtract":
            guard inputs.count == 2 else { throw call.invalid("expects exactly two inputs, got \(inputs.count)") }
            output = graph.op("Sub", names, hint: call.hint("Sub"))
        case "Maximum": output = graph.op("Max", names, hint: call.hint("Max"))
        case "Minimum": output = graph.op("Min", names, hint: call.hint("Min"))
        case "Multiply": output = chain("Mul", names, call)
        case "Average":
            output = graph.op("Div", [chain("Add", names, call), graph.scalar(Float(inputs.count))], hint: call.hint("Average"))
        default: output = chain("Add", names, call)
        }
        return [inputs[0].with(name: output, shape: broadcastShape(inputs.map(\.shape)))]
    }

    private static func chain(_ op: String, _ names: [String], _ call: KerasLayerCall) -> String {
        var result = names[0]
        for name in names.dropFirst() { result = call.graph.op(op, [result, name], hint: call.hint(op)) }
        return result
    }

    /// The inputs in one layout: channels-first when at least half of them are (the others are
    /// often a channels-last value whose channels-first transpose exists already), Keras's own
    /// otherwise.
    static func commonLayout(_ inputs: [KerasValue], graph: KerasGraphBuilder) -> [KerasValue] {
        let ranks = Set(inputs.map(\.rank))
        let channelsFirstCount = inputs.filter { $0.layout == .channelsFirst }.count
        if ranks.count == 1, let rank = ranks.first, rank >= 3, channelsFirstCount > 0, 2 * channelsFirstCount >= inputs.count {
            return inputs.map { $0.with(name: graph.channelsFirst($0), layout: .channelsFirst) }
        }
        return inputs.map { graph.nativeValue($0) }
    }

    static func broadcastShape(_ shapes: [[Int?]]) -> [Int?] {
        let rank = shapes.map(\.count).max() ?? 0
        var result = [Int?](repeating: nil, count: rank)
        for shape in shapes {
            for (index, size) in shape.enumerated() {
                let position = rank - shape.count + index
                if let size, size != 1 || result[position] == nil { result[position] = size }
            }
        }
        result[0] = nil
        return result
    }
}
