import CDNNLKernels
import CFloatKernels
import ModelIR

/// A constant float matrix of k rows and n columns, prepared once for the products
/// `C = A · B (+ bias)` of `FastMatMul` and `FastGemm` (the weights of linear layers), in one of two
/// forms, never both:
///
/// - reordered into the layout oneDNN's matmul chooses (`mg_matmul_weights`: blocked panels for the
///   CPU's widest vectors, the library OpenVINO runs its products on), with one primitive per row
///   count, when the matrix holds a number of values in `oneDNNElements` (16 Ki to 4 Mi: a
///   transformer's linear layers) and oneDNN has a compiled matmul for it; products of fewer than
///   `oneDNNMinimumRows` rows then read the graph's matrix in place;
/// - else packed into the 16-column panels of the AVX2/FMA micro-kernel (`mg_sgemm_packed_b`), the
///   column panels split over the executor's threads.
///
/// Holds its own copy: the source tensor may be released.
final class ConstantWeightMatrix: @unchecked Sendable {
    /// True unless the environment sets `MODELGATE_FLOAT_KERNEL=blas`; tests switch it to compare
    /// the two forms.
    nonisolated(unsafe) static var prefersOneDNN = !KernelChoice.openBLASRequested

    /// Whether the AVX2 panels run on this CPU (AVX2 and FMA, and OpenBLAS not requested).
    static let panelsSupported = mg_sgemm_packed_b_supported() == 1 && !KernelChoice.openBLASRequested

    /// The sizes of matrix oneDNN takes. Below, its per-call set-up costs more than its faster loop
    /// saves (a 128 × 128 matrix, 17 rows: about as fast either way); above 16 MiB, products at
    /// the row counts these layers run (a CNN's classifier head at batch 1) are bound by streaming
    /// the weights, which the panels do fastest (light_bvlc_alexnet 20.0 ms, 26.4 on oneDNN).
    static let oneDNNElements = (1 << 14)...(1 << 22)

    /// Rows × columns × depth below which one thread runs a whole product on the panels.
    static let minimumParallelWork = 1 << 16

    /// The row count the oneDNN layout is chosen for (the layout holds for every count).
    private static let layoutRows: Int32 = 64

    /// Below this many rows a product on the oneDNN form reads the graph's own matrix row by row
    /// (`sgemv`, split over the threads): a batch-1 classifier's product streams its weights once,
    /// which oneDNN's blocked loop does more slowly.
    static let oneDNNMinimumRows = 4

    /// The source tensor's shape: [k, n], or [n, k] when it was prepared transposed.
    let shape: [Int]
    let k: Int
    let n: Int
    /// Whether the source tensor holds Bᵀ ([n, k]).
    let transposed: Bool
    private let form: Form

    private enum Form {
        case oneDNN(OpaquePointer, OneDNNPrimitives<MatMulPrimitive>)
        case panels(UnsafeMutablePointer<Float>)
    }

    /// `matrix` (float, rank 2) as B, or as Bᵀ when `transposed`; nil when it is not such a tensor,
    /// a dimension does not fit an Int32, or neither form runs on this CPU.
    init?(_ matrix: Tensor, transposed: Bool) {
        guard matrix.dataType == .float, matrix.rank == 2, matrix.shape.allSatisfy({ $0 > 0 && $0 <= Int(Int32.max) }) else { return nil }
        shape = matrix.shape
        let (k, n) = transposed ? (matrix.shape[1], matrix.shape[0]) : (matrix.shape[0], matrix.shape[1])
        (self.k, self.n, self.transposed) = (k, n, transposed)
        let (rowStride, columnStride) = transposed ? (1, k) : (n, 1)
        if Self.prefersOneDNN, Self.oneDNNElements.contains(k * n),
           let weights = try? matrix.withElements(Float.self, { values in
               values.baseAddress.flatMap { mg_matmul_weights_create($0, Int32(k), Int32(n), rowStride, columnStride, Self.layoutRows) }
           }) {
            let primitives = OneDNNPrimitives<MatMulPrimitive>()
            let probe = primitives.primitive(for: [Int(Self.layoutRows), 0]) { MatMulPrimitive(weights: weights, rows: Int(Self.layoutRows), bias: false) }
            if let probe, !probe.implementation.contains("ref") {
                form = .oneDNN(weights, primitives)
                return
            }
            mg_matmul_weights_destroy(weights)
        }
        guard Self.panelsSupported else { return nil }
        let floats = mg_sgemm_packed_b_size(Int32(k), Int32(n))
        let storage = UnsafeMutableRawPointer.allocate(byteCount: floats * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: floats)
        let packed: Bool? = try? matrix.withElements(Float.self) { values in
            guard let base = values.baseAddress else { return false }
            mg_sgemm_pack_b(base, Int32(k), Int32(n), rowStride, columnStride, storage)
            return true
        }
        guard packed == true else {
            storage.deallocate()
            return nil
        }
        form = .panels(storage)
    }

