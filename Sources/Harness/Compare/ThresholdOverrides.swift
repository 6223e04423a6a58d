/// A partial set of thresholds: a value sets a gate, an explicit `nil` (`null` in YAML) removes
/// one set by an earlier layer, and an absent key leaves the earlier layer's value.
public struct ThresholdOverrides: Sendable, Hashable, Codable {
    public var values: [ThresholdKey: Double?]

    public init(_ values: [ThresholdKey: Double?] = [:]) {
        self.values = values
    }

    public var isEmpty: Bool { values.isEmpty }

    public subscript(key: ThresholdKey) -> Double?? {
        get { values[key] }
        set { values[key] = newValue }
    }
}
