#!/usr/bin/env python3
"""The job of `modelgate run --corpus Golden`, done with the Python toolchain a Python engineer uses.

For every model × path cell of corpus.yml (the manifest's paths and each model's own list):

- Conversion to ONNX: Keras models (.h5, .keras) are loaded with Keras 3 and written by Keras's own
  ONNX export, `model.export(path, format="onnx")`, which drives tf2onnx (tf2onnx's from_keras does
  not accept Keras 3 models); ONNX models are used as they are.
- fp32: the converted model. fused: ONNX Runtime's offline graph optimization at the basic level
  (constant folding, Conv+BatchNormalization fusion, redundant nodes removed; the saved graph stays
  standard ONNX). fp16: onnxconverter-common's convert_float_to_float16 with float32 inputs and
  outputs (onnxruntime.transformers.float16 writes graphs that are not topologically sorted, which
  onnx.checker rejects). int8-dynamic: onnxruntime.quantization.quantize_dynamic (int8 weights; uint8
  for a model with Conv, since ONNX Runtime's ConvInteger takes uint8 weights only).
  int8-static: quantize_static, QDQ, per channel, MinMax, int8 activations and weights, calibrated
  on calibration.h5 in batches of 16 (without quant_pre_process, which ONNX Runtime suggests: the
  leanest job is the stricter bar for ModelGate). prune-50: numpy magnitude pruning, the 50 % smallest |w| of each weight tensor
  of Conv, Gemm, MatMul (constant B), GRU/LSTM/RNN (W, R) set to zero.
- onnx.checker.check_model(full_check=True) on each cell's model.
- ONNX Runtime (CPU) runs the golden inputs; per output: max and mean abs error, max rel error,
  cosine, mismatch fraction against rtol/atol; top-1 agreement and accuracy (loss against the golden
  outputs' accuracy) where labels exist; the gates of corpus.yml (tolerances, budgets, a student
  judged against its teacher's golden outputs) give a verdict.
- Latency at batch 1 on the first golden sample as ModelGate measures it by default: 3 untimed
  warm-up runs, then p50 of 20 timed runs.

Cells run one after another in one process (ModelGate runs them in parallel worker processes, one
per core by default). Writes <out>/python-report.json and <out>/models/<model>/<path>.onnx; prints one line per cell and
a summary line. Exit 0 when every cell passes, 1 when a gate failed or a cell errored.

Usage: python vs_python_toolchain.py [--corpus Golden] [--out DIR] [--paths fp32,int8-static]
"""
import argparse
import json
import os
import shutil
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import h5py
import numpy as np
import onnx
import onnxruntime as ort
import yaml
from onnx import numpy_helper
from onnxconverter_common.float16 import convert_float_to_float16
from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                      quantize_dynamic, quantize_static)

WARMUP_RUNS = 3
LATENCY_RUNS = 20
PRUNED_SLOTS = {"Conv": [1], "ConvTranspose": [1], "Gemm": [1], "MatMul": [1], "GRU": [1, 2], "LSTM": [1, 2], "RNN": [1, 2]}


def read_group(path, group):
    with h5py.File(path, "r") as f:
        return {name: np.asarray(f[group][name]) for name in f[group]}


def read_golden(path):
    with h5py.File(path, "r") as f:
        labels = np.asarray(f["labels"]).astype(np.int64).reshape(-1) if "labels" in f else None
    return read_group(path, "inputs"), read_group(path, "outputs"), labels


ORT_TYPES = {"tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64,
             "tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(bool)": np.bool_}


def feeds_for(session, inputs):
    """The session's feeds from named inputs (a lone input fed whatever its name), cast to the declared types."""
    metas = session.get_inputs()
    if len(metas) == 1 and len(inputs) == 1:
        values = {metas[0].name: next(iter(inputs.values()))}
    else:
        values = {meta.name: inputs[meta.name] for meta in metas}
    return {meta.name: values[meta.name].astype(ORT_TYPES.get(meta.type, np.float32)) for meta in metas}


def fixed_batch(session):
    """The first input's batch size when the model fixes it, else None."""
    shape = session.get_inputs()[0].shape
    return shape[0] if shape and isinstance(shape[0], int) and shape[0] > 0 else None


# MARK: Conversion and paths

def convert_keras(source, output, sample):
    import keras
    model = keras.models.load_model(source, compile=False)
    model(sample[:1].astype(np.float32))  # Keras export needs a built, called model
    model.export(output, format="onnx", verbose=False)


def fused(fp32, output):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    options.optimized_model_filepath = output
    ort.InferenceSession(fp32, options, providers=["CPUExecutionProvider"])


def fp16(fp32, output):
    onnx.save(convert_float_to_float16(onnx.load(fp32), keep_io_types=True), output)


def int8_dynamic(fp32, output):
    has_conv = any(node.op_type == "Conv" for node in onnx.load(fp32).graph.node)
    quantize_dynamic(fp32, output, weight_type=QuantType.QUInt8 if has_conv else QuantType.QInt8)


