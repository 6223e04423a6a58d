import Foundation
import Passes

/// The corpus manifest, `Golden/corpus.yml`: the models, the paths they run, and the thresholds
/// and budgets that judge each model × path cell.
///
/// `Manifest.load(corpus:)` reads and validates the whole file; a `Manifest` value is always
/// consistent (known paths, existing sources, acyclic teachers).
public struct Manifest: Sendable, Codable {
    /// `corpus.yml` as it was named when loaded (used in messages).
    public var file: String
    /// The folder model sources are relative to.
    public var corpusRoot: URL
    /// Paths run for models that do not list their own, in order.
    public var paths: [String]
    /// Thresholds per path name from `defaults:`, on top of the built-in ones.
    public var defaults: [String: ThresholdOverrides]
    /// Pass options per built-in path component from `defaults.<component>.options`.
    public var defaultOptions: [String: [String: String]]
    /// Models in file order.
    public var models: [ModelEntry]
    /// User converters from `external_paths:`, by name.
    public var externalPaths: [String: ExternalPath]
    /// A digest of the manifest text that identifies the corpus in reports.
    public var digest: String

    public init(file: String, corpusRoot: URL, paths: [String], defaults: [String: ThresholdOverrides] = [:],
                defaultOptions: [String: [String: String]] = [:], models: [ModelEntry], externalPaths: [String: ExternalPath] = [:],
                digest: String = "") {
        self.file = file
        self.corpusRoot = corpusRoot
        self.paths = paths
        self.defaults = defaults
        self.defaultOptions = defaultOptions
        self.models = models
        self.externalPaths = externalPaths
        self.digest = digest
    }

    /// The pass options `model` runs `path` with: for each built-in component of the path, the
    /// defaults' `options`, then the model's; later components and the model win.
    public func passOptions(model: ModelEntry, path: String) -> PassOptions {
        var values: [String: String] = [:]
        for step in pathSpec(path)?.steps ?? [] {
            guard case .builtin(let component) = step else { continue }
            for layer in [defaultOptions[component.description], model.options[component.description]] {
                values.merge(layer ?? [:]) { $1 }
            }
        }
        return PassOptions(values)
    }

    /// The manifest file name inside a corpus folder.
    public static let fileName = "corpus.yml"

    /// Reads and validates `<corpus>/corpus.yml`.
    ///
    /// - Parameter checkSources: whether every model's source file must exist.
    /// - Throws: `ManifestError` naming the file, line, column, key and what is allowed.
    public static func load(corpus: URL, checkSources: Bool = true) throws(ManifestError) -> Manifest {
        let url = corpus.appendingPathComponent(fileName)
        let displayed = corpus.path == "." ? fileName : (corpus.relativePath as NSString).appendingPathComponent(fileName)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw .unreadable(file: displayed, reason: FileManager.default.fileExists(atPath: url.path)
                              ? error.localizedDescription : "no such file; a corpus folder holds corpus.yml (see docs/corpus-manifest.md, or make one with `modelgate init`)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(file: displayed, reason: "not UTF-8 text")
        }
        return try parse(yaml: text, file: displayed, corpusRoot: corpus, checkSources: checkSources)
    }

    /// Parses and validates manifest text.
    ///
    /// - Parameters:
    ///   - file: the name used in error messages.
    ///   - corpusRoot: the folder sources are relative to.
    ///   - checkSources: whether every model's source file must exist.
    /// - Throws: `ManifestError`.
    public static func parse(yaml: String, file: String, corpusRoot: URL, checkSources: Bool = true) throws(ManifestError) -> Manifest {
        var parser = ManifestParser(file: file, corpusRoot: corpusRoot, checkSources: checkSources)
        var manifest = try parser.parse(yaml)
        manifest.digest = Self.digest(of: yaml)
        return manifest
    }

    /// The model named `name`.
    public func model(named name: String) -> ModelEntry? {
        models.first { $0.name == name }
    }

    /// The paths `model` runs: its own list, else the manifest's.
    public func paths(for model: ModelEntry) -> [String] {
        model.paths ?? paths
    }

    /// The steps of a path name; nil for an unknown name (a manifest validates its own names).
    public func pathSpec(_ name: String) -> PathSpec? {
        var steps: [PathStep] = []
        for component in OptimizationPath.componentNames(of: name) {
            if let builtin = OptimizationPath.Component(name: component) {
                steps.append(.builtin(builtin))
            } else if let external = externalPaths[component] {
                steps.append(.external(external))
            } else {
                return nil
            }
        }
        return steps.isEmpty ? nil : PathSpec(name: name, steps: steps)
    }

