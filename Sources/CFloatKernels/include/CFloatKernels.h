#ifndef MODELGATE_CFLOATKERNELS_H
#define MODELGATE_CFLOATKERNELS_H

#include <stddef.h>

/// Float matrix products for the executor's convolutions: C = epilogue(A·B) with A the weights
/// (M×K, packed once), B built panel by panel from the input (a fused im2col, or the input plane
/// matrix itself for 1×1 unit-stride unpadded convolutions), and per row
/// `c = clamp(acc · scale[m] + shift[m], low, high)` written straight to the row-major output.
///
/// Packed A (`mg_sgemm_pack_a`): panels of MG_SGEMM_MR rows; in a panel, for each k, the values
/// of row 0, row 1, … (rows past M are zero). A K range [k0, k1) of a panel is contiguous.
/// B panels: MG_SGEMM_NR columns; for each k of a range, the values of column 0, column 1, …
/// (columns past N are zero).

#define MG_SGEMM_MR 16
#define MG_SGEMM_NR 16

/// The geometry of one image's (one group's) 2-D convolution, as `mg_sgemm_conv` reads it.
typedef struct {
    int channels;
    int in_h, in_w;
    int k_h, k_w;
    int stride_h, stride_w;
    int dilation_h, dilation_w;
    int pad_h, pad_w;
    int out_h, out_w;
} mg_conv_geometry;

/// 1 when the CPU runs the AVX-512 kernels (AVX-512F and DQ), else 0; without them nothing but
/// the packing of A may be called.
int mg_sgemm_supported(void);

/// Floats of packed A for `m` rows and `k` columns.
size_t mg_sgemm_packed_a_size(int m, int k);

/// Packs the row-major float matrix `a` (m×k, row stride `lda`) into `packed`.
void mg_sgemm_pack_a(const float *a, int m, int k, long lda, float *packed);

/// Floats of the scratch a call of `mg_sgemm_conv` needs for depth `k` and at most `panels` column panels.
size_t mg_sgemm_scratch_size(int k, int panels);

/// Rows [m0, m1) (m0 a multiple of MG_SGEMM_MR) and column panels [p0, p1) of
/// `C = epilogue(A · B)` for packed A (`m`×`k`) and, with `geometry`, B = the im2col matrix of the
/// input planes `x` (k = channels·k_h·k_w rows, n = out_h·out_w columns, zeros in the padding), or
/// without it (NULL), B = `x` itself as a k×n row-major matrix. C has row stride `ldc`.
/// `scratch` holds `mg_sgemm_scratch_size(k, p1 − p0)` floats, 64-byte aligned. AVX-512 only.
void mg_sgemm_conv(const float *packed_a, int m, int k, const float *x, const mg_conv_geometry *geometry, int n,
                   int m0, int m1, int p0, int p1, const float *scale, const float *shift, float low, float high,
                   float *c, long ldc, float *scratch);

/// Float products with a constant right-hand matrix (MatMul and Gemm weights): B packed once into
/// column panels of MG_PACKED_B_NR (`mg_sgemm_pack_b`; for each k, the panel's NR values, zero past
/// n; a K range of a panel is contiguous), A read in place, an AVX2/FMA micro-kernel of 6 rows × 16
/// columns.
#define MG_PACKED_B_NR 16

/// 1 when the CPU runs the AVX2 and FMA kernels of `mg_sgemm_packed_b`, else 0; without them
/// nothing but the packing may be called.
int mg_sgemm_packed_b_supported(void);

/// Floats of packed B for `k` rows and `n` columns.
size_t mg_sgemm_packed_b_size(int k, int n);

/// Packs the k×n matrix whose element (row, column) is `b[row · row_stride + column · column_stride]`
/// (row-major B: strides n and 1; Bᵀ stored row-major: 1 and k) into `packed`.
void mg_sgemm_pack_b(const float *b, int k, int n, long row_stride, long column_stride, float *packed);

/// Column panels [p0, p1) of `C = A · B + bias` for A `m`×`k` row-major (row stride `lda`), packed
/// B `k`×`n`, `bias` one value per column (NULL: none); C row-major with row stride `ldc`. Panels
/// are disjoint column ranges, so threads may run disjoint panel ranges at once.
void mg_sgemm_packed_b(const float *a, long lda, int m, int k, const float *packed_b, int n, int p0, int p1,
                       const float *bias, float *c, long ldc);

/// Softmax of each of `rows` contiguous rows of `length` floats: e^(x − max) / Σ e^(x − max), the
/// exponentials within 2 ulp, summed in float; a row holding NaN or +∞, or only −∞, is all NaN, as
/// the reference kernel's is. `y` may be `x`.
void mg_softmax_rows(const float *x, int rows, int length, float *y);

/// erf of `count` floats, within 2 ulp of the exact value where the CPU runs AVX2 and FMA (libm's
/// `erff` elsewhere); NaN stays NaN, ±∞ gives ±1. `y` may be `x`.
void mg_erf(const float *x, long count, float *y);

/// The logistic sigmoid of `count` floats, within 2 ulp where the CPU runs AVX2 and FMA (below
/// x = −87.3 the result is at most 1.2e−38 instead of a subnormal); NaN stays NaN. `y` may be `x`.
void mg_sigmoid(const float *x, long count, float *y);

/// `x · sigmoid(x)` of `count` floats: `mg_sigmoid`'s value times x, rounded once more. `y` may
/// not be `x`.
void mg_silu(const float *x, long count, float *y);

/// LayerNormalization of each of `rows` contiguous rows of `length` floats:
/// `(x − mean) / sqrt(var + epsilon) · scale + bias`, `scale` and `bias` (NULL: none) one value per
/// row position; mean and variance accumulated in float vectors and combined in double. `y` may be `x`.
void mg_layer_norm_rows(const float *x, int rows, int length, const float *scale, const float *bias, double epsilon, float *y);

#endif
