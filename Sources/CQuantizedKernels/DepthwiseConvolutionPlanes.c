#include "CQuantizedKernels.h"
#include "Epilogue.h"

#include <string.h>

/// The zero-padded float plane `mg_depthwise_plane_q8` works in: every input row and column an
/// output reads, then slack for the widest vector load past the last column and for three rows of
/// outputs past the last (the kernel computes four output rows at a time).
static void plane_extent(int in_h, int in_w, int kernel_h, int kernel_w, int stride_h, int stride_w, int dilation_h, int dilation_w,
                         int pad_h, int pad_w, int out_h, int out_w, int *height, int *width) {
    int last_row = (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1;
    int last_column = (out_w - 1) * stride_w + (kernel_w - 1) * dilation_w + 1;
    int rows = last_row > pad_h + in_h ? last_row : pad_h + in_h;
    int columns = last_column > pad_w + in_w ? last_column : pad_w + in_w;
    *height = rows + 3 * stride_h;
    *width = columns + 32;
}

size_t mg_depthwise_plane_q8_scratch_size(int in_h, int in_w, int kernel_h, int kernel_w, int stride_h, int stride_w, int dilation_h,
                                          int dilation_w, int pad_h, int pad_w, int out_h, int out_w) {
    int height, width;
    plane_extent(in_h, in_w, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w, out_h, out_w, &height, &width);
    return (size_t)height * (size_t)width * sizeof(float);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define TARGET __attribute__((target("avx512f,avx512bw,avx512vl,fma")))

/// Sixteen floats from `p`, each lane `STRIDE` (1 or 2) floats from the last.
#define LANES(p, STRIDE)                                                                                            \
    ((STRIDE) == 1 ? _mm512_loadu_ps(p)                                                                            \
                   : _mm512_permutex2var_ps(_mm512_loadu_ps(p), evens, _mm512_loadu_ps((p) + 16)))

/// The output rows of one plane, four rows of sixteen outputs at a time, the nine weights held in
/// registers. The products and sums of integers stay exact (below 2²⁴), so the fused
/// multiply-adds give the int32 sums, which go through the epilogue.
#define ROWS(NAME, STRIDE)                                                                                          \
    TARGET static void NAME(const float *plane, int pitch, int stride_h, int dilation_h, int dilation_w, const float *w,      \
                            int out_h, int out_w, const mg_epilogue *e, void *out) {                                              \
        const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);          \
        __m512 w0 = _mm512_set1_ps(w[0]), w1 = _mm512_set1_ps(w[1]), w2 = _mm512_set1_ps(w[2]);                     \
        __m512 w3 = _mm512_set1_ps(w[3]), w4 = _mm512_set1_ps(w[4]), w5 = _mm512_set1_ps(w[5]);                     \
        __m512 w6 = _mm512_set1_ps(w[6]), w7 = _mm512_set1_ps(w[7]), w8 = _mm512_set1_ps(w[8]);                     \
        size_t row_step = (size_t)stride_h * pitch, tap_row = (size_t)dilation_h * pitch;                            \
        for (int oy = 0; oy < out_h; oy += 4) {                                                                      \
            for (int ox = 0; ox < out_w; ox += 16) {                                                                 \
                __mmask16 mask = out_w - ox >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (out_w - ox)) - 1);        \
                __m512 s[4];                                                                                         \
                for (int r = 0; r < 4; r++) {                                                                        \
                    const float *p = plane + (size_t)(oy + r) * row_step + (size_t)ox * (STRIDE);                    \
                    const float *q = p + tap_row, *t = q + tap_row;                                                  \
                    __m512 a = _mm512_mul_ps(w0, LANES(p, STRIDE));                                                  \
                    a = _mm512_fmadd_ps(w1, LANES(p + dilation_w, STRIDE), a);                                       \
                    a = _mm512_fmadd_ps(w2, LANES(p + 2 * dilation_w, STRIDE), a);                                   \
                    __m512 b = _mm512_mul_ps(w3, LANES(q, STRIDE));                                                  \
                    b = _mm512_fmadd_ps(w4, LANES(q + dilation_w, STRIDE), b);                                       \
                    b = _mm512_fmadd_ps(w5, LANES(q + 2 * dilation_w, STRIDE), b);                                   \
                    __m512 c = _mm512_mul_ps(w6, LANES(t, STRIDE));                                                  \
                    c = _mm512_fmadd_ps(w7, LANES(t + dilation_w, STRIDE), c);                                       \
                    c = _mm512_fmadd_ps(w8, LANES(t + 2 * dilation_w, STRIDE), c);                                   \
                    s[r] = _mm512_add_ps(_mm512_add_ps(a, b), c);                                                    \
                }                                                                                                    \
                for (int r = 0; r < 4 && oy + r < out_h; r++)                                                        \
                    mg_epilogue_store16(e, 0, _mm512_cvtps_epi32(s[r]), out, (size_t)(oy + r) * out_w + ox, mask);      \
            }                                                                                                        \
        }                                                                                                            \
    }

