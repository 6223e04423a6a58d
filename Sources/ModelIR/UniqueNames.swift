/// A set of taken names that hands out new ones: `base` when it is free, else the first free of
/// `base_1`, `base_2`, …. Every name it returns is taken from then on.
public struct UniqueNames: Sendable {
    private var taken: Set<String>

    public init() {
        taken = []
    }

    /// Marks `name` as taken.
    public mutating func reserve(_ name: String) {
        taken.insert(name)
    }

    public func contains(_ name: String) -> Bool {
        taken.contains(name)
    }

    /// A name not taken yet, derived from `base`; it is taken from now on.
    public mutating func fresh(_ base: String) -> String {
        var candidate = base
        var counter = 1
        while taken.contains(candidate) {
            candidate = "\(base)_\(counter)"
            counter += 1
        }
        taken.insert(candidate)
        return candidate
    }
}
