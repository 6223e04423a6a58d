import Executor
import ModelIR

/// Runs a model over tensors whose first axis is the sample axis: in batches when the model's
/// batch dimension is free, one sample at a time when it is fixed at 1, and in chunks of the
/// fixed size otherwise (the last chunk padded with its final sample, the padding dropped).
public struct SampleBatches {
    public var evaluator: Evaluator
    /// Samples per run when the batch dimension is free.
    public var batchSize: Int

    public init(evaluator: Evaluator, batchSize: Int = 64) {
        self.evaluator = evaluator
        self.batchSize = max(1, batchSize)
    }

    /// The batch size the model's inputs fix, or nil when their first dimension is free.
    public static func fixedBatch(of inputs: [ValueInfo]) -> Int? {
        for input in inputs {
            if let shape = input.type?.type.tensorType?.shape, shape.rank > 0, let size = shape.dimensions[0].dimension.value {
                return size
            }
        }
        return nil
    }

    /// Matches `samples` to the model's required inputs and converts them to the declared element
    /// types (`InputFeeds`).
    ///
    /// - Throws: `SampleError.missingInput` or `.unusable`.
    public static func feeds(for inputs: [ValueInfo], from samples: [String: Tensor], file: String) throws(SampleError) -> [String: Tensor] {
        do {
            return try InputFeeds.match(inputs, datasets: samples)
        } catch {
            switch error {
            case let .missing(input, available): throw .missingInput(file: file, input: input, available: available)
            case let .unusable(input, reason): throw .unusable(file: file, input: input, reason: reason)
            }
        }
    }

    /// Runs every sample (up to `limit`) and returns the outputs in model order, samples stacked
    /// on the first axis.
    public func run(_ feeds: [String: Tensor], limit: Int? = nil) throws -> [(name: String, tensor: Tensor)] {
        let available = feeds.values.map { $0.shape.first ?? 1 }.min() ?? 0
        let total = min(available, limit ?? .max)
        guard total > 0 else { throw SampleError.noSamples }
        let fixed = Self.fixedBatch(of: evaluator.requiredInputs)
        let step = fixed ?? batchSize
        var pieces: [[Tensor]] = []
        var names: [String] = []
        var start = 0
        while start < total {
            let end = min(start + step, total)
            var batch: [String: Tensor] = [:]
            for (name, tensor) in feeds {
                batch[name] = try Self.rows(of: tensor, from: start, to: end, paddedTo: fixed)
            }
            let result = try evaluator.run(tensors: batch)
            names = result.outputs.map(\.name)
            var outputs: [Tensor] = []
            for named in result.outputs {
                guard let tensor = named.value.tensor else { throw SampleError.notATensor(output: named.name) }
                outputs.append(fixed != nil && end - start < step ? try Self.rows(of: tensor, from: 0, to: end - start) : tensor)
            }
            pieces.append(outputs)
            start = end
        }
        return try names.enumerated().map { index, name in
            (name, try Self.concatenated(pieces.map { $0[index] }, name: name))
        }
    }

    /// Runs feeds as a value file stores them. They run in one piece when they fit the model's
    /// declared inputs; when the model fixes its batch size and some tensor feed holds a different
    /// number of samples on its first axis (eight images for a model exported with batch 1), they
    /// run through `run(_:limit:)` in batches of that size, outputs stacked back on the first axis.
    ///
    /// - Returns: the outputs in model order.
    /// - Throws: `ExecutionError` from a run, `SampleError` when batch outputs cannot be stacked.
    public func runSplittingFixedBatches(_ feeds: [String: RuntimeValue]) throws -> [NamedValue] {
        if let tensors = Self.samplesToSplit(feeds, for: evaluator.requiredInputs) {
            return try run(tensors).map { NamedValue(name: $0.name, value: .tensor($0.tensor)) }
        }
        return try evaluator.run(feeds).outputs
    }

