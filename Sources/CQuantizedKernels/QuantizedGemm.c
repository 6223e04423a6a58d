#include "CQuantizedKernels.h"
#include "Epilogue.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

void mg_qgemm_panel_avx512(int m, int k, const int8_t *packed_a, const uint8_t *panel, int columns, const mg_epilogue *e,
                           void *c, long ldc);
void mg_qgemm_panel_avx2(int m, int k, const int8_t *packed_a, const uint8_t *panel, int columns, const mg_epilogue *e,
                         void *c, long ldc);
void mg_qgemv_avx512(int m, int k, const int8_t *packed_a, const uint8_t *x, const mg_epilogue *e, void *y);
void mg_qgemv_avx2(int m, int k, const int8_t *packed_a, const uint8_t *x, const mg_epilogue *e, void *y);

static int quads(int k) { return (k + 3) / 4; }

static int detect_path(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl"))
        return MG_QGEMM_PATH_AVX512_VNNI;
    if (__builtin_cpu_supports("avx2")) return MG_QGEMM_PATH_AVX2;
#endif
    return MG_QGEMM_PATH_SCALAR;
}

int mg_qgemm_best_path(void) {
    static int path = -1;
    if (path < 0) path = detect_path();
    return path;
}

size_t mg_qgemm_packed_a_size(int m, int k) {
    return (size_t)((m + MG_QGEMM_MR - 1) / MG_QGEMM_MR) * MG_QGEMM_MR * (size_t)quads(k) * 4;
}

size_t mg_qgemm_panel_size(int k) { return (size_t)quads(k) * MG_QGEMM_NR * 4; }

void mg_qgemm_pack_a(const int8_t *a, int m, int k, long lda, int8_t *packed) {
    int panels = (m + MG_QGEMM_MR - 1) / MG_QGEMM_MR, k4 = quads(k);
    for (int p = 0; p < panels; p++) {
        int8_t *out = packed + (size_t)p * k4 * MG_QGEMM_MR * 4;
        for (int q = 0; q < k4; q++)
            for (int i = 0; i < MG_QGEMM_MR; i++)
                for (int r = 0; r < 4; r++) {
                    int row = p * MG_QGEMM_MR + i, col = q * 4 + r;
                    *out++ = row < m && col < k ? a[(size_t)row * lda + col] : 0;
                }
    }
}

void mg_qgemm_pack_b(const uint8_t *b, int k, int n, long ldb, int n0, uint8_t flip, uint8_t *panel) {
    int k4 = quads(k), width = n - n0 < MG_QGEMM_NR ? n - n0 : MG_QGEMM_NR;
    int q = 0;
#if defined(__SSE2__)
    if (width == MG_QGEMM_NR) {
        __m128i flipV = _mm_set1_epi8((char)flip);
        for (; q < k / 4; q++) {
            const uint8_t *row = b + (size_t)q * 4 * ldb + n0;
            uint8_t *out = panel + (size_t)q * MG_QGEMM_NR * 4;
            for (int half = 0; half < 2; half++) {
                __m128i r0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(row + half * 16)), flipV);
                __m128i r1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(row + ldb + half * 16)), flipV);
                __m128i r2 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(row + 2 * ldb + half * 16)), flipV);
                __m128i r3 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(row + 3 * ldb + half * 16)), flipV);
                __m128i lo01 = _mm_unpacklo_epi8(r0, r1), hi01 = _mm_unpackhi_epi8(r0, r1);
                __m128i lo23 = _mm_unpacklo_epi8(r2, r3), hi23 = _mm_unpackhi_epi8(r2, r3);
                __m128i *target = (__m128i *)(out + half * 64);
                _mm_storeu_si128(target, _mm_unpacklo_epi16(lo01, lo23));
                _mm_storeu_si128(target + 1, _mm_unpackhi_epi16(lo01, lo23));
                _mm_storeu_si128(target + 2, _mm_unpacklo_epi16(hi01, hi23));
                _mm_storeu_si128(target + 3, _mm_unpackhi_epi16(hi01, hi23));
            }
        }
    }
#endif
    for (; q < k4; q++) {
        uint8_t *out = panel + (size_t)q * MG_QGEMM_NR * 4;
        for (int r = 0; r < 4; r++) {
            int row = q * 4 + r;
            if (row >= k) {
                for (int j = 0; j < MG_QGEMM_NR; j++) out[j * 4 + r] = 0;
                continue;
            }
            const uint8_t *source = b + (size_t)row * ldb + n0;
            for (int j = 0; j < width; j++) out[j * 4 + r] = source[j] ^ flip;
            for (int j = width; j < MG_QGEMM_NR; j++) out[j * 4 + r] = 0;
        }
    }
}

