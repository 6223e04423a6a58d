import CFloatKernels
import ModelIR

/// Float MatMul whose right operand is a constant matrix (the weights of a transformer's linear
/// layers): the matrix packed once when the plan is made, every leading axis of A folded into the
/// rows of one product (`PackedWeightProduct`). Other inputs run `MatMul_1`.
struct FastMatMul: TensorKernel {
    static let opType = "MatMul", sinceVersion = 1
    static let inputArity = 2...2
    let weights: FloatWeightPanels

    init(weights: FloatWeightPanels) { self.weights = weights }
    init(_ node: KernelNode) throws { throw KernelError.unsupported("FastMatMul is made by the fast plan, with its weights") }

    /// The kernel for a MatMul step whose second input is `weight`, or nil when the packed kernels
    /// do not run on this CPU or `weight` is not a 2-D float matrix.
    static func replacing(weight: Tensor?) -> FastMatMul? {
        guard PackedWeightProduct.isEnabled, let weight, weight.dataType == .float, weight.rank == 2,
              let panels = FloatWeightPanels(weight, transposed: false) else { return nil }
        return FastMatMul(weights: panels)
    }

    func compute(_ inputs: [Tensor?]) throws -> [Tensor?] {
        let a = try inputs.required(0)
        guard a.dataType == .float, a.rank >= 1, a.shape[a.rank - 1] == weights.k, try inputs.required(1).shape == weights.shape else {
            return try MatMul_1().compute(inputs)
        }
        let rows = a.rank == 1 ? 1 : a.shape.dropLast().reduce(1, *)
        let shape = Array(a.shape.dropLast()) + [weights.n]
        let y = try a.withElements(Float.self) { xs in
            try Tensor.overwritten(Float.self, shape: shape) { out in
                guard let x = xs.baseAddress, let o = out.baseAddress else { return }
                PackedWeightProduct.run(weights, a: x, rows: rows, bias: nil, c: o)
            }
        }
        return [y]
    }
}

/// `C = A · B + bias` on `FloatWeightPanels`, split over the executor's threads by column panels.
enum PackedWeightProduct {
    /// True when products with constant weights take these kernels: the CPU runs AVX2 and FMA and
    /// the environment does not set `MODELGATE_FLOAT_KERNEL=blas`, which keeps OpenBLAS `sgemm`.
    static let isEnabled = mg_sgemm_packed_b_supported() == 1 && !KernelChoice.openBLASRequested

    /// Rows × columns × depth below which one thread runs the whole product.
    static let minimumParallelWork = 1 << 16

    /// Writes `rows` rows of `weights.n` floats to `c` (row-major, contiguous) from `rows` rows of
    /// `weights.k` floats at `a`; `bias` holds `weights.n` values or is nil.
    static func run(_ weights: FloatWeightPanels, a: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?,
                    c: UnsafeMutablePointer<Float>) {
        guard rows > 0, weights.n > 0 else { return }
        let k = weights.k, n = weights.n, panels = weights.panels
        let grain = max(1, minimumParallelWork / max(rows * max(k, 1) * Int(MG_PACKED_B_NR), 1))
        var start = 0
        while start < rows {
            let count = min(rows - start, Int(Int32.max))
            let (x, out) = (a + start * k, c + start * n)
            ParallelFor.run(panels, grain: grain) { chunk in
                mg_sgemm_packed_b(x, k, Int32(count), Int32(k), weights.storage, Int32(n), Int32(chunk.lowerBound),
                                  Int32(chunk.upperBound), bias, out, n)
            }
            start += count
        }
    }
}

/// A constant float matrix of k rows and n columns, packed once into the column panels
/// `mg_sgemm_packed_b` reads. Holds a copy: the source tensor may be released.
final class FloatWeightPanels: @unchecked Sendable {
    /// The source tensor's shape: [k, n], or [n, k] when it was packed transposed.
    let shape: [Int]
    let k: Int
    let n: Int
    let panels: Int
    fileprivate let storage: UnsafeMutablePointer<Float>

    /// Packs `matrix` (float, rank 2) as B, or as Bᵀ when `transposed`; nil when it is not such a
    /// tensor or a dimension does not fit an Int32.
    init?(_ matrix: Tensor, transposed: Bool) {
        guard matrix.dataType == .float, matrix.rank == 2, matrix.shape.allSatisfy({ $0 > 0 && $0 <= Int(Int32.max) }) else { return nil }
        shape = matrix.shape
        (k, n) = transposed ? (matrix.shape[1], matrix.shape[0]) : (matrix.shape[0], matrix.shape[1])
        panels = (n + Int(MG_PACKED_B_NR) - 1) / Int(MG_PACKED_B_NR)
        let floats = mg_sgemm_packed_b_size(Int32(k), Int32(n))
        storage = UnsafeMutableRawPointer.allocate(byteCount: floats * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: floats)
        let (k, n, destination) = (k, n, storage)
        let packed: Bool? = try? matrix.withElements(Float.self) { values in
            guard let base = values.baseAddress else { return false }
            mg_sgemm_pack_b(base, Int32(k), Int32(n), transposed ? 1 : n, transposed ? k : 1, destination)
            return true
        }
        guard packed == true else {
            storage.deallocate()
            return nil
        }
    }

    deinit { storage.deallocate() }
}
