"""Writes Golden/simplenet/: model.onnx, golden.h5, calibration.h5.

Model: PyTorch Linear(10, 5) → relu → Linear(5, 2) (two logits), exported with `torch.onnx.export`
(TorchScript exporter, opset 17, dynamic batch axis "batch").
Data: the digits split of common.py; each image's 64 pixels (row-major, in [0, 1]) are projected to
10 features by a fixed random matrix P (64×10, entries N(0, 1)/8, drawn by
`numpy.random.default_rng(common.SEED)`). The task has two classes: label 1 when the digit is 5 or
more, 0 when it is less than 5. Training: Adam (1e-2), cross-entropy, 200 epochs, batch 64,
torch.manual_seed(common.SEED), deterministic algorithms, one thread, CPU.
Golden outputs: the PyTorch module's forward in eval mode (float32) on the 360 held-out samples,
stored as outputs/logits; labels are the two-class labels. onnxruntime is a printed cross-check only.

Run: Tools/corpus/make_corpus.py (or `.cache/venv-corpus/bin/python Tools/corpus/simplenet.py`).
"""
import os

import numpy as np

import common

NAME = "simplenet"


def projection():
    return np.random.default_rng(common.SEED).standard_normal((64, 10)) / 8.0


def features(x):
    return (x.reshape(len(x), 64) @ projection()).astype(np.float32)


def two_class(y):
    return (y >= 5).astype(np.int64)


def main():
    common.seed_everything()
    torch = common.torch_setup()
    nn = torch.nn

    x_train, y_train, x_test, y_test = common.digits_split()
    train_x, test_x = features(x_train), features(x_test)
    train_y, test_y = two_class(y_train), two_class(y_test)

    model = nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 2))
    model = common.torch_train(torch, model, train_x, train_y, epochs=200, lr=1e-2,
                               loss_fn=nn.functional.cross_entropy)
    logits = common.torch_forward(torch, model, test_x)

    directory = common.model_dir(NAME)
    path = os.path.join(directory, "model.onnx")
    common.torch_export(model, torch.from_numpy(test_x[:1]), path, "input", "logits")
    common.write_golden(directory, {"input": test_x}, {"logits": logits}, test_y, common.torch_provenance(),
                        note="64 pixels projected to 10 features by a fixed N(0,1)/8 matrix; label = digit >= 5")
    common.write_calibration(directory, {"input": train_x[: common.CALIBRATION_COUNT]},
                             note="64 pixels projected to 10 features")
    params = sum(p.numel() for p in model.parameters())
    common.report(NAME, params, common.accuracy(logits, test_y), f"({common.file_size(path)} bytes)")
    common.onnxruntime_check(path, {"input": test_x}, logits)


if __name__ == "__main__":
    main()
