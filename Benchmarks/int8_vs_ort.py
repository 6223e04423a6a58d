#!/usr/bin/env python3
"""ModelGate's executor against ONNX Runtime on int8 ONNX files: the imported full-integer
TensorFlow Lite models and ModelGate's own int8-static and int8-dynamic results.

Usage: .cache/venv-corpus/bin/python Benchmarks/int8_vs_ort.py --modelgate .build/release/modelgate \
           [--files tflite-int8,int8-static,int8-dynamic] ZOO [MODEL ...]

ZOO holds one folder per model as Tools/int8-zoo.py writes it (model.keras, calibration.h5,
inputs.h5 with inputs/image, model-int8.tflite). For each model this makes, in ZOO/<model>/ (kept
between runs): tflite-int8.onnx (`modelgate convert model-int8.tflite`), fp32.onnx (`modelgate
convert model.keras`), int8-static.onnx and int8-dynamic.onnx (`modelgate optimize`, calibrated on
calibration.h5). Every ONNX file runs on the samples of inputs.h5, one at a time, in ONNX Runtime
(default session options: its QDQ fusions on), in `modelgate exec` (the fast plan) and in `modelgate
exec` with MODELGATE_REFERENCE_PLAN=1 (the reference kernels); the .tflite also runs in
tf.lite.Interpreter. A line per file and pair gives the share of output elements within one
quantization step and the largest difference in steps; the step of an output is the scale of the
DequantizeLinear that produces it (int8-dynamic outputs are float: their "step" is the output range
over 255, marked "range/255"). Where ONNX Runtime's fused int8 kernels compute something other
than the graph (seen on an AVX2-only VM: its fused convolutions differ from its own unoptimized
session and from tf.lite.Interpreter), the "ORT vs tf.lite" line shows it.
"""
import argparse
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import h5py
import numpy as np
import onnx
from onnx import numpy_helper


def run(command, env=None):
    result = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def output_step(model):
    """The scale of the DequantizeLinear behind the first graph output, through Identity nodes."""
    producers = {output: node for node in model.graph.node for output in node.output}
    initializers = {tensor.name: numpy_helper.to_array(tensor) for tensor in model.graph.initializer}
    name = model.graph.output[0].name
    while name in producers and producers[name].op_type == "Identity":
        name = producers[name].input[0]
    node = producers.get(name)
    if node is None or node.op_type != "DequantizeLinear" or node.input[1] not in initializers:
        return None
    scale = initializers[node.input[1]]
    return float(scale.reshape(-1)[0]) if scale.size == 1 else None


def ort_outputs(path, samples):
    import onnxruntime as ort
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return np.concatenate([session.run(None, {name: sample})[0] for sample in samples])


def modelgate_outputs(binary, path, samples, folder, reference):
    env = dict(os.environ)
    if reference:
        env["MODELGATE_REFERENCE_PLAN"] = "1"
    results = []
    for index, sample in enumerate(samples):
        inputs, outputs = os.path.join(folder, f"in-{index}.h5"), os.path.join(folder, f"out-{index}.h5")
        with h5py.File(inputs, "w") as file:
            file.create_dataset("inputs/input", data=sample)
        run([binary, "exec", path, "--inputs", inputs, "--outputs", outputs, "--force"], env)
        with h5py.File(outputs, "r") as file:
            group = file["outputs"]
            results.append(np.asarray(group[next(iter(group))]))
    return np.concatenate(results)


def interpreter_outputs(path, samples):
    import tensorflow as tf
    interpreter = tf.lite.Interpreter(model_path=path)
    interpreter.allocate_tensors()
    detail, output = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
    results = []
    for sample in samples:
        interpreter.set_tensor(detail["index"], sample)
        interpreter.invoke()
        results.append(interpreter.get_tensor(output["index"]).copy())
    return np.concatenate(results)


def compare(label, a, b, step):
    unit = step if step else max(float(b.max() - b.min()), 1e-30) / 255
    steps = np.abs(a.astype(np.float64) - b.astype(np.float64)) / unit
    within = float(np.mean(steps <= 1.001))
    exact = float(np.mean(a == b))
    print(f"  {label:<22} {100 * within:7.3f} % within one step, {100 * exact:7.3f} % identical, "
          f"largest {steps.max():6.2f} steps{'' if step else ' (range/255)'}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modelgate", required=True)
    parser.add_argument("--files", default="tflite-int8,int8-static,int8-dynamic")
    parser.add_argument("zoo")
    parser.add_argument("models", nargs="*")
    args = parser.parse_args()
    models = args.models or sorted(name for name in os.listdir(args.zoo) if os.path.isdir(os.path.join(args.zoo, name)))
    for model in models:
        folder = os.path.join(args.zoo, model)
        with h5py.File(os.path.join(folder, "inputs.h5"), "r") as file:
            data = np.asarray(file["inputs/image"], dtype=np.float32)
        samples = [data[i:i + 1] for i in range(data.shape[0])]
        work = os.path.join(folder, "work")
        os.makedirs(work, exist_ok=True)
        for kind in args.files.split(","):
            path = os.path.join(folder, f"{kind}.onnx")
            if not os.path.exists(path):
                if kind == "tflite-int8":
                    run([args.modelgate, "convert", os.path.join(folder, "model-int8.tflite"), path])
                else:
                    fp32 = os.path.join(folder, "fp32.onnx")
                    if not os.path.exists(fp32):
                        run([args.modelgate, "convert", os.path.join(folder, "model.keras"), fp32])
                    run([args.modelgate, "optimize", fp32, path, "--path", kind, "--calibration", os.path.join(folder, "calibration.h5")])
            step = output_step(onnx.load(path))
            ort = ort_outputs(path, samples)
            fast = modelgate_outputs(args.modelgate, path, samples, work, reference=False).reshape(ort.shape)
            reference = modelgate_outputs(args.modelgate, path, samples, work, reference=True).reshape(ort.shape)
            print(f"{model} {kind}: {ort.size} output elements, step {step if step else 'none'}", flush=True)
            compare("fast plan vs ORT", fast, ort, step)
            compare("reference vs ORT", reference, ort, step)
            compare("fast vs reference", fast, reference, step)
            if kind == "tflite-int8":
                tflite = interpreter_outputs(os.path.join(folder, "model-int8.tflite"), samples).reshape(ort.shape)
                compare("ORT vs tf.lite", ort, tflite, step)
                compare("fast plan vs tf.lite", fast, tflite, step)


if __name__ == "__main__":
    main()
