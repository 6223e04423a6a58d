import ModelIR

/// ShuffleNet's channel shuffle — Reshape to [N, g, C/g, H, W], Transpose (0, 2, 1, 3, 4), Reshape
/// back to [N, C, H, W] — as one step on channels-last activations [N, H, W, C]: output channel
/// `j·g + i` is input channel `i·(C/g) + j`, along each position's row. The step's inputs are the
/// activation and the two Reshapes' shapes, constants or computed at run time from `Shape` steps
/// (as PyTorch exports `x.view(n, g, c // g, h, w)`); they are checked on every run, and where
/// they do not describe that shuffle of this input, the original three steps run on the
/// channels-first tensor between two reorders.
struct ChannelsLastShuffle: Kernel {
    static let opType = "ChannelShuffle", sinceVersion = 1
    static let inputArity = 3...3
    static let requiredInputs = 3
    /// The Reshape, Transpose and Reshape steps' kernels.
    let steps: [any Kernel]

    init(steps: [any Kernel]) {
        self.steps = steps
    }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("ChannelsLastShuffle is made by the fast plan") }

    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = inputs.first??.tensor, x.dataType == .float, x.rank == 4, inputs.count == 3,
              let grouping = inputs[1]?.tensor, let merging = inputs[2]?.tensor else {
            throw KernelError.invalidInput("a channels-last channel shuffle expects a 4-D float input and two shapes")
        }
        let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let requested = try grouping.indexValues()
        let g = requested.count == 5 ? requested[1] : 0
        guard g > 0, c % g == 0,
              (try? resolvedReshape([n, c, h, w], requested, allowZero: false)) == [n, g, c / g, h, w],
              (try? resolvedReshape([n, c / g, g, h, w], merging.indexValues(), allowZero: false)) == [n, c, h, w] else {
            return try runSteps(x, grouping: grouping, merging: merging, context: context)
        }
        let perGroup = c / g
        let y = try x.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: x.shape) { out in
                guard let source = xs.baseAddress, let target = out.baseAddress, out.count > 0 else { return }
                ParallelFor.run(n * h * w, grain: max(1, 16384 / c)) { rows in
                    for row in rows {
                        let from = source + row * c, to = target + row * c
                        for i in 0..<g {
                            for j in 0..<perGroup { to[j * g + i] = from[i * perGroup + j] }
                        }
                    }
                }
            }
        }
        return [.tensor(y)]
    }

    private func runSteps(_ x: Tensor, grouping: Tensor, merging: Tensor, context: KernelContext) throws -> [RuntimeValue?] {
        try ChannelsLastReorder.aroundChannelsFirst(x, "the channel shuffle's steps") { channelsFirst in
            var value = RuntimeValue.tensor(channelsFirst)
            for (index, kernel) in steps.enumerated() {
                let arguments: [RuntimeValue?] = index == 0 ? [value, .tensor(grouping)] : index == 2 ? [value, .tensor(merging)] : [value]
                guard let next = try kernel.run(arguments, context: context).first ?? nil else { return nil }
                value = next
            }
            return value.tensor
        }
    }
}
