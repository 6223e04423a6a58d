import ModelIR

/// UNIDIRECTIONAL_SEQUENCE_LSTM as an ONNX Loop over the time steps that computes TFLite's
/// LSTM cell, cell clipping included (TensorFlow's converter fuses Keras LSTMs with
/// `cell_clip` 10, which ONNX's LSTM operator cannot express: its `clip` bounds the gates'
/// inputs, not the cell state).
///
/// TFLite's 24 inputs are the sequence, four input-to-gate and four recurrent-to-gate weight
/// matrices ([cells, inputs] and [cells, outputs], gates i, f, c, o), three peephole vectors,
/// four gate biases, the projection, the output and cell state and four layer-norm vectors. Per
/// step t, with the sequence time-major: z = xₜ·Wᵀ + h·Rᵀ + b split into i, f, g, o;
/// i = σ(i + pᵢ⊙c), f = σ(f + p_f⊙c), c' = clip(f⊙c + i⊙act(g)), o = σ(o + pₒ⊙c'),
/// h' = o⊙act(c'), where act is the fused activation (TANH, RELU or NONE). The state inputs
/// are variable tensors the interpreter starts at zero: when nothing writes them, the loop
/// starts from zeros too.
///
/// Refused, naming the operator: the coupled input-forget gate (no input-gate weights), the
/// projection, layer normalization, diagonal recurrent weights, and integer sequences (the
/// full-integer LSTM with 16-bit intermediates).
extension TFLiteGraphBuilder {
    private enum LSTMInput {
        static let sequence = 0
        static let inputWeights = 1...4
        static let recurrentWeights = 5...8
        static let peepholes = 9...11
        static let biases = 12...15
        static let projection = 16...17
        static let outputState = 18
        static let cellState = 19
        static let layerNorm = 20...23
    }

