import ModelIR

/// Collects findings while a check walks a model.
final class FindingSink {
    private(set) var findings: [Finding] = []

    var hasErrors: Bool { findings.contains { $0.level == .error } }

    func error(_ code: String, _ message: String, node: Node? = nil, hint: String? = nil) {
        add(.error, code, message, node: node, hint: hint)
    }

    func warning(_ code: String, _ message: String, node: Node? = nil, hint: String? = nil) {
        add(.warning, code, message, node: node, hint: hint)
    }

    func add(_ level: Finding.Level, _ code: String, _ message: String, node: Node? = nil, hint: String? = nil) {
        findings.append(Finding(level: level, code: code, node: node?.label, op: node?.opType, message: message, hint: hint))
    }
}
