import ModelIR
import XCTest

final class TensorTests: XCTestCase {
    func testScalarsRoundTripAndShapeIsChecked() throws {
        let tensor = try Tensor(name: "w", shape: [2, 3], scalars: [Float](arrayLiteral: 1, 2, 3, 4, 5, 6))
        XCTAssertEqual(tensor.dataType, .float)
        XCTAssertEqual(tensor.elementCount, 6)
        XCTAssertEqual(tensor.byteCount, 24)
        XCTAssertEqual(tensor.scalars(as: Float.self), [1, 2, 3, 4, 5, 6])
        XCTAssertNil(tensor.scalars(as: Int32.self))
        XCTAssertThrowsError(try Tensor(shape: [4], scalars: [Float](arrayLiteral: 1, 2, 3))) { error in
            XCTAssertTrue("\(error)".contains("needs 16 bytes"), "\(error)")
        }
    }

    func testMutationCopiesASharedBuffer() throws {
        let original = try Tensor(shape: [3], scalars: [Int64](arrayLiteral: 1, 2, 3))
        var copy = original
        copy.withUnsafeMutableBufferPointer(as: Int64.self) { $0[0] = 99 }
        XCTAssertEqual(original.scalars(as: Int64.self), [1, 2, 3])
        XCTAssertEqual(copy.scalars(as: Int64.self), [99, 2, 3])
    }

    func testPermutedMovesEveryElementToItsTransposedPlace() throws {
        let values = (0..<24).map { Int8($0) }
        let tensor = try Tensor(name: "w", shape: [2, 3, 4], scalars: values)
        let permuted = try tensor.permuted([2, 0, 1])
        XCTAssertEqual(permuted.shape, [4, 2, 3])
        XCTAssertEqual(permuted.name, "w")
        let result = try XCTUnwrap(permuted.scalars(as: Int8.self))
        for a in 0..<2 { for b in 0..<3 { for c in 0..<4 {
            XCTAssertEqual(result[c * 6 + a * 3 + b], values[a * 12 + b * 4 + c])
        } } }
        XCTAssertEqual(try tensor.permuted([0, 1, 2]).scalars(as: Int8.self), values)
        XCTAssertThrowsError(try tensor.permuted([0, 0, 1]))
        XCTAssertThrowsError(try tensor.permuted([1, 0]))
    }

    func testShapesThatOverflowOrAreNegativeAreRefused() {
        XCTAssertThrowsError(try Tensor.elementCount(of: [1 << 40, 1 << 40]))
        XCTAssertThrowsError(try Tensor(zeros: .float, shape: [-1, 2]))
        XCTAssertEqual(try Tensor.elementCount(of: []), 1)
        XCTAssertEqual(try Tensor.elementCount(of: [0, 5]), 0)
    }

    func testByteCountsFollowONNXPacking() {
        XCTAssertEqual(DataType.int4.byteCount(elements: 5), 3)
        XCTAssertEqual(DataType.uint2.byteCount(elements: 5), 2)
        XCTAssertEqual(DataType.float6e3m2.byteCount(elements: 5), 4)
        XCTAssertEqual(DataType.complex128.byteCount(elements: 2), 32)
        XCTAssertEqual(DataType.bool.byteCount(elements: 3), 3)
        XCTAssertEqual(DataType(onnxName: "float8e5m2fnuz"), .float8e5m2fnuz)
    }

    func testConversionFollowsCastSemantics() throws {
        let ints = try Tensor(converting: [1.9, -1.9, 300, -129], to: .int8, shape: [4])
        XCTAssertEqual(ints.scalars(as: Int8.self), [1, -1, 44, 127])
        let halves = try Tensor(converting: [1, 65504, 1e6, 0.1], to: .float16, shape: [2, 2])
        XCTAssertEqual(try halves.floatValues(), [1, 65504, .infinity, Float(Float16(0.1))])
        let bools = try Tensor(converting: [0, 2, -0.5], to: .bool, shape: [3])
        XCTAssertEqual(bools.scalars(as: Bool.self), [false, true, true])
        XCTAssertEqual(try bools.int64Values(), [0, 1, 1])
    }

    func testReshapeKeepsStorageAndChecksCount() throws {
        let tensor = try Tensor(shape: [2, 2], scalars: [Int32](arrayLiteral: 1, 2, 3, 4))
        let flat = try tensor.reshaped(to: [4])
        XCTAssertEqual(flat.shape, [4])
        XCTAssertTrue(flat.hasSameContent(as: try Tensor(shape: [4], scalars: [Int32](arrayLiteral: 1, 2, 3, 4))))
        XCTAssertThrowsError(try tensor.reshaped(to: [3]))
    }

    func testStringTensorsKeepBytes() throws {
        let tensor = try Tensor(shape: [2], strings: [Array("a".utf8), Array("βγ".utf8)])
        XCTAssertEqual(tensor.dataType, .string)
        XCTAssertEqual(tensor.strings?.map { String(decoding: $0, as: UTF8.self) }, ["a", "βγ"])
        XCTAssertEqual(tensor.byteCount, 5)
        XCTAssertThrowsError(try tensor.floatValues())
    }
}
