import ModelIR

/// Row-major strides of a shape, in elements.
public struct Strides {
    public let values: [Int]

    public init(_ shape: [Int]) {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= max(shape[axis], 1)
        }
        values = strides
    }
}

/// A row-major walk over the elements of `shape` that keeps the offset `start + Σ index[axis] ·
/// strides[axis]` of the current element: with permuted strides a transpose, with stepped strides
/// a slice, with zero strides a broadcast.
struct StridedCursor {
    /// The offset of the current element.
    private(set) var offset: Int
    private var index: [Int]
    private let shape: [Int], strides: [Int]

    /// A cursor on the element at row-major `position` of `shape`.
    init(shape: [Int], strides: [Int], start: Int = 0, position: Int = 0) {
        self.shape = shape
        self.strides = strides
        index = [Int](repeating: 0, count: shape.count)
        offset = start
        var rest = position
        for axis in shape.indices.reversed() where shape[axis] > 0 {
            index[axis] = rest % shape[axis]
            rest /= shape[axis]
            offset += index[axis] * strides[axis]
        }
    }

    /// Moves to the next element (past the last one, back to the first).
    @inline(__always)
    mutating func advance() {
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            offset += strides[axis]
            if index[axis] < shape[axis] { return }
            offset -= strides[axis] * index[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}

/// `axis` in `-rank ..< rank` made non-negative.
public func normalizedAxis(_ axis: Int, rank: Int) throws -> Int {
    let result = axis < 0 ? axis + rank : axis
    guard result >= 0 && result < max(rank, 1) || (rank == 0 && result == 0) else {
        throw KernelError.invalidAttribute("axis \(axis) is out of range for rank \(rank)")
    }
    return result
}

/// `axes` in `-rank ..< rank` made non-negative, refusing duplicates.
public func normalizedAxes(_ axes: [Int], rank: Int) throws -> [Int] {
    let result = try axes.map { try normalizedAxis($0, rank: rank) }
    guard Set(result).count == result.count else { throw KernelError.invalidAttribute("axes \(axes) repeat an axis") }
    return result
}

/// Index maps for data movement.
public enum Indexing {
    /// For every element of `shape` in row-major order, `start + Σ index[axis] · strides[axis]`:
    /// with permuted strides a transpose, with stepped strides a slice, with zero strides a broadcast.
    public static func strided(shape: [Int], start: Int = 0, strides: [Int]) throws -> [Int] {
        let count = try Tensor.checkedCount(shape)
        var result = [Int](repeating: 0, count: count)
        var cursor = StridedCursor(shape: shape, strides: strides, start: start)
        for position in 0..<count {
            result[position] = cursor.offset
            cursor.advance()
        }
        return result
    }

    /// The source index of every element of `tensor` transposed by `permutation`.
    public static func transposed(_ shape: [Int], permutation: [Int]) throws -> (shape: [Int], indices: [Int]) {
        guard permutation.count == shape.count, Set(permutation) == Set(0..<shape.count) else {
            throw KernelError.invalidAttribute("perm \(permutation) is not a permutation of the \(shape.count) axes")
        }
        let strides = Strides(shape).values
        let output = permutation.map { shape[$0] }
        return (output, try strided(shape: output, strides: permutation.map { strides[$0] }))
    }
}
