/// Thresholds a model sets on top of the path defaults, at four levels of detail (later wins):
/// the whole model, one path, one output, one output on one path.
public struct ModelOverrides: Sendable, Hashable, Codable {
    public var all = ThresholdOverrides()
    public var perPath: [String: ThresholdOverrides] = [:]
    public var perOutput: [String: ThresholdOverrides] = [:]
    public var perPathOutput: [String: [String: ThresholdOverrides]] = [:]

    public init() {}

    /// The layers that apply to `output` on `path`, in order.
    func layers(path: String, output: String?) -> [ThresholdOverrides] {
        var layers = [all]
        if let layer = perPath[path] { layers.append(layer) }
        if let output {
            if let layer = perOutput[output] { layers.append(layer) }
            if let layer = perPathOutput[path]?[output] { layers.append(layer) }
        }
        return layers
    }

    mutating func merge(_ other: ModelOverrides) {
        func merged(_ a: ThresholdOverrides, _ b: ThresholdOverrides) -> ThresholdOverrides {
            ThresholdOverrides(a.values.merging(b.values) { _, new in new }, match: b.match ?? a.match)
        }
        all = merged(all, other.all)
        perPath.merge(other.perPath, uniquingKeysWith: merged)
        perOutput.merge(other.perOutput, uniquingKeysWith: merged)
        perPathOutput.merge(other.perPathOutput) { $0.merging($1, uniquingKeysWith: merged) }
    }
}
