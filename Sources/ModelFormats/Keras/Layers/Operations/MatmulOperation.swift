import ModelIR

/// `keras.ops.matmul` (`x @ y`, NumPy broadcasting of the leading axes) and `keras.ops.einsum`
/// on tensors or constant operands.
enum MatmulOperationMapper: KerasLayerMapper {
    static let classNames = ["Matmul", "Einsum"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let graph = call.graph
        if call.className == "Einsum" {
            guard let subscripts = call.parameter("subscripts")?.string else { throw call.invalid("the configuration has no subscripts") }
            var operands: [KerasValue] = []
            for index in call.arguments.positional.indices {
                operands.append(try value(call.operand(index), call: call, index: index))
            }
            return [try einsum(subscripts, operands, call: call)]
        }
        let a = try value(call.operand(0, keyword: "x1"), call: call, index: 0)
        let b = try value(call.operand(1, keyword: "x2"), call: call, index: 1)
        guard a.rank >= 1, b.rank >= 1 else { throw call.invalid("matmul needs operands of rank 1 or more") }
        let output = graph.op("MatMul", [a.name, b.name], hint: call.hint("MatMul"))
        let shape: [Int?]
        switch (a.rank, b.rank) {
        case (1, 1): shape = []
        case (1, _): shape = Array(b.shape.dropLast(2)) + [b.shape.last ?? nil]
        case (_, 1): shape = Array(a.shape.dropLast())
        default:
            let batch = MergeMapper.broadcastShape([[nil] + a.shape.dropLast(2), [nil] + b.shape.dropLast(2)]).dropFirst()
            shape = Array(batch) + [a.shape[a.rank - 2], b.shape[b.rank - 1]]
        }
        return [KerasValue(name: output, shape: shape, layout: .native, dataType: a.dataType)]
    }

    /// A float operand in Keras's layout; constants become initializers.
    private static func value(_ operand: KerasOperand, call: KerasLayerCall, index: Int) throws(KerasImportError) -> KerasValue {
        switch operand {
        case .tensor(let value):
            let native = call.graph.nativeValue(value)
            return native.dataType.isFloatingPoint ? native : ElementwiseBinaryOperationMapper.cast(native, to: .float, call: call, suffix: "\(index)")
        case .constant(let constant):
            let name = try call.constantTensor(constant, as: .float, what: "operand_\(index)")
            return KerasValue(name: name, shape: constant.shape.map { Optional($0) }, layout: .native, dataType: .float)
        }
    }

    /// ONNX Einsum with the output shape read from the equation (explicit `->` form, no ellipsis).
    private static func einsum(_ subscripts: String, _ operands: [KerasValue], call: KerasLayerCall) throws(KerasImportError) -> KerasValue {
        let equation = subscripts.filter { !$0.isWhitespace }
        let sides = equation.components(separatedBy: "->")
        guard sides.count == 2, !equation.contains(".") else {
            throw call.unsupported("einsum '\(subscripts)'", "write the equation with an explicit '->' output and without '...'")
        }
        let terms = sides[0].split(separator: ",", omittingEmptySubsequences: false).map(Array.init)
        guard terms.count == operands.count else { throw call.invalid("einsum '\(subscripts)' names \(terms.count) operands, got \(operands.count)") }
        var sizes: [Character: Int?] = [:]
        for (term, operand) in zip(terms, operands) {
            guard term.count == operand.rank else { throw call.invalid("einsum term '\(String(term))' does not fit an operand of rank \(operand.rank)") }
            for (letter, size) in zip(term, operand.shape) where sizes[letter] == nil || sizes[letter] == .some(nil) {
                sizes[letter] = size
            }
        }
        let shape = sides[1].map { sizes[$0] ?? nil }
        let output = call.graph.op("Einsum", operands.map(\.name), [.string("equation", equation)], hint: call.hint("Einsum"))
        return KerasValue(name: output, shape: shape, layout: .native, dataType: .float)
    }
}
