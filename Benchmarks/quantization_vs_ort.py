#!/usr/bin/env python3
"""Static int8 quantization: ModelGate's int8-static path against ONNX Runtime's
quantize_static(per_channel=True, QDQ, MinMax), on every ONNX model of a corpus with golden labels.

Calibration data: the model's calibration.h5, else its golden inputs (as ModelGate does). Accuracy
is measured with ONNX Runtime on the golden inputs for both quantized models, so only the
quantization differs. Prints one row per model; exits 1 when ModelGate's accuracy is more than
0.5 points below ONNX Runtime's or its file is not smaller than the fp32 file.

Usage: $PY Benchmarks/quantization_vs_ort.py --modelgate PATH/modelgate [--corpus Golden] [--out DIR]
"""
import argparse
import os
import subprocess
import sys

import h5py
import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static


def read_group(path, group):
    with h5py.File(path, "r") as f:
        return {name: np.asarray(f[group][name]) for name in f[group]}


class Reader(CalibrationDataReader):
    def __init__(self, model_path, samples):
        session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
        inputs = session.get_inputs()
        if len(inputs) == 1 and len(samples) == 1:
            samples = {inputs[0].name: next(iter(samples.values()))}
        self.rows = [{k: v[i:i + 1].astype(np.float32) for k, v in samples.items()} for i in range(len(next(iter(samples.values()))))]
        self.index = 0

    def get_next(self):
        if self.index >= len(self.rows):
            return None
        self.index += 1
        return self.rows[self.index - 1]


def accuracy(model_path, inputs, labels):
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    meta = session.get_inputs()
    if len(meta) == 1 and len(inputs) == 1:
        inputs = {meta[0].name: next(iter(inputs.values()))}
    count = len(labels)
    predictions = []
    for i in range(count):  # batch 1 works for fixed and free batch dimensions alike
        out = session.run(None, {k: v[i:i + 1].astype(np.float32) for k, v in inputs.items()})[0]
        predictions.append(int(np.argmax(out.reshape(-1))))
    return float(np.mean(np.array(predictions) == labels))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--modelgate", required=True)
    parser.add_argument("--corpus", default="Golden")
    parser.add_argument("--out", default=".cache/quantization-vs-ort")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    status = 0
    for name in sorted(os.listdir(args.corpus)):
        folder = os.path.join(args.corpus, name)
        golden = os.path.join(folder, "golden.h5")
        sources = [os.path.join(folder, f"model.{ext}") for ext in ("onnx", "h5", "keras")]
        source = next((path for path in sources if os.path.isfile(path)), None)
        if source is None or not os.path.isfile(golden):
            continue
        model = source
        if not source.endswith(".onnx"):
            # Keras models: both quantizers start from the same fp32 graph, ModelGate's conversion.
            model = os.path.join(args.out, f"{name}.fp32.onnx")
            converted = subprocess.run([args.modelgate, "convert", source, model], capture_output=True, text=True)
            if converted.returncode != 0:
                print(f"{name}: modelgate convert failed: {converted.stderr.strip()}", file=sys.stderr)
                status = 1
                continue
        with h5py.File(golden, "r") as f:
            if "labels" not in f:
                continue
            labels = np.asarray(f["labels"])
        inputs = read_group(golden, "inputs")
        calibration = os.path.join(folder, "calibration.h5")
        calibration = calibration if os.path.isfile(calibration) else golden
        ours = os.path.join(args.out, f"{name}.modelgate-int8.onnx")
        theirs = os.path.join(args.out, f"{name}.ort-int8.onnx")
        result = subprocess.run([args.modelgate, "optimize", model, ours, "--path", "int8-static", "--calibration", calibration],
                                capture_output=True, text=True)
        if result.returncode != 0:
            print(f"{name}: modelgate optimize failed: {result.stderr.strip()}", file=sys.stderr)
            status = 1
            continue
        quantize_static(model, theirs, Reader(model, read_group(calibration, "inputs")), quant_format=QuantFormat.QDQ,
                        per_channel=True, activation_type=QuantType.QInt8, weight_type=QuantType.QInt8)
        onnx.checker.check_model(onnx.load(ours), full_check=True)
        fp32, ort_acc, mg_acc = accuracy(model, inputs, labels), accuracy(theirs, inputs, labels), accuracy(ours, inputs, labels)
        sizes = [os.path.getsize(p) for p in (model, theirs, ours)]
        ok = mg_acc >= ort_acc - 0.005 and sizes[2] < sizes[0]
        status |= 0 if ok else 1
        rows.append((name, fp32, ort_acc, mg_acc, *sizes, "ok" if ok else "FAIL"))
    print(f"{'model':20} {'fp32 acc':>8} {'ORT int8':>8} {'MG int8':>8} {'Δ pts':>6} {'fp32 B':>9} {'ORT B':>9} {'MG B':>9} {'verdict':>7}")
    for name, fp32, theirs, ours, s0, s1, s2, verdict in rows:
        print(f"{name:20} {fp32:8.4f} {theirs:8.4f} {ours:8.4f} {100 * (ours - theirs):+6.2f} {s0:9d} {s1:9d} {s2:9d} {verdict:>7}")
    sys.exit(status)


if __name__ == "__main__":
    main()
