import ModelIR

/// A chain of per-channel affine steps on one float N×C×… tensor — inference BatchNormalization,
/// Mul and Add by a constant that is a scalar or broadcasts per channel (`[C, 1, …]`, `[1, C, 1, …]`)
/// — optionally ended by Relu or Clip, run as one pass `y = clamp(x · scale[c] + shift[c])`.
///
/// The chain's constants are taken when the plan is made; a run whose input does not fit (another
/// type, a channel count the constants do not broadcast over) runs the original steps one by one.
struct FastChannelAffine: Kernel {
    static let opType = "ChannelAffine", sinceVersion = 1
    static let inputArity = 1...1

    /// One step of the chain with its constant inputs (the chained value's position is nil).
    struct Stage {
        enum Operation {
            case batchNormalization(epsilon: Double)
            case multiply
            case add
            case clamp(low: Float, high: Float)
        }
        let operation: Operation
        let kernel: any Kernel
        let inputs: [RuntimeValue?]
        let chainedPosition: Int
    }

    let stages: [Stage]
    /// True when the input is a channels-last [N, H, W, C] float tensor (`ChannelsLastRegions`):
    /// the chain runs along the last axis.
    let channelsLast: Bool

    init(stages: [Stage], channelsLast: Bool = false) {
        self.stages = stages
        self.channelsLast = channelsLast
    }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastChannelAffine is made from prepared steps") }

    /// This chain on channels-last input.
    var onChannelsLast: FastChannelAffine { FastChannelAffine(stages: stages, channelsLast: true) }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        if channelsLast { return try runChannelsLast(inputs, context: context) }
        guard inputs.count == 1, let x = inputs[0]?.tensor, x.dataType == .float, x.rank >= 2,
              let (scale, shift, low, high) = try coefficients(channels: x.shape[1], rank: x.rank) else {
            return try runStages(inputs.first ?? nil, context: context)
        }
        let channels = x.shape[1], plane = x.shape[2...].reduce(1, *)
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress, plane > 0 else { return }
                ParallelFor.planes(x.shape) { row, positions in
                    let k = scale[row % channels], d = shift[row % channels]
                    let from = source + row * plane, to = target + row * plane
                    for i in positions {
                        let v = from[i] * k + d
                        to[i] = v < low ? low : (v > high ? high : v)
                    }
                }
            }
        }
        return [.tensor(y)]
    }

    /// The chain along the last axis of a channels-last input; where the constants do not fit, the
    /// original steps run on the channels-first tensor between two reorders.
    private func runChannelsLast(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard inputs.count == 1, let x = inputs[0]?.tensor, x.dataType == .float, x.rank == 4 else {
            throw KernelError.invalidInput("a channels-last per-channel chain expects one 4-D float input")
        }
        let channels = x.shape[3]
        guard let (scale, shift, low, high) = try coefficients(channels: channels, rank: 4), channels > 0 else {
            return try ChannelsLastReorder.aroundChannelsFirst(x, "the per-channel chain") {
                try runStages(.tensor($0), context: context).first??.tensor
            }
        }
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress, out.count > 0 else { return }
                let rows = out.count / channels
                scale.withUnsafeBufferPointer { k in
                    shift.withUnsafeBufferPointer { d in
                        ParallelFor.run(rows, grain: max(1, 16384 / channels)) { chunk in
                            for row in chunk {
                                let from = source + row * channels, to = target + row * channels
                                for c in 0..<channels {
                                    let v = from[c] * k[c] + d[c]
                                    to[c] = v < low ? low : (v > high ? high : v)
                                }
                            }
                        }
                    }
                }
            }
        }
        return [.tensor(y)]
    }

    /// The chain's clamp, (−∞, ∞) when it has none.
    var clamp: (low: Float, high: Float) {
        for stage in stages { if case .clamp(let low, let high) = stage.operation { return (low, high) } }
        return (-.infinity, .infinity)
    }

    /// The chain's per-channel scale and shift for an input of `channels` channels and `rank`
    /// dimensions, and its clamp; nil when a constant does not broadcast per channel over it.
    func coefficients(channels: Int, rank: Int) throws -> ([Float], [Float], Float, Float)? {
        var scale = [Double](repeating: 1, count: channels), shift = [Double](repeating: 0, count: channels)
        var low = -Float.infinity, high = Float.infinity
        for stage in stages {
            switch stage.operation {
            case .batchNormalization(let epsilon):
                let values = try stage.inputs.dropFirst().map { value -> [Double]? in
                    guard let tensor = value?.tensor, tensor.elementCount == channels else { return nil }
                    return try tensor.doubleValues()
                }
                guard values.count == 4, let gamma = values[0], let beta = values[1], let mean = values[2], let variance = values[3] else {
                    return nil
                }
                for c in 0..<channels {
                    let k = gamma[c] / (variance[c] + epsilon).squareRoot()
                    scale[c] *= k
                    shift[c] = (shift[c] - mean[c]) * k + beta[c]
                }
            case .multiply, .add:
                guard let constant = stage.inputs[1 - stage.chainedPosition]?.tensor,
                      let values = try Self.perChannel(constant, channels: channels, rank: rank) else { return nil }
                for c in 0..<channels {
                    if case .multiply = stage.operation {
                        scale[c] *= values[c]
                        shift[c] *= values[c]
                    } else {
                        shift[c] += values[c]
                    }
                }
            case .clamp(let lower, let upper):
                low = lower
                high = upper
            }
        }
        return (scale.map { Float($0) }, shift.map { Float($0) }, low, high)
    }

    /// The values of `constant` per channel when it broadcasts over an N×C×… input of `rank`
    /// dimensions one value per channel (or one value for all).
    static func perChannel(_ constant: Tensor, channels: Int, rank: Int) throws -> [Double]? {
        guard constant.dataType == .float, constant.rank <= rank else { return nil }
        let values = try constant.doubleValues()
        if values.count == 1 { return [Double](repeating: values[0], count: channels) }
        let aligned = [Int](repeating: 1, count: rank - constant.rank) + constant.shape
        guard aligned[1] == channels, aligned.enumerated().allSatisfy({ $0.offset == 1 || $0.element == 1 }) else { return nil }
        return values
    }

    /// The original steps, one after another.
    private func runStages(_ input: RuntimeValue?, context: KernelContext) throws -> [RuntimeValue?] {
        var value = input
        for stage in stages {
            var arguments = stage.inputs
            arguments[stage.chainedPosition] = value
            value = try stage.kernel.run(arguments, context: context).first ?? nil
        }
        return [value]
    }
}

