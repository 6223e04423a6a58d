import Foundation

/// A JSON value as parsed by `JSONValue.parse`, keeping integers, numbers and booleans apart
/// (Foundation's `JSONSerialization` folds booleans into `NSNumber`).
public indirect enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double, isInteger: Bool)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a, _), .number(b, _)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && Dictionary(a, uniquingKeysWith: { x, _ in x }) == Dictionary(b, uniquingKeysWith: { x, _ in x })
        default: false
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members.first { $0.0 == key }?.1 }
        return nil
    }

    /// Parses RFC 8259 JSON text.
    public static func parse(_ text: String) throws -> JSONValue {
        var parser = Parser(scalars: Array(text.unicodeScalars))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.index == parser.scalars.count else { throw parser.failure("trailing characters") }
        return value
    }

    private struct Parser {
        let scalars: [Unicode.Scalar]
        var index = 0

        init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

        func failure(_ what: String) -> JSONSchemaError { JSONSchemaError(path: "offset \(index)", message: what) }

        mutating func skipSpace() {
            while index < scalars.count, [" ", "\n", "\r", "\t"].contains(scalars[index]) { index += 1 }
        }

        mutating func expect(_ literal: String) throws {
            for scalar in literal.unicodeScalars {
                guard index < scalars.count, scalars[index] == scalar else { throw failure("expected \(literal)") }
                index += 1
            }
        }

        mutating func value() throws -> JSONValue {
            skipSpace()
            guard index < scalars.count else { throw failure("unexpected end") }
            switch scalars[index] {
            case "n": try expect("null"); return .null
            case "t": try expect("true"); return .bool(true)
            case "f": try expect("false"); return .bool(false)
            case "\"": return .string(try string())
            case "[":
                index += 1
                var items: [JSONValue] = []
                skipSpace()
                if index < scalars.count, scalars[index] == "]" { index += 1; return .array(items) }
                while true {
                    items.append(try value())
                    skipSpace()
                    guard index < scalars.count else { throw failure("unterminated array") }
                    if scalars[index] == "]" { index += 1; return .array(items) }
                    try expect(",")
                }
            case "{":
                index += 1
                var members: [(String, JSONValue)] = []
                skipSpace()
                if index < scalars.count, scalars[index] == "}" { index += 1; return .object(members) }
                while true {
                    skipSpace()
                    let key = try string()
                    skipSpace()
                    try expect(":")
                    members.append((key, try value()))
                    skipSpace()
                    guard index < scalars.count else { throw failure("unterminated object") }
                    if scalars[index] == "}" { index += 1; return .object(members) }
                    try expect(",")
                }
            default:
                return try number()
            }
        }

        mutating func string() throws -> String {
            try expect("\"")
            var result = String.UnicodeScalarView()
            while index < scalars.count {
                let scalar = scalars[index]
                index += 1
                switch scalar {
                case "\"": return String(result)
                case "\\":
                    guard index < scalars.count else { break }
                    let escape = scalars[index]
                    index += 1
                    switch escape {
                    case "n": result.append("\n")
                    case "t": result.append("\t")
                    case "r": result.append("\r")
                    case "b": result.append("\u{8}")
                    case "f": result.append("\u{C}")
                    case "u":
                        var code = try hex4()
                        if (0xD800..<0xDC00).contains(code) {
                            try expect("\\u")
                            let low = try hex4()
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let decoded = Unicode.Scalar(code) else { throw failure("bad \\u escape") }
                        result.append(decoded)
                    default: result.append(escape)
                    }
                default:
                    guard scalar.value >= 0x20 else { throw failure("control character in string") }
                    result.append(scalar)
                }
            }
            throw failure("unterminated string")
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= scalars.count, let code = UInt32(String(String.UnicodeScalarView(scalars[index..<index + 4])), radix: 16) else {
                throw failure("bad \\u escape")
            }
            index += 4
            return code
        }

        mutating func number() throws -> JSONValue {
            let start = index
            var isInteger = true
            while index < scalars.count, "+-0123456789.eE".unicodeScalars.contains(scalars[index]) {
                if [".", "e", "E"].contains(scalars[index]) { isInteger = false }
                index += 1
            }
            let text = String(String.UnicodeScalarView(scalars[start..<index]))
            guard let value = Double(text), !text.isEmpty else { throw failure("bad value '\(text)'") }
            return .number(value, isInteger: isInteger || value == value.rounded())
        }
    }
}

/// One place where a document breaks its schema.
public struct JSONSchemaError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var message: String
    public var description: String { "\(path): \(message)" }
}

/// A validator for the part of JSON Schema (2020-12) that ModelGate's schemas use: `type`,
/// `properties`, `required`, `additionalProperties`, `items`, `minItems`, `enum`, `const`,
/// `minimum`, `maximum`, `pattern`, `anyOf`, `oneOf` and local `$ref`s to `#/$defs/…`.
/// Any other keyword is reported, so a schema cannot silently rely on something unchecked.
public struct JSONSchemaValidator {
    public let schema: JSONValue
    static let annotations: Set<String> = ["$schema", "$id", "$defs", "title", "description"]
    static let keywords: Set<String> = ["type", "properties", "required", "additionalProperties", "items", "minItems",
                                        "enum", "const", "minimum", "maximum", "pattern", "anyOf", "oneOf", "$ref"]

