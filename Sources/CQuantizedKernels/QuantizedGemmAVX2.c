#include "CQuantizedKernels.h"
#include "Epilogue.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define MG_AVX2 __attribute__((target("avx2,fma")))

/// Sums adjacent int32 pairs of `a` (columns 0–3) and `b` (columns 4–7) into columns 0–7.
MG_AVX2 static inline __m256i pair_sums(__m256i a, __m256i b) {
    return _mm256_permute4x64_epi64(_mm256_hadd_epi32(a, b), 0xD8);
}

/// Bytes widened to int16 and multiplied with `vpmaddwd` (exact: no int16 saturation), four rows ×
/// eight columns at a time; each accumulator holds two partial sums per column.
MG_AVX2 void mg_qgemm_panel_avx2(int m, int k, const int8_t *packed_a, const uint8_t *panel, int columns, const mg_epilogue *e,
                                 void *c, long ldc) {
    int k4 = (k + 3) / 4;
    for (int m0 = 0; m0 < m; m0 += 4) {
        const int8_t *a = packed_a + (size_t)(m0 / MG_QGEMM_MR) * k4 * MG_QGEMM_MR * 4 + (m0 % MG_QGEMM_MR) * 4;
        int rows = m - m0 < 4 ? m - m0 : 4;
        for (int j0 = 0; j0 < columns; j0 += 8) {
            __m256i lo[4], hi[4];
            for (int i = 0; i < 4; i++) lo[i] = hi[i] = _mm256_setzero_si256();
            for (int q = 0; q < k4; q++) {
                __m256i bytes = _mm256_loadu_si256((const __m256i *)(panel + ((size_t)q * MG_QGEMM_NR + j0) * 4));
                __m256i x0 = _mm256_cvtepu8_epi16(_mm256_castsi256_si128(bytes));
                __m256i x1 = _mm256_cvtepu8_epi16(_mm256_extracti128_si256(bytes, 1));
                const int8_t *w = a + (size_t)q * MG_QGEMM_MR * 4;
                for (int i = 0; i < 4; i++) {
                    __m128i w8 = _mm_cvtsi32_si128(*(const int32_t *)(w + i * 4));
                    __m256i w16 = _mm256_broadcastq_epi64(_mm_cvtepi8_epi16(w8));
                    lo[i] = _mm256_add_epi32(lo[i], _mm256_madd_epi16(x0, w16));
                    hi[i] = _mm256_add_epi32(hi[i], _mm256_madd_epi16(x1, w16));
                }
            }
            int count = columns - j0 < 8 ? columns - j0 : 8;
            for (int i = 0; i < rows; i++) {
                int row = m0 + i;
                mg_epilogue_store8(e, row, pair_sums(lo[i], hi[i]), c, (size_t)row * ldc + j0, count);
            }
        }
    }
}

/// One column, MG_QGEMM_MR rows at a time: the rows' bytes widened to int16 against the column's
/// quad broadcast, two partial sums per row.
MG_AVX2 void mg_qgemv_avx2(int m, int k, const int8_t *packed_a, const uint8_t *x, const mg_epilogue *e, void *y) {
    int k4 = (k + 3) / 4;
    for (int m0 = 0; m0 < m; m0 += MG_QGEMM_MR) {
        const int8_t *a = packed_a + (size_t)(m0 / MG_QGEMM_MR) * k4 * MG_QGEMM_MR * 4;
        __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
        for (int q = 0; q < k4; q++) {
            __m256i w = _mm256_loadu_si256((const __m256i *)(a + (size_t)q * 32));
            __m256i w0 = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(w));
            __m256i w1 = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(w, 1));
            __m256i v = _mm256_broadcastq_epi64(_mm_cvtepu8_epi16(_mm_cvtsi32_si128(*(const int32_t *)(x + (size_t)q * 4))));
            lo = _mm256_add_epi32(lo, _mm256_madd_epi16(w0, v));
            hi = _mm256_add_epi32(hi, _mm256_madd_epi16(w1, v));
        }
        int32_t lanes[MG_QGEMM_MR];
        _mm256_storeu_si256((__m256i *)lanes, pair_sums(lo, hi));
        int rows = m - m0 < MG_QGEMM_MR ? m - m0 : MG_QGEMM_MR;
        for (int i = 0; i < rows; i++) mg_epilogue_store1(e, m0 + i, lanes[i], y, (size_t)(m0 + i));
    }
}
#endif