/// Finds the chains `FastChannelAffine` runs: BatchNormalization (constant statistics, inference),
/// Mul or Add by a per-channel constant, ended at the latest by Relu or Clip, each intermediate read
/// by the next step only — two steps at least, or a BatchNormalization alone. A BatchNormalization
/// that directly follows its Conv is left for the Conv to absorb (`normalization` takes it when
/// the Conv cannot).
enum ChannelAffineFusion {
    static func fused(_ steps: [PreparedGraph.Step], graph: PreparedGraph, known: [RuntimeValue?]) -> [PreparedGraph.Step] {
        let readers = graph.readerCounts(steps)
        var readerIndex: [Int: Int] = [:]
        for (index, step) in steps.enumerated() { for slot in step.inputs { if let slot { readerIndex[slot] = index } } }
        var producer: [Int: Int] = [:]
        for (index, step) in steps.enumerated() { for slot in step.outputs { if let slot { producer[slot] = index } } }

        var result: [PreparedGraph.Step] = []
        var skip = Set<Int>()
        for (index, step) in steps.enumerated() {
            if skip.contains(index) { continue }
            guard let first = stage(step, known: known), !first.stage.operation.isClamp,
                  !followsConv(step, steps: steps, producer: producer) else {
                result.append(step)
                continue
            }
            var chain = [(index: index, stage: first.stage)]
            var current = first.output
            while let last = chain.last, !last.stage.operation.isClamp,
                  readers[current] == 1, let next = readerIndex[current], next > last.index,
                  let link = stage(steps[next], known: known), steps[next].inputs[link.stage.chainedPosition] == current {
                chain.append((next, link.stage))
                current = link.output
            }
            guard chain.count >= 2 || step.opType == "BatchNormalization" else {
                result.append(step)
                continue
            }
            for link in chain.dropFirst() { skip.insert(link.index) }
            let chained = step.inputs[first.stage.chainedPosition]
            var release: [Int] = []
            for link in chain { release += steps[link.index].release }
            release.removeAll { $0 == current }
            result.append(.init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset,
                                inputNames: [step.inputNames[first.stage.chainedPosition]],
                                kernel: FastChannelAffine(stages: chain.map(\.stage)), requiredInputs: 1,
                                inputs: [chained], outputs: [current], release: release))
        }
        return result
    }

    /// `step` as a one-stage chain when it is an inference BatchNormalization with constant statistics.
    static func normalization(_ step: PreparedGraph.Step, known: [RuntimeValue?]) -> PreparedGraph.Step? {
        guard step.opType == "BatchNormalization", let link = stage(step, known: known) else { return nil }
        return .init(label: step.label, opType: step.opType, domain: step.domain, opset: step.opset, inputNames: [step.inputNames[0]],
                     kernel: FastChannelAffine(stages: [link.stage]), requiredInputs: 1, inputs: [step.inputs[0]],
                     outputs: [link.output], release: step.release)
    }

    /// `step` as a stage of a chain, with the slot it writes.
    private static func stage(_ step: PreparedGraph.Step, known: [RuntimeValue?]) -> (stage: FastChannelAffine.Stage, output: Int)? {
        guard step.domain.isEmpty, let output = step.outputs.first ?? nil, step.outputs.dropFirst().allSatisfy({ $0 == nil }) else {
            return nil
        }
        let constants = step.inputs.map { $0.flatMap { known[$0] } }
        func make(_ operation: FastChannelAffine.Stage.Operation, chained: Int) -> (FastChannelAffine.Stage, Int)? {
            guard chained < step.inputs.count, step.inputs[chained] != nil, constants[chained] == nil else { return nil }
            return (FastChannelAffine.Stage(operation: operation, kernel: step.kernel, inputs: constants, chainedPosition: chained), output)
        }
        switch step.opType {
        case "BatchNormalization":
            guard let bn = step.kernel as? any InferenceBatchNormalization, bn.fusable, step.inputs.count == 5,
                  constants.dropFirst().allSatisfy({ $0 != nil }) else { return nil }
            return make(.batchNormalization(epsilon: bn.epsilonValue), chained: 0)
        case "Mul", "Add":
            guard step.inputs.count == 2 else { return nil }
            let chained = constants[1] != nil ? 0 : 1
            guard let constant = constants[1 - chained]?.tensor, constant.dataType == .float else { return nil }
            return make(step.opType == "Mul" ? .multiply : .add, chained: chained)
        case "Relu":
            return make(.clamp(low: 0, high: .infinity), chained: 0)
        case "Clip":
            guard let bounds = clipBounds(step, known: known) else { return nil }
            return make(.clamp(low: bounds.low, high: bounds.high), chained: 0)
        default:
            return nil
        }
    }

    /// True when `step` is a BatchNormalization of a Conv's output that only it reads.
    private static func followsConv(_ step: PreparedGraph.Step, steps: [PreparedGraph.Step], producer: [Int: Int]) -> Bool {
        guard step.opType == "BatchNormalization", let input = step.inputs.first ?? nil, let source = producer[input] else { return false }
        return steps[source].opType == "Conv" && steps[source].domain.isEmpty
            && steps.filter({ $0.inputs.contains(input) }).count == 1
    }

    /// Clip's bounds when they are constants (attributes before opset 11, inputs after).
    static func clipBounds(_ step: PreparedGraph.Step, known: [RuntimeValue?]) -> (low: Float, high: Float)? {
        if let clip = step.kernel as? Clip_1 { return (clip.low, clip.high) }
        guard step.opset >= 11 else { return nil }
        var bounds: [Float] = [-.infinity, .infinity]
        for position in 1..<3 where position < step.inputs.count {
            guard let slot = step.inputs[position] else { continue }
            guard let tensor = known[slot]?.tensor, tensor.dataType == .float, tensor.elementCount == 1,
                  let value = try? tensor.floatValues().first else { return nil }
            bounds[position - 1] = value
        }
        return (bounds[0], bounds[1])
    }
}

extension FastChannelAffine.Stage.Operation {
    var isClamp: Bool {
        if case .clamp = self { return true }
        return false
    }
}
