import ModelIR

/// The value of whichever `value*` attribute is set (`value` only before opset 12).
struct Constant_1: TensorKernel {
    static let opType = "Constant", sinceVersion = 1
    static let inputArity = 0...0
    let value: Tensor

    init(_ node: KernelNode) throws {
        var found: [Tensor] = []
        if var tensor = try node.tensor("value") { tensor.name = ""; found.append(tensor) }
        if let value = try node.float("value_float") { found.append(Tensor(scalar: value)) }
        if let values = try node.floats("value_floats") { found.append(try Tensor(shape: [values.count], scalars: values)) }
        if let value = try node.int("value_int") { found.append(Tensor(scalar: Int64(value))) }
        if let values = try node.ints("value_ints") { found.append(Tensor.int64Vector(values)) }
        if let value = try node.string("value_string") { found.append(try Tensor(shape: [], strings: [Array(value.utf8)])) }
        if let values = try node.strings("value_strings") { found.append(try Tensor(shape: [values.count], strings: values.map { Array($0.utf8) })) }
        if case .sparseTensor(let sparse)? = node.node.attribute("sparse_value")?.value { found.append(try sparse.densified()) }
        guard found.count == 1, let value = found.first else {
            throw KernelError.invalidAttribute("Constant needs exactly one value attribute, found \(found.count)")
        }
        self.value = value
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [value] }
}

/// A tensor of the shape given by the input, filled with the one-element `value` (float 0 by default).
struct ConstantOfShape_9: TensorKernel {
    static let opType = "ConstantOfShape", sinceVersion = 9
    let value: Tensor

    init(_ node: KernelNode) throws {
        let value = try node.tensor("value") ?? Tensor(scalar: Float(0))
        guard value.elementCount == 1 else { throw KernelError.invalidAttribute("'value' must hold one element, has shape \(value.shape)") }
        self.value = value
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let shape = try inputs.required(0).indexValues()
        let count = try Tensor.checkedCount(shape)
        return [try value.gathering(shape: shape, sourceIndices: [Int](repeating: 0, count: count))]
    }
}
