/// A resolved set of thresholds: every present key is a gate.
public struct Thresholds: Sendable, Hashable, Codable {
    public var values: [ThresholdKey: Double]

    public init(_ values: [ThresholdKey: Double] = [:]) {
        self.values = values
    }

    /// Encoded as a flat object such as `{"atol": 1e-05, "rtol": 0.0001}`.
    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([ThresholdKey: Double].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    public var isEmpty: Bool { values.isEmpty }

    public subscript(key: ThresholdKey) -> Double? {
        get { values[key] }
        set { values[key] = newValue }
    }

    /// These thresholds with `overrides` applied on top.
    public func applying(_ overrides: ThresholdOverrides) -> Thresholds {
        var result = self
        for (key, value) in overrides.values { result.values[key] = value }
        return result
    }

    /// The thresholds of a composition `a+b`: key by key the loosest value among the parts that
    /// set it; the element-wise keys (`rtol`, `atol`, `max_mismatch_fraction`, `max_abs_error`)
    /// only when every part sets them, since a lossy part makes `allclose` meaningless.
    public static func loosest(of parts: [Thresholds]) -> Thresholds {
        var result = Thresholds()
        for key in ThresholdKey.allCases {
            let set = parts.compactMap { $0[key] }
            guard !set.isEmpty else { continue }
            if key.isElementwise && set.count < parts.count { continue }
            result[key] = key.largerIsLooser ? set.max() : set.min()
        }
        return result
    }

    /// Only the per-output keys.
    public var tolerance: Thresholds { Thresholds(values.filter { $0.key.isPerOutput }) }
    /// Only the cell budget keys.
    public var budget: Thresholds { Thresholds(values.filter { !$0.key.isPerOutput }) }
}
