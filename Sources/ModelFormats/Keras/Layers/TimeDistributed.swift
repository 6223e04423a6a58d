import ModelIR

/// `TimeDistributed`: the wrapped layer on [batch·time, …], reshaped back to [batch, time, …].
enum TimeDistributedMapper: KerasLayerMapper {
    static let classNames = ["TimeDistributed"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let graph = call.graph
        let x = graph.nativeValue(try call.input())
        guard let innerJSON = call.config["layer"] else { throw call.invalid("the configuration has no wrapped layer") }
        guard x.rank >= 3, let steps = x.shape[1] else {
            throw call.unsupported("an input of unknown time length \(x.shape)", "give the input a fixed number of time steps")
        }
        var rest: [Int] = []
        for size in x.shape.dropFirst(2) {
            guard let size else { throw call.unsupported("an input with unknown sizes \(x.shape)", "fix the sizes after the time axis") }
            rest.append(size)
        }
        let folded = graph.reshape(x.name, to: [-1] + rest, hint: call.hint("fold_time"))
        let innerInput = KerasValue(name: folded, shape: [nil] + rest.map { Optional($0) }, layout: .native, dataType: x.dataType)
        let inner = try call.wrapped(innerJSON, weights: call.weights, inputs: [innerInput], suffix: "layer")
        let outputs = try call.convertWrapped(inner)
        guard outputs.count == 1 else { throw call.invalid("the wrapped layer has \(outputs.count) outputs") }
        let output = graph.nativeValue(outputs[0])
        var outRest: [Int] = []
        for size in output.shape.dropFirst() {
            guard let size else { throw call.unsupported("a wrapped layer with an output of unknown size", "fix the input sizes") }
            outRest.append(size)
        }
        let unfolded = graph.reshape(output.name, to: [-1, steps] + outRest, hint: call.hint("unfold_time"))
        return [KerasValue(name: unfolded, shape: [nil, steps] + outRest.map { Optional($0) }, layout: .native, dataType: output.dataType)]
    }
}
