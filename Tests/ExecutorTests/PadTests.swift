@testable import Executor
import ModelIR
import TestSupport
import XCTest

/// Pad in constant mode (copied by runs of the innermost axis) against a per-element pad written
/// here, on random shapes with growing and cropping pads over every axis or some of them, float
/// and int64 data and a non-zero constant.
final class PadTests: XCTestCase {
    /// The padded values computed element by element: each output position reads the input
    /// position `position − begin` or the constant.
    private func naivePad(_ values: [Double], shape: [Int], begin: [Int], end: [Int], constant: Double) -> ([Double], [Int]) {
        let outShape = shape.indices.map { shape[$0] + begin[$0] + end[$0] }
        let count = outShape.reduce(1, *)
        var result = [Double](repeating: constant, count: count)
        for flat in 0..<count {
            var rest = flat, source = 0, stride = 1, inside = true
            for axis in outShape.indices.reversed() {
                let position = rest % outShape[axis] - begin[axis]
                rest /= outShape[axis]
                if position < 0 || position >= shape[axis] { inside = false }
                source += position * stride
                stride *= shape[axis]
            }
            if inside { result[flat] = values[source] }
        }
        return (result, outShape)
    }

    func testConstantPadMatchesAPerElementPad() throws {
        var random = SeededGenerator(state: 0x9ad)
        for index in 0..<60 {
            let rank = 1 + random.int(0...3)
            let shape = (0..<rank).map { _ in random.int(1...5) }
            let begin = shape.map { -random.int(0...($0 - 1)) + random.int(0...2) }
            let end = shape.map { -random.int(0...($0 - 1)) / 2 + random.int(0...2) }
            let axes: [Int]? = index % 3 == 0 ? nil : Array(0..<rank)
            let isInteger = index % 2 == 1
            let values = (0..<shape.reduce(1, *)).map { _ in Double(random.int(-50...50)) }
            let constant = Double(random.int(-3...3))
            let data = try Tensor(converting: values, to: isInteger ? .int64 : .float, shape: shape)
            let fill = try Tensor(converting: [constant], to: isInteger ? .int64 : .float, shape: [])
            let padded = try pad(data, pads: begin + end, axes: axes, mode: "constant", constant: fill)
            let (expected, expectedShape) = naivePad(values, shape: shape, begin: begin, end: end, constant: constant)
            let context = "shape \(shape) begin \(begin) end \(end) \(isInteger ? "int64" : "float")"
            XCTAssertEqual(padded.shape, expectedShape, context)
            XCTAssertEqual(padded.dataType, data.dataType, context)
            XCTAssertEqual(try padded.doubleValues(), expected, context)
        }
    }
}

/// Slice with a unit step on the innermost axis (copied by rows) against numpy-style slicing
/// written here, with negative and clamped bounds, negative outer steps and int64 and float data.
final class SliceRowCopyTests: XCTestCase {
    func testSliceMatchesPythonSlicing() throws {
        var random = SeededGenerator(state: 0x511ce)
        for index in 0..<60 {
            let rank = 1 + random.int(0...3)
            let shape = (0..<rank).map { _ in random.int(1...6) }
            var starts: [Int] = [], ends: [Int] = [], steps: [Int] = []
            for axis in 0..<rank {
                starts.append(random.int(-7...7))
                ends.append(random.int(-7...9))
                steps.append(axis == rank - 1 ? 1 : [1, 2, -1, -2][random.int(0...3)])
            }
            let values = (0..<shape.reduce(1, *)).map { _ in Double(random.int(-50...50)) }
            let data = try Tensor(converting: values, to: index % 2 == 0 ? .float : .int64, shape: shape)
            let sliced = try slice(data, starts: starts, ends: ends, axes: nil, steps: steps)
            // Python's slice.indices, axis by axis.
            var picks: [[Int]] = []
            for axis in 0..<rank {
                let size = shape[axis], step = steps[axis]
                var start = starts[axis], end = ends[axis]
                if start < 0 { start += size }
                if end < 0 { end += size }
                if step > 0 {
                    start = min(max(start, 0), size); end = min(max(end, 0), size)
                    picks.append(Array(stride(from: start, to: end, by: step)))
                } else {
                    start = min(max(start, -1), size - 1); end = min(max(end, -1), size - 1)
                    picks.append(Array(stride(from: start, to: end, by: step)))
                }
            }
            var expected: [Double] = []
            func walk(_ axis: Int, _ offset: Int) {
                if axis == rank { expected.append(values[offset]); return }
                let inner = shape[(axis + 1)...].reduce(1, *)
                for p in picks[axis] { walk(axis + 1, offset + p * inner) }
            }
            walk(0, 0)
            let context = "shape \(shape) starts \(starts) ends \(ends) steps \(steps)"
            XCTAssertEqual(sliced.shape, picks.map(\.count), context)
            XCTAssertEqual(try sliced.doubleValues(), expected, context)
        }
    }
}
