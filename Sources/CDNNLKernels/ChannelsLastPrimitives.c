#include "ChannelsLastPrimitives.h"

#include "DNNLSupport.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct mg_nhwc_primitive {
    dnnl_primitive_t primitive;
    dnnl_memory_desc_t source, target;
    dnnl_memory_t weights, bias;
    size_t scratchpad_size;
    dnnl_memory_desc_t scratchpad;
    const char *implementation;
    /// The execution argument of the residual a convolution adds (a binary post-op's second
    /// source), 0 when it adds none.
    int residual_argument;
};

static void set_dims(dnnl_dims_t dims, int count, const int *values) {
    for (int i = 0; i < count; i++) dims[i] = values[i];
}

/// Takes the source, target and scratchpad layouts and the implementation's name from
/// `descriptor` into `primitive` and makes its primitive; 0 on failure.
static int adopt(mg_nhwc_primitive *primitive, const_dnnl_primitive_desc_t descriptor) {
    const dnnl_memory_desc_t *source = dnnl_primitive_desc_query_md(descriptor, dnnl_query_src_md, 0);
    const dnnl_memory_desc_t *target = dnnl_primitive_desc_query_md(descriptor, dnnl_query_dst_md, 0);
    const dnnl_memory_desc_t *scratchpad = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0);
    const char *implementation = NULL;
    dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &implementation);
    primitive->implementation = strdup(implementation ? implementation : "unknown");
    primitive->source = *source;
    primitive->target = *target;
    primitive->scratchpad = *scratchpad;
    primitive->scratchpad_size = dnnl_memory_desc_get_size(scratchpad);
    return primitive->implementation && dnnl_primitive_create(&primitive->primitive, descriptor) == dnnl_success;
}

/// The primitive for an operation `description` (without weights) with a user scratchpad; NULL on failure.
static mg_nhwc_primitive *made(const_dnnl_op_desc_t description) {
    dnnl_primitive_attr_t attributes = NULL;
    dnnl_primitive_desc_t descriptor = NULL;
    mg_nhwc_primitive *primitive = calloc(1, sizeof(mg_nhwc_primitive));
    int ok = primitive && dnnl_primitive_attr_create(&attributes) == dnnl_success
        && dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user) == dnnl_success
        && dnnl_primitive_desc_create(&descriptor, description, attributes, mg_dnnl_engine(), NULL) == dnnl_success
        && adopt(primitive, descriptor);
    if (descriptor) dnnl_primitive_desc_destroy(descriptor);
    if (attributes) dnnl_primitive_attr_destroy(attributes);
    if (!ok) { mg_nhwc_destroy(primitive); return NULL; }
    return primitive;
}

