import ModelIR

/// A tree ensemble (opset 5 of ai.onnx.ml): every tree routes each row from its root through
/// comparison nodes (≤, <, ≥, >, =, ≠, set membership; NaN optionally goes the true way) to a leaf
/// whose weight adds to (or averages, or bounds) its target. Post transforms are not applied, as in
/// onnx's reference.
struct TreeEnsemble_5: TensorKernel {
    static let domain = "ai.onnx.ml"
    static let opType = "TreeEnsemble", sinceVersion = 5
    let splits: [Double], features: [Int], modes: [Int]
    let trueIds: [Int], falseIds: [Int], trueLeafs: [Int], falseLeafs: [Int]
    let leafTargets: [Int], leafWeights: [Double], roots: [Int]
    let aggregate: Int, targets: Int
    let missingTrue: [Int]
    /// Members of each MEMBER node, by node index.
    let members: [Int: Set<Double>]

    init(_ node: KernelNode) throws {
        func values(_ name: String) throws -> [Double] {
            guard let tensor = try node.tensor(name) else { throw KernelError.invalidAttribute("required attribute '\(name)' is missing") }
            return try tensor.doubleValues()
        }
        splits = try values("nodes_splits")
        features = try node.requiredInts("nodes_featureids")
        modes = try values("nodes_modes").map { Int($0) }
        trueIds = try node.requiredInts("nodes_truenodeids")
        falseIds = try node.requiredInts("nodes_falsenodeids")
        trueLeafs = try node.requiredInts("nodes_trueleafs")
        falseLeafs = try node.requiredInts("nodes_falseleafs")
        leafTargets = try node.requiredInts("leaf_targetids")
        leafWeights = try values("leaf_weights")
        roots = try node.requiredInts("tree_roots")
        aggregate = try node.int("aggregate_function", default: 1)
        targets = try node.requiredInt("n_targets")
        missingTrue = try node.ints("nodes_missing_value_tracks_true") ?? []
        let count = modes.count
        guard [splits.count, features.count, trueIds.count, falseIds.count, trueLeafs.count, falseLeafs.count].allSatisfy({ $0 == count }),
              leafTargets.count == leafWeights.count, (0...3).contains(aggregate) else {
            throw KernelError.invalidAttribute("the node and leaf attributes have inconsistent lengths")
        }
        var members: [Int: Set<Double>] = [:]
        var pool = try node.tensor("membership_values")?.doubleValues() ?? []
        for index in 0..<count where modes[index] == 6 {
            var set = Set<Double>()
            while let value = pool.first {
                pool.removeFirst()
                if value.isNaN { break }
                set.insert(value)
            }
            members[index] = set
        }
        self.members = members
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        guard x.rank == 2 else { throw KernelError.invalidInput("X must be 2-D") }
        let (rows, columns) = (x.shape[0], x.shape[1])
        let values = try x.doubleValues()
        let initial: Double = aggregate == 2 ? Double(Float.greatestFiniteMagnitude) : aggregate == 3 ? -Double(Float.greatestFiniteMagnitude) : 0
        var result = [Double](repeating: initial, count: rows * targets)
        for r in 0..<rows {
            for root in roots {
                guard root >= 0 && root < modes.count else { throw KernelError.invalidAttribute("tree root \(root) is not a node") }
                var index = root, isLeaf = trueLeafs[root] != 0 && falseLeafs[root] != 0 && trueIds[root] == falseIds[root]
                var steps = 0
                while !isLeaf {
                    guard index < modes.count, features[index] >= 0, features[index] < columns, steps <= modes.count else {
                        throw KernelError.invalidAttribute("the tree at root \(root) is malformed")
                    }
                    steps += 1
                    let v = values[r * columns + features[index]], s = splits[index]
                    var taken: Bool
                    switch modes[index] {
                    case 0: taken = v <= s
                    case 1: taken = v < s
                    case 2: taken = v >= s
                    case 3: taken = v > s
                    case 4: taken = v == s
                    case 5: taken = v != s
                    default: taken = members[index]?.contains(v) ?? false
                    }
                    if v.isNaN && index < missingTrue.count && missingTrue[index] != 0 { taken = true }
                    isLeaf = (taken ? trueLeafs[index] : falseLeafs[index]) != 0
                    index = taken ? trueIds[index] : falseIds[index]
                }
                guard index >= 0 && index < leafWeights.count, leafTargets[index] >= 0 && leafTargets[index] < targets else {
                    throw KernelError.invalidAttribute("leaf \(index) is not a leaf of a known target")
                }
                let slot = r * targets + leafTargets[index], weight = leafWeights[index]
                switch aggregate {
                case 0: result[slot] += weight / Double(roots.count)
                case 2: result[slot] = min(result[slot], weight)
                case 3: result[slot] = max(result[slot], weight)
                default: result[slot] += weight
                }
            }
        }
        return [try Tensor(converting: result, to: x.dataType, shape: [rows, targets])]
    }
}
