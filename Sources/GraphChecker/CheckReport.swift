import ModelIR

/// What checking one model found: every finding, and which nodes passed.
public struct CheckReport: Sendable, Codable {
    /// Valid when no finding is an error (warnings and infos are allowed).
    public var isValid: Bool { !findings.contains { $0.level == .error } }
    public var findings: [Finding]
    /// Labels of the main graph's nodes that no error names, in graph order.
    public var passingNodes: [String]
    /// Labels of the nodes that at least one error names (subgraph nodes included), in finding order.
    public var failingNodes: [String]
    /// The model with inferred types in `graph.valueInfo`; nil when structural errors stopped inference.
    public var inferredModel: Model? { inferred?.model }

    /// Boxed so the report stays `Codable` without encoding the model.
    var inferred: InferredModel?

    enum CodingKeys: String, CodingKey {
        case findings, passingNodes, failingNodes
    }

    public var errors: [Finding] { findings.filter { $0.level == .error } }
    public var warnings: [Finding] { findings.filter { $0.level == .warning } }
}

/// A model kept out of a report's `Codable` form.
struct InferredModel: Sendable {
    var model: Model
}

extension CheckReport {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        findings = try container.decode([Finding].self, forKey: .findings)
        passingNodes = try container.decode([String].self, forKey: .passingNodes)
        failingNodes = try container.decode([String].self, forKey: .failingNodes)
        inferred = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(findings, forKey: .findings)
        try container.encode(passingNodes, forKey: .passingNodes)
        try container.encode(failingNodes, forKey: .failingNodes)
    }
}
