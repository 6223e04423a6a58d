"""Writes Golden/torch_transformer/: model.onnx, golden.h5, calibration.h5.

Model: a one-block pre-norm transformer encoder over the 8 rows of an 8×8 digit as 8 tokens of 8
pixels, written out with plain modules so the export holds LayerNormalization, MatMul/Gemm, Softmax
and Erf-based GELU rather than a fused attention op:
  tokens [N, 8, 8] → Linear(8, 32) + learned position embedding [8, 32]
  → x + Attention(LayerNorm(x))   (2 heads of 16; q, k, v Linear(32, 32); softmax(q·kᵀ/√16)·v; Linear(32, 32))
  → x + MLP(LayerNorm(x))         (Linear(32, 64) → GELU (exact, erf) → Linear(64, 32))
  → LayerNorm → mean over tokens → Linear(32, 10) logits.
Exported with `torch.onnx.export` (TorchScript exporter, opset 17, dynamic batch axis "batch"): no op
newer than opset 17 (LayerNormalization is opset 17; GELU is exported as Erf arithmetic).
Data: the digits split of common.py at the original 8×8 resolution, pixels in [0, 1]; row r is token r.
Training: AdamW (3e-3), cross-entropy, 100 epochs, batch 64, torch.manual_seed(common.SEED),
deterministic algorithms, one thread, CPU.
Golden outputs: the PyTorch module's forward in eval mode (float32) on the 360 held-out samples,
stored as outputs/logits. onnxruntime is a printed cross-check only.

Run: Tools/corpus/make_corpus.py (or `.cache/venv-corpus/bin/python Tools/corpus/torch_transformer.py`).
"""
import math
import os

import numpy as np

import common

NAME = "torch_transformer"
TOKENS, WIDTH, HEADS, DIM, HIDDEN = 8, 8, 2, 32, 64


def build(torch):
    nn = torch.nn

    class Attention(nn.Module):
        def __init__(self):
            super().__init__()
            self.q = nn.Linear(DIM, DIM)
            self.k = nn.Linear(DIM, DIM)
            self.v = nn.Linear(DIM, DIM)
            self.out = nn.Linear(DIM, DIM)
            self.head = DIM // HEADS

        def split(self, x):
            return x.reshape(x.shape[0], TOKENS, HEADS, self.head).transpose(1, 2)

        def forward(self, x):
            q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
            weights = torch.softmax(torch.matmul(q, k.transpose(-2, -1)) / math.sqrt(self.head), dim=-1)
            y = torch.matmul(weights, v).transpose(1, 2).reshape(x.shape[0], TOKENS, DIM)
            return self.out(y)

    class TinyTransformer(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Linear(WIDTH, DIM)
            self.position = nn.Parameter(torch.randn(1, TOKENS, DIM) * 0.02)
            self.norm1 = nn.LayerNorm(DIM)
            self.attention = Attention()
            self.norm2 = nn.LayerNorm(DIM)
            self.mlp = nn.Sequential(nn.Linear(DIM, HIDDEN), nn.GELU(), nn.Linear(HIDDEN, DIM))
            self.norm3 = nn.LayerNorm(DIM)
            self.classifier = nn.Linear(DIM, 10)

        def forward(self, tokens):
            x = self.embed(tokens) + self.position
            x = x + self.attention(self.norm1(x))
            x = x + self.mlp(self.norm2(x))
            return self.classifier(self.norm3(x).mean(dim=1))

    return TinyTransformer()


def main():
    common.seed_everything()
    torch = common.torch_setup()

    x_train, y_train, x_test, y_test = common.digits_split()
    train_x, test_x = x_train.astype(np.float32), x_test.astype(np.float32)

    model = build(torch)
    model = common.torch_train(torch, model, train_x, y_train, epochs=100, lr=3e-3,
                               loss_fn=torch.nn.functional.cross_entropy, optimizer=torch.optim.AdamW)
    logits = common.torch_forward(torch, model, test_x)

    directory = common.model_dir(NAME)
    path = os.path.join(directory, "model.onnx")
    common.torch_export(model, torch.from_numpy(test_x[:1]), path, "input", "logits")
    common.write_golden(directory, {"input": test_x}, {"logits": logits}, y_test, common.torch_provenance(),
                        note="8x8 images as 8 tokens (rows) of 8 pixels")
    common.write_calibration(directory, {"input": train_x[: common.CALIBRATION_COUNT]},
                             note="8x8 images as 8 tokens of 8 pixels")
    params = sum(p.numel() for p in model.parameters())
    common.report(NAME, params, common.accuracy(logits, y_test), f"({common.file_size(path)} bytes)")
    common.onnxruntime_check(path, {"input": test_x}, logits)


if __name__ == "__main__":
    main()
