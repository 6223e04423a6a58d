#include "DNNLSupport.h"

#include <pthread.h>

static dnnl_engine_t engine = NULL;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void make_engine(void) {
    if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
}

dnnl_engine_t mg_dnnl_engine(void) {
    pthread_once(&engine_once, make_engine);
    return engine;
}

int mg_dnnl_execute(dnnl_primitive_t primitive, int count, const dnnl_exec_arg_t *args) {
    dnnl_stream_t stream;
    if (dnnl_stream_create(&stream, mg_dnnl_engine(), dnnl_stream_default_flags) != dnnl_success) return 1;
    int failed = dnnl_primitive_execute(primitive, stream, count, args) != dnnl_success
        || dnnl_stream_wait(stream) != dnnl_success;
    dnnl_stream_destroy(stream);
    return failed;
}

dnnl_memory_t mg_dnnl_reordered(const dnnl_memory_desc_t *from_md, const void *from, const dnnl_memory_desc_t *to_md) {
    dnnl_engine_t engine = mg_dnnl_engine();
    dnnl_memory_t source = NULL, target = NULL;
    dnnl_primitive_desc_t descriptor = NULL;
    dnnl_primitive_t reorder = NULL;
    int ok = dnnl_memory_create(&source, from_md, engine, (void *)from) == dnnl_success
        && dnnl_memory_create(&target, to_md, engine, DNNL_MEMORY_ALLOCATE) == dnnl_success
        && dnnl_reorder_primitive_desc_create(&descriptor, from_md, engine, to_md, engine, NULL) == dnnl_success
        && dnnl_primitive_create(&reorder, descriptor) == dnnl_success;
    if (ok) {
        dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, source}, {DNNL_ARG_TO, target}};
        ok = mg_dnnl_execute(reorder, 2, args) == 0;
    }
    if (reorder) dnnl_primitive_destroy(reorder);
    if (descriptor) dnnl_primitive_desc_destroy(descriptor);
    if (source) dnnl_memory_destroy(source);
    if (!ok && target) { dnnl_memory_destroy(target); target = NULL; }
    return target;
}
