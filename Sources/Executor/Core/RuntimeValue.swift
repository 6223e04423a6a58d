import ModelIR

/// A value flowing through the executor: a tensor, a sequence of tensors, or an optional that is
/// empty or holds a value — what ONNX's tensor, sequence and optional ops consume and produce.
public indirect enum RuntimeValue: Sendable {
    case tensor(Tensor)
    case sequence([Tensor])
    /// `nil` is the empty optional.
    case optional(RuntimeValue?)

    /// The tensor this value holds, or nil for sequences and optionals.
    public var tensor: Tensor? {
        if case .tensor(let tensor) = self { return tensor }
        return nil
    }

    /// The tensors of a sequence, or nil for other values.
    public var sequence: [Tensor]? {
        if case .sequence(let tensors) = self { return tensors }
        return nil
    }

    /// A short type and shape description for messages: `float[2, 3]`, `seq(float[2], …) of 3`, `optional(empty)`.
    public var summary: String {
        switch self {
        case .tensor(let tensor): return tensor.summary
        case .sequence(let tensors):
            return "seq of \(tensors.count)" + (tensors.first.map { " (\($0.summary), …)" } ?? "")
        case .optional(let wrapped): return "optional(\(wrapped?.summary ?? "empty"))"
        }
    }
}

extension Tensor {
    /// `float[2, 3]`.
    public var summary: String { "\(dataType)[\(shape.map(String.init).joined(separator: ", "))]" }
}
