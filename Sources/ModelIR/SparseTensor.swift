/// A sparse tensor in ONNX's COO form: `values` (1-D, name is the tensor's name) at `indices`
/// (`[NNZ, rank]` or linearised `[NNZ]`, int64) within a dense shape `shape`.
public struct SparseTensor: Sendable, Equatable {
    public var values: Tensor
    public var indices: Tensor
    public var shape: [Int]

    public init(values: Tensor, indices: Tensor, shape: [Int]) {
        self.values = values
        self.indices = indices
        self.shape = shape
    }

    public var name: String { values.name }
}
