#ifndef MODELGATE_VECTOR_MATH_H
#define MODELGATE_VECTOR_MATH_H

/// Vector building blocks the float kernels share: AVX2/FMA detection and exponentials.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define MG_X86 1
#else
#define MG_X86 0
#endif

#if MG_X86
#include <immintrin.h>

#define MG_AVX2 __attribute__((target("avx2,fma")))

/// 1 when the CPU runs AVX2 and FMA instructions.
static inline int mg_has_avx2_fma(void) {
    static int supported = -1;
    if (supported < 0) {
        __builtin_cpu_init();
        supported = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return supported;
}

/// e^x for x ≤ 0 lanes (Cephes' single-precision polynomial after a two-part ln 2 reduction,
/// within 2 ulp); below −87.3 the result is e^−87.3 ≈ 1.2e−38, not a subnormal; NaN stays NaN.
MG_AVX2 static inline __m256 mg_exp_nonpositive(__m256 x) {
    x = _mm256_max_ps(_mm256_set1_ps(-87.3365447504f), x);
    __m256 n = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f)));
    x = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), x);
    __m256 y = _mm256_set1_ps(1.9875691500e-4f);
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
    y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
    y = _mm256_fmadd_ps(y, _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
    __m256i exponent = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(y, _mm256_castsi256_ps(exponent));
}

#endif

#endif