mg_nhwc_primitive *mg_nhwc_conv_create(const mg_nhwc_conv_geometry *g, const float *weights, const float *bias,
                                       float low, float high, int clamps, int residual, mg_nhwc_activation activation,
                                       float alpha, float beta) {
    dnnl_engine_t engine = mg_dnnl_engine();
    if (!engine || g->groups < 1 || g->channels % g->groups || g->maps % g->groups) return NULL;
    dnnl_dims_t source_dims, target_dims, weight_dims, bias_dims, strides, dilations, pad_begin, pad_end;
    set_dims(source_dims, 4, (int[]){g->batch, g->channels, g->height, g->width});
    set_dims(target_dims, 4, (int[]){g->batch, g->maps, g->out_h, g->out_w});
    int grouped = g->groups > 1;
    if (grouped) {
        set_dims(weight_dims, 5, (int[]){g->groups, g->maps / g->groups, g->channels / g->groups, g->kernel_h, g->kernel_w});
    } else {
        set_dims(weight_dims, 4, (int[]){g->maps, g->channels, g->kernel_h, g->kernel_w});
    }
    set_dims(bias_dims, 1, (int[]){g->maps});
    set_dims(strides, 2, (int[]){g->stride_h, g->stride_w});
    set_dims(dilations, 2, (int[]){g->dilation_h - 1, g->dilation_w - 1});
    set_dims(pad_begin, 2, (int[]){g->pad_top, g->pad_left});
    set_dims(pad_end, 2, (int[]){g->pad_bottom, g->pad_right});

    dnnl_memory_desc_t source_md, target_md, weight_md, user_weight_md, bias_md;
    if (dnnl_memory_desc_init_by_tag(&source_md, 4, source_dims, dnnl_f32, dnnl_nhwc) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&target_md, 4, target_dims, dnnl_f32, dnnl_nhwc) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&weight_md, grouped ? 5 : 4, weight_dims, dnnl_f32, dnnl_format_tag_any) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&user_weight_md, grouped ? 5 : 4, weight_dims, dnnl_f32, grouped ? dnnl_goihw : dnnl_oihw) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&bias_md, 1, bias_dims, dnnl_f32, dnnl_x) != dnnl_success) return NULL;

    dnnl_convolution_desc_t description;
    if (dnnl_dilated_convolution_forward_desc_init(&description, dnnl_forward_inference, dnnl_convolution_direct,
                                                   &source_md, &weight_md, &bias_md, &target_md,
                                                   strides, dilations, pad_begin, pad_end) != dnnl_success) return NULL;
    dnnl_primitive_attr_t attributes = NULL;
    dnnl_post_ops_t post_ops = NULL;
    dnnl_primitive_desc_t descriptor = NULL;
    mg_nhwc_primitive *conv = calloc(1, sizeof(mg_nhwc_primitive));
    int ok = conv && dnnl_primitive_attr_create(&attributes) == dnnl_success
        && dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user) == dnnl_success;
    if (ok && (clamps || residual || activation != MG_NHWC_IDENTITY)) {
        ok = dnnl_post_ops_create(&post_ops) == dnnl_success
            && (!clamps || dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_clip, low, high) == dnnl_success)
            && (!residual || dnnl_post_ops_append_binary(post_ops, dnnl_binary_add, &target_md) == dnnl_success);
        if (ok && residual) conv->residual_argument = DNNL_ARG_ATTR_MULTIPLE_POST_OP(clamps ? 1 : 0) | DNNL_ARG_SRC_1;
        switch (activation) {
        case MG_NHWC_IDENTITY: break;
        case MG_NHWC_RELU: ok = ok && dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_relu, 0, 0) == dnnl_success; break;
        case MG_NHWC_SIGMOID: ok = ok && dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_logistic, 0, 0) == dnnl_success; break;
        case MG_NHWC_SILU: ok = ok && dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_swish, 1.0f, 0) == dnnl_success; break;
        case MG_NHWC_HARD_SWISH: ok = ok && dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_hardswish, 0, 0) == dnnl_success; break;
        case MG_NHWC_HARD_SIGMOID:
            /* clip_v2: oneDNN 2.6 computes a second clip post-op after the clamp's wrongly; clip_v2 differs from clip only at the bounds' gradient */
            ok = ok && dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_linear, alpha, beta) == dnnl_success
                && dnnl_post_ops_append_eltwise(post_ops, 1.0f, dnnl_eltwise_clip_v2, 0.0f, 1.0f) == dnnl_success;
            break;
        default: ok = 0;
        }
        ok = ok && dnnl_primitive_attr_set_post_ops(attributes, post_ops) == dnnl_success;
    }
    ok = ok && dnnl_primitive_desc_create(&descriptor, &description, attributes, engine, NULL) == dnnl_success;
    if (ok) {
        const dnnl_memory_desc_t *chosen_weights = dnnl_primitive_desc_query_md(descriptor, dnnl_query_weights_md, 0);
        conv->weights = mg_dnnl_reordered(&user_weight_md, weights, chosen_weights);
        ok = conv->weights != NULL
            && dnnl_memory_create(&conv->bias, &bias_md, engine, DNNL_MEMORY_ALLOCATE) == dnnl_success
            && adopt(conv, descriptor);
        if (ok) {
            void *handle = NULL;
            ok = dnnl_memory_get_data_handle(conv->bias, &handle) == dnnl_success && handle;
            if (ok) {
                if (bias) memcpy(handle, bias, sizeof(float) * (size_t)g->maps);
                else memset(handle, 0, sizeof(float) * (size_t)g->maps);
            }
        }
    }
    if (descriptor) dnnl_primitive_desc_destroy(descriptor);
    if (post_ops) dnnl_post_ops_destroy(post_ops);
    if (attributes) dnnl_primitive_attr_destroy(attributes);
    if (!ok) { mg_nhwc_destroy(conv); return NULL; }
    return conv;
}

