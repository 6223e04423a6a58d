"""Writes Golden/mnist_cnn/: model.h5, golden.h5, calibration.h5.

Model: the Keras MNIST example CNN, Sequential Conv2D(32, 3×3, relu) → MaxPooling2D(2) →
Dropout(0.25) → Flatten → Dense(128, relu) → Dropout(0.5) → Dense(10, softmax), input 28×28×1
(NHWC), saved in the legacy HDF5 format with `model.save("model.h5")` (an uncompiled copy: no optimizer state).
Data: the digits split of common.py, each 8×8 image resized bilinearly to 28×28 (common.upsample),
channel axis last. Training: Adam (1e-3), sparse categorical cross-entropy, 40 epochs, batch 64,
seed common.SEED, TensorFlow op determinism on, CPU.
Golden outputs: `model.predict` (Keras on TensorFlow, float32) on the 360 held-out samples; the
softmax probabilities are stored as outputs/probs. The framework versions are written into the
`provenance` attribute.

Run: Tools/corpus/make_corpus.py (or `.cache/venv-corpus/bin/python Tools/corpus/mnist_cnn.py`).
"""
import os

import common

NAME = "mnist_cnn"


def images(x):
    return common.upsample(x, 28)[..., None]


def main():
    common.seed_everything()
    keras = common.keras_setup()
    from keras import layers

    x_train, y_train, x_test, y_test = common.digits_split()
    train, test = images(x_train), images(x_test)

    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1), name="input"),
            layers.Conv2D(32, 3, activation="relu", name="conv"),
            layers.MaxPooling2D(2, name="pool"),
            layers.Dropout(0.25, name="dropout_1"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation="relu", name="dense"),
            layers.Dropout(0.5, name="dropout_2"),
            layers.Dense(10, activation="softmax", name="probs"),
        ],
        name=NAME,
    )
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train, y_train, epochs=40, batch_size=64, shuffle=True, verbose=0)

    directory = common.model_dir(NAME)
    path = os.path.join(directory, "model.h5")
    reloaded = common.keras_save(model, path)
    probs = reloaded.predict(test, batch_size=64, verbose=0)
    common.write_golden(directory, {"input": test}, {"probs": probs}, y_test, common.keras_provenance(),
                        note="resized to 28x28 (bilinear, half-pixel centres), NHWC")
    common.write_calibration(directory, {"input": train[: common.CALIBRATION_COUNT]},
                             note="resized to 28x28, NHWC")
    common.report(NAME, model.count_params(), common.accuracy(probs, y_test), f"({common.file_size(path)} bytes)")


if __name__ == "__main__":
    main()
