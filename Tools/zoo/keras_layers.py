"""Builds Keras models that exercise the layers and operations users put around the architectures,
into the zoo as `.h5` and `.keras`: preprocessing and augmentation layers, normalizations, the
attention layers, masks, recurrent and 3-D layers, Keras-3 operation nodes, and transfer learning.

Each is a Keras 3 functional (or Sequential) model with seeded random weights
(`keras.utils.set_random_seed(SEED)`, the layers' default initializers; BatchNormalization statistics
from one momentum-0 training pass, keras_applications.randomize_normalization):
- `keras_layers_preprocessing_cnn`: Rescaling, RandomFlip/Rotation/Zoom/Contrast/Translation
  (identity at inference), Resizing, CenterCrop, GroupNormalization (4 groups and instance),
  UnitNormalization, swish and mish, GlobalAveragePooling2D(keepdims) → softmax;
- `keras_layers_attention`: Attention (dot, scaled), AdditiveAttention and Attention (concat) on
  Conv1D (causal and same) features of a float sequence;
- `keras_layers_masked_lstm`: Masking(0) → LSTM on sequences whose second sample ends in zeros;
- `keras_layers_convlstm`: ConvLSTM2D → Conv3D → MaxPooling3D on a 4-frame video;
- `keras_layers_transfer`: a MobileNetV2 (alpha 0.35, no top) nested inside a model with an
  augmentation Sequential, Rescaling to [-1, 1], pooling, Dropout and a Dense head;
- `keras_layers_activations`: every keras.activations function by name after one convolution,
  and ReLU(max_value, negative_slope, threshold);
- `keras_layers_ops`: keras.ops in a functional graph (clip, where, erf, sqrt, maximum/minimum,
  concatenate, flip, tile, pad, image.resize, softmax/log_softmax, cumsum, rsqrt, split, max,
  argmax);
- `keras_layers_conv3d`: Conv3D, BatchNormalization, AveragePooling3D, Conv3DTranspose,
  ZeroPadding3D, Cropping3D, UpSampling3D, GlobalMaxPooling3D;
- `keras_layers_sequential_rnn`: a Sequential SimpleRNN → GRU(reset_after=False) →
  Bidirectional(GRU, merge sum) → softmax;
- `keras_layers_multi_io`: an image and a feature vector in, two heads out;
- `keras_layers_separable_dilated`: dilated SeparableConv2D and grouped Conv2D, strided
  DepthwiseConv2D (depth multiplier 2), Conv2DTranspose with output_padding, pooling with same
  padding, bilinear UpSampling2D, asymmetric Cropping2D, LayerNormalization over three axes,
  BatchNormalization without center.
Golden inputs: the photographs (64×64 or 32×32, 0–255), seeded normal sequences (48 steps × 6) or
videos (uniform, 4×16×16×3); golden outputs are `model.predict` of the loaded `.keras` model. The
`.h5` is kept only when Keras itself reproduces the outputs from it (keras_custom.save).
"""
import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import numpy as np  # noqa: E402

import keras_custom  # noqa: E402
import zoo_common as zc  # noqa: E402


def preprocessing_cnn(keras, layers, ops):
    i = keras.Input((64, 64, 3), name="image")
    x = layers.Rescaling(1 / 255.0)(i)
    x = layers.RandomFlip()(x)
    x = layers.RandomRotation(0.1)(x)
    x = layers.RandomZoom(0.1)(x)
    x = layers.RandomContrast(0.2)(x)
    x = layers.RandomTranslation(0.1, 0.1)(x)
    x = layers.Resizing(48, 48)(x)
    x = layers.CenterCrop(40, 40)(x)
    x = layers.Conv2D(16, 3, padding="same")(x)
    x = layers.GroupNormalization(groups=4)(x)
    x = layers.Activation("swish")(x)
    x = layers.Conv2D(16, 3, strides=2)(x)
    x = layers.GroupNormalization(groups=-1)(x)
    x = layers.Activation("mish")(x)
    x = layers.UnitNormalization(axis=-1)(x)
    x = layers.GlobalAveragePooling2D(keepdims=True)(x)
    x = layers.Flatten()(x)
    return keras.Model(i, layers.Dense(5, activation="softmax")(x)), "image"


def attention(keras, layers, ops):
    i = keras.Input((48, 6), name="series")
    q = layers.Conv1D(16, 3, padding="causal")(i)
    v = layers.Conv1D(16, 3, padding="same")(i)
    a = layers.Attention(use_scale=True, score_mode="dot")([q, v])
    b = layers.AdditiveAttention()([q, v])
    c = layers.Attention(score_mode="concat")([q, v, q])
    x = layers.GlobalAveragePooling1D()(layers.Concatenate()([a, b, c]))
    return keras.Model(i, layers.Dense(3)(x)), "series"