mg_nhwc_primitive *mg_nhwc_pool_create(const mg_nhwc_pool_geometry *g, int algorithm) {
    dnnl_engine_t engine = mg_dnnl_engine();
    if (!engine) return NULL;
    dnnl_alg_kind_t kinds[3] = {dnnl_pooling_max, dnnl_pooling_avg_include_padding, dnnl_pooling_avg_exclude_padding};
    if (algorithm < 0 || algorithm > 2) return NULL;
    dnnl_dims_t source_dims, target_dims, strides, kernel, dilations, pad_begin, pad_end;
    set_dims(source_dims, 4, (int[]){g->batch, g->channels, g->height, g->width});
    set_dims(target_dims, 4, (int[]){g->batch, g->channels, g->out_h, g->out_w});
    set_dims(strides, 2, (int[]){g->stride_h, g->stride_w});
    set_dims(kernel, 2, (int[]){g->kernel_h, g->kernel_w});
    set_dims(dilations, 2, (int[]){g->dilation_h - 1, g->dilation_w - 1});
    set_dims(pad_begin, 2, (int[]){g->pad_top, g->pad_left});
    set_dims(pad_end, 2, (int[]){g->pad_bottom, g->pad_right});
    dnnl_memory_desc_t source_md, target_md;
    if (dnnl_memory_desc_init_by_tag(&source_md, 4, source_dims, dnnl_f32, dnnl_nhwc) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&target_md, 4, target_dims, dnnl_f32, dnnl_nhwc) != dnnl_success) return NULL;
    dnnl_pooling_v2_desc_t description;
    if (dnnl_pooling_v2_forward_desc_init(&description, dnnl_forward_inference, kinds[algorithm], &source_md, &target_md,
                                          strides, kernel, dilations, pad_begin, pad_end) != dnnl_success) return NULL;
    return made(&description);
}

mg_nhwc_primitive *mg_nhwc_lrn_create(int batch, int channels, int height, int width, int size, float alpha, float beta,
                                      float bias) {
    dnnl_engine_t engine = mg_dnnl_engine();
    if (!engine || size < 1 || size % 2 == 0) return NULL;
    dnnl_dims_t dims;
    set_dims(dims, 4, (int[]){batch, channels, height, width});
    dnnl_memory_desc_t md;
    dnnl_lrn_desc_t description;
    if (dnnl_memory_desc_init_by_tag(&md, 4, dims, dnnl_f32, dnnl_nhwc) != dnnl_success
        || dnnl_lrn_forward_desc_init(&description, dnnl_forward_inference, dnnl_lrn_across_channels, &md, size, alpha, beta,
                                      bias) != dnnl_success) return NULL;
    return made(&description);
}

