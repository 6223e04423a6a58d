#!/usr/bin/env python3
"""Makes the int8 agreement zoo Benchmarks/int8_vs_ort.py measures: Keras models, their calibration
and input samples, and their full-integer TensorFlow Lite conversions.

Usage: .cache/venv-corpus/bin/python Tools/int8-zoo.py OUT [MODEL ...]
       (models: toy_resnet mobilenet_v2 mobilenet_v2_logits resnet50 efficientnet_b0; default all)

Each model gets OUT/<model>/ with model.keras, calibration.h5 (inputs/image: 16 samples),
inputs.h5 (inputs/image: 4 other samples) and model-int8.tflite (TensorFlow's converter,
Optimize.DEFAULT, TFLITE_BUILTINS_INT8, float input and output, the 16 calibration samples as
representative dataset).

  toy_resnet           32×32×3, a stem Conv, four residual blocks (Conv-BN-ReLU, Conv-BN, Add,
                       ReLU; 1×1 projections), global average pooling, Dense-softmax over 10
                       classes; trained three epochs on ten fixed random patterns plus noise
  mobilenet_v2         keras.applications.MobileNetV2, 224×224, 1000-class softmax
  mobilenet_v2_logits  the same without the softmax (logits out)
  resnet50, efficientnet_b0
                       keras.applications, 160×160, logits out
The keras.applications models are untrained (weights=None, seeded) with their BatchNormalization
statistics set by 30 training-mode passes over the samples, so activations have realistic ranges.
Samples are seeded normal noise smoothed by a 5×5 box filter (×2).
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import h5py
import keras
import numpy as np
import tensorflow as tf

RNG = np.random.default_rng(7)
ALL = ["toy_resnet", "mobilenet_v2", "mobilenet_v2_logits", "resnet50", "efficientnet_b0"]


def adapt(model, data, rounds=30):
    """Moving BatchNormalization statistics from the data (training-mode forward passes)."""
    for _ in range(rounds):
        model(data[RNG.integers(0, len(data), 16)], training=True)


def images(count, size):
    noise = RNG.normal(0, 1, (count, size, size, 3)).astype(np.float32)
    box = np.ones((5, 5, 3, 1), np.float32) / 25
    return (tf.nn.depthwise_conv2d(noise, box, [1, 1, 1, 1], "SAME").numpy() * 2.0).astype(np.float32)


def toy_resnet():
    inputs = keras.Input((32, 32, 3), name="image")
    x = keras.layers.Conv2D(16, 3, padding="same")(inputs)
    x = keras.layers.ReLU()(keras.layers.BatchNormalization()(x))
    for filters, stride in [(16, 1), (32, 2), (32, 1), (64, 2)]:
        y = keras.layers.Conv2D(filters, 3, strides=stride, padding="same")(x)
        y = keras.layers.ReLU()(keras.layers.BatchNormalization()(y))
        y = keras.layers.BatchNormalization()(keras.layers.Conv2D(filters, 3, padding="same")(y))
        if stride != 1 or x.shape[-1] != filters:
            x = keras.layers.BatchNormalization()(keras.layers.Conv2D(filters, 1, strides=stride)(x))
        x = keras.layers.ReLU()(keras.layers.Add()([x, y]))
    x = keras.layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, keras.layers.Dense(10, activation="softmax", name="probs")(x))


def save(out, name, model, data, calibration=16, samples=4):
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    model.save(os.path.join(folder, "model.keras"))
    with h5py.File(os.path.join(folder, "calibration.h5"), "w") as file:
        file.create_dataset("inputs/image", data=data[:calibration])
    with h5py.File(os.path.join(folder, "inputs.h5"), "w") as file:
        file.create_dataset("inputs/image", data=data[calibration:calibration + samples])
    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = lambda: ([data[i:i + 1]] for i in range(calibration))
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    with open(os.path.join(folder, "model-int8.tflite"), "wb") as file:
        file.write(converter.convert())
    print(name, "done", flush=True)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    out, which = sys.argv[1], sys.argv[2:] or ALL
    keras.utils.set_random_seed(7)
    if "toy_resnet" in which:
        patterns = RNG.normal(0, 1, (10, 32, 32, 3)).astype(np.float32)
        labels = RNG.integers(0, 10, 2000)
        x = patterns[labels] + RNG.normal(0, 1.5, (2000, 32, 32, 3)).astype(np.float32)
        model = toy_resnet()
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(x, labels, epochs=3, batch_size=64, verbose=0)
        save(out, "toy_resnet", model, x[-40:].copy())
    for name, activation in [("mobilenet_v2", "softmax"), ("mobilenet_v2_logits", None)]:
        if name in which:
            data = images(40, 224)
            model = keras.applications.MobileNetV2(input_shape=(224, 224, 3), weights=None, classes=1000, classifier_activation=activation)
            adapt(model, data)
            save(out, name, model, data)
    for name, constructor in [("resnet50", keras.applications.ResNet50), ("efficientnet_b0", keras.applications.EfficientNetB0)]:
        if name in which:
            data = images(40, 160)
            model = constructor(input_shape=(160, 160, 3), weights=None, classes=1000, classifier_activation=None)
            adapt(model, data)
            save(out, name, model, data)


if __name__ == "__main__":
    main()
