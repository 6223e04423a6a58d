#include "CFloatKernels.h"
#include "VectorMath.h"

/// K rows of a weight panel per pass: a KC×NR slice (16 KiB) stays in L1 while every row group of
/// the block runs over it.
#define MG_PACKED_B_KC 256
/// Rows of A per block: MC×KC floats (96 KiB) stay in L2 across all column panels of the pass.
#define MG_PACKED_B_MC 96
/// K steps ahead (one 64-byte line of B each) that the micro-kernel prefetches: B streams from
/// memory on the first row group of a slice.
#define MG_PACKED_B_PREFETCH 16
/// Rows per micro-tile: 6 rows × 2 vectors of 8 columns are 12 accumulator registers.
#define MG_PACKED_B_MR 6

int mg_sgemm_packed_b_supported(void) {
#if MG_X86
    return mg_has_avx2_fma();
#else
    return 0;
#endif
}

size_t mg_sgemm_packed_b_size(int k, int n) {
    return (size_t)((n + MG_PACKED_B_NR - 1) / MG_PACKED_B_NR) * MG_PACKED_B_NR * (size_t)k;
}

void mg_sgemm_pack_b(const float *b, int k, int n, long row_stride, long column_stride, float *packed) {
    int panels = (n + MG_PACKED_B_NR - 1) / MG_PACKED_B_NR;
    for (int p = 0; p < panels; p++) {
        float *out = packed + (size_t)p * k * MG_PACKED_B_NR;
        for (int kk = 0; kk < k; kk++)
            for (int j = 0; j < MG_PACKED_B_NR; j++) {
                int column = p * MG_PACKED_B_NR + j;
                *out++ = column < n ? b[(size_t)kk * row_stride + (size_t)column * column_stride] : 0.0f;
            }
    }
}

#if MG_X86
/// Rows [0, ROWS) × columns [0, `columns`) of `c` (+)= A · B for `kc` steps: A rows at stride
/// `lda`, B one packed KC×NR slice. `accumulate` adds to what `c` holds; otherwise the tile starts
/// from `bias` (per column, may be NULL: zero).
#define MG_PACKED_B_TILE(ROWS)                                                                          \
    MG_AVX2 static void tile_##ROWS(int kc, const float *a, long lda, const float *b, float *c, long ldc,   \
                                    int columns, int accumulate, const float *bias) {                    \
        __m256 acc[ROWS][2];                                                                            \
        for (int r = 0; r < ROWS; r++) acc[r][0] = acc[r][1] = _mm256_setzero_ps();                     \
        for (int kk = 0; kk < kc; kk++) {                                                               \
            _mm_prefetch((const char *)(b + (kk + MG_PACKED_B_PREFETCH) * MG_PACKED_B_NR), _MM_HINT_T0); \
            __m256 b0 = _mm256_load_ps(b + kk * MG_PACKED_B_NR);                                       \
            __m256 b1 = _mm256_load_ps(b + kk * MG_PACKED_B_NR + 8);                                   \
            for (int r = 0; r < ROWS; r++) {                                                            \
                __m256 av = _mm256_broadcast_ss(a + r * lda + kk);                                      \
                acc[r][0] = _mm256_fmadd_ps(av, b0, acc[r][0]);                                         \
                acc[r][1] = _mm256_fmadd_ps(av, b1, acc[r][1]);                                         \
            }                                                                                           \
        }                                                                                               \
        if (columns == MG_PACKED_B_NR) {                                                                \
            for (int r = 0; r < ROWS; r++) {                                                            \
                float *row = c + r * ldc;                                                               \
                __m256 base0, base1;                                                                    \
                if (accumulate) {                                                                       \
                    base0 = _mm256_loadu_ps(row);                                                       \
                    base1 = _mm256_loadu_ps(row + 8);                                                   \
                } else if (bias) {                                                                      \
                    base0 = _mm256_loadu_ps(bias);                                                      \
                    base1 = _mm256_loadu_ps(bias + 8);                                                  \
                } else {                                                                                \
                    base0 = base1 = _mm256_setzero_ps();                                                \
                }                                                                                       \
                _mm256_storeu_ps(row, _mm256_add_ps(base0, acc[r][0]));                                 \
                _mm256_storeu_ps(row + 8, _mm256_add_ps(base1, acc[r][1]));                             \
            }                                                                                           \
        } else {                                                                                        \
            float tile[MG_PACKED_B_NR];                                                                 \
            for (int r = 0; r < ROWS; r++) {                                                            \
                float *row = c + r * ldc;                                                               \
                _mm256_storeu_ps(tile, acc[r][0]);                                                      \
                _mm256_storeu_ps(tile + 8, acc[r][1]);                                                  \
                for (int j = 0; j < columns; j++)                                                       \
                    row[j] = (accumulate ? row[j] : (bias ? bias[j] : 0.0f)) + tile[j];                 \
            }                                                                                           \
        }                                                                                               \
    }

