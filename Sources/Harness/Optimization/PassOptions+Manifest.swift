import Passes
import Yams

extension PassOptions {
    /// The pass options a corpus manifest gives one model on one path.
    ///
    /// For each component of the path (`fused+int8-static` has two), the manifest's
    /// `defaults.<component>.options` apply, then the model's `models.<model>.options.<component>`;
    /// later components and model entries win. Values may be scalars or lists (joined with commas):
    ///
    /// ```yaml
    /// defaults:
    ///   int8-static: {min_cosine: 0.99, options: {calibration_method: entropy}}
    /// models:
    ///   torch_cnn: {source: torch_cnn/model.onnx, options: {int8-static: {exclude_nodes: [fc2]}}}
    /// ```
    ///
    /// - Throws: `PassError.invalidOption` when an options entry is not a mapping.
    public init(manifest: [String: Any], model: String?, path: OptimizationPath) throws(PassError) {
        var values: [String: String] = [:]
        let defaults = manifest["defaults"] as? [String: Any] ?? [:]
        let models = manifest["models"] as? [String: Any] ?? [:]
        let modelOptions = model.flatMap { (models[$0] as? [String: Any])?["options"] as? [String: Any] } ?? [:]
        for component in path.components.map(\.description) {
            for entry in [(defaults[component] as? [String: Any])?["options"], modelOptions[component]] {
                guard let entry else { continue }
                guard let mapping = entry as? [String: Any] else {
                    throw .invalidOption(key: "options", value: String(describing: entry), expected: "a mapping of option names to values")
                }
                for (key, value) in mapping { values[key.lowercased().replacingOccurrences(of: "-", with: "_")] = Self.text(value) }
            }
        }
        self.init(values)
    }

    /// The options for `model` and `path` in the text of a `corpus.yml`.
    public init(manifestYAML: String, model: String?, path: OptimizationPath) throws {
        let manifest = try Yams.load(yaml: manifestYAML) as? [String: Any] ?? [:]
        try self.init(manifest: manifest, model: model, path: path)
    }

    private static func text(_ value: Any) -> String {
        if let list = value as? [Any] { return list.map(text).joined(separator: ",") }
        return String(describing: value)
    }
}
