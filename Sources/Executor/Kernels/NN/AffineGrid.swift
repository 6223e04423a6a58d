import ModelIR

/// The sampling grid of affine transforms `theta` ([N, 2, 3] or [N, 3, 4]) over normalized output
/// coordinates in [−1, 1] for `size` ([N, C, H, W] or [N, C, D, H, W]); the result's last axis is (x, y[, z]).
struct AffineGrid_20: TensorKernel {
    static let opType = "AffineGrid", sinceVersion = 20
    static let inputArity = 2...2
    let alignCorners: Bool
    init(_ node: KernelNode) throws { alignCorners = try node.int("align_corners", default: 0) != 0 }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let thetaTensor = try inputs.required(0), size = try inputs.required(1).indexValues()
        let spatial = Array(size.dropFirst(2))
        let d = spatial.count
        guard d == 2 || d == 3, thetaTensor.shape == [size[0], d, d + 1] else {
            throw KernelError.invalidInput("theta \(thetaTensor.shape) does not fit size \(size)")
        }
        let theta = try thetaTensor.doubleValues()
        func base(_ i: Int, _ length: Int) -> Double {
            if alignCorners { return length == 1 ? -1 : -1 + 2 * Double(i) / Double(length - 1) }
            let step = 2 / Double(length)
            return -1 + step / 2 + Double(i) * step
        }
        let batch = size[0], points = spatial.reduce(1, *)
        var result = [Double](repeating: 0, count: batch * points * d)
        for n in 0..<batch {
            forEachIndex(spatial) { p, index in
                // Homogeneous coordinates (x, y[, z], 1): x runs along the last axis.
                let coordinates = (0..<d).map { base(index[d - 1 - $0], spatial[d - 1 - $0]) } + [1]
                for row in 0..<d {
                    var sum = 0.0
                    for column in 0...d { sum += theta[(n * d + row) * (d + 1) + column] * coordinates[column] }
                    result[(n * points + p) * d + row] = sum
                }
            }
        }
        return [try Tensor(converting: result, to: thetaTensor.dataType, shape: [batch] + spatial + [d])]
    }
}
