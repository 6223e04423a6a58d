import ModelIR

extension SparseTensor {
    /// The dense tensor this sparse tensor describes (zeros elsewhere).
    func densified() throws -> Tensor {
        let count = try Tensor.elementCount(of: shape)
        var dense = try Tensor(zeros: values.dataType, shape: shape)
        let indexValues = try indices.int64Values()
        let nnz = values.elementCount
        let width = values.dataType.bitWidth / 8
        guard width > 0 else { throw KernelError.unsupportedType("sparse \(values.dataType)") }
        let linear: [Int]
        if indices.rank == 1 {
            linear = indexValues.map { Int($0) }
        } else {
            let strides = Strides(shape).values
            linear = (0..<nnz).map { row in (0..<shape.count).reduce(0) { $0 + Int(indexValues[row * shape.count + $1]) * strides[$1] } }
        }
        guard linear.count == nnz, linear.allSatisfy({ $0 >= 0 && $0 < count }) else {
            throw KernelError.invalidInput("sparse indices out of range")
        }
        values.withUnsafeBytes { source in
            dense.withUnsafeMutableBytes { target in
                for (position, index) in linear.enumerated() {
                    for byte in 0..<width { target[index * width + byte] = source[position * width + byte] }
                }
            }
        }
        return dense
    }
}
