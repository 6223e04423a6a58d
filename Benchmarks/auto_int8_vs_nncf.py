#!/usr/bin/env python3
"""ModelGate's int8-auto side by side with NNCF's quantize_with_accuracy_control on the same fp32
graphs, calibration data and budget.

For every model of a corpus whose paths include int8-auto (Tools/corpus/sensitive_nets.py builds
one, .cache/int8-auto):

- ModelGate: the int8-static and int8-auto cells of `modelgate run` on that corpus (report.json,
  converted models under <out>/models). The cell calibrates on calibration.h5 and judges on
  golden.h5 (held-out inputs, the framework's outputs and labels) by the corpus budget;
  int8-auto's time is its cell's wall time (conversion, search, check, run and latency included).
- NNCF (ONNX backend): `nncf.quantize_with_accuracy_control` on the fp32 cell's ONNX file, with
  calibration_dataset = calibration.h5's inputs and validation_dataset = golden.h5's samples. Its
  metric encodes the same two gates exactly: 1 + min(cosine − min_cosine, max_accuracy_loss −
  accuracy loss), with max_drop = 1 + min(1 − min_cosine, max_accuracy_loss) − 1 (absolute), so a
  model within max_drop of the fp32 metric meets both gates. Time: the call's wall time.
- Both quantized files are then measured alike with ONNX Runtime (graph optimizations off, so
  Q/DQ pairs run as written): cosine to golden, accuracy and loss, budget met, nodes kept float
  (Conv/Gemm/MatMul whose weight or first input is not read through a DequantizeLinear), size.

Usage: python auto_int8_vs_nncf.py CORPUS RUN_OUT [--out DIR]   (Benchmarks/auto-int8-vs-nncf.sh)
"""
import argparse
import json
import logging
import os
import time

import h5py
import numpy as np
import onnx
import onnxruntime as ort
import yaml

ort.set_default_logger_severity(3)
logging.getLogger("nncf").setLevel(logging.ERROR)

QUANTIZABLE = {"Conv", "Gemm", "MatMul"}


def read(path):
    with h5py.File(path, "r") as f:
        inputs = {k: f["inputs"][k][()] for k in f["inputs"]}
        outputs = {k: f["outputs"][k][()] for k in f["outputs"]} if "outputs" in f else {}
        labels = f["labels"][()] if "labels" in f else None
    return inputs, outputs, labels


def session(model):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 1
    data = model.SerializeToString() if isinstance(model, onnx.ModelProto) else model
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def predict(model, inputs):
    s = session(model)
    names = [i.name for i in s.get_inputs()]
    feeds = {n: inputs[n] if n in inputs else list(inputs.values())[0] for n in names}
    return s.run(None, feeds)[0]


def measure(probs, golden, labels, gates):
    a, b = probs.astype(np.float64).ravel(), golden.astype(np.float64).ravel()
    cosine = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    accuracy = float((probs.argmax(-1) == labels).mean())
    golden_accuracy = float((golden.argmax(-1) == labels).mean())
    loss = golden_accuracy - accuracy
    met = cosine >= gates["min_cosine"] and loss <= gates["max_accuracy_loss"]
    return {"cosine": cosine, "accuracy": accuracy, "loss": loss, "met": met,
            "metric": 1 + min(cosine - gates["min_cosine"], gates["max_accuracy_loss"] - loss)}


def float_nodes(model):
    """(kept float, quantizable) among Conv/Gemm/MatMul nodes."""
    producers = {o: n.op_type for n in model.graph.node for o in n.output}
    nodes = [n for n in model.graph.node if n.op_type in QUANTIZABLE]
    kept = [n for n in nodes if not all(producers.get(i) == "DequantizeLinear" for i in n.input[:2] if i)]
    return len(kept), len(nodes)


