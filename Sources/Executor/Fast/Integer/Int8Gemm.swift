#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CQuantizedKernels
import ModelIR

/// Integer products on `CQuantizedKernels`: int8 weights packed once (`Int8Weights`) times
/// unsigned 8-bit activations, int32 accumulation, and a per-row epilogue (`IntegerEpilogue`).
enum Int8Gemm {
    /// A kernel family of `CQuantizedKernels`.
    enum Path: Int32, CaseIterable, Comparable {
        case scalar = 0, avx2 = 1, avx512VNNI = 2
        static func < (a: Path, b: Path) -> Bool { a.rawValue < b.rawValue }
    }

    /// The fastest family the CPU runs.
    static let supported = Path(rawValue: mg_qgemm_best_path()) ?? .scalar

    /// The family products run on: `supported`, lowered by `MODELGATE_INT8_KERNEL=scalar|avx2`
    /// (never raised above what the CPU runs); tests set it to check every family.
    nonisolated(unsafe) static var path: Path = {
        let requested: Path? = switch getenv("MODELGATE_INT8_KERNEL").map({ String(cString: $0) }) {
        case "scalar": .scalar
        case "avx2": .avx2
        default: nil
        }
        return min(requested ?? supported, supported)
    }()

    /// `C[m][n] = epilogue(Σ A[m][k] · B[k][n])` for packed A (`m` rows, `k` columns) and the
    /// byte matrix B (`k` rows of `n` bytes, row stride `ldb`, each byte XOR `flip`), C floats or
    /// bytes as `epilogue` says (row stride `ldc` elements), split by column panels over the
    /// executor's threads.
    static func multiply(_ a: UnsafePointer<Int8>, m: Int, k: Int, b: UnsafePointer<UInt8>, ldb: Int, n: Int, flip: UInt8,
                         epilogue: UnsafePointer<mg_epilogue>, c: UnsafeMutableRawPointer, ldc: Int) {
        let nr = Int(MG_QGEMM_NR)
        let panels = (n + nr - 1) / nr
        let panelBytes = mg_qgemm_panel_size(Int32(k))
        let path = Int32(self.path.rawValue)
        let size = epilogue.pointee.bytes != 0 ? 1 : MemoryLayout<Float>.stride
        let addresses = (UInt(bitPattern: a), UInt(bitPattern: b), UInt(bitPattern: c), UInt(bitPattern: epilogue))
        ParallelFor.run(panels, grain: max(1, (1 << 16) / max(m * k * nr, 1))) { chunk in
            guard let a = UnsafePointer<Int8>(bitPattern: addresses.0), let b = UnsafePointer<UInt8>(bitPattern: addresses.1),
                  let c = UnsafeMutableRawPointer(bitPattern: addresses.2),
                  let epilogue = UnsafePointer<mg_epilogue>(bitPattern: addresses.3) else { return }
            let panel = UnsafeMutableRawPointer.allocate(byteCount: max(panelBytes, 1), alignment: 64).bindMemory(to: UInt8.self, capacity: panelBytes)
            defer { panel.deallocate() }
            for index in chunk {
                let n0 = index * nr
                mg_qgemm_pack_b(b, Int32(k), Int32(n), ldb, Int32(n0), flip, panel)
                mg_qgemm_panel(path, Int32(m), Int32(k), a, panel, Int32(min(nr, n - n0)), epilogue, c + n0 * size, ldc)
            }
        }
    }

    /// `y[m] = epilogue(Σ A[m][k] · x[k])` for packed A and `x`, `k` bytes each XOR `flip`, y floats
    /// or bytes as `epilogue` says, split by blocks of rows over the executor's threads when the
    /// product is large.
    static func multiplyVector(_ a: UnsafePointer<Int8>, m: Int, k: Int, x: UnsafePointer<UInt8>, flip: UInt8,
                               epilogue: UnsafePointer<mg_epilogue>, y: UnsafeMutableRawPointer) {
        let mr = Int(MG_QGEMM_MR), quads = (k + 3) / 4
        let padded = UnsafeMutablePointer<UInt8>.allocate(capacity: max(quads * 4, 4))
        defer { padded.deallocate() }
        for i in 0..<k { padded[i] = x[i] ^ flip }
        for i in k..<(quads * 4) { padded[i] = 0 }
        let blocks = (m + mr - 1) / mr
        let path = Int32(self.path.rawValue)
        let size = epilogue.pointee.bytes != 0 ? 1 : MemoryLayout<Float>.stride
        let addresses = (UInt(bitPattern: a), UInt(bitPattern: UnsafePointer(padded)), UInt(bitPattern: y), UInt(bitPattern: epilogue))
        ParallelFor.run(blocks, grain: max(1, (1 << 18) / max(mr * k, 1))) { chunk in
            guard let a = UnsafePointer<Int8>(bitPattern: addresses.0), let x = UnsafePointer<UInt8>(bitPattern: addresses.1),
                  let y = UnsafeMutableRawPointer(bitPattern: addresses.2),
                  let all = UnsafePointer<mg_epilogue>(bitPattern: addresses.3)?.pointee else { return }
            let first = chunk.lowerBound * mr, rows = min(m, chunk.upperBound * mr) - first
            guard rows > 0 else { return }
            var epilogue = all.advanced(to: first)
            mg_qgemv(path, Int32(rows), Int32(k), a + first * quads * 4, x, &epilogue, y + first * size)
        }
    }
}

/// An int8 matrix (`rows` × `columns`) packed for `Int8Gemm`, with each row's sum (the
/// compensation for activations shifted to unsigned bytes).
struct Int8Weights: @unchecked Sendable {
    let rows: Int
    let columns: Int
    let packed: UnsafeMutablePointer<Int8>
    let rowSums: [Int32]
    private let owner: Owner

    private final class Owner: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
        init(bytes: Int) { pointer = .allocate(byteCount: max(bytes, 1), alignment: 64) }
        deinit { pointer.deallocate() }
    }

    /// Packs the row-major `rows` × `columns` matrix at `values` (row stride `stride`).
    init(_ values: UnsafePointer<Int8>, rows: Int, columns: Int, stride: Int) {
        self.rows = rows
        self.columns = columns
        let bytes = mg_qgemm_packed_a_size(Int32(rows), Int32(columns))
        owner = Owner(bytes: bytes)
        packed = owner.pointer.bindMemory(to: Int8.self, capacity: max(bytes, 1))
        mg_qgemm_pack_a(values, Int32(rows), Int32(columns), stride, packed)
        rowSums = (0..<rows).map { r in (0..<columns).reduce(Int32(0)) { $0 + Int32(values[r * stride + $1]) } }
    }
}

extension Int8Weights {
    /// `weight` (int8) times the scale of its index along `axis` (one scale: all), in float, as
    /// DequantizeLinear with zero point 0 computes it.
    static func dequantized(_ weight: Tensor, scales: [Float], axis: Int) throws -> Tensor {
        guard axis < weight.rank, scales.count == 1 || scales.count == weight.shape[axis] else {
            throw KernelError.invalidInput("\(scales.count) weight scales do not fit axis \(axis) of \(weight.shape)")
        }
        let inner = weight.shape[(axis + 1)...].reduce(1, *), extent = weight.shape[axis]
        return try weight.withElements(Int8.self) { values in
            try Tensor.overwritten(Float.self, shape: weight.shape) { out in
                for i in 0..<values.count { out[i] = Float(values[i]) * scales[scales.count == 1 ? 0 : (i / inner) % extent] }
            }
        }
    }
}
