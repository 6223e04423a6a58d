import ModelIR

/// The `keras.ops` operations that rearrange one tensor: reshape (the new shape counts the batch
/// axis, -1 for one inferred size), transpose, expand_dims, squeeze, swapaxes and moveaxis, in
/// Keras's layout.
enum ShapeOperationMapper: KerasLayerMapper {
    static let classNames = ["Reshape", "Transpose", "ExpandDims", "Squeeze", "Swapaxes", "Moveaxis"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        guard case .tensor(let input) = try call.operand(0, keyword: "x") else {
            throw call.unsupported("a constant argument", "apply \(call.className) to a tensor")
        }
        let graph = call.graph
        let x = graph.nativeValue(input)
        switch call.className {
        case "Reshape":
            guard let target = call.parameter("newshape", position: 1)?.ints, !target.isEmpty else {
                throw call.unsupported("a new shape that is not a list of integers", "reshape to a constant shape (sizes computed from tensors are not converted)")
            }
            guard !target.contains(0), target.filter({ $0 < 0 }).count <= 1, target.allSatisfy({ $0 >= -1 }) else {
                throw call.invalid("the new shape \(target) is not a shape with at most one -1 and no 0")
            }
            let shape: [Int?] = target.map { $0 < 0 ? nil : $0 }
            return [x.with(name: graph.reshape(x.name, to: target, hint: call.hint("Reshape")), shape: shape)]
        case "Transpose":
            let perm: [Int]
            if let axes = call.parameter("axes", position: 1)?.ints {
                var resolved: [Int] = []
                for axis in axes { resolved.append(try call.axis(axis, rank: x.rank)) }
                perm = resolved
            } else {
                perm = Array((0..<x.rank).reversed())
            }
            guard perm.sorted() == Array(0..<x.rank) else { throw call.invalid("axes \(perm) do not permute \(x.rank) axes") }
            return permuted(x, perm, call: call)
        case "Swapaxes", "Moveaxis":
            let first = call.className == "Swapaxes" ? "axis1" : "source"
            let second = call.className == "Swapaxes" ? "axis2" : "destination"
            guard let a = call.parameter(first, position: 1)?.int, let b = call.parameter(second, position: 2)?.int else {
                throw call.unsupported("\(first) or \(second) that is not one integer", "give single integer axes")
            }
            let source = try call.axis(a, rank: x.rank)
            let destination = try call.axis(b, rank: x.rank)
            var perm = Array(0..<x.rank)
            if call.className == "Swapaxes" {
                perm.swapAt(source, destination)
            } else {
                perm.remove(at: source)
                perm.insert(source, at: destination)
            }
            return permuted(x, perm, call: call)
        case "ExpandDims":
            guard let list = call.parameter("axis", position: 1)?.ints else { throw call.invalid("the configuration has no axis") }
            let rank = x.rank + list.count
            var axes: [Int] = []
            for axis in list { axes.append(try call.axis(axis, rank: rank)) }
            axes.sort()
            var shape = x.shape
            for axis in axes { shape.insert(1, at: axis) }
            return [x.with(name: graph.unsqueeze(x.name, axes: axes, hint: call.hint("Unsqueeze")), shape: shape)]
        default:
            var axes = try call.axesParameter(rank: x.rank, position: 1) ?? []
            if call.parameter("axis", position: 1) == nil {
                axes = x.shape.indices.filter { x.shape[$0] == 1 }
                guard !axes.isEmpty || x.shape.allSatisfy({ $0 != nil }) else {
                    throw call.unsupported("squeeze without axis on unknown sizes", "name the axes to squeeze")
                }
            }
            for axis in axes where x.shape[axis] != 1 && x.shape[axis] != nil {
                throw call.invalid("axis \(axis) has size \(x.shape[axis] ?? 0), not 1")
            }
            let shape = x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] }
            return [x.with(name: graph.squeeze(x.name, axes: axes, hint: call.hint("Squeeze")), shape: shape)]
        }
    }

    private static func permuted(_ x: KerasValue, _ perm: [Int], call: KerasLayerCall) -> [KerasValue] {
        let output = call.graph.transpose(x.name, perm: perm, hint: call.hint("Transpose"))
        return [x.with(name: output, shape: perm.map { x.shape[$0] })]
    }
}
