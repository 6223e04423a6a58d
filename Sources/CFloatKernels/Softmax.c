#include "CFloatKernels.h"
#include "VectorMath.h"
#include <math.h>

#if MG_X86

/// Lanes [0, count) set, for masked loads and stores of a row's last partial vector.
MG_AVX2 static inline __m256i first_lanes(int count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(count), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

MG_AVX2 static void softmax_row_avx2(const float *x, int length, float *y) {
    int full = length & ~7;
    __m256i tail = first_lanes(length - full);
    __m256 maximum = _mm256_set1_ps(-INFINITY);
    for (int i = 0; i < full; i += 8) maximum = _mm256_max_ps(maximum, _mm256_loadu_ps(x + i));
    if (full < length)
        maximum = _mm256_max_ps(maximum, _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(x + full, tail),
                                                          _mm256_castsi256_ps(tail)));
    __m128 half = _mm_max_ps(_mm256_castps256_ps128(maximum), _mm256_extractf128_ps(maximum, 1));
    half = _mm_max_ps(half, _mm_movehl_ps(half, half));
    half = _mm_max_ss(half, _mm_movehdup_ps(half));
    __m256 shift = _mm256_set1_ps(_mm_cvtss_f32(half));
    __m256 sum = _mm256_setzero_ps();
    for (int i = 0; i < full; i += 8) {
        __m256 e = mg_exp_nonpositive(_mm256_sub_ps(_mm256_loadu_ps(x + i), shift));
        _mm256_storeu_ps(y + i, e);
        sum = _mm256_add_ps(sum, e);
    }
    if (full < length) {
        __m256 e = _mm256_and_ps(mg_exp_nonpositive(_mm256_sub_ps(_mm256_maskload_ps(x + full, tail), shift)), _mm256_castsi256_ps(tail));
        _mm256_maskstore_ps(y + full, tail, e);
        sum = _mm256_add_ps(sum, e);
    }
    half = _mm_add_ps(_mm256_castps256_ps128(sum), _mm256_extractf128_ps(sum, 1));
    half = _mm_add_ps(half, _mm_movehl_ps(half, half));
    half = _mm_add_ss(half, _mm_movehdup_ps(half));
    __m256 total = _mm256_set1_ps(_mm_cvtss_f32(half));
    for (int i = 0; i < full; i += 8) _mm256_storeu_ps(y + i, _mm256_div_ps(_mm256_loadu_ps(y + i), total));
    if (full < length) _mm256_maskstore_ps(y + full, tail, _mm256_div_ps(_mm256_maskload_ps(y + full, tail), total));
}

#endif

static void softmax_row_scalar(const float *x, int length, float *y) {
    float maximum = -INFINITY, sum = 0.0f;
    for (int i = 0; i < length; i++) maximum = x[i] > maximum ? x[i] : maximum;
    for (int i = 0; i < length; i++) sum += (y[i] = expf(x[i] - maximum));
    for (int i = 0; i < length; i++) y[i] /= sum;
}

void mg_softmax_rows(const float *x, int rows, int length, float *y) {
#if MG_X86
    if (mg_has_avx2_fma()) {
        for (int r = 0; r < rows; r++) softmax_row_avx2(x + (size_t)r * length, length, y + (size_t)r * length);
        return;
    }
#endif
    for (int r = 0; r < rows; r++) softmax_row_scalar(x + (size_t)r * length, length, y + (size_t)r * length);
}
