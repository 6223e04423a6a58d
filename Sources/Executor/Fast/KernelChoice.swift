#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFloatKernels

/// Which kernels this process runs: the int8 GEMM path, the float GEMM (AVX-512 or OpenBLAS, and
/// whether products with constant weights take oneDNN's matmul or the AVX2 packed kernel), whether float convolutions
/// run channels-last on oneDNN, and whether the fast plan is on. Two machines that differ here may round differently, so results
/// cached on one are not reused on the other.
public enum KernelChoice {
    public static var summary: String {
        "int8 \(Int8Gemm.path), float \(mg_sgemm_supported() == 1 ? "avx512" : "openblas")\(ConstantWeightMatrix.prefersOneDNN ? " with onednn products" : ConstantWeightMatrix.panelsSupported ? " with avx2 packed weights" : ""), convolutions \(ChannelsLastConv.isEnabled ? "onednn channels-last" : "channels-first"), plan \(FastPlan.isDisabled ? "reference" : "fast")"
    }

    /// True when the environment sets `MODELGATE_FLOAT_KERNEL=blas`: float convolutions and products
    /// with constant weights keep Im2col and OpenBLAS `sgemm`, for comparisons.
    static let openBLASRequested = getenv("MODELGATE_FLOAT_KERNEL").map { String(cString: $0) } == "blas"
}
