/// The cells a run executes, in manifest order: every model × each of its paths, optionally
/// narrowed to some paths and to one shard.
public struct CellPlan: Sendable, Hashable {
    /// The cells of this plan, in execution order.
    public var cells: [CellKey]
    /// The number of cells of the unsharded plan (equal to `cells.count` unless sharded).
    public var plannedCellCount: Int
    public var shard: Shard?
    /// The model names of the unsharded plan, in first-appearance order (the report's row order).
    public var models: [String]
    /// The path names of the unsharded plan, in first-appearance order (the report's column order).
    public var paths: [String]

    public init(cells: [CellKey], plannedCellCount: Int? = nil, shard: Shard? = nil, models: [String]? = nil, paths: [String]? = nil) {
        self.cells = cells
        self.plannedCellCount = plannedCellCount ?? cells.count
        self.shard = shard
        self.models = models ?? Self.unique(cells.map(\.model))
        self.paths = paths ?? Self.unique(cells.map(\.path))
    }

    /// Every model × path of `manifest`, restricted to `paths` when given.
    ///
    /// - Throws: `PlanError.unknownPath` for a name that is not a path of the manifest.
    public init(manifest: Manifest, paths selected: [String]? = nil) throws(PlanError) {
        if let selected {
            for name in selected where manifest.pathSpec(name) == nil {
                throw .unknownPath(name, allowed: manifest.knownPathNames)
            }
        }
        var cells: [CellKey] = []
        for model in manifest.models {
            for path in manifest.paths(for: model) where selected?.contains(path) ?? true {
                cells.append(CellKey(model: model.name, path: path))
            }
        }
        self.init(cells: cells)
    }

    /// The part of this plan that `shard` runs; see `Shard.contains(_:of:)`.
    public func sharded(_ shard: Shard) -> CellPlan {
        let owned = Set(shard.cells(of: cells))
        return CellPlan(cells: cells.filter(owned.contains), plannedCellCount: plannedCellCount, shard: shard,
                        models: models, paths: paths)
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}

/// Shard k of n (1-based), as `run --shard k/n` names it.
///
/// Cells are sorted by (model, path) and dealt round-robin, so the assignment depends only on
/// the set of cells — not on the manifest's order — and shard sizes differ by at most one.
/// A model's paths may land in different shards: a shard that needs the fp32 size or latency
/// of a model (for ratios) measures it itself.
public struct Shard: Sendable, Hashable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    /// - Throws: `PlanError.invalidShard` unless 1 ≤ index ≤ count.
    public init(index: Int, count: Int) throws(PlanError) {
        guard count >= 1, (1...count).contains(index) else { throw .invalidShard("\(index)/\(count)") }
        self.index = index
        self.count = count
    }

    /// Parses `"k/n"`.
    public init(parsing text: String) throws(PlanError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw .invalidShard(text)
        }
        try self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// The cells of `all` this shard runs, in the order of `all`.
    public func cells(of all: [CellKey]) -> [CellKey] {
        let sorted = Set(all).sorted()
        let owned = Set(sorted.enumerated().filter { $0.offset % count == index - 1 }.map(\.element))
        return all.filter(owned.contains)
    }
}

/// Why a plan cannot be made from the command line's choices.
public enum PlanError: Error, CustomStringConvertible, Equatable {
    case unknownPath(String, allowed: [String])
    case invalidShard(String)

    public var description: String {
        switch self {
        case let .unknownPath(name, allowed):
            "unknown path '\(name)'; allowed: \(allowed.joined(separator: ", ")), or a composition a+b of them"
        case .invalidShard(let text):
            "invalid shard '\(text)': write k/n with 1 ≤ k ≤ n, such as 2/4"
        }
    }
}