def masked_lstm(keras, layers, ops):
    i = keras.Input((48, 6), name="series")
    x = layers.LSTM(12)(layers.Masking(0.0)(i))
    return keras.Model(i, layers.Dense(3)(x)), "masked_series"


def convlstm(keras, layers, ops):
    i = keras.Input((4, 16, 16, 3), name="video")
    x = layers.ConvLSTM2D(8, 3, padding="same", return_sequences=True)(i)
    x = layers.Conv3D(8, 3, padding="same")(x)
    x = layers.MaxPooling3D((1, 2, 2))(x)
    x = layers.GlobalAveragePooling3D()(x)
    return keras.Model(i, layers.Dense(3)(x)), "video"


def transfer(keras, layers, ops):
    base = keras.applications.MobileNetV2(include_top=False, input_shape=(64, 64, 3), weights=None, alpha=0.35)
    augment = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)], name="augment")
    i = keras.Input((64, 64, 3), name="image")
    x = layers.Rescaling(1 / 127.5, offset=-1)(augment(i))
    x = layers.GlobalAveragePooling2D()(base(x, training=False))
    return keras.Model(i, layers.Dense(4)(layers.Dropout(0.2)(x))), "image"


ACTIVATIONS = ["gelu", "selu", "elu", "exponential", "hard_swish", "softplus", "softsign", "tanh", "sigmoid", "mish", "relu6", "silu",
               "hard_sigmoid", "leaky_relu", "log_softmax", "celu", "glu", "hard_tanh", "log_sigmoid", "tanh_shrink", "squareplus",
               "sparse_plus", "hard_shrink", "soft_shrink"]


def activations(keras, layers, ops):
    i = keras.Input((32, 32, 3), name="image")
    x = layers.Conv2D(8, 3)(layers.Rescaling(1 / 255.0)(i))
    outputs = [layers.GlobalAveragePooling2D()(layers.Activation(name, name=f"act_{name}")(x)) for name in ACTIVATIONS]
    outputs.append(layers.GlobalMaxPooling2D()(layers.ReLU(max_value=2.0, negative_slope=0.1, threshold=0.5)(x)))
    return keras.Model(i, layers.Concatenate()(outputs)), "image32"


def keras_ops(keras, layers, ops):
    i = keras.Input((32, 32, 3), name="image")
    x = layers.Conv2D(8, 3)(layers.Rescaling(1 / 255.0)(i))
    y = ops.clip(x, -0.5, 0.5) + ops.where(x > 0, x, 0.1 * x) + ops.erf(x) * ops.sqrt(ops.abs(x) + 1.0)
    y = ops.maximum(y, ops.square(x)) - ops.minimum(x, 0.2)
    y = ops.concatenate([y, ops.flip(y, axis=1), ops.tile(y[:, :1], [1, 30, 1, 1])], axis=-1)
    y = ops.pad(y, [[0, 0], [1, 1], [1, 1], [0, 0]])
    y = ops.image.resize(y, (16, 16), interpolation="bilinear")
    p = ops.mean(y, axis=[1, 2])
    p = ops.softmax(p, axis=-1) + ops.log_softmax(p) * 0.01
    p = p + ops.cumsum(p, axis=-1) * 0.1 + ops.rsqrt(ops.square(p) + 1.0)
    first, second = ops.split(p, 2, axis=-1)
    p = ops.concatenate([first * second, ops.expand_dims(ops.max(p, axis=-1), -1),
                         ops.expand_dims(ops.argmax(p, axis=-1), -1) * 1.0], -1)
    return keras.Model(i, layers.Dense(3)(p)), "image32"


def conv3d(keras, layers, ops):
    i = keras.Input((4, 16, 16, 3), name="video")
    x = layers.Activation("relu")(layers.BatchNormalization()(layers.Conv3D(8, 3, padding="same")(i)))
    x = layers.Conv3DTranspose(4, 2, strides=2)(layers.AveragePooling3D((2, 2, 2))(x))
    x = layers.UpSampling3D(1)(layers.Cropping3D(1)(layers.ZeroPadding3D(1)(x)))
    return keras.Model(i, layers.Dense(3)(layers.GlobalMaxPooling3D()(x))), "video"


def sequential_rnn(keras, layers, ops):
    return keras.Sequential([keras.Input((48, 6), name="series"), layers.SimpleRNN(16, return_sequences=True),
                             layers.GRU(8, reset_after=False, return_sequences=True), layers.Bidirectional(layers.GRU(8), merge_mode="sum"),
                             layers.Dense(3, activation="softmax")], name="sequential_rnn"), "series"


