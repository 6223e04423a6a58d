import ModelIR

/// Moves blocks of channels into spatial positions: DCR (depth-column-row) or CRD ordering.
struct DepthToSpace_1: TensorKernel {
    static let opType = "DepthToSpace", sinceVersion = 1
    let blockSize: Int, columnRowDepth: Bool
    init(_ node: KernelNode) throws {
        blockSize = try node.requiredInt("blocksize")
        columnRowDepth = try node.choice("mode", default: "DCR", in: ["DCR", "CRD"]) == "CRD"
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        guard x.rank == 4, blockSize > 0, x.shape[1] % (blockSize * blockSize) == 0 else {
            throw KernelError.invalidInput("DepthToSpace needs N×C×H×W with C divisible by blocksize²")
        }
        let (n, c, h, w, b) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], blockSize)
        let depth = c / (b * b)
        let staged = columnRowDepth ? [n, depth, b, b, h, w] : [n, b, b, depth, h, w]
        let permutation = columnRowDepth ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2]
        let (_, map) = try Indexing.transposed(staged, permutation: permutation)
        return [try x.gathering(shape: [n, depth, h * b, w * b], sourceIndices: map)]
    }
}

/// The inverse of DepthToSpace: blocks of spatial positions become channels, in DCR order
/// (block position major) or, with `mode` = CRD, channel major.
struct SpaceToDepth_1: TensorKernel {
    static let opType = "SpaceToDepth", sinceVersion = 1
    let blockSize: Int, channelMajor: Bool
    init(_ node: KernelNode) throws {
        blockSize = try node.requiredInt("blocksize")
        channelMajor = try node.choice("mode", default: "DCR", in: ["DCR", "CRD"]) == "CRD"
    }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let x = try inputs.required(0)
        let b = blockSize
        guard x.rank == 4, b > 0, x.shape[2] % b == 0, x.shape[3] % b == 0 else {
            throw KernelError.invalidInput("SpaceToDepth needs N×C×H×W with H and W divisible by blocksize")
        }
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2] / b, x.shape[3] / b)
        let (_, map) = try Indexing.transposed([n, c, h, b, w, b], permutation: channelMajor ? [0, 1, 3, 5, 2, 4] : [0, 3, 5, 1, 2, 4])
        return [try x.gathering(shape: [n, c * b * b, h, w], sourceIndices: map)]
    }
}
