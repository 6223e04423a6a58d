"""Writes Golden/gru_rows/: model.keras, golden.h5, calibration.h5.

Model: Keras Sequential reading an image row by row: input [28 steps, 28 features] → GRU(32)
(Keras defaults: tanh, sigmoid recurrent activation, reset_after=True) → Dense(10, softmax),
saved in the Keras 3 zip format with `model.save("model.keras")` (an uncompiled copy: no optimizer state).
Data: the digits split of common.py, each 8×8 image resized bilinearly to 28×28 (common.upsample);
row r of the image is time step r. Training: Adam (3e-3), sparse categorical cross-entropy,
60 epochs, batch 64, seed common.SEED, TensorFlow op determinism on, CPU.
Golden outputs: `model.predict` (Keras on TensorFlow, float32) on the 360 held-out samples, stored
as outputs/probs; versions in the `provenance` attribute.

Run: Tools/corpus/make_corpus.py (or `.cache/venv-corpus/bin/python Tools/corpus/gru_rows.py`).
"""
import os

import common

NAME = "gru_rows"


def sequences(x):
    return common.upsample(x, 28)


def main():
    common.seed_everything()
    keras = common.keras_setup()
    from keras import layers

    x_train, y_train, x_test, y_test = common.digits_split()
    train, test = sequences(x_train), sequences(x_test)

    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28), name="input"),
            layers.GRU(32, name="gru"),
            layers.Dense(10, activation="softmax", name="probs"),
        ],
        name=NAME,
    )
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train, y_train, epochs=60, batch_size=64, shuffle=True, verbose=0)

    directory = common.model_dir(NAME)
    path = os.path.join(directory, "model.keras")
    reloaded = common.keras_save(model, path)
    probs = reloaded.predict(test, batch_size=64, verbose=0)
    common.write_golden(directory, {"input": test}, {"probs": probs}, y_test, common.keras_provenance(),
                        note="resized to 28x28 (bilinear, half-pixel centres); rows are time steps")
    common.write_calibration(directory, {"input": train[: common.CALIBRATION_COUNT]},
                             note="resized to 28x28; rows are time steps")
    common.report(NAME, model.count_params(), common.accuracy(probs, y_test), f"({common.file_size(path)} bytes)")


if __name__ == "__main__":
    main()
