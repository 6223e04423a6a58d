#ifndef MG_DNNL_SUPPORT_H
#define MG_DNNL_SUPPORT_H

#include <dnnl.h>

/// The one CPU engine every primitive of this target runs on (NULL when oneDNN cannot make one).
dnnl_engine_t mg_dnnl_engine(void);

/// Runs `primitive` once on `count` arguments with a stream of its own; 0 on success.
int mg_dnnl_execute(dnnl_primitive_t primitive, int count, const dnnl_exec_arg_t *args);

/// Reorders `from` (described by `from_md`) into a new memory of `to_md`; NULL on failure.
dnnl_memory_t mg_dnnl_reordered(const dnnl_memory_desc_t *from_md, const void *from, const dnnl_memory_desc_t *to_md);

/// libgomp's team size for the next parallel region (the threads oneDNN's primitives run on).
void omp_set_num_threads(int count);

#endif
