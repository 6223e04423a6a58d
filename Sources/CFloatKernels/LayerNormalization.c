#include "CFloatKernels.h"
#include "VectorMath.h"
#include <math.h>

#if MG_X86

/// The sum of 8 lanes, in double.
MG_AVX2 static inline double lane_sum(__m256 v) {
    __m256d wide = _mm256_add_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)));
    __m128d half = _mm_add_pd(_mm256_castpd256_pd128(wide), _mm256_extractf128_pd(wide, 1));
    return _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
}

MG_AVX2 static void layer_norm_row_avx2(const float *x, int length, const float *scale, const float *bias, double epsilon, float *y) {
    int full = length & ~7;
    // The mean is summed relative to the first value, so that a row far from zero with a small
    // spread keeps its digits.
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), first = _mm256_set1_ps(x[0]);
    int i = 0;
    for (; i + 16 <= full; i += 16) {
        s0 = _mm256_add_ps(s0, _mm256_sub_ps(_mm256_loadu_ps(x + i), first));
        s1 = _mm256_add_ps(s1, _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), first));
    }
    if (i < full) s0 = _mm256_add_ps(s0, _mm256_sub_ps(_mm256_loadu_ps(x + i), first));
    double sum = lane_sum(_mm256_add_ps(s0, s1));
    for (i = full; i < length; i++) sum += (double)x[i] - x[0];
    double mean = x[0] + sum / length;
    __m256 center = _mm256_set1_ps((float)mean);
    s0 = _mm256_setzero_ps();
    s1 = _mm256_setzero_ps();
    for (i = 0; i + 16 <= full; i += 16) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), center), d1 = _mm256_sub_ps(_mm256_loadu_ps(x + i + 8), center);
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
    }
    if (i < full) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(x + i), center);
        s0 = _mm256_fmadd_ps(d0, d0, s0);
    }
    double squares = lane_sum(_mm256_add_ps(s0, s1));
    for (i = full; i < length; i++) squares += ((double)x[i] - (float)mean) * ((double)x[i] - (float)mean);
    // Σ(x − m̃)² = Σ(x − mean)² + n·(mean − m̃)², m̃ being mean rounded to float; the output
    // subtracts m̃ (exactly, for x near it) and then the residual mean − m̃.
    double offset = mean - (float)mean;
    double variance = squares / length - offset * offset;
    __m256 inverse = _mm256_set1_ps((float)(1.0 / sqrt((variance > 0 ? variance : 0) + epsilon)));
    __m256 residual = _mm256_set1_ps((float)offset);
    for (i = 0; i < full; i += 8) {
        __m256 normalized = _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), center), residual), inverse);
        __m256 shifted = bias ? _mm256_loadu_ps(bias + i) : _mm256_setzero_ps();
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(normalized, _mm256_loadu_ps(scale + i), shifted));
    }
    float inv = _mm256_cvtss_f32(inverse), m = (float)mean, r = (float)offset;
    for (i = full; i < length; i++) y[i] = fmaf((x[i] - m - r) * inv, scale[i], bias ? bias[i] : 0.0f);
}

#endif

static void layer_norm_row_scalar(const float *x, int length, const float *scale, const float *bias, double epsilon, float *y) {
    double sum = 0, squares = 0;
    for (int i = 0; i < length; i++) sum += x[i];
    double mean = sum / length;
    for (int i = 0; i < length; i++) squares += (x[i] - mean) * (x[i] - mean);
    double inverse = 1.0 / sqrt(squares / length + epsilon);
    for (int i = 0; i < length; i++) y[i] = (float)((x[i] - mean) * inverse * scale[i] + (bias ? bias[i] : 0.0));
}

void mg_layer_norm_rows(const float *x, int rows, int length, const float *scale, const float *bias, double epsilon, float *y) {
#if MG_X86
    if (mg_has_avx2_fma()) {
        for (int r = 0; r < rows; r++)
            layer_norm_row_avx2(x + (size_t)r * length, length, scale, bias, epsilon, y + (size_t)r * length);
        return;
    }
#endif
    for (int r = 0; r < rows; r++) layer_norm_row_scalar(x + (size_t)r * length, length, scale, bias, epsilon, y + (size_t)r * length);
}
