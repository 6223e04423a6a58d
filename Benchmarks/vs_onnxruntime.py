#!/usr/bin/env python3
"""Side-by-side latency of ModelGate and ONNX Runtime on the same models, inputs and thread counts.

For every model and thread count: `modelgate bench MODEL --threads N --json` (p50/p90/p99, peak RSS),
then ONNX Runtime with intra_op_num_threads = N, inter_op_num_threads = 1, sequential execution,
on the inputs ModelGate generates: arange(n).reshape(shape) / n as float32 per fed input (symbolic
dimensions as 1), the fill of onnx's light-model runner. Prints a table with the p50 ratio
ModelGate / ONNX Runtime, and writes the rows as JSON with --json-out.

Usage: $PY Benchmarks/vs_onnxruntime.py --modelgate .build/release/modelgate [--threads 1,2]
       [--iterations 30] [--warmup 5] [--target 1.5] MODEL.onnx ...
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort

ONNX_TYPES = {
    onnx.TensorProto.FLOAT: np.float32, onnx.TensorProto.DOUBLE: np.float64, onnx.TensorProto.FLOAT16: np.float16,
    onnx.TensorProto.INT64: np.int64, onnx.TensorProto.INT32: np.int32, onnx.TensorProto.INT8: np.int8,
    onnx.TensorProto.UINT8: np.uint8, onnx.TensorProto.BOOL: np.bool_,
}


def generated_inputs(path):
    """arange(n).reshape(shape) / n per graph input that has no initializer."""
    model = onnx.load(path, load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    feeds = {}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        tensor = value.type.tensor_type
        shape = [d.dim_value if d.HasField("dim_value") else 1 for d in tensor.shape.dim]
        n = int(np.prod(shape)) if shape else 1
        data = (np.arange(n).reshape(shape) / max(n, 1))
        feeds[value.name] = data.astype(ONNX_TYPES.get(tensor.elem_type, np.float32))
    return feeds


def percentile(sorted_values, p):
    """Nearest rank, as `modelgate bench` reports it."""
    rank = max(1, min(len(sorted_values), int(np.ceil(p / 100 * len(sorted_values)))))
    return sorted_values[rank - 1]


def bench_onnxruntime(path, threads, iterations, warmup):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    feeds = generated_inputs(path)
    for _ in range(warmup):
        session.run(None, feeds)
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        session.run(None, feeds)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"p50_ms": percentile(samples, 50), "p90_ms": percentile(samples, 90), "p99_ms": percentile(samples, 99)}


def bench_modelgate(binary, path, threads, iterations, warmup):
    command = [binary, "bench", path, "--threads", str(threads), "--iterations", str(iterations),
               "--warmup", str(warmup), "--json"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:] or ["exit %d" % done.returncode]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def load_average():
    try:
        return os.getloadavg()
    except OSError:
        return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+")
    parser.add_argument("--modelgate", required=True)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--target", type=float, default=1.5)
    parser.add_argument("--json-out")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]

    print(f"date (UTC): {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())}")
    print(f"host: {platform.node()}  cpus: {os.cpu_count()}  load average at start: {load_average()}")
    print(f"onnxruntime {ort.__version__}, onnx {onnx.__version__}")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        print(f"{name}={os.environ.get(name, '(unset)')}")
    print(f"iterations {args.iterations}, warm-up {args.warmup}; p50 in ms; ratio = ModelGate p50 / ONNX Runtime p50; "
          f"target <= {args.target}")
    print()
    header = f"{'model':<28} {'thr':>3} {'ModelGate':>10} {'ORT':>9} {'ratio':>6}  {'MG p90':>8} {'MG peak MiB':>11}  verdict"
    print(header)
    print("-" * len(header))
    rows = []
    for path in args.models:
        name = os.path.basename(os.path.dirname(path)) if os.path.basename(path) == "model.onnx" else os.path.basename(path)
        for count in threads:
            mine = bench_modelgate(args.modelgate, path, count, args.iterations, args.warmup)
            try:
                theirs = bench_onnxruntime(path, count, args.iterations, args.warmup)
            except Exception as error:  # noqa: BLE001 - a model ONNX Runtime refuses still gets a row
                theirs = {"error": [f"{type(error).__name__}: {error}"]}
            row = {"model": name, "path": path, "threads": count, "modelgate": mine, "onnxruntime": theirs}
            if "error" in mine or "error" in theirs:
                print(f"{name:<28} {count:>3}  error: {(mine.get('error') or theirs.get('error'))[0][:80]}")
            else:
                ratio = mine["p50_ms"] / theirs["p50_ms"]
                row["ratio"] = ratio
                peak = mine.get("peak_rss_bytes")
                peak_text = f"{peak / 1048576:.0f}" if peak else "?"
                verdict = "ok" if ratio <= args.target else "MISS"
                print(f"{name:<28} {count:>3} {mine['p50_ms']:>10.2f} {theirs['p50_ms']:>9.2f} {ratio:>6.2f}  "
                      f"{mine['p90_ms']:>8.2f} {peak_text:>11}  {verdict}", flush=True)
            rows.append(row)
    print()
    print(f"load average at end: {load_average()}")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"rows": rows, "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
