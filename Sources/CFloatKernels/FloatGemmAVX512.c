#include "CFloatKernels.h"

/// K rows of B per panel: a KC×NR panel (32 KiB) stays in L1 while every A panel of the block runs.
#define MG_SGEMM_KC 256
/// Floats of A per block of rows (384 KiB), so the block stays in L2 across all column panels.
#define MG_SGEMM_A_BLOCK (96 * 1024)

size_t mg_sgemm_scratch_size(void) { return (size_t)MG_SGEMM_KC * MG_SGEMM_NR; }

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define MG_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))

/// Columns [n0, n0 + NR) ∩ [0, n) of rows [k0, k1) of the row-major k×n matrix `b` into `panel`.
MG_AVX512 static void pack_plain(const float *b, int n, int k0, int k1, int n0, float *panel) {
    int width = n - n0 < MG_SGEMM_NR ? n - n0 : MG_SGEMM_NR;
    __mmask16 mask0 = width >= 16 ? 0xFFFF : (__mmask16)((1u << width) - 1);
    __mmask16 mask1 = width >= 32 ? 0xFFFF : (width > 16 ? (__mmask16)((1u << (width - 16)) - 1) : 0);
    for (int kk = k0; kk < k1; kk++) {
        const float *row = b + (size_t)kk * n + n0;
        float *out = panel + (size_t)(kk - k0) * MG_SGEMM_NR;
        _mm512_store_ps(out, _mm512_maskz_loadu_ps(mask0, row));
        _mm512_store_ps(out + 16, _mm512_maskz_loadu_ps(mask1, row + 16));
    }
}

/// A run of panel columns on one output row: columns [start, start + length) are output
/// positions (oy, ox0 …).
typedef struct { int start, length, oy, ox0; } segment;

/// Columns [n0, n0 + NR) ∩ [0, n) of rows [k0, k1) of the im2col matrix of `x` into `panel`.
MG_AVX512 static void pack_im2col(const float *x, const mg_conv_geometry *g, int n, int k0, int k1, int n0, float *panel) {
    segment segments[MG_SGEMM_NR];
    int count = 0, width = n - n0 < MG_SGEMM_NR ? n - n0 : MG_SGEMM_NR;
    for (int j = 0; j < width;) {
        int position = n0 + j, oy = position / g->out_w, ox = position % g->out_w;
        int length = g->out_w - ox < width - j ? g->out_w - ox : width - j;
        segments[count++] = (segment){ j, length, oy, ox };
        j += length;
    }
    int taps = g->k_h * g->k_w;
    int c = k0 / taps, ky = (k0 % taps) / g->k_w, kx = k0 % g->k_w;
    int sw = g->stride_w;
    for (int kk = k0; kk < k1; kk++) {
        float *out = panel + (size_t)(kk - k0) * MG_SGEMM_NR;
        const float *plane = x + (size_t)c * g->in_h * g->in_w;
        for (int s = 0; s < count; s++) {
            float *dst = out + segments[s].start;
            int length = segments[s].length;
            int iy = segments[s].oy * g->stride_h - g->pad_h + ky * g->dilation_h;
            if (iy < 0 || iy >= g->in_h) {
                for (int t = 0; t < length; t++) dst[t] = 0.0f;
                continue;
            }
            const float *row = plane + (size_t)iy * g->in_w;
            int ix0 = segments[s].ox0 * sw - g->pad_w + kx * g->dilation_w;
            int first = ix0 >= 0 ? 0 : (-ix0 + sw - 1) / sw;
            int end = ix0 > g->in_w - 1 ? 0 : (g->in_w - 1 - ix0) / sw + 1;
            if (first > length) first = length;
            if (end > length) end = length;
            if (end < first) end = first;
            for (int t = 0; t < first; t++) dst[t] = 0.0f;
            if (sw == 1) {
                for (int t = first; t < end; t++) dst[t] = row[ix0 + t];
            } else {
                for (int t = first; t < end; t++) dst[t] = row[ix0 + t * sw];
            }
            for (int t = end; t < length; t++) dst[t] = 0.0f;
        }
        for (int t = width; t < MG_SGEMM_NR; t++) out[t] = 0.0f;
        if (++kx == g->k_w) {
            kx = 0;
            if (++ky == g->k_h) { ky = 0; c++; }
        }
    }
}

#define MR MG_SGEMM_MR

