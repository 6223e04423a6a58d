#include "MatMulPrimitives.h"
#include "DNNLSupport.h"

#include <stdlib.h>
#include <string.h>

struct mg_matmul_weights {
    int k, n;
    dnnl_memory_desc_t layout;
    dnnl_memory_t memory;
};

struct mg_matmul_primitive {
    int rows, n;
    dnnl_primitive_t primitive;
    dnnl_memory_desc_t source, target, bias, scratchpad;
    size_t scratchpad_size;
    int has_bias;
    const char *implementation;
};

/// The matmul of `rows` × `k` by `weights_md` (`k` × `n`), with a [1, n] bias when `bias`;
/// 0 on failure.
static int describe(dnnl_primitive_desc_t *descriptor, int rows, int k, int n, const dnnl_memory_desc_t *weights_md, int bias,
                    dnnl_memory_desc_t *source_md, dnnl_memory_desc_t *target_md, dnnl_memory_desc_t *bias_md) {
    dnnl_dims_t source_dims = {rows, k}, target_dims = {rows, n}, bias_dims = {1, n};
    dnnl_primitive_attr_t attributes = NULL;
    dnnl_matmul_desc_t description;
    int ok = dnnl_memory_desc_init_by_tag(source_md, 2, source_dims, dnnl_f32, dnnl_ab) == dnnl_success
        && dnnl_memory_desc_init_by_tag(target_md, 2, target_dims, dnnl_f32, dnnl_ab) == dnnl_success
        && dnnl_memory_desc_init_by_tag(bias_md, 2, bias_dims, dnnl_f32, dnnl_ab) == dnnl_success
        && dnnl_matmul_desc_init(&description, source_md, weights_md, bias ? bias_md : NULL, target_md) == dnnl_success
        && dnnl_primitive_attr_create(&attributes) == dnnl_success
        && dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user) == dnnl_success
        && dnnl_primitive_desc_create(descriptor, &description, attributes, mg_dnnl_engine(), NULL) == dnnl_success;
    if (attributes) dnnl_primitive_attr_destroy(attributes);
    return ok;
}

mg_matmul_weights *mg_matmul_weights_create(const float *matrix, int k, int n, long row_stride, long column_stride, int rows) {
    if (!mg_dnnl_engine() || k < 1 || n < 1 || rows < 1) return NULL;
    dnnl_dims_t dims = {k, n}, strides = {row_stride, column_stride};
    dnnl_memory_desc_t user_md, any_md, source_md, target_md, bias_md;
    dnnl_primitive_desc_t descriptor = NULL;
    mg_matmul_weights *weights = calloc(1, sizeof(mg_matmul_weights));
    int ok = weights && dnnl_memory_desc_init_by_strides(&user_md, 2, dims, dnnl_f32, strides) == dnnl_success
        && dnnl_memory_desc_init_by_tag(&any_md, 2, dims, dnnl_f32, dnnl_format_tag_any) == dnnl_success
        && describe(&descriptor, rows, k, n, &any_md, 1, &source_md, &target_md, &bias_md);
    if (ok) {
        weights->k = k;
        weights->n = n;
        weights->layout = *dnnl_primitive_desc_query_md(descriptor, dnnl_query_weights_md, 0);
        weights->memory = mg_dnnl_reordered(&user_md, matrix, &weights->layout);
        ok = weights->memory != NULL;
    }
    if (descriptor) dnnl_primitive_desc_destroy(descriptor);
    if (!ok) { mg_matmul_weights_destroy(weights); return NULL; }
    return weights;
}

mg_matmul_primitive *mg_matmul_create(const mg_matmul_weights *weights, int rows, int bias) {
    if (!weights || rows < 1) return NULL;
    dnnl_primitive_desc_t descriptor = NULL;
    mg_matmul_primitive *primitive = calloc(1, sizeof(mg_matmul_primitive));
    int ok = primitive && describe(&descriptor, rows, weights->k, weights->n, &weights->layout, bias, &primitive->source,
                                   &primitive->target, &primitive->bias);
    if (ok) {
        const char *implementation = NULL;
        dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &implementation);
        primitive->implementation = strdup(implementation ? implementation : "unknown");
        primitive->scratchpad = *dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0);
        primitive->scratchpad_size = dnnl_memory_desc_get_size(&primitive->scratchpad);
        primitive->rows = rows;
        primitive->n = weights->n;
        primitive->has_bias = bias;
        ok = primitive->implementation && dnnl_primitive_create(&primitive->primitive, descriptor) == dnnl_success;
    }
    if (descriptor) dnnl_primitive_desc_destroy(descriptor);
    if (!ok) { mg_matmul_destroy(primitive); return NULL; }
    return primitive;
}

int mg_matmul_run(const mg_matmul_primitive *primitive, const mg_matmul_weights *weights, const float *a, const float *bias,
                  float *c, int threads) {
    dnnl_engine_t engine = mg_dnnl_engine();
    if (!primitive || !weights || (primitive->has_bias && !bias)) return 1;
    dnnl_memory_t source = NULL, target = NULL, bias_memory = NULL, scratchpad_memory = NULL;
    void *scratchpad = primitive->scratchpad_size ? aligned_alloc(64, (primitive->scratchpad_size + 63) / 64 * 64) : NULL;
    int failed = (primitive->scratchpad_size && !scratchpad)
        || dnnl_memory_create(&source, &primitive->source, engine, (void *)a) != dnnl_success
        || dnnl_memory_create(&target, &primitive->target, engine, c) != dnnl_success
        || dnnl_memory_create(&scratchpad_memory, &primitive->scratchpad, engine, scratchpad) != dnnl_success
        || (primitive->has_bias && dnnl_memory_create(&bias_memory, &primitive->bias, engine, (void *)bias) != dnnl_success);
    if (!failed) {
        omp_set_num_threads(threads < 1 ? 1 : threads);
        dnnl_exec_arg_t args[5] = {
            {DNNL_ARG_SRC, source}, {DNNL_ARG_WEIGHTS, weights->memory}, {DNNL_ARG_DST, target},
            {DNNL_ARG_SCRATCHPAD, scratchpad_memory}, {DNNL_ARG_BIAS, bias_memory},
        };
        failed = mg_dnnl_execute(primitive->primitive, primitive->has_bias ? 5 : 4, args);
    }
    if (source) dnnl_memory_destroy(source);
    if (target) dnnl_memory_destroy(target);
    if (bias_memory) dnnl_memory_destroy(bias_memory);
    if (scratchpad_memory) dnnl_memory_destroy(scratchpad_memory);
    free(scratchpad);
    return failed;
}

const char *mg_matmul_implementation(const mg_matmul_primitive *primitive) { return primitive->implementation; }

void mg_matmul_destroy(mg_matmul_primitive *primitive) {
    if (!primitive) return;
    if (primitive->primitive) dnnl_primitive_destroy(primitive->primitive);
    free((void *)primitive->implementation);
    free(primitive);
}

void mg_matmul_weights_destroy(mg_matmul_weights *weights) {
    if (!weights) return;
    if (weights->memory) dnnl_memory_destroy(weights->memory);
    free(weights);
}
