import Foundation

/// Thresholds a model sets on top of the path defaults, at four levels of detail (later wins):
/// the whole model, one path, one output, one output on one path.
public struct ModelOverrides: Sendable, Hashable {
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
            ThresholdOverrides(a.values.merging(b.values) { _, new in new })
        }
        all = merged(all, other.all)
        perPath.merge(other.perPath, uniquingKeysWith: merged)
        perOutput.merge(other.perOutput, uniquingKeysWith: merged)
        perPathOutput.merge(other.perPathOutput) { $0.merging($1, uniquingKeysWith: merged) }
    }
}

/// One model of the corpus, as `corpus.yml` declares it under `models:`.
public struct ModelEntry: Sendable, Hashable {
    public var name: String
    /// The source as written, relative to the corpus folder.
    public var source: String
    /// The source file.
    public var sourceURL: URL
    /// The paths this model runs, or nil for the manifest's `paths`.
    public var paths: [String]?
    /// A model whose golden outputs this one is judged against (a distilled student's teacher).
    public var teacher: String?
    /// `tolerances:` and `budgets:` merged.
    public var overrides: ModelOverrides
    /// The line of the model's key in `corpus.yml`.
    public var line: Int

    public init(name: String, source: String, sourceURL: URL, paths: [String]? = nil, teacher: String? = nil,
                overrides: ModelOverrides = ModelOverrides(), line: Int = 0) {
        self.name = name
        self.source = source
        self.sourceURL = sourceURL
        self.paths = paths
        self.teacher = teacher
        self.overrides = overrides
        self.line = line
    }

    /// The folder holding the model's `golden.h5` and `calibration.h5`.
    public var folder: URL { sourceURL.deletingLastPathComponent() }
    public var goldenURL: URL { folder.appendingPathComponent("golden.h5") }
    public var calibrationURL: URL { folder.appendingPathComponent("calibration.h5") }
    public var format: ModelFileFormat? { ModelFileFormat(url: sourceURL) }
}
