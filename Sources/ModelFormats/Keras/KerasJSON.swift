import Foundation

/// A JSON value from a Keras `model_config` or `config.json`, with lenient accessors for the
/// spellings tf.keras 2 and Keras 3 use (a number or a one-element list, `null` for "unset").
public indirect enum KerasJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([KerasJSON])
    case object([String: KerasJSON])

    /// Parses UTF-8 JSON text.
    ///
    /// - Throws: `KerasImportError.malformed` when the text is not JSON.
    static func parse(_ data: Data, file: String, what: String) throws(KerasImportError) -> KerasJSON {
        do { return try JSONDecoder().decode(KerasJSON.self, from: data) } catch {
            throw .malformed(file: file, reason: "\(what) is not valid JSON")
        }
    }

    subscript(key: String) -> KerasJSON? {
        if case .object(let members) = self, let value = members[key], value != .null { return value }
        return nil
    }

    var string: String? { if case .string(let value) = self { return value }; return nil }
    var double: Double? {
        switch self {
        case .number(let value): return value
        case .bool(let value): return value ? 1 : 0
        case .array(let values) where values.count == 1: return values[0].double
        default: return nil
        }
    }
    /// An integer of at most 2²⁴ in size: larger sizes, strides or counts are not real Keras models,
    /// and keeping them small keeps the arithmetic on them from overflowing.
    var int: Int? { double.flatMap { $0.rounded() == $0 && abs($0) <= 16_777_216 ? Int($0) : nil } }
    var bool: Bool? { if case .bool(let value) = self { return value }; return nil }
    var array: [KerasJSON]? { if case .array(let values) = self { return values }; return nil }
    var object: [String: KerasJSON]? { if case .object(let members) = self { return members }; return nil }

    /// A list of integers; a single integer counts as a one-element list.
    var ints: [Int]? {
        if let value = int, array == nil { return [value] }
        guard let values = array else { return nil }
        var result: [Int] = []
        for value in values {
            guard let number = value.int else { return nil }
            result.append(number)
        }
        return result
    }

    /// A list of numbers; a single number counts as a one-element list.
    var doubles: [Double]? {
        if case .number(let value) = self { return [value] }
        guard let values = array else { return nil }
        var result: [Double] = []
        for value in values {
            if let number = value.double, value.array == nil {
                result.append(number)
            } else if let nested = value.doubles {
                result.append(contentsOf: nested)
            } else {
                return nil
            }
        }
        return result
    }

    /// A shape: integers with `null` for an unknown size.
    var shape: [Int?]? {
        guard let values = array else { return nil }
        var result: [Int?] = []
        for value in values {
            if value == .null { result.append(nil); continue }
            guard let number = value.int else { return nil }
            result.append(number)
        }
        return result
    }
}

extension KerasJSON: Decodable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([KerasJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: KerasJSON].self))
        }
    }
}
