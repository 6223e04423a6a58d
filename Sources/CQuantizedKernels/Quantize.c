#include "CQuantizedKernels.h"

#include <math.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/// 32 floats at a time: divide by `scale` (multiply by it when `multiplies`), clamp to the type's range less the zero point, round half to
/// even (`vcvtps2dq` under the default rounding mode), add the zero point, zero NaN, pack to bytes.
__attribute__((target("avx2")))
static size_t quantize_avx2(const float *x, size_t count, float scale, int multiplies, int32_t zero, int is_signed, uint8_t *out) {
    float low = (float)((is_signed ? -128 : 0) - zero), high = (float)((is_signed ? 127 : 255) - zero);
    __m256 scaleV = _mm256_set1_ps(scale), lowV = _mm256_set1_ps(low), highV = _mm256_set1_ps(high);
    __m256i zeroV = _mm256_set1_epi32(zero), order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    size_t i = 0;
    for (; i + 32 <= count; i += 32) {
        __m256i lanes[4];
        for (int j = 0; j < 4; j++) {
            __m256 v = _mm256_loadu_ps(x + i + 8 * j);
            __m256 q = multiplies ? _mm256_mul_ps(v, scaleV) : _mm256_div_ps(v, scaleV);
            __m256i ordered = _mm256_castps_si256(_mm256_cmp_ps(q, q, _CMP_ORD_Q));
            q = _mm256_min_ps(_mm256_max_ps(q, lowV), highV);
            lanes[j] = _mm256_and_si256(_mm256_add_epi32(_mm256_cvtps_epi32(q), zeroV), ordered);
        }
        __m256i ab = _mm256_packs_epi32(lanes[0], lanes[1]), cd = _mm256_packs_epi32(lanes[2], lanes[3]);
        __m256i bytes = is_signed ? _mm256_packs_epi16(ab, cd) : _mm256_packus_epi16(ab, cd);
        _mm256_storeu_si256((__m256i *)(out + i), _mm256_permutevar8x32_epi32(bytes, order));
    }
    return i;
}
#endif

/// `mg_quantize_f32` (`multiplies` 0) and `mg_quantize_scaled_f32` (`multiplies` 1, `scale` the multiplier).
static void quantize(const float *x, size_t count, float scale, int multiplies, int32_t zero, int is_signed, uint8_t *out) {
    size_t i = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (mg_qgemm_best_path() >= MG_QGEMM_PATH_AVX2) i = quantize_avx2(x, count, scale, multiplies, zero, is_signed, out);
#endif
    float low = is_signed ? -128 : 0, high = is_signed ? 127 : 255;
    for (; i < count; i++) {
        float q = multiplies ? x[i] * scale : x[i] / scale;
        if (isnan(q)) {
            out[i] = 0;
            continue;
        }
        float v = nearbyintf(q) + (float)zero;
        v = v < low ? low : (v > high ? high : v);
        out[i] = is_signed ? (uint8_t)(int8_t)v : (uint8_t)v;
    }
}

void mg_quantize_f32(const float *x, size_t count, float scale, int32_t zero, int is_signed, uint8_t *out) {
    quantize(x, count, scale, 0, zero, is_signed, out);
}

void mg_quantize_scaled_f32(const float *x, size_t count, float multiplier, int32_t zero, int is_signed, uint8_t *out) {
    quantize(x, count, multiplier, 1, zero, is_signed, out);
}
