import Foundation
import ModelIR

private func stringsOf(_ tensor: Tensor) throws -> [String] {
    guard let strings = tensor.strings else { throw KernelError.unsupportedType("expected a string tensor, got \(tensor.dataType)") }
    return strings.map { String(decoding: $0, as: UTF8.self) }
}

private func stringTensor(_ values: [String], shape: [Int]) throws -> Tensor {
    try Tensor(shape: shape, strings: values.map { Array($0.utf8) })
}

/// Removes stop words (case-sensitively or not), changes case, and drops the words left empty
/// (a 1-D or 1×C input; an all-empty result is a single "").
struct StringNormalizer_10: TensorKernel {
    static let opType = "StringNormalizer", sinceVersion = 10
    let action: String, caseSensitive: Bool, stopwords: [String]
    init(_ node: KernelNode) throws {
        action = try node.choice("case_change_action", default: "NONE", in: ["NONE", "LOWER", "UPPER"])
        caseSensitive = try node.int("is_case_sensitive", default: 0) != 0
        stopwords = try node.strings("stopwords") ?? []
        _ = try node.string("locale")
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        guard x.rank == 1 || (x.rank == 2 && x.shape[0] == 1) else { throw KernelError.invalidInput("input must be 1-D or 1×C") }
        let stops = Set(caseSensitive ? stopwords : stopwords.map { $0.lowercased() })
        let words = try stringsOf(x).compactMap { word -> String? in
            if !stops.isEmpty && stops.contains(caseSensitive ? word : word.lowercased()) { return nil }
            switch action {
            case "LOWER": return word.lowercased()
            case "UPPER": return word.uppercased()
            default: return word
            }
        }.filter { !$0.isEmpty }
        let kept = words.isEmpty ? [""] : words
        return [try stringTensor(kept, shape: x.rank == 2 ? [1, kept.count] : [kept.count])]
    }
}

struct StringConcat_20: TensorKernel, AttributeFreeKernel {
    static let opType = "StringConcat", sinceVersion = 20
    static let inputArity = 2...2
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try inputs.required(0), b = try inputs.required(1)
        let x = try stringsOf(a), y = try stringsOf(b)
        let shape = try Broadcast.shape(a.shape, b.shape)
        let xi = try Broadcast.sourceIndices(of: a.shape, in: shape), yi = try Broadcast.sourceIndices(of: b.shape, in: shape)
        return [try stringTensor(zip(xi, yi).map { x[$0] + y[$1] }, shape: shape)]
    }
}

/// Python's `str.split`: by `delimiter`, or on runs of whitespace without one; at most `maxsplit`
/// splits. Outputs the parts padded with "" to the longest, and the number of parts.
struct StringSplit_20: TensorKernel {
    static let opType = "StringSplit", sinceVersion = 20
    static let outputArity = 1...2
    let delimiter: String?, maxSplit: Int?
    init(_ node: KernelNode) throws {
        let delimiter = try node.string("delimiter")
        self.delimiter = delimiter?.isEmpty == true ? nil : delimiter
        maxSplit = try node.int("maxsplit")
    }
    func split(_ text: String) -> [String] {
        var parts: [String] = []
        if let delimiter {
            var rest = Substring(text)
            while let range = rest.range(of: delimiter), maxSplit.map({ parts.count < $0 }) ?? true {
                parts.append(String(rest[..<range.lowerBound]))
                rest = rest[range.upperBound...]
            }
            parts.append(String(rest))
            return parts
        }
        var rest = Substring(text).drop { $0.isWhitespace }
        while !rest.isEmpty {
            if let limit = maxSplit, parts.count >= limit {
                var tail = String(rest)
                while tail.last?.isWhitespace == true { tail.removeLast() }
                parts.append(tail)
                break
            }
            let word = rest.prefix { !$0.isWhitespace }
            parts.append(String(word))
            rest = rest.dropFirst(word.count).drop { $0.isWhitespace }
        }
        return parts
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let lists = try stringsOf(x).map(split)
        let width = lists.map(\.count).max() ?? 0
        let padded = lists.flatMap { $0 + [String](repeating: "", count: width - $0.count) }
        return [try stringTensor(padded, shape: x.shape + [width]),
                try Tensor(shape: x.shape, scalars: lists.map { Int64($0.count) })]
    }
}

/// True where the whole string matches `pattern`.
struct RegexFullMatch_20: TensorKernel {
    static let opType = "RegexFullMatch", sinceVersion = 20
    let regex: NSRegularExpression
    init(_ node: KernelNode) throws {
        let pattern = try node.string("pattern") ?? ""
        do { regex = try NSRegularExpression(pattern: "^(?:" + pattern + ")$") } catch {
            throw KernelError.invalidAttribute("pattern '\(pattern)' is not a valid regular expression")
        }
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let matches = try stringsOf(x).map { text in
            regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        return [try Tensor(shape: x.shape, scalars: matches)]
    }
}