def nncf_auto(fp32_path, calibration, golden_inputs, golden, labels, gates):
    import nncf

    model = onnx.load(fp32_path)
    name = model.graph.input[0].name
    calib_items = [{name: calibration[k][i:i + 1]} for k in calibration for i in range(len(calibration[k]))]
    calib = nncf.Dataset(calib_items)
    samples = list(range(len(labels)))
    validation = nncf.Dataset(samples)
    x = list(golden_inputs.values())[0]

    def validate(candidate, indices):
        indices = list(indices)
        probs = predict(candidate, {name: x[indices]})
        return measure(probs, golden[indices], labels[indices], gates)["metric"]

    baseline = 1 + min(1 - gates["min_cosine"], gates["max_accuracy_loss"])
    started = time.perf_counter()
    quantized = nncf.quantize_with_accuracy_control(model, calib, validation, validation_fn=validate,
                                                    max_drop=baseline - 1, drop_type=nncf.DropType.ABSOLUTE,
                                                    subset_size=len(calib_items))
    return quantized, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("run_out")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    manifest = yaml.safe_load(open(os.path.join(args.corpus, "corpus.yml")))
    report = json.load(open(os.path.join(args.run_out, "report.json")))
    cells = {(c["model"], c["path"]): c for c in report["cells"]}
    out = args.out or os.path.join(args.run_out, "nncf")
    os.makedirs(out, exist_ok=True)
    rows = []
    for name, entry in manifest["models"].items():
        if (name, "int8-auto") not in cells:
            continue
        gates = dict(manifest["defaults"]["int8-auto"])
        folder = os.path.join(args.corpus, os.path.dirname(entry["source"]))
        golden_inputs, golden_outputs, labels = read(os.path.join(folder, "golden.h5"))
        calibration, _, _ = read(os.path.join(folder, "calibration.h5"))
        golden = list(golden_outputs.values())[0]
        models = os.path.join(args.run_out, "models", name)
        row = {"model": name}
        fp32 = onnx.load(os.path.join(models, "fp32.onnx"))
        row["fp32"] = measure(predict(fp32, golden_inputs), golden, labels, gates) | {
            "bytes": os.path.getsize(os.path.join(models, "fp32.onnx")), "latencyMs": (cells[(name, "fp32")].get("latency") or {}).get("p50Ms")}
        for path in ["int8-static", "int8-auto"]:
            file = os.path.join(models, f"{path}.onnx")
            model = onnx.load(file)
            kept, total = float_nodes(model)
            row[path] = measure(predict(model, golden_inputs), golden, labels, gates) | {
                "bytes": os.path.getsize(file), "kept": kept, "quantizable": total,
                "seconds": cells[(name, path)].get("durationSeconds"), "verdict": cells[(name, path)]["verdict"],
                "latencyMs": (cells[(name, path)].get("latency") or {}).get("p50Ms")}
        quantized, seconds = nncf_auto(os.path.join(models, "fp32.onnx"), calibration, golden_inputs, golden, labels, gates)
        nncf_file = os.path.join(out, f"{name}.onnx")
        onnx.save(quantized, nncf_file)
        kept, total = float_nodes(quantized)
        row["nncf"] = measure(predict(quantized, golden_inputs), golden, labels, gates) | {
            "bytes": os.path.getsize(nncf_file), "kept": kept, "quantizable": total, "seconds": seconds}
        rows.append(row)
        print(json.dumps(row), flush=True)
    json.dump(rows, open(os.path.join(out, "rows.json"), "w"), indent=1)
    print()
    print("ModelGate (modelgate run; latency p50 at batch 1 on ModelGate's executor):\n")
    print("| model | fp32 acc | int8-static acc | int8-auto acc | kept float | size fp32 / int8-static / int8-auto | latency fp32 / int8-static / int8-auto |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        f, s8, a = r["fp32"], r["int8-static"], r["int8-auto"]
        ms = lambda v: f"{v:.2f} ms" if v is not None else "—"
        print(f"| {r['model']} | {f['accuracy']:.4f} | {s8['accuracy']:.4f} {'✓' if s8['met'] else '✗'} | {a['accuracy']:.4f} {'✓' if a['met'] else '✗'} | "
              f"{a['kept']} of {a['quantizable']} | {f['bytes'] / 1000:.1f} / {s8['bytes'] / 1000:.1f} / {a['bytes'] / 1000:.1f} kB | "
              f"{ms(f['latencyMs'])} / {ms(s8['latencyMs'])} / {ms(a['latencyMs'])} |")
    print("\nSide by side with NNCF quantize_with_accuracy_control (ONNX Runtime, graph optimizations off, on golden.h5):\n")
    print("| model | fp32 acc | int8-static acc / cos | int8-auto acc / cos | MG float nodes | MG size / fp32 | MG time | "
          "NNCF acc / cos | NNCF float nodes | NNCF size / fp32 | NNCF time |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    wins = 0
    for r in rows:
        s, a, n, f = r["int8-static"], r["int8-auto"], r["nncf"], r["fp32"]
        ok = a["met"] and (not n["met"] or a["kept"] <= n["kept"]) and a["seconds"] < n["seconds"]
        wins += ok
        print(f"| {r['model']} | {f['accuracy']:.4f} | {s['accuracy']:.4f} / {s['cosine']:.5f} {'✓' if s['met'] else '✗'} | "
              f"{a['accuracy']:.4f} / {a['cosine']:.5f} {'✓' if a['met'] else '✗'} | {a['kept']} of {a['quantizable']} | "
              f"{a['bytes'] / f['bytes']:.3f} | {a['seconds']:.1f} s | {n['accuracy']:.4f} / {n['cosine']:.5f} {'✓' if n['met'] else '✗'} | "
              f"{n['kept']} of {n['quantizable']} | {n['bytes'] / f['bytes']:.3f} | {n['seconds']:.1f} s |")
    print(f"\nModelGate meets the budget with no more float nodes than NNCF and in less time on {wins} of {len(rows)} models.")
    return 0 if wins == len(rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