    /// Every path name the manifest accepts besides compositions: built-ins (`prune-<N>` as a
    /// pattern), then external paths.
    public var knownPathNames: [String] {
        OptimizationPath.knownNames + externalPaths.keys.sorted()
    }

    /// The model whose golden outputs judge `model`: its teacher, else itself.
    public func goldenModel(for model: ModelEntry) -> ModelEntry {
        model.teacher.flatMap(self.model(named:)) ?? model
    }

    /// The thresholds of a path before any model overrides: built-in defaults, then `defaults:`.
    /// A composition without its own `defaults:` entry takes `Thresholds.loosest(of:)` its parts.
    ///
    /// - Parameter precision: what the path produced, which decides the built-in defaults of an
    ///   external path (`ModelPrecision.pathComponent`); nil before it is known.
    public func pathThresholds(_ path: String, precision: ModelPrecision? = nil) -> Thresholds {
        let parts = OptimizationPath.componentNames(of: path)
        let base = parts.count == 1 ? builtinThresholds(path, precision: precision)
            : Thresholds.loosest(of: parts.map { pathThresholds($0, precision: precision) })
        return defaults[path].map(base.applying) ?? base
    }

    private func builtinThresholds(_ name: String, precision: ModelPrecision?) -> Thresholds {
        Self.judgingComponent(name, precision: precision)?.defaultThresholds ?? Self.externalDefaultThresholds
    }

    /// The built-in component whose defaults judge the path part `name`: itself when built in, else
    /// (an external path) the one of the precision it produced; nil when that is not known.
    private static func judgingComponent(_ name: String, precision: ModelPrecision?) -> OptimizationPath.Component? {
        OptimizationPath.Component(name: name) ?? precision?.pathComponent
    }

    /// What an external path is judged by when `defaults:` says nothing about it and the precision
    /// of what it produced is not known.
    public static let externalDefaultThresholds = Thresholds([.minCosine: 0.99])

    /// The thresholds that judge `output` of `model` on `path` (per-output keys only).
    /// `detectorMatch` is the output's pairing as read from a detector
    /// (`OutputMatch.detectorOutputs`): it applies when no layer sets `match`.
    public func tolerance(model: ModelEntry, path: String, output: String, precision: ModelPrecision? = nil,
                          detectorMatch: OutputMatch? = nil) -> Thresholds {
        resolved(model: model, path: path, output: output, precision: precision, detectorMatch: detectorMatch).tolerance
    }

    /// The budgets that judge the cell `model` × `path` (cell keys only).
    public func budget(model: ModelEntry, path: String, precision: ModelPrecision? = nil) -> Thresholds {
        resolved(model: model, path: path, output: nil, precision: precision).budget
    }

    /// The layers of `model` on top of the path's thresholds. A model with a teacher is judged
    /// against another model's golden outputs, which its own noise floor says nothing about: the
    /// path's `max_floor_ratio` does not apply to it (its own tolerances may still set one).
    /// An output without `match` takes `detectorMatch`. An output paired by detections (`match`)
    /// that no layer gives a `min_detection_agreement` gets the path's (`detectionAgreement`).
    private func resolved(model: ModelEntry, path: String, output: String?, precision: ModelPrecision?,
                          detectorMatch: OutputMatch? = nil) -> Thresholds {
        var base = pathThresholds(path, precision: precision)
        if model.teacher != nil { base[.maxFloorRatio] = nil }
        var result = model.overrides.layers(path: path, output: output).reduce(base) { $0.applying($1) }
        if output != nil, result.match == nil { result.match = detectorMatch }
        if output != nil, (result.match ?? .elements) != .elements, result[.minDetectionAgreement] == nil {
            result[.minDetectionAgreement] = detectionAgreement(path, precision: precision)
        }
        return result
    }

    /// The `min_detection_agreement` of a path: its components' default, the loosest of them for
    /// a composition; an external path's by the precision of what it produced, else the lossy one.
    public func detectionAgreement(_ path: String, precision: ModelPrecision? = nil) -> Double {
        let defaults = OptimizationPath.componentNames(of: path).map {
            Self.judgingComponent($0, precision: precision)?.defaultDetectionAgreement ?? OptimizationPath.Component.lossyDetectionAgreement
        }
        return defaults.min() ?? OptimizationPath.Component.lossyDetectionAgreement
    }

    /// FNV-1a 64 of the text, in hex: stable across platforms and runs.
    public static func digest(of text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