/// One MR×NR tile over `kc` values of k: accumulators start at zero, or at C (`accumulate`);
/// with `finish`, the epilogue is applied. Rows past `rows` and columns outside the masks are
/// not written.
MG_AVX512 static void tile(int kc, const float *a, const float *b, int rows, __mmask16 mask0, __mmask16 mask1,
                           int accumulate, int finish, const float *scale, const float *shift, __m512 low, __m512 high,
                           float *c, long ldc) {
    __m512 acc[MR][2];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
    for (int p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(b + (size_t)p * MG_SGEMM_NR), b1 = _mm512_load_ps(b + (size_t)p * MG_SGEMM_NR + 16);
        const float *ap = a + (size_t)p * MR;
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            __m512 av = _mm512_set1_ps(ap[i]);
            acc[i][0] = _mm512_fmadd_ps(av, b0, acc[i][0]);
            acc[i][1] = _mm512_fmadd_ps(av, b1, acc[i][1]);
        }
    }
    for (int i = 0; i < rows; i++) {
        float *out = c + (size_t)i * ldc;
        __m512 v0 = acc[i][0], v1 = acc[i][1];
        if (accumulate) {
            v0 = _mm512_add_ps(v0, _mm512_maskz_loadu_ps(mask0, out));
            v1 = _mm512_add_ps(v1, _mm512_maskz_loadu_ps(mask1, out + 16));
        }
        if (finish) {
            __m512 a = _mm512_set1_ps(scale[i]), s = _mm512_set1_ps(shift[i]);
            v0 = _mm512_min_ps(high, _mm512_max_ps(low, _mm512_fmadd_ps(v0, a, s)));
            v1 = _mm512_min_ps(high, _mm512_max_ps(low, _mm512_fmadd_ps(v1, a, s)));
        }
        _mm512_mask_storeu_ps(out, mask0, v0);
        if (mask1) _mm512_mask_storeu_ps(out + 16, mask1, v1);
    }
}

MG_AVX512 void mg_sgemm_conv(const float *packed_a, int m, int k, const float *x, const mg_conv_geometry *geometry, int n,
                             int m0, int m1, int p0, int p1, const float *scale, const float *shift, float low, float high,
                             float *c, long ldc, float *scratch) {
    if (k <= 0 || m1 <= m0 || p1 <= p0) return;
    int blocks = (k + MG_SGEMM_KC - 1) / MG_SGEMM_KC, kc = (k + blocks - 1) / blocks;
    int mc = MG_SGEMM_A_BLOCK / kc / MR * MR;
    if (mc < MR) mc = MR;
    __m512 lowV = _mm512_set1_ps(low), highV = _mm512_set1_ps(high);
    for (int mb = m0; mb < m1; mb += mc) {
        int me = m1 - mb < mc ? m1 : mb + mc;
        for (int k0 = 0; k0 < k; k0 += kc) {
            int k1 = k - k0 < kc ? k : k0 + kc;
            for (int p = p0; p < p1; p++) {
                int n0 = p * MG_SGEMM_NR, width = n - n0 < MG_SGEMM_NR ? n - n0 : MG_SGEMM_NR;
                if (width <= 0) break;
                __mmask16 mask0 = width >= 16 ? 0xFFFF : (__mmask16)((1u << width) - 1);
                __mmask16 mask1 = width >= 32 ? 0xFFFF : (width > 16 ? (__mmask16)((1u << (width - 16)) - 1) : 0);
                if (geometry) pack_im2col(x, geometry, n, k0, k1, n0, scratch);
                else pack_plain(x, n, k0, k1, n0, scratch);
                for (int i = mb; i < me; i += MR) {
                    int rows = me - i < MR ? me - i : MR;
                    tile(k1 - k0, packed_a + (size_t)(i / MR) * k * MR + (size_t)k0 * MR, scratch, rows, mask0, mask1,
                         k0 > 0, k1 == k, scale + i, shift + i, lowV, highV, c + (size_t)i * ldc + n0, ldc);
                }
            }
        }
    }
}
#else
/// Not reached: `mg_sgemm_supported()` is 0 on other architectures, and callers check it first.
void mg_sgemm_conv(const float *packed_a, int m, int k, const float *x, const mg_conv_geometry *geometry, int n,
                   int m0, int m1, int p0, int p1, const float *scale, const float *shift, float low, float high,
                   float *c, long ldc, float *scratch) {
    (void)packed_a; (void)m; (void)k; (void)x; (void)geometry; (void)n; (void)m0; (void)m1; (void)p0; (void)p1;
    (void)scale; (void)shift; (void)low; (void)high; (void)c; (void)ldc; (void)scratch;
}
#endif
