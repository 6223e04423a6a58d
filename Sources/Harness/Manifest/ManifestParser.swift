import Foundation
import Passes
import Yams

/// Walks the YAML node tree of `corpus.yml` (Yams' `Node` API, so every error has a line and
/// column) and builds a validated `Manifest`.
struct ManifestParser {
    static let topLevelKeys = ["paths", "defaults", "models", "external_paths"]
    static let modelKeys = ["source", "paths", "tolerances", "teacher", "budgets", "options"]
    static let externalPathKeys = ["command", "format"]
    static let modelFormats = ModelFileFormat.allCases.map { "." + $0.rawValue }

    let file: String
    let corpusRoot: URL
    let checkSources: Bool
    private var externalPaths: [String: ExternalPath] = [:]

    init(file: String, corpusRoot: URL, checkSources: Bool) {
        self.file = file
        self.corpusRoot = corpusRoot
        self.checkSources = checkSources
    }

    mutating func parse(_ yaml: String) throws(ManifestError) -> Manifest {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: yaml) else {
                throw ManifestError.invalid(file: file, line: 1, column: 1, problem: "the manifest is empty; it needs at least 'models'",
                                            allowed: Self.topLevelKeys)
            }
            root = node
        } catch let error as ManifestError {
            throw error
        } catch {
            throw syntaxError(error)
        }
        let top = try mapping(root, what: "the manifest")
        try checkKeys(top, allowed: Self.topLevelKeys, in: "the manifest")

        if let node = value(top, "external_paths") {
            for (key, value) in try mapping(node, what: "'external_paths'") {
                let name = try name(key, what: "external path")
                guard OptimizationPath.Component(name: name) == nil else {
                    throw invalid(key, "external path '\(name)' has the name of a built-in path; choose another name")
                }
                guard !name.contains("+") else {
                    throw invalid(key, "external path name '\(name)' contains '+', which composes paths")
                }
                externalPaths[name] = try externalPath(name, value)
            }
        }

        var paths: [String]?
        if let node = value(top, "paths") {
            paths = try pathList(node, what: "'paths'")
        }

        var defaults: [String: ThresholdOverrides] = [:]
        var defaultOptions: [String: [String: String]] = [:]
        if let node = value(top, "defaults") {
            for (key, value) in try mapping(node, what: "'defaults'") {
                let path = try pathName(key, in: "'defaults'")
                var entries = try mapping(value, what: "defaults for '\(path)'")
                if let index = entries.firstIndex(where: { $0.0.string == "options" }) {
                    defaultOptions[path] = try passOptions(entries[index].1, component: entries[index].0, path: path, in: "'options' of defaults for '\(path)'")
                    entries.remove(at: index)
                }
                defaults[path] = try thresholds(entries, keys: ThresholdKey.allCases, in: "defaults for '\(path)'")
            }
        }

        guard let modelsNode = value(top, "models") else {
            throw invalid(root, "the manifest has no 'models'", allowed: Self.topLevelKeys)
        }
        var models: [ModelEntry] = []
        var teacherNodes: [String: Node] = [:]
        for (key, value) in try mapping(modelsNode, what: "'models'") {
            let name = try name(key, what: "model")
            let (model, teacherNode) = try modelEntry(name, key: key, value: value)
            if model.paths == nil && paths == nil {
                throw invalid(key, "model '\(name)' lists no 'paths' and the manifest has no top-level 'paths'")
            }
            models.append(model)
            teacherNodes[name] = teacherNode
        }
        guard !models.isEmpty else { throw invalid(modelsNode, "'models' is empty; list at least one model") }

        let names = Set(models.map(\.name))
        for model in models {
            guard let teacher = model.teacher, let node = teacherNodes[model.name] else { continue }
            guard names.contains(teacher) else {
                throw invalid(node, "teacher '\(teacher)' of model '\(model.name)' is not a model of this manifest",
                              allowed: models.map(\.name).filter { $0 != model.name })
            }
            guard teacher != model.name else { throw invalid(node, "model '\(model.name)' is its own teacher") }
            var chain = [model.name]
            var current: String? = teacher
            while let next = current {
                if chain.contains(next) {
                    throw invalid(node, "teachers form a cycle: " + (chain + [next]).joined(separator: " → "))
                }
                chain.append(next)
                current = models.first { $0.name == next }?.teacher
            }
        }
        return Manifest(file: file, corpusRoot: corpusRoot, paths: paths ?? [], defaults: defaults, defaultOptions: defaultOptions,
                        models: models, externalPaths: externalPaths)
    }

    // MARK: Entries

    private func externalPath(_ name: String, _ node: Node) throws(ManifestError) -> ExternalPath {
        let entry = try mapping(node, what: "external path '\(name)'")
        try checkKeys(entry, allowed: Self.externalPathKeys, in: "external path '\(name)'")
        guard let commandNode = value(entry, "command") else {
            throw invalid(node, "external path '\(name)' has no 'command'", allowed: Self.externalPathKeys)
        }
        let command = try string(commandNode, what: "'command' of external path '\(name)'")
        for placeholder in ["{input}", "{output}"] where !command.contains(placeholder) {
            throw invalid(commandNode, "the command of external path '\(name)' has no \(placeholder) placeholder; "
                          + "ModelGate replaces {input} with the source model and {output} with the file to write")
        }
        var format = ExternalPath.Format.onnx
        if let formatNode = value(entry, "format") {
            let text = try string(formatNode, what: "'format' of external path '\(name)'")
            guard let parsed = ExternalPath.Format(rawValue: text) else {
                throw invalid(formatNode, "unknown format '\(text)' of external path '\(name)'",
                              allowed: ExternalPath.Format.allCases.map(\.rawValue))
            }
            format = parsed
        }
        return ExternalPath(name: name, command: command, format: format)
    }

    private func modelEntry(_ name: String, key: Node, value node: Node) throws(ManifestError) -> (ModelEntry, Node?) {
        let entry = try mapping(node, what: "model '\(name)'")
        try checkKeys(entry, allowed: Self.modelKeys, in: "model '\(name)'")
        guard let sourceNode = value(entry, "source") else {
            throw invalid(key, "model '\(name)' has no 'source'", allowed: Self.modelKeys)
        }
        let source = try string(sourceNode, what: "'source' of model '\(name)'")
        let url = source.hasPrefix("/") ? URL(fileURLWithPath: source) : corpusRoot.appendingPathComponent(source)
        guard ModelFileFormat(url: url) != nil else {
            throw invalid(sourceNode, "source '\(source)' of model '\(name)' is not a model file ModelGate reads",
                          allowed: Self.modelFormats)
        }
        if checkSources {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw invalid(sourceNode, "source '\(source)' of model '\(name)' does not exist (looked for \(url.path))")
            }
        }
        var model = ModelEntry(name: name, source: source, sourceURL: url, line: key.mark?.line ?? 0)
        if let pathsNode = value(entry, "paths") {
            model.paths = try pathList(pathsNode, what: "'paths' of model '\(name)'")
        }
        var teacherNode: Node?
        if let node = value(entry, "teacher") {
            model.teacher = try string(node, what: "'teacher' of model '\(name)'")
            teacherNode = node
        }
        if let node = value(entry, "tolerances") {
            model.overrides.merge(try modelOverrides(node, keys: ThresholdKey.perOutputKeys, outputs: true,
                                                     in: "'tolerances' of model '\(name)'"))
        }
        if let node = value(entry, "budgets") {
            model.overrides.merge(try modelOverrides(node, keys: ThresholdKey.budgetKeys, outputs: false,
                                                     in: "'budgets' of model '\(name)'"))
        }
        if let node = value(entry, "options") {
            for (key, value) in try mapping(node, what: "'options' of model '\(name)'") {
                let component = try string(key, what: "a path component in 'options' of model '\(name)'")
                model.options[component] = try passOptions(value, component: key, path: component, in: "'options' of model '\(name)' for '\(component)'")
            }
        }
        return (model, teacherNode)
    }

    /// Pass options for one built-in path component: a mapping of option names to a value or a
    /// list of values (joined with commas), names lower-cased with `-` as `_`.
    private func passOptions(_ node: Node, component key: Node, path: String, in context: String) throws(ManifestError) -> [String: String] {
        guard OptimizationPath.Component(name: path) != nil else {
            throw invalid(key, "options in \(context) need a built-in path component, not '\(path)'", allowed: OptimizationPath.knownNames)
        }
        var result: [String: String] = [:]
        for (name, value) in try mapping(node, what: context) {
            let option = try string(name, what: "an option name in \(context)").lowercased().replacingOccurrences(of: "-", with: "_")
            switch value {
            case .scalar(let scalar): result[option] = scalar.string
            case .sequence(let items):
                var parts: [String] = []
                for item in items { parts.append(try string(item, what: "an item of option '\(option)' in \(context)")) }
                result[option] = parts.joined(separator: ",")
            default:
                throw invalid(value, "option '\(option)' in \(context) must be a value or a list of values, not a \(kind(value))")
            }
        }
        return result
    }

    /// Reads `key: value` into `all` when the key is a threshold key allowed here or `match`;
    /// false for any other key, which the caller interprets.
    private func thresholdEntry(_ key: Node, _ text: String, _ value: Node, keys: [ThresholdKey], in context: String,
                                into all: inout ThresholdOverrides) throws(ManifestError) -> Bool {
        if let threshold = ThresholdKey(rawValue: text) {
            guard keys.contains(threshold) else { throw misplaced(key, threshold, in: context) }
            all[threshold] = .some(try number(value, for: threshold))
        } else if text == Self.matchKey {
            all.match = try match(key, value, keys: keys, in: context)
        } else {
            return false
        }
        return true
    }

    /// `tolerances:` or `budgets:` of a model: threshold keys for the whole model, path names with
    /// their own mapping, and (for tolerances) output names with a mapping of per-output keys.
    private func modelOverrides(_ node: Node, keys: [ThresholdKey], outputs: Bool, in context: String) throws(ManifestError) -> ModelOverrides {
        var result = ModelOverrides()
        var all = ThresholdOverrides()
        for (key, value) in try mapping(node, what: context) {
            let text = try string(key, what: "a key of \(context)")
            if try thresholdEntry(key, text, value, keys: keys, in: context, into: &all) { continue }
            if isPathName(text) {
                let (pathAll, pathOutputs) = try outputOverrides(value, keys: keys, outputs: outputs, in: "\(context) for path '\(text)'")
                result.perPath[text] = pathAll
                if !pathOutputs.isEmpty { result.perPathOutput[text] = pathOutputs }
            } else if outputs, case .mapping = value {
                result.perOutput[text] = try thresholds(value, keys: ThresholdKey.perOutputKeys, in: "\(context) for output '\(text)'")
            } else {
                let allowed = keys.map(\.rawValue) + [outputs ? "a path name or an output name with a mapping" : "a path name with a mapping"]
                throw invalid(key, "unknown key '\(text)' in \(context)" + suggestion(text, keys.map(\.rawValue)), allowed: allowed)
            }
        }
        result.all = all
        return result
    }

    /// A mapping of threshold keys, plus (for tolerances) output names with per-output mappings.
    private func outputOverrides(_ node: Node, keys: [ThresholdKey], outputs: Bool, in context: String)
        throws(ManifestError) -> (ThresholdOverrides, [String: ThresholdOverrides]) {
        var all = ThresholdOverrides()
        var perOutput: [String: ThresholdOverrides] = [:]
        for (key, value) in try mapping(node, what: context) {
            let text = try string(key, what: "a key of \(context)")
            if try thresholdEntry(key, text, value, keys: keys, in: context, into: &all) { continue }
            if outputs, case .mapping = value {
                perOutput[text] = try thresholds(value, keys: ThresholdKey.perOutputKeys, in: "\(context) for output '\(text)'")
            } else {
                throw invalid(key, "unknown key '\(text)' in \(context)" + suggestion(text, keys.map(\.rawValue)),
                              allowed: keys.map(\.rawValue) + (outputs ? ["an output name with a mapping"] : []))
            }
        }
        return (all, perOutput)
    }

    private func thresholds(_ node: Node, keys: [ThresholdKey], in context: String) throws(ManifestError) -> ThresholdOverrides {
        try thresholds(try mapping(node, what: context), keys: keys, in: context)
    }

    /// The threshold keys (and `match`) of a mapping's entries; any other key is an error.
    private func thresholds(_ entries: [(Node, Node)], keys: [ThresholdKey], in context: String) throws(ManifestError) -> ThresholdOverrides {
        var result = ThresholdOverrides()
        for (key, value) in entries {
            let text = try string(key, what: "a key of \(context)")
            guard try thresholdEntry(key, text, value, keys: keys, in: context, into: &result) else {
                throw invalid(key, "unknown key '\(text)' in \(context)" + suggestion(text, keys.map(\.rawValue)),
                              allowed: keys.map(\.rawValue))
            }
        }
        return result
    }

    /// The `match:` key: how an output is paired with its golden values (a tolerance, not a budget).
    static let matchKey = "match"

    private func match(_ key: Node, _ value: Node, keys: [ThresholdKey], in context: String) throws(ManifestError) -> OutputMatch {
        guard keys.contains(where: \.isPerOutput) else {
            throw invalid(key, "'match' cannot be set in \(context); it belongs under 'tolerances'")
        }
        let text = try string(value, what: "'match' in \(context)")
        guard let match = OutputMatch(rawValue: text) else {
            throw invalid(value, "unknown match '\(text)' in \(context)" + suggestion(text, OutputMatch.names), allowed: OutputMatch.names)
        }
        return match
    }

    private func misplaced(_ node: Node, _ key: ThresholdKey, in context: String) -> ManifestError {
        let home = key.isPerOutput ? "'tolerances'" : "'budgets'"
        return invalid(node, "'\(key.rawValue)' cannot be set in \(context); it belongs under \(home)")
    }

    // MARK: Paths

    private func isPathName(_ name: String) -> Bool {
        OptimizationPath.componentNames(of: name).allSatisfy(isStepName)
    }

    private func isStepName(_ name: String) -> Bool {
        OptimizationPath.Component(name: name) != nil || externalPaths[name] != nil
    }

    private var pathNamesAllowed: [String] {
        OptimizationPath.knownNames + externalPaths.keys.sorted() + ["or a composition a+b of them"]
    }

    private func pathName(_ node: Node, in context: String) throws(ManifestError) -> String {
        let text = try string(node, what: "a path name in \(context)")
        for part in OptimizationPath.componentNames(of: text) where !isStepName(part) {
            let problem = part.isEmpty ? "empty step in path '\(text)' in \(context)"
                : "unknown path '\(part)'" + (part == text ? "" : " in '\(text)'") + " in \(context)"
            throw invalid(node, problem + suggestion(part, OptimizationPath.exampleNames + externalPaths.keys.sorted()), allowed: pathNamesAllowed)
        }
        return text
    }

    private func pathList(_ node: Node, what: String) throws(ManifestError) -> [String] {
        let items: [Node]
        switch node {
        case .sequence(let sequence): items = Array(sequence)
        case .scalar: items = [node]
        default: throw invalid(node, "\(what) must be a list of path names, such as [fp32, fp16]")
        }
        var result: [String] = []
        for item in items {
            let name = try pathName(item, in: what)
            guard !result.contains(name) else { throw invalid(item, "path '\(name)' appears twice in \(what)") }
            result.append(name)
        }
        guard !result.isEmpty else { throw invalid(node, "\(what) is empty", allowed: pathNamesAllowed) }
        return result
    }
}
