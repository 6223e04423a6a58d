"""Shared pieces of the corpus scripts: the data, the split, the image resizing and the HDF5 writers.

Data: scikit-learn's bundled digits set (`sklearn.datasets.load_digits`: 1,797 greyscale 8×8
images of the digits 0–9, pixel values 0–16, shipped inside the scikit-learn package, so nothing
is downloaded). Pixels are scaled to [0, 1] by dividing by 16.

Split: `train_test_split(test_size=360, stratify=labels, random_state=SEED)` with SEED = 20261125:
1,437 training samples and 360 held-out samples, the same for every model. Golden files hold the
held-out samples in that order; calibration files hold the first CALIBRATION_COUNT training
samples in that order.

Resizing: models that want 28×28 or 32×32 inputs get the 8×8 images resized bilinearly with
half-pixel centres (the convention of `tf.image.resize(..., "bilinear")` and of OpenCV's
INTER_LINEAR, edge pixels clamped): `big = R @ img @ R.T`, where R is the (size × 8) matrix of
interpolation weights built by `resize_matrix`. Computed in float64, stored as float32.
"""
import os
import random

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

import h5write

SEED = 20261125
HELD_OUT_COUNT = 360
CALIBRATION_COUNT = 128

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GOLDEN = os.path.join(ROOT, "Golden")

DATA_NOTE = (
    "sklearn.datasets.load_digits (8x8, pixels/16), train_test_split(test_size=360, stratify, "
    f"random_state={SEED}); held-out samples in split order"
)


def seed_everything(seed=SEED):
    """Seeds Python's and numpy's generators (frameworks seed their own on top)."""
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed)


def digits_split():
    """Returns (x_train, y_train, x_test, y_test): images float64 [N, 8, 8] in [0, 1], labels int64."""
    digits = load_digits()
    images = digits.images.astype(np.float64) / 16.0
    labels = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=HELD_OUT_COUNT, stratify=labels, random_state=SEED
    )
    return x_train, y_train, x_test, y_test


def resize_matrix(size, source=8):
    """(size × source) bilinear interpolation weights with half-pixel centres, edges clamped."""
    matrix = np.zeros((size, source))
    scale = source / size
    for i in range(size):
        x = (i + 0.5) * scale - 0.5
        x = min(max(x, 0.0), source - 1.0)
        lo = int(np.floor(x))
        hi = min(lo + 1, source - 1)
        frac = x - lo
        matrix[i, lo] += 1.0 - frac
        matrix[i, hi] += frac
    return matrix


def upsample(images, size):
    """Resizes [N, 8, 8] images to [N, size, size] (float32) with `resize_matrix`."""
    r = resize_matrix(size, images.shape[-1])
    return np.einsum("ij,njk,lk->nil", r, images, r).astype(np.float32)


def model_dir(name):
    path = os.path.join(GOLDEN, name)
    os.makedirs(path, exist_ok=True)
    return path


def write_golden(directory, inputs, outputs, labels, provenance, note=""):
    """Writes golden.h5: inputs/<name>, outputs/<name> (float32), labels (int64), `provenance`."""
    path = os.path.join(directory, "golden.h5")
    with h5write.create_file(path) as f:
        h5write.write_arrays(f, "inputs", {k: np.asarray(v, np.float32) for k, v in inputs.items()}, compress=True)
        h5write.write_arrays(f, "outputs", {k: np.asarray(v, np.float32) for k, v in outputs.items()}, compress=True)
        f.create_dataset("labels", data=np.asarray(labels, np.int64), track_times=False)
        f.attrs["provenance"] = provenance
        f.attrs["data"] = DATA_NOTE + (f"; {note}" if note else "")
    return path


def write_calibration(directory, inputs, note=""):
    """Writes calibration.h5: inputs/<name> (float32), training samples only."""
    path = os.path.join(directory, "calibration.h5")
    with h5write.create_file(path) as f:
        h5write.write_arrays(f, "inputs", {k: np.asarray(v, np.float32) for k, v in inputs.items()}, compress=True)
        f.attrs["data"] = (
            f"first {CALIBRATION_COUNT} training samples of " + DATA_NOTE.split(";")[0]
            + (f"; {note}" if note else "")
        )
    return path


def accuracy(outputs, labels):
    return float(np.mean(np.argmax(outputs, axis=-1) == labels))


def report(name, params, accuracy_value, extra=""):
    """Prints a summary line for people and a `SUMMARY {json}` line that make_corpus.py collects."""
    import json

    print(f"{name}: {params} parameters, held-out accuracy {accuracy_value:.4f} {extra}".rstrip())
    print("SUMMARY " + json.dumps({"model": name, "parameters": int(params), "accuracy": accuracy_value}))


def keras_setup():
    """Imports Keras on the TensorFlow backend with seeds set, deterministic ops, no oneDNN; returns keras."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain kernels: the same float32 results on any x86 CPU
    import keras
    import tensorflow as tf

    keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    return keras


def keras_save(model, path):
    """Saves an uncompiled copy of a trained model (no optimizer state, no training config).

    Returns the model loaded back from `path`, which the golden outputs are then computed with.
    """
    import keras

    inference = type(model).from_config(model.get_config())  # no compile config, so no optimizer
    inference.set_weights(model.get_weights())
    inference.save(path)
    return keras.models.load_model(path, compile=False)


def keras_provenance():
    import keras
    import tensorflow as tf

    return f"keras {keras.__version__} / tensorflow {tf.__version__}, model.predict, float32"


def torch_setup():
    """Imports PyTorch with seeds set, deterministic algorithms and one thread; returns torch."""
    import torch

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    return torch


def torch_provenance():
    import torch

    return f"pytorch {torch.__version__}, module.eval() forward, float32"


def file_size(path):
    return os.path.getsize(path)


OPSET = 17


def torch_export(module, example, path, input_name, output_name):
    """Exports `module` (eval mode) to ONNX at opset 17 with a dynamic batch axis named "batch".

    Uses the TorchScript-based exporter (`dynamo=False`), which writes the requested opset directly.
    """
    import torch

    module.eval()
    with torch.no_grad():
        torch.onnx.export(
            module, (example,), path, input_names=[input_name], output_names=[output_name],
            opset_version=OPSET, dynamic_axes={input_name: {0: "batch"}, output_name: {0: "batch"}},
            do_constant_folding=True, dynamo=False,
        )


def onnxruntime_check(path, inputs, golden):
    """Cross-check only (never stored): runs the ONNX file on onnxruntime, prints max |ort − golden|."""
    import onnx
    import onnxruntime as ort

    onnx.checker.check_model(onnx.load(path), full_check=True)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    result = session.run(None, inputs)[0]
    diff = float(np.max(np.abs(result - golden)))
    print(f"  cross-check onnxruntime {ort.__version__} vs golden: max abs diff {diff:.3e}")
    return diff


def torch_train(torch, model, x, y, epochs, lr, batch=64, loss_fn=None, optimizer=None):
    """Minibatch training (Adam unless told) with a seeded shuffle; returns the model in eval mode.

    `y` may be labels or any per-sample target array that `loss_fn(outputs, targets)` accepts.
    """
    loss_fn = loss_fn or torch.nn.functional.nll_loss
    optimizer = (optimizer or torch.optim.Adam)(model.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(SEED)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    model.train()
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), batch):
            index = order[start:start + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x[index]), y[index])
            loss.backward()
            optimizer.step()
    return model.eval()


def torch_forward(torch, model, x):
    with torch.no_grad():
        return model.eval()(torch.from_numpy(x)).numpy()
