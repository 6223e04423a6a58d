"""Writes Golden/student_mlp/: model.onnx, golden.h5, calibration.h5 (run after mnist_cnn.py).

Model: a distilled student of mnist_cnn (the teacher). PyTorch Flatten → Linear(784, 32) → relu →
Linear(32, 10) → softmax, taking the teacher's input layout N×28×28×1 (NHWC; the flatten is
row-major, so the trailing channel axis of size 1 changes nothing) and giving, like the teacher,
probabilities over the 10 digits. Exported with `torch.onnx.export` (TorchScript exporter,
opset 17, dynamic batch axis "batch").
Distillation: the teacher (Golden/mnist_cnn/model.h5, loaded with Keras in a child process) gives
soft targets on the training split; the student is trained on those only, with KL(softmax(log p_teacher / T) ‖
softmax(z_student / T)) · T² at temperature T = 4 (log p_teacher differs from the teacher's logits
by a per-sample constant, which softmax ignores). Adam (3e-3), 120 epochs, batch 64,
torch.manual_seed(common.SEED), deterministic algorithms, one thread, CPU. No hard labels are used.
Golden: inputs/input is byte for byte the teacher's golden input (read from
Golden/mnist_cnn/golden.h5), so the student's outputs can be compared with the teacher's golden
sample by sample; outputs/probs is the PyTorch module's forward in eval mode (T = 1, float32).
onnxruntime is a printed cross-check only.

Run: Tools/corpus/make_corpus.py (or `.cache/venv-corpus/bin/python Tools/corpus/student_mlp.py`).
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

import common
import mnist_cnn

NAME = "student_mlp"
TEACHER = "mnist_cnn"
TEMPERATURE = 4.0


def teacher_probabilities(images):
    """The teacher's probabilities on `images`, computed by Keras in a child process.

    TensorFlow and PyTorch cannot be loaded into one process here (both bring LLVM and abort on
    its duplicate command-line options), so Keras runs in `python student_mlp.py --teacher IN OUT`.
    """
    with tempfile.TemporaryDirectory() as scratch:
        source, target = os.path.join(scratch, "images.npy"), os.path.join(scratch, "probs.npy")
        np.save(source, images)
        subprocess.run([sys.executable, os.path.abspath(__file__), "--teacher", source, target], check=True)
        return np.load(target)


def run_teacher(source, target):
    keras = common.keras_setup()
    teacher = keras.models.load_model(os.path.join(common.GOLDEN, TEACHER, "model.h5"), compile=False)
    np.save(target, teacher.predict(np.load(source), batch_size=64, verbose=0))


def build(torch):
    nn = torch.nn

    class StudentMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(28 * 28, 32)
            self.out = nn.Linear(32, 10)

        def forward(self, x):
            logits = self.out(torch.relu(self.hidden(torch.flatten(x, 1))))
            # Training works on logits (the distillation loss tempers them); eval and export give probabilities.
            return logits if self.training else torch.softmax(logits, dim=1)

    return StudentMLP()


def main():
    common.seed_everything()
    x_train, _, _, _ = common.digits_split()
    train_x = mnist_cnn.images(x_train)
    with h5py.File(os.path.join(common.GOLDEN, TEACHER, "golden.h5"), "r") as f:
        test_x = f["inputs/input"][...]
        test_y = f["labels"][...]
        teacher_test = f["outputs/probs"][...]
    soft = teacher_probabilities(train_x)

    torch = common.torch_setup()
    F = torch.nn.functional
    model = build(torch)

    def distillation_loss(logits, log_teacher):
        return F.kl_div(F.log_softmax(logits / TEMPERATURE, dim=1), F.log_softmax(log_teacher / TEMPERATURE, dim=1),
                        reduction="batchmean", log_target=True) * TEMPERATURE ** 2

    log_soft = np.log(np.clip(soft, 1e-12, 1.0)).astype(np.float32)
    model = common.torch_train(torch, model, train_x, log_soft, epochs=120, lr=3e-3, loss_fn=distillation_loss)
    probs = common.torch_forward(torch, model, test_x)

    directory = common.model_dir(NAME)
    path = os.path.join(directory, "model.onnx")
    common.torch_export(model, torch.from_numpy(test_x[:1]), path, "input", "probs")
    common.write_golden(directory, {"input": test_x}, {"probs": probs}, test_y, common.torch_provenance(),
                        note=f"same inputs as {TEACHER}/golden.h5 (28x28 NHWC); distilled from {TEACHER} at T={TEMPERATURE:g}")
    common.write_calibration(directory, {"input": train_x[: common.CALIBRATION_COUNT]},
                             note=f"resized to 28x28, NHWC, as for {TEACHER}")
    params = sum(p.numel() for p in model.parameters())
    agreement = float(np.mean(np.argmax(probs, 1) == np.argmax(teacher_test, 1)))
    common.report(NAME, params, common.accuracy(probs, test_y),
                  f"(top-1 agreement with teacher {agreement:.4f}; {common.file_size(path)} bytes)")
    common.onnxruntime_check(path, {"input": test_x}, probs)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--teacher":
        run_teacher(sys.argv[2], sys.argv[3])
    else:
        main()
