"""Writes Golden/keras_mlp/: model.keras, golden.h5, calibration.h5.

Model: Keras Sequential 784 → Dense(64, relu) → Dense(10) (logits, no activation), saved in the
Keras 3 zip format with `model.save("model.keras")` (an uncompiled copy: no optimizer state).
Data: the digits split of common.py, each 8×8 image resized bilinearly to 28×28 (common.upsample)
and flattened row-major to 784 features. Training: Adam (1e-3), sparse categorical cross-entropy
from logits, 60 epochs, batch 64, seed common.SEED, TensorFlow op determinism on, CPU.
Golden outputs: `model.predict` (Keras on TensorFlow, float32) on the 360 held-out samples, stored
as outputs/logits; versions in the `provenance` attribute.

Run: Tools/corpus/make_corpus.py (or `.cache/venv-corpus/bin/python Tools/corpus/keras_mlp.py`).
"""
import os

import common

NAME = "keras_mlp"


def features(x):
    return common.upsample(x, 28).reshape(len(x), 784)


def main():
    common.seed_everything()
    keras = common.keras_setup()
    from keras import layers

    x_train, y_train, x_test, y_test = common.digits_split()
    train, test = features(x_train), features(x_test)

    model = keras.Sequential(
        [
            keras.Input(shape=(784,), name="input"),
            layers.Dense(64, activation="relu", name="hidden"),
            layers.Dense(10, name="logits"),
        ],
        name=NAME,
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
    model.fit(train, y_train, epochs=60, batch_size=64, shuffle=True, verbose=0)

    directory = common.model_dir(NAME)
    path = os.path.join(directory, "model.keras")
    reloaded = common.keras_save(model, path)
    logits = reloaded.predict(test, batch_size=64, verbose=0)
    common.write_golden(directory, {"input": test}, {"logits": logits}, y_test, common.keras_provenance(),
                        note="resized to 28x28 (bilinear, half-pixel centres), flattened to 784")
    common.write_calibration(directory, {"input": train[: common.CALIBRATION_COUNT]},
                             note="resized to 28x28, flattened to 784")
    common.report(NAME, model.count_params(), common.accuracy(logits, y_test), f"({common.file_size(path)} bytes)")


if __name__ == "__main__":
    main()
