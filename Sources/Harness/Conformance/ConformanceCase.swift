import Executor
import Foundation
import ModelFormats
import ModelIR

/// One ONNX backend-style test case: a folder with `model.onnx` and `test_data_set_N/` folders of
/// `input_K.pb` and `output_K.pb`.
public struct ConformanceCase: Sendable, Hashable {
    public var directory: URL
    /// The folder's path relative to the suite root (`node/test_abs` run from the suite root, `test_abs` from `node/`).
    public var name: String

    public init(directory: URL, name: String) {
        self.directory = directory
        self.name = name
    }

    /// Every case under `root`, found recursively, sorted by name.
    public static func discover(in root: URL) -> [ConformanceCase] {
        let root = root.standardizedFileURL.resolvingSymlinksInPath()
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        var cases: [ConformanceCase] = []
        for case let url as URL in enumerator where url.lastPathComponent == "model.onnx" {
            let folder = url.deletingLastPathComponent().standardizedFileURL.resolvingSymlinksInPath()
            let sets = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            guard sets.contains(where: { $0.hasPrefix("test_data_set_") }) else { continue }
            var name = String(folder.path.dropFirst(root.path.count))
            while name.hasPrefix("/") { name.removeFirst() }
            if name.isEmpty { name = folder.lastPathComponent }
            cases.append(ConformanceCase(directory: folder, name: name))
        }
        return cases.sorted { $0.name < $1.name }
    }

    /// Runs the case and compares every output of every data set.
    public func run(comparison: ValueComparison = ValueComparison()) -> ConformanceResult {
        let start = Date()
        var result = ConformanceResult(name: name, operators: [], passed: false, reason: nil, seconds: 0)
        let model: Model
        do {
            model = try ONNXModelFile.load(directory.appendingPathComponent("model.onnx"))
        } catch {
            result.reason = "model does not load: \(error)"
            return result
        }
        result.operators = Self.operators(of: model)
        do {
            let evaluator = try Evaluator(model: model)
            let sets = try FileManager.default.contentsOfDirectory(atPath: directory.path)
                .filter { $0.hasPrefix("test_data_set_") }
                .sorted { (Int($0.dropFirst(14)) ?? 0) < (Int($1.dropFirst(14)) ?? 0) }
            for set in sets {
                if let problem = try check(evaluator, model: model, set: directory.appendingPathComponent(set), comparison: comparison) {
                    result.reason = "\(set): \(problem)"
                    result.seconds = Date().timeIntervalSince(start)
                    return result
                }
            }
            result.passed = true
        } catch {
            result.reason = "\(error)"
        }
        result.seconds = Date().timeIntervalSince(start)
        return result
    }

    private func check(_ evaluator: Evaluator, model: Model, set: URL, comparison: ValueComparison) throws -> String? {
        let feeds = model.graph.feedInputs
        var inputs: [String: RuntimeValue] = [:]
        var index = 0
        while true {
            let url = set.appendingPathComponent("input_\(index).pb")
            guard FileManager.default.fileExists(atPath: url.path) else { break }
            guard index < feeds.count else { return "input_\(index).pb has no graph input to feed (the graph has \(feeds.count))" }
            let info = feeds[index]
            let (_, value) = try ONNXDataFile.load(url, as: info.type?.type)
            inputs[info.name] = try ValueConversion.runtimeValue(value)
            index += 1
        }
        let result = try evaluator.run(inputs)
        for (position, output) in model.graph.outputs.enumerated() {
            let url = set.appendingPathComponent("output_\(position).pb")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let (_, expected) = try ONNXDataFile.load(url, as: output.type?.type)
            guard position < result.outputs.count else { return "output \(position) missing" }
            let actual = result.outputs[position].value
            if let problem = comparison.mismatch(actual, try ValueConversion.runtimeValue(expected)) {
                return "output '\(output.name)': \(problem)"
            }
        }
        return nil
    }

    /// The operator types a model uses, in its graph and subgraphs (`domain.op` outside the default domain).
    static func operators(of model: Model) -> [String] {
        var names = Set<String>()
        func visit(_ graph: Graph) {
            for node in graph.nodes {
                names.insert(node.canonicalDomain.isEmpty ? node.opType : "\(node.canonicalDomain).\(node.opType)")
                node.subgraphs.forEach(visit)
            }
        }
        visit(model.graph)
        return names.sorted()
    }
}

/// The outcome of one case.
public struct ConformanceResult: Codable, Sendable {
    public var name: String
    public var operators: [String]
    public var passed: Bool
    /// Why the case failed, in one line.
    public var reason: String?
    public var seconds: Double

    public init(name: String, operators: [String], passed: Bool, reason: String?, seconds: Double) {
        self.name = name
        self.operators = operators
        self.passed = passed
        self.reason = reason
        self.seconds = seconds
    }
}

/// The results of a conformance run with per-operator counts: `modelgate conformance --report`.
public struct ConformanceReport: Codable, Sendable {
    public struct OperatorCount: Codable, Sendable {
        public var passed: Int
        public var total: Int
    }

    public var schema = "modelgate.conformance/v1"
    public var directory: String
    public var passed: Int
    public var failed: Int
    public var operators: [String: OperatorCount]
    public var cases: [ConformanceResult]

    public init(directory: String, cases: [ConformanceResult]) {
        self.directory = directory
        self.cases = cases
        passed = cases.filter(\.passed).count
        failed = cases.count - passed
        var operators: [String: OperatorCount] = [:]
        for result in cases {
            for op in result.operators {
                operators[op, default: OperatorCount(passed: 0, total: 0)].total += 1
                if result.passed { operators[op]?.passed += 1 }
            }
        }
        self.operators = operators
    }

    /// The per-operator table and the closing `N passed, M failed` line.
    public func text(verbose: Bool) -> String {
        var lines: [String] = []
        let width = max(operators.keys.map(\.count).max() ?? 0, 8)
        lines.append("operator".padding(toLength: width, withPad: " ", startingAt: 0) + "  passed/total")
        for (op, count) in operators.sorted(by: { $0.key < $1.key }) {
            lines.append(op.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(count.passed)/\(count.total)")
        }
        if verbose {
            let failures = cases.filter { !$0.passed }
            if !failures.isEmpty {
                lines.append("")
                lines.append("failures:")
                for failure in failures {
                    lines.append("  \(failure.name): \((failure.reason ?? "failed").replacingOccurrences(of: "\n", with: " "))")
                }
            }
        }
        lines.append("")
        lines.append("\(passed) passed, \(failed) failed")
        return lines.joined(separator: "\n")
    }
}
