#include "CFloatKernels.h"

static int detect_support(void) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")) return 1;
#endif
    return 0;
}

int mg_sgemm_supported(void) {
    static int supported = -1;
    if (supported < 0) supported = detect_support();
    return supported;
}

size_t mg_sgemm_packed_a_size(int m, int k) {
    return (size_t)((m + MG_SGEMM_MR - 1) / MG_SGEMM_MR) * MG_SGEMM_MR * (size_t)k;
}

void mg_sgemm_pack_a(const float *a, int m, int k, long lda, float *packed) {
    int panels = (m + MG_SGEMM_MR - 1) / MG_SGEMM_MR;
    for (int p = 0; p < panels; p++) {
        float *out = packed + (size_t)p * k * MG_SGEMM_MR;
        for (int col = 0; col < k; col++)
            for (int i = 0; i < MG_SGEMM_MR; i++) {
                int row = p * MG_SGEMM_MR + i;
                *out++ = row < m ? a[(size_t)row * lda + col] : 0.0f;
            }
    }
}
