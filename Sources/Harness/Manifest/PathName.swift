/// The optimization paths ModelGate implements itself (DESIGN.md, "Built-in paths").
public enum BuiltinPath: String, Sendable, Hashable, Codable, CaseIterable {
    case fp32
    case fused
    case fp16
    case int8Dynamic = "int8-dynamic"
    case int8Static = "int8-static"
    case prune50 = "prune-50"
    case pruneChannels25 = "prune-channels-25"

    /// The thresholds a path gets when `corpus.yml` sets none: tight `allclose` for the lossless
    /// paths, cosine and accuracy budgets for the lossy ones.
    public var defaultThresholds: Thresholds {
        switch self {
        case .fp32:
            Thresholds([.rtol: 1e-4, .atol: 1e-5, .minCosine: 0.99999])
        case .fused:
            Thresholds([.rtol: 1e-3, .atol: 1e-4, .minCosine: 0.9999])
        case .fp16:
            Thresholds([.rtol: 1e-2, .atol: 1e-3, .minCosine: 0.999, .maxAccuracyLoss: 0.005])
        case .int8Dynamic, .int8Static:
            Thresholds([.minCosine: 0.99, .maxAccuracyLoss: 0.01])
        case .prune50:
            Thresholds([.minCosine: 0.95, .maxAccuracyLoss: 0.02])
        case .pruneChannels25:
            Thresholds([.minCosine: 0.9, .maxAccuracyLoss: 0.03])
        }
    }

    /// Names in the order DESIGN.md lists them, for error messages.
    public static let names = allCases.map(\.rawValue)
}

/// One step of a path: a built-in transformation or a user's converter command.
public enum PathStep: Sendable, Hashable {
    case builtin(BuiltinPath)
    case external(ExternalPath)

    public var name: String {
        switch self {
        case .builtin(let path): path.rawValue
        case .external(let path): path.name
        }
    }
}

/// A resolved path name: `fp32`, an external path, or a composition `a+b` applied left to right.
public struct PathSpec: Sendable, Hashable {
    public var name: String
    public var steps: [PathStep]

    public init(name: String, steps: [PathStep]) {
        self.name = name
        self.steps = steps
    }

    /// True when the path is the plain fp32 conversion, the reference other cells are sized against.
    public var isReference: Bool { steps == [.builtin(.fp32)] }

    /// The components of a path name (`"fused+int8-static"` → `["fused", "int8-static"]`).
    public static func components(of name: String) -> [String] {
        name.split(separator: "+", omittingEmptySubsequences: false).map { String($0) }
    }
}