    deinit {
        switch form {
        case .oneDNN(let weights, _): mg_matmul_weights_destroy(weights)
        case .panels(let storage): storage.deallocate()
        }
    }

    /// oneDNN's implementations of the products run so far, or "avx2 panels".
    var implementations: [String] {
        switch form {
        case .oneDNN(_, let primitives): primitives.implementations
        case .panels: ["avx2 panels"]
        }
    }

    /// Writes `rows` rows of `n` floats to `c` (row-major, contiguous) from `rows` rows of `k`
    /// floats at `a`, adding `bias` (`n` values) when given, on the executor's threads; `source`
    /// holds the graph's matrix (of `shape`), read in place for products of few rows. Returns
    /// false, having written nothing, when oneDNN has no primitive for this row count: the caller
    /// then runs its reference kernel.
    func product(a: UnsafePointer<Float>, rows: Int, bias: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>,
                 source: UnsafePointer<Float>) -> Bool {
        guard rows > 0 else { return true }
        switch form {
        case .oneDNN where rows < Self.oneDNNMinimumRows:
            for row in 0..<rows {
                let y = c + row * n
                ParallelGemm.gemv(transpose: !transposed, rows: shape[0], columns: shape[1], alpha: 1, a: source, x: a + row * k, y: y)
                if let bias { for j in 0..<n { y[j] += bias[j] } }
            }
            return true
        case .oneDNN(let weights, let primitives):
            guard rows <= Int(Int32.max),
                  let primitive = primitives.primitive(for: [rows, bias == nil ? 0 : 1], make: {
                      MatMulPrimitive(weights: weights, rows: rows, bias: bias != nil)
                  }) else { return false }
            return mg_matmul_run(primitive.pointer, weights, a, bias, c, Int32(ExecutorThreads.count)) == 0
        case .panels(let storage):
            let panels = (n + Int(MG_PACKED_B_NR) - 1) / Int(MG_PACKED_B_NR)
            let grain = max(1, Self.minimumParallelWork / max(rows * max(k, 1) * Int(MG_PACKED_B_NR), 1))
            var start = 0
            while start < rows {
                let count = min(rows - start, Int(Int32.max))
                let (x, out) = (a + start * k, c + start * n)
                ParallelFor.run(panels, grain: grain) { chunk in
                    mg_sgemm_packed_b(x, k, Int32(count), Int32(k), storage, Int32(n), Int32(chunk.lowerBound),
                                      Int32(chunk.upperBound), bias, out, n)
                }
                start += count
            }
            return true
        }
    }
}

/// One oneDNN matmul of a row count by a `ConstantWeightMatrix` (`mg_matmul_primitive`),
/// destroyed with the last reference.
final class MatMulPrimitive: OneDNNPrimitive, @unchecked Sendable {
    let pointer: OpaquePointer

    init?(weights: OpaquePointer, rows: Int, bias: Bool) {
        guard let pointer = mg_matmul_create(weights, Int32(rows), bias ? 1 : 0) else { return nil }
        self.pointer = pointer
    }

    deinit { mg_matmul_destroy(pointer) }

    var implementation: String { String(cString: mg_matmul_implementation(pointer)) }
}
