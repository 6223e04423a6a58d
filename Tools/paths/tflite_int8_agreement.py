#!/usr/bin/env python3
"""How closely ModelGate's import of int8 TensorFlow Lite models agrees with TensorFlow Lite's own
interpreter on the golden inputs of the bundled corpus's Keras models.

Run with the TensorFlow venv after building modelgate:
    .cache/venv-corpus/bin/python Tools/paths/tflite_int8_agreement.py [--modelgate PATH] [MODEL ...]

For each model it converts Golden/<model>/model.* with keras_to_tflite.py --int8 (cached), runs
tf.lite.Interpreter on every golden input (the reference, kept in .cache/tflite-agreement/<model>/
reference.h5), runs `modelgate exec` on the same .tflite and inputs, and prints the share of output
elements within one quantization step (the scale of the int8 tensor each float output is
dequantized from) of the interpreter, and the largest difference in steps.
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODELS = ["mnist_cnn", "keras_mlp", "mobilenet_tiny", "gru_rows"]


def interpreter_outputs(path, inputs):
    import tensorflow as tf
    interpreter = tf.lite.Interpreter(model_path=path)
    detail = interpreter.get_input_details()[0]
    output = interpreter.get_output_details()[0]
    results = []
    for index in range(inputs.shape[0]):
        sample = inputs[index:index + 1]
        if list(detail["shape"]) != list(sample.shape):
            interpreter.resize_tensor_input(detail["index"], sample.shape)
        interpreter.allocate_tensors()
        interpreter.set_tensor(detail["index"], sample)
        interpreter.invoke()
        results.append(interpreter.get_tensor(output["index"]).copy())
    tensors = {t["index"]: t for t in interpreter.get_tensor_details()}
    step = None
    for op in interpreter._get_ops_details():
        if op["op_name"] == "DEQUANTIZE" and output["index"] in op["outputs"]:
            step = float(tensors[op["inputs"][0]]["quantization"][0])
    return np.concatenate(results), step


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--modelgate", default=os.path.join(ROOT, ".build", "release", "modelgate"))
    parser.add_argument("models", nargs="*", default=MODELS)
    args = parser.parse_args()
    for model in args.models:
        folder = os.path.join(ROOT, "Golden", model)
        source = next(os.path.join(folder, name) for name in ("model.h5", "model.keras") if os.path.exists(os.path.join(folder, name)))
        work = os.path.join(ROOT, ".cache", "tflite-agreement", model)
        os.makedirs(work, exist_ok=True)
        tflite = os.path.join(work, "model-int8.tflite")
        subprocess.run([sys.executable, os.path.join(HERE, "keras_to_tflite.py"), "--int8", source, tflite], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with h5py.File(os.path.join(folder, "golden.h5"), "r") as file:
            inputs = np.asarray(file["inputs"][next(iter(file["inputs"]))], dtype=np.float32)
        reference, step = interpreter_outputs(tflite, inputs)
        with h5py.File(os.path.join(work, "reference.h5"), "w") as file:
            file.attrs["provenance"] = "tf.lite.Interpreter, one golden sample at a time"
            file.attrs["step"] = step
            file.create_dataset("outputs/output_0", data=reference)
        inputs_folder = os.path.join(work, "inputs")
        outputs_folder = os.path.join(work, "outputs")
        os.makedirs(inputs_folder, exist_ok=True)
        with open(os.path.join(inputs_folder, "input_0.pb"), "wb") as file:
            file.write(numpy_helper.from_array(inputs, "input").SerializeToString())
        subprocess.run([args.modelgate, "exec", tflite, "--inputs", inputs_folder, "--outputs", outputs_folder, "--force"], check=True,
                       stdout=subprocess.DEVNULL)
        tensor = onnx.TensorProto()
        with open(os.path.join(outputs_folder, "output_0.pb"), "rb") as file:
            tensor.ParseFromString(file.read())
        actual = numpy_helper.to_array(tensor).reshape(reference.shape)
        steps = np.abs(actual - reference) / step
        within = float(np.mean(steps <= 1.001))
        exact = float(np.mean(steps <= 0.001))
        print(f"{model}: {reference.size} elements, step {step:.6g}: {100 * within:.2f} % within one step "
              f"({100 * exact:.2f} % identical), largest difference {steps.max():.2f} steps")


if __name__ == "__main__":
    main()
