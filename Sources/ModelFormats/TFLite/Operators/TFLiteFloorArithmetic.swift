import ModelIR

/// FLOOR_DIV and FLOOR_MOD: division rounded toward −∞ and the remainder with the divisor's sign,
/// as TFLite's kernels compute them.
extension TFLiteGraphBuilder {
    /// FLOOR_DIV: ⌊a / b⌋. Integers are divided in float64 and floored, as TFLite's kernel
    /// does (exact for int32); floats (and quantized tensors, in their real values) as Floor(Div).
    func convertFloorDiv(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let type = try valueType(output)
        let name = hint(output)
        var a = try value(try requiredInput(op, 0)), b = try value(try requiredInput(op, 1))
        guard type.isInteger else {
            try setOutput(output, self.op("Floor", [self.op("Div", [a, b], hint: "\(name)/quotient")], hint: name))
            return
        }
        let double = Int(DataType.double.rawValue)
        a = self.op("Cast", [a], [.int("to", double)], hint: "\(name)/dividend")
        b = self.op("Cast", [b], [.int("to", double)], hint: "\(name)/divisor")
        let floored = self.op("Floor", [self.op("Div", [a, b], hint: "\(name)/quotient")], hint: "\(name)/floored")
        try setOutput(output, self.op("Cast", [floored], [.int("to", Int(type.rawValue))], hint: name))
    }

    /// FLOOR_MOD: a − ⌊a / b⌋·b with the sign of b. Integers are ONNX Mod (`fmod` 0, Python's
    /// remainder); floats are C's fmod (Mod with `fmod` 1) moved by b where it is non-zero and
    /// its sign differs from b's, as TFLite's kernel does.
    func convertFloorMod(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let type = try valueType(output)
        let name = hint(output)
        let a = try value(try requiredInput(op, 0)), b = try value(try requiredInput(op, 1))
        guard !type.isInteger else {
            try setOutput(output, self.op("Mod", [a, b], [.int("fmod", 0)], hint: name))
            return
        }
        let remainder = self.op("Mod", [a, b], [.int("fmod", 1)], hint: "\(name)/fmod")
        let zero = try context.floatScalar(0)
        let signsDiffer = self.op("Xor", [self.op("Less", [remainder, zero], hint: "\(name)/remainder_negative"),
                                          self.op("Less", [b, zero], hint: "\(name)/divisor_negative")], hint: "\(name)/signs_differ")
        let nonZero = self.op("Not", [self.op("Equal", [remainder, zero], hint: "\(name)/remainder_zero")], hint: "\(name)/remainder_nonzero")
        let moves = self.op("And", [signsDiffer, nonZero], hint: "\(name)/moves")
        let moved = self.op("Add", [remainder, b], hint: "\(name)/moved")
        try setOutput(output, self.op("Where", [moves, moved, remainder], hint: name))
    }
}
