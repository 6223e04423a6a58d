#include "CQuantizedKernels.h"

/// The dequantized value of byte `i` of `x`.
static inline float dequantized(const uint8_t *x, size_t i, int is_signed, float zero, float scale) {
    float v = is_signed ? (float)(int8_t)x[i] : (float)x[i];
    return (v - zero) * scale;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

/// Eight bytes at `x` as floats, sign- or zero-extended.
__attribute__((target("avx2"))) static inline __m256 load8(const uint8_t *x, int is_signed) {
    __m128i bytes = _mm_loadl_epi64((const __m128i *)x);
    return _mm256_cvtepi32_ps(is_signed ? _mm256_cvtepi8_epi32(bytes) : _mm256_cvtepu8_epi32(bytes));
}

/// `mg_add_q8` eight elements at a time (the same operations in the same order); returns how
/// many it did.
__attribute__((target("avx2"))) static size_t add_avx2(const uint8_t *a, int a_signed, float za, float a_scale, const uint8_t *b,
                                                       int b_signed, float zb, float b_scale, size_t count, float *sum) {
    __m256 zaV = _mm256_set1_ps(za), saV = _mm256_set1_ps(a_scale), zbV = _mm256_set1_ps(zb), sbV = _mm256_set1_ps(b_scale);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        __m256 x = _mm256_mul_ps(_mm256_sub_ps(load8(a + i, a_signed), zaV), saV);
        __m256 y = _mm256_mul_ps(_mm256_sub_ps(load8(b + i, b_signed), zbV), sbV);
        _mm256_storeu_ps(sum + i, _mm256_add_ps(x, y));
    }
    return i;
}

/// `mg_dequantize_8` eight elements at a time; returns how many it did.
__attribute__((target("avx2"))) static size_t dequantize_avx2(const uint8_t *x, size_t count, int is_signed, float zero, float scale,
                                                              float *out) {
    __m256 zeroV = _mm256_set1_ps(zero), scaleV = _mm256_set1_ps(scale);
    size_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_sub_ps(load8(x + i, is_signed), zeroV), scaleV));
    return i;
}
#endif

void mg_add_q8(const uint8_t *a, int a_signed, int32_t a_zero, float a_scale,
               const uint8_t *b, int b_signed, int32_t b_zero, float b_scale, size_t count, float *sum) {
    float za = (float)a_zero, zb = (float)b_zero;
    size_t i = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (mg_qgemm_best_path() >= MG_QGEMM_PATH_AVX2) i = add_avx2(a, a_signed, za, a_scale, b, b_signed, zb, b_scale, count, sum);
#endif
    for (; i < count; i++) sum[i] = dequantized(a, i, a_signed, za, a_scale) + dequantized(b, i, b_signed, zb, b_scale);
}

void mg_dequantize_8(const uint8_t *x, size_t count, int is_signed, int32_t zero, float scale, float *out) {
    float z = (float)zero;
    size_t i = 0;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (mg_qgemm_best_path() >= MG_QGEMM_PATH_AVX2) i = dequantize_avx2(x, count, is_signed, z, scale, out);
#endif
    for (; i < count; i++) out[i] = dequantized(x, i, is_signed, z, scale);
}
