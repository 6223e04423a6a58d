import ModelIR

/// Einstein summation over any number of operands, with `...` broadcasting and the implicit
/// output (letters used once, in alphabetical order) when there is no `->`.
///
/// Two operands whose letters each appear once per term, in the output or in the other operand,
/// with equal sizes on both sides (attention's `bhid,bhjd->bhij`, a batched matrix product in any
/// axis order), in float or double, are transposed to a batched matrix product and multiplied as
/// `MatMul` does.
/// Anything else (one or three operands, diagonals, letters summed within one operand,
/// broadcast sizes) is computed element by element in double.
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
        if operands.count == 2, let product = try Self.batchedProduct(operands, letters: expanded, output: outputLetters) {
            return [product]
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

    /// `a` and `b` contracted as a batched matrix product, when the letters allow it (see the type's
    /// documentation); nil otherwise.
    static func batchedProduct(_ operands: [Tensor], letters: [[Character]], output: [Character]) throws -> Tensor? {
        let a = operands[0], b = operands[1], la = letters[0], lb = letters[1]
        guard a.dataType == b.dataType, a.dataType == .float || a.dataType == .double, Set(la).count == la.count, Set(lb).count == lb.count, Set(output).count == output.count,
              la.allSatisfy({ output.contains($0) || lb.contains($0) }), lb.allSatisfy({ output.contains($0) || la.contains($0) }),
              output.allSatisfy({ la.contains($0) || lb.contains($0) }) else { return nil }
        var size: [Character: Int] = [:]
        for (term, operand) in [(la, a), (lb, b)] {
            for (axis, letter) in term.enumerated() {
                if let known = size[letter], known != operand.shape[axis] { return nil }
                size[letter] = operand.shape[axis]
            }
        }
        let batch = output.filter { la.contains($0) && lb.contains($0) }
        let rows = output.filter { la.contains($0) && !lb.contains($0) }
        let columns = output.filter { lb.contains($0) && !la.contains($0) }
        let inner = la.filter { lb.contains($0) && !output.contains($0) }
        func count(_ group: [Character]) -> Int { group.reduce(1) { $0 * size[$1]! } }
        func arranged(_ operand: Tensor, _ term: [Character], _ order: [Character], _ shape: [Int]) throws -> Tensor {
            let permutation = order.map { term.firstIndex(of: $0)! }
            let moved = permutation == Array(permutation.indices) ? operand : try operand.permuted(permutation)
            return try moved.reshaped(to: shape)
        }
        let left = try arranged(a, la, batch + rows + inner, [count(batch), count(rows), count(inner)])
        let right = try arranged(b, lb, batch + inner + columns, [count(batch), count(inner), count(columns)])
        let product = try MatMul_1.multiply(left, right)
        let grouped = batch + rows + columns
        let result = try product.reshaped(to: grouped.map { size[$0]! })
        let permutation = output.map { grouped.firstIndex(of: $0)! }
        return permutation == Array(permutation.indices) ? result : try result.permuted(permutation)
    }
}
