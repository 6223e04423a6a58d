#include "OpenMPTeam.h"

/// libgomp's entry for `#pragma omp parallel` (GCC's OpenMP ABI), which oneDNN's libgomp build runs on.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
int omp_in_parallel(void);
int omp_get_thread_num(void);
int omp_get_num_threads(void);

struct team_loop {
    mg_team_body body;
    void *context;
    long parts;
    long next;
    int size;
};

/// Thread t runs part t first (so a loop of one part per thread gives every thread the same part
/// as the loop before it, and the memory it last wrote), then claims the parts past the requested
/// team's size; the caller runs the first parts of threads libgomp did not start.
static void claim_parts(void *data) {
    struct team_loop *loop = data;
    int thread = omp_get_thread_num();
    if (thread == 0) loop->size = omp_get_num_threads();
    if (thread < loop->parts) loop->body(loop->context, thread);
    for (;;) {
        long part = __atomic_fetch_add(&loop->next, 1, __ATOMIC_RELAXED);
        if (part >= loop->parts) return;
        loop->body(loop->context, part);
    }
}

void mg_team_run(long parts, int threads, void *context, mg_team_body body) {
    if (threads <= 1 || parts <= 1 || omp_in_parallel()) {
        for (long part = 0; part < parts; part++) body(context, part);
        return;
    }
    unsigned team = (unsigned)(threads < parts ? threads : parts);
    struct team_loop loop = {body, context, parts, team, (int)team};
    GOMP_parallel(claim_parts, &loop, team, 0);
    for (long part = loop.size; part < (long)team; part++) body(context, part);
}