class CalibrationReader(CalibrationDataReader):
    def __init__(self, model_path, samples, batch=16):
        session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
        feeds = feeds_for(session, samples)
        batch = fixed_batch(session) or batch
        count = len(next(iter(feeds.values())))
        self.batches = [{k: v[i:i + batch] for k, v in feeds.items()} for i in range(0, count, batch)]

    def get_next(self):
        return self.batches.pop(0) if self.batches else None


def int8_static(fp32, output, calibration):
    quantize_static(fp32, output, CalibrationReader(fp32, read_group(calibration, "inputs")),
                    quant_format=QuantFormat.QDQ, per_channel=True, calibrate_method=CalibrationMethod.MinMax,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8)


def prune(fp32, output, fraction):
    model = onnx.load(fp32)
    initializers = {t.name: t for t in model.graph.initializer}
    done = set()
    for node in model.graph.node:
        for slot in PRUNED_SLOTS.get(node.op_type, []):
            if slot >= len(node.input) or node.input[slot] not in initializers or node.input[slot] in done:
                continue
            tensor = initializers[node.input[slot]]
            weights = numpy_helper.to_array(tensor).copy()
            if weights.dtype != np.float32:
                continue
            flat = weights.reshape(-1)
            order = np.argsort(np.abs(flat), kind="stable")
            flat[order[:int(round(fraction * flat.size))]] = 0
            tensor.CopyFrom(numpy_helper.from_array(weights, tensor.name))
            done.add(tensor.name)
    onnx.save(model, output)


def apply_path(path, fp32, output, calibration):
    if path == "fp32":
        shutil.copyfile(fp32, output)
    elif path == "fused":
        fused(fp32, output)
    elif path == "fp16":
        fp16(fp32, output)
    elif path == "int8-dynamic":
        int8_dynamic(fp32, output)
    elif path == "int8-static":
        int8_static(fp32, output, calibration)
    elif path.startswith("prune-"):
        prune(fp32, output, float(path[len("prune-"):]) / 100)
    else:
        raise ValueError(f"path '{path}' has no Python toolchain equivalent here")


# MARK: Comparison and gates

def output_metrics(actual, golden, gates):
    a, g = actual.astype(np.float64).reshape(-1), golden.astype(np.float64).reshape(-1)
    difference = np.abs(a - g)
    rtol, atol = gates.get("rtol") or 0.0, gates.get("atol") or 0.0
    norms = np.linalg.norm(a) * np.linalg.norm(g)
    metrics = {
        "maxAbsError": float(difference.max()), "meanAbsError": float(difference.mean()),
        "maxRelError": float((difference / np.maximum(np.abs(g), 1e-12)).max()),
        "cosine": float(np.dot(a, g) / norms) if norms > 0 else float(not a.any() and not g.any()),  # an all-zero output matches only all zeros
        "mismatchFraction": float(np.mean(~(difference <= atol + rtol * np.abs(g)))),
    }
    if actual.ndim == 2 and actual.shape[1] > 1:
        metrics["top1Agreement"] = float(np.mean(actual.argmax(1) == golden.argmax(1)))
    return metrics


def verdict(metrics, accuracy, gates, budget):
    reasons = []
    if gates.get("rtol") is not None or gates.get("atol") is not None:
        allowed = gates.get("max_mismatch_fraction") or 0.0
        if metrics["mismatchFraction"] > allowed:
            reasons.append(f"mismatch {metrics['mismatchFraction']:.4f} > {allowed}")
    if gates.get("min_cosine") is not None and metrics["cosine"] < gates["min_cosine"]:
        reasons.append(f"cosine {metrics['cosine']:.6f} < {gates['min_cosine']}")
    if gates.get("min_top1_agreement") is not None and metrics.get("top1Agreement", 1) < gates["min_top1_agreement"]:
        reasons.append(f"top-1 {metrics['top1Agreement']:.4f} < {gates['min_top1_agreement']}")
    limit = budget.get("max_accuracy_loss", gates.get("max_accuracy_loss"))
    if limit is not None and accuracy is not None and accuracy["loss"] > limit + 1e-12:
        reasons.append(f"accuracy loss {accuracy['loss']:.4f} > {limit}")
    return ("pass" if not reasons else "fail"), reasons


def gates_for(manifest, entry, path):
    gates = dict(manifest.get("defaults", {}).get(path, {}))
    gates.update(entry.get("tolerances") or {})
    budgets = entry.get("budgets") or {}
    budget = {k: v for k, v in budgets.items() if not isinstance(v, dict)}
    budget.update(budgets.get(path) or {})
    return gates, budget


def latency_p50(session, feeds):
    single = {k: v[:1] for k, v in feeds.items()}
    for _ in range(WARMUP_RUNS):
        session.run(None, single)
    samples = []
    for _ in range(LATENCY_RUNS):
        start = time.perf_counter()
        session.run(None, single)
        samples.append((time.perf_counter() - start) * 1e3)
    return float(np.median(samples))


# MARK: The job

