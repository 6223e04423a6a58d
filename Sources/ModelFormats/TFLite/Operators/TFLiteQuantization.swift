import ModelIR

/// QUANTIZE and DEQUANTIZE. Values are already floats in the imported graph, so QUANTIZE is the
/// output's QuantizeLinear→DequantizeLinear (`setOutput`), and DEQUANTIZE is the value itself,
/// or a Cast for the float16 weights of a float16-quantized model.
extension TFLiteGraphBuilder {
    func convertQuantize(_ op: TFLiteOperator) throws(ModelFormatError) {
        let output = try requiredOutput(op)
        let type = try dataType(output)
        guard type == .int8 || type == .uint8 else {
            throw unsupported("QUANTIZE to \(type) is not imported; ModelGate imports int8 and uint8")
        }
        guard try tensor(output).quantization?.isPresent == true else { throw malformed("QUANTIZE output has no scale") }
        try setOutput(output, try value(try requiredInput(op, 0)))
    }

    func convertDequantize(_ op: TFLiteOperator) throws(ModelFormatError) {
        let inputIndex = try requiredInput(op, 0)
        let output = try requiredOutput(op)
        let x = try value(inputIndex)
        switch try dataType(inputIndex) {
        case .float16:
            try setOutput(output, self.op("Cast", [x], [.int("to", Int(DataType.float.rawValue))], hint: hint(output)))
        case .int8, .uint8, .int32:
            guard try tensor(inputIndex).quantization?.isPresent == true else { throw malformed("DEQUANTIZE input has no scale") }
            try setOutput(output, x)
        case let type:
            throw unsupported("DEQUANTIZE of \(type) is not imported")
        }
    }
}
