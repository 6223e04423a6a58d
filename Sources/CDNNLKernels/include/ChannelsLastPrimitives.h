#ifndef MG_CHANNELS_LAST_PRIMITIVES_H
#define MG_CHANNELS_LAST_PRIMITIVES_H

/// A oneDNN primitive on float channels-last (NHWC) activations, made for one input shape: a 2-D
/// convolution (weights reordered once into the primitive's own layout, bias added and the output
/// clamped to [low, high] as it stores), a 2-D max or average pool, or an LRN across channels.
typedef struct mg_nhwc_primitive mg_nhwc_primitive;

/// The geometry of one convolution: batch, channels, input plane, maps, groups, kernel, strides,
/// dilations (1 for none), pads (top, left, bottom, right) and output plane.
typedef struct {
    int batch, channels, height, width, maps, groups;
    int kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
    int pad_top, pad_left, pad_bottom, pad_right, out_h, out_w;
} mg_nhwc_conv_geometry;

/// The geometry of one pool, as for a convolution without maps and groups.
typedef struct {
    int batch, channels, height, width;
    int kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
    int pad_top, pad_left, pad_bottom, pad_right, out_h, out_w;
} mg_nhwc_pool_geometry;

/// What a convolution applies to each output after the clamp.
typedef enum {
    MG_NHWC_IDENTITY = 0,
    /// 1 / (1 + e^-x)
    MG_NHWC_SIGMOID = 1,
    /// x · sigmoid(x)
    MG_NHWC_SILU = 2,
    /// x · min(max(x + 3, 0), 6) / 6
    MG_NHWC_HARD_SWISH = 3,
    /// min(max(alpha · x + beta, 0), 1)
    MG_NHWC_HARD_SIGMOID = 4,
    /// max(x, 0)
    MG_NHWC_RELU = 5,
} mg_nhwc_activation;

/// The convolution for `geometry` with `weights` ([maps, channels / groups, kernel_h, kernel_w],
/// row-major) and `bias` (maps values, or NULL), clamping when `clamps`, then adding a residual of
/// the output's shape when `residual` (given to `mg_nhwc_run`), then applying `activation` (with
/// `alpha` and `beta` for the hard sigmoid); NULL when oneDNN has no primitive for it. Neither
/// array is read after the call returns.
mg_nhwc_primitive *mg_nhwc_conv_create(const mg_nhwc_conv_geometry *geometry, const float *weights, const float *bias,
                                       float low, float high, int clamps, int residual, mg_nhwc_activation activation,
                                       float alpha, float beta);

/// The pool for `geometry`: `algorithm` 0 max, 1 average counting the padding, 2 average over the
/// taps inside the input; NULL when oneDNN has no primitive for it.
mg_nhwc_primitive *mg_nhwc_pool_create(const mg_nhwc_pool_geometry *geometry, int algorithm);

/// An LRN across channels (`y = x · (bias + alpha / size · Σ x²)^−beta` over the `size` channels
/// centred on each); NULL when `size` is even or oneDNN has no primitive for it.
mg_nhwc_primitive *mg_nhwc_lrn_create(int batch, int channels, int height, int width, int size, float alpha, float beta,
                                      float bias);

/// Runs the primitive on `source` ([batch, height, width, channels]) into `target` ([batch,
/// out_h, out_w, maps or channels]) on `threads` threads, with `residual` (the target's shape) for
/// a convolution made to add one, else NULL. Safe to call from several threads at once. Returns 0
/// on success.
int mg_nhwc_run(const mg_nhwc_primitive *primitive, const float *source, const float *residual, float *target, int threads);

/// oneDNN's name for the implementation the primitive runs (e.g. "brgconv:avx512_core").
const char *mg_nhwc_implementation(const mg_nhwc_primitive *primitive);

void mg_nhwc_destroy(mg_nhwc_primitive *primitive);

/// Copies a [n, c, h, w] float tensor to [n, h, w, c] (`to_channels_last` 1) or back (0) with a
/// oneDNN reorder on `threads` threads. Returns 0 on success.
int mg_nhwc_reorder(const float *source, float *target, int n, int c, int h, int w, int to_channels_last, int threads);

#endif