MG_PACKED_B_TILE(1)
MG_PACKED_B_TILE(2)
MG_PACKED_B_TILE(3)
MG_PACKED_B_TILE(4)
MG_PACKED_B_TILE(5)
MG_PACKED_B_TILE(6)

MG_AVX2 static void tile(int rows, int kc, const float *a, long lda, const float *b, float *c, long ldc, int columns,
                         int accumulate, const float *bias) {
    switch (rows) {
    case 6: tile_6(kc, a, lda, b, c, ldc, columns, accumulate, bias); break;
    case 5: tile_5(kc, a, lda, b, c, ldc, columns, accumulate, bias); break;
    case 4: tile_4(kc, a, lda, b, c, ldc, columns, accumulate, bias); break;
    case 3: tile_3(kc, a, lda, b, c, ldc, columns, accumulate, bias); break;
    case 2: tile_2(kc, a, lda, b, c, ldc, columns, accumulate, bias); break;
    default: tile_1(kc, a, lda, b, c, ldc, columns, accumulate, bias); break;
    }
}

/// Rows [m0, m1) of column panel `p` over the K range [k0, k0 + KC) ∩ [0, k).
MG_AVX2 static void pass(const float *a, long lda, int m0, int m1, int k, int k0, const float *packed_b, int n, int p,
                         const float *bias, float *c, long ldc) {
    int kc = k - k0 < MG_PACKED_B_KC ? k - k0 : MG_PACKED_B_KC;
    const float *slice = packed_b + (size_t)p * k * MG_PACKED_B_NR + (size_t)k0 * MG_PACKED_B_NR;
    int column = p * MG_PACKED_B_NR;
    int columns = n - column < MG_PACKED_B_NR ? n - column : MG_PACKED_B_NR;
    for (int i = m0; i < m1; i += MG_PACKED_B_MR) {
        int rows = m1 - i < MG_PACKED_B_MR ? m1 - i : MG_PACKED_B_MR;
        tile(rows, kc, a + (size_t)i * lda + k0, lda, slice, c + (size_t)i * ldc + column, ldc, columns, k0 > 0,
             bias ? bias + column : NULL);
    }
}

void mg_sgemm_packed_b(const float *a, long lda, int m, int k, const float *packed_b, int n, int p0, int p1,
                       const float *bias, float *c, long ldc) {
    if (m <= 0 || p0 >= p1) return;
    if (k <= 0) {
        for (int p = p0; p < p1; p++)
            for (int i = 0; i < m; i++)
                for (int j = p * MG_PACKED_B_NR; j < n && j < (p + 1) * MG_PACKED_B_NR; j++)
                    c[(size_t)i * ldc + j] = bias ? bias[j] : 0.0f;
        return;
    }
    if (m <= MG_PACKED_B_MC) {
        // One row block: panel by panel, so packed B is read once, front to back.
        for (int p = p0; p < p1; p++)
            for (int k0 = 0; k0 < k; k0 += MG_PACKED_B_KC)
                pass(a, lda, 0, m, k, k0, packed_b, n, p, bias, c, ldc);
        return;
    }
    for (int k0 = 0; k0 < k; k0 += MG_PACKED_B_KC)
        for (int m0 = 0; m0 < m; m0 += MG_PACKED_B_MC)
            for (int p = p0; p < p1; p++)
                pass(a, lda, m0, m - m0 < MG_PACKED_B_MC ? m : m0 + MG_PACKED_B_MC, k, k0, packed_b, n, p, bias, c, ldc);
}

#else

void mg_sgemm_packed_b(const float *a, long lda, int m, int k, const float *packed_b, int n, int p0, int p1,
                       const float *bias, float *c, long ldc) {
    for (int p = p0; p < p1; p++)
        for (int i = 0; i < m; i++)
            for (int j = p * MG_PACKED_B_NR; j < n && j < (p + 1) * MG_PACKED_B_NR; j++) {
                float sum = bias ? bias[j] : 0.0f;
                for (int kk = 0; kk < k; kk++)
                    sum += a[(size_t)i * lda + kk] * packed_b[(size_t)p * k * MG_PACKED_B_NR + (size_t)kk * MG_PACKED_B_NR + (j - p * MG_PACKED_B_NR)];
                c[(size_t)i * ldc + j] = sum;
            }
}

#endif
