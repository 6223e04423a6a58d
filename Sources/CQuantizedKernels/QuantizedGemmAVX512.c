#include "CQuantizedKernels.h"
#include "Epilogue.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define MG_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni")))

/// Tiles of MG_QGEMM_MR rows × MG_QGEMM_NR columns: 16 accumulators of 16 columns, one
/// `vpdpbusd` per row and half panel for every quad of k.
MG_AVX512 void mg_qgemm_panel_avx512(int m, int k, const int8_t *packed_a, const uint8_t *panel, int columns, const mg_epilogue *e,
                                     void *c, long ldc) {
    int k4 = (k + 3) / 4;
    __mmask16 mask0 = columns >= 16 ? 0xFFFF : (__mmask16)((1u << columns) - 1);
    __mmask16 mask1 = columns >= 32 ? 0xFFFF : (columns > 16 ? (__mmask16)((1u << (columns - 16)) - 1) : 0);
    for (int m0 = 0; m0 < m; m0 += MG_QGEMM_MR) {
        const int8_t *a = packed_a + (size_t)(m0 / MG_QGEMM_MR) * k4 * MG_QGEMM_MR * 4;
        __m512i acc[MG_QGEMM_MR][2];
        for (int i = 0; i < MG_QGEMM_MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_si512();
        for (int q = 0; q < k4; q++) {
            __m512i x0 = _mm512_loadu_si512((const void *)(panel + (size_t)q * 128));
            __m512i x1 = _mm512_loadu_si512((const void *)(panel + (size_t)q * 128 + 64));
            const int32_t *w = (const int32_t *)(a + (size_t)q * MG_QGEMM_MR * 4);
            for (int i = 0; i < MG_QGEMM_MR; i++) {
                __m512i wv = _mm512_set1_epi32(w[i]);
                acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], x0, wv);
                acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], x1, wv);
            }
        }
        int rows = m - m0 < MG_QGEMM_MR ? m - m0 : MG_QGEMM_MR;
        for (int i = 0; i < rows; i++) {
            int row = m0 + i;
            mg_epilogue_store16(e, row, acc[i][0], c, (size_t)row * ldc, mask0);
            if (mask1) mg_epilogue_store16(e, row, acc[i][1], c, (size_t)row * ldc + 16, mask1);
        }
    }
}

/// One column: MG_QGEMM_MR rows per 256-bit `vpdpbusd`, two quads per step in the two halves.
MG_AVX512 void mg_qgemv_avx512(int m, int k, const int8_t *packed_a, const uint8_t *x, const mg_epilogue *e, void *y) {
    int k4 = (k + 3) / 4;
    const int32_t *xq = (const int32_t *)x;
    for (int m0 = 0; m0 < m; m0 += MG_QGEMM_MR) {
        const int8_t *a = packed_a + (size_t)(m0 / MG_QGEMM_MR) * k4 * MG_QGEMM_MR * 4;
        __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
        int q = 0;
        for (; q + 4 <= k4; q += 4) {
            __m512i x01 = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set1_epi32(xq[q])), _mm256_set1_epi32(xq[q + 1]), 1);
            __m512i x23 = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_set1_epi32(xq[q + 2])), _mm256_set1_epi32(xq[q + 3]), 1);
            acc0 = _mm512_dpbusd_epi32(acc0, x01, _mm512_loadu_si512((const void *)(a + (size_t)q * 32)));
            acc1 = _mm512_dpbusd_epi32(acc1, x23, _mm512_loadu_si512((const void *)(a + (size_t)(q + 2) * 32)));
        }
        __m512i sum512 = _mm512_add_epi32(acc0, acc1);
        __m256i acc = _mm256_add_epi32(_mm512_castsi512_si256(sum512), _mm512_extracti64x4_epi64(sum512, 1));
        for (; q < k4; q++)
            acc = _mm256_dpbusd_epi32(acc, _mm256_set1_epi32(xq[q]), _mm256_loadu_si256((const __m256i *)(a + (size_t)q * 32)));
        int32_t lanes[MG_QGEMM_MR];
        _mm256_storeu_si256((__m256i *)lanes, acc);
        int rows = m - m0 < MG_QGEMM_MR ? m - m0 : MG_QGEMM_MR;
        for (int i = 0; i < rows; i++) mg_epilogue_store1(e, m0 + i, lanes[i], y, (size_t)(m0 + i));
    }
}
#endif
