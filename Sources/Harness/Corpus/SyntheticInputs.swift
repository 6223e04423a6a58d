import Foundation
import ModelIR

/// Seeded inputs made from a model's own input declarations, for a model that comes without data
/// (what `modelgate add` records golden outputs on when no `--inputs` are given).
///
/// Shapes: the first axis is the sample axis and gets `samples` (whatever the model declares there:
/// `SampleBatches` feeds a model with a fixed batch sample by sample); other fixed sizes are kept; a
/// symbolic size takes its value from `dimensions` by name, else `defaultSymbolicSize`.
/// Values: floating-point inputs are uniform in `range` (default [0, 1)); integer inputs that index a
/// constant table (token ids into an embedding, through Gather) are uniform over the table's rows,
/// other integer inputs uniform in `range` (default [0, 100)), except inputs named like an attention
/// mask (all ones) and token-type or segment ids (all zeros); booleans are fair coin flips.
public struct SyntheticInputs: Sendable {
    public static let defaultSymbolicSize = 16
    public static let defaultIntegerRange = 0.0...100.0

    public var samples: Int
    public var seed: UInt64
    public var range: ClosedRange<Double>?
    public var dimensions: [String: Int]

    public init(samples: Int = 8, seed: UInt64 = 0, range: ClosedRange<Double>? = nil, dimensions: [String: Int] = [:]) {
        self.samples = max(1, samples)
        self.seed = seed
        self.range = range
        self.dimensions = dimensions
    }

    /// One tensor per input `graph` needs fed, keyed by input name.
    ///
    /// - Throws: `SyntheticInputError` for an input without a tensor type or shape, or an element
    ///   type no value can be made for.
    public func make(for graph: Graph) throws(SyntheticInputError) -> [String: Tensor] {
        var generator = SplitMix64(seed: seed)
        var tensors: [String: Tensor] = [:]
        for input in graph.feedInputs {
            guard let (elementType, declared) = input.type?.type.tensorType else {
                throw .unsupported(input: input.name, reason: "it is not a tensor")
            }
            guard let declared else {
                throw .unsupported(input: input.name, reason: "it declares no shape; pass --inputs with data for it")
            }
            let shape = declared.dimensions.enumerated().map { axis, dimension -> Int in
                if axis == 0 { return samples }
                switch dimension.dimension {
                case .fixed(let size): return size
                case .symbolic(let name): return dimensions[name] ?? Self.defaultSymbolicSize
                case .unknown: return Self.defaultSymbolicSize
                }
            }
            tensors[input.name] = try values(for: input.name, elementType: elementType, shape: shape,
                                             tableRows: Self.indexedTableRows(of: input.name, in: graph), generator: &generator)
        }
        return tensors
    }

    /// The symbolic dimension names of `graph`'s inputs other than the sample axis.
    public static func symbolicDimensions(of graph: Graph) -> [String] {
        var names: [String] = []
        for input in graph.feedInputs {
            for dimension in input.type?.type.tensorType?.shape?.dimensions.dropFirst() ?? [] {
                if case .symbolic(let name) = dimension.dimension, !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    private func values(for name: String, elementType: DataType, shape: [Int], tableRows: Int?,
                        generator: inout SplitMix64) throws(SyntheticInputError) -> Tensor {
        let count = shape.reduce(1, *)
        let lowered = name.lowercased()
        do {
            switch elementType {
            case .float, .double, .float16, .bfloat16:
                let bounds = range ?? 0...1
                let values = (0..<count).map { _ in bounds.lowerBound + (bounds.upperBound - bounds.lowerBound) * generator.unitInterval() }
                return try Tensor(name: name, converting: values, to: elementType, shape: shape)
            case .bool:
                let values = (0..<count).map { _ in Double(generator.next() & 1) }
                return try Tensor(name: name, converting: values, to: .bool, shape: shape)
            case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64:
                let values: [Double]
                if lowered.contains("mask") {
                    values = Array(repeating: 1, count: count)
                } else if lowered.contains("type_ids") || lowered.contains("segment") {
                    values = Array(repeating: 0, count: count)
                } else {
                    let bounds = tableRows.map { 0.0...Double($0) } ?? range ?? Self.defaultIntegerRange
                    let low = bounds.lowerBound.rounded(.up), span = max(1, Int(bounds.upperBound.rounded(.up) - low))
                    values = (0..<count).map { _ in low + Double(generator.next() % UInt64(span)) }
                }
                return try Tensor(name: name, converting: values, to: elementType, shape: shape)
            default:
                throw SyntheticInputError.unsupported(input: name, reason: "no values are made for element type \(elementType)")
            }
        } catch let error as SyntheticInputError {
            throw error
        } catch {
            throw .unsupported(input: name, reason: "\(error)")
        }
    }

    /// The rows of the constant table `input` indexes through a Gather (directly or after a Cast), if any.
    static func indexedTableRows(of input: String, in graph: Graph) -> Int? {
        let initializers = Dictionary(graph.initializers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var indices: Set<String> = [input]
        for node in graph.nodes where node.opType == "Cast" && node.inputs.first.map(indices.contains) == true {
            indices.formUnion(node.outputs)
        }
        var rows: Int?
        for node in graph.nodes where node.opType == "Gather" && node.inputs.count == 2 && indices.contains(node.inputs[1]) {
            guard let table = initializers[node.inputs[0]], !table.shape.isEmpty else { continue }
            var axis = 0
            if let attribute = node.attributes.first(where: { $0.name == "axis" }), case .int(let value) = attribute.value { axis = Int(value) }
            if axis < 0 { axis += table.shape.count }
            guard table.shape.indices.contains(axis) else { continue }
            rows = min(rows ?? .max, table.shape[axis])
        }
        return rows
    }
}

/// Why synthetic inputs cannot be made for a model.
public enum SyntheticInputError: Error, CustomStringConvertible, Equatable {
    case unsupported(input: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupported(input, reason): "cannot make synthetic values for input '\(input)': \(reason)"
        }
    }
}