    public init(schema: JSONValue) {
        self.schema = schema
    }

    /// Every violation of `document`, empty when it is valid.
    public func validate(_ document: JSONValue) -> [JSONSchemaError] {
        var errors: [JSONSchemaError] = []
        check(document, against: schema, at: "$", errors: &errors)
        return errors
    }

    private func resolve(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: JSONValue? = schema
        for part in reference.dropFirst(2).split(separator: "/") { node = node?[String(part)] }
        return node
    }

    private func check(_ value: JSONValue, against schema: JSONValue, at path: String, errors: inout [JSONSchemaError]) {
        guard case .object(let members) = schema else {
            if schema == .bool(false) { errors.append(JSONSchemaError(path: path, message: "no value is allowed here")) }
            return
        }
        for (keyword, argument) in members {
            if Self.annotations.contains(keyword) { continue }
            guard Self.keywords.contains(keyword) else {
                errors.append(JSONSchemaError(path: path, message: "schema keyword '\(keyword)' is not supported by this validator"))
                continue
            }
            switch keyword {
            case "$ref":
                guard case .string(let reference) = argument, let target = resolve(reference) else {
                    errors.append(JSONSchemaError(path: path, message: "unresolvable $ref \(argument)"))
                    continue
                }
                check(value, against: target, at: path, errors: &errors)
            case "type":
                let types: [String]
                switch argument {
                case .string(let type): types = [type]
                case .array(let list): types = list.compactMap { if case .string(let s) = $0 { s } else { nil } }
                default: types = []
                }
                if !types.contains(where: { Self.matches(value, type: $0) }) {
                    errors.append(JSONSchemaError(path: path, message: "expected \(types.joined(separator: " or ")), found \(Self.describe(value))"))
                }
            case "properties":
                guard case .object(let properties) = argument, case .object(let fields) = value else { continue }
                for (name, subschema) in properties {
                    if let field = fields.first(where: { $0.0 == name })?.1 {
                        check(field, against: subschema, at: "\(path).\(name)", errors: &errors)
                    }
                }
            case "required":
                guard case .array(let names) = argument, case .object(let fields) = value else { continue }
                for case .string(let name) in names where !fields.contains(where: { $0.0 == name }) {
                    errors.append(JSONSchemaError(path: path, message: "missing required property '\(name)'"))
                }
            case "additionalProperties":
                guard case .object(let fields) = value else { continue }
                var declared = Set<String>()
                if case .object(let properties)? = schema["properties"] { declared = Set(properties.map(\.0)) }
                for (name, field) in fields where !declared.contains(name) {
                    if argument == .bool(false) {
                        errors.append(JSONSchemaError(path: path, message: "property '\(name)' is not in the schema"))
                    } else {
                        check(field, against: argument, at: "\(path).\(name)", errors: &errors)
                    }
                }
            case "items":
                guard case .array(let items) = value else { continue }
                for (index, item) in items.enumerated() { check(item, against: argument, at: "\(path)[\(index)]", errors: &errors) }
            case "minItems":
                if case .array(let items) = value, case .number(let minimum, _) = argument, Double(items.count) < minimum {
                    errors.append(JSONSchemaError(path: path, message: "\(items.count) items, fewer than \(Int(minimum))"))
                }
            case "enum":
                if case .array(let allowed) = argument, !allowed.contains(value) {
                    errors.append(JSONSchemaError(path: path, message: "\(Self.describe(value)) is not one of the allowed values"))
                }
            case "const":
                if value != argument { errors.append(JSONSchemaError(path: path, message: "\(Self.describe(value)) is not the constant \(Self.describe(argument))")) }
            case "minimum":
                if case .number(let number, _) = value, case .number(let minimum, _) = argument, number < minimum {
                    errors.append(JSONSchemaError(path: path, message: "\(number) is below the minimum \(minimum)"))
                }
            case "maximum":
                if case .number(let number, _) = value, case .number(let maximum, _) = argument, number > maximum {
                    errors.append(JSONSchemaError(path: path, message: "\(number) is above the maximum \(maximum)"))
                }
            case "pattern":
                if case .string(let text) = value, case .string(let pattern) = argument,
                   text.range(of: pattern, options: .regularExpression) == nil {
                    errors.append(JSONSchemaError(path: path, message: "'\(text)' does not match \(pattern)"))
                }
            case "anyOf", "oneOf":
                guard case .array(let options) = argument else { continue }
                let passing = options.filter { option in
                    var sub: [JSONSchemaError] = []
                    check(value, against: option, at: path, errors: &sub)
                    return sub.isEmpty
                }.count
                if passing == 0 || (keyword == "oneOf" && passing > 1) {
                    errors.append(JSONSchemaError(path: path, message: "\(Self.describe(value)) matches \(passing) of the \(keyword) alternatives"))
                }
            default:
                break
            }
        }
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("number", .number), ("string", .string), ("array", .array), ("object", .object): true
        case ("integer", .number(_, let isInteger)): isInteger
        default: false
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n, _): "\(n)"
        case .string(let s): "\"\(s)\""
        case .array: "an array"
        case .object: "an object"
        }
    }
}
