import ModelIR

/// The unique elements (or slices along `axis`), sorted or in order of first occurrence, with the
/// index of each first occurrence, the inverse mapping and the counts.
struct Unique_11: TensorKernel {
    static let opType = "Unique", sinceVersion = 11
    static let outputArity = 1...4
    let axis: Int?, sorted: Bool
    init(_ node: KernelNode) throws {
        axis = try node.int("axis")
        sorted = try node.int("sorted", default: 1) != 0
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        var x = try inputs.required(0)
        if axis == nil { x = try x.reshaped(to: [x.elementCount]) }
        let axis = try normalizedAxis(self.axis ?? 0, rank: x.rank)
        let values = try x.doubleValues()
        let strings = x.strings
        let outer = x.shape[..<axis].reduce(1, *), length = x.shape[axis], inner = x.shape[(axis + 1)...].reduce(1, *)
        // Slice k as a comparable key: its elements in order.
        func key(_ k: Int) -> [Double] { (0..<outer).flatMap { o in (0..<inner).map { values[(o * length + k) * inner + $0] } } }
        func stringKey(_ k: Int) -> [[UInt8]] { (0..<outer).flatMap { o in (0..<inner).map { strings?[(o * length + k) * inner + $0] ?? [] } } }
        var firsts: [Int] = []
        var inverse = [Int](repeating: 0, count: length)
        var counts: [Int] = []
        for k in 0..<length {
            if let found = firsts.firstIndex(where: { strings != nil ? stringKey($0) == stringKey(k) : key($0) == key(k) }) {
                inverse[k] = found
                counts[found] += 1
            } else {
                inverse[k] = firsts.count
                firsts.append(k)
                counts.append(1)
            }
        }
        var order = Array(firsts.indices)
        if sorted {
            order.sort { a, b in
                if strings != nil { return stringKey(firsts[a]).lexicographicallyPrecedes(stringKey(firsts[b])) { $0.lexicographicallyPrecedes($1) } }
                return key(firsts[a]).lexicographicallyPrecedes(key(firsts[b]))
            }
        }
        var rank = [Int](repeating: 0, count: order.count)
        for (position, original) in order.enumerated() { rank[original] = position }
        let y = try slices(x, axis: axis, positions: order.map { firsts[$0] })
        return [y,
                Tensor.int64Vector(order.map { firsts[$0] }),
                Tensor.int64Vector(inverse.map { rank[$0] }),
                Tensor.int64Vector(order.map { counts[$0] })]
    }
}
