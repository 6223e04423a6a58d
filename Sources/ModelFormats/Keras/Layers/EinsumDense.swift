import ModelIR

/// `EinsumDense`: ONNX Einsum of the input and the kernel with the layer's `equation` (Keras's
/// three forms: `ab,bc->ac`, `...b,bc->...c`, `ab...,bc->ac...`), then the bias, whose stored shape
/// already broadcasts against the output's trailing axes (`bias_axes`), then `activation`. The
/// output shape is the equation's, each axis sized from the input or the kernel. LoRA weights
/// (`lora_rank`) and quantized kernels are refused.
enum EinsumDenseMapper: KerasLayerMapper {
    static let classNames = ["EinsumDense"]

    static func convert(_ call: KerasLayerCall) throws(KerasImportError) -> [KerasValue] {
        let x = call.graph.nativeValue(try call.input())
        guard let equation = call.config["equation"]?.string else { throw call.invalid("the configuration has no 'equation'") }
        if call.config["lora_rank"]?.int != nil { throw call.unsupported("lora_rank", "merge the LoRA weights before saving") }
        if call.has("quantization_config") || call.has("quantization_mode") {
            throw call.unsupported("a quantized kernel", "save the model before quantizing it")
        }
        let hasBias = !(call.config["bias_axes"]?.string ?? "").isEmpty
        try call.requireWeights(hasBias ? 2 : 1)
        let kernel = try call.weight(0, "kernel")
        let outputShape = try shape(of: equation, input: x.shape, kernel: kernel.shape, call: call)
        var output = call.graph.op("Einsum", [x.name, try call.constant("kernel", kernel)], [.string("equation", equation)],
                                   hint: call.hint("Einsum"))
        if hasBias {
            let bias = try call.weight(1, "bias")
            guard bias.shape.count <= outputShape.count,
                  zip(bias.shape.reversed(), outputShape.reversed()).allSatisfy({ $0 == 1 || $0 == $1 }) else {
                throw call.invalid("bias has shape \(bias.shape), which does not broadcast to the output \(outputShape)")
            }
            output = call.graph.op("Add", [output, try call.constant("bias", bias)], hint: call.hint("BiasAdd"))
        }
        let value = KerasValue(name: output, shape: outputShape, layout: .native, dataType: .float)
        return [try call.applyActivation(value)]
    }

    /// The output shape of `equation` on an input of `input` shape and the kernel.
    static func shape(of equation: String, input: [Int?], kernel: [Int], call: KerasLayerCall) throws(KerasImportError) -> [Int?] {
        let sides = equation.replacingOccurrences(of: " ", with: "").split(separator: "->", omittingEmptySubsequences: false)
        let operands = sides.first?.split(separator: ",", omittingEmptySubsequences: false) ?? []
        guard sides.count == 2, operands.count == 2 else {
            throw call.unsupported("equation '\(equation)'", "use an equation of the form 'ab,bc->ac'")
        }
        let inputSpec = String(operands[0]), kernelSpec = Array(operands[1]), outputSpec = String(sides[1])
        let letters = { (spec: String) in Array(spec.replacingOccurrences(of: "...", with: "")) }
        let inputLetters = letters(inputSpec)
        let elided = input.count - inputLetters.count
        guard kernelSpec.count == kernel.count, elided >= 0, inputSpec.contains("...") || elided == 0,
              kernelSpec.allSatisfy(\.isLetter), inputLetters.allSatisfy(\.isLetter) else {
            throw call.invalid("equation '\(equation)' does not fit an input of shape \(input) and a kernel of shape \(kernel)")
        }
        let leadingEllipsis = inputSpec.hasPrefix("...")
        var sizes: [Character: Int?] = [:]
        for (index, letter) in inputLetters.enumerated() { sizes[letter] = input[leadingEllipsis ? index + elided : index] }
        for (index, letter) in kernelSpec.enumerated() { sizes[letter] = kernel[index] }
        let ellipsisSizes = leadingEllipsis ? Array(input.prefix(elided)) : Array(input.suffix(elided))
        var result: [Int?] = []
        var rest = Substring(outputSpec)
        while let letter = rest.first {
            if rest.hasPrefix("...") {
                result += ellipsisSizes
                rest = rest.dropFirst(3)
                continue
            }
            guard let size = sizes[letter] else { throw call.invalid("output axis '\(letter)' of equation '\(equation)' is in neither operand") }
            result.append(size)
            rest = rest.dropFirst()
        }
        return result
    }
}
