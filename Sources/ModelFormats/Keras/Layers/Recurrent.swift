import ModelIR

/// `SimpleRNN`, `LSTM`, `GRU`: ONNX RNN, LSTM and GRU nodes (time-major inside), with Keras's
/// gate order (LSTM i, f, c, o → ONNX i, o, f, c; GRU z, r, h in both), GRU's `reset_after` as
/// `linear_before_reset`, and `go_backwards` as a reversed input sequence.
///
/// A `mask` ([batch, time], as Keras 3 passes `Embedding(mask_zero=True)`'s) skips the masked
/// steps wherever they are: the unmasked steps are moved to the front in time order and the
/// recurrence runs over their count (`sequence_lens`); with `return_sequences` each step's output
/// is gathered back to its time, masked steps repeating the last output (zeros with
/// `zero_output_for_mask`, which Bidirectional sets).
enum RecurrentMapper: KerasLayerMapper {
    static let classNames = ["SimpleRNN", "LSTM", "GRU"]
    static let keywordTensors: Set<String> = ["mask"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        let goBackwards = call.bool("go_backwards", default: false)
        let returnSequences = call.bool("return_sequences", default: false)
        let layer = try RecurrentLayer(call, weights: call.weights)
        let mask = try call.sequenceMask()
        if mask != nil, goBackwards { throw call.unsupported("go_backwards=True with a mask", "wrap the layer in Bidirectional, or drop the mask") }
        return [try run(call, input: x, directions: [layer], reverseInput: goBackwards, returnSequences: returnSequences, mergeMode: "concat",
                        mask: mask, zeroOutputForMask: call.bool("zero_output_for_mask", default: false))]
    }

    /// One direction of a recurrent layer: its configuration and weights in ONNX's layout.
    struct RecurrentLayer {
        var op: String
        var units: Int
        var gates: Int
        var weights: [Float]
        var recurrentWeights: [Float]
        var biases: [Float]?
        var activations: [(name: String, alpha: Float?, beta: Float?)]
        var linearBeforeReset: Bool

        init(_ call: KerasLayerCall, weights: [Tensor]) throws(KerasImportError) {
            let config = call.config
            for option in ["return_state", "time_major"] where call.bool(option, default: false) {
                throw call.unsupported("\(option)=True", "convert the layer with \(option)=False")
            }
            units = try call.requiredInt("units")
            guard units >= 1 else { throw call.invalid("units must be at least 1, got \(units)") }
            let useBias = call.bool("use_bias", default: true)
            guard weights.count == (useBias ? 3 : 2) else {
                throw call.invalid("expects \(useBias ? 3 : 2) weights, the file holds \(weights.count)")
            }
            let part = KerasLayerCall(file: call.file, className: call.className, name: call.name, scopedName: call.scopedName, config: config,
                                      weights: weights, inputs: call.inputs, kerasMajorVersion: call.kerasMajorVersion, graph: call.graph)
            let kernel = try part.weight(0, "kernel")
            let recurrent = try part.weight(1, "recurrent_kernel")
            let bias = useBias ? try part.weight(2, "bias") : nil
            let order: [Int]
            switch call.className {
            case "LSTM", "LSTMCell":
                op = "LSTM"; gates = 4; order = [0, 3, 1, 2]
                let recurrentActivation = try KerasActivation.recurrent(config["recurrent_activation"], default: "sigmoid", call: call)
                let activation = try KerasActivation.recurrent(config["activation"], default: "tanh", call: call)
                activations = [recurrentActivation, activation, activation]
            case "GRU", "GRUCell":
                op = "GRU"; gates = 3; order = [0, 1, 2]
                let recurrentActivation = try KerasActivation.recurrent(config["recurrent_activation"], default: "sigmoid", call: call)
                let activation = try KerasActivation.recurrent(config["activation"], default: "tanh", call: call)
                activations = [recurrentActivation, activation]
            default:
                op = "RNN"; gates = 1; order = [0]
                activations = [try KerasActivation.recurrent(config["activation"], default: "tanh", call: call)]
            }
            linearBeforeReset = (call.className == "GRU" || call.className == "GRUCell") && call.bool("reset_after", default: true)
            let width = gates * units
            guard kernel.shape.count == 2, kernel.shape[1] == width, recurrent.shape == [units, width] else {
                throw call.invalid("kernel \(kernel.shape) and recurrent_kernel \(recurrent.shape) do not fit \(units) units")
            }
            self.weights = RecurrentLayer.gateRows(kernel, order: order, units: units)
            recurrentWeights = RecurrentLayer.gateRows(recurrent, order: order, units: units)
            if let bias {
                let unitCount = units
                let reordered = { (values: ArraySlice<Float>) -> [Float] in
                    order.flatMap { gate in values[(values.startIndex + gate * unitCount)..<(values.startIndex + (gate + 1) * unitCount)] }
                }
                if linearBeforeReset {
                    guard bias.count == 2 * width else { throw call.invalid("bias has \(bias.count) values, expected \(2 * width) with reset_after") }
                    biases = reordered(bias.values[0..<width]) + reordered(bias.values[width...])
                } else {
                    guard bias.count == width else { throw call.invalid("bias has \(bias.count) values, expected \(width)") }
                    biases = reordered(bias.values[...]) + Array(repeating: 0, count: width)
                }
            } else {
                biases = nil
            }
        }

