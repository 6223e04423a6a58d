import Foundation

/// One model of the corpus, as `corpus.yml` declares it under `models:`.
public struct ModelEntry: Sendable, Hashable, Codable {
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
    /// `options:` pass options per built-in path component (`int8-static: {exclude_nodes: fc2}`).
    public var options: [String: [String: String]] = [:]
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
