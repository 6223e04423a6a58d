import Foundation
import ModelIR

/// A window of `size` samples: `N` is the size when `periodic` (the default), else size − 1.
private func window(_ inputs: [Tensor?], periodic: Bool, type: DataType, _ value: (Double, Double) -> Double) throws -> [Tensor?] {
    let size = try inputs.required(0).scalarInt()
    guard size >= 0 else { throw KernelError.invalidInput("size must be non-negative") }
    let n = Double(periodic ? size : size - 1)
    return [try Tensor(converting: (0..<size).map { value(Double($0), n) }, to: type, shape: [size])]
}

private func windowType(_ node: KernelNode) throws -> DataType {
    let raw = try node.int("output_datatype", default: 1)
    guard let type = DataType(rawValue: Int32(truncatingIfNeeded: raw)) else { throw KernelError.invalidAttribute("unknown output_datatype \(raw)") }
    return type
}

struct HannWindow_17: TensorKernel {
    static let opType = "HannWindow", sinceVersion = 17
    let periodic: Bool, type: DataType
    init(_ node: KernelNode) throws { periodic = try node.int("periodic", default: 1) != 0; type = try windowType(node) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try window(inputs, periodic: periodic, type: type) { i, n in Foundation.pow(Foundation.sin(i * .pi / n), 2) }
    }
}

struct HammingWindow_17: TensorKernel {
    static let opType = "HammingWindow", sinceVersion = 17
    let periodic: Bool, type: DataType
    init(_ node: KernelNode) throws { periodic = try node.int("periodic", default: 1) != 0; type = try windowType(node) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try window(inputs, periodic: periodic, type: type) { i, n in 25.0 / 46 - (1 - 25.0 / 46) * Foundation.cos(2 * .pi * i / n) }
    }
}

struct BlackmanWindow_17: TensorKernel {
    static let opType = "BlackmanWindow", sinceVersion = 17
    let periodic: Bool, type: DataType
    init(_ node: KernelNode) throws { periodic = try node.int("periodic", default: 1) != 0; type = try windowType(node) }
    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        try window(inputs, periodic: periodic, type: type) { i, n in
            0.42 - 0.5 * Foundation.cos(2 * .pi * i / n) + 0.08 * Foundation.cos(4 * .pi * i / n)
        }
    }
}
