import ModelIR

private func sequenceInput(_ inputs: [RuntimeValue?], _ index: Int) throws -> [Tensor] {
    guard index < inputs.count, case .sequence(let tensors)? = inputs[index] else { throw KernelError.invalidInput("input \(index) must be a sequence") }
    return tensors
}

private func tensorInput(_ inputs: [RuntimeValue?], _ index: Int) throws -> Tensor? {
    guard index < inputs.count, let value = inputs[index] else { return nil }
    guard case .tensor(let tensor) = value else { throw KernelError.invalidInput("input \(index) must be a tensor") }
    return tensor
}

/// A position in a sequence of `count`, negative counting from the end; `allowEnd` admits `count` itself.
private func position(_ tensor: Tensor?, count: Int, allowEnd: Bool) throws -> Int? {
    guard let tensor else { return nil }
    let raw = try tensor.scalarInt()
    let resolved = raw < 0 ? raw + count : raw
    guard resolved >= 0 && (resolved < count || (allowEnd && resolved == count)) else {
        throw KernelError.invalidInput("position \(raw) is out of range for a sequence of \(count)")
    }
    return resolved
}

struct SequenceConstruct_11: Kernel, AttributeFreeKernel {
    static let opType = "SequenceConstruct", sinceVersion = 11
    static let inputArity = 1...variadic
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        [.sequence(try inputs.indices.map { try tensorInput(inputs, $0) ?? Tensor(zeros: .float, shape: [0]) })]
    }
}

struct SequenceEmpty_11: Kernel {
    static let opType = "SequenceEmpty", sinceVersion = 11
    static let inputArity = 0...0
    init(_ node: KernelNode) throws { _ = try node.int("dtype") }
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] { [.sequence([])] }
}

struct SequenceAt_11: Kernel, AttributeFreeKernel {
    static let opType = "SequenceAt", sinceVersion = 11
    static let inputArity = 2...2
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let sequence = try sequenceInput(inputs, 0)
        guard let index = try position(tensorInput(inputs, 1), count: sequence.count, allowEnd: false) else { throw KernelError.invalidInput("position is required") }
        return [.tensor(sequence[index])]
    }
}

struct SequenceInsert_11: Kernel, AttributeFreeKernel {
    static let opType = "SequenceInsert", sinceVersion = 11
    static let inputArity = 2...3
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        var sequence = try sequenceInput(inputs, 0)
        guard let tensor = try tensorInput(inputs, 1) else { throw KernelError.invalidInput("tensor is required") }
        let index = try position(tensorInput(inputs, 2), count: sequence.count, allowEnd: true) ?? sequence.count
        sequence.insert(tensor, at: index)
        return [.sequence(sequence)]
    }
}

struct SequenceErase_11: Kernel, AttributeFreeKernel {
    static let opType = "SequenceErase", sinceVersion = 11
    static let inputArity = 1...2
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        var sequence = try sequenceInput(inputs, 0)
        guard !sequence.isEmpty else { throw KernelError.invalidInput("cannot erase from an empty sequence") }
        let index = try position(tensorInput(inputs, 1), count: sequence.count, allowEnd: false) ?? sequence.count - 1
        sequence.remove(at: index)
        return [.sequence(sequence)]
    }
}

struct SequenceLength_11: Kernel, AttributeFreeKernel {
    static let opType = "SequenceLength", sinceVersion = 11
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        [.tensor(Tensor(scalar: Int64(try sequenceInput(inputs, 0).count)))]
    }
}

/// Concatenates along `axis`, or stacks along a new axis with `new_axis` = 1.
struct ConcatFromSequence_11: Kernel {
    static let opType = "ConcatFromSequence", sinceVersion = 11
    let axis: Int, newAxis: Bool
    init(_ node: KernelNode) throws {
        axis = try node.requiredInt("axis")
        newAxis = try node.int("new_axis", default: 0) != 0
    }
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let sequence = try sequenceInput(inputs, 0)
        guard let first = sequence.first else { throw KernelError.invalidInput("cannot concatenate an empty sequence") }
        let rank = first.rank + (newAxis ? 1 : 0)
        let axis = try normalizedAxis(self.axis, rank: rank)
        let parts = newAxis ? try sequence.map { try unsqueeze($0, [axis]) } : sequence
        return [.tensor(try Tensor.concatenating(parts, axis: axis))]
    }
}

/// Splits into a sequence by sizes (a scalar size gives equal parts, the last one smaller) or into single slices.
struct SplitToSequence_11: Kernel {
    static let opType = "SplitToSequence", sinceVersion = 11
    static let inputArity = 1...2
    let axis: Int, keepDims: Bool
    init(_ node: KernelNode) throws {
        axis = try node.int("axis", default: 0)
        keepDims = try node.int("keepdims", default: 1) != 0
    }
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        guard let x = try tensorInput(inputs, 0) else { throw KernelError.invalidInput("input is required") }
        let axis = try normalizedAxis(self.axis, rank: x.rank)
        let dimension = x.shape[axis]
        if let sizes = try tensorInput(inputs, 1) {
            let values = try sizes.indexValues()
            let parts: [Int]
            if sizes.rank == 0 {
                guard let size = values.first, size > 0 else { throw KernelError.invalidInput("split size must be positive") }
                parts = stride(from: 0, to: dimension, by: size).map { min(size, dimension - $0) }
            } else {
                parts = values
            }
            return [.sequence(try split(x, axis: axis, sizes: parts, count: parts.count))]
        }
        let pieces = try split(x, axis: axis, sizes: [Int](repeating: 1, count: dimension), count: dimension)
        return [.sequence(keepDims ? pieces : try pieces.map { try squeeze($0, [axis]) })]
    }
}

/// An optional holding the input, or empty when there is none.
struct Optional_15: Kernel {
    static let opType = "Optional", sinceVersion = 15
    static let inputArity = 0...1
    static let requiredInputs = 0
    init(_ node: KernelNode) throws {}
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] { [.optional(inputs.first ?? nil)] }
}

/// From opset 18 the input itself may be omitted (false).
struct OptionalHasElement_15: Kernel, AttributeFreeKernel {
    static let opType = "OptionalHasElement", sinceVersion = 15
    static let inputArity = 0...1
    static let requiredInputs = 0
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        let present: Bool
        switch inputs.first ?? nil {
        case nil, .optional(nil)?: present = false
        default: present = true
        }
        return [.tensor(Tensor(scalar: present))]
    }
}

/// The value of an optional (from opset 18 a plain tensor or sequence passes through).
struct OptionalGetElement_15: Kernel, AttributeFreeKernel {
    static let opType = "OptionalGetElement", sinceVersion = 15
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        switch inputs.first ?? nil {
        case .optional(let wrapped?)?: return [wrapped]
        case .optional(nil)?, nil: throw KernelError.invalidInput("the optional is empty")
        case let value?: return [value]
        }
    }
}
