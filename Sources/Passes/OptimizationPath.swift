/// The built-in optimization paths, in one place: each name and the stages it runs.
///
/// A path is one component or several joined by `+` (`fused+int8-static`), run left to right.
/// Components: `fp32` (a round trip), `fused`, `fp16`, `int8-dynamic`, `int8-static`,
/// `prune-<N>` (unstructured magnitude pruning to N % zeros) and `prune-channels-<N>` (N % of the
/// output channels of Conv/Gemm layers removed by L1 norm).
public struct OptimizationPath: Sendable, Equatable, CustomStringConvertible {
    public enum Component: Sendable, Equatable, CustomStringConvertible {
        case fp32, fused, fp16, int8Dynamic, int8Static
        case prune(percent: Double)
        case pruneChannels(percent: Double)

        public var description: String {
            switch self {
            case .fp32: "fp32"
            case .fused: "fused"
            case .fp16: "fp16"
            case .int8Dynamic: "int8-dynamic"
            case .int8Static: "int8-static"
            case .prune(let percent): "prune-\(OptimizationPath.format(percent))"
            case .pruneChannels(let percent): "prune-channels-\(OptimizationPath.format(percent))"
            }
        }
    }

    public let components: [Component]

    /// The names `parse` accepts, for messages.
    public static let knownNames = ["fp32", "fused", "fp16", "int8-dynamic", "int8-static", "prune-<N>", "prune-channels-<N>"]

    /// Parses a path name such as `fused+int8-static` or `prune-50`.
    /// - Throws: `PassError.unknownPath` for a component that is not built in.
    public init(parsing name: String) throws(PassError) {
        var components: [Component] = []
        for part in name.split(separator: "+", omittingEmptySubsequences: false).map(String.init) {
            guard let component = Self.component(part) else { throw .unknownPath(part, known: Self.knownNames) }
            components.append(component)
        }
        self.components = components
    }

    public var description: String { components.map(\.description).joined(separator: "+") }

    /// True when a stage needs calibration statistics.
    public var needsCalibration: Bool { components.contains(.int8Static) }

    private static func component(_ name: String) -> Component? {
        switch name {
        case "fp32": return .fp32
        case "fused": return .fused
        case "fp16": return .fp16
        case "int8-dynamic": return .int8Dynamic
        case "int8-static": return .int8Static
        default:
            if name.hasPrefix("prune-channels-") {
                return percent(name.dropFirst("prune-channels-".count)).map { .pruneChannels(percent: $0) }
            }
            if name.hasPrefix("prune-") { return percent(name.dropFirst("prune-".count)).map { .prune(percent: $0) } }
            return nil
        }
    }

    private static func percent(_ text: Substring) -> Double? {
        guard let value = Double(text), value > 0, value < 100 else { return nil }
        return value
    }

    static func format(_ percent: Double) -> String {
        percent == percent.rounded() ? String(Int(percent)) : String(percent)
    }

    /// The stages of this path, configured by `options`.
    /// - Throws: `PassError.invalidOption` for an option a stage cannot use.
    public func stages(options: PassOptions) throws(PassError) -> [PassStage] {
        var stages: [PassStage] = []
        for component in components {
            stages.append(contentsOf: try Self.stages(of: component, options: options))
        }
        if components.contains(where: { if case .prune = $0 { return true } else { return false } }) {
            stages.append(PassStage(name: "sparse-storage", passes: [SparseWeightStorage()], repeats: false))
        }
        return stages
    }

    static let cleanup = PassStage(name: "cleanup", passes: [ConstantLifting(), IdentityElimination(), DeadCodeElimination()])

    private static func stages(of component: Component, options: PassOptions) throws(PassError) -> [PassStage] {
        switch component {
        case .fp32:
            return []
        case .fused:
            return [PassStage(name: "fused", passes: [
                InitializerInputRemoval(), ConstantLifting(), ConstantFolding(), IdentityElimination(), TransposeReshapeCancellation(),
                BatchNormFolding(), ConstantArithmeticFolding(), MatMulAddToGemm(), DeadCodeElimination(),
            ])]
        case .fp16:
            return [cleanup,
                    PassStage(name: "fp16", passes: [try Float16Conversion(options: options)], repeats: false),
                    PassStage(name: "fp16-cleanup", passes: [CastCancellation(), DeadCodeElimination()])]
        case .int8Dynamic:
            return [cleanup,
                    PassStage(name: "int8-dynamic", passes: [try DynamicQuantization(options: options)], repeats: false),
                    PassStage(name: "int8-dynamic-cleanup", passes: [DeadCodeElimination()])]
        case .int8Static:
            let quantization = try StaticQuantization(options: options)
            return [cleanup,
                    PassStage(name: "int8-static", passes: [quantization], repeats: false,
                              calibration: quantization.calibrationRequest),
                    PassStage(name: "int8-static-cleanup", passes: [DeadCodeElimination()])]
        case .prune(let percent):
            return [cleanup, PassStage(name: "prune", passes: [try MagnitudePruning(percent: percent, options: options)], repeats: false)]
        case .pruneChannels(let percent):
            return [cleanup,
                    PassStage(name: "prune-channels", passes: [try ChannelPruning(percent: percent, options: options)], repeats: false),
                    PassStage(name: "prune-channels-cleanup", passes: [DeadCodeElimination()])]
        }
    }
}
