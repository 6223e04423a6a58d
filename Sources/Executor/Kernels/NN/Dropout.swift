import ModelIR

/// The identity with an all-true mask (bool from opset 10, the input's type before).
private func inferenceDropout(_ x: Tensor, maskAsBool: Bool) throws -> [Tensor?] {
    let count = x.elementCount
    let mask = maskAsBool
        ? try Tensor.filled(UInt8.self, shape: x.shape) { $0.update(repeating: 1) }.reinterpreted(as: .bool)
        : try Tensor(converting: [Double](repeating: 1, count: count), to: x.dataType, shape: x.shape)
    return [x, mask]
}

/// Opsets 1–11: `ratio` is an attribute and only inference is supported.
struct Dropout_1: TensorKernel {
    static let opType = "Dropout", sinceVersion = 1
    static let outputArity = 1...2
    let maskAsBool: Bool
    init(_ node: KernelNode) throws {
        _ = try node.float("ratio", default: 0.5)
        maskAsBool = node.opset >= 10
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { try inferenceDropout(inputs.required(0), maskAsBool: maskAsBool) }
}

/// From opset 12 `ratio` and `training_mode` are inputs. In training mode an element is kept when
/// a uniform draw from numpy's generator seeded with `seed` (0 without one) is at least `ratio`,
/// and kept elements are scaled by 1 / (1 − ratio).
struct Dropout_12: TensorKernel {
    static let opType = "Dropout", sinceVersion = 12
    static let inputArity = 1...3
    static let outputArity = 1...2
    let seed: UInt32
    init(_ node: KernelNode) throws { seed = UInt32(truncatingIfNeeded: try node.int("seed", default: 0)) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let training = try inputs.optional(2).map { try $0.scalarDouble() != 0 } ?? false
        let ratio = try inputs.optional(1).map { try $0.scalarDouble() } ?? 0.5
        guard training && ratio > 0 else { return try inferenceDropout(x, maskAsBool: true) }
        guard ratio < 1 else { throw KernelError.invalidInput("ratio must be below 1 in training mode") }
        var generator = MersenneTwister(seed: seed)
        let keep = (0..<x.elementCount).map { _ in generator.nextDouble() >= ratio }
        let scale = 1 / (1 - ratio)
        let values = try x.doubleValues()
        let y = try Tensor(converting: values.indices.map { keep[$0] ? values[$0] * scale : 0 }, to: x.dataType, shape: x.shape)
        return [y, try Tensor(shape: x.shape, scalars: keep)]
    }
}

extension Tensor {
    /// The same bytes read as another type of the same width.
    func reinterpreted(as type: DataType) throws -> Tensor {
        guard case .bytes(let buffer) = storage, type.bitWidth == dataType.bitWidth else {
            throw KernelError.unsupportedType("cannot reinterpret \(dataType) as \(type)")
        }
        return try Tensor(dataType: type, shape: shape, buffer: buffer)
    }
}
