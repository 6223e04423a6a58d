import ModelIR

/// Quantized tensors: TFLite's scale and zero point become `QuantizeLinear`/`DequantizeLinear`
/// nodes with shared parameter initializers, and a quantized operator output is snapped to its grid.
extension TFLiteGraphBuilder {
    /// The scale and zero-point initializers of `quantization` for elements of `elementType`.
    func quantizationParameters(_ quantization: TFLiteQuantization, elementType: DataType, axis: Int, count: Int, tensorName: String)
        throws(ModelFormatError) -> (scale: String, zeroPoint: String, axis: Int?) {
        let scales = quantization.scales
        var zeroPoints = quantization.zeroPoints
        if zeroPoints.isEmpty { zeroPoints = [Int64](repeating: 0, count: scales.count) }
        guard !quantization.hasCustomDetails else { throw unsupported("tensor '\(tensorName)' uses custom quantization details") }
        guard zeroPoints.count == scales.count, scales.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw malformed("tensor '\(tensorName)' has \(scales.count) scales and \(zeroPoints.count) zero points, or a scale that is not positive")
        }
        let perAxis = scales.count > 1
        if perAxis, scales.count != count {
            throw malformed("tensor '\(tensorName)' has \(scales.count) scales for \(count) channels along axis \(axis)")
        }
        let shape = perAxis ? [scales.count] : []
        let key = "q:\(elementType):\(perAxis ? scales : [scales[0]]):\(perAxis ? zeroPoints : [zeroPoints[0]])"
        if let shared = context.quantizationParameters[key] { return (shared.scale, shared.zeroPoint, perAxis ? axis : nil) }
        let scaleName = try context.addInitializer(context.tensorOf(shape: shape, scalars: perAxis ? scales : [scales[0]], hint: "\(tensorName)/scale"), hint: "\(tensorName)/scale")
        let points = perAxis ? zeroPoints : [zeroPoints[0]]
        let zeroTensor: Tensor
        switch elementType {
        case .int8:
            guard points.allSatisfy({ $0 >= -128 && $0 <= 127 }) else { throw malformed("tensor '\(tensorName)' has an int8 zero point out of range") }
            zeroTensor = try context.tensorOf(shape: shape, scalars: points.map { Int8($0) }, hint: tensorName)
        case .uint8:
            guard points.allSatisfy({ $0 >= 0 && $0 <= 255 }) else { throw malformed("tensor '\(tensorName)' has a uint8 zero point out of range") }
            zeroTensor = try context.tensorOf(shape: shape, scalars: points.map { UInt8($0) }, hint: tensorName)
        case .int32:
            guard points.allSatisfy({ $0 == 0 }) else { throw unsupported("int32 tensor '\(tensorName)' has a non-zero zero point") }
            zeroTensor = try context.tensorOf(shape: shape, scalars: points.map { Int32($0) }, hint: tensorName)
        default:
            throw unsupported("tensor '\(tensorName)' is quantized as \(elementType); ModelGate imports int8, uint8 and int32 (bias) quantization")
        }
        let zeroName = try context.addInitializer(zeroTensor, hint: "\(tensorName)/zero_point")
        context.quantizationParameters[key] = (scaleName, zeroName)
        return (scaleName, zeroName, perAxis ? axis : nil)
    }

    /// `DequantizeLinear` of the integer value `name`.
    func dequantize(_ name: String, _ quantization: TFLiteQuantization, elementType: DataType, axis: Int, count: Int, tensorName: String)
        throws(ModelFormatError) -> String {
        let parameters = try quantizationParameters(quantization, elementType: elementType, axis: axis, count: count, tensorName: tensorName)
        let output = op("DequantizeLinear", [name, parameters.scale, parameters.zeroPoint], parameters.axis.map { [.int("axis", $0)] } ?? [],
                        hint: "\(tensorName)/dequantized")
        if parameters.axis == nil { dequantizeSources[output] = (name, parameters.scale, parameters.zeroPoint) }
        return output
    }

    /// `QuantizeLinear` of the float value `name` to `elementType`.
    func quantize(_ name: String, _ quantization: TFLiteQuantization, elementType: DataType, count: Int, tensorName: String, outputName: String? = nil)
        throws(ModelFormatError) -> String {
        let axis = Int(quantization.quantizedDimension)
        let parameters = try quantizationParameters(quantization, elementType: elementType, axis: axis, count: count, tensorName: tensorName)
        let attributes: [Attribute] = parameters.axis.map { [.int("axis", $0)] } ?? []
        if let outputName {
            nodes.append(Node(name: outputName, opType: "QuantizeLinear", inputs: [name, parameters.scale, parameters.zeroPoint], outputs: [outputName], attributes: attributes))
            return outputName
        }
        return op("QuantizeLinear", [name, parameters.scale, parameters.zeroPoint], attributes, hint: "\(tensorName)/quantized")
    }

    /// `name`, a value of quantized tensor `source`, as tensor `target` reads the same stored
    /// integers: quantized with `source`'s parameters and dequantized with `target`'s. `name`
    /// itself when the tensors are not both int8 or uint8 quantized per tensor alike.
    func reinterpretingIntegers(_ name: String, from source: Int32, as target: Int32) throws(ModelFormatError) -> String {
        let type = try dataType(source)
        guard type == .int8 || type == .uint8, try dataType(target) == type,
              let from = try tensor(source).quantization, from.isPresent, from.scales.count == 1,
              let to = try tensor(target).quantization, to.isPresent, to.scales.count == 1,
              from.scales != to.scales || from.zeroPoints != to.zeroPoints else { return name }
        let integers = try quantize(name, from, elementType: type, count: 1, tensorName: hint(source))
        return try dequantize(integers, to, elementType: type, axis: 0, count: 1, tensorName: "\(hint(target))/reinterpreted")
    }

    /// The element type of the ONNX value of tensor `index`: float for a quantized (int8 or
    /// uint8) tensor, which the graph holds as the reals its integers stand for, else its own.
    func valueType(_ index: Int32) throws(ModelFormatError) -> DataType {
        let type = try dataType(index)
        guard type == .int8 || type == .uint8, try tensor(index).quantization?.isPresent == true else { return type }
        return .float
    }

    /// Whether tensors `a` and `b` have the same element type and quantization parameters (or
    /// neither is quantized), so that a value of one is a value of the other.
    func sameQuantization(_ a: Int32, _ b: Int32) throws(ModelFormatError) -> Bool {
        guard try dataType(a) == dataType(b) else { return false }
        let first = try tensor(a).quantization, second = try tensor(b).quantization
        guard first?.isPresent == true || second?.isPresent == true else { return true }
        return first?.scales == second?.scales && first?.zeroPoints == second?.zeroPoints
            && first?.quantizedDimension == second?.quantizedDimension
    }

    /// The float value `name` snapped to the grid of quantized (int8 or uint8) tensor `index`,
    /// as TFLite would store it there; `name` itself for other tensors.
    func snapped(_ name: String, toGridOf index: Int32) throws(ModelFormatError) -> String {
        let type = try dataType(index)
        guard let quantization = try tensor(index).quantization, quantization.isPresent, type == .int8 || type == .uint8 else { return name }
        let axis = Int(quantization.quantizedDimension)
        let count = Self.size(of: try shape(index), axis: axis)
        let integers = try quantize(name, quantization, elementType: type, count: count, tensorName: hint(index))
        return try dequantize(integers, quantization, elementType: type, axis: axis, count: count, tensorName: hint(index))
    }

    /// Records `name` as the value of tensor `index`: snapped to the tensor's quantization grid
    /// (QuantizeLinear then DequantizeLinear) when it is a quantized tensor, renamed to the
    /// graph-output name it must have. A per-tensor quantized `name` that is a transpose made here
    /// is quantized before the transpose, so that the integers move and an operator reading the
    /// transpose back reads `DequantizeLinear` of the quantized result itself.
    func setOutput(_ index: Int32, _ name: String) throws(ModelFormatError) {
        let tensor = try tensor(index)
        var result = name
        let type = try dataType(index)
        if let quantization = tensor.quantization, quantization.isPresent, type == .int8 || type == .uint8 {
            let shape = try shape(index)
            let axis = Int(quantization.quantizedDimension)
            let count = Self.size(of: shape, axis: axis)
            if quantization.scales.count == 1, dequantizeSources[name] == nil, let (source, perm) = transposeSources[name] {
                let quantized = try quantize(source, quantization, elementType: type, count: 1, tensorName: hint(index))
                result = try dequantize(transpose(quantized, perm: perm), quantization, elementType: type, axis: axis, count: count, tensorName: hint(index))
            } else {
                let quantized = try quantize(name, quantization, elementType: type, count: count, tensorName: hint(index))
                result = try dequantize(quantized, quantization, elementType: type, axis: axis, count: count, tensorName: hint(index))
            }
        } else if tensor.quantization?.isPresent == true, type == .int16 {
            throw unsupported("tensor '\(tensor.name)' is quantized to int16; ModelGate imports int8 and uint8 activations")
        }
        if let preferred = preferredNames[Int(index)], preferred != result {
            nodes.append(Node(name: preferred, opType: "Identity", inputs: [result], outputs: [preferred]))
            result = preferred
        }
        values[Int(index)] = result
    }
}