def multi_io(keras, layers, ops):
    image, meta = keras.Input((32, 32, 3), name="image"), keras.Input((8,), name="meta")
    x = layers.GlobalAveragePooling2D()(layers.Conv2D(8, 3, activation="relu")(layers.Rescaling(1 / 255.0)(image)))
    z = layers.Concatenate()([x, layers.Dense(8, activation="relu")(meta)])
    z = layers.Flatten()(layers.Permute((2, 1))(layers.Reshape((4, 4))(z)))
    return keras.Model([image, meta], [layers.Dense(3, name="cls")(z), layers.Dense(1, activation="sigmoid", name="prob")(z)]), "image_and_meta"


def separable_dilated(keras, layers, ops):
    i = keras.Input((64, 64, 3), name="image")
    x = layers.SeparableConv2D(16, 3, dilation_rate=2, padding="same", depth_multiplier=2)(layers.Rescaling(1 / 255.0)(i))
    x = layers.DepthwiseConv2D(3, strides=2, depth_multiplier=2, padding="same")(x)
    x = layers.Conv2D(16, 3, dilation_rate=2, groups=4, padding="same")(x)
    x = layers.Conv2DTranspose(8, 3, strides=2, padding="same", output_padding=1)(x)
    x = layers.MaxPooling2D(2)(layers.AveragePooling2D(3, strides=2, padding="same")(x))
    x = layers.Cropping2D(((1, 2), (0, 1)))(layers.UpSampling2D(2, interpolation="bilinear")(x))
    x = layers.BatchNormalization(center=False)(layers.LayerNormalization(axis=[1, 2, 3])(x))
    return keras.Model(i, layers.Dense(3)(layers.GlobalAveragePooling2D()(x))), "image"


MODELS = {
    "keras_layers_preprocessing_cnn": preprocessing_cnn, "keras_layers_attention": attention, "keras_layers_masked_lstm": masked_lstm,
    "keras_layers_convlstm": convlstm, "keras_layers_transfer": transfer, "keras_layers_activations": activations,
    "keras_layers_ops": keras_ops, "keras_layers_conv3d": conv3d, "keras_layers_sequential_rnn": sequential_rnn,
    "keras_layers_multi_io": multi_io, "keras_layers_separable_dilated": separable_dilated,
}


def inputs_for(kind, count, seed):
    """The model's inputs by kind, in input order: `count` samples (2: golden, more: calibration)."""
    rng = np.random.default_rng(seed)
    if kind in ("image", "image32"):
        size = 64 if kind == "image" else 32
        return [zc.photographs(size) if count == 2 else zc.calibration_crops(size, count)]
    if kind in ("series", "masked_series"):
        x = rng.normal(0, 1, (count, 48, 6)).astype(np.float32)
        if kind == "masked_series":
            x[1, 30:] = 0
        return [x]
    if kind == "video":
        return [rng.uniform(0, 1, (count, 4, 16, 16, 3)).astype(np.float32)]
    return inputs_for("image32", count, seed) + [rng.normal(0, 1, (count, 8)).astype(np.float32)]


NOTES = {"image": f"{zc.PHOTO_NOTE} to 64x64, 0-255", "image32": f"{zc.PHOTO_NOTE} to 32x32, 0-255",
         "series": "seeded normal(0, 1) sequences", "masked_series": "seeded normal(0, 1) sequences, the second ending in 18 zero steps",
         "video": "seeded uniform(0, 1) videos", "image_and_meta": f"{zc.PHOTO_NOTE} to 32x32, 0-255, and seeded normal features"}


def build(keras, name, factory, stamp):
    existing = keras_custom.built(name, stamp)
    if existing is not None:
        return existing
    keras.utils.set_random_seed(zc.SEED)
    model, kind = factory(keras, keras.layers, keras.ops)
    return keras_custom.save(keras, name, model, inputs_for(kind, 2, zc.SEED), inputs_for(kind, zc.CALIBRATION_COUNT, zc.SEED + 1),
                             NOTES[kind], stamp)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=os.environ.get("ZOO_ONLY", ""))
    args = parser.parse_args()
    import keras
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    stamp = zc.script_stamp(__file__, os.path.join(zc.HERE, "keras_custom.py"), os.path.join(zc.HERE, "zoo_common.py"))
    entries, failures = {}, []
    for name, factory in MODELS.items():
        if not zc.selected(name, args.only):
            continue
        try:
            entries.update(build(keras, name, factory, stamp))
        except Exception as error:
            failures.append(f"{name}: {type(error).__name__}: {error}")
            print(failures[-1], file=sys.stderr, flush=True)
        keras.backend.clear_session()
    zc.write_entries("keras_layers", entries, args.only)
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
