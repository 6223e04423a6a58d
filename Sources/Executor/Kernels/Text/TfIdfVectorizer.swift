import ModelIR

/// Counts the n-grams of the pool (with up to `max_skip_count` skipped tokens between items) in
/// each row and reports term frequencies, IDF weights or both.
struct TfIdfVectorizer_9: TensorKernel {
    static let opType = "TfIdfVectorizer", sinceVersion = 9
    let minGram: Int, maxGram: Int, maxSkip: Int, mode: String
    let grams: [[String]: Int]
    let outputSize: Int
    let weights: [Double]?

    init(_ node: KernelNode) throws {
        minGram = try node.requiredInt("min_gram_length")
        maxGram = try node.requiredInt("max_gram_length")
        maxSkip = try node.requiredInt("max_skip_count")
        mode = try node.choice("mode", default: "TF", in: ["TF", "IDF", "TFIDF"])
        let counts = try node.requiredInts("ngram_counts"), indexes = try node.requiredInts("ngram_indexes")
        let pool: [String] = try node.strings("pool_strings") ?? (node.ints("pool_int64s") ?? []).map { "\($0)" }
        var grams: [[String]: Int] = [:]
        var ordinal = 0
        for (lengthIndex, start) in counts.enumerated() {
            let n = lengthIndex + 1
            let end = lengthIndex + 1 < counts.count ? counts[lengthIndex + 1] : pool.count
            guard start >= 0, end <= pool.count, start <= end else { throw KernelError.invalidAttribute("ngram_counts do not fit the pool") }
            var position = start
            while position + n <= end {
                guard ordinal < indexes.count else { throw KernelError.invalidAttribute("ngram_indexes is shorter than the pool") }
                grams[Array(pool[position..<(position + n)])] = indexes[ordinal]
                ordinal += 1
                position += n
            }
        }
        self.grams = grams
        outputSize = (indexes.max() ?? -1) + 1
        weights = try node.floats("weights").map { $0.map(Double.init) }
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let tokens: [String] = try x.strings.map { $0.map { String(decoding: $0, as: UTF8.self) } } ?? x.int64Values().map { "\($0)" }
        let rows = x.rank == 2 ? x.shape[0] : 1, width = x.rank == 2 ? x.shape[1] : x.elementCount
        var result = [Double](repeating: 0, count: rows * outputSize)
        for r in 0..<rows {
            let row = Array(tokens[(r * width)..<((r + 1) * width)])
            for n in max(minGram, 1)...max(maxGram, 1) where n >= minGram {
                for skip in 0...(n == 1 ? 0 : maxSkip) {
                    let span = (n - 1) * (skip + 1)
                    for start in 0..<max(row.count - span, 0) {
                        let gram = (0..<n).map { row[start + $0 * (skip + 1)] }
                        if let index = grams[gram] { result[r * outputSize + index] += 1 }
                    }
                }
            }
        }
        for i in result.indices {
            let weight = weights?[i % outputSize] ?? 1
            switch mode {
            case "IDF": result[i] = result[i] > 0 ? weight : 0
            case "TFIDF": result[i] *= weight
            default: break
            }
        }
        return [try Tensor(converting: result, to: .float, shape: x.rank == 2 ? [rows, outputSize] : [outputSize])]
    }
}
