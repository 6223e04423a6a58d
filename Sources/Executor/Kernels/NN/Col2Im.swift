import ModelIR

/// The inverse of im2col: adds every column entry (channel × block tap, sliding position) back
/// into the image at the position that tap reads.
struct Col2Im_18: TensorKernel {
    static let opType = "Col2Im", sinceVersion = 18
    static let inputArity = 3...3
    let spatial: SpatialAttributes

    init(_ node: KernelNode) throws { spatial = try SpatialAttributes(node, readsCeilMode: false) }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let columns = try inputs.required(0)
        let image = try inputs.required(1).indexValues(), block = try inputs.required(2).indexValues()
        let taps = block.reduce(1, *)
        guard columns.rank == 3, image.count == block.count, taps > 0, columns.shape[1] % taps == 0 else {
            throw KernelError.invalidInput("input \(columns.shape) does not fit image \(image) and block \(block)")
        }
        let geometry = try spatial.geometry(input: image, kernel: block)
        let positions = geometry.output.reduce(1, *)
        guard columns.shape[2] == positions else {
            throw KernelError.invalidInput("input has \(columns.shape[2]) positions; the geometry gives \(positions)")
        }
        let (batch, channels) = (columns.shape[0], columns.shape[1] / taps)
        let imageSize = try Tensor.checkedCount(image)
        let strides = Strides(image).values
        let values = try columns.doubleValues()
        var result = [Double](repeating: 0, count: batch * channels * imageSize)
        for n in 0..<batch {
            for c in 0..<channels {
                forEachIndex(block) { tap, tapIndex in
                    forEachIndex(geometry.output) { p, position in
                        var offset = 0
                        for axis in image.indices {
                            let coordinate = geometry.coordinate(axis: axis, kernel: tapIndex[axis], output: position[axis])
                            if coordinate < 0 || coordinate >= image[axis] { return }
                            offset += coordinate * strides[axis]
                        }
                        result[(n * channels + c) * imageSize + offset] += values[((n * channels + c) * taps + tap) * positions + p]
                    }
                }
            }
        }
        return [try Tensor(converting: result, to: columns.dataType, shape: [batch, channels] + image)]
    }
}
