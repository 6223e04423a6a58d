"""Writes Golden/mobilenet_tiny/: model.h5, golden.h5, calibration.h5.

Model: a small MobileNet-style Keras functional network on 32×32×1 (NHWC) inputs:
  stem: Conv2D(16, 3×3, stride 2, same, no bias) → BatchNormalization → ReLU6          (16×16×16)
  block 1 (residual): DepthwiseConv2D(3×3, same) → BN → ReLU6 → Conv2D(16, 1×1) → BN → Add(input)
  block 2 (stride 2): DepthwiseConv2D(3×3, stride 2, same) → BN → ReLU6 → Conv2D(32, 1×1) → BN → ReLU6
  block 3 (residual): DepthwiseConv2D(3×3, same) → BN → ReLU6 → Conv2D(32, 1×1) → BN → Add(input)
  head: GlobalAveragePooling2D → Dense(10, softmax)
saved in the legacy HDF5 format with `model.save("model.h5")` (an uncompiled copy: no optimizer state). The BatchNormalization layers carry
trained moving statistics, so folding them (the `fused` path) changes the graph but not the outputs.
Data: the digits split of common.py, each 8×8 image resized bilinearly to 32×32 (common.upsample),
channel axis last. Training: Adam (3e-3), sparse categorical cross-entropy, 40 epochs, batch 64,
seed common.SEED, TensorFlow op determinism on, CPU.
Golden outputs: `model.predict` (Keras on TensorFlow, float32) on the 360 held-out samples, stored
as outputs/probs; versions in the `provenance` attribute.

Run: Tools/corpus/make_corpus.py (or `.cache/venv-corpus/bin/python Tools/corpus/mobilenet_tiny.py`).
"""
import os

import common

NAME = "mobilenet_tiny"


def images(x):
    return common.upsample(x, 32)[..., None]


def build(keras):
    from keras import layers

    def bn(name):
        return layers.BatchNormalization(momentum=0.9, name=name)

    def relu6(name):
        return layers.ReLU(6.0, name=name)

    inputs = keras.Input(shape=(32, 32, 1), name="input")
    x = layers.Conv2D(16, 3, strides=2, padding="same", use_bias=False, name="stem_conv")(inputs)
    x = relu6("stem_relu")(bn("stem_bn")(x))

    def block(x, index, filters, stride, residual):
        y = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False, name=f"b{index}_dw")(x)
        y = relu6(f"b{index}_dw_relu")(bn(f"b{index}_dw_bn")(y))
        y = layers.Conv2D(filters, 1, use_bias=False, name=f"b{index}_pw")(y)
        y = bn(f"b{index}_pw_bn")(y)
        if residual:
            return layers.Add(name=f"b{index}_add")([x, y])
        return relu6(f"b{index}_pw_relu")(y)

    x = block(x, 1, 16, 1, True)
    x = block(x, 2, 32, 2, False)
    x = block(x, 3, 32, 1, True)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = layers.Dense(10, activation="softmax", name="probs")(x)
    return keras.Model(inputs, outputs, name=NAME)


def main():
    common.seed_everything()
    keras = common.keras_setup()

    x_train, y_train, x_test, y_test = common.digits_split()
    train, test = images(x_train), images(x_test)

    model = build(keras)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(train, y_train, epochs=40, batch_size=64, shuffle=True, verbose=0)

    directory = common.model_dir(NAME)
    path = os.path.join(directory, "model.h5")
    reloaded = common.keras_save(model, path)
    probs = reloaded.predict(test, batch_size=64, verbose=0)
    common.write_golden(directory, {"input": test}, {"probs": probs}, y_test, common.keras_provenance(),
                        note="resized to 32x32 (bilinear, half-pixel centres), NHWC")
    common.write_calibration(directory, {"input": train[: common.CALIBRATION_COUNT]},
                             note="resized to 32x32, NHWC")
    common.report(NAME, model.count_params(), common.accuracy(probs, y_test), f"({common.file_size(path)} bytes)")


if __name__ == "__main__":
    main()
