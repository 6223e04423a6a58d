import ModelIR

/// Maps every element through `keys_*` → `values_*` (or `keys_tensor` → `values_tensor`),
/// elements without a key becoming the default.
struct LabelEncoder_2: TensorKernel {
    static let domain = "ai.onnx.ml"
    static let opType = "LabelEncoder", sinceVersion = 2
    let keys: Tensor, values: Tensor, fallback: Tensor

    init(_ node: KernelNode) throws {
        func vector(_ prefix: String) throws -> Tensor? {
            if let t = try node.tensor("\(prefix)_tensor") { return try t.reshaped(to: [t.elementCount]) }
            if let v = try node.ints("\(prefix)_int64s") { return Tensor.int64Vector(v) }
            if let v = try node.floats("\(prefix)_floats") { return try Tensor(shape: [v.count], scalars: v) }
            if let v = try node.strings("\(prefix)_strings") { return try Tensor(shape: [v.count], strings: v.map { Array($0.utf8) }) }
            return nil
        }
        guard let keys = try vector("keys"), let values = try vector("values"), keys.elementCount == values.elementCount else {
            throw KernelError.invalidAttribute("keys and values must be given with the same length")
        }
        self.keys = keys
        self.values = values
        if let t = try node.tensor("default_tensor") {
            fallback = try t.reshaped(to: [1])
        } else {
            switch values.dataType {
            case .string: fallback = try Tensor(shape: [1], strings: [Array((try node.string("default_string") ?? "_Unused").utf8)])
            case .float: fallback = try Tensor(shape: [1], scalars: [try node.float("default_float") ?? -0.0])
            default: fallback = try Tensor(converting: [Double(try node.int("default_int64") ?? -1)], to: values.dataType, shape: [1])
            }
        }
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        var table: [String: Int] = [:]
        func key(_ t: Tensor, _ i: Int, _ strings: [[UInt8]]?, _ numbers: [Double]?) -> String {
            if let strings { return "s" + String(decoding: strings[i], as: UTF8.self) }
            return "n\(numbers?[i] ?? 0)"
        }
        let keyStrings = keys.strings, keyNumbers = keys.strings == nil ? try keys.doubleValues() : nil
        for i in 0..<keys.elementCount { table[key(keys, i, keyStrings, keyNumbers)] = table[key(keys, i, keyStrings, keyNumbers)] ?? i }
        let xStrings = x.strings, xNumbers = x.strings == nil ? try x.doubleValues() : nil
        let (joined, offsets) = try Tensor.flatJoined([values, fallback])
        let map = (0..<x.elementCount).map { table[key(x, $0, xStrings, xNumbers)] ?? offsets[1] }
        return [try joined.gathering(shape: x.shape, sourceIndices: map)]
    }
}

/// 1 where the input exceeds `threshold`, else 0, in the input's type.
struct Binarizer_1: TensorKernel {
    static let domain = "ai.onnx.ml"
    static let opType = "Binarizer", sinceVersion = 1
    let threshold: Double
    init(_ node: KernelNode) throws { threshold = Double(try node.float("threshold", default: 0)) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        return [try Tensor(converting: x.doubleValues().map { $0 > threshold ? 1 : 0 }, to: x.dataType, shape: x.shape)]
    }
}

/// The elements of the last axis at the given indices.
struct ArrayFeatureExtractor_1: TensorKernel, AttributeFreeKernel {
    static let domain = "ai.onnx.ml"
    static let opType = "ArrayFeatureExtractor", sinceVersion = 1
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        var x = try inputs.required(0)
        let indices = try inputs.required(1).indexValues()
        if x.rank == 1 { x = try x.reshaped(to: [1, x.elementCount]) }
        guard let last = x.shape.last, indices.allSatisfy({ $0 >= 0 && $0 < last }) else { throw KernelError.invalidInput("index out of range") }
        return [try slices(x, axis: x.rank - 1, positions: indices)]
    }
}
