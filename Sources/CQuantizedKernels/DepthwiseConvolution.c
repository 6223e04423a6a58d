#include "CQuantizedKernels.h"
#include "Epilogue.h"

#include <string.h>

/// The padded plane's extent along one axis: every input coordinate any output reads.
static int padded_extent(int in, int k, int stride, int dilation, int pad, int out) {
    int last = (out - 1) * stride + (k - 1) * dilation + 1;
    int extent = pad + in;
    return last > extent ? last : extent;
}

size_t mg_depthwise_scratch_size(int in_h, int in_w, int k_h, int k_w, int stride_h, int stride_w, int dilation_h, int dilation_w,
                                 int pad_h, int pad_w, int out_h, int out_w) {
    size_t h = (size_t)padded_extent(in_h, k_h, stride_h, dilation_h, pad_h, out_h);
    size_t w = (size_t)padded_extent(in_w, k_w, stride_w, dilation_w, pad_w, out_w);
    size_t accumulators = (size_t)out_h * w > (size_t)out_w ? (size_t)out_h * w : (size_t)out_w;
    return h * w * sizeof(int16_t) + accumulators * sizeof(int32_t);
}

/// The kernel body, inlined into a baseline and an AVX2 copy (the tap loops vectorize on int32 lanes).
static inline __attribute__((always_inline))
void depthwise(const uint8_t *x, int is_signed, int32_t zero, int in_h, int in_w, const int8_t *w, int k_h, int k_w,
               int stride_h, int stride_w, int dilation_h, int dilation_w, int pad_h, int pad_w, int out_h, int out_w,
               const mg_epilogue *e, void *scratch, void *out) {
    int ph = padded_extent(in_h, k_h, stride_h, dilation_h, pad_h, out_h);
    int pw = padded_extent(in_w, k_w, stride_w, dilation_w, pad_w, out_w);
    int16_t *plane = (int16_t *)scratch;
    int32_t *acc = (int32_t *)(plane + (size_t)ph * pw);
    memset(plane, 0, (size_t)ph * pw * sizeof(int16_t));
    for (int y = 0; y < in_h; y++) {
        int16_t *row = plane + (size_t)(y + pad_h) * pw + pad_w;
        const uint8_t *source = x + (size_t)y * in_w;
        if (is_signed) {
            for (int i = 0; i < in_w; i++) row[i] = (int16_t)((int32_t)(int8_t)source[i] - zero);
        } else {
            for (int i = 0; i < in_w; i++) row[i] = (int16_t)((int32_t)source[i] - zero);
        }
    }
    if (stride_h == 1 && stride_w == 1) {
        // Unit strides: every tap is one pass over all rows at once, in the padded plane's row pitch.
        size_t length = (size_t)(out_h - 1) * pw + out_w;
        memset(acc, 0, length * sizeof(int32_t));
        for (int ky = 0; ky < k_h; ky++)
            for (int kx = 0; kx < k_w; kx++) {
                int32_t weight = w[ky * k_w + kx];
                const int16_t *tap = plane + (size_t)ky * dilation_h * pw + (size_t)kx * dilation_w;
                for (size_t i = 0; i < length; i++) acc[i] += (int32_t)tap[i] * weight;
            }
        for (int oy = 0; oy < out_h; oy++) {
            const int32_t *sums = acc + (size_t)oy * pw;
            for (int ox = 0; ox < out_w; ox++) mg_epilogue_store1(e, 0, sums[ox], out, (size_t)oy * out_w + ox);
        }
        return;
    }
    for (int oy = 0; oy < out_h; oy++) {
        memset(acc, 0, (size_t)out_w * sizeof(int32_t));
        for (int ky = 0; ky < k_h; ky++) {
            const int16_t *row = plane + (size_t)(oy * stride_h + ky * dilation_h) * pw;
            for (int kx = 0; kx < k_w; kx++) {
                int32_t weight = w[ky * k_w + kx];
                const int16_t *tap = row + kx * dilation_w;
                if (stride_w == 1) {
                    for (int ox = 0; ox < out_w; ox++) acc[ox] += (int32_t)tap[ox] * weight;
                } else {
                    for (int ox = 0; ox < out_w; ox++) acc[ox] += (int32_t)tap[(size_t)ox * stride_w] * weight;
                }
            }
        }
        for (int ox = 0; ox < out_w; ox++) mg_epilogue_store1(e, 0, acc[ox], out, (size_t)oy * out_w + ox);
    }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("avx2")))
static void depthwise_avx2(const uint8_t *x, int is_signed, int32_t zero, int in_h, int in_w, const int8_t *w, int k_h, int k_w,
                           int stride_h, int stride_w, int dilation_h, int dilation_w, int pad_h, int pad_w, int out_h, int out_w,
                           const mg_epilogue *e, void *scratch, void *out) {
    depthwise(x, is_signed, zero, in_h, in_w, w, k_h, k_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w, out_h, out_w,
              e, scratch, out);
}
#endif

void mg_depthwise_u8(const uint8_t *x, int is_signed, int32_t zero, int in_h, int in_w, const int8_t *w, int k_h, int k_w,
                     int stride_h, int stride_w, int dilation_h, int dilation_w, int pad_h, int pad_w, int out_h, int out_w,
                     const mg_epilogue *e, void *scratch, void *out) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    if (mg_qgemm_best_path() >= MG_QGEMM_PATH_AVX2) {
        depthwise_avx2(x, is_signed, zero, in_h, in_w, w, k_h, k_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w,
                       out_h, out_w, e, scratch, out);
        return;
    }
#endif
    depthwise(x, is_signed, zero, in_h, in_w, w, k_h, k_w, stride_h, stride_w, dilation_h, dilation_w, pad_h, pad_w, out_h, out_w,
              e, scratch, out);
}
