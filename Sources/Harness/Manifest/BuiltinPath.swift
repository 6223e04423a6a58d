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
