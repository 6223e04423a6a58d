import ModelIR

/// Indexing a symbolic tensor (`x[:, 0]`, `x[..., 1:3]`, `x[:, None]`): integers, slices with
/// constant bounds and steps, `None` and one `...`, as Slice, Squeeze and Unsqueeze.
enum GetItemOperationMapper: KerasLayerMapper {
    static let classNames = ["GetItem"]

    private enum Index {
        case integer(Int)
        case slice(start: Int?, stop: Int?, step: Int)
        case newAxis
        case ellipsis
    }

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0), call.arguments.positional.count == 2 else {
            throw call.invalid("expects a tensor and an index")
        }
        let graph = call.graph
        let x = graph.nativeValue(input)
        let key = call.arguments.positional[1]
        let items: [KerasArgument<KerasValue>]
        if case .list(let list) = key { items = list } else { items = [key] }
        var indices: [Index] = []
        for item in items {
            guard let json = item.json else { throw call.unsupported("indexing with a tensor", "index with constant integers and slices") }
            indices.append(try index(json, call: call))
        }
        let consumed = indices.filter { if case .newAxis = $0 { return false }; if case .ellipsis = $0 { return false }; return true }.count
        guard consumed <= x.rank, indices.filter({ if case .ellipsis = $0 { return true }; return false }).count <= 1 else {
            throw call.invalid("the index has more entries than the tensor's \(x.rank) axes")
        }
        if let ellipsis = indices.firstIndex(where: { if case .ellipsis = $0 { return true }; return false }) {
            indices.replaceSubrange(ellipsis...ellipsis, with: Array(repeating: .slice(start: nil, stop: nil, step: 1), count: x.rank - consumed))
        } else {
            indices += Array(repeating: .slice(start: nil, stop: nil, step: 1), count: x.rank - consumed)
        }
        var starts: [Int] = [], ends: [Int] = [], axes: [Int] = [], steps: [Int] = []
        var squeezed: [Int] = []
        var shape: [Int?] = []
        var outputAxisOfNewAxes: [Int] = []
        var axis = 0
        for index in indices {
            switch index {
            case .newAxis:
                outputAxisOfNewAxes.append(shape.count)
                shape.append(1)
                continue
            case .ellipsis:
                continue
            case .integer(let position):
                if let size = x.shape[axis], position >= size || position < -size {
                    throw call.invalid("index \(position) is out of range for axis \(axis) of size \(size)")
                }
                starts.append(position)
                ends.append(position == -1 ? Int(Int64.max) : position + 1)
                axes.append(axis)
                steps.append(1)
                squeezed.append(axis)
            case let .slice(start, stop, step):
                if start != nil || stop != nil || step != 1 {
                    starts.append(start ?? (step > 0 ? 0 : Int(Int64.max)))
                    ends.append(stop ?? (step > 0 ? Int(Int64.max) : Int(Int64.min)))
                    axes.append(axis)
                    steps.append(step)
                }
                shape.append(sliceLength(x.shape[axis], start: start, stop: stop, step: step))
            }
            axis += 1
        }
        var output = x.name
        if !axes.isEmpty {
            output = graph.op("Slice", [output, graph.int64s(starts), graph.int64s(ends), graph.int64s(axes), graph.int64s(steps)],
                              hint: call.hint("Slice"))
        }
        if !squeezed.isEmpty { output = graph.squeeze(output, axes: squeezed, hint: call.hint("Squeeze")) }
        if !outputAxisOfNewAxes.isEmpty { output = graph.unsqueeze(output, axes: outputAxisOfNewAxes, hint: call.hint("Unsqueeze")) }
        if output == x.name { output = graph.op("Identity", [x.name], hint: call.hint("Identity")) }
        return [x.with(name: output, shape: shape)]
    }

    private static func index(_ json: KerasJSON, call: KerasLayerCall) throws(KerasImportError) -> Index {
        if json == .null { return .newAxis }
        if let value = json.int, json.array == nil { return .integer(value) }
        switch json["class_name"]?.string {
        case "__slice__":
            let config = json["config"]
            let step = config?["step"]?.int ?? 1
            guard step != 0 else { throw call.invalid("a slice step is 0") }
            return .slice(start: config?["start"]?.int, stop: config?["stop"]?.int, step: step)
        case "__ellipsis__":
            return .ellipsis
        default:
            throw call.unsupported("the index \(json)", "index with constant integers, slices, None and ...")
        }
    }

    /// Python's slice length on a known size; nil when the size is unknown.
    private static func sliceLength(_ size: Int?, start: Int?, stop: Int?, step: Int) -> Int? {
        guard let size else { return nil }
        func clamp(_ value: Int?, _ fallback: Int, low: Int, high: Int) -> Int {
            guard var value else { return fallback }
            if value < 0 { value += size }
            return min(max(value, low), high)
        }
        if step > 0 {
            let begin = clamp(start, 0, low: 0, high: size)
            let end = clamp(stop, size, low: 0, high: size)
            return max(0, (end - begin + step - 1) / step)
        }
        let begin = clamp(start, size - 1, low: -1, high: size - 1)
        let end = clamp(stop, -1, low: -1, high: size - 1)
        return max(0, (begin - end + (-step) - 1) / (-step))
    }
}
