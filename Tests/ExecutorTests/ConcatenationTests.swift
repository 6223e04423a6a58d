@testable import Executor
import ModelIR
import XCTest

/// `Tensor.concatenating` against the join written out element by element here, on the shapes
/// exporters emit: index tuples built along a last axis of one element per part (PyTorch's
/// `index_put` as ScatterND, millions of rows in torchvision MViT), parts of unequal widths, an
/// empty part, and the first axis.
final class ConcatenationTests: XCTestCase {
    /// The parts joined along `axis`, row by row.
    static func expected<T>(_ parts: [(shape: [Int], values: [T])], axis: Int) -> [T] {
        let outer = parts[0].shape[..<axis].reduce(1, *)
        var result: [T] = []
        for o in 0..<outer {
            for part in parts {
                let row = part.shape[axis...].reduce(1, *)
                result += part.values[(o * row)..<((o + 1) * row)]
            }
        }
        return result
    }

    func testIndexTuplesAlongALastAxisOfOneElementPerPart() throws {
        let rows = [3, 70_001]
        let parts = (0..<4).map { p in (shape: rows + [1], values: (0..<(rows[0] * rows[1])).map { Int64($0 * 4 + p) }) }
        let joined = try Tensor.concatenating(parts.map { try Tensor(shape: $0.shape, scalars: $0.values) }, axis: 2)
        XCTAssertEqual(joined.shape, [3, 70_001, 4])
        XCTAssertEqual(joined.scalars(as: Int64.self), Array(0..<Int64(3 * 70_001 * 4)))
    }

    func testPartsOfUnequalWidthsAndAnEmptyPart() throws {
        let widths = [1, 3, 0, 5, 2]
        let parts = widths.enumerated().map { p, width in
            (shape: [257, width], values: (0..<(257 * width)).map { Float(p * 100_000 + $0) })
        }
        let joined = try Tensor.concatenating(parts.map { try Tensor(shape: $0.shape, scalars: $0.values) }, axis: 1)
        XCTAssertEqual(joined.shape, [257, 11])
        XCTAssertEqual(joined.scalars(as: Float.self), Self.expected(parts, axis: 1))
    }

    func testHalfPrecisionPartsAlongAMiddleAxis() throws {
        let parts = [2, 1].enumerated().map { p, extent in
            (shape: [5, extent, 3], values: (0..<(15 * extent)).map { Float16(Float(p * 1000 + $0)) })
        }
        let joined = try Tensor.concatenating(parts.map { try Tensor(shape: $0.shape, scalars: $0.values) }, axis: 1)
        XCTAssertEqual(joined.shape, [5, 3, 3])
        XCTAssertEqual(joined.scalars(as: Float16.self), Self.expected(parts, axis: 1))
    }

    func testTheFirstAxisAppendsTheParts() throws {
        let a = try Tensor(shape: [2, 2], scalars: [Int32(1), 2, 3, 4]), b = try Tensor(shape: [1, 2], scalars: [Int32(5), 6])
        let joined = try Tensor.concatenating([a, b], axis: 0)
        XCTAssertEqual(joined.shape, [3, 2])
        XCTAssertEqual(joined.scalars(as: Int32.self), [1, 2, 3, 4, 5, 6])
    }

    func testPartsWhoseOtherDimensionsDifferAreRefused() throws {
        let a = try Tensor(shape: [2, 2], scalars: [Float](repeating: 0, count: 4))
        let b = try Tensor(shape: [3, 1], scalars: [Float](repeating: 0, count: 3))
        XCTAssertThrowsError(try Tensor.concatenating([a, b], axis: 1))
    }
}

/// `Tensor.broadcasting(to:)` against the broadcast written out element by element here: leading
/// new axes, a broadcast last axis (one element per block), a broadcast middle axis, 8-, 4- and
/// 2-byte elements, and a shape that does not broadcast.
final class BroadcastingCopyTests: XCTestCase {
    /// Element `i` of the broadcast: its multi-index in `shape`, each coordinate taken modulo the
    /// source's dimension (aligned from the right).
    static func expected<T>(_ values: [T], from source: [Int], to shape: [Int]) -> [T] {
        let dims = [Int](repeating: 1, count: shape.count - source.count) + source
        let count = shape.reduce(1, *)
        return (0..<count).map { flat in
            var rest = flat, offset = 0, stride = 1
            for axis in shape.indices.reversed() {
                let coordinate = rest % shape[axis]
                rest /= shape[axis]
                offset += (dims[axis] == 1 ? 0 : coordinate) * stride
                stride *= dims[axis]
            }
            return values[offset]
        }
    }

    func testEveryKindOfBroadcastMatchesTheElementwiseDefinition() throws {
        let cases: [(source: [Int], shape: [Int])] = [([3], [2, 4, 3]), ([2, 1], [3, 2, 5]), ([1, 4, 1, 2], [3, 4, 5, 2]),
                                                       ([5], [5]), ([2, 3], [2, 3]), ([1], [7, 1, 3])]
        for (source, shape) in cases {
            let count = source.reduce(1, *)
            let int64 = (0..<count).map { Int64($0 * 3 - 5) }
            let result = try Tensor(shape: source, scalars: int64).broadcasting(to: shape)
            XCTAssertEqual(result.shape, shape)
            XCTAssertEqual(result.scalars(as: Int64.self), Self.expected(int64, from: source, to: shape), "\(source) → \(shape)")
            let floats = (0..<count).map { Float($0) / 4 }
            XCTAssertEqual(try Tensor(shape: source, scalars: floats).broadcasting(to: shape).scalars(as: Float.self),
                           Self.expected(floats, from: source, to: shape))
            let halves = (0..<count).map { Float16(Float($0) / 2) }
            XCTAssertEqual(try Tensor(shape: source, scalars: halves).broadcasting(to: shape).scalars(as: Float16.self),
                           Self.expected(halves, from: source, to: shape))
        }
    }

    func testAShapeThatDoesNotBroadcastIsRefused() throws {
        XCTAssertThrowsError(try Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6)).broadcasting(to: [4, 3, 3]))
    }
}
