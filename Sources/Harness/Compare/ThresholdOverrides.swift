/// A partial set of thresholds: a value sets a gate, an explicit `nil` (`null` in YAML) removes
/// one set by an earlier layer, and an absent key leaves the earlier layer's value. `match`, when
/// set, replaces the earlier layer's pairing (`.elements` restores element-by-element pairing).
public struct ThresholdOverrides: Sendable, Hashable, Codable {
    public var values: [ThresholdKey: Double?]
    public var match: OutputMatch?

    public init(_ values: [ThresholdKey: Double?] = [:], match: OutputMatch? = nil) {
        self.values = values
        self.match = match
    }

    public var isEmpty: Bool { values.isEmpty && match == nil }

    public subscript(key: ThresholdKey) -> Double?? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// True when this layer sets an explicit element-wise tolerance (to a number) and says nothing
    /// about `max_floor_ratio`: it then states how close the output must be, replacing the
    /// noise-floor gate of the layers below.
    public var replacesFloorGate: Bool {
        values[.maxFloorRatio] == nil && values.contains { $0.key.isExplicitElementwise && $0.value != nil }
    }

    /// True when this layer sets `min_cosine` to a number and says nothing about
    /// `max_fp16_floor_ratio`: the stated cosine is then the bar, without the float16-floor
    /// alternative of the layers below.
    public var replacesFP16FloorAlternative: Bool {
        values[.maxFP16FloorRatio] == nil && values[.minCosine].map { $0 != nil } == true
    }
}
