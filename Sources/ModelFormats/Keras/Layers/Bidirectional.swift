import ModelIR

/// `Bidirectional` around SimpleRNN, LSTM or GRU: one ONNX node with direction "bidirectional";
/// merge modes concat, sum, mul and ave; a `mask` as `RecurrentMapper` takes it.
enum BidirectionalMapper: KerasLayerMapper {
    static let classNames = ["Bidirectional"]
    static let keywordTensors: Set<String> = ["mask"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = try call.input()
        guard let forwardJSON = call.config["layer"] else { throw call.invalid("the configuration has no wrapped layer") }
        let backwardJSON = call.config["backward_layer"] ?? forwardJSON
        let mergeMode = call.config["merge_mode"]?.string ?? "none"
        guard ["concat", "sum", "mul", "ave"].contains(mergeMode) else {
            throw call.unsupported("merge_mode='\(mergeMode)'", "use merge_mode 'concat', 'sum', 'mul' or 'ave'")
        }
        let half = call.weights.count / 2
        let forwardCall = try call.wrapped(forwardJSON, weights: Array(call.weights.prefix(half)), inputs: [x], suffix: "forward")
        let backwardCall = try call.wrapped(backwardJSON, weights: Array(call.weights.suffix(from: half)), inputs: [x], suffix: "backward")
        guard RecurrentMapper.classNames.contains(forwardCall.className), forwardCall.className == backwardCall.className else {
            throw call.unsupported("wrapping \(forwardCall.className)", "Bidirectional converts SimpleRNN, LSTM and GRU layers")
        }
        if forwardCall.bool("go_backwards", default: false) {
            throw call.unsupported("a forward layer with go_backwards=True", "wrap a layer with go_backwards=False")
        }
        let forward = try RecurrentMapper.RecurrentLayer(forwardCall, weights: forwardCall.weights)
        let backward = try RecurrentMapper.RecurrentLayer(backwardCall, weights: backwardCall.weights)
        guard forward.units == backward.units else { throw call.invalid("the forward and backward layers have different units") }
        let returnSequences = forwardCall.bool("return_sequences", default: false)
        return [try RecurrentMapper.run(call, input: x, directions: [forward, backward], reverseInput: false,
                                        returnSequences: returnSequences, mergeMode: mergeMode, mask: try call.sequenceMask(),
                                        zeroOutputForMask: returnSequences)]
    }
}
