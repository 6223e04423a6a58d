import ModelIR

/// The input's bytes read as another type of the same width.
struct BitCast_26: TensorKernel {
    static let opType = "BitCast", sinceVersion = 26
    let type: DataType
    init(_ node: KernelNode) throws {
        let raw = try node.requiredInt("to")
        guard let type = DataType(rawValue: Int32(truncatingIfNeeded: raw)), type != .string, type != .undefined else {
            throw KernelError.invalidAttribute("cannot bit-cast to type \(raw)")
        }
        self.type = type
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try inputs.required(0).reinterpreted(as: type)] }
}

/// Center-crops or zero-pads the given axes to `shape` (the extra element of an odd difference goes to the end).
struct CenterCropPad_18: TensorKernel {
    static let opType = "CenterCropPad", sinceVersion = 18
    static let inputArity = 2...2
    let axes: [Int]?
    init(_ node: KernelNode) throws { axes = try node.ints("axes") }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0), shape = try inputs.required(1).indexValues()
        let axes = try normalizedAxes(self.axes ?? Array(0..<x.rank), rank: x.rank)
        guard shape.count == axes.count else { throw KernelError.invalidInput("shape has \(shape.count) entries for \(axes.count) axes") }
        var begin = [Int](repeating: 0, count: x.rank), end = begin
        for (i, axis) in axes.enumerated() {
            let difference = shape[i] - x.shape[axis]
            let half = difference >= 0 ? difference / 2 : -((-difference) / 2)
            begin[axis] = half
            end[axis] = difference - half
        }
        return [try pad(x, pads: begin + end, axes: nil, mode: "constant", constant: nil)]
    }
}
