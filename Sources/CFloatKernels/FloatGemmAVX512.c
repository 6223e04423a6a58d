#include "CFloatKernels.h"

/// K rows of B per panel: a KC×NR panel (16 KiB) stays in L1 while every A panel of the block runs.
#define MG_SGEMM_KC 256
/// Floats of A per block of rows (384 KiB), so the block stays in L2 across all column panels.
#define MG_SGEMM_A_BLOCK (96 * 1024)
/// Column panels packed together: each input row is read in runs of up to NB·NR values, and the
/// KC×NB·NR block (128 KiB) stays in L2 while every row panel of A runs over it.
#define MG_SGEMM_NB 8

size_t mg_sgemm_scratch_size(int k, int panels) {
    int blocks = (k + MG_SGEMM_KC - 1) / MG_SGEMM_KC, kc = blocks > 0 ? (k + blocks - 1) / blocks : 0;
    return (size_t)kc * MG_SGEMM_NR * (size_t)(panels < MG_SGEMM_NB ? (panels > 0 ? panels : 0) : MG_SGEMM_NB);
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define MG_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,fma")))

/// Lanes [0, count) of a 16-lane mask, `count` clamped to [0, 16].
MG_AVX512 static inline __mmask16 first_lanes(int count) {
    return count <= 0 ? 0 : (count >= 16 ? 0xFFFF : (__mmask16)((1u << count) - 1));
}

/// Lanes whose `start + lane` lies in [0, limit).
MG_AVX512 static inline __mmask16 lanes_within(int start, int limit) {
    return (__mmask16)(first_lanes(limit - start) & ~first_lanes(-start));
}

/// Columns [n0, n0 + panels·NR) ∩ [0, n) of rows [k0, k1) of the row-major k×n matrix `b` into
/// `panels` consecutive panels of (k1 − k0)·NR floats.
MG_AVX512 static void pack_plain(const float *b, int n, int k0, int k1, int n0, int panels, float *block) {
    size_t panel_floats = (size_t)(k1 - k0) * MG_SGEMM_NR;
    for (int kk = k0; kk < k1; kk++) {
        const float *row = b + (size_t)kk * n;
        for (int q = 0; q < panels; q++) {
            int start = n0 + q * MG_SGEMM_NR;
            float *out = block + q * panel_floats + (size_t)(kk - k0) * MG_SGEMM_NR;
            for (int v = 0; v < MG_SGEMM_NR; v += 16)
                _mm512_store_ps(out + v, _mm512_maskz_loadu_ps(first_lanes(n - start - v), row + start + v));
        }
    }
}

/// A run of panel columns on one output row: columns [start, start + length) are output
/// positions (oy, ox0 …).
typedef struct { int start, length, oy, ox0; } segment;

/// `length` values of one input row at `ix0`, `ix0 + stride`, … into `dst` (zero outside [0, width)).
/// Unit and double strides load whole vectors: plain ones where the run lies inside the row, else
/// under masks that keep every read inside it.
MG_AVX512 static void gather_row(const float *row, int width, int ix0, int stride, int length, float *dst) {
    if (stride == 1 && ix0 >= 0 && ix0 + length <= width) {
        // Inside the row: whole vectors need no lane masks (the common case away from the padding).
        int t0 = 0;
        for (; t0 + 16 <= length; t0 += 16) _mm512_storeu_ps(dst + t0, _mm512_loadu_ps(row + ix0 + t0));
        if (t0 < length) {
            __mmask16 tail = first_lanes(length - t0);
            _mm512_mask_storeu_ps(dst + t0, tail, _mm512_maskz_loadu_ps(tail, row + ix0 + t0));
        }
    } else if (stride == 1) {
        for (int t0 = 0; t0 < length; t0 += 16) {
            __m512 v = _mm512_maskz_loadu_ps(lanes_within(ix0 + t0, width), row + ix0 + t0);
            _mm512_mask_storeu_ps(dst + t0, first_lanes(length - t0), v);
        }
    } else if (stride == 2) {
        const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        int t0 = 0;
        if (ix0 >= 0 && ix0 + 2 * length <= width) {
            for (; t0 + 16 <= length; t0 += 16) {
                const float *p = row + ix0 + 2 * t0;
                _mm512_storeu_ps(dst + t0, _mm512_permutex2var_ps(_mm512_loadu_ps(p), even, _mm512_loadu_ps(p + 16)));
            }
        }
        for (; t0 < length; t0 += 16) {
            int start = ix0 + 2 * t0;
            __m512 lo = _mm512_maskz_loadu_ps(lanes_within(start, width), row + start);
            __m512 hi = _mm512_maskz_loadu_ps(lanes_within(start + 16, width), row + start + 16);
            _mm512_mask_storeu_ps(dst + t0, first_lanes(length - t0), _mm512_permutex2var_ps(lo, even, hi));
        }
    } else {
        for (int t = 0; t < length; t++) {
            int ix = ix0 + t * stride;
            dst[t] = ix >= 0 && ix < width ? row[ix] : 0.0f;
        }
    }
}

/// Columns [n0, n0 + panels·NR) ∩ [0, n) of rows [k0, k1) of the im2col matrix of `x` into
/// `panels` consecutive panels of (k1 − k0)·NR floats.
MG_AVX512 static void pack_im2col(const float *x, const mg_conv_geometry *g, int n, int k0, int k1, int n0, int panels,
                                  float *block) {
    segment segments[MG_SGEMM_NB * MG_SGEMM_NR];
    int counts[MG_SGEMM_NB], widths[MG_SGEMM_NB], count = 0;
    for (int q = 0; q < panels; q++) {
        int start = n0 + q * MG_SGEMM_NR, width = n - start < MG_SGEMM_NR ? n - start : MG_SGEMM_NR;
        widths[q] = width;
        for (int j = 0; j < width;) {
            int position = start + j, oy = position / g->out_w, ox = position % g->out_w;
            int length = g->out_w - ox < width - j ? g->out_w - ox : width - j;
            segments[count++] = (segment){ q * MG_SGEMM_NR + j, length, oy, ox };
            j += length;
        }
        counts[q] = count;
    }
    size_t panel_floats = (size_t)(k1 - k0) * MG_SGEMM_NR;
    int taps = g->k_h * g->k_w;
    int c = k0 / taps, ky = (k0 % taps) / g->k_w, kx = k0 % g->k_w;
    __m512 zero = _mm512_setzero_ps();
    for (int kk = k0; kk < k1; kk++) {
        const float *plane = x + (size_t)c * g->in_h * g->in_w;
        size_t row_offset = (size_t)(kk - k0) * MG_SGEMM_NR;
        int s = 0;
        for (int q = 0; q < panels; q++) {
            float *out = block + q * panel_floats + row_offset;
            if (widths[q] < MG_SGEMM_NR)
                for (int v = 0; v < MG_SGEMM_NR; v += 16) _mm512_store_ps(out + v, zero);
            for (; s < counts[q]; s++) {
                float *dst = out + (segments[s].start - q * MG_SGEMM_NR);
                int length = segments[s].length;
                int iy = segments[s].oy * g->stride_h - g->pad_h + ky * g->dilation_h;
                if (iy < 0 || iy >= g->in_h) {
                    for (int v = 0; v < length; v += 16) _mm512_mask_storeu_ps(dst + v, first_lanes(length - v), zero);
                    continue;
                }
                int ix0 = segments[s].ox0 * g->stride_w - g->pad_w + kx * g->dilation_w;
                gather_row(plane + (size_t)iy * g->in_w, g->in_w, ix0, g->stride_w, length, dst);
            }
        }
        if (++kx == g->k_w) {
            kx = 0;
            if (++ky == g->k_h) { ky = 0; c++; }
        }
    }
}

#define MR MG_SGEMM_MR
/// Vectors of 16 floats per panel row.
#define NV (MG_SGEMM_NR / 16)

/// One MR×NR tile over `kc` values of k: accumulators start at zero, or at C (`accumulate`);
/// with `finish`, the epilogue is applied. Rows past `rows` and columns outside the masks are
/// not written.
MG_AVX512 static void tile(int kc, const float *a, const float *b, int rows, __mmask16 mask0, __mmask16 mask1,
                           int accumulate, int finish, const float *scale, const float *shift, __m512 low, __m512 high,
                           float *c, long ldc) {
    __m512 acc[MR][NV];
#pragma clang loop unroll(full)
    for (int i = 0; i < MR; i++)
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[i][v] = _mm512_setzero_ps();
    for (int p = 0; p < kc; p++) {
        __m512 bv[NV];
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) bv[v] = _mm512_load_ps(b + (size_t)p * MG_SGEMM_NR + 16 * v);
        const float *ap = a + (size_t)p * MR;
#pragma clang loop unroll(full)
        for (int i = 0; i < MR; i++) {
            __m512 av = _mm512_set1_ps(ap[i]);
#pragma clang loop unroll(full)
            for (int v = 0; v < NV; v++) acc[i][v] = _mm512_fmadd_ps(av, bv[v], acc[i][v]);
        }
    }
    __mmask16 masks[2] = { mask0, mask1 };
    for (int i = 0; i < rows; i++) {
        float *out = c + (size_t)i * ldc;
        __m512 a = _mm512_set1_ps(scale[i]), s = _mm512_set1_ps(shift[i]);
        for (int v = 0; v < NV; v++) {
            if (!masks[v]) break;
            __m512 value = acc[i][v];
            if (accumulate) value = _mm512_add_ps(value, _mm512_maskz_loadu_ps(masks[v], out + 16 * v));
            if (finish) value = _mm512_min_ps(high, _mm512_max_ps(low, _mm512_fmadd_ps(value, a, s)));
            _mm512_mask_storeu_ps(out + 16 * v, masks[v], value);
        }
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
            for (int pb = p0; pb < p1; pb += MG_SGEMM_NB) {
                int panels = p1 - pb < MG_SGEMM_NB ? p1 - pb : MG_SGEMM_NB;
                if (geometry) pack_im2col(x, geometry, n, k0, k1, pb * MG_SGEMM_NR, panels, scratch);
                else pack_plain(x, n, k0, k1, pb * MG_SGEMM_NR, panels, scratch);
                for (int q = 0; q < panels; q++) {
                    int n0 = (pb + q) * MG_SGEMM_NR, width = n - n0 < MG_SGEMM_NR ? n - n0 : MG_SGEMM_NR;
                    const float *panel = scratch + (size_t)q * (k1 - k0) * MG_SGEMM_NR;
                    __mmask16 mask0 = first_lanes(width), mask1 = first_lanes(width - 16);
                    for (int i = mb; i < me; i += MR) {
                        int rows = me - i < MR ? me - i : MR;
                        tile(k1 - k0, packed_a + (size_t)(i / MR) * k * MR + (size_t)k0 * MR, panel, rows, mask0, mask1,
                             k0 > 0, k1 == k, scale + i, shift + i, lowV, highV, c + (size_t)i * ldc + n0, ldc);
                    }
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
