import ModelIR

/// Embedding tables stored as int8 by both int8 paths.
///
/// A `Gather` of rows (axis 0) from a constant float matrix T, with indices computed at run time,
/// becomes `Mul(Cast(Gather(T_q, ids)), Gather(row_scales, ids))`: T as symmetric int8 with one
/// scale per row (`[rows, 1]`, so the gathered scales broadcast over each row). Each gathered row is
/// scaled back by its own scale, and no run dequantizes the whole table, whichever runtime runs
/// the file.
enum EmbeddingTables {
    /// The nodes that replace `node`, in order, the last one writing `node`'s output, with the
    /// table's int8 values and row scales added to `graph`; nil when `node` gathers no rows of a
    /// constant float matrix.
    static func quantizedGather(_ node: Node, graph: inout Graph, names: inout NameGenerator) throws -> [Node]? {
        guard node.opType == "Gather", node.canonicalDomain.isEmpty, node.inputs.count == 2, let table = graph.constant(node.inputs[0]),
              table.dataType == .float, table.rank == 2, graph.constant(node.inputs[1]) == nil,
              [0, -2].contains(node.int("axis", default: 0)) else { return nil }
        let values = try table.floatValues()
        let parameters = QuantizationParameters.symmetricWeights(values, shape: table.shape, axis: 0)
        let quantized = try Tensor(name: names.fresh(table.name + "_quantized"),
                                   converting: parameters.quantize(values, shape: table.shape, axis: 0), to: .int8, shape: table.shape)
        let rowScales = try Tensor(name: names.fresh(table.name + "_row_scale"), shape: [table.shape[0], 1], scalars: parameters.scales)
        graph.initializers.append(contentsOf: [quantized, rowScales])
        let base = node.outputs[0]
        let rows = names.fresh(base + "_int8"), asFloat = names.fresh(base + "_float"), scales = names.fresh(base + "_row_scale")
        return [
            Node(name: names.fresh(base + "_Gather"), opType: "Gather", inputs: [quantized.name, node.inputs[1]], outputs: [rows]),
            Node(name: names.fresh(base + "_Cast"), opType: "Cast", inputs: [rows], outputs: [asFloat],
                 attributes: [Attribute(name: "to", value: .int(Int64(DataType.float.rawValue)))]),
            Node(name: names.fresh(base + "_scale_Gather"), opType: "Gather", inputs: [rowScales.name, node.inputs[1]], outputs: [scales]),
            Node(name: names.fresh(base + "_Mul"), opType: "Mul", inputs: [asFloat, scales], outputs: [base]),
        ]
    }
}
