"""Writes Golden/torch_cnn/: model.onnx, golden.h5, calibration.h5.

Model: PyTorch Conv2d(1, 32, 3) → relu → Conv2d(32, 64, 3) → relu → avg_pool2d(6) → flatten →
Linear(64·4·4, 128) → relu → Linear(128, 10) → log_softmax, input 1×32×32 (NCHW). Exported with
`torch.onnx.export` (TorchScript exporter, opset 17, dynamic batch axis "batch") after training.
Data: the digits split of common.py, each 8×8 image resized bilinearly to 32×32 (common.upsample),
with a channel axis in front (N×1×32×32). Training: Adam (1e-3), NLL loss, 30 epochs, batch 64,
torch.manual_seed(common.SEED), deterministic algorithms, one thread, CPU.
Golden outputs: the PyTorch module's forward in eval mode (float32) on the 360 held-out samples,
stored as outputs/log_probs; versions in the `provenance` attribute. onnxruntime is run only as a
printed cross-check.

Run: Tools/corpus/make_corpus.py (or `.cache/venv-corpus/bin/python Tools/corpus/torch_cnn.py`).
"""
import os

import numpy as np

import common

NAME = "torch_cnn"


def images(x):
    return common.upsample(x, 32)[:, None, :, :]


def build(torch):
    nn = torch.nn
    F = torch.nn.functional

    class TorchCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3)
            self.conv2 = nn.Conv2d(32, 64, 3)
            self.fc1 = nn.Linear(64 * 4 * 4, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.avg_pool2d(x, 6)
            x = torch.flatten(x, 1)
            x = F.relu(self.fc1(x))
            return F.log_softmax(self.fc2(x), dim=1)

    return TorchCNN()


def main():
    common.seed_everything()
    torch = common.torch_setup()

    x_train, y_train, x_test, y_test = common.digits_split()
    train_x, test_x = images(x_train), images(x_test)

    model = common.torch_train(torch, build(torch), train_x, y_train, epochs=30, lr=1e-3)
    log_probs = common.torch_forward(torch, model, test_x)

    directory = common.model_dir(NAME)
    path = os.path.join(directory, "model.onnx")
    common.torch_export(model, torch.from_numpy(test_x[:1]), path, "input", "log_probs")
    common.write_golden(directory, {"input": test_x}, {"log_probs": log_probs}, y_test, common.torch_provenance(),
                        note="resized to 32x32 (bilinear, half-pixel centres), NCHW")
    common.write_calibration(directory, {"input": train_x[: common.CALIBRATION_COUNT]},
                             note="resized to 32x32, NCHW")
    params = sum(p.numel() for p in model.parameters())
    common.report(NAME, params, common.accuracy(log_probs, y_test), f"({common.file_size(path)} bytes)")
    common.onnxruntime_check(path, {"input": test_x}, log_probs)


if __name__ == "__main__":
    main()
