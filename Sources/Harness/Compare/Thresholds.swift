/// A resolved set of thresholds: every present key is a gate, and `match` says how an output's
/// values are paired with the golden ones (element by element when nil).
public struct Thresholds: Sendable, Hashable, Codable {
    public var values: [ThresholdKey: Double]
    public var match: OutputMatch?

    public init(_ values: [ThresholdKey: Double] = [:], match: OutputMatch? = nil) {
        self.values = values
        self.match = match
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static let matchKey = Key(stringValue: "match")

    /// Encoded as a flat object such as `{"atol": 1e-05, "rtol": 0.0001}`, with `"match"` when set.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        values = [:]
        for key in container.allKeys {
            if key.stringValue == Self.matchKey.stringValue {
                match = try container.decode(OutputMatch.self, forKey: key)
            } else if let threshold = ThresholdKey(rawValue: key.stringValue) {
                values[threshold] = try container.decode(Double.self, forKey: key)
            } else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "unknown threshold '\(key.stringValue)'")
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (key, value) in values { try container.encode(value, forKey: Key(stringValue: key.rawValue)) }
        if let match { try container.encode(match, forKey: Self.matchKey) }
    }

    /// True when no key is gated and no `match` is set.
    public var isEmpty: Bool { values.isEmpty && match == nil }

    public subscript(key: ThresholdKey) -> Double? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// These thresholds with `overrides` applied on top. Overrides that set an explicit
    /// element-wise tolerance (`rtol`, `atol`, `max_mismatch_fraction`, `max_abs_error`) without
    /// setting `max_floor_ratio` replace the noise-floor gate below them; overrides that set
    /// `min_cosine` without `max_fp16_floor_ratio` drop the float16-floor alternative.
    public func applying(_ overrides: ThresholdOverrides) -> Thresholds {
        var result = self
        if overrides.replacesFloorGate { result.values[.maxFloorRatio] = nil }
        if overrides.replacesFP16FloorAlternative { result.values[.maxFP16FloorRatio] = nil }
        for (key, value) in overrides.values { result.values[key] = value }
        if let match = overrides.match { result.match = match }
        return result
    }

    /// The thresholds of a composition `a+b`: key by key the loosest value among the parts that
    /// set it. The element-wise keys (`rtol`, `atol`, `max_mismatch_fraction`, `max_abs_error`,
    /// `max_floor_ratio`) stay only when every part has at least one of them, since a lossy part
    /// makes element-wise closeness meaningless; and `max_floor_ratio` only when no part states its
    /// element-wise tolerance explicitly without it (explicit tolerances win over the floor).
    public static func loosest(of parts: [Thresholds]) -> Thresholds {
        var result = Thresholds()
        let lossless = parts.allSatisfy { $0.values.keys.contains(where: \.isElementwise) }
        for key in ThresholdKey.allCases {
            let set = parts.compactMap { $0[key] }
            guard !set.isEmpty else { continue }
            if key.isElementwise && !lossless { continue }
            result[key] = key.largerIsLooser ? set.max() : set.min()
        }
        if parts.contains(where: { $0[.maxFloorRatio] == nil && $0.values.keys.contains(where: \.isExplicitElementwise) }) {
            result[.maxFloorRatio] = nil
        }
        result.match = parts.lazy.compactMap(\.match).first
        return result
    }

    /// Only the per-output keys, with `match`.
    public var tolerance: Thresholds { Thresholds(values.filter { $0.key.isPerOutput }, match: match) }
    /// Only the cell budget keys.
    public var budget: Thresholds { Thresholds(values.filter { !$0.key.isPerOutput }) }
}
