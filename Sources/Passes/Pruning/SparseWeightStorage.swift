import ModelIR

/// Stores weights in ONNX's sparse COO form (values with linear int64 indices) when that takes
/// fewer bytes than the dense form, and reports the dense-equivalent and stored sizes.
///
/// The sparse tensor goes in a `Constant` node's `sparse_value`, whose output is dense: ONNX's
/// shape inference (and so `onnx.checker` with `full_check`) types a `sparse_initializer` as a
/// sparse tensor, which no standard operator accepts as an input. With int64 indices a float32
/// tensor shrinks only above two thirds zeros; at 50 % it stays dense. Only floating-point weights
/// are stored sparse: integer tensors are shapes, axes and indices, whose values shape inference
/// must see (a sparse `Constant` hides them: a Resize fed through one gets no `sizes`).
/// Initializers that are also graph inputs and scalars are left alone.
public struct SparseWeightStorage: GraphPass {
    public let name = "sparse-storage"
    public init() {}

    public func run(on model: inout Model, context: PassContext) throws -> Bool {
        let inputs = model.graph.inputNames
        var kept: [Tensor] = []
        var converted: [SparseTensor] = []
        var names = NameGenerator(model.graph)
        var denseBytes = 0, storedBytes = 0
        for tensor in model.graph.initializers {
            denseBytes += tensor.byteCount
            guard !inputs.contains(tensor.name), tensor.dataType.isFloatingPoint, !tensor.dataType.isSubByte, tensor.rank >= 1,
                  let sparse = try sparseForm(of: tensor) else {
                kept.append(tensor)
                storedBytes += tensor.byteCount
                continue
            }
            converted.append(sparse)
            storedBytes += sparse.values.byteCount + sparse.indices.byteCount
        }
        for node in model.graph.nodes where node.isONNX("Constant") {
            guard case .sparseTensor(let sparse)? = node.attribute("sparse_value")?.value else { continue }
            denseBytes += sparse.values.dataType.byteCount(elements: sparse.shape.reduce(1, *))
            storedBytes += sparse.values.byteCount + sparse.indices.byteCount
        }
        for sparse in model.graph.sparseInitializers {
            denseBytes += sparse.values.dataType.byteCount(elements: sparse.shape.reduce(1, *))
            storedBytes += sparse.values.byteCount + sparse.indices.byteCount
        }
        context.report(.info, "weight-storage", "weights take \(storedBytes) bytes on disk (\(denseBytes) bytes dense-equivalent, "
                       + "\(converted.count) tensors stored sparse)")
        guard !converted.isEmpty else { return false }
        model.graph.initializers = kept
        for sparse in converted {
            model.graph.nodes.insert(Node(name: names.fresh(sparse.name + "_sparse"), opType: "Constant", inputs: [], outputs: [sparse.name],
                                          attributes: [Attribute(name: "sparse_value", value: .sparseTensor(sparse))]), at: 0)
        }
        return true
    }

    private func sparseForm(of tensor: Tensor) throws -> SparseTensor? {
        let elementBytes = tensor.dataType.byteCount(elements: 1)
        var nonZero: [Int64] = []
        tensor.withUnsafeBytes { raw in
            for index in 0..<tensor.elementCount {
                let start = index * elementBytes
                if raw[start..<(start + elementBytes)].contains(where: { $0 != 0 }) { nonZero.append(Int64(index)) }
            }
        }
        guard nonZero.count * (elementBytes + 8) < tensor.byteCount else { return nil }
        let buffer = TensorBuffer(byteCount: nonZero.count * elementBytes)
        tensor.withUnsafeBytes { raw in
            for (position, index) in nonZero.enumerated() {
                let source = Int(index) * elementBytes
                for offset in 0..<elementBytes { buffer.mutableBytes[position * elementBytes + offset] = raw[source + offset] }
            }
        }
        let values = try Tensor(name: tensor.name, dataType: tensor.dataType, shape: [nonZero.count], buffer: buffer)
        let indices = try Tensor(name: "", shape: [nonZero.count], scalars: nonZero)
        return SparseTensor(values: values, indices: indices, shape: tensor.shape)
    }
}
