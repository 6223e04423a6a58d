import ModelIR

/// `keras.ops.split(x, indices_or_sections, axis)` and `keras.ops.array_split`: equal sections (a
/// count; `array_split` gives the first `size mod count` sections one more element) or the pieces
/// between split indices, along a non-batch axis of known size, one output each.
enum SplitOperationMapper: KerasLayerMapper {
    static let classNames = ["Split", "ArraySplit"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0, keyword: "x") else { throw call.unsupported("a constant argument", "split a tensor") }
        let graph = call.graph
        let x = graph.nativeValue(input)
        let axis = try call.axis(call.parameter("axis", position: 2)?.int ?? 0, rank: x.rank)
        guard axis >= 1, let size = x.shape[axis] else { throw call.unsupported("splitting axis \(axis) of \(x.shape)", "split a non-batch axis of known size") }
        guard let sections = call.parameter("indices_or_sections", position: 1) else { throw call.invalid("the configuration has no indices_or_sections") }
        var sizes: [Int]
        if sections.array == nil, let count = sections.int {
            guard count >= 1 else { throw call.invalid("cannot split into \(count) sections") }
            if call.className == "Split" {
                guard size % count == 0 else { throw call.invalid("axis \(axis) of size \(size) does not split into \(count) equal sections") }
            }
            sizes = (0..<count).map { size / count + ($0 < size % count ? 1 : 0) }
        } else if let indices = sections.ints {
            var bounds = [0]
            for index in indices { bounds.append(min(max(index < 0 ? index + size : index, bounds.last ?? 0), size)) }
            bounds.append(size)
            sizes = zip(bounds.dropFirst(), bounds).map { $0 - $1 }
        } else {
            throw call.unsupported("indices_or_sections \(sections)", "give a section count or a list of split indices")
        }
        let outputs = graph.add("Split", [x.name, graph.int64s(sizes)], [.int("axis", axis)], hint: call.hint("Split"), outputs: sizes.count)
        return zip(outputs, sizes).map { name, piece in
            var shape = x.shape
            shape[axis] = piece
            return x.with(name: name, shape: shape)
        }
    }
}