        /// Keras [inputs, gates·units] (gate blocks in Keras order) → ONNX [gates·units, inputs] in `order`.
        static func gateRows(_ kernel: KerasArray, order: [Int], units: Int) -> [Float] {
            let inputs = kernel.shape[0]
            let columns = kernel.shape[1]
            var result: [Float] = []
            result.reserveCapacity(kernel.count)
            for gate in order {
                for unit in 0..<units {
                    let column = gate * units + unit
                    for row in 0..<inputs { result.append(kernel.values[row * columns + column]) }
                }
            }
            return result
        }
    }

    /// Runs one or two directions over `input` ([batch, time, features]) and returns the Keras output.
    static func run(_ call: KerasLayerCall, input: KerasValue, directions: [RecurrentLayer], reverseInput: Bool, returnSequences: Bool,
                    mergeMode: String, mask: KerasValue? = nil, zeroOutputForMask: Bool = false) throws(KerasImportError) -> KerasValue {
        let graph = call.graph
        let x = graph.nativeValue(input)
        guard x.rank == 3, let features = x.shape[2] else { throw call.invalid("expects an input [batch, time, features], got \(x.shape)") }
        guard let first = directions.first else { throw call.invalid("has no recurrent layer") }
        let units = first.units
        let count = directions.count
        var timeMajor = graph.transpose(x.name, perm: [1, 0, 2], hint: call.hint("time_major"))
        if reverseInput {
            timeMajor = graph.op("Slice", [timeMajor, graph.int64s([-1]), graph.int64s([Int(Int64.min)]), graph.int64s([0]), graph.int64s([-1])],
                                 hint: call.hint("reversed"))
        }
        let width = first.gates * units
        let w = try graph.floats("\(call.scopedName)/W", directions.flatMap(\.weights), shape: [count, width, features])
        let r = try graph.floats("\(call.scopedName)/R", directions.flatMap(\.recurrentWeights), shape: [count, width, units])
        var inputs = [timeMajor, w, r]
        if directions.allSatisfy({ $0.biases != nil }) {
            inputs.append(try graph.floats("\(call.scopedName)/B", directions.flatMap { $0.biases ?? [] }, shape: [count, 2 * width]))
        }
        let masking = try mask.map { (mask) throws(KerasImportError) -> MaskedSteps in try MaskedSteps(mask, input: x, call: call) }
        if let masking {
            inputs[0] = graph.transpose(masking.compacted, perm: [1, 0, 2], hint: call.hint("time_major"))
            if inputs.count == 3 {
                inputs.append(try graph.floats("\(call.scopedName)/B", Array(repeating: 0, count: count * 2 * width), shape: [count, 2 * width]))
            }
            inputs.append(masking.lengths)
        }
        let activations = directions.flatMap(\.activations)
        var attributes: [Attribute] = [.int("hidden_size", units), .string("direction", count == 2 ? "bidirectional" : "forward"),
                                       .strings("activations", activations.map(\.name))]
        let alphas = activations.compactMap(\.alpha)
        let betas = activations.compactMap(\.beta)
        if !alphas.isEmpty { attributes.append(.floats("activation_alpha", alphas)) }
        if !betas.isEmpty { attributes.append(.floats("activation_beta", betas)) }
        if first.op == "GRU" { attributes.append(.int("linear_before_reset", first.linearBeforeReset ? 1 : 0)) }
        let outputs = graph.add(first.op, inputs, attributes, hint: call.hint(first.op), outputs: 2)
        let merged = mergeMode == "concat" || count == 1
        if returnSequences {
            var batchMajor = graph.transpose(outputs[0], perm: [2, 0, 1, 3], hint: call.hint("batch_major"))
            if let masking {
                batchMajor = masking.scatter(batchMajor, directions: count, units: units, zeroMasked: zeroOutputForMask, call: call)
            }
            let output = merged
                ? graph.reshape(batchMajor, to: [0, 0, -1], hint: call.hint("sequences"))
                : graph.reduce(reduction(mergeMode), batchMajor, axes: [2], keepDims: false, hint: call.hint("merged"))
            return KerasValue(name: output, shape: [nil, x.shape[1], merged ? count * units : units], layout: .native, dataType: .float)
        }
        let output: String
        if count == 1 {
            output = graph.squeeze(outputs[1], axes: [0], hint: call.hint("last"))
        } else {
            let batchMajor = graph.transpose(outputs[1], perm: [1, 0, 2], hint: call.hint("batch_major"))
            output = merged
                ? graph.reshape(batchMajor, to: [0, -1], hint: call.hint("last"))
                : graph.reduce(reduction(mergeMode), batchMajor, axes: [1], keepDims: false, hint: call.hint("merged"))
        }
        return KerasValue(name: output, shape: [nil, merged ? count * units : units], layout: .native, dataType: .float)
    }

