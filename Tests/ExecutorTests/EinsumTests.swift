@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// Two-operand Einsum, which runs as a transposed batched matrix product, against an element-by-
/// element sum over every index written out here, on equations exporters emit (torchvision MaxViT's
/// attention, batched products in other axis orders, inner and outer products).
final class EinsumTests: XCTestCase {
    static func model(_ equation: String, _ a: [Int], _ b: [Int]) -> Model {
        GraphBuilder.model([Node(name: "einsum", opType: "Einsum", inputs: ["a", "b"], outputs: ["y"],
                                 attributes: [Attribute(name: "equation", value: .string(Array(equation.utf8)))])],
                           inputs: [GraphBuilder.value("a", .float, a), GraphBuilder.value("b", .float, b)],
                           outputs: [GraphBuilder.value("y", .float)], opset: 17)
    }

    /// The sum over all letters not in `output` of a[…]·b[…], for every output index.
    static func expected(_ equation: String, _ a: (shape: [Int], values: [Float]), _ b: (shape: [Int], values: [Float])) -> [Float] {
        let sides = equation.replacingOccurrences(of: " ", with: "").components(separatedBy: "->")
        let terms = sides[0].components(separatedBy: ",").map(Array.init)
        let output = Array(sides[1])
        var size: [Character: Int] = [:]
        for (term, shape) in zip(terms, [a.shape, b.shape]) { for (letter, extent) in zip(term, shape) { size[letter] = extent } }
        let letters = output + size.keys.filter { !output.contains($0) }.sorted()
        let outputCount = output.reduce(1) { $0 * size[$1]! }
        var result = [Double](repeating: 0, count: outputCount)
        func offset(_ term: [Character], _ shape: [Int], _ index: [Character: Int]) -> Int {
            zip(term, shape).reduce(0) { $0 * $1.1 + index[$1.0]! }
        }
        var index = [Character: Int](uniqueKeysWithValues: letters.map { ($0, 0) })
        let total = letters.reduce(1) { $0 * size[$1]! }
        for _ in 0..<total {
            let o = output.reduce(0) { $0 * size[$1]! + index[$1]! }
            result[o] += Double(a.values[offset(terms[0], a.shape, index)]) * Double(b.values[offset(terms[1], b.shape, index)])
            for letter in letters.reversed() {
                index[letter]! += 1
                if index[letter]! < size[letter]! { break }
                index[letter] = 0
            }
        }
        return result.map(Float.init)
    }

    func testTwoOperandEquationsMatchTheirSums() throws {
        let cases: [(String, [Int], [Int], [Int])] = [
            ("bghid,bghjd->bghij", [2, 1, 3, 4, 5], [2, 1, 3, 6, 5], [2, 1, 3, 4, 6]),
            ("bghij,bghjd->bghid", [2, 1, 3, 4, 6], [2, 1, 3, 6, 5], [2, 1, 3, 4, 5]),
            ("bqhd,bkhd->bhqk", [2, 4, 3, 5], [2, 6, 3, 5], [2, 3, 4, 6]),
            ("ij,kj->ki", [3, 4], [5, 4], [5, 3]),
            ("i,i->", [7], [7], []),
            ("i,j->ij", [3], [4], [3, 4]),
        ]
        for (equation, aShape, bShape, outputShape) in cases {
            let a = (aShape, (0..<aShape.reduce(1, *)).map { Float(($0 * 7) % 11) - 5 })
            let b = (bShape, (0..<bShape.reduce(1, *)).map { Float(($0 * 5) % 13) * 0.5 - 3 })
            let y = try runFloats(Self.model(equation, aShape, bShape),
                                  ["a": GraphBuilder.tensor(aShape, a.1), "b": GraphBuilder.tensor(bShape, b.1)])
            XCTAssertEqual(y.shape, outputShape, equation)
            XCTAssertEqual(y.values, Self.expected(equation, (aShape, a.1), (bShape, b.1)), equation)
        }
    }

    func testEquationsOutsideTheProductFormStillSum() throws {
        // A letter summed within one operand (`j` only in a) and a diagonal (`ii`) take the general path.
        let a = GraphBuilder.tensor([2, 3], [1, 2, 3, 4, 5, 6]), b = GraphBuilder.tensor([2], [10, 100])
        XCTAssertEqual(try runFloats(Self.model("ij,i->i", [2, 3], [2]), ["a": a, "b": b]).values, [60, 1500])
        let square = GraphBuilder.tensor([2, 2], [1, 2, 3, 4])
        XCTAssertEqual(try runFloats(Self.model("ii,i->i", [2, 2], [2]), ["a": square, "b": b]).values, [10, 400])
    }
}