    func convertUnidirectionalSequenceLSTM(_ op: TFLiteOperator) throws(ModelFormatError) {
        let sequenceIndex = try requiredInput(op, LSTMInput.sequence)
        let output = try requiredOutput(op)
        let table = op.options
        let activation = try table?.int8(0, "fused_activation_function") ?? 0
        let cellClip = try table?.float(1, "cell_clip") ?? 0
        let timeMajor = try table?.bool(3, "time_major") ?? false
        let diagonal = try table?.bool(5, "diagonal_recurrent_tensors") ?? false
        guard cellClip >= 0, cellClip.isFinite else { throw malformed("cell_clip \(cellClip) must be a finite non-negative bound") }
        guard !diagonal else { throw unsupported("diagonal recurrent weights are not imported") }
        guard input(op, LSTMInput.inputWeights.lowerBound) != nil, input(op, LSTMInput.recurrentWeights.lowerBound) != nil else {
            throw unsupported("the coupled input and forget gate (CIFG: no input-gate weights) is not imported")
        }
        guard LSTMInput.projection.allSatisfy({ input(op, $0) == nil }) else { throw unsupported("the LSTM projection is not imported") }
        guard LSTMInput.layerNorm.allSatisfy({ input(op, $0) == nil }) else { throw unsupported("the layer-normalized LSTM is not imported") }
        let sequenceType = try dataType(sequenceIndex)
        guard sequenceType == .float else {
            throw unsupported("the LSTM runs on \(sequenceType) sequences (the full-integer LSTM); ModelGate imports float LSTMs "
                              + "(float32, float16 or int8 weights); quantize the model with the recurrent layers unrolled")
        }
        guard [0, 1, 4].contains(activation) else {
            throw unsupported("the LSTM's fused activation \(activation) is not imported (TANH, RELU or NONE are)")
        }
        let sequenceShape = try shape(sequenceIndex)
        guard sequenceShape.count == 3 else { throw unsupported("the sequence must have rank 3, not \(sequenceShape.count)") }
        let steps = timeMajor ? sequenceShape[0] : sequenceShape[1]
        let batch = timeMajor ? sequenceShape[1] : sequenceShape[0]
        let inputWeightsShape = try shape(try requiredInput(op, LSTMInput.inputWeights.lowerBound))
        let recurrentShape = try shape(try requiredInput(op, LSTMInput.recurrentWeights.lowerBound))
        guard inputWeightsShape.count == 2, recurrentShape.count == 2, recurrentShape[0] == inputWeightsShape[0], recurrentShape[1] == recurrentShape[0],
              steps >= 0, batch >= 1 else {
            throw malformed("sequence \(sequenceShape), input weights \(inputWeightsShape) and recurrent weights \(recurrentShape) do not describe one LSTM without projection")
        }
        let cells = inputWeightsShape[0]
        let name = hint(output)

        func gates(_ positions: ClosedRange<Int>, what: String) throws(ModelFormatError) -> [String] {
            var values: [String] = []
            for position in positions {
                guard let index = input(op, position) else { throw malformed("input \(position), the \(what) of gate \(position - positions.lowerBound), is missing") }
                values.append(try value(index))
            }
            return values
        }
        let inputWeights = transpose(self.op("Concat", try gates(LSTMInput.inputWeights, what: "input weights"), [.int("axis", 0)], hint: "\(name)/W"), perm: [1, 0])
        let recurrentWeights = transpose(self.op("Concat", try gates(LSTMInput.recurrentWeights, what: "recurrent weights"), [.int("axis", 0)], hint: "\(name)/R"),
                                         perm: [1, 0])
        let bias = self.op("Concat", try gates(LSTMInput.biases, what: "bias"), [.int("axis", 0)], hint: "\(name)/B")
        let peepholes = LSTMInput.peepholes.compactMap { input(op, $0) }
        guard peepholes.isEmpty || peepholes.count == 3 else { throw unsupported("peepholes on only some gates are not imported") }
        let peephole = peepholes.isEmpty ? nil : try gates(LSTMInput.peepholes, what: "peephole")
        let sequence = timeMajor ? try value(sequenceIndex) : transpose(try value(sequenceIndex), perm: [1, 0, 2])
        let zeros = try context.addInitializer(context.tensorOf(shape: [batch, cells], scalars: [Float](repeating: 0, count: batch * cells), hint: "\(name)/zero_state"),
                                               hint: "\(name)/zero_state")
        let initialOutput = try initialState(op, LSTMInput.outputState) ?? zeros
        let initialCell = try initialState(op, LSTMInput.cellState) ?? zeros

        let outerNodes = nodes
        nodes = []
        let iteration = context.freshName("\(name)/step")
        let conditionIn = context.freshName("\(name)/condition_in")
        let hidden = context.freshName("\(name)/h")
        let cell = context.freshName("\(name)/c")
        let x = self.op("Gather", [sequence, iteration], [.int("axis", 0)], hint: "\(name)/x_t")
        let projected = self.op("Add", [self.op("MatMul", [x, inputWeights], hint: "\(name)/input_gates"),
                                        self.op("MatMul", [hidden, recurrentWeights], hint: "\(name)/recurrent_gates")], hint: "\(name)/gates_unbiased")
        let parts = add("Split", [self.op("Add", [projected, bias], hint: "\(name)/gates")], [.int("axis", 1)], hint: "\(name)/gate", outputs: 4)
        func peeped(_ gate: Int, _ state: String) -> String {
            guard let peephole else { return parts[gate] }
            let weights = peephole[gate == 3 ? 2 : gate]
            return self.op("Add", [parts[gate], self.op("Mul", [weights, state], hint: "\(name)/peephole\(gate)")], hint: "\(name)/peeped\(gate)")
        }
        func activated(_ value: String, _ what: String) -> String {
            switch activation {
            case 1: self.op("Relu", [value], hint: "\(name)/\(what)")
            case 4: self.op("Tanh", [value], hint: "\(name)/\(what)")
            default: value
            }
        }
        let inputGate = self.op("Sigmoid", [peeped(0, cell)], hint: "\(name)/i")
        let forgetGate = self.op("Sigmoid", [peeped(1, cell)], hint: "\(name)/f")
        var nextCell = self.op("Add", [self.op("Mul", [forgetGate, cell], hint: "\(name)/kept"),
                                       self.op("Mul", [inputGate, activated(parts[2], "g")], hint: "\(name)/written")], hint: "\(name)/c_unclipped")
        if cellClip > 0 {
            nextCell = self.op("Clip", [nextCell, try context.floatScalar(-cellClip), try context.floatScalar(cellClip)], hint: "\(name)/c_clipped")
        }
        let outputGate = self.op("Sigmoid", [peeped(3, nextCell)], hint: "\(name)/o")
        let nextHidden = self.op("Mul", [outputGate, activated(nextCell, "c_activated")], hint: "\(name)/h_next")
        var bodyOutputs: [ValueInfo] = []
        for (source, type) in [(conditionIn, DataType.bool), (nextHidden, .float), (nextCell, .float), (nextHidden, .float)] {
            let result = self.op("Identity", [source], hint: "\(source)/out")
            bodyOutputs.append(ValueInfo(name: result, elementType: type, shape: nil))
        }
        let body = Graph(name: "\(name)/lstm_step", nodes: nodes,
                         inputs: [ValueInfo(name: iteration, elementType: .int64, shape: TensorShape(fixed: [])),
                                  ValueInfo(name: conditionIn, elementType: .bool, shape: TensorShape(fixed: [])),
                                  ValueInfo(name: hidden, elementType: .float, shape: nil), ValueInfo(name: cell, elementType: .float, shape: nil)],
                         outputs: bodyOutputs)
        nodes = outerNodes
        let tripCount = try context.addInitializer(Tensor(name: "", scalar: Int64(steps)), hint: "\(name)/steps")
        let results = add("Loop", [tripCount, "", initialOutput, initialCell], [Attribute(name: "body", value: .graph(body))], hint: name, outputs: 3)
        try setOutput(output, timeMajor ? results[2] : transpose(results[2], perm: [1, 0, 2]))
    }

    /// The initial state of input `position`, nil (zeros) for a variable tensor nothing has written.
    private func initialState(_ op: TFLiteOperator, _ position: Int) throws(ModelFormatError) -> String? {
        guard let index = input(op, position) else { return nil }
        if values[Int(index)] == nil, !(try isConstant(index)), try tensor(index).isVariable { return nil }
        return try value(index)
    }
}
