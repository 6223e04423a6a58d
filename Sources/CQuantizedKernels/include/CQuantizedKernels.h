#ifndef MODELGATE_CQUANTIZEDKERNELS_H
#define MODELGATE_CQUANTIZEDKERNELS_H

#include <stddef.h>
#include <stdint.h>

/// Integer matrix products for the executor's int8 path: C = A·B with A int8 weights (M×K),
/// B unsigned 8-bit activations (K×N) and exact int32 accumulation, then per row the epilogue
/// (`mg_epilogue`).
///
/// Packed A (`mg_qgemm_pack_a`): panels of MG_QGEMM_MR rows; in a panel, for each group of four
/// k (a "quad"), the four bytes of row 0, then row 1, … (rows past M and k past K are zero).
/// Packed B (`mg_qgemm_pack_b`): panels of MG_QGEMM_NR columns; in a panel, for each quad, the
/// four bytes of column 0, then column 1, … (columns past N and k past K are zero).

/// How a kernel's int32 sums become its results, row (feature map) `m` by row:
///
///     v = min(max((float)(acc − comp[m]) · scale[m] + shift[m], low), high)
///
/// (a product rounded, then a sum rounded: no fused multiply-add, so every path and thread
/// count gives the same floats), stored as a float, or with `bytes` as the 8-bit integer
/// `round_half_even(v) + zero` (`low` and `high` then keep it within int8 or uint8; the byte
/// is the integer's low eight bits). With `comp` the negated int32 bias, `scale`
/// `s_x · s_w[m] / s_y` and `shift` 0 this is ONNX Runtime's requantization of QLinearConv and
/// QGemm (`MlasRequantizeOutput`). Kernels taking one row's epilogue read element 0 of each array.
typedef struct {
    const int32_t *comp;
    const float *scale;
    const float *shift;
    float low, high;
    int bytes;
    int32_t zero;
} mg_epilogue;

#define MG_QGEMM_MR 8
#define MG_QGEMM_NR 32

/// The kernel family a product runs on.
typedef enum {
    MG_QGEMM_PATH_SCALAR = 0,
    MG_QGEMM_PATH_AVX2 = 1,
    MG_QGEMM_PATH_AVX512_VNNI = 2,
} mg_qgemm_path;

/// The fastest path this CPU supports (AVX-512 VNNI with BW and VL, else AVX2, else scalar).
int mg_qgemm_best_path(void);

/// Bytes of packed A for `m` rows and `k` columns.
size_t mg_qgemm_packed_a_size(int m, int k);
/// Bytes of one packed B panel for `k` rows.
size_t mg_qgemm_panel_size(int k);

/// Packs the row-major int8 matrix `a` (m×k, row stride `lda`) into `packed`.
void mg_qgemm_pack_a(const int8_t *a, int m, int k, long lda, int8_t *packed);

/// Packs columns [n0, n0 + MG_QGEMM_NR) ∩ [0, n) of the k×n byte matrix `b` (row stride `ldb`)
/// into one panel, each byte XOR `flip` (0x80 turns int8 into int8 + 128 as uint8).
void mg_qgemm_pack_b(const uint8_t *b, int k, int n, long ldb, int n0, uint8_t flip, uint8_t *panel);

/// Multiplies packed A by one packed B panel holding `columns` (≤ MG_QGEMM_NR) valid columns
/// and writes rows [0, m) × those columns of `c` (floats, or bytes with `e->bytes`; row stride
/// `ldc` elements) through the epilogue of rows [0, m) of `e`.
void mg_qgemm_panel(int path, int m, int k, const int8_t *packed_a, const uint8_t *panel, int columns,
                    const mg_epilogue *e, void *c, long ldc);

/// One column: y[m] = epilogue(Σ_k A[m][k] · x[k]) for the unsigned bytes `x` (k of them,
/// zero-padded by the caller to a multiple of four); `y` floats, or bytes with `e->bytes`.
void mg_qgemv(int path, int m, int k, const int8_t *packed_a, const uint8_t *x, const mg_epilogue *e, void *y);

/// 2-D im2col of one image's `channels` planes of bytes: row `c·kH·kW + ky·kW + kx` holds, for
/// every output position, the byte under that tap, or `pad` in the padding.
void mg_im2col_u8(const uint8_t *x, int channels, int in_h, int in_w, int k_h, int k_w, int stride_h, int stride_w,
                  int dilation_h, int dilation_w, int pad_h, int pad_w, int out_h, int out_w, uint8_t pad, uint8_t *columns);

