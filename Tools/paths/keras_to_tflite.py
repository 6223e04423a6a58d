#!/usr/bin/env python3
"""Converts a Keras model (.h5 or .keras) to TensorFlow Lite with TensorFlow's own converter.

Usage: keras_to_tflite.py [--fp32 | --fp16 | --int8] INPUT OUTPUT

  --fp32  float32 weights and compute (the default)
  --fp16  float16 weights (tf.lite.Optimize.DEFAULT with supported_types=[tf.float16]); I/O float32
  --int8  full-integer quantization: int8 weights (per-channel) and activations, ranges from the
          representative dataset inputs/<name> of calibration.h5 beside INPUT; the model's inputs and
          outputs stay float32 (QUANTIZE/DEQUANTIZE at the edges), like ModelGate's int8-static path.
          Recurrent layers are unrolled first (the same weights; TensorFlow 2.21's calibrator
          crashes on the WHILE loop a recurrent layer otherwise converts to).

Recurrent layers with a free batch size do not convert to builtin operators; for those models
the batch is fixed at 1 (the loop becomes a WHILE of builtin operators).

Conversions take a while (TensorFlow import), so results are cached in .cache/tflite/ keyed by the
SHA-256 of the input file, the variant and this script; concurrent invocations on the same key wait
for one another (flock) instead of converting twice.
"""
import argparse
import fcntl
import hashlib
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CACHE = os.environ.get("MODELGATE_TFLITE_CACHE", os.path.join(ROOT, ".cache", "tflite"))


def cache_key(input_path, variant):
    digest = hashlib.sha256()
    for path in (input_path, os.path.abspath(__file__)):
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digest.update(b"\0")
    digest.update(variant.encode())
    calibration = os.path.join(os.path.dirname(os.path.abspath(input_path)), "calibration.h5")
    if variant == "int8" and os.path.exists(calibration):
        with open(calibration, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def representative_dataset(input_path, model):
    import h5py
    import numpy as np
    calibration = os.path.join(os.path.dirname(os.path.abspath(input_path)), "calibration.h5")
    if not os.path.exists(calibration):
        sys.exit(f"keras_to_tflite: --int8 needs {calibration} (inputs/<name>, first axis the samples)")
    with h5py.File(calibration, "r") as file:
        group = file["inputs"]
        names = [tensor.name.split(":")[0] for tensor in model.inputs]
        if len(group) == 1:
            arrays = [np.asarray(group[next(iter(group))], dtype=np.float32)]
        else:
            arrays = [np.asarray(group[name], dtype=np.float32) for name in names]

    def samples():
        for index in range(arrays[0].shape[0]):
            yield [array[index:index + 1] for array in arrays]
    return samples


def convert(input_path, variant):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf
    model = keras.models.load_model(input_path, compile=False)
    if variant == "int8":
        model = unrolled(model)
    try:
        return quantized(tf.lite.TFLiteConverter.from_keras_model(model), input_path, model, variant).convert()
    except Exception as error:
        # Recurrent layers with a free batch size keep TensorList ops the builtin set lacks;
        # with the batch fixed at 1 the converter lowers the loop to a WHILE of builtin ops.
        print(f"keras_to_tflite: free-batch conversion failed ({str(error).splitlines()[0][:200]}); "
              "converting with the batch fixed at 1", file=sys.stderr)
    inputs = [keras.Input(batch_size=1, shape=tuple(tensor.shape[1:]), name=tensor.name.split(":")[0]) for tensor in model.inputs]
    fixed = keras.Model(inputs, model(inputs if len(inputs) > 1 else inputs[0]))
    return quantized(tf.lite.TFLiteConverter.from_keras_model(fixed), input_path, fixed, variant).convert()


def unrolled(model):
    """The model rebuilt with `unroll=True` on its recurrent layers, with the same weights."""
    import keras
    config = model.get_config()
    found = []

    def visit(node):
        if isinstance(node, dict):
            if node.get("class_name") in ("GRU", "LSTM", "SimpleRNN") and isinstance(node.get("config"), dict):
                node["config"]["unroll"] = True
                found.append(node["class_name"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)
    visit(config)
    if not found:
        return model
    clone = model.__class__.from_config(config)
    clone.set_weights(model.get_weights())
    return clone


def quantized(converter, input_path, model, variant):
    import tensorflow as tf
    if variant == "fp16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif variant == "int8":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative_dataset(input_path, model)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    return converter


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--fp32", dest="variant", action="store_const", const="fp32")
    group.add_argument("--fp16", dest="variant", action="store_const", const="fp16")
    group.add_argument("--int8", dest="variant", action="store_const", const="int8")
    parser.add_argument("input")
    parser.add_argument("output")
    args = parser.parse_args()
    variant = args.variant or "fp32"
    if not args.input.endswith((".h5", ".keras")):
        sys.exit(f"keras_to_tflite: {args.input} is not a Keras model (.h5 or .keras)")

    os.makedirs(CACHE, exist_ok=True)
    key = cache_key(args.input, variant)
    cached = os.path.join(CACHE, f"{key}.tflite")
    with open(os.path.join(CACHE, f"{key}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(cached):
            data = convert(args.input, variant)
            handle, temporary = tempfile.mkstemp(dir=CACHE, suffix=".part")
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, cached)
    shutil.copyfile(cached, args.output)


if __name__ == "__main__":
    main()
