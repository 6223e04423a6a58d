"""Saves each Keras model of Golden/ in its other file format, for the importer tests:
Golden/<m>/model.h5 -> Tests/Fixtures/keras-corpus/<m>/model.keras and model.keras -> model.h5.

Keras loads the committed file and saves it again uncompiled (`keras.saving.load_model(...,
compile=False)`, then `model.save(...)`), so the weights are the same bits and Golden/<m>/golden.h5
judges both files. The script checks that by comparing model.predict on the golden inputs.
Run: bash Tools/corpus/setup-venv.sh && .cache/venv-corpus/bin/python Tools/corpus/save_other_formats.py
"""
import os

import h5py
import keras
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MODELS = {"mnist_cnn": "h5", "mobilenet_tiny": "h5", "keras_mlp": "keras", "gru_rows": "keras"}


def main():
    for name, fmt in MODELS.items():
        source = os.path.join(ROOT, "Golden", name, f"model.{fmt}")
        other = "keras" if fmt == "h5" else "h5"
        folder = os.path.join(ROOT, "Tests", "Fixtures", "keras-corpus", name)
        os.makedirs(folder, exist_ok=True)
        target = os.path.join(folder, f"model.{other}")
        model = keras.saving.load_model(source, compile=False)
        model.save(target)
        with h5py.File(os.path.join(ROOT, "Golden", name, "golden.h5"), "r") as golden:
            inputs = [np.asarray(golden["inputs"][key]) for key in golden["inputs"]]
        reloaded = keras.saving.load_model(target, compile=False)
        first = model.predict(inputs[0] if len(inputs) == 1 else inputs, verbose=0)
        second = reloaded.predict(inputs[0] if len(inputs) == 1 else inputs, verbose=0)
        assert np.array_equal(first, second), name
        print(name, "->", os.path.relpath(target, ROOT), os.path.getsize(target), "bytes")
    with open(os.path.join(ROOT, "Tests", "Fixtures", "keras-corpus", "README.txt"), "w") as handle:
        handle.write(f"Written by Tools/corpus/save_other_formats.py with keras {keras.__version__}: each Keras model of "
                     "Golden/ in its other file format; Golden/<model>/golden.h5 holds the outputs both must match.\n")


if __name__ == "__main__":
    main()