ROWS(rows_stride1, 1)
ROWS(rows_stride2, 2)

/// `ROWS` for any kernel size: the weights broadcast one tap at a time, each added to the four rows'
/// sums (exact integers, so the order of the additions does not change them).
#define ROWS_ANY(NAME, STRIDE)                                                                                      \
    TARGET static void NAME(const float *plane, int pitch, int stride_h, int dilation_h, int dilation_w, const float *w,      \
                            int kernel_h, int kernel_w, int out_h, int out_w, const mg_epilogue *e, void *out) {                \
        const __m512i evens = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);          \
        size_t row_step = (size_t)stride_h * pitch, tap_row = (size_t)dilation_h * pitch;                            \
        for (int oy = 0; oy < out_h; oy += 4) {                                                                      \
            for (int ox = 0; ox < out_w; ox += 16) {                                                                 \
                __mmask16 mask = out_w - ox >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (out_w - ox)) - 1);        \
                __m512 s[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};  \
                const float *origin = plane + (size_t)oy * row_step + (size_t)ox * (STRIDE);                         \
                for (int ky = 0; ky < kernel_h; ky++) {                                                              \
                    for (int kx = 0; kx < kernel_w; kx++) {                                                          \
                        __m512 weight = _mm512_set1_ps(w[ky * kernel_w + kx]);                                       \
                        const float *p = origin + (size_t)ky * tap_row + (size_t)kx * dilation_w;                    \
                        for (int r = 0; r < 4; r++)                                                                  \
                            s[r] = _mm512_fmadd_ps(weight, LANES(p + (size_t)r * row_step, STRIDE), s[r]);           \
                    }                                                                                                \
                }                                                                                                    \
                for (int r = 0; r < 4 && oy + r < out_h; r++)                                                        \
                    mg_epilogue_store16(e, 0, _mm512_cvtps_epi32(s[r]), out, (size_t)(oy + r) * out_w + ox, mask);      \
            }                                                                                                        \
        }                                                                                                            \
    }

ROWS_ANY(any_rows_stride1, 1)
ROWS_ANY(any_rows_stride2, 2)

TARGET static void depthwise_plane(const uint8_t *x, int is_signed, int32_t zero, int in_h, int in_w, const float *w, int kernel_h,
                                   int kernel_w, int stride_h, int stride_w, int dilation_h, int dilation_w, int pad_h, int pad_w,
                                   int out_h, int out_w, const mg_epilogue *e, float *scratch, int pad_scratch, void *out) {
    int height, pitch;
    plane_extent(in_h, in_w, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w, out_h, out_w, &height, &pitch);
    if (pad_scratch) memset(scratch, 0, (size_t)height * pitch * sizeof(float));
    __m512 zeroV = _mm512_set1_ps((float)zero);
    for (int y = 0; y < in_h; y++) {
        float *row = scratch + (size_t)(y + pad_h) * pitch + pad_w;
        const uint8_t *source = x + (size_t)y * in_w;
        for (int i = 0; i < in_w; i += 16) {
            __mmask16 mask = in_w - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (in_w - i)) - 1);
            __m128i bytes = _mm_maskz_loadu_epi8(mask, source + i);
            __m512i wide = is_signed ? _mm512_cvtepi8_epi32(bytes) : _mm512_cvtepu8_epi32(bytes);
            _mm512_mask_storeu_ps(row + i, mask, _mm512_sub_ps(_mm512_cvtepi32_ps(wide), zeroV));
        }
    }
    if (kernel_h == 3 && kernel_w == 3) {
        if (stride_w == 1) {
            rows_stride1(scratch, pitch, stride_h, dilation_h, dilation_w, w, out_h, out_w, e, out);
        } else {
            rows_stride2(scratch, pitch, stride_h, dilation_h, dilation_w, w, out_h, out_w, e, out);
        }
    } else if (stride_w == 1) {
        any_rows_stride1(scratch, pitch, stride_h, dilation_h, dilation_w, w, kernel_h, kernel_w, out_h, out_w, e, out);
    } else {
        any_rows_stride2(scratch, pitch, stride_h, dilation_h, dilation_w, w, kernel_h, kernel_w, out_h, out_w, e, out);
    }
}
#endif

int mg_depthwise_plane_q8(const uint8_t *x, int is_signed, int32_t zero, int in_h, int in_w, int kernel_h, int kernel_w, const float *w,
                          int stride_h, int stride_w, int dilation_h, int dilation_w, int pad_h, int pad_w, int out_h, int out_w,
                          const mg_epilogue *e, float *scratch, int pad_scratch, void *out) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (mg_qgemm_best_path() >= MG_QGEMM_PATH_AVX512_VNNI && (stride_w == 1 || stride_w == 2)) {
        depthwise_plane(x, is_signed, zero, in_h, in_w, w, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w,
                        out_h, out_w, e, scratch, pad_scratch, out);
        return 1;
    }
#endif
    return 0;
}