    /// The feeds as tensors when they must be split into the model's fixed batches: every feed is
    /// a tensor of the declared rank and at least one holds a number of samples other than its
    /// input's fixed first dimension. Nil when they run as they are.
    public static func samplesToSplit(_ feeds: [String: RuntimeValue], for inputs: [ValueInfo]) -> [String: Tensor]? {
        guard fixedBatch(of: inputs) != nil else { return nil }
        var tensors: [String: Tensor] = [:]
        var differs = false
        for (name, value) in feeds {
            guard let tensor = value.tensor, tensor.rank > 0 else { return nil }
            if let declared = inputs.first(where: { $0.name == name })?.type?.type.tensorType?.shape {
                guard declared.rank == tensor.rank else { return nil }
                if let size = declared.dimensions[0].dimension.value, size != tensor.shape[0] { differs = true }
            }
            tensors[name] = tensor
        }
        return differs ? tensors : nil
    }

    /// Rows `start..<end` of the first axis, repeating the last row up to `paddedTo` rows.
    public static func rows(of tensor: Tensor, from start: Int, to end: Int, paddedTo size: Int? = nil) throws -> Tensor {
        guard let samples = tensor.shape.first, samples > 0, tensor.strings == nil else { return tensor }
        let rowBytes = tensor.byteCount / samples
        let count = max(end - start, size ?? 0)
        let buffer = TensorBuffer(byteCount: rowBytes * count)
        tensor.withUnsafeBytes { raw in
            for row in 0..<count {
                let source = min(start + row, end - 1)
                let from = UnsafeRawBufferPointer(rebasing: raw[(source * rowBytes)..<((source + 1) * rowBytes)])
                buffer.mutableBytes.baseAddress.map { ($0 + row * rowBytes).copyMemory(from: from.baseAddress!, byteCount: rowBytes) }
            }
        }
        return try Tensor(name: tensor.name, dataType: tensor.dataType, shape: [count] + tensor.shape.dropFirst(), buffer: buffer)
    }

    /// Tensors stacked along the first axis (their other dimensions must agree).
    public static func concatenated(_ tensors: [Tensor], name: String) throws -> Tensor {
        guard let first = tensors.first else { throw SampleError.noSamples }
        if tensors.count == 1 { return first }
        let tail = Array(first.shape.dropFirst())
        var rows = 0, bytes = 0
        for tensor in tensors {
            guard tensor.dataType == first.dataType, Array(tensor.shape.dropFirst()) == tail, tensor.rank > 0 else {
                throw SampleError.inconsistentBatches(output: name)
            }
            rows += tensor.shape[0]
            bytes += tensor.byteCount
        }
        let buffer = TensorBuffer(byteCount: bytes)
        var offset = 0
        for tensor in tensors {
            tensor.withUnsafeBytes { raw in
                if let source = raw.baseAddress, raw.count > 0 { (buffer.baseAddress + offset).copyMemory(from: source, byteCount: raw.count) }
                offset += raw.count
            }
        }
        return try Tensor(name: name, dataType: first.dataType, shape: [rows] + tail, buffer: buffer)
    }
}

/// Why samples cannot be fed to a model or its outputs collected.
public enum SampleError: Error, CustomStringConvertible, Equatable {
    case noSamples
    case missingInput(file: String, input: String, available: [String])
    case unusable(file: String, input: String, reason: String)
    case notATensor(output: String)
    case inconsistentBatches(output: String)

    public var description: String {
        switch self {
        case .noSamples: "there are no samples to run"
        case let .missingInput(file, input, available):
            "\(file) has no inputs/\(input) for model input '\(input)' (it has: \(available.isEmpty ? "nothing" : available.joined(separator: ", ")))"
        case let .unusable(file, input, reason): "\(file): inputs/\(input) cannot be fed to the model: \(reason)"
        case .notATensor(let output): "output '\(output)' is not a tensor; only tensor outputs are compared"
        case .inconsistentBatches(let output): "output '\(output)' has different shapes from one batch to the next"
        }
    }
}
