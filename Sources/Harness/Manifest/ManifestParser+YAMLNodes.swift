import Foundation
import Yams

/// The node-level readers and error builders `ManifestParser` uses: scalars, mappings and keys,
/// and errors that name the line and column of the node at fault.
extension ManifestParser {
    // MARK: Scalars

    func name(_ node: Node, what: String) throws(ManifestError) -> String {
        let text = try string(node, what: "a \(what) name")
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
        guard !text.isEmpty, text.unicodeScalars.allSatisfy(allowed.contains), text != ".", text != ".." else {
            throw invalid(node, "\(what) name '\(text)' may only use letters, digits, '_', '-' and '.'")
        }
        return text
    }

    func string(_ node: Node, what: String) throws(ManifestError) -> String {
        guard case .scalar(let scalar) = node else {
            throw invalid(node, "\(what) must be a single value, not a \(kind(node))")
        }
        return scalar.string
    }

    /// A number in range, or nil for `null`/`~`, which removes a gate set by an earlier layer.
    func number(_ node: Node, for key: ThresholdKey) throws(ManifestError) -> Double? {
        guard case .scalar(let scalar) = node else {
            throw invalid(node, "'\(key.rawValue)' must be \(key.rangeDescription) or null, not a \(kind(node))")
        }
        let text = scalar.string.trimmingCharacters(in: .whitespaces)
        if scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(text) { return nil }
        guard let value = Double(text), value.isFinite else {
            throw invalid(node, "'\(key.rawValue)' must be \(key.rangeDescription) or null, not '\(scalar.string)'")
        }
        guard key.validRange.contains(value) else {
            throw invalid(node, "'\(key.rawValue)' must be \(key.rangeDescription), not \(text)")
        }
        return value
    }

    func mapping(_ node: Node, what: String) throws(ManifestError) -> [(Node, Node)] {
        guard case .mapping(let mapping) = node else {
            throw invalid(node, "\(what) must be a mapping of keys to values, not a \(kind(node))")
        }
        return mapping.map { ($0.key, $0.value) }
    }

    func value(_ pairs: [(Node, Node)], _ key: String) -> Node? {
        pairs.first { $0.0.string == key }?.1
    }

    func checkKeys(_ pairs: [(Node, Node)], allowed: [String], in context: String) throws(ManifestError) {
        for (key, _) in pairs {
            let text = try string(key, what: "a key of \(context)")
            guard allowed.contains(text) else {
                throw invalid(key, "unknown key '\(text)' in \(context)" + suggestion(text, allowed), allowed: allowed)
            }
        }
    }

    func kind(_ node: Node) -> String {
        switch node {
        case .scalar: "single value"
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        }
    }

    // MARK: Errors

    func invalid(_ node: Node, _ problem: String, allowed: [String] = []) -> ManifestError {
        .invalid(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0, problem: problem, allowed: allowed)
    }

    func syntaxError(_ error: any Error) -> ManifestError {
        guard let yaml = error as? YamlError else {
            return .syntax(file: file, line: 0, column: 0, problem: String(describing: error))
        }
        switch yaml {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let detail = context.map { " (\($0.text))" } ?? ""
            return .syntax(file: file, line: mark.line, column: mark.column, problem: problem + detail)
        case let .duplicatedKeysInMapping(duplicates, context):
            return .syntax(file: file, line: context.mark.line, column: context.mark.column,
                           problem: "duplicate key " + duplicates.map { "'\($0)'" }.joined(separator: ", "))
        case let .reader(problem, _, _, _):
            return .syntax(file: file, line: 0, column: 0, problem: problem)
        default:
            return .syntax(file: file, line: 0, column: 0, problem: String(describing: yaml))
        }
    }

    /// " (did you mean 'x'?)" for a near miss, else "".
    func suggestion(_ text: String, _ candidates: [String]) -> String {
        let scored = candidates.map { ($0, Self.editDistance(text, $0)) }.filter { $0.1 <= max(1, text.count / 3) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return "" }
        return " (did you mean '\(best.0)'?)"
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
