import Foundation
import ModelIR

/// Converts `input` to `type` as ONNX's Cast does: floats to integers truncate toward zero,
/// integers wrap, numbers to and from strings as Python prints and parses them, float8 saturating when asked.
func cast(_ input: Tensor, to type: DataType, saturate: Bool) throws -> Tensor {
    if input.dataType == type { return input }
    if let strings = input.strings {
        let values = strings.map { bytes -> Double in
            let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            switch text.lowercased() {
            case "inf", "+inf", "infinity", "+infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            case "nan", "+nan", "-nan": return .nan
            default: return Double(text) ?? .nan
            }
        }
        return try Tensor(converting: values, to: type, shape: input.shape, saturate: saturate)
    }
    if type == .string {
        let values = try input.doubleValues()
        let text: [String] = values.map { value in
            if value.isNaN { return "nan" }
            if value.isInfinite { return value > 0 ? "inf" : "-inf" }
            if input.dataType.isInteger || input.dataType == .bool { return String(Int64(value)) }
            if input.dataType == .double { return "\(value)" }
            return "\(Float(value))"
        }
        return try Tensor(shape: input.shape, strings: text.map { Array($0.utf8) })
    }
    if input.dataType.isInteger && type.isInteger && input.dataType.bitWidth >= 8 && type.bitWidth >= 8 {
        let values = try input.int64Values()
        return try dispatchNumeric(type, IntegerCast(values: values, shape: input.shape))
    }
    return try Tensor(converting: input.doubleValues(), to: type, shape: input.shape, saturate: saturate)
}

private struct IntegerCast: NumericVisitor {
    let values: [Int64]
    let shape: [Int]
    func visit<T: NumericScalar>(_ type: T.Type) throws -> Tensor {
        try Tensor.filled(T.self, shape: shape) { out in
            for (index, value) in values.enumerated() { out[index] = T(wrapping: value) }
        }
    }
}

/// Opset 1 names the type by string (`"FLOAT"`); from 6 by number; `saturate` from 19.
struct Cast_1: TensorKernel {
    static let opType = "Cast", sinceVersion = 1
    let type: DataType
    let saturate: Bool

    init(_ node: KernelNode) throws {
        if case .string? = node.node.attribute("to")?.value, let name = try node.string("to") {
            guard let type = DataType(onnxName: name.lowercased()) else { throw KernelError.invalidAttribute("unknown type '\(name)'") }
            self.type = type
        } else {
            let raw = try node.requiredInt("to")
            guard let type = DataType(rawValue: Int32(truncatingIfNeeded: raw)), type != .undefined else {
                throw KernelError.invalidAttribute("unknown type \(raw)")
            }
            self.type = type
        }
        saturate = try node.int("saturate", default: 1) != 0
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] { [try cast(inputs.required(0), to: type, saturate: saturate)] }
}

/// Casts the first input to the type of the second.
struct CastLike_15: TensorKernel {
    static let opType = "CastLike", sinceVersion = 15
    static let inputArity = 2...2
    let saturate: Bool
    init(_ node: KernelNode) throws { saturate = try node.int("saturate", default: 1) != 0 }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        [try cast(inputs.required(0), to: inputs.required(1).dataType, saturate: saturate)]
    }
}
