#include "CFloatKernels.h"
#include "VectorMath.h"
#include <math.h>

#if MG_X86

/// erf on 8 lanes: N. Juffa's faithfully rounded single-precision approximation (published on
/// Stack Overflow, question 35148198; the one ONNX Runtime's MLAS uses): x·P(x²) for |x| ≤
/// 0.921875, else sign(x)·(1 − e^−Q(|x|)) with |x| clamped to 3.925, where erf is 1 in float.
MG_AVX2 static inline __m256 erf8(__m256 a) {
    __m256 sign = _mm256_and_ps(a, _mm256_set1_ps(-0.0f));
    __m256 t = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a);
    __m256 s = _mm256_mul_ps(a, a);
    __m256 small = _mm256_set1_ps(-5.99104969e-4f);
    small = _mm256_fmadd_ps(small, s, _mm256_set1_ps(4.99339588e-3f));
    small = _mm256_fmadd_ps(small, s, _mm256_set1_ps(-2.67667342e-2f));
    small = _mm256_fmadd_ps(small, s, _mm256_set1_ps(1.12818025e-1f));
    small = _mm256_fmadd_ps(small, s, _mm256_set1_ps(-3.76124859e-1f));
    small = _mm256_fmadd_ps(small, s, _mm256_set1_ps(1.28379151e-1f));
    small = _mm256_fmadd_ps(small, a, a);
    __m256 u = _mm256_min_ps(t, _mm256_set1_ps(3.925f));
    __m256 big = _mm256_fmadd_ps(_mm256_set1_ps(1.72948930e-5f), u, _mm256_set1_ps(-3.83208680e-4f));
    __m256 v = _mm256_fmadd_ps(_mm256_set1_ps(3.88393435e-3f), u, _mm256_set1_ps(-2.42545605e-2f));
    big = _mm256_fmadd_ps(big, _mm256_mul_ps(u, u), v);
    big = _mm256_fmadd_ps(big, u, _mm256_set1_ps(1.06777847e-1f));
    big = _mm256_fmadd_ps(big, u, _mm256_set1_ps(6.34846687e-1f));
    big = _mm256_fmadd_ps(big, u, _mm256_set1_ps(1.28717512e-1f));
    big = _mm256_fmadd_ps(big, u, u);
    big = _mm256_sub_ps(_mm256_set1_ps(1.0f), mg_exp_nonpositive(_mm256_sub_ps(_mm256_setzero_ps(), big)));
    big = _mm256_or_ps(big, sign);
    return _mm256_blendv_ps(small, big, _mm256_cmp_ps(t, _mm256_set1_ps(0.921875f), _CMP_GT_OQ));
}

/// 1 / (1 + e^−x) on 8 lanes as e^x / (1 + e^x) for negative x, so that e is never above 1.
MG_AVX2 static inline __m256 sigmoid8(__m256 x) {
    __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    __m256 e = mg_exp_nonpositive(_mm256_sub_ps(_mm256_setzero_ps(), magnitude));
    __m256 denominator = _mm256_add_ps(_mm256_set1_ps(1.0f), e);
    __m256 negative = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
    return _mm256_div_ps(_mm256_blendv_ps(_mm256_set1_ps(1.0f), e, negative), denominator);
}

/// `y[i] = f(x[i])` for `count` floats, 8 at a time, the last partial vector under a mask.
#define MG_MAP_AVX2(NAME, F)                                                                              \
    MG_AVX2 static void NAME(const float *x, long count, float *y) {                                   \
        long i = 0;                                                                                     \
        for (; i + 8 <= count; i += 8) _mm256_storeu_ps(y + i, F(_mm256_loadu_ps(x + i)));               \
        if (i < count) {                                                                                \
            __m256i tail = _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(count - i)),                       \
                                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));               \
            _mm256_maskstore_ps(y + i, tail, F(_mm256_maskload_ps(x + i, tail)));                         \
        }                                                                                               \
    }

/// x · sigmoid(x), the sigmoid rounded to float first, as the two steps it fuses compute it.
MG_AVX2 static inline __m256 silu8(__m256 x) { return _mm256_mul_ps(x, sigmoid8(x)); }

MG_MAP_AVX2(erf_avx2, erf8)
MG_MAP_AVX2(sigmoid_avx2, sigmoid8)
MG_MAP_AVX2(silu_avx2, silu8)

#define MG_VECTOR_MAP(f) f
#else
#define MG_VECTOR_MAP(f) NULL
#endif

static float erf1(float v) { return erff(v); }
static float sigmoid1(float v) { return v >= 0 ? 1.0f / (1.0f + expf(-v)) : expf(v) / (1.0f + expf(v)); }
static float silu1(float v) { return v * sigmoid1(v); }

/// `y[i] = f(x[i])`: the AVX2 map `vector` where the CPU runs it (NULL: none), else `scalar` per element.
static void map(const float *x, long count, float *y, void (*vector)(const float *, long, float *), float (*scalar)(float)) {
#if MG_X86
    if (vector && mg_has_avx2_fma()) {
        vector(x, count, y);
        return;
    }
#endif
    for (long i = 0; i < count; i++) y[i] = scalar(x[i]);
}

void mg_erf(const float *x, long count, float *y) { map(x, count, y, MG_VECTOR_MAP(erf_avx2), erf1); }
void mg_sigmoid(const float *x, long count, float *y) { map(x, count, y, MG_VECTOR_MAP(sigmoid_avx2), sigmoid1); }
void mg_silu(const float *x, long count, float *y) { map(x, count, y, MG_VECTOR_MAP(silu_avx2), silu1); }
