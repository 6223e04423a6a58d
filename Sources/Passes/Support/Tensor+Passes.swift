import ModelIR

extension Tensor {
    /// A float32 tensor named `name` holding `values`.
    static func float(_ name: String, shape: [Int], _ values: [Float]) throws -> Tensor {
        try Tensor(name: name, shape: shape, scalars: values)
    }

    /// This tensor's values as float32 under a new name, keeping the shape.
    func asFloat(named name: String, values: [Float]) throws -> Tensor {
        try Tensor(name: name, shape: shape, scalars: values)
    }
}

/// A row-major `shape` seen as `[outer, count, inner]` around `axis`.
func slices(of shape: [Int], axis: Int) -> (outer: Int, count: Int, inner: Int) {
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    return (outer, shape[axis], inner)
}

/// Applies `body(channel, &value)` to each element of a tensor of `shape`, where `channel` is the
/// element's index along `axis`.
func forEachChannel(_ values: inout [Float], shape: [Int], axis: Int, _ body: (Int, inout Float) -> Void) {
    let (outer, count, inner) = slices(of: shape, axis: axis)
    var index = 0
    for _ in 0..<outer {
        for channel in 0..<count {
            for _ in 0..<inner {
                body(channel, &values[index])
                index += 1
            }
        }
    }
}

/// The values of a constant broadcast against a tensor whose channel axis has `channels` entries,
/// as one value per channel — when the constant is a scalar, `[C]` on the last axis of a rank-2
/// output, or `[C, 1, …]`/`[1, C, 1, …]` for an NC… output. Nil when it varies along other axes.
func perChannelValues(_ tensor: Tensor, channels: Int, outputRank: Int, channelAxis: Int) -> [Float]? {
    guard tensor.dataType.isFloatingPoint, let values = try? tensor.floatValues() else { return nil }
    if values.count == 1 { return Array(repeating: values[0], count: channels) }
    guard values.count == channels, tensor.rank <= outputRank else { return nil }
    // Right-align the constant's shape with the output's and find where its C lies.
    let padded = Array(repeating: 1, count: outputRank - tensor.rank) + tensor.shape
    guard padded[channelAxis] == channels,
          padded.enumerated().allSatisfy({ $0.offset == channelAxis || $0.element == 1 }) else { return nil }
    return values
}