static void panel_scalar(int m, int k, const int8_t *packed_a, const uint8_t *panel, int columns, const mg_epilogue *e,
                         void *c, long ldc) {
    int k4 = quads(k);
    for (int row = 0; row < m; row++) {
        const int8_t *a = packed_a + (size_t)(row / MG_QGEMM_MR) * k4 * MG_QGEMM_MR * 4 + (row % MG_QGEMM_MR) * 4;
        for (int j = 0; j < columns; j++) {
            int32_t acc = 0;
            for (int q = 0; q < k4; q++) {
                const int8_t *w = a + (size_t)q * MG_QGEMM_MR * 4;
                const uint8_t *x = panel + ((size_t)q * MG_QGEMM_NR + j) * 4;
                acc += (int32_t)w[0] * x[0] + (int32_t)w[1] * x[1] + (int32_t)w[2] * x[2] + (int32_t)w[3] * x[3];
            }
            mg_epilogue_store1(e, row, acc, c, (size_t)row * ldc + j);
        }
    }
}

static void gemv_scalar(int m, int k, const int8_t *packed_a, const uint8_t *x, const mg_epilogue *e, void *y) {
    int k4 = quads(k);
    for (int row = 0; row < m; row++) {
        const int8_t *a = packed_a + (size_t)(row / MG_QGEMM_MR) * k4 * MG_QGEMM_MR * 4 + (row % MG_QGEMM_MR) * 4;
        int32_t acc = 0;
        for (int q = 0; q < k4; q++) {
            const int8_t *w = a + (size_t)q * MG_QGEMM_MR * 4;
            const uint8_t *v = x + (size_t)q * 4;
            acc += (int32_t)w[0] * v[0] + (int32_t)w[1] * v[1] + (int32_t)w[2] * v[2] + (int32_t)w[3] * v[3];
        }
        mg_epilogue_store1(e, row, acc, y, (size_t)row);
    }
}

void mg_qgemm_panel(int path, int m, int k, const int8_t *packed_a, const uint8_t *panel, int columns, const mg_epilogue *e,
                    void *c, long ldc) {
#if defined(__x86_64__)
    if (path == MG_QGEMM_PATH_AVX512_VNNI) {
        mg_qgemm_panel_avx512(m, k, packed_a, panel, columns, e, c, ldc);
        return;
    }
    if (path == MG_QGEMM_PATH_AVX2) {
        mg_qgemm_panel_avx2(m, k, packed_a, panel, columns, e, c, ldc);
        return;
    }
#endif
    panel_scalar(m, k, packed_a, panel, columns, e, c, ldc);
}

void mg_qgemv(int path, int m, int k, const int8_t *packed_a, const uint8_t *x, const mg_epilogue *e, void *y) {
#if defined(__x86_64__)
    if (path == MG_QGEMM_PATH_AVX512_VNNI) {
        mg_qgemv_avx512(m, k, packed_a, x, e, y);
        return;
    }
    if (path == MG_QGEMM_PATH_AVX2) {
        mg_qgemv_avx2(m, k, packed_a, x, e, y);
        return;
    }
#endif
    gemv_scalar(m, k, packed_a, x, e, y);
}

void mg_im2col_u8(const uint8_t *x, int channels, int in_h, int in_w, int k_h, int k_w, int stride_h, int stride_w,
                  int dilation_h, int dilation_w, int pad_h, int pad_w, int out_h, int out_w, uint8_t pad, uint8_t *columns) {
    size_t positions = (size_t)out_h * out_w;
    uint8_t *row = columns;
    for (int c = 0; c < channels; c++) {
        const uint8_t *plane = x + (size_t)c * in_h * in_w;
        for (int ky = 0; ky < k_h; ky++)
            for (int kx = 0; kx < k_w; kx++) {
                int offset = kx * dilation_w - pad_w;
                int first = offset >= 0 ? 0 : (-offset + stride_w - 1) / stride_w;
                if (first > out_w) first = out_w;
                int last = in_w - 1 - offset < 0 ? -1 : (in_w - 1 - offset) / stride_w;
                if (last > out_w - 1) last = out_w - 1;
                for (int oy = 0; oy < out_h; oy++) {
                    uint8_t *line = row + (size_t)oy * out_w;
                    int iy = oy * stride_h - pad_h + ky * dilation_h;
                    if (iy < 0 || iy >= in_h || first > last) {
                        memset(line, pad, (size_t)out_w);
                        continue;
                    }
                    if (first > 0) memset(line, pad, (size_t)first);
                    const uint8_t *input = plane + (size_t)iy * in_w + offset;
                    if (stride_w == 1) {
                        memcpy(line + first, input + first, (size_t)(last - first + 1));
                    } else {
                        for (int ox = first; ox <= last; ox++) line[ox] = input[(size_t)ox * stride_w];
                    }
                    if (last + 1 < out_w) memset(line + last + 1, pad, (size_t)(out_w - last - 1));
                }
                row += positions;
            }
    }
}