/// One plane of a depthwise 2-D convolution on bytes: out[oy][ox] = the epilogue `e` (one row)
/// of Σ (x − zero)·w over the kernel taps in int32, padding counting as `zero` (x is int8 when
/// `is_signed`, else uint8); `out` floats, or bytes with `e->bytes`. `scratch` holds
/// `mg_depthwise_scratch_size` bytes.
void mg_depthwise_u8(const uint8_t *x, int is_signed, int32_t zero, int in_h, int in_w, const int8_t *w, int k_h, int k_w,
                     int stride_h, int stride_w, int dilation_h, int dilation_w, int pad_h, int pad_w, int out_h, int out_w,
                     const mg_epilogue *e, void *scratch, void *out);

/// Bytes of `scratch` `mg_depthwise_u8` needs.
size_t mg_depthwise_scratch_size(int in_h, int in_w, int k_h, int k_w, int stride_h, int stride_w, int dilation_h, int dilation_w,
                                 int pad_h, int pad_w, int out_h, int out_w);

/// One plane of a depthwise 2-D convolution of bytes in float lanes (AVX-512): the plane
/// zero-shifted to floats `(x − zero)` (int8 when `is_signed`, else uint8) in a zero-padded
/// scratch, the `kernel_h × kernel_w` float weights `w` summed over it four output rows at a time
/// (3×3 with the nine weights held in registers), then the epilogue `e` (one row) of the sums
/// written to `out` (floats, or bytes with `e->bytes`). Integer weights sum exactly (below 2²⁴ for
/// up to 512 taps), so the sums are the int32 ones `mg_depthwise_u8` computes. Returns 0, writing
/// nothing, when the CPU lacks AVX-512 or `stride_w` is not 1 or 2.
/// `scratch` holds `mg_depthwise_plane_q8_scratch_size` bytes; its padding is written when
/// `pad_scratch` is set and only the plane's interior otherwise, so a caller running many planes
/// of one geometry through one scratch pads it for the first only.
int mg_depthwise_plane_q8(const uint8_t *x, int is_signed, int32_t zero, int in_h, int in_w, int kernel_h, int kernel_w, const float *w,
                          int stride_h, int stride_w, int dilation_h, int dilation_w, int pad_h, int pad_w, int out_h, int out_w,
                          const mg_epilogue *e, float *scratch, int pad_scratch, void *out);

/// Bytes of `scratch` `mg_depthwise_plane_q8` needs.
size_t mg_depthwise_plane_q8_scratch_size(int in_h, int in_w, int kernel_h, int kernel_w, int stride_h, int stride_w, int dilation_h,
                                          int dilation_w, int pad_h, int pad_w, int out_h, int out_w);

/// QuantizeLinear with per-tensor parameters: out[i] = saturate(round_half_even(x[i] / scale) + zero)
/// to int8 (`is_signed`) or uint8, and 0 for NaN, as bytes.
void mg_quantize_f32(const float *x, size_t count, float scale, int32_t zero, int is_signed, uint8_t *out);

/// `mg_quantize_f32` with `x[i] · multiplier` for `x[i] / scale` (`multiplier` = 1 / scale): no
/// division, so it may differ from QuantizeLinear by one step where the quotient lies within an
/// ulp of a rounding boundary.
void mg_quantize_scaled_f32(const float *x, size_t count, float multiplier, int32_t zero, int is_signed, uint8_t *out);

/// DequantizeLinear with per-tensor parameters: out[i] = ((float)x[i] − zero) · scale for int8
/// (`is_signed`) or uint8 bytes.
void mg_dequantize_8(const uint8_t *x, size_t count, int is_signed, int32_t zero, float scale, float *out);

/// The sum of two dequantized byte tensors of `count` elements each, in float:
/// sum[i] = ((float)a[i] − a_zero) · a_scale + ((float)b[i] − b_zero) · b_scale, each byte int8
/// when its `_signed` flag is set, else uint8 (the two DequantizeLinear and the Add, fused).
void mg_add_q8(const uint8_t *a, int a_signed, int32_t a_zero, float a_scale,
               const uint8_t *b, int b_signed, int32_t b_zero, float b_scale, size_t count, float *sum);

#endif