class CellFailure(Exception):
    """A cell that could not be converted, checked or executed; the job goes on with the next one."""


def run_cell(name, path, entry, manifest, corpus, fp32, folder, golden):
    inputs, outputs, labels = golden
    gates, budget = gates_for(manifest, entry, path)
    model_dir = os.path.dirname(os.path.join(corpus, entry["source"]))
    calibration = os.path.join(model_dir, "calibration.h5")
    if not os.path.isfile(calibration):
        calibration = os.path.join(model_dir, "golden.h5")
    output = os.path.join(folder, f"{path}.onnx")
    stage = "convert"
    try:
        apply_path(path, fp32, output, calibration)
        stage = "check"
        onnx.checker.check_model(output, full_check=True)
        stage = "execute"
        session = ort.InferenceSession(output, providers=["CPUExecutionProvider"])
        feeds = feeds_for(session, inputs)
        actual = session.run(None, feeds)
    except Exception as error:
        raise CellFailure(f"{stage}: {type(error).__name__}: {' '.join(str(error).split())[:300]}") from error
    results = [output_metrics(a, g, gates) for a, g in zip(actual, outputs.values())]
    accuracy = None
    if labels is not None:
        golden_accuracy = float(np.mean(next(iter(outputs.values())).argmax(1) == labels))
        value = float(np.mean(actual[0].argmax(1) == labels))
        accuracy = {"accuracy": value, "goldenAccuracy": golden_accuracy, "loss": golden_accuracy - value}
    status, reasons = "pass", []
    for metrics in results:
        s, r = verdict(metrics, accuracy, gates, budget)
        reasons += r
        status = "fail" if s == "fail" else status
    return {"model": name, "path": path, "verdict": status, "reasons": reasons, "outputs": results, "accuracy": accuracy,
            "sizeBytes": os.path.getsize(output), "latencyP50Ms": latency_p50(session, feeds)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default="Golden")
    parser.add_argument("--out", default=".cache/vs-python-toolchain/python")
    parser.add_argument("--paths", help="comma-separated paths (default: the manifest's)")
    args = parser.parse_args()
    started = time.perf_counter()
    with open(os.path.join(args.corpus, "corpus.yml")) as f:
        manifest = yaml.safe_load(f)
    wanted = args.paths.split(",") if args.paths else None
    os.makedirs(args.out, exist_ok=True)
    cells = []
    for name, entry in manifest["models"].items():
        source = os.path.join(args.corpus, entry["source"])
        teacher = entry.get("teacher")
        golden_dir = os.path.dirname(os.path.join(args.corpus, manifest["models"][teacher]["source"])) if teacher else os.path.dirname(source)
        golden = read_golden(os.path.join(golden_dir, "golden.h5"))
        folder = os.path.join(args.out, "models", name)
        os.makedirs(folder, exist_ok=True)
        fp32 = os.path.join(folder, "source.onnx")
        paths = [p for p in entry.get("paths") or manifest["paths"] if wanted is None or p in wanted]
        try:
            if source.endswith((".h5", ".keras")):
                convert_keras(source, fp32, next(iter(golden[0].values())))
            else:
                shutil.copyfile(source, fp32)
        except Exception as error:  # the cell errors, the job goes on, as in ModelGate
            message = f"convert: {type(error).__name__}: {' '.join(str(error).split())[:300]}"
            cells += [{"model": name, "path": p, "verdict": "error", "reasons": [message]} for p in paths]
            continue
        for path in paths:
            cell_started = time.perf_counter()
            try:
                cell = run_cell(name, path, entry, manifest, args.corpus, fp32, folder, golden)
            except CellFailure as failure:
                cell = {"model": name, "path": path, "verdict": "error", "reasons": [str(failure)]}
            cell["seconds"] = time.perf_counter() - cell_started
            cells.append(cell)
            accuracy = cell.get("accuracy") or {}
            cosine = min((o["cosine"] for o in cell.get("outputs", [])), default=float("nan"))
            print(f"{name:18} {path:13} {cell['verdict']:5} cos {cosine:.6f} acc {accuracy.get('accuracy', float('nan')):.4f}"
                  f" p50 {cell.get('latencyP50Ms', float('nan')):8.4f} ms  {cell['seconds']:5.2f} s"
                  + (f"  {'; '.join(cell['reasons'])}" if cell["reasons"] else ""), flush=True)
    counts = {key: sum(c["verdict"] == verdict for c in cells)
              for key, verdict in (("passed", "pass"), ("failed", "fail"), ("errors", "error"))}
    counts["cells"] = len(cells)
    seconds = time.perf_counter() - started
    with open(os.path.join(args.out, "python-report.json"), "w") as f:
        json.dump({"cells": cells, "summary": counts, "seconds": seconds,
                   "versions": {"onnx": onnx.__version__, "onnxruntime": ort.__version__}}, f, indent=1)
    print(f"python toolchain: {len(cells)} cells, {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['errors']} errors in {seconds:.1f} s (after imports)")
    return 0 if counts["failed"] == counts["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
