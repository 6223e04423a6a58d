import ModelIR

/// Einstein summation over any number of operands, with `...` broadcasting and the implicit
/// output (letters used once, in alphabetical order) when there is no `->`. Computed in double.
struct Einsum_12: TensorKernel {
    static let opType = "Einsum", sinceVersion = 12
    static let inputArity = 1...variadic
    let equation: String

    init(_ node: KernelNode) throws {
        guard let equation = try node.string("equation") else { throw KernelError.invalidAttribute("required attribute 'equation' is missing") }
        self.equation = equation.replacingOccurrences(of: " ", with: "")
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let operands = try (0..<inputs.count).map { try inputs.required($0) }
        let sides = equation.components(separatedBy: "->")
        var terms = sides[0].components(separatedBy: ",")
        guard terms.count == operands.count else { throw KernelError.invalidInput("equation has \(terms.count) terms for \(operands.count) inputs") }
        // Ellipses become the letters "0", "1", … aligned from the right.
        let ellipsisRank = try zip(terms, operands).map { term, operand -> Int in
            let letters = term.replacingOccurrences(of: "...", with: "").count
            guard term.contains("...") || letters == operand.rank else { throw KernelError.invalidInput("term '\(term)' does not fit rank \(operand.rank)") }
            return term.contains("...") ? operand.rank - letters : 0
        }.max() ?? 0
        let ellipsisLetters = (0..<ellipsisRank).map { Character(UnicodeScalar(UInt8(48 + $0))) }
        func expand(_ term: String, rank: Int) -> [Character] {
            guard let range = term.range(of: "...") else { return Array(term) }
            let count = rank - term.replacingOccurrences(of: "...", with: "").count
            return Array(term[..<range.lowerBound]) + Array(ellipsisLetters.suffix(count)) + Array(term[range.upperBound...])
        }
        let expanded = zip(terms, operands).map { expand($0, rank: $1.rank) }
        terms = []
        var sizes: [Character: Int] = [:]
        for (letters, operand) in zip(expanded, operands) {
            for (axis, letter) in letters.enumerated() {
                let size = operand.shape[axis]
                if let known = sizes[letter], known != size {
                    if known == 1 { sizes[letter] = size } else if size != 1 {
                        throw KernelError.invalidInput("dimension '\(letter)' is both \(known) and \(size)")
                    }
                } else if sizes[letter] == nil {
                    sizes[letter] = size
                }
            }
        }
        let outputLetters: [Character]
        if sides.count > 1 {
            outputLetters = expand(sides[1], rank: ellipsisRank + sides[1].replacingOccurrences(of: "...", with: "").count)
        } else {
            let counts = expanded.flatMap { $0 }.reduce(into: [Character: Int]()) { $0[$1, default: 0] += 1 }
            outputLetters = ellipsisLetters + counts.filter { $0.value == 1 && !ellipsisLetters.contains($0.key) }.keys.sorted()
        }
        let summed = sizes.keys.filter { !outputLetters.contains($0) }.sorted()
        let all = outputLetters + summed
        let shape = try outputLetters.map { letter -> Int in
            guard let size = sizes[letter] else { throw KernelError.invalidInput("output letter '\(letter)' is not in any input") }
            return size
        }
        let loopShape = all.map { sizes[$0] ?? 1 }
        let values = try operands.map { try $0.doubleValues() }
        // For each operand, the stride each loop letter moves it by (0 for broadcast or absent letters).
        let strides: [[Int]] = zip(expanded, operands).map { letters, operand in
            let own = Strides(operand.shape).values
            return all.map { letter in
                var stride = 0
                for (axis, l) in letters.enumerated() where l == letter && operand.shape[axis] != 1 { stride += own[axis] }
                return stride
            }
        }
        let outputCount = try Tensor.checkedCount(shape)
        let innerCount = summed.reduce(1) { $0 * (sizes[$1] ?? 1) }
        var result = [Double](repeating: 0, count: outputCount)
        _ = try Tensor.checkedCount([outputCount, max(innerCount, 1)])
        forEachIndex(loopShape) { flat, index in
            var product = 1.0
            for (o, operandStrides) in strides.enumerated() {
                var offset = 0
                for (axis, i) in index.enumerated() { offset += i * operandStrides[axis] }
                product *= values[o][offset]
            }
            result[flat / max(innerCount, 1)] += product
        }
        return [try Tensor(converting: result, to: operands[0].dataType, shape: shape)]
    }
}
