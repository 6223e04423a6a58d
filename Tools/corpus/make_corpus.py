"""Regenerates the whole bundled corpus in Golden/ (models, golden.h5, calibration.h5).

Runs each model script of this folder in its own Python process (Keras/TensorFlow and PyTorch
are never trained in the same process, except student_mlp, which loads its Keras teacher), in an
order where the teacher mnist_cnn comes before its student, then prints a Markdown table of
parameters, model file sizes and held-out accuracies for Golden/README.md. corpus.yml and
README.md are kept by hand. Every script seeds its generators with common.SEED and uses the same
digits split, so a rerun with the pinned versions of requirements.txt gives bit-identical golden
outputs and byte-identical golden.h5, calibration.h5, model.h5 and model.onnx files (model.keras
zips record the save time).

Run: Tools/corpus/setup-venv.sh && .cache/venv-corpus/bin/python Tools/corpus/make_corpus.py [model ...]
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import common  # noqa: E402

MODELS = [
    ("mnist_cnn", "Keras Sequential, legacy `.h5`", "model.h5"),
    ("torch_cnn", "PyTorch → ONNX opset 17", "model.onnx"),
    ("keras_mlp", "Keras Sequential, `.keras`", "model.keras"),
    ("simplenet", "PyTorch → ONNX opset 17", "model.onnx"),
    ("mobilenet_tiny", "Keras functional, legacy `.h5`", "model.h5"),
    ("gru_rows", "Keras Sequential, `.keras`", "model.keras"),
    ("torch_transformer", "PyTorch → ONNX opset 17", "model.onnx"),
    ("student_mlp", "PyTorch → ONNX opset 17 (distilled from mnist_cnn)", "model.onnx"),
]


def main():
    wanted = set(sys.argv[1:])
    rows = []
    for name, source, model_file in MODELS:
        if wanted and name not in wanted:
            continue
        print(f"== {name}", flush=True)
        result = subprocess.run([sys.executable, os.path.join(HERE, f"{name}.py")], cwd=HERE,
                                capture_output=True, text=True)
        sys.stderr.write(result.stderr[-4000:] if result.returncode else "")
        if result.returncode:
            sys.exit(f"{name}.py failed with exit {result.returncode}")
        summary = None
        for line in result.stdout.splitlines():
            if line.startswith("SUMMARY "):
                summary = json.loads(line[len("SUMMARY "):])
            else:
                print("  " + line)
        directory = os.path.join(common.GOLDEN, name)
        size = sum(os.path.getsize(os.path.join(directory, f)) for f in os.listdir(directory))
        model_size = os.path.getsize(os.path.join(directory, model_file))
        rows.append(f"| `{name}` | {source} | {summary['parameters']:,} | {model_size / 1024:,.0f} KiB "
                    f"({size / 1024:,.0f} KiB with golden and calibration) | {summary['accuracy'] * 100:.1f} % |")
    print("\n| model | source framework and format | parameters | size | held-out accuracy |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
