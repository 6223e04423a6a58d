/// The built-in optimization paths, in one place: each name and the stages it runs.
///
/// A path is one component or several joined by `+` (`fused+int8-static`), run left to right.
/// Components: `fp32` (a round trip), `fused`, `fp16`, `int8-dynamic`, `int8-static`, `int8-auto`
/// (`int8-static` keeping the nodes float that the gates need, `AccuracyDrivenQuantization`),
/// `prune-<N>` (unstructured magnitude pruning to N % zeros) and `prune-channels-<N>` (N % of the
/// output channels of Conv/Gemm layers removed by L1 norm).
public struct OptimizationPath: Sendable, Equatable, CustomStringConvertible {
    public enum Component: Sendable, Hashable, CustomStringConvertible {
        case fp32, fused, fp16, int8Dynamic, int8Static, int8Auto
        case prune(percent: Double)
        case pruneChannels(percent: Double)

        /// The component a name means (`"prune-30"` → `.prune(percent: 30)`), or nil when no
        /// built-in component has that name.
        public init?(name: String) {
            switch name {
            case "fp32": self = .fp32
            case "fused": self = .fused
            case "fp16": self = .fp16
            case "int8-dynamic": self = .int8Dynamic
            case "int8-static": self = .int8Static
            case "int8-auto": self = .int8Auto
            default:
                if name.hasPrefix("prune-channels-") {
                    guard let percent = Self.percent(name.dropFirst("prune-channels-".count)) else { return nil }
                    self = .pruneChannels(percent: percent)
                } else if name.hasPrefix("prune-") {
                    guard let percent = Self.percent(name.dropFirst("prune-".count)) else { return nil }
                    self = .prune(percent: percent)
                } else {
                    return nil
                }
            }
        }

        private static func percent(_ text: Substring) -> Double? {
            guard let value = Double(text), value > 0, value < 100 else { return nil }
            return value
        }

        public var description: String {
            switch self {
            case .fp32: "fp32"
            case .fused: "fused"
            case .fp16: "fp16"
            case .int8Dynamic: "int8-dynamic"
            case .int8Static: "int8-static"
            case .int8Auto: "int8-auto"
            case .prune(let percent): "prune-\(OptimizationPath.format(percent))"
            case .pruneChannels(let percent): "prune-channels-\(OptimizationPath.format(percent))"
            }
        }
    }

    public let components: [Component]

    /// The names `parse` accepts, for messages.
    public static let knownNames = ["fp32", "fused", "fp16", "int8-dynamic", "int8-static", "int8-auto", "prune-<N>", "prune-channels-<N>"]
    /// `knownNames` spelled out (`<N>` as 50), what a misspelt path name is compared with.
    public static let exampleNames = knownNames.map { $0.replacing("<N>", with: "50") }

    public init(components: [Component]) {
        self.components = components
    }

    /// Parses a path name such as `fused+int8-static` or `prune-50`.
    /// - Throws: `PassError.unknownPath` for a component that is not built in.
    public init(parsing name: String) throws(PassError) {
        var components: [Component] = []
        for part in Self.componentNames(of: name) {
            guard let component = Component(name: part) else { throw .unknownPath(part, known: Self.knownNames) }
            components.append(component)
        }
        self.components = components
    }

    /// The parts of a path name, built-in or not: `"fused+my-converter"` → `["fused", "my-converter"]`
    /// (an empty part for an empty step). The one place a composition is split.
    public static func componentNames(of name: String) -> [String] {
        name.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
    }

    public var description: String { components.map(\.description).joined(separator: "+") }

    /// True when a stage needs calibration statistics.
    public var needsCalibration: Bool { components.contains(.int8Static) || components.contains(.int8Auto) }


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
    /// Before int8: opset 13 for per-channel weights (`upgrade_opset=false` keeps the model's
    /// opset), and initializers that are also graph inputs (IR < 4 files) made constants, or no
    /// weight could be quantized (`keep_initializer_inputs=true` keeps them).
    static let int8Preparation = PassStage(name: "int8-preparation", passes: [OpsetUpgrade(), InitializerInputRemoval()], repeats: false)

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
            return [int8Preparation, cleanup,
                    PassStage(name: "int8-dynamic", passes: [try DynamicQuantization(options: options)], repeats: false),
                    PassStage(name: "int8-dynamic-cleanup", passes: [DeadCodeElimination()])]
        case .int8Static, .int8Auto:
            let quantization = try AccuracyDrivenQuantization(options: options, searchesFallback: component == .int8Auto)
            return [int8Preparation, cleanup,
                    PassStage(name: component.description, passes: [quantization], repeats: false,
                              calibration: quantization.calibrationRequest),
                    PassStage(name: "\(component)-cleanup", passes: [DeadCodeElimination()])]
        case .prune(let percent):
            return [cleanup, PassStage(name: "prune", passes: [try MagnitudePruning(percent: percent, options: options)], repeats: false)]
        case .pruneChannels(let percent):
            return [cleanup,
                    PassStage(name: "prune-channels", passes: [try ChannelPruning(percent: percent, options: options)], repeats: false),
                    PassStage(name: "prune-channels-cleanup", passes: [DeadCodeElimination()])]
        }
    }
}
