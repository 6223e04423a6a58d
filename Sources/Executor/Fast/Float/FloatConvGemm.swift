#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFloatKernels
import ModelIR

/// Float 2-D convolutions on `CFloatKernels`: weights packed once (`FloatConvWeights`), the input
/// turned into B panels on the fly (fused im2col, or the input itself for 1×1 unit-stride unpadded
/// convolutions), an AVX-512 micro-kernel, and the per-map epilogue
/// `clamp(acc · scale[m] + shift[m], low, high)` written straight to the NCHW output.
enum FloatConvGemm {
    /// True when convolutions take these kernels: the CPU runs AVX-512 (F and DQ) and the
    /// environment does not set `MODELGATE_FLOAT_KERNEL=blas`, which keeps `Im2col` + OpenBLAS `sgemm`.
    static let isEnabled = mg_sgemm_supported() == 1 && !KernelChoice.openBLASRequested

    /// Products below this many multiply-adds run on the calling thread alone.
    static let minimumParallelWork = 1 << 16

    /// The geometry `mg_sgemm_conv` reads for one group of `channels` input planes, or nil when a
    /// dimension does not fit an Int32.
    static func geometry(_ geometry: SpatialGeometry, channels: Int) -> mg_conv_geometry? {
        let values = [channels, geometry.input[0], geometry.input[1], geometry.kernel[0], geometry.kernel[1],
                      geometry.strides[0], geometry.strides[1], geometry.dilations[0], geometry.dilations[1],
                      geometry.padBegin[0], geometry.padBegin[1], geometry.output[0], geometry.output[1],
                      geometry.output[0] * geometry.output[1], channels * geometry.kernel[0] * geometry.kernel[1]]
        guard geometry.rank == 2, values.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }) else { return nil }
        let v = values.map { Int32($0) }
        return mg_conv_geometry(channels: v[0], in_h: v[1], in_w: v[2], k_h: v[3], k_w: v[4], stride_h: v[5], stride_w: v[6],
                                dilation_h: v[7], dilation_w: v[8], pad_h: v[9], pad_w: v[10], out_h: v[11], out_w: v[12])
    }

    /// `output = epilogue(conv(x, weights))` for `batch` images of `channels` planes (NCHW), every
    /// group one product, split over the executor's threads by column panels or by blocks of maps.
    /// `scale` and `shift` hold one value per map.
    static func run(_ weights: FloatConvWeights, x: UnsafePointer<Float>, batch: Int, channels: Int, geometry: SpatialGeometry,
                    scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, low: Float, high: Float,
                    output: UnsafeMutablePointer<Float>) {
        guard var shape = Self.geometry(geometry, channels: channels / weights.groups) else { return }
        let group = weights.groups, groupMaps = weights.groupMaps, depth = weights.depth, maps = group * groupMaps
        let positions = geometry.output[0] * geometry.output[1], inputSize = geometry.input[0] * geometry.input[1]
        guard positions > 0, depth > 0 else { return }
        let pointwise = geometry.kernel == [1, 1] && geometry.strides == [1, 1] && geometry.padBegin == [0, 0] && geometry.output == geometry.input
        let nr = Int(MG_SGEMM_NR), mr = Int(MG_SGEMM_MR)
        let panels = (positions + nr - 1) / nr, rowPanels = (groupMaps + mr - 1) / mr
        let threads = batch * group * groupMaps * positions * depth >= minimumParallelWork ? ExecutorThreads.count : 1
        let byColumns = panels >= 4 * threads || rowPanels < 2 * threads
        let parts = max(1, min(threads, byColumns ? panels : rowPanels))
        let partPanels = byColumns ? (panels + parts - 1) / parts : panels
        let scratchFloats = max(mg_sgemm_scratch_size(Int32(depth), Int32(partPanels)), 16)
        withUnsafePointer(to: &shape) { shapePointer in
            ParallelFor.run(parts) { chunk in
                let scratch = UnsafeMutableRawPointer.allocate(byteCount: scratchFloats * MemoryLayout<Float>.stride, alignment: 64)
                    .bindMemory(to: Float.self, capacity: scratchFloats)
                defer { scratch.deallocate() }
                for part in chunk {
                    let (m0, m1, p0, p1): (Int, Int, Int, Int)
                    if byColumns {
                        (m0, m1, p0, p1) = (0, groupMaps, panels * part / parts, panels * (part + 1) / parts)
                    } else {
                        (m0, m1, p0, p1) = (rowPanels * part / parts * mr, min(groupMaps, rowPanels * (part + 1) / parts * mr), 0, panels)
                    }
                    guard m0 < m1, p0 < p1 else { continue }
                    for n in 0..<batch {
                        for g in 0..<group {
                            let first = g * groupMaps
                            mg_sgemm_conv(weights.packed(group: g), Int32(groupMaps), Int32(depth),
                                          x + (n * channels + g * (channels / group)) * inputSize, pointwise ? nil : shapePointer,
                                          Int32(positions), Int32(m0), Int32(m1), Int32(p0), Int32(p1), scale + first, shift + first,
                                          low, high, output + (n * maps + first) * positions, positions, scratch)
                        }
                    }
                }
            }
        }
    }
}

/// A float convolution's weights [maps, channels / group, kH, kW], each group's maps × (channels /
/// group · kH · kW) matrix packed for `FloatConvGemm`.
final class FloatConvWeights: @unchecked Sendable {
    let shape: [Int]
    let groups: Int
    let groupMaps: Int
    /// Input channels per group times kernel taps: the depth of every product.
    let depth: Int
    private let groupFloats: Int
    private let storage: UnsafeMutablePointer<Float>

    /// Packs `weight` (float, rank 4, maps divisible by `group`), or nil when it is not such a tensor
    /// or its dimensions do not fit an Int32.
    init?(_ weight: Tensor, group: Int) {
        guard weight.dataType == .float, weight.rank == 4, group >= 1, weight.shape[0] % group == 0,
              weight.elementCount > 0, weight.elementCount <= Int(Int32.max) else { return nil }
        shape = weight.shape
        groups = group
        groupMaps = weight.shape[0] / group
        depth = weight.shape[1...].reduce(1, *)
        groupFloats = mg_sgemm_packed_a_size(Int32(groupMaps), Int32(depth))
        let total = max(groupFloats * group, 1)
        storage = UnsafeMutableRawPointer.allocate(byteCount: total * MemoryLayout<Float>.stride, alignment: 64)
            .bindMemory(to: Float.self, capacity: total)
        let (rows, columns, floats, destination) = (groupMaps, depth, groupFloats, storage)
        let packed: Bool? = try? weight.withElements(Float.self) { values in
            guard let base = values.baseAddress else { return false }
            for g in 0..<group {
                mg_sgemm_pack_a(base + g * rows * columns, Int32(rows), Int32(columns), columns, destination + g * floats)
            }
            return true
        }
        guard packed == true else {
            storage.deallocate()
            return nil
        }
    }

    deinit { storage.deallocate() }

    /// The packed matrix of group `group`.
    func packed(group: Int) -> UnsafePointer<Float> { UnsafePointer(storage + group * groupFloats) }
}