int mg_nhwc_run(const mg_nhwc_primitive *primitive, const float *source, const float *residual, float *target, int threads) {
    dnnl_engine_t engine = mg_dnnl_engine();
    dnnl_memory_t source_memory = NULL, target_memory = NULL, scratchpad_memory = NULL, residual_memory = NULL;
    void *scratchpad = primitive->scratchpad_size ? aligned_alloc(64, (primitive->scratchpad_size + 63) / 64 * 64) : NULL;
    int adds = primitive->residual_argument != 0;
    int failed = (primitive->scratchpad_size && !scratchpad) || (adds && !residual)
        || dnnl_memory_create(&source_memory, &primitive->source, engine, (void *)source) != dnnl_success
        || dnnl_memory_create(&target_memory, &primitive->target, engine, target) != dnnl_success
        || dnnl_memory_create(&scratchpad_memory, &primitive->scratchpad, engine, scratchpad) != dnnl_success
        || (adds && dnnl_memory_create(&residual_memory, &primitive->target, engine, (void *)residual) != dnnl_success);
    if (!failed) {
        omp_set_num_threads(threads < 1 ? 1 : threads);
        dnnl_exec_arg_t args[6] = {
            {DNNL_ARG_SRC, source_memory}, {DNNL_ARG_DST, target_memory}, {DNNL_ARG_SCRATCHPAD, scratchpad_memory},
            {DNNL_ARG_WEIGHTS, primitive->weights}, {DNNL_ARG_BIAS, primitive->bias}, {primitive->residual_argument, residual_memory},
        };
        failed = mg_dnnl_execute(primitive->primitive, primitive->weights ? (adds ? 6 : 5) : 3, args);
    }
    if (source_memory) dnnl_memory_destroy(source_memory);
    if (target_memory) dnnl_memory_destroy(target_memory);
    if (residual_memory) dnnl_memory_destroy(residual_memory);
    if (scratchpad_memory) dnnl_memory_destroy(scratchpad_memory);
    free(scratchpad);
    return failed;
}

const char *mg_nhwc_implementation(const mg_nhwc_primitive *primitive) { return primitive->implementation; }

void mg_nhwc_destroy(mg_nhwc_primitive *primitive) {
    if (!primitive) return;
    if (primitive->primitive) dnnl_primitive_destroy(primitive->primitive);
    if (primitive->weights) dnnl_memory_destroy(primitive->weights);
    if (primitive->bias) dnnl_memory_destroy(primitive->bias);
    free((void *)primitive->implementation);
    free(primitive);
}

int mg_nhwc_reorder(const float *source, float *target, int n, int c, int h, int w, int to_channels_last, int threads) {
    dnnl_engine_t engine = mg_dnnl_engine();
    if (!engine) return 1;
    dnnl_dims_t dims;
    set_dims(dims, 4, (int[]){n, c, h, w});
    dnnl_memory_desc_t from_md, to_md;
    if (dnnl_memory_desc_init_by_tag(&from_md, 4, dims, dnnl_f32, to_channels_last ? dnnl_nchw : dnnl_nhwc) != dnnl_success
        || dnnl_memory_desc_init_by_tag(&to_md, 4, dims, dnnl_f32, to_channels_last ? dnnl_nhwc : dnnl_nchw) != dnnl_success) return 1;
    dnnl_memory_t from = NULL, to = NULL;
    dnnl_primitive_desc_t descriptor = NULL;
    dnnl_primitive_t reorder = NULL;
    int ok = dnnl_memory_create(&from, &from_md, engine, (void *)source) == dnnl_success
        && dnnl_memory_create(&to, &to_md, engine, target) == dnnl_success
        && dnnl_reorder_primitive_desc_create(&descriptor, &from_md, engine, &to_md, engine, NULL) == dnnl_success
        && dnnl_primitive_create(&reorder, descriptor) == dnnl_success;
    if (ok) {
        omp_set_num_threads(threads < 1 ? 1 : threads);
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
        ok = mg_dnnl_execute(reorder, 2, args) == 0;
    }
    if (reorder) dnnl_primitive_destroy(reorder);
    if (descriptor) dnnl_primitive_desc_destroy(descriptor);
    if (from) dnnl_memory_destroy(from);
    if (to) dnnl_memory_destroy(to);
    return !ok;
}
