/// Why two outputs or labels cannot be compared.
public enum CompareError: Error, CustomStringConvertible, Equatable {
    case shapeMismatch(output: String, actual: [Int], golden: [Int])
    case notNumeric(output: String, reason: String)
    case labelCount(output: String, samples: Int, labels: Int)
    case missingGolden(output: String, available: [String])

    public var description: String {
        switch self {
        case let .shapeMismatch(output, actual, golden):
            "output '\(output)' has shape \(actual) but its golden values have shape \(golden)"
        case let .notNumeric(output, reason):
            "output '\(output)' cannot be compared: \(reason)"
        case let .labelCount(output, samples, labels):
            "output '\(output)' has \(samples) samples but the golden file has \(labels) labels; the first axis is the sample axis"
        case let .missingGolden(output, available):
            "the golden file has no outputs/\(output); it has " + (available.isEmpty ? "no outputs" : available.map { "outputs/\($0)" }.joined(separator: ", "))
        }
    }
}
