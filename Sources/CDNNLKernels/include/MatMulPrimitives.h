#ifndef MG_MATMUL_PRIMITIVES_H
#define MG_MATMUL_PRIMITIVES_H

/// A constant float matrix of k rows and n columns reordered once into the layout oneDNN's matmul
/// chooses for it (its blocked panels for the CPU's widest vectors).
typedef struct mg_matmul_weights mg_matmul_weights;

/// oneDNN's matmul of `rows` rows by one `mg_matmul_weights`, with or without a bias row.
typedef struct mg_matmul_primitive mg_matmul_primitive;

/// The matrix whose element (i, j) is `matrix[i * row_stride + j * column_stride]`, reordered for
/// products of about `rows` rows; NULL when oneDNN has no matmul for it. `matrix` is not read after
/// the call returns.
mg_matmul_weights *mg_matmul_weights_create(const float *matrix, int k, int n, long row_stride, long column_stride, int rows);

/// The product of `rows` rows (row-major, k floats each) by `weights`, adding a bias of n values
/// when `bias` is nonzero; NULL when oneDNN has no matmul for it in the weights' layout.
mg_matmul_primitive *mg_matmul_create(const mg_matmul_weights *weights, int rows, int bias);

/// Writes `c` (rows × n, row-major) = `a` (rows × k, row-major) · weights (+ `bias`, n values, for a
/// primitive made with one) on `threads` threads. Safe to call from several threads at once.
/// Returns 0 on success.
int mg_matmul_run(const mg_matmul_primitive *primitive, const mg_matmul_weights *weights, const float *a, const float *bias,
                  float *c, int threads);

/// oneDNN's name for the primitive's implementation, e.g. "brg:avx512_core".
const char *mg_matmul_implementation(const mg_matmul_primitive *primitive);

void mg_matmul_destroy(mg_matmul_primitive *primitive);
void mg_matmul_weights_destroy(mg_matmul_weights *weights);

#endif
