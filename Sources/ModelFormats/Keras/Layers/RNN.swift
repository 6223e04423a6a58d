import ModelIR

/// `RNN` around an `LSTMCell`, `GRUCell` or `SimpleRNNCell`, or a `StackedRNNCells` of them: each
/// cell runs as the LSTM, GRU or SimpleRNN layer of the same configuration would (ONNX LSTM, GRU,
/// RNN), a stack as layers chained with `return_sequences` (each cell's outputs are the next
/// one's inputs at every step), the last one returning what the RNN's `return_sequences` asks.
/// `go_backwards` reverses the input of the first cell; a `mask` is handled as RecurrentMapper
/// handles it. `return_state` is refused.
enum RNNMapper: KerasLayerMapper {
    static let classNames = ["RNN"]
    static let keywordTensors: Set<String> = ["mask"]
    static let cellClassNames = ["LSTMCell", "GRUCell", "SimpleRNNCell"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        var current = try call.input()
        for option in ["return_state", "time_major"] where call.bool(option, default: false) {
            throw call.unsupported("\(option)=True", "convert the layer with \(option)=False")
        }
        guard let cell = call.config["cell"], let cellClass = cell["class_name"]?.string else { throw call.invalid("the configuration has no cell") }
        let cells = cellClass == "StackedRNNCells" ? (cell["config"]?["cells"]?.array ?? []) : [cell]
        guard !cells.isEmpty else { throw call.invalid("the StackedRNNCells holds no cells") }
        let goBackwards = call.bool("go_backwards", default: false)
        let returnSequences = call.bool("return_sequences", default: false)
        let mask = try call.sequenceMask()
        if mask != nil, goBackwards { throw call.unsupported("go_backwards=True with a mask", "drop the mask or go forwards") }
        let cellWeights = try weightsByCell(call, cells: cells)
        for (index, cellJSON) in cells.enumerated() {
            let weights = cellWeights[index]
            let cellCall = try call.wrapped(cellJSON, weights: weights, inputs: [current], suffix: cells.count == 1 ? "cell" : "cell_\(index)")
            let layer = try RecurrentMapper.RecurrentLayer(cellCall, weights: weights)
            let isLast = index == cells.count - 1
            current = try RecurrentMapper.run(cellCall, input: current, directions: [layer], reverseInput: goBackwards && index == 0,
                                              returnSequences: isLast ? returnSequences : true, mergeMode: "concat", mask: mask,
                                              zeroOutputForMask: call.bool("zero_output_for_mask", default: false))
        }
        return [current]
    }

    /// Each cell's weights (kernel, recurrent kernel, bias), in the order of `cells`; a `.keras` file
    /// holds a StackedRNNCells's cells as groups named after the cells.
    private static func weightsByCell(_ call: KerasLayerCall, cells: [KerasJSON]) throws(KerasImportError) -> [[Tensor]] {
        var counts: [Int] = []
        for cell in cells {
            let className = cell["class_name"]?.string ?? "?"
            guard cellClassNames.contains(className) else {
                throw call.unsupported("a cell of class \(className)", "use one of \(cellClassNames.joined(separator: ", ")) or a StackedRNNCells of them")
            }
            counts.append((cell["config"]?["use_bias"]?.bool ?? true) ? 3 : 2)
        }
        return try call.sublayerWeights(cells.indices.map { (cells[$0]["config"]?["name"]?.string ?? "cell_\($0)", counts[$0]) })
    }
}
