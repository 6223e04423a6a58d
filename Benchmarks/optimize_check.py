#!/usr/bin/env python3
"""Cross-checks `modelgate optimize` outputs with onnx and ONNX Runtime.

For each optimized model: onnx.checker (full check), an ONNX Runtime run over the golden inputs,
max |error| against the fp32 model under ONNX Runtime, top-1 agreement with it and, when the golden
file has labels, accuracy. Prints one row per model.

Usage: $PY Benchmarks/optimize_check.py --golden golden.h5 --reference model.onnx OPTIMIZED.onnx ...
"""
import argparse
import os
import sys

import h5py
import numpy as np
import onnx
import onnxruntime as ort


def load_inputs(path):
    with h5py.File(path, "r") as f:
        inputs = {name: np.asarray(f["inputs"][name]) for name in f["inputs"]}
        labels = np.asarray(f["labels"]) if "labels" in f else None
    return inputs, labels


def random_inputs(model_path, count):
    """Seeded normal samples for every float input, the batch axis set to `count`."""
    model = onnx.load(model_path)
    initializers = {t.name for t in model.graph.initializer}
    rng = np.random.default_rng(0)
    inputs = {}
    for value in model.graph.input:
        if value.name in initializers:
            continue
        dims = [d.dim_value if d.dim_value > 0 else 1 for d in value.type.tensor_type.shape.dim]
        first = value.type.tensor_type.shape.dim[0].dim_value if dims else 0
        if dims and first <= 0:
            dims[0] = count
        inputs[value.name] = rng.standard_normal(dims).astype(np.float32)
    return inputs


def run(model_path, inputs):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
    feeds = {}
    model_inputs = session.get_inputs()
    for meta in model_inputs:
        value = inputs.get(meta.name)
        if value is None and len(model_inputs) == 1 and len(inputs) == 1:
            value = next(iter(inputs.values()))
        feeds[meta.name] = value.astype(np.float32) if value.dtype == np.float64 else value
    first = model_inputs[0].shape[0]
    if isinstance(first, int):  # fixed batch: run sample by sample
        outputs = [session.run(None, {k: v[i:i + first] for k, v in feeds.items()})[0] for i in range(0, len(next(iter(feeds.values()))), first)]
        return np.concatenate(outputs)
    return session.run(None, feeds)[0]


def check(path):
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        return "ok"
    except Exception as error:  # report, do not stop
        return "FAIL: " + str(error).splitlines()[0][:80]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--golden", help="golden.h5 (inputs/, optional labels); without it, --random samples")
    parser.add_argument("--random", type=int, default=4, help="random normal samples when there is no golden file")
    parser.add_argument("--reference", required=True, help="the fp32 model")
    parser.add_argument("--max-error", type=float, help="fail when an optimized model's max |error| exceeds this")
    parser.add_argument("models", nargs="+")
    args = parser.parse_args()
    if args.golden:
        inputs, labels = load_inputs(args.golden)
    else:
        inputs, labels = random_inputs(args.reference, args.random), None
    reference = run(args.reference, inputs).astype(np.float64)
    reference_size = os.path.getsize(args.reference)
    width = max(len(os.path.basename(path)) for path in [args.reference, *args.models])
    print(f"{'model':{width}} {'checker':8} {'max_abs_err':>11} {'top1_agree':>10} {'accuracy':>8} {'bytes':>9} {'ratio':>6}")
    rows = [(args.reference, reference)]
    status = 0
    for path in args.models:
        try:
            rows.append((path, run(path, inputs).astype(np.float64)))
        except Exception as error:
            print(f"{os.path.basename(path):{width}} ORT failed: {str(error).splitlines()[0][:120]}")
            status = 1
    for path, output in rows:
        error = float(np.max(np.abs(output - reference)))
        agree = float(np.mean(output.argmax(-1) == reference.argmax(-1))) if output.ndim > 1 else float("nan")
        accuracy = float(np.mean(output.argmax(-1) == labels)) if labels is not None and output.ndim > 1 else float("nan")
        verdict = check(path)
        if verdict != "ok" or (args.max_error is not None and not error <= args.max_error):
            status = 1
        size = os.path.getsize(path)
        print(f"{os.path.basename(path):{width}} {verdict:8} {error:11.3g} {agree:10.4f} {accuracy:8.4f} {size:9d} {size / reference_size:6.3f}")
    sys.exit(status)


if __name__ == "__main__":
    main()
