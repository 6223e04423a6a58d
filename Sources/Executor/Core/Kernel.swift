import ModelIR

/// One version of one operator, in the spirit of onnx's reference evaluator (`Clip_6`, `Clip_11`).
///
/// A kernel is prepared once per node: `init(_:)` reads and checks the node's attributes (with
/// their defaults) and keeps them; `run(_:context:)` then computes outputs from inputs any number
/// of times and must not depend on anything but its inputs and those attributes. The evaluator has
/// already checked the node's arity against `inputArity` and `outputArity`, and wraps anything a
/// kernel throws with the node, operator, domain, opset and input shapes.
///
/// A version that only widens the accepted types reuses the earlier kernel: the registry picks the
/// highest `sinceVersion` not above the model's opset, so a new type is needed only where behaviour changes.
public protocol Kernel: Sendable {
    /// The operator set domain; "" is the default ONNX domain.
    static var domain: String { get }
    static var opType: String { get }
    /// The opset version this kernel's behaviour starts at.
    static var sinceVersion: Int { get }
    /// How many inputs the node may list (omitted optional inputs written as "" count).
    static var inputArity: ClosedRange<Int> { get }
    /// How many of the leading inputs must be present.
    static var requiredInputs: Int { get }
    /// How many outputs the node may list.
    static var outputArity: ClosedRange<Int> { get }

    /// Prepares the kernel for `node`: resolves and validates attributes.
    init(_ node: KernelNode) throws

    /// Computes the outputs; `inputs[i]` is nil for an omitted optional input. Returns at least
    /// as many values as the node has outputs (nil for an output that is not produced).
    func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?]
}

extension Kernel {
    public static var domain: String { "" }
    public static var inputArity: ClosedRange<Int> { 1...1 }
    public static var requiredInputs: Int { inputArity.lowerBound }
    public static var outputArity: ClosedRange<Int> { 1...1 }
}

/// Inputs and outputs are unlimited above a bound.
public let variadic = Int.max / 2

/// A kernel whose inputs and outputs are all tensors.
public protocol TensorKernel: Kernel {
    /// `inputs[i]` is nil for an omitted optional input.
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?]
}

extension TensorKernel {
    public func run(_ inputs: [RuntimeValue?], context: KernelContext) throws -> [RuntimeValue?] {
        try compute(tensorInputs(inputs)).map { $0.map(RuntimeValue.tensor) }
    }
}

/// `inputs` as tensors (nil for an omitted optional input).
/// - Throws: `KernelError.invalidInput` naming the first input that is a sequence, map or optional.
func tensorInputs(_ inputs: [RuntimeValue?]) throws -> [Tensor?] {
    var tensors: [Tensor?] = []
    tensors.reserveCapacity(inputs.count)
    for (index, input) in inputs.enumerated() {
        switch input {
        case nil: tensors.append(nil)
        case .tensor(let tensor)?: tensors.append(tensor)
        case let other?: throw KernelError.invalidInput("input \(index) is \(other.summary), not a tensor")
        }
    }
    return tensors
}

/// What a kernel throws; the evaluator adds node, operator, opset and input shapes.
public enum KernelError: Error, CustomStringConvertible {
    case invalidInput(String)
    case invalidAttribute(String)
    case unsupportedType(String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .invalidInput(let reason), .invalidAttribute(let reason), .unsupported(let reason): reason
        case .unsupportedType(let reason): "unsupported type: \(reason)"
        }
    }
}

extension Array where Element == Tensor? {
    /// Input `index`, which the kernel's `requiredInputs` guarantees is present.
    public func required(_ index: Int) throws -> Tensor {
        guard index < count, let tensor = self[index] else {
            throw KernelError.invalidInput("input \(index) is required")
        }
        return tensor
    }

    /// Input `index` when the node lists it, else nil.
    public func optional(_ index: Int) -> Tensor? {
        index < count ? self[index] : nil
    }
}
