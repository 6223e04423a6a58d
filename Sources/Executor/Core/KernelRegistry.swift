import ModelIR

/// The kernels the executor knows, keyed by (domain, op type, since-version).
///
/// Kernels are grouped in families, one folder each: `Kernels/<Family>/` holds one file per op
/// (or per small group of ops) and one list, `<Family>Kernels.swift`:
///
///     enum MathKernels {
///         static let all: [any Kernel.Type] = [Add_7.self, Add_14.self, …]
///     }
///
/// To add a family, create its folder and list, then add one line to `families` below; to add an
/// op to a family, add its file and put its types in the family's list. Nothing else is shared,
/// so families can grow in parallel. `lookup` picks, for a node, the kernel with the highest
/// since-version not above the opset the model imports for the node's domain.
public struct KernelRegistry: Sendable {
    /// Every kernel family, one line each.
    static let families: [[any Kernel.Type]] = [
        MathKernels.all,
        ActivationKernels.all,
        NNKernels.all,
        TensorKernels.all,
        LogicKernels.all,
        ReductionKernels.all,
        ControlFlowKernels.all,
        SequenceKernels.all,
        QuantizationKernels.all,
        AttentionKernels.all,
        RecurrentKernels.all,
        TextKernels.all,
        SignalKernels.all,
        TrainingKernels.all,
        MLKernels.all,
        RandomKernels.all,
    ]

    /// All built-in kernels.
    public static let standard = KernelRegistry(families.flatMap { $0 })

    /// Every kernel type registered, to extend a registry: `KernelRegistry(standard.kernelTypes + [MyOp_1.self])`.
    public let kernelTypes: [any Kernel.Type]

    private struct Key: Hashable {
        let domain: String
        let opType: String
    }

    /// Versions of each op, highest since-version first.
    private let table: [Key: [(since: Int, kernel: any Kernel.Type)]]
    /// Kernels listed twice under the same (domain, op, since-version); the later one is dropped.
    public let duplicates: [String]

    public init(_ kernels: [any Kernel.Type]) {
        var table: [Key: [(since: Int, kernel: any Kernel.Type)]] = [:]
        var duplicates: [String] = []
        for kernel in kernels {
            let key = Key(domain: Node.canonicalDomain(kernel.domain), opType: kernel.opType)
            if table[key, default: []].contains(where: { $0.since == kernel.sinceVersion }) {
                duplicates.append("\(key.domain.isEmpty ? "" : key.domain + ".")\(kernel.opType)-\(kernel.sinceVersion)")
                continue
            }
            table[key, default: []].append((kernel.sinceVersion, kernel))
        }
        self.table = table.mapValues { $0.sorted { $0.since > $1.since } }
        self.duplicates = duplicates
        kernelTypes = kernels
    }

    /// The kernel for `opType` of `domain` at `opset`: the highest since-version not above it.
    public func kernel(domain: String, opType: String, opset: Int) -> (any Kernel.Type)? {
        table[Key(domain: Node.canonicalDomain(domain), opType: opType)]?.first { $0.since <= opset }?.kernel
    }

    /// The since-versions implemented for `opType`, ascending.
    public func versions(domain: String, opType: String) -> [Int] {
        (table[Key(domain: Node.canonicalDomain(domain), opType: opType)] ?? []).map(\.since).reversed()
    }

    /// Every (domain, op type) with at least one kernel, as `op` or `domain.op`.
    public var operators: [String] {
        table.keys.map { $0.domain.isEmpty ? $0.opType : "\($0.domain).\($0.opType)" }.sorted()
    }
}
