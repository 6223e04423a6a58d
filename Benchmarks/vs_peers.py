#!/usr/bin/env python3
"""Latency of ModelGate, ONNX Runtime and OpenVINO side by side, on the same files, inputs and threads.

For every model and thread count, `--rounds` rounds (default 3); each round runs the three runtimes
one after the other (the order rotates from round to round) and takes each one's p50 over
`--iterations` timed runs after `--warmup` untimed ones. The table shows the median of the rounds'
p50s and ModelGate / fastest peer.

- ModelGate: `modelgate bench MODEL --threads N --json` (the fast plan, as `run` measures it).
- ONNX Runtime: intra_op_num_threads = N, inter_op_num_threads = 1, sequential, all graph
  optimizations (its default).
- OpenVINO: CPU plugin, INFERENCE_NUM_THREADS = N, NUM_STREAMS = 1, PERFORMANCE_HINT = LATENCY,
  INFERENCE_PRECISION_HINT = f32 (int8 QDQ files still run their int8 kernels).

Inputs: arange(n).reshape(shape) / n per fed input (symbolic dimensions as 1), the fill `modelgate
bench` uses (Benchmarks/vs_onnxruntime.py). A row whose name ends in `-int8-static` is ModelGate's
own `int8-static` file of the model; for those rows the table also gives ModelGate's int8 speed-up
over its own fp32 row.

Usage: $PY Benchmarks/vs_peers.py --modelgate BIN [--threads 1,2] [--rounds 3] [--iterations 30]
       [--warmup 5] [--json-out FILE] MODEL.onnx ...
"""
import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np
import onnxruntime as ort
import openvino as ov

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from vs_onnxruntime import bench_modelgate, bench_onnxruntime, generated_inputs, load_average, percentile  # noqa: E402


def bench_openvino(core, path, threads, iterations, warmup):
    compiled = core.compile_model(core.read_model(path), "CPU", {
        "INFERENCE_NUM_THREADS": threads, "NUM_STREAMS": 1, "PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "f32"})
    request = compiled.create_infer_request()
    feeds = generated_inputs(path)
    for _ in range(warmup):
        request.infer(feeds)
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        request.infer(feeds)
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return {"p50_ms": percentile(samples, 50), "p90_ms": percentile(samples, 90)}


def row_name(path):
    return os.path.basename(os.path.dirname(path)) if os.path.basename(path) == "model.onnx" else os.path.basename(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+")
    parser.add_argument("--modelgate", required=True)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--json-out")
    args = parser.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    core = ov.Core()

    print(f"date (UTC): {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())}")
    print(f"host: {platform.node()}  cpus: {os.cpu_count()}  cpu: {core.get_property('CPU', 'FULL_DEVICE_NAME')}")
    print(f"load average at start: {load_average()}")
    print(f"onnxruntime {ort.__version__}, openvino {ov.__version__}")
    print(f"{args.rounds} rounds x {args.iterations} iterations after {args.warmup} warm-up; median of the rounds' p50, ms; "
          "ratio = ModelGate / fastest peer")
    print()
    header = f"{'model':<34} {'thr':>3} {'ModelGate':>10} {'ORT':>9} {'OpenVINO':>9} {'ratio':>6}  {'int8 vs own fp32':>16}"
    print(header)
    print("-" * len(header))
    runners = {
        "modelgate": lambda path, n: bench_modelgate(args.modelgate, path, n, args.iterations, args.warmup),
        "onnxruntime": lambda path, n: bench_onnxruntime(path, n, args.iterations, args.warmup),
        "openvino": lambda path, n: bench_openvino(core, path, n, args.iterations, args.warmup),
    }
    order = list(runners)
    rows = []
    own_fp32 = {}
    for path in args.models:
        name = row_name(path)
        for count in threads:
            p50s = {runtime: [] for runtime in runners}
            errors = {}
            for round_index in range(args.rounds):
                rotated = order[round_index % len(order):] + order[:round_index % len(order)]
                for runtime in rotated:
                    if runtime in errors:
                        continue
                    try:
                        result = runners[runtime](path, count)
                    except Exception as error:  # noqa: BLE001 - a model a runtime refuses still gets a row
                        result = {"error": [f"{type(error).__name__}: {error}"]}
                    if "error" in result:
                        errors[runtime] = result["error"][0] if result["error"] else "failed"
                    else:
                        p50s[runtime].append(result["p50_ms"])
            medians = {runtime: statistics.median(values) for runtime, values in p50s.items() if values}
            row = {"model": name, "path": path, "threads": count, "p50_ms": medians, "rounds": p50s, "errors": errors}
            peers = [medians[r] for r in ("onnxruntime", "openvino") if r in medians]
            cells = [f"{medians[r]:>{w}.2f}" if r in medians else f"{'error':>{w}}"
                     for r, w in (("modelgate", 10), ("onnxruntime", 9), ("openvino", 9))]
            ratio_text = ""
            if "modelgate" in medians and peers:
                row["ratio_to_fastest"] = medians["modelgate"] / min(peers)
                ratio_text = f"{row['ratio_to_fastest']:>6.2f}"
            speedup_text = ""
            if "modelgate" in medians:
                if name.endswith("-int8-static"):
                    fp32 = own_fp32.get((name[:-len("-int8-static")], count))
                    if fp32:
                        row["int8_speedup_over_own_fp32"] = fp32 / medians["modelgate"]
                        speedup_text = f"{row['int8_speedup_over_own_fp32']:>15.2f}x"
                else:
                    own_fp32[(name, count)] = medians["modelgate"]
            print(f"{name:<34} {count:>3} {cells[0]} {cells[1]} {cells[2]} {ratio_text:>6}  {speedup_text:>16}", flush=True)
            for runtime, message in errors.items():
                print(f"    {runtime}: {message[:120]}")
            rows.append(row)
    print()
    print(f"load average at end: {load_average()}")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
