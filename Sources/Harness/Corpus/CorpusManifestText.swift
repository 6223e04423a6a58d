import Foundation
import Yams

/// Edits `corpus.yml` as text, so that what its author wrote (comments, order, spacing) stays as it
/// is: a new corpus's commented template, and one more line under `models:`.
public enum CorpusManifestText {
    /// The paths a new corpus runs: the reference and the lossless and common lossy conversions.
    public static let templatePaths = ["fp32", "fused", "fp16", "int8-static"]

    /// A commented manifest with no models yet.
    public static func template() -> String {
        """
        # A ModelGate corpus: the models to validate, the paths each one runs, and the thresholds that
        # judge every model × path cell (reference: docs/corpus-manifest.md in ModelGate's repository).
        #
        # Add a model (copies it here, writes golden.h5 and calibration.h5 beside it, adds it below):
        #   modelgate add path/to/model.onnx --corpus .
        # Run every model × path; exit 0 when every gate passes, 1 when one fails:
        #   modelgate run --corpus .
        paths: [\(templatePaths.joined(separator: ", "))]
        # Thresholds per path, on top of the built-in ones (the fp32 and fused defaults follow each
        # model's own float32 noise floor):
        # defaults:
        #   int8-static: {min_cosine: 0.98}
        models:

        """
    }

    /// The model names the manifest text declares under `models:`.
    public static func modelNames(in text: String) throws -> [String] {
        guard let root = try Yams.load(yaml: text) as? [String: Any] else { return [] }
        return ((root["models"] as? [String: Any]) ?? [:]).keys.sorted()
    }

    /// `text` with `name: {source: …}` appended to the `models:` mapping (created at the end when
    /// there is none), in the indentation the existing entries use.
    public static func adding(model name: String, source: String, to text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        let entry = "\(name): {source: \(source)}"
        guard let header = lines.firstIndex(where: { $0.hasPrefix("models:") }) else {
            return (lines + ["models:", "  " + entry]).joined(separator: "\n") + "\n"
        }
        let inline = lines[header].dropFirst("models:".count).trimmingCharacters(in: .whitespaces)
        if inline.hasPrefix("{}") { lines[header] = "models:" }
        var end = header + 1
        var lastEntry = header
        var indent = "  "
        while end < lines.count {
            let line = lines[end]
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if !trimmed.isEmpty, !line.hasPrefix(" "), !line.hasPrefix("\t"), !trimmed.hasPrefix("#") { break }
            if !trimmed.isEmpty, !trimmed.hasPrefix("#") {
                if lastEntry == header { indent = String(line.prefix(while: { $0 == " " })) }
                lastEntry = end
            }
            end += 1
        }
        lines.insert(indent + entry, at: lastEntry + 1)
        return lines.joined(separator: "\n") + "\n"
    }
}
