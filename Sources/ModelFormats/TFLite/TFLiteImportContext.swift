import ModelIR

/// What the graphs of one imported TFLite model share: the model, the value names taken in
/// any (sub)graph, and the initializers, which all live in the main graph (WHILE bodies refer to
/// them from the outer scope).
final class TFLiteImportContext {
    let model: TFLiteModel
    let limits: ModelLimits
    let opset: Int
    var file: String { model.file.file }
    private(set) var initializers: [Tensor] = []
    private var names = UniqueNames()
    /// "subgraph:tensor:permutation" → the float value of a constant made earlier.
    var constants: [String: String] = [:]
    /// Scale and zero-point initializers by element type and values, shared by every tensor quantized alike.
    var quantizationParameters: [String: (scale: String, zeroPoint: String)] = [:]
    private var tensorBytes = 0
    /// The subgraphs being converted, outermost first (a WHILE may not call one of them).
    var activeSubgraphs: [Int] = []

    init(model: TFLiteModel, limits: ModelLimits, opset: Int) {
        self.model = model
        self.limits = limits
        self.opset = opset
    }

    /// A name not used yet in any graph of the model: `hint` itself when it is free.
    func freshName(_ hint: String) -> String {
        names.fresh(hint.isEmpty ? "value" : hint)
    }

    /// Adds `tensor` as an initializer under a fresh name derived from `hint` and returns the name.
    func addInitializer(_ tensor: Tensor, hint: String) throws(ModelFormatError) -> String {
        tensorBytes += tensor.byteCount
        try limits.check(bytes: tensorBytes, tensor: hint, file: file)
        var stored = tensor
        stored.name = freshName(hint)
        initializers.append(stored)
        return stored.name
    }

    /// A 1-D int64 initializer.
    func int64s(_ values: [Int], hint: String = "const_i64") throws(ModelFormatError) -> String {
        let key = "i64:\(values)"
        if let name = constants[key] { return name }
        let tensor = try tensorOf(shape: [values.count], scalars: values.map { Int64($0) }, hint: hint)
        let name = try addInitializer(tensor, hint: hint)
        constants[key] = name
        return name
    }

    /// A float32 scalar initializer.
    func floatScalar(_ value: Float) throws(ModelFormatError) -> String {
        let key = "f32:\(value.bitPattern)"
        if let name = constants[key] { return name }
        let name = try addInitializer(Tensor(name: "", scalar: value), hint: "const_\(value)")
        constants[key] = name
        return name
    }

    func tensorOf<T: TensorScalar>(shape: [Int], scalars: [T], hint: String) throws(ModelFormatError) -> Tensor {
        do { return try Tensor(name: hint, shape: shape, scalars: scalars) } catch {
            throw .invalidTensor(file: file, tensor: hint, reason: error.description)
        }
    }
}
