import Foundation
import ModelIR

/// The generated schema table (`OpSchemas+Generated*.swift`): one line per operator version.
enum OpSchemaTable {}

/// Every standard operator schema of every version, looked up as ONNX's `OpSchemaRegistry` does:
/// the newest version whose since-version is not above the imported opset.
///
/// Creating the registry only indexes the table's lines by operator; an operator's lines are parsed
/// the first time it is looked up, so a check pays only for the operators its model uses. The line
/// format is described in `Tools/generate-op-schemas.py`, which writes the table from the pip
/// `onnx` package.
public final class OpSchemaRegistry: @unchecked Sendable {
    /// The registry of the ONNX release the table was generated from.
    public static let standard = OpSchemaRegistry(tables: [OpSchemaTable.onnxPart1, OpSchemaTable.onnxPart2, OpSchemaTable.otherDomains])

    private struct Key: Hashable {
        var domain: String
        var name: String
    }

    /// The table lines of each operator, in table order (oldest version first).
    private let lines: [Key: [Substring]]
    /// The highest version of each domain that has any schema.
    public let latestVersions: [String: Int]
    /// Parsed versions of the operators looked up so far, oldest first; guarded by `lock`.
    private var parsed: [Key: [OpSchema]] = [:]
    private let lock = NSLock()

    init(tables: [String]) {
        var lines: [Key: [Substring]] = [:]
        var latest: [String: Int] = [:]
        // Byte-level scanning: Character-based splitting of the large table is much slower.
        for table in tables {
            for bytes in table.utf8.split(separator: UInt8(ascii: "\n")) {
                let fields = bytes.drop(while: { $0 == UInt8(ascii: " ") })
                    .split(separator: UInt8(ascii: "|"), maxSplits: 3, omittingEmptySubsequences: false)
                guard fields.count == 4, let since = Int(Substring(fields[2])) else { continue }
                let key = Key(domain: String(Substring(fields[1])), name: String(Substring(fields[0])))
                lines[key, default: []].append(Substring(bytes))
                latest[key.domain] = max(latest[key.domain] ?? 0, since)
            }
        }
        self.lines = lines
        latestVersions = latest
    }

    /// The schema of `name` in `domain` that applies at `opsetVersion`, or nil when the operator does
    /// not exist (yet) at that version.
    public func schema(_ name: String, domain: String, opsetVersion: Int) -> OpSchema? {
        allVersions(of: name, domain: domain).last(where: { $0.sinceVersion <= opsetVersion })
    }

    /// Every version of `name` in `domain`, oldest first.
    public func allVersions(of name: String, domain: String) -> [OpSchema] {
        let key = Key(domain: Node.canonicalDomain(domain), name: name)
        lock.lock()
        defer { lock.unlock() }
        if let schemas = parsed[key] { return schemas }
        let schemas = (lines[key] ?? []).compactMap(Self.parse).sorted { $0.sinceVersion < $1.sinceVersion }
        parsed[key] = schemas
        return schemas
    }

    /// True when `domain` has operators in this registry.
    public func knows(domain: String) -> Bool { latestVersions[Node.canonicalDomain(domain)] != nil }

    /// Every operator name of `domain`.
    public func operatorNames(domain: String) -> [String] {
        let wanted = Node.canonicalDomain(domain)
        return lines.keys.filter { $0.domain == wanted }.map(\.name).sorted()
    }

    // MARK: Parsing the table

    private static func parse(_ line: Substring) -> OpSchema? {
        let fields = line.trimmingPrefix(while: { $0 == " " }).split(separator: "|", omittingEmptySubsequences: false)
        guard fields.count == 10, let since = Int(fields[2]) else { return nil }
        let counts = fields[4].split(separator: ",").compactMap { Int($0) }
        guard counts.count == 4 else { return nil }
        let flags = fields[3]
        var attributes: [String: OpSchema.AttributeSpec] = [:]
        for item in list(fields[7]) {
            let parts = item.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count == 4 else { continue }
            let name = decoded(parts[0])
            attributes[name] = OpSchema.AttributeSpec(name: name, kindName: String(parts[1]), isRequired: parts[2] == "1",
                                                      defaultValue: defaultValue(parts[3]))
        }
        var constraints: [String: OpSchema.TypeConstraint] = [:]
        for item in list(fields[8]) {
            guard let equals = item.firstIndex(of: "=") else { continue }
            let name = String(item[..<equals])
            let types = item[item.index(after: equals)...].split(separator: "/").map(String.init)
            constraints[name] = OpSchema.TypeConstraint(name: name, allowedTypes: Set(types))
        }
        return OpSchema(name: String(fields[0]), domain: String(fields[1]), sinceVersion: since,
                        isDeprecated: flags.contains("d"),
                        hasFunctionBody: flags.contains("f") || flags.contains("c"),
                        hasContextDependentFunctionBody: flags.contains("c"),
                        hasInferenceFunction: flags.contains("i"),
                        allowsUncheckedAttributes: flags.contains("u"),
                        functionOpsetVersions: fields[9].split(separator: ",").compactMap { Int($0) },
                        minInputs: counts[0], maxInputs: counts[1], minOutputs: counts[2], maxOutputs: counts[3],
                        inputs: list(fields[5]).compactMap(parameter), outputs: list(fields[6]).compactMap(parameter),
                        attributes: attributes, typeConstraints: constraints)
    }

    private static func list(_ field: Substring) -> [Substring] {
        field.isEmpty ? [] : field.split(separator: ";", omittingEmptySubsequences: false)
    }

    private static func parameter(_ item: Substring) -> OpSchema.Parameter? {
        let parts = item.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 5 else { return nil }
        let arity: OpSchema.Arity = parts[2] == "O" ? .optional : parts[2] == "V" ? .variadic : .single
        return OpSchema.Parameter(name: String(parts[0]), typeString: String(parts[1]), arity: arity,
                                  isHomogeneous: parts[3] == "1", minArity: Int(parts[4]) ?? 1)
    }

    private static func defaultValue(_ text: Substring) -> AttributeValue? {
        guard text.count >= 2, text.dropFirst().first == "=" else { return nil }
        let body = text.dropFirst(2)
        switch text.first {
        case "i": return Int64(body).map { .int($0) }
        case "f": return Float(body).map { .float($0) }
        case "s": return .string(Array(decoded(body).utf8))
        case "I": return .ints(body.split(separator: ",").compactMap { Int64($0) })
        case "F": return .floats(body.split(separator: ",").compactMap { Float($0) })
        case "S": return .strings(body.split(separator: ",", omittingEmptySubsequences: false).map { Array(decoded($0).utf8) })
        default: return nil
        }
    }

    /// Undoes the generator's percent-encoding.
    private static func decoded(_ text: Substring) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var index = text.utf8.startIndex
        let utf8 = text.utf8
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%"), let first = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
               let second = utf8.index(first, offsetBy: 1, limitedBy: utf8.endIndex), second < utf8.endIndex,
               let value = UInt8(String(decoding: [utf8[first], utf8[second]], as: UTF8.self), radix: 16) {
                bytes.append(value)
                index = utf8.index(after: second)
            } else {
                bytes.append(byte)
                index = utf8.index(after: index)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
