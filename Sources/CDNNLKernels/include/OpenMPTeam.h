#ifndef MG_OPENMP_TEAM_H
#define MG_OPENMP_TEAM_H

/// One part of a parallel loop: `body(context, part)`.
typedef void (*mg_team_body)(void *context, long part);

/// Runs `body(context, part)` for every part in [0, parts) on a team of `threads` OpenMP threads
/// (the caller among them) — the threads oneDNN's primitives run on, so the executor's loops and
/// oneDNN never keep two sets of threads spinning on the same cores. Parts are claimed one at a
/// time; returns when all have finished. Called from inside a part, the loop runs on the calling
/// thread alone.
void mg_team_run(long parts, int threads, void *context, mg_team_body body);

#endif