    private static func reduction(_ mergeMode: String) -> String {
        switch mergeMode {
        case "mul": return "ReduceProd"
        case "ave": return "ReduceMean"
        default: return "ReduceSum"
        }
    }

    /// The steps a mask keeps, moved to the front of the sequence in time order.
    struct MaskedSteps {
        /// The input [batch, time, features] with the kept steps first.
        var compacted: String
        /// The kept steps per sample, int32 [batch].
        var lengths: String
        /// Per time step, the number of kept steps up to and including it, int64 [batch, time].
        var keptThrough: String
        /// The mask as int64 0/1 [batch, time].
        var mask: String
        var steps: Int

        init(_ maskValue: KerasValue, input x: KerasValue, call: KerasLayerCall) throws(KerasImportError) {
            let graph = call.graph
            guard let steps = x.shape[1], steps > 0 else {
                throw call.unsupported("a mask on a sequence of unknown length", "give the input a fixed number of time steps")
            }
            guard maskValue.rank == 2 else { throw call.invalid("the mask has shape \(maskValue.shape), expected [batch, time]") }
            self.steps = steps
            var native = graph.native(maskValue)
            if maskValue.dataType != .bool {
                native = graph.op("Cast", [native], [.int("to", Int(DataType.bool.rawValue))], hint: call.hint("mask_bool"))
            }
            mask = graph.op("Cast", [native], [.int("to", Int(DataType.int64.rawValue))], hint: call.hint("mask"))
            // Kept steps rank above masked ones, earlier above later: key = mask·2T − t.
            let key = graph.op("Sub", [graph.op("Mul", [mask, graph.int64s([2 * steps])], hint: call.hint("mask_rank")),
                                       graph.int64s(Array(0..<steps))], hint: call.hint("step_key"))
            let order = graph.add("TopK", [key, graph.int64s([steps])], [.int("axis", 1)], hint: call.hint("step_order"), outputs: 2)[1]
            let expanded = graph.op("Expand", [graph.unsqueeze(order, axes: [2], hint: call.hint("step_order_3d")),
                                               graph.op("Shape", [x.name], hint: call.hint("input_shape"))], hint: call.hint("step_index"))
            compacted = graph.op("GatherElements", [x.name, expanded], [.int("axis", 1)], hint: call.hint("kept_steps"))
            lengths = graph.op("Cast", [graph.reduce("ReduceSum", mask, axes: [1], keepDims: false, hint: call.hint("kept_count"))],
                               [.int("to", Int(DataType.int32.rawValue))], hint: call.hint("sequence_lens"))
            let timeAxis = graph.initializer("\(call.scopedName)/time_axis", Tensor(name: "", scalar: Int64(1)))
            keptThrough = graph.op("CumSum", [mask, timeAxis], hint: call.hint("kept_through"))
        }

        /// Outputs [batch, time, directions, units] of the compacted sequence back at their time
        /// steps: forward at kept-through − 1, backward at kept-through − mask (the next kept step);
        /// a step with none takes zeros, and `zeroMasked` zeroes the masked steps.
        func scatter(_ outputs: String, directions: Int, units: Int, zeroMasked: Bool, call: KerasLayerCall) -> String {
            let graph = call.graph
            // A zero step before (forward) and after (backward) the sequence: [batch, time + 2, directions, units].
            let padded = graph.op("Pad", [outputs, graph.int64s([0, 1, 0, 0, 0, 1, 0, 0])], hint: call.hint("padded_outputs"))
            let forward = keptThrough
            let backward = graph.op("Add", [graph.op("Sub", [keptThrough, mask], hint: call.hint("kept_before")), graph.int64s([1])],
                                    hint: call.hint("backward_index"))
            let index = directions == 2
                ? graph.op("Concat", [graph.unsqueeze(forward, axes: [2], hint: call.hint("forward_index")),
                                      graph.unsqueeze(backward, axes: [2], hint: call.hint("backward_index_3d"))], [.int("axis", 2)],
                           hint: call.hint("step_index_by_direction"))
                : graph.unsqueeze(forward, axes: [2], hint: call.hint("forward_index"))
            let shape = graph.op("Concat", [graph.op("Shape", [index], hint: call.hint("index_shape")), graph.int64s([units])], [.int("axis", 0)],
                                 hint: call.hint("gather_shape"))
            let gatherIndex = graph.op("Expand", [graph.unsqueeze(index, axes: [3], hint: call.hint("index_4d")), shape], hint: call.hint("gather_index"))
            var result = graph.op("GatherElements", [padded, gatherIndex], [.int("axis", 1)], hint: call.hint("outputs_at_steps"))
            if zeroMasked {
                let keep = graph.op("Cast", [graph.unsqueeze(mask, axes: [2, 3], hint: call.hint("mask_4d"))], [.int("to", Int(DataType.float.rawValue))],
                                    hint: call.hint("mask_float"))
                result = graph.op("Mul", [result, keep], hint: call.hint("zeroed_masked_steps"))
            }
            return result
        }
    }
}
