#ifndef MODELGATE_CQUANTIZEDKERNELS_EPILOGUE_H
#define MODELGATE_CQUANTIZEDKERNELS_EPILOGUE_H

/// The epilogue of `mg_epilogue` for one value and for vectors of 8 (AVX2) and 16 (AVX-512)
/// values of one row, the same operations in the same order on every path.

#include "CQuantizedKernels.h"

#include <math.h>

#pragma STDC FP_CONTRACT OFF

/// Row `row`'s epilogue of `acc`, stored at element `index` of `out`.
static inline void mg_epilogue_store1(const mg_epilogue *e, int row, int32_t acc, void *out, size_t index) {
    float product = (float)(int32_t)((uint32_t)acc - (uint32_t)e->comp[row]) * e->scale[row];
    float v = product + e->shift[row];
    v = v < e->low ? e->low : (v > e->high ? e->high : v);
    if (e->bytes) {
        ((uint8_t *)out)[index] = (uint8_t)((int32_t)nearbyintf(v) + e->zero);
    } else {
        ((float *)out)[index] = v;
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/// Row `row`'s epilogue of the first `count` (≤ 8) lanes of `acc`, stored from element `index` of `out`.
__attribute__((target("avx2"))) static inline void mg_epilogue_store8(const mg_epilogue *e, int row, __m256i acc, void *out,
                                                                     size_t index, int count) {
    __m256 v = _mm256_cvtepi32_ps(_mm256_sub_epi32(acc, _mm256_set1_epi32(e->comp[row])));
    v = _mm256_add_ps(_mm256_mul_ps(v, _mm256_set1_ps(e->scale[row])), _mm256_set1_ps(e->shift[row]));
    v = _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(e->low)), _mm256_set1_ps(e->high));
    if (e->bytes) {
        int32_t lanes[8];
        _mm256_storeu_si256((__m256i *)lanes, _mm256_add_epi32(_mm256_cvtps_epi32(v), _mm256_set1_epi32(e->zero)));
        uint8_t *target = (uint8_t *)out + index;
        for (int j = 0; j < count; j++) target[j] = (uint8_t)lanes[j];
    } else if (count >= 8) {
        _mm256_storeu_ps((float *)out + index, v);
    } else {
        float lanes[8];
        _mm256_storeu_ps(lanes, v);
        float *target = (float *)out + index;
        for (int j = 0; j < count; j++) target[j] = lanes[j];
    }
}

/// Row `row`'s epilogue of the lanes of `acc` in `mask`, stored from element `index` of `out`.
__attribute__((target("avx512f,avx512bw,avx512vl"))) static inline void mg_epilogue_store16(const mg_epilogue *e, int row, __m512i acc,
                                                                                           void *out, size_t index, __mmask16 mask) {
    __m512 v = _mm512_cvtepi32_ps(_mm512_sub_epi32(acc, _mm512_set1_epi32(e->comp[row])));
    v = _mm512_add_ps(_mm512_mul_ps(v, _mm512_set1_ps(e->scale[row])), _mm512_set1_ps(e->shift[row]));
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(e->low)), _mm512_set1_ps(e->high));
    if (e->bytes) {
        __m512i levels = _mm512_add_epi32(_mm512_cvtps_epi32(v), _mm512_set1_epi32(e->zero));
        _mm_mask_storeu_epi8((uint8_t *)out + index, mask, _mm512_cvtepi32_epi8(levels));
    } else {
        _mm512_mask_storeu_ps((float *)out + index, mask, v);
    }
}
#endif

#endif
