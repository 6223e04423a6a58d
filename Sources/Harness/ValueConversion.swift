import Executor
import ModelFormats
import ModelIR

/// Converts between values read from files (`DataValue`) and executor values (`RuntimeValue`).
public enum ValueConversion {
    public struct Unsupported: Error, CustomStringConvertible {
        public var description: String
    }

    public static func runtimeValue(_ value: DataValue) throws(Unsupported) -> RuntimeValue {
        switch value {
        case .tensor(let tensor): return .tensor(tensor)
        case .sequence(let elements):
            var tensors: [Tensor] = []
            for element in elements {
                guard case .tensor(let tensor) = element else {
                    throw Unsupported(description: "sequences of non-tensors are not supported by the executor")
                }
                tensors.append(tensor)
            }
            return .sequence(tensors)
        case .optional(let wrapped):
            guard let wrapped else { return .optional(nil) }
            return .optional(try runtimeValue(wrapped))
        case .map:
            throw Unsupported(description: "map values are not supported by the executor")
        }
    }

    public static func dataValue(_ value: RuntimeValue) -> DataValue {
        switch value {
        case .tensor(let tensor): return .tensor(tensor)
        case .sequence(let tensors): return .sequence(tensors.map(DataValue.tensor))
        case .optional(let wrapped): return .optional(wrapped.map(dataValue))
        }
    }
}
